//! The strategy's tables on both backends: a strategy with objectives, measures, targets and
//! recorded values, links from every lever (audited), and migration 0012 turning the co-production
//! register's free-text objectives into one objective per distinct tag.

use levers_core::FinancialYear;
use levers_store::strategy::LinkKind;
use levers_store::testing::Scratch;
use levers_store::{Actor, Store, StoreError, audit::AuditQuery};
use levers_strategy::{
    Direction, Lever, Measure, Metric, Objective, Observation, OfficialRef, Point, Source,
    Strategy, Unit,
};
use sqlx::Connection;

fn fy(y: i32) -> FinancialYear {
    FinancialYear::starting(y).unwrap()
}

fn objective(code: &str, title: &str) -> Objective {
    Objective {
        id: 0,
        code: code.into(),
        title: title.into(),
        description: "Why it matters".into(),
        owner: "Director of Public Health".into(),
        levers: vec![Lever::Procurement, Lever::Coproduction],
        measures: vec![],
    }
}

pub async fn strategy_story(store: &Store) {
    let officer = Actor::system("strategy-test");
    let s = Strategy {
        id: 0,
        name: "Tackling poverty together".into(),
        summary: "Our anti-poverty strategy".into(),
        first_year: fy(2024),
        last_year: fy(2027),
        published: false,
        objectives: vec![],
    };
    let sid = store.create_strategy(&officer, &s).await.unwrap();
    let o1 = store
        .create_objective(&officer, sid, &objective("O1", "Fewer children in poverty"))
        .await
        .unwrap();
    // The same title with other case and spacing is the same objective.
    let dup = store
        .create_objective(
            &officer,
            sid,
            &objective("O2", "  fewer CHILDREN  in poverty"),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let o2 = store
        .create_objective(&officer, sid, &objective("O2", "More spend stays local"))
        .await
        .unwrap();
    let computed = Measure {
        id: 0,
        name: "Local spend".into(),
        unit: Unit::Percent,
        direction: Direction::HigherIsBetter,
        source: Source::Computed {
            metric: Metric::ProcurementLocalShare,
        },
        baseline: Some(Point {
            year: fy(2023),
            value: 30.0,
        }),
        targets: vec![
            Point {
                year: fy(2024),
                value: 32.0,
            },
            Point {
                year: fy(2026),
                value: 40.0,
            },
        ],
    };
    let m1 = store.save_measure(&officer, o2, &computed).await.unwrap();
    let official = Measure {
        id: 0,
        name: "Children in low income families".into(),
        unit: Unit::Percent,
        direction: Direction::LowerIsBetter,
        source: Source::Official(OfficialRef {
            indicator: "children_in_low_income_families".into(),
            measure: "percentage".into(),
            area_code: "E08000009".into(),
            publisher: "DWP Children in low income families".into(),
            next_release: Some(time::macros::date!(2026 - 03 - 26)),
        }),
        baseline: Some(Point {
            year: fy(2023),
            value: 24.0,
        }),
        targets: vec![Point {
            year: fy(2027),
            value: 20.0,
        }],
    };
    let m2 = store.save_measure(&officer, o1, &official).await.unwrap();
    // A bad measure is refused with its field named.
    let mut bad = computed.clone();
    bad.targets[0].value = 140.0;
    let e = store.save_measure(&officer, o2, &bad).await.unwrap_err();
    assert!(e.to_string().starts_with("targets:"), "{e}");

    let read = store.strategy(sid).await.unwrap().unwrap();
    assert_eq!(read.objectives.len(), 2);
    assert_eq!(read.objectives[0].title, "Fewer children in poverty");
    assert_eq!(
        read.objectives[0].levers,
        vec![Lever::Procurement, Lever::Coproduction]
    );
    assert_eq!(
        read.objectives[1].measures[0],
        Measure {
            id: m1,
            ..computed.clone()
        }
    );
    assert_eq!(
        read.objectives[0].measures[0],
        Measure {
            id: m2,
            ..official.clone()
        }
    );

    // Editing a measure replaces its targets.
    let mut edited = read.objectives[1].measures[0].clone();
    edited.targets.pop();
    store.save_measure(&officer, o2, &edited).await.unwrap();
    assert_eq!(store.measure(m1).await.unwrap().unwrap().targets.len(), 1);

    // Official values are recorded (replacing the year's figure); computed ones are refused.
    let obs = |v: f64| Observation {
        year: fy(2024),
        value: v,
        period: "2024/25".into(),
        source: "DWP CiLIF".into(),
        published: Some(time::macros::date!(2025 - 03 - 27)),
        next_release: None,
    };
    store
        .record_measure_value(&officer, m2, &obs(23.0))
        .await
        .unwrap();
    store
        .record_measure_value(&officer, m2, &obs(22.5))
        .await
        .unwrap();
    assert!(matches!(
        store.record_measure_value(&officer, m1, &obs(1.0)).await,
        Err(StoreError::Invalid(_))
    ));
    let values = store.strategy_values(sid).await.unwrap();
    assert_eq!(values[&m2], vec![obs(22.5)]);

    // Links from the levers, by reference; an activity's register column follows its objectives.
    let act = store
        .create_coproduction_activity(
            &officer,
            &crate::coprod_activity("STRAT-1", "Adults", 10_000),
        )
        .await
        .unwrap();
    store
        .set_linked_objectives(&officer, LinkKind::Coproduction, act, &[o1, o2, o1])
        .await
        .unwrap();
    assert_eq!(
        store
            .linked_objectives(LinkKind::Coproduction, act)
            .await
            .unwrap(),
        vec![o1, o2]
    );
    let a = store.coproduction_activity(act).await.unwrap().unwrap();
    assert_eq!(
        a.activity.objectives,
        vec![
            "Fewer children in poverty".to_string(),
            "More spend stays local".to_string()
        ]
    );
    // Renaming the objective renames it on the activity.
    let mut renamed = read.objectives[0].clone();
    renamed.title = "Fewer children in low income families".into();
    store.update_objective(&officer, &renamed).await.unwrap();
    let a = store.coproduction_activity(act).await.unwrap().unwrap();
    assert_eq!(
        a.activity.objectives[0],
        "Fewer children in low income families"
    );
    let links = store.objective_links(o1).await.unwrap();
    assert_eq!(links.activities.len(), 1);
    assert!(
        store
            .set_linked_objectives(&officer, LinkKind::Appraisal, 999_999, &[o1])
            .await
            .is_err()
    );
    let audit = store
        .audit_entries(&AuditQuery {
            action: Some("strategy.links.set".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(!audit.is_empty());

    // Deleting an objective takes its measures and links, and clears it from the activity.
    store.delete_objective(&officer, o1).await.unwrap();
    assert!(store.measure(m2).await.unwrap().is_none());
    let a = store.coproduction_activity(act).await.unwrap().unwrap();
    assert_eq!(
        a.activity.objectives,
        vec!["More spend stays local".to_string()]
    );
    assert_eq!(store.strategies().await.unwrap()[0].objectives, 1);
}

async fn raw(scratch: &Scratch, sql: &str) {
    match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut c)
                .await
                .unwrap();
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "SET search_path TO {schema}; {sql}"
            )))
            .execute(&mut c)
            .await
            .unwrap();
        }
    }
}

/// Migration 0012 run over a register with typed objectives: one objective per distinct tag.
pub async fn tag_migration(store: &Store, scratch: &Scratch) {
    let officer = Actor::system("strategy-test");
    // Back to the schema before 0012, with a register whose objectives were typed.
    raw(
        scratch,
        "DROP TABLE strategy_links_spend; DROP TABLE strategy_links_appraisal; DROP TABLE strategy_links_coproduction;
         DROP TABLE strategy_links_pb_proposal; DROP TABLE strategy_values; DROP TABLE strategy_targets;
         DROP TABLE strategy_measures; DROP TABLE strategy_objectives; DROP TABLE strategies;
         DELETE FROM schema_migrations WHERE version = 12;",
    )
    .await;
    for (r, tags) in [
        ("T-1", vec!["Child poverty", "Good work"]),
        ("T-2", vec!["  child   POVERTY ", "Healthy homes"]),
        ("T-3", vec![]),
    ] {
        let mut a = crate::coprod_activity(r, "Adults", 1_000);
        a.objectives = tags.into_iter().map(String::from).collect();
        store
            .create_coproduction_activity(&officer, &a)
            .await
            .unwrap();
    }
    assert_eq!(store.migrate().await.unwrap(), vec![12]);
    let list = store.strategies().await.unwrap();
    assert_eq!(list.len(), 1);
    let s = store.strategy(list[0].id).await.unwrap().unwrap();
    let titles: Vec<&str> = s.objectives.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles.contains(&"Good work") && titles.contains(&"Healthy homes"));
    let child = s
        .objectives
        .iter()
        .find(|o| o.title.to_lowercase().contains("child"))
        .unwrap();
    let links = store.objective_links(child.id).await.unwrap();
    let refs: Vec<&str> = links.activities.iter().map(|a| a.1.as_str()).collect();
    assert_eq!(refs, vec!["T-1", "T-2"]);
    assert_eq!(
        s.objectives
            .iter()
            .map(|o| o.code.as_str())
            .collect::<Vec<_>>(),
        vec!["O1", "O2", "O3"]
    );
}
