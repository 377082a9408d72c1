//! Whether the most deprived places get their share of a lever: the share landing in IMD deciles
//! 1–2 against those places' share of the population, and a concentration index over places
//! ordered from most to least deprived, each said in plain English.

use serde::Serialize;

/// One place's population, deprivation decile and what a lever put there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceAmount {
    pub code: String,
    pub population: f64,
    /// IMD decile, 1 = most deprived 10% in England; `None` when unknown.
    pub decile: Option<u8>,
    /// Deprivation rank for ordering within a decile (1 = most deprived); `None` sorts last.
    pub rank: Option<u32>,
    pub amount: f64,
}

/// How one lever's amounts spread over places.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reach {
    /// All the lever put in places (with or without a decile).
    pub total: f64,
    /// Amount in places with no known decile (left out of the shares).
    pub without_decile: f64,
    /// Amount in deciles 1–2.
    pub in_most_deprived: f64,
    /// Share of the amount (in places with a decile) landing in deciles 1–2.
    pub share_most_deprived: Option<f64>,
    /// Share of the population (in places with a decile) living in deciles 1–2.
    pub population_share_most_deprived: Option<f64>,
    /// share ÷ population share: 1 = in proportion, above 1 = more than their share.
    pub ratio: Option<f64>,
    /// Concentration index in [−1, 1]: 0 = in proportion to population, positive = towards the
    /// most deprived places, negative = towards the least deprived.
    pub concentration: Option<f64>,
    /// The figures in a sentence.
    pub summary: String,
}

/// Computes [`Reach`] for one lever (`what` names it in the sentence, e.g. "spend with local
/// suppliers"). Places with no population count only in `total` and `without_decile` when they
/// have no decile.
pub fn reach(what: &str, places: &[PlaceAmount]) -> Reach {
    let total: f64 = places.iter().map(|p| p.amount).sum();
    let known: Vec<&PlaceAmount> = places.iter().filter(|p| p.decile.is_some()).collect();
    let without_decile = total - known.iter().map(|p| p.amount).sum::<f64>();
    let amount_known: f64 = known.iter().map(|p| p.amount).sum();
    let pop_known: f64 = known.iter().map(|p| p.population).sum();
    let most = |p: &&&PlaceAmount| p.decile.is_some_and(|d| d <= 2);
    let in_most_deprived: f64 = known.iter().filter(most).map(|p| p.amount).sum();
    let pop_most: f64 = known.iter().filter(most).map(|p| p.population).sum();
    let share = (amount_known > 0.0).then(|| in_most_deprived / amount_known);
    let pop_share = (pop_known > 0.0).then(|| pop_most / pop_known);
    let ratio = match (share, pop_share) {
        (Some(s), Some(p)) if p > 0.0 => Some(s / p),
        _ => None,
    };
    let concentration = concentration_index(&known);
    let summary = sentence(what, share, pop_share, ratio, concentration, amount_known);
    Reach {
        total,
        without_decile,
        in_most_deprived,
        share_most_deprived: share,
        population_share_most_deprived: pop_share,
        ratio,
        concentration,
        summary,
    }
}

/// 1 − 2 × the area under the concentration curve (cumulative share of the amount against
/// cumulative share of population, places from most to least deprived), so that 0 means in
/// proportion to population and positive means towards the most deprived.
fn concentration_index(known: &[&PlaceAmount]) -> Option<f64> {
    let pop: f64 = known.iter().map(|p| p.population).sum();
    let amount: f64 = known.iter().map(|p| p.amount).sum();
    if pop <= 0.0 || amount <= 0.0 {
        return None;
    }
    let mut order: Vec<&&PlaceAmount> = known.iter().collect();
    order.sort_by(|a, b| {
        (a.decile, a.rank.unwrap_or(u32::MAX), &a.code).cmp(&(
            b.decile,
            b.rank.unwrap_or(u32::MAX),
            &b.code,
        ))
    });
    let (mut y, mut area) = (0.0, 0.0);
    for p in order {
        let dx = p.population / pop;
        let dy = p.amount / amount;
        area += dx * (y + y + dy) / 2.0;
        y += dy;
    }
    // The curve lies above the diagonal when the amount leans to the most deprived: area > 1/2.
    Some((2.0 * area - 1.0).clamp(-1.0, 1.0))
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn sentence(
    what: &str,
    share: Option<f64>,
    pop_share: Option<f64>,
    ratio: Option<f64>,
    ci: Option<f64>,
    amount_known: f64,
) -> String {
    let (Some(s), Some(p)) = (share, pop_share) else {
        return if amount_known <= 0.0 {
            format!("Nothing of {what} is recorded in places with a known deprivation decile.")
        } else {
            format!(
                "The population of places with a known deprivation decile is not loaded, so {what} cannot be compared with it."
            )
        };
    };
    let mut out = format!(
        "{} of {what} landed in the most deprived 20% of neighbourhoods in England (IMD deciles 1–2), where {} of the people live",
        pct(s),
        pct(p)
    );
    match ratio {
        Some(r) if (r - 1.0).abs() < 0.05 => out.push_str(": about their share."),
        Some(r) if r > 1.0 => out.push_str(&format!(": {r:.1} times their share.")),
        Some(r) => out.push_str(&format!(": {:.0}% of their share.", r * 100.0)),
        None => out.push('.'),
    }
    if let Some(c) = ci {
        let lean = if c.abs() < 0.05 {
            "spread about in proportion to population across places from most to least deprived"
                .to_string()
        } else if c > 0.0 {
            format!(
                "leans towards the more deprived places (concentration index {c:+.2}; 0 would be in proportion to population, +1 all in the most deprived place)"
            )
        } else {
            format!(
                "leans towards the less deprived places (concentration index {c:+.2}; 0 would be in proportion to population, −1 all in the least deprived place)"
            )
        };
        out.push_str(&format!(" Overall it {lean}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn place(code: &str, pop: f64, decile: Option<u8>, amount: f64) -> PlaceAmount {
        PlaceAmount {
            code: code.into(),
            population: pop,
            decile,
            rank: None,
            amount,
        }
    }

    #[test]
    fn in_proportion_is_zero_and_ratio_one() {
        let r = reach(
            "spend",
            &[
                place("a", 100.0, Some(1), 10.0),
                place("b", 100.0, Some(5), 10.0),
                place("c", 200.0, Some(10), 20.0),
            ],
        );
        assert!((r.ratio.unwrap() - 1.0).abs() < 1e-12);
        assert!(r.concentration.unwrap().abs() < 1e-12);
        assert!(r.summary.contains("25% of spend"), "{}", r.summary);
        assert!(r.summary.contains("about their share"));
    }

    #[test]
    fn all_in_most_deprived_leans_that_way() {
        let r = reach(
            "ballots",
            &[
                place("a", 100.0, Some(1), 50.0),
                place("b", 300.0, Some(9), 0.0),
                place("z", 50.0, None, 7.0),
            ],
        );
        assert_eq!(r.share_most_deprived, Some(1.0));
        assert_eq!(r.ratio, Some(4.0));
        assert!(r.concentration.unwrap() > 0.7);
        assert_eq!(r.without_decile, 7.0);
        assert_eq!(r.total, 57.0);
        assert!(r.summary.contains("4.0 times"));
    }

    #[test]
    fn nothing_says_so() {
        let r = reach("spend", &[place("a", 100.0, Some(3), 0.0)]);
        assert_eq!(r.concentration, None);
        assert!(r.summary.starts_with("Nothing"));
    }

    proptest! {
        #[test]
        fn shares_and_index_stay_in_range(v in proptest::collection::vec((1.0f64..1e4, 1u8..=10, 0.0f64..1e6), 1..40)) {
            let places: Vec<PlaceAmount> = v.iter().enumerate()
                .map(|(i, (p, d, a))| place(&i.to_string(), *p, Some(*d), *a)).collect();
            let r = reach("x", &places);
            if let Some(s) = r.share_most_deprived { prop_assert!((0.0..=1.0 + 1e-9).contains(&s)); }
            if let Some(c) = r.concentration { prop_assert!((-1.0..=1.0).contains(&c)); }
            prop_assert!(r.in_most_deprived <= r.total + 1e-6);
            // Scaling every amount leaves shares and the index unchanged.
            let scaled: Vec<PlaceAmount> = places.iter().map(|p| PlaceAmount { amount: p.amount * 3.0, ..p.clone() }).collect();
            let s = reach("x", &scaled);
            if let (Some(a), Some(b)) = (r.concentration, s.concentration) { prop_assert!((a - b).abs() < 1e-9); }
        }
    }
}
