//! Property tests of the strategy model: trajectories pass through their points and stay between
//! them, improving a value never worsens its status, and tags normalise idempotently.

use levers_core::FinancialYear;
use levers_strategy::{
    Direction, Measure, Metric, Point, Source, Status, Unit, assess, expected, normalise_tag,
};
use proptest::prelude::*;

fn fy(y: i32) -> FinancialYear {
    FinancialYear::starting(y).unwrap()
}

fn measure(direction: Direction, base: f64, targets: Vec<(i32, f64)>) -> Measure {
    Measure {
        id: 1,
        name: "m".into(),
        unit: Unit::Count,
        direction,
        source: Source::Computed {
            metric: Metric::TimeCreditsEarned,
        },
        baseline: Some(Point {
            year: fy(2020),
            value: base,
        }),
        targets: targets
            .into_iter()
            .map(|(y, v)| Point {
                year: fy(y),
                value: v,
            })
            .collect(),
    }
}

fn arb_measure() -> impl Strategy<Value = Measure> {
    (
        any::<bool>(),
        -1000.0..1000.0f64,
        prop::collection::btree_map(2021..2032i32, -1000.0..1000.0f64, 1..5),
    )
        .prop_map(|(higher, base, targets)| {
            let dir = if higher {
                Direction::HigherIsBetter
            } else {
                Direction::LowerIsBetter
            };
            measure(dir, base, targets.into_iter().collect())
        })
}

proptest! {
    #[test]
    fn the_trajectory_passes_through_baseline_and_targets(m in arb_measure()) {
        let b = m.baseline.unwrap();
        prop_assert_eq!(expected(&m, b.year), Some(b.value));
        for t in &m.targets {
            let e = expected(&m, t.year).unwrap();
            prop_assert!((e - t.value).abs() < 1e-9);
        }
        prop_assert!(m.problems().is_empty());
    }

    #[test]
    fn the_trajectory_stays_between_its_points(m in arb_measure(), year in 2020..2040i32) {
        let mut values: Vec<f64> = m.targets.iter().map(|t| t.value).collect();
        values.push(m.baseline.unwrap().value);
        let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e = expected(&m, fy(year)).unwrap();
        prop_assert!(e >= lo - 1e-9 && e <= hi + 1e-9);
    }

    #[test]
    fn a_better_value_never_has_a_worse_status(
        m in arb_measure(), year in 2020..2035i32, a in -2000.0..2000.0f64, d in 0.0..500.0f64,
    ) {
        let better = a + m.direction.sign() * d;
        let sev = |s: Status| match s { Status::OnTrack => 0, Status::AtRisk => 1, Status::OffTrack => 2, Status::NoData => 3 };
        let s1 = assess(&m, fy(year), a).status;
        let s2 = assess(&m, fy(year), better).status;
        prop_assert!(sev(s2) <= sev(s1), "{:?} then {:?}", s1, s2);
        // On the trajectory exactly is on track.
        let e = expected(&m, fy(year)).unwrap();
        prop_assert_eq!(assess(&m, fy(year), e).status, Status::OnTrack);
    }

    #[test]
    fn normalising_a_tag_twice_changes_nothing(s in "[ a-zA-Z\t]{0,30}") {
        let once = normalise_tag(&s);
        prop_assert_eq!(normalise_tag(&once), once.clone());
        prop_assert_eq!(normalise_tag(&s.to_uppercase()), once);
    }
}
