//! The store's test story, run on SQLite always and on PostgreSQL when `LEVERS_TEST_PG` names a server.

#[path = "store/contracts.rs"]
mod contracts;
#[path = "store/hardening.rs"]
mod hardening;
#[path = "store/pb_process.rs"]
mod pb_process;
#[path = "store/strategy.rs"]
mod strategy;
#[path = "store/transactions.rs"]
mod transactions;
use levers_store::testing::{Scratch, postgres_test_url, scratch_postgres, scratch_sqlite};
use levers_store::{
    Actor, NewUser, Role, Store, StoreError, audit::AuditQuery, settings::COUNCIL_NAME,
};
use sqlx::Connection;

const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0Jc3cX2V9dFq3FqS1m0xWwHq1w7mJ7Jk0m3o7mQ1ZtE";

fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: String::new(),
        password_hash: HASH.into(),
        role,
        must_change_password: false,
    }
}

/// Everything the foundation needs from a database, in the order a real deployment meets it.
async fn story(store: &Store) {
    // Migrations are idempotent.
    assert_eq!(store.migrate().await.unwrap(), Vec::<i64>::new());
    assert_eq!(store.schema_version().await.unwrap(), 18);
    store.ping().await.unwrap();
    let system = Actor::system("test");

    // Accounts: emails compared without case; only argon2 hashes accepted.
    let admin = store
        .create_user(&system, new_user("Admin@Example.org", Role::Admin))
        .await
        .unwrap();
    assert_eq!(admin.email, "admin@example.org");
    let dup = store
        .create_user(&system, new_user(" ADMIN@example.org", Role::Viewer))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let mut plain = new_user("plain@example.org", Role::Viewer);
    plain.password_hash = "hunter2".into();
    assert!(store.create_user(&system, plain).await.is_err());
    let as_admin = Actor::user(admin.id, &admin.email);
    let viewer = store
        .create_user(&as_admin, new_user("viewer@example.org", Role::Viewer))
        .await
        .unwrap();
    let officer = store
        .create_user(&as_admin, new_user("officer@example.org", Role::Officer))
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_email("VIEWER@example.org")
            .await
            .unwrap()
            .unwrap()
            .id,
        viewer.id
    );
    let all = store.users().await.unwrap();
    assert_eq!(
        all.iter().map(|u| u.role).collect::<Vec<_>>(),
        vec![Role::Admin, Role::Officer, Role::Viewer]
    );

    // The last admin cannot be disabled or demoted.
    assert!(matches!(
        store.set_user_disabled(&as_admin, admin.id, true).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.set_user_role(&as_admin, admin.id, Role::Viewer).await,
        Err(StoreError::Conflict(_))
    ));

    // Sessions: found while live and the user enabled; gone when the user is disabled.
    store
        .create_session("hash-a", viewer.id, "csrf-a", 3600)
        .await
        .unwrap();
    let (s, u) = store.session_user("hash-a", 3600).await.unwrap().unwrap();
    assert_eq!((s.csrf_token.as_str(), u.id), ("csrf-a", viewer.id));
    assert!(store.session_user("unknown", 3600).await.unwrap().is_none());
    store
        .create_session("hash-expired", viewer.id, "csrf-b", -1)
        .await
        .unwrap();
    assert!(
        store
            .session_user("hash-expired", 3600)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.purge_expired(900).await.unwrap(), 1);

    // API tokens: live until revoked.
    let token = store
        .create_api_token(&as_admin, officer.id, "nightly import", "tokhash")
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user("tokhash").await.unwrap().unwrap().id,
        officer.id
    );
    store.revoke_api_token(&as_admin, token.id).await.unwrap();
    store.revoke_api_token(&as_admin, token.id).await.unwrap();
    assert!(store.api_token_user("tokhash").await.unwrap().is_none());
    assert!(matches!(
        store.revoke_api_token(&as_admin, 9999).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.api_tokens().await.unwrap()[0].user_email,
        "officer@example.org"
    );

    // Disabling ends sessions and revokes tokens.
    store
        .create_api_token(&as_admin, viewer.id, "report", "tokhash2")
        .await
        .unwrap();
    let disabled = store
        .set_user_disabled(&as_admin, viewer.id, true)
        .await
        .unwrap();
    assert!(disabled.disabled);
    assert!(store.session_user("hash-a", 3600).await.unwrap().is_none());
    assert_eq!(store.session_count(viewer.id).await.unwrap(), 0);
    assert!(store.api_token_user("tokhash2").await.unwrap().is_none());
    store
        .set_user_disabled(&as_admin, viewer.id, false)
        .await
        .unwrap();
    assert!(
        store.api_token_user("tokhash2").await.unwrap().is_none(),
        "re-enabling must not revive revoked tokens"
    );

    // Passwords: a new hash ends other sessions.
    store
        .create_session("hash-o1", officer.id, "c1", 3600)
        .await
        .unwrap();
    store
        .create_session("hash-o2", officer.id, "c2", 3600)
        .await
        .unwrap();
    store
        .set_password(&as_admin, officer.id, HASH, true, Some("hash-o1"))
        .await
        .unwrap();
    assert_eq!(store.session_count(officer.id).await.unwrap(), 1);
    assert!(
        store
            .user_by_id(officer.id)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );
    assert!(
        store
            .set_password(&as_admin, officer.id, "plain", false, None)
            .await
            .is_err()
    );

    // Sign-in throttling counts per key.
    let keys = vec![
        "account:x@example.org".to_string(),
        "addr:127.0.0.1".to_string(),
    ];
    for _ in 0..3 {
        store.record_sign_in_failure(&keys).await.unwrap();
    }
    assert_eq!(
        store
            .recent_sign_in_failures("account:x@example.org", 900)
            .await
            .unwrap(),
        3
    );
    store
        .clear_sign_in_failures("account:x@example.org")
        .await
        .unwrap();
    assert_eq!(
        store
            .recent_sign_in_failures("account:x@example.org", 900)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .recent_sign_in_failures("addr:127.0.0.1", 900)
            .await
            .unwrap(),
        3
    );

    // Settings.
    assert_eq!(store.setting(COUNCIL_NAME).await.unwrap(), None);
    store
        .set_setting(&as_admin, COUNCIL_NAME, "Lowmoor Borough Council")
        .await
        .unwrap();
    store
        .set_setting(&as_admin, COUNCIL_NAME, "Lowmoor Borough Council")
        .await
        .unwrap();
    assert_eq!(
        store.setting(COUNCIL_NAME).await.unwrap().as_deref(),
        Some("Lowmoor Borough Council")
    );

    // Every change above is in the audit log, newest first, with who and before/after.
    let entries = store
        .audit_entries(&AuditQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "user.create",
            "user.create",
            "user.create",
            "token.create",
            "token.revoke",
            "token.create",
            "user.disable",
            "user.enable",
            "user.password",
            "setting.set"
        ]
    );
    assert_eq!(entries[0].actor, "admin@example.org");
    assert_eq!(
        entries[0].after,
        Some(serde_json::json!("Lowmoor Borough Council"))
    );
    let disable = entries.iter().find(|e| e.action == "user.disable").unwrap();
    assert_eq!(disable.before.as_ref().unwrap()["disabled"], false);
    assert_eq!(disable.after.as_ref().unwrap()["disabled"], true);
    assert!(entries.iter().all(|e| {
        !e.after
            .as_ref()
            .is_some_and(|a| a.to_string().contains("argon2"))
    }));
    let users_only = AuditQuery {
        object_type: Some("user".into()),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(store.audit_count(&users_only).await.unwrap(), 6);

    // Background jobs (migration 0015): progress, an end, and interrupted ones marked failed.
    use levers_store::jobs::{INTERRUPTED, JobState};
    let owner = store
        .user_by_email("admin@example.org")
        .await
        .unwrap()
        .unwrap();
    let j = store
        .create_job("spend", "april.csv", Some(owner.id), "rows", None)
        .await
        .unwrap();
    store.job_progress(j, 1_500, Some(3_545)).await.unwrap();
    let got = store.job(j).await.unwrap().unwrap();
    assert_eq!(
        (got.state, got.progress, got.total),
        (JobState::Running, 1_500, Some(3_545))
    );
    store
        .finish_job(j, Ok("/procurement/imports/1"))
        .await
        .unwrap();
    let got = store.job(j).await.unwrap().unwrap();
    assert_eq!(got.state, JobState::Done);
    assert_eq!(got.result_url.as_deref(), Some("/procurement/imports/1"));
    let k = store
        .create_job("suppliers", "creditors.csv", None, "steps", Some(2))
        .await
        .unwrap();
    assert_eq!(
        store.fail_interrupted_jobs(-1).await.unwrap(),
        1,
        "only the running one"
    );
    let got = store.job(k).await.unwrap().unwrap();
    assert_eq!(
        (got.state, got.message.as_str()),
        (JobState::Failed, INTERRUPTED)
    );
    // An empty value for an unset setting changes nothing and audits nothing.
    let before = store.audit_count(&AuditQuery::default()).await.unwrap();
    store.set_setting(&system, "public_url", "").await.unwrap();
    assert_eq!(
        store.audit_count(&AuditQuery::default()).await.unwrap(),
        before
    );
}

/// The audit log refuses updates and deletes at the database level, whatever the caller.
async fn audit_log_is_append_only(scratch: &Scratch) {
    let tamper = [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ];
    match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            for sql in tamper {
                let err = sqlx::query(sql)
                    .execute(&mut c)
                    .await
                    .unwrap_err()
                    .to_string();
                assert!(err.contains("append-only"), "{err}");
            }
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            for sql in tamper {
                let sql = sql.replace("audit_log", &format!("{schema}.audit_log"));
                let err = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .unwrap_err()
                    .to_string();
                assert!(err.contains("append-only"), "{err}");
            }
        }
    }
}

/// A body's payments for each of its years read from the column blocks equal those read row by row:
/// the same rows in the same order with the same strings and keys.
async fn same_payments_both_ways(store: &Store, body: &str) {
    let bodies = [body.to_string()];
    let years = store.spend_years(&bodies).await.unwrap();
    assert!(!years.is_empty());
    for y in years {
        let blocks = store.procurement_payments(&bodies, &y).await.unwrap();
        let rows = store
            .procurement_payments_by_rows(&bodies, &y)
            .await
            .unwrap();
        assert_eq!(blocks.rows, rows.rows, "{body} {y}");
        assert_eq!(blocks.supplier_keys, rows.supplier_keys, "{body} {y}");
        assert_eq!(blocks.fact_keys, rows.fact_keys, "{body} {y}");
        assert_eq!(blocks.strings.len(), rows.strings.len(), "{body} {y}");
        for i in 0..rows.strings.len() as u32 {
            assert_eq!(blocks.strings.get(i), rows.strings.get(i));
        }
    }
}

/// Imports made before column blocks existed (no blocks, `blocks = 0`) get them on first read, with
/// the same payments.
async fn old_imports_get_blocks(store: &Store, scratch: &Scratch, body: &str) {
    let forget = [
        "DELETE FROM spend_blocks",
        "UPDATE spend_imports SET blocks = 0",
    ];
    match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            for sql in forget {
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            for sql in forget {
                let sql = sql
                    .replace("spend_blocks", &format!("{schema}.spend_blocks"))
                    .replace("spend_imports", &format!("{schema}.spend_imports"));
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
        }
    }
    same_payments_both_ways(store, body).await;
}

/// Geography datasets: an import is one transaction; re-importing a file replaces it; an abandoned
/// import leaves nothing; the index is rebuilt from the blocks in import order.
async fn geo_story(store: &Store) {
    use levers_geo::block::encode_block;
    use levers_geo::read_geo;
    use levers_store::geo::GeoCounts;
    let actor = Actor::system("test");
    let v0 = store.geo_version().await.unwrap();
    let file = |lad: &str| {
        format!(
            "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\nXL1 1AA,XL1 1AA,,{lad},X05000001,X01000001,X01000001,53.9,-3.1\nXL1 1AB,XL1 1AB,202001,{lad},X05000001,X01000001,X01000001,53.9,-3.1\nbad,bad,,,,,,,\n"
        )
    };
    let act = &actor;
    let import = |text: String| async move {
        let mut recs = Vec::new();
        let rep = read_geo("pc.csv", text.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
        let mut imp = store
            .begin_geo_import(act, "onspd", "pc.csv")
            .await
            .unwrap();
        imp.add_block(recs.len() as i64, &encode_block(&recs))
            .await
            .unwrap();
        let counts = GeoCounts {
            rows_read: rep.rows_read as i64,
            rows_imported: rep.rows_imported as i64,
            rows_rejected: rep.rows_rejected as i64,
            rows_blank: rep.rows_blank as i64,
            records: recs.len() as i64,
            rejections: serde_json::to_value(&rep.rejections).unwrap(),
        };
        imp.finish(act, &counts).await.unwrap()
    };
    let first = import(file("X07000001")).await;
    assert_eq!(
        (first.rows_read, first.rows_imported, first.rows_rejected),
        (3, 2, 1)
    );
    assert_eq!(first.rejections[0]["line"], 4);
    // Re-importing replaces: still one dataset, and the index has the new values.
    let second = import(file("X07000002")).await;
    let all = store.geo_datasets().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, second.id);
    assert_ne!(store.geo_version().await.unwrap(), v0);
    let index = store.load_geo_index().await.unwrap();
    let pc = levers_geo::Postcode::parse("xl11aa").unwrap();
    assert_eq!(
        index.lookup(&pc).unwrap().lad.unwrap().code.as_str(),
        "X07000002"
    );
    assert_eq!(index.stats().postcodes, 2);
    assert_eq!(index.stats().postcodes_terminated, 1);
    // An import that never finishes (an error, a killed process) leaves nothing behind.
    {
        let mut imp = store
            .begin_geo_import(&actor, "onspd", "other.csv")
            .await
            .unwrap();
        imp.add_block(0, &encode_block(&[])).await.unwrap();
    }
    assert_eq!(store.geo_datasets().await.unwrap().len(), 1);
    let audit = store
        .audit_entries(&AuditQuery {
            object_type: Some("geo_dataset".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["geo.reimport", "geo.import"]
    );
    store.delete_geo_dataset(&actor, second.id).await.unwrap();
    assert_eq!(store.load_geo_index().await.unwrap().stats().postcodes, 0);
}

/// Spend: an import is one transaction; overlapping files add only what is new; undo removes exactly
/// what an import added; totals stay exact in pence on both backends.
async fn spend_story(store: &Store) {
    use levers_spend::{CheckOptions, transactions};
    let actor = Actor::system("test");
    let opts = CheckOptions {
        body: Some("Testshire".into()),
        ..CheckOptions::default()
    };
    let jan = "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1\n06/01/2025,Beta CIC,-20.25,T2\n";
    let jan_feb = "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1\n06/01/2025,Beta CIC,-20.25,T2\n03/02/2025,Gamma Trust,500.00,T3\n";
    let import = |name: &'static str, text: &'static str| {
        let opts = opts.clone();
        let actor = actor.clone();
        async move {
            let (txs, report) = transactions(name, text.as_bytes(), &opts).unwrap();
            let mut imp = store
                .begin_spend_import(
                    &actor,
                    "Testshire",
                    name,
                    &format!("sha-{name}"),
                    text.len() as i64,
                )
                .await
                .unwrap();
            imp.add(&txs).await.unwrap();
            imp.finish(
                &actor,
                &serde_json::to_value(&report).unwrap(),
                &[("amount".into(), "Amount".into())],
            )
            .await
            .unwrap()
        }
    };
    let (first, c1) = import("jan.csv", jan).await;
    assert_eq!(
        (
            c1.rows_kept,
            c1.rows_new,
            c1.rows_already,
            c1.total_pence,
            c1.new_pence
        ),
        (2, 2, 0, 98_025, 98_025)
    );
    let (second, c2) = import("jan-feb.csv", jan_feb).await;
    assert_eq!(
        (c2.rows_kept, c2.rows_new, c2.rows_already, c2.new_pence),
        (3, 1, 2, 50_000)
    );
    let (n, total) = store.spend_totals("Testshire", None).await.unwrap();
    assert_eq!((n, total.pence()), (3, 148_025));
    let fy = "2024/25".parse().unwrap();
    assert_eq!(
        store.spend_totals("Testshire", Some(fy)).await.unwrap().0,
        3
    );
    assert_eq!(
        store.spend_mapping("Testshire").await.unwrap(),
        vec![("amount".to_string(), "Amount".to_string())]
    );
    assert_eq!(
        store
            .spend_import_of_file("Testshire", "sha-jan.csv")
            .await
            .unwrap()
            .unwrap()
            .id,
        first
    );
    same_payments_both_ways(store, "Testshire").await;
    // An abandoned import leaves nothing.
    {
        let (txs, _) = transactions(
            "x.csv",
            "Date,Supplier,Amount\n01/03/2025,Delta,1.00\n".as_bytes(),
            &opts,
        )
        .unwrap();
        let mut imp = store
            .begin_spend_import(&actor, "Testshire", "x.csv", "sha-x", 10)
            .await
            .unwrap();
        imp.add(&txs).await.unwrap();
    }
    assert_eq!(store.spend_totals("Testshire", None).await.unwrap().0, 3);
    assert_eq!(store.spend_imports().await.unwrap().len(), 2);
    // Undo removes only what that import added.
    assert_eq!(store.undo_spend_import(&actor, second).await.unwrap(), 1);
    same_payments_both_ways(store, "Testshire").await;
    assert_eq!(
        store
            .spend_totals("Testshire", None)
            .await
            .unwrap()
            .1
            .pence(),
        98_025
    );
    assert!(matches!(
        store.undo_spend_import(&actor, second).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .spend_import_of_file("Testshire", "sha-jan-feb.csv")
            .await
            .unwrap()
            .is_none()
    );
    let audit = store
        .audit_entries(&AuditQuery {
            object_type: Some("spend_import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["spend.undo", "spend.import", "spend.import"]
    );
}

/// Appraisal: a library imported twice replaces itself; a council's own table overrides a code;
/// deflators; appraisals saved, renamed, refused when invalid or duplicated; a pool that reports.
async fn appraisal_story(store: &Store) {
    use levers_appraisal::{Appraisal, pooled::Funds, read_unit_costs};
    use levers_core::{FinancialYear, Money};
    let officer = Actor::system("appraisal-test");
    let lib = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year,economic_value,economic_price_year,rag_assessment\n\
               HO1.0,Complex eviction,Per incident,Local authority,6680,2010/11,,,A\n\
               E&E3.0,Workless claimant entering work,Per claimant per year,Multiple,7570,2012/13,8701,2012/13,G\n";
    let (costs, report) = read_unit_costs("ucd.csv", lib.as_bytes()).unwrap();
    store
        .import_unit_costs(&officer, "UCD v1.4", "ucd.csv", &costs, &report)
        .await
        .unwrap();
    store
        .import_unit_costs(&officer, "UCD v1.4", "ucd.csv", &costs, &report)
        .await
        .unwrap();
    assert_eq!(store.unit_cost_libraries().await.unwrap().len(), 1);
    assert_eq!(
        store
            .unit_costs()
            .await
            .unwrap()
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["HO1.0", "E&E3.0"]
    );
    let ours = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year\nHO1.0,Levermouth eviction,Per incident,Local authority,7000,2019/20\n";
    let (own, report) = read_unit_costs("own.csv", ours.as_bytes()).unwrap();
    store
        .import_unit_costs(&officer, "Levermouth", "own.csv", &own, &report)
        .await
        .unwrap();
    let ho = store.unit_cost("HO1.0").await.unwrap().unwrap();
    assert_eq!(ho.description, "Levermouth eviction");
    assert_eq!(ho.fiscal.unwrap().amount, 7000.0);
    let e = store.unit_cost("E&E3.0").await.unwrap().unwrap();
    assert_eq!(e.economic.unwrap().price_year.to_string(), "2012/13");
    assert_eq!(e.rag, levers_appraisal::Rag::Green);

    let d = levers_appraisal::Deflators::from_csv(
        "d.csv",
        b"fin_year,pct_change_on_previous_year\n2018/19,2.1\n2019/20,2.6\n",
    )
    .unwrap();
    assert_eq!(
        store.import_deflators(&officer, "d.csv", &d).await.unwrap(),
        2
    );
    assert_eq!(store.deflators().await.unwrap(), d);

    let model = Appraisal::from_toml("a.toml", "name = \"Debt advice\"\nprice_base = \"2019/20\"\n[[costs]]\nagency = \"Local authority\"\namount = 5000\n").unwrap();
    let id = store.save_appraisal(&officer, None, &model).await.unwrap();
    let dup = store
        .save_appraisal(&officer, None, &model)
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
    let mut renamed = model.clone();
    renamed.name = "Debt and money advice".into();
    assert_eq!(
        store
            .save_appraisal(&officer, Some(id), &renamed)
            .await
            .unwrap(),
        id
    );
    assert_eq!(store.appraisal(id).await.unwrap().unwrap().model, renamed);
    let mut bad = renamed.clone();
    bad.costs[0].agency = " ".into();
    assert!(matches!(
        store.save_appraisal(&officer, Some(id), &bad).await,
        Err(StoreError::Invalid(_))
    ));

    let pool = store
        .create_pool(&officer, "Levermouth Together")
        .await
        .unwrap();
    let council = store
        .add_pool_partner(&officer, pool, "Council", &["Local authority".into()])
        .await
        .unwrap();
    let icb = store
        .add_pool_partner(&officer, pool, "ICB", &["NHS".into()])
        .await
        .unwrap();
    let y: FinancialYear = "2025/26".parse().unwrap();
    store
        .set_pool_contribution(&officer, council, y, Money::from_pence(60_000_00))
        .await
        .unwrap();
    store
        .set_pool_contribution(&officer, icb, y, Money::from_pence(40_000_00))
        .await
        .unwrap();
    store
        .set_pool_contribution(&officer, icb, y, Money::from_pence(45_000_00))
        .await
        .unwrap();
    assert!(
        store
            .set_pool_contribution(&officer, icb, y, Money::from_pence(-1))
            .await
            .is_err()
    );
    let line = store
        .add_pool_line(&officer, pool, "Debt advice", Funds::Intervention, Some(id))
        .await
        .unwrap();
    store
        .set_pool_quarter(
            &officer,
            line,
            y,
            1,
            Money::from_pence(20_000_00),
            Money::from_pence(18_500_00),
        )
        .await
        .unwrap();
    assert!(
        store
            .set_pool_quarter(&officer, line, y, 5, Money::ZERO, Money::ZERO)
            .await
            .is_err()
    );
    let stored = store.pool(pool).await.unwrap().unwrap();
    assert_eq!(
        stored.budget.lines[0].appraisal.as_deref(),
        Some("Debt and money advice")
    );
    let r = stored.budget.report(&Default::default()).unwrap();
    assert_eq!(r.total, Money::from_pence(105_000_00));
    assert_eq!(r.spent, Money::from_pence(18_500_00));
    assert_eq!(r.quarters[0].variance, Money::from_pence(-1_500_00));
    // A line that funds a community budget vote names the vote; an intervention's line cannot, and
    // an unknown vote is refused.
    let vote_line = store
        .add_pool_line(&officer, pool, "Neighbourhood vote", Funds::PbProcess, None)
        .await
        .unwrap();
    let vote = store
        .create_pb_process(&officer, &pb_process::def("pool-vote"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_pool_line_process(&officer, line, Some(vote.id))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .set_pool_line_process(&officer, vote_line, Some(vote.id + 1000))
            .await,
        Err(StoreError::NotFound(_))
    ));
    store
        .set_pool_line_process(&officer, vote_line, Some(vote.id))
        .await
        .unwrap();
    assert_eq!(
        store.pool(pool).await.unwrap().unwrap().line_processes,
        vec![None, Some(vote.id)]
    );

    // Every change is in the audit log: two library imports, one own library, deflators, two saves,
    // pool, two partners, three contributions, two lines, a quarter, the vote linked.
    let actions: Vec<String> = store
        .audit_entries(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("appraisal") || a.starts_with("pool"))
        .collect();
    assert_eq!(actions.len(), 16, "{actions:?}");
    store.delete_appraisal(&officer, id).await.unwrap();
    assert!(store.appraisal(id).await.unwrap().is_none());
    // The line survives its appraisal, without it.
    assert_eq!(
        store.pool(pool).await.unwrap().unwrap().budget.lines[0].appraisal,
        None
    );
}

/// Procurement: supplier records upsert by ID (or name), register entries replace older ones,
/// decisions are remembered, replaced and audited, exclusion rules default until saved, and a year
/// of payments loads with its registered numbers normalised, on both backends.
async fn procurement_story(store: &Store) {
    use levers_spend::classify::default_rules;
    use levers_spend::registers::{CompanyRecord, RegisterKind, RegisterRecord};
    use levers_spend::suppliers::read_suppliers;
    use levers_spend::{CheckOptions, transactions};
    let actor = Actor::system("test");
    let body = "Procshire";
    let csv = "Supplier ID,Supplier Name,Postcode,Branch Postcodes,Company Number,Supplier Type,Sector\nP1,Acme Ltd,PR1 2HE,PR2 1AA;M15 4FN,1234567,SME,Catering\nP2,Harbour Trust,,,,Charity,\n,No Id Co,M1 1AA,,,,\n";
    let (recs, rep) = read_suppliers("suppliers.csv", csv.as_bytes(), &[]).unwrap();
    let c = store
        .import_suppliers(
            &actor,
            body,
            "suppliers.csv",
            "sha1",
            &recs,
            &serde_json::to_value(&rep).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((c.kept, c.added, c.updated), (3, 3, 0));
    // The same file again updates; a changed postcode is taken.
    let csv2 = csv.replace("PR1 2HE", "PR1 1AA");
    let (recs2, rep2) = read_suppliers("suppliers.csv", csv2.as_bytes(), &[]).unwrap();
    let c2 = store
        .import_suppliers(
            &actor,
            body,
            "suppliers.csv",
            "sha2",
            &recs2,
            &serde_json::to_value(&rep2).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((c2.added, c2.updated), (0, 3));
    let sups = store.proc_suppliers(body).await.unwrap();
    assert_eq!(sups.len(), 3);
    let acme = sups.iter().find(|s| s.record.name == "Acme Ltd").unwrap();
    assert_eq!(acme.record.postcode.as_deref(), Some("PR1 1AA"));
    assert_eq!(
        acme.record.branch_postcodes,
        vec!["PR2 1AA".to_string(), "M15 4FN".to_string()]
    );
    assert_eq!(acme.record.company_number.as_deref(), Some("01234567"));
    assert_eq!(
        acme.record.declared_type,
        Some(levers_spend::suppliers::DeclaredType::Sme)
    );
    assert_eq!(store.proc_supplier_imports().await.unwrap().len(), 2);
    // A file longer than one batch, with one supplier twice: stored once, its last record winning
    // (counted as added, then updated), at its first record's place.
    let mut big = String::from("Supplier ID,Supplier Name,Postcode\nQ1,Quay Ltd,PR1 9ZZ\n");
    for i in 0..1_200 {
        big.push_str(&format!("G{i},Supplier {i},\n"));
    }
    big.push_str("q1 ,Quay Limited,PR1 8YY\n");
    let (recs3, rep3) = read_suppliers("big.csv", big.as_bytes(), &[]).unwrap();
    let c3 = store
        .import_suppliers(
            &actor,
            "Procshire Two",
            "big.csv",
            "sha3",
            &recs3,
            &serde_json::to_value(&rep3).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((c3.kept, c3.added, c3.updated), (1_202, 1_201, 1));
    let two = store.proc_suppliers("Procshire Two").await.unwrap();
    assert_eq!(two.len(), 1_201);
    let quay = two
        .iter()
        .find(|s| s.record.name == "Quay Limited")
        .unwrap();
    assert_eq!(quay.record.postcode.as_deref(), Some("PR1 8YY"));
    assert_eq!(quay.record.line, 1_203);
    assert!(
        two.iter().all(|s| s.id >= quay.id),
        "the first record's place"
    );
    assert!(store.proc_suppliers(body).await.unwrap().len() == 3);

    // Registers: the numbers wanted, then an entry stored and replaced by a newer file.
    let (co, _) = store.proc_wanted_numbers().await.unwrap();
    assert!(co.contains("01234567"));
    let entry = |cat: &str| {
        RegisterRecord::Company(CompanyRecord {
            number: "01234567".into(),
            name: "ACME LIMITED".into(),
            postcode: Some("PR1 2HE".into()),
            category: "Private Limited Company".into(),
            status: "Active".into(),
            account_category: cat.into(),
            sic: vec!["56290".into()],
        })
    };
    store
        .import_register(
            &actor,
            RegisterKind::CompaniesHouse,
            "ch1.csv",
            &[entry("SMALL")],
            &serde_json::json!({"records": 2}),
        )
        .await
        .unwrap();
    store
        .import_register(
            &actor,
            RegisterKind::CompaniesHouse,
            "ch2.csv",
            &[entry("FULL")],
            &serde_json::json!({"records": 2}),
        )
        .await
        .unwrap();
    let held = store.register_entries().await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(matches!(&held[0], RegisterRecord::Company(c) if c.account_category == "FULL"));
    // One number twice in a file: its last entry is kept.
    store
        .import_register(
            &actor,
            RegisterKind::CompaniesHouse,
            "ch3.csv",
            &[entry("MICRO"), entry("MEDIUM")],
            &serde_json::json!({"records": 3}),
        )
        .await
        .unwrap();
    let held = store.register_entries().await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(matches!(&held[0], RegisterRecord::Company(c) if c.account_category == "MEDIUM"));

    // Decisions: link, then replace with "none"; a supplier of another body is refused.
    let d = store
        .decide_match(&actor, body, "Acme Catering", Some(acme.id))
        .await
        .unwrap();
    assert_eq!(
        (d.name_norm.as_str(), d.supplier_name.as_deref()),
        ("ACME CATERING", Some("Acme Ltd"))
    );
    let d2 = store
        .decide_match(&actor, body, "ACME  catering", None)
        .await
        .unwrap();
    assert_eq!((d2.id, d2.supplier_id), (d.id, None));
    assert_eq!(store.match_decisions(Some(body)).await.unwrap().len(), 1);
    assert!(matches!(
        store
            .decide_match(&actor, "Testshire", "Acme", Some(acme.id))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let audit = store
        .audit_entries(&AuditQuery {
            object_type: Some("proc_match_decision".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    assert!(
        audit[0].before.is_some(),
        "the replacement records what it replaced"
    );

    // Exclusion rules: defaults, then an officer's edit.
    assert_eq!(store.exclusion_rules().await.unwrap(), default_rules());
    let mut rules = default_rules();
    rules[0].enabled = false;
    rules[1].keywords.push("superannuation fund".into());
    store.save_exclusion_rules(&actor, &rules).await.unwrap();
    assert_eq!(store.exclusion_rules().await.unwrap(), rules);
    let mut dup = rules.clone();
    dup[1].key = dup[0].key.clone();
    assert!(store.save_exclusion_rules(&actor, &dup).await.is_err());
    assert_eq!(
        store.exclusion_rules().await.unwrap(),
        rules,
        "a refused save changes nothing"
    );

    // Payments for a year, with registered numbers normalised.
    let opts = CheckOptions {
        body: Some(body.into()),
        ..CheckOptions::default()
    };
    let text = "Date,Supplier,Amount,Transaction Number,Company Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1,1234567\n06/04/2025,Other,5.00,T2,\n";
    let (txs, report) = transactions("p.csv", text.as_bytes(), &opts).unwrap();
    let mut imp = store
        .begin_spend_import(&actor, body, "p.csv", "sha-p", text.len() as i64)
        .await
        .unwrap();
    imp.add(&txs).await.unwrap();
    imp.finish(&actor, &serde_json::to_value(&report).unwrap(), &[])
        .await
        .unwrap();
    assert_eq!(
        store.spend_years(&[body.to_string()]).await.unwrap(),
        vec!["2025/26".to_string(), "2024/25".to_string()]
    );
    let pays = store
        .procurement_payments(&[body.to_string()], "2024/25")
        .await
        .unwrap();
    assert_eq!(pays.rows.len(), 1);
    let row = pays.rows[0];
    assert_eq!(
        (
            row.amount_pence,
            pays.strings.get(row.supplier_name),
            pays.strings.get(row.company_number)
        ),
        (100_050, "Acme Ltd", "01234567")
    );
    assert_eq!(row.date, Some(time::macros::date!(2025 - 01 - 05)));
}

#[tokio::test]
async fn story_on_sqlite() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    story(&store).await;
    geo_story(&store).await;
    spend_story(&store).await;
    procurement_story(&store).await;
    old_imports_get_blocks(&store, &scratch, "Testshire").await;
    appraisal_story(&store).await;
    coproduction_story(&store).await;
    coproduction_ledger_matches_the_model(&store).await;
    ledger_is_append_only(&scratch).await;
    pb_process::pb_story(&store, &scratch).await;
    contracts::contracts_story(&store).await;
    strategy::strategy_story(&store).await;
    audit_log_is_append_only(&scratch).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test]
async fn story_on_postgres() {
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!("NOT RUN: story_on_postgres needs LEVERS_TEST_PG=postgres://… (CI sets it)");
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    assert_eq!(store.backend_name(), "postgres");
    story(&store).await;
    geo_story(&store).await;
    spend_story(&store).await;
    procurement_story(&store).await;
    old_imports_get_blocks(&store, &scratch, "Testshire").await;
    appraisal_story(&store).await;
    coproduction_story(&store).await;
    coproduction_ledger_matches_the_model(&store).await;
    ledger_is_append_only(&scratch).await;
    pb_process::pb_story(&store, &scratch).await;
    contracts::contracts_story(&store).await;
    strategy::strategy_story(&store).await;
    audit_log_is_append_only(&scratch).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test]
async fn strategy_tags_migrate_on_sqlite() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    strategy::tag_migration(&store, &scratch).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test]
async fn strategy_tags_migrate_on_postgres() {
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: strategy_tags_migrate_on_postgres needs LEVERS_TEST_PG=postgres://… (CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    strategy::tag_migration(&store, &scratch).await;
    store.close().await;
    scratch.remove().await;
}

// The test runtime is single-threaded on purpose: see transactions.rs.
#[tokio::test]
async fn transactions_always_end_on_sqlite() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    transactions::transactions_always_end(&store, &scratch).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test]
async fn transactions_always_end_on_postgres() {
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: transactions_always_end_on_postgres needs LEVERS_TEST_PG=postgres://… (CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    transactions::transactions_always_end(&store, &scratch).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test]
async fn a_bad_url_is_named_without_its_password() {
    let err = Store::open("postgres://nobody:secret@127.0.0.1:1/none")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("nobody:***@"), "{err}");
    assert!(!err.contains("secret"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Co-production: the register, assessments, participants, the time-credit ledger, personal data.

fn coprod_activity(
    reference: &str,
    directorate: &str,
    pounds: i64,
) -> levers_coproduction::Activity {
    levers_coproduction::Activity {
        reference: reference.into(),
        service: format!("Service {reference}"),
        directorate: directorate.into(),
        annual_value: levers_core::Money::from_pounds(pounds).unwrap(),
        current_stage: levers_coproduction::Stage::Plan,
        procurement_ref: None,
        objectives: vec!["Reduce child poverty".into()],
        started_on: time::macros::date!(2025 - 04 - 01),
    }
}

fn coprod_involvement(
    stage: levers_coproduction::Stage,
    rung: levers_coproduction::Rung,
) -> levers_coproduction::Involvement {
    levers_coproduction::Involvement {
        stage,
        rung,
        lead: levers_coproduction::Lead::Council,
        held_on: time::macros::date!(2025 - 05 - 01),
        methods: vec!["Workshop".into()],
        groups: vec!["Parents".into()],
        lived_experience: true,
        headcount: 12,
        hours: 30,
        decisions: "The opening hours".into(),
        you_said_we_did: "You said evenings; we opened until 8pm".into(),
    }
}

fn details(
    name: &str,
    reward: levers_coproduction::people::RewardForm,
) -> levers_store::coproduction::ParticipantDetails {
    levers_store::coproduction::ParticipantDetails {
        display_name: name.into(),
        contact: Some(format!("{}@example.org", name.to_lowercase())),
        contact_consent: true,
        reward_form: reward,
        benefits_advice_offered: false,
    }
}

/// Co-production on one database: the register with import and re-import, coverage from what is
/// stored, assessments, participants with minimum data, the ledger's rules, anonymisation that keeps
/// the ledger balanced, subject access, erasure and retention, all audited without personal data.
async fn coproduction_story(store: &Store) {
    use levers_coproduction::ledger::{AccountKind, TransferKind, TransferRequest};
    use levers_coproduction::people::RewardForm;
    use levers_coproduction::principles::{Assessment, statements};
    use levers_coproduction::{Rung, Stage};
    use levers_store::coproduction::{ISSUER_ACCOUNT, POT_ACCOUNT, RETENTION_DAYS};
    let officer = Actor::system("coproduction-test");

    // The register.
    let a1 = store
        .create_coproduction_activity(&officer, &coprod_activity("ASC-1", "Adults", 250_000))
        .await
        .unwrap();
    let dup = store
        .create_coproduction_activity(&officer, &coprod_activity("ASC-1", "Adults", 1))
        .await;
    assert!(
        matches!(dup, Err(StoreError::Conflict(ref m)) if m.contains("ASC-1")),
        "{dup:?}"
    );
    let i1 = store
        .add_coproduction_involvement(
            &officer,
            a1,
            &coprod_involvement(Stage::Analyse, Rung::CoDesign),
        )
        .await
        .unwrap();
    store
        .add_coproduction_involvement(
            &officer,
            a1,
            &coprod_involvement(Stage::Plan, Rung::CoProduction),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_coproduction_involvement(
                &officer,
                999,
                &coprod_involvement(Stage::Plan, Rung::CoDesign)
            )
            .await,
        Err(StoreError::NotFound(_))
    ));
    let mut changed = coprod_activity("ASC-1", "Adults", 300_000);
    changed.procurement_ref = Some("PR-77".into());
    store
        .update_coproduction_activity(&officer, a1, &changed)
        .await
        .unwrap();
    let rec = store.coproduction_activity(a1).await.unwrap().unwrap();
    assert_eq!(rec.activity, changed);
    assert_eq!(rec.involvements.len(), 2);
    assert_eq!(
        rec.involvements[0].involvement,
        coprod_involvement(Stage::Analyse, Rung::CoDesign)
    );
    let cov = levers_coproduction::coverage(&store.coproduction_register().await.unwrap(), None);
    assert_eq!(
        (
            cov.overall.activities,
            cov.overall.two_plus,
            cov.overall.value.pence()
        ),
        (1, 1, 30_000_000)
    );

    // Import: a new activity and a changed one; then the same file again changes nothing.
    let csv = "reference,service,directorate,annual_value,current_stage,started_on,stage,rung,lead,held_on,lived_experience,headcount,hours\n\
ASC-1,Service ASC-1,Adults,300000,plan,2025-04-01,analyse,co-design,council,2025-05-01,yes,12,30\n\
CH-9,Family hubs,Children's,80000,analyse,2025-06-01,analyse,consultation,council,2025-06-10,no,40,40\n";
    let file = levers_coproduction::csv_io::read_register("reg.csv", csv.as_bytes()).unwrap();
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    let c = store
        .import_coproduction_register(
            &officer,
            "reg.csv",
            &file.entries,
            serde_json::to_value(file.reconciliation).unwrap(),
        )
        .await
        .unwrap();
    // ASC-1: its objectives and procurement ref differ in the file (blank), so it is updated; its Analyse
    // involvement differs (methods, groups, texts blank in the file) so it is replaced; Plan is removed.
    assert_eq!(
        (
            c.activities_created,
            c.activities_updated,
            c.involvements_added,
            c.involvements_removed,
            c.involvements_kept
        ),
        (1, 1, 2, 2, 0)
    );
    let again = store
        .import_coproduction_register(&officer, "reg.csv", &file.entries, serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(
        (
            again.activities_unchanged,
            again.involvements_kept,
            again.involvements_added,
            again.involvements_removed
        ),
        (2, 2, 0, 0)
    );
    let all = store.coproduction_activities().await.unwrap();
    assert_eq!(
        all.iter()
            .map(|a| a.activity.reference.as_str())
            .collect::<Vec<_>>(),
        vec!["ASC-1", "CH-9"]
    );
    assert!(
        store
            .coproduction_activity(a1)
            .await
            .unwrap()
            .unwrap()
            .involvements
            .iter()
            .all(|i| i.id != i1),
        "the changed involvement was replaced"
    );
    let export =
        levers_coproduction::csv_io::write_register(&store.coproduction_register().await.unwrap());
    assert_eq!(
        levers_coproduction::csv_io::read_register("x.csv", export.as_bytes())
            .unwrap()
            .entries,
        file.entries
    );
    let keep_involvement = all[0].involvements[0].id;

    // Assessments.
    let scores = statements().map(|s| (s.key.to_string(), 1u8)).collect();
    let a = Assessment {
        directorate: "Adults".into(),
        assessed_on: time::macros::date!(2025 - 06 - 30),
        scores,
        notes: "Baseline".into(),
    };
    store
        .add_coproduction_assessment(&officer, &a)
        .await
        .unwrap();
    let stored = store.coproduction_assessments().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].assessment, a);

    // Participants: contact kept only with consent; paid rewards flag benefits advice.
    let sam = store
        .create_participant(&officer, &details("Sam", RewardForm::TimeCredits))
        .await
        .unwrap();
    assert_eq!(sam.contact.as_deref(), Some("sam@example.org"));
    let mut no_consent = details("Ali", RewardForm::TimeCredits);
    no_consent.contact_consent = false;
    let ali = store
        .create_participant(&officer, &no_consent)
        .await
        .unwrap();
    assert_eq!((ali.contact.as_deref(), ali.contact_consent), (None, false));
    let pat = store
        .create_participant(&officer, &details("Pat", RewardForm::Payment))
        .await
        .unwrap();
    assert!(pat.benefits_flag());
    let mut advised = details("Pat", RewardForm::Payment);
    advised.benefits_advice_offered = true;
    store
        .update_participant(&officer, pat.id, &advised)
        .await
        .unwrap();
    assert!(
        !store
            .participant(pat.id)
            .await
            .unwrap()
            .unwrap()
            .benefits_flag()
    );
    store
        .set_participant_equality(
            &officer,
            sam.id,
            &[
                ("gender", Some("woman".into())),
                ("lived_experience", Some("yes".into())),
            ],
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_participant_equality(&officer, sam.id, &[("gender", Some("robot".into()))])
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.equality_counts().await.unwrap()["gender"]["woman"], 1);

    // The ledger: credits for participation (90 minutes = 2 credits at one an hour), idempotent.
    let venue = store
        .create_credit_account(&officer, AccountKind::Venue, "Levermouth Leisure")
        .await
        .unwrap();
    let (part, out) = store
        .record_participation(
            &officer,
            sam.id,
            Some(keep_involvement),
            90,
            "form-abc",
            "Family hubs workshop",
        )
        .await
        .unwrap();
    assert_eq!((out.transfer.transfer.amount, out.replayed), (2, false));
    let (part2, out2) = store
        .record_participation(
            &officer,
            sam.id,
            Some(keep_involvement),
            90,
            "form-abc",
            "Family hubs workshop",
        )
        .await
        .unwrap();
    assert_eq!(
        (part2, out2.replayed, out2.transfer.transfer.id),
        (part, true, out.transfer.transfer.id)
    );
    assert_eq!(store.participations(sam.id).await.unwrap().len(), 1);
    let paid = store
        .record_participation(&officer, pat.id, None, 60, "form-pat", "")
        .await;
    assert!(
        matches!(paid, Err(StoreError::Conflict(ref m)) if m.contains("payment")),
        "{paid:?}"
    );
    let t = |key: &str, kind, from, to, amount| TransferRequest {
        key: key.into(),
        kind,
        from,
        to,
        amount,
        memo: format!("memo {key}"),
        reverses: None,
    };
    let spend = store
        .credit_transfer(
            &officer,
            &t("s1", TransferKind::Spend, sam.account_id, venue, 1),
        )
        .await
        .unwrap();
    let over = store
        .credit_transfer(
            &officer,
            &t("s2", TransferKind::Spend, sam.account_id, venue, 5),
        )
        .await;
    assert!(
        matches!(over, Err(StoreError::Conflict(ref m)) if m.contains("below its limit")),
        "{over:?}"
    );
    let wrong = store
        .credit_transfer(
            &officer,
            &t("s3", TransferKind::Issue, ISSUER_ACCOUNT, venue, 5),
        )
        .await;
    assert!(matches!(wrong, Err(StoreError::Conflict(_))), "{wrong:?}");
    let reused = store
        .credit_transfer(
            &officer,
            &t("s1", TransferKind::Spend, sam.account_id, venue, 2),
        )
        .await;
    assert!(
        matches!(reused, Err(StoreError::Conflict(ref m)) if m.contains("already used")),
        "{reused:?}"
    );
    let rev = store
        .reverse_credit_transfer(
            &officer,
            spend.transfer.transfer.id,
            "rev-s1",
            "wrong venue",
        )
        .await
        .unwrap();
    assert_eq!(
        (
            rev.transfer.transfer.kind,
            rev.transfer.transfer.from,
            rev.transfer.transfer.to
        ),
        (TransferKind::Reversal, venue, sam.account_id)
    );
    assert!(matches!(
        store
            .reverse_credit_transfer(&officer, spend.transfer.transfer.id, "rev-s1b", "")
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .reverse_credit_transfer(
                &officer,
                spend.transfer.transfer.id,
                "rev-s1",
                "wrong venue"
            )
            .await
            .unwrap()
            .replayed
    );
    store
        .credit_transfer(
            &officer,
            &t("g1", TransferKind::Gift, sam.account_id, POT_ACCOUNT, 1),
        )
        .await
        .unwrap();
    let st = store.credit_statement(sam.account_id).await.unwrap();
    assert_eq!(
        st.iter()
            .map(|s| (s.line.amount, s.line.balance))
            .collect::<Vec<_>>(),
        vec![(2, 2), (-1, 1), (1, 2), (-1, 1)]
    );
    assert_eq!(st[1].reversed_by, Some(rev.transfer.transfer.id));
    assert_eq!(st[1].counterparty_name, "Levermouth Leisure");
    store
        .credit_ledger_snapshot()
        .await
        .unwrap()
        .check()
        .unwrap();
    assert_eq!(
        store
            .credit_account(ISSUER_ACCOUNT)
            .await
            .unwrap()
            .unwrap()
            .balance,
        -2
    );
    // An overdraft limit lets Ali go three below zero and no further.
    store
        .set_overdraft_limit(&officer, ali.account_id, 3)
        .await
        .unwrap();
    store
        .credit_transfer(
            &officer,
            &t("a1", TransferKind::Spend, ali.account_id, venue, 3),
        )
        .await
        .unwrap();
    assert!(
        store
            .credit_transfer(
                &officer,
                &t("a2", TransferKind::Spend, ali.account_id, venue, 1)
            )
            .await
            .is_err()
    );
    assert!(
        store
            .set_overdraft_limit(&officer, ISSUER_ACCOUNT, 5)
            .await
            .is_err()
    );

    // Subject access: everything about Sam, audited.
    let sar = store
        .participant_subject_access(&officer, sam.id)
        .await
        .unwrap();
    assert_eq!(sar["participant"]["display_name"], "Sam");
    assert_eq!(sar["equality_monitoring"]["gender"], "woman");
    assert_eq!(sar["time_credits"]["balance"], 1);
    assert_eq!(
        sar["time_credits"]["statement"].as_array().unwrap().len(),
        4
    );

    // Erasure: a request, then carried out; Sam's credit moves to the pot and the ledger balances.
    let req = store.request_erasure(&officer, sam.id).await.unwrap();
    assert_eq!(
        store.request_erasure(&officer, sam.id).await.unwrap(),
        req,
        "one open request per person"
    );
    let pot_before = store
        .credit_account(POT_ACCOUNT)
        .await
        .unwrap()
        .unwrap()
        .balance;
    store.decide_erasure(&officer, req, None).await.unwrap();
    assert!(matches!(
        store.decide_erasure(&officer, req, None).await,
        Err(StoreError::Conflict(_))
    ));
    let gone = store.participant(sam.id).await.unwrap().unwrap();
    assert_eq!(
        (
            gone.display_name.as_str(),
            gone.contact.as_deref(),
            gone.anonymised_at.is_some()
        ),
        ("Anonymised participant 1", None, true)
    );
    assert_eq!(
        store
            .credit_account(sam.account_id)
            .await
            .unwrap()
            .unwrap()
            .balance,
        0
    );
    assert_eq!(
        store
            .credit_account(POT_ACCOUNT)
            .await
            .unwrap()
            .unwrap()
            .balance,
        pot_before + 1
    );
    assert!(
        store
            .credit_statement(sam.account_id)
            .await
            .unwrap()
            .iter()
            .all(|s| s.line.memo.is_empty())
    );
    assert!(store.equality_counts().await.unwrap()["gender"].is_empty());
    let closed = store
        .credit_transfer(
            &officer,
            &t("x1", TransferKind::Issue, ISSUER_ACCOUNT, sam.account_id, 1),
        )
        .await;
    assert!(
        matches!(closed, Err(StoreError::Conflict(ref m)) if m.contains("closed")),
        "{closed:?}"
    );
    store
        .credit_ledger_snapshot()
        .await
        .unwrap()
        .check()
        .unwrap();
    // A refused request records why.
    let req2 = store.request_erasure(&officer, pat.id).await.unwrap();
    store
        .decide_erasure(
            &officer,
            req2,
            Some("Payment records must be kept for six years (HMRC)"),
        )
        .await
        .unwrap();
    assert_eq!(store.erasure_requests().await.unwrap()[0].status, "refused");
    assert!(
        store
            .participant(pat.id)
            .await
            .unwrap()
            .unwrap()
            .anonymised_at
            .is_none()
    );

    // Retention: after 30 days without activity everyone left is anonymised; Ali's overdraft stays
    // on the closed account and the ledger still balances.
    store
        .set_setting(&officer, RETENTION_DAYS, "30")
        .await
        .unwrap();
    let purged = store
        .purge_participants(&officer, levers_store::now_unix() + 31 * 86_400)
        .await
        .unwrap();
    assert_eq!(purged, vec![ali.id, pat.id]);
    assert!(
        store
            .purge_participants(&officer, levers_store::now_unix() + 31 * 86_400)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .credit_account(ali.account_id)
            .await
            .unwrap()
            .unwrap()
            .balance,
        -3
    );
    store
        .credit_ledger_snapshot()
        .await
        .unwrap()
        .check()
        .unwrap();

    // The audit log records every change, and never a participant's name or contact.
    let entries = store
        .audit_entries(&AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let text: String = entries
        .iter()
        .filter(|e| e.action.starts_with("coproduction.") || e.action.starts_with("credits."))
        .map(|e| format!("{e:?}"))
        .collect();
    for needle in ["Sam", "sam@example.org", "Ali", "Pat", "woman"] {
        assert!(!text.contains(needle), "the audit log holds {needle}");
    }
    for action in [
        "coproduction.register.import",
        "coproduction.participant.subject_access",
        "coproduction.erasure.complete",
        "coproduction.erasure.refuse",
        "coproduction.participant.anonymise",
        "credits.transfer",
        "coproduction.assessment.create",
    ] {
        assert!(
            entries.iter().any(|e| e.action == action),
            "no {action} in the audit log"
        );
    }
}

/// The stored ledger against the in-memory model: a long deterministic random sequence of transfers,
/// reversals, replays and anonymisations gives the same outcomes and the same balances in both.
async fn coproduction_ledger_matches_the_model(store: &Store) {
    use levers_coproduction::ledger::{AccountKind, Ledger, TransferKind, TransferRequest};
    use levers_coproduction::people::RewardForm;
    use levers_store::coproduction::{ISSUER_ACCOUNT, POT_ACCOUNT};
    let actor = Actor::system("model-test");
    let mut rng = 0x5EED_u64;
    let mut next = move |n: u64| {
        rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    };
    let mut model = Ledger::new();
    // Model ids follow the store's: replay every existing account into the model first.
    let existing = store.credit_accounts().await.unwrap();
    let mut ids: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut sorted = existing.clone();
    sorted.sort_by_key(|a| a.id);
    for a in &sorted {
        let m = model.open(a.kind, &a.name, a.overdraft_limit);
        ids.insert(a.id, m);
    }
    let before = store.credit_ledger_snapshot().await.unwrap();
    for t in &before.transfers {
        let mut req = TransferRequest {
            key: t.key.clone(),
            kind: t.kind,
            from: ids[&t.from],
            to: ids[&t.to],
            amount: t.amount,
            memo: t.memo.clone(),
            reverses: None,
        };
        // Earlier stories' transfers go in as they are; reversals are re-pointed at the model's ids.
        if let Some(r) = t.reverses {
            req.reverses = Some(
                model
                    .transfers
                    .iter()
                    .find(|m| m.key == before.transfers.iter().find(|x| x.id == r).unwrap().key)
                    .unwrap()
                    .id,
            );
        }
        model
            .transfer(&req)
            .unwrap_or_else(|e| panic!("replaying {t:?}: {e}"));
    }
    for a in &sorted {
        if a.closed_at.is_some() {
            let id = ids[&a.id];
            model
                .accounts
                .iter_mut()
                .find(|x| x.id == id)
                .unwrap()
                .closed = true;
        }
    }
    let mut participants: Vec<(i64, i64)> = Vec::new(); // (participant id, store account)
    let mut venues: Vec<i64> = Vec::new();
    let mut sent: Vec<TransferRequest> = Vec::new();
    for step in 0..200u64 {
        let key = format!("model-{step}");
        let op = next(100);
        if participants.len() < 2 || op < 6 {
            let p = store
                .create_participant(&actor, &details("Model", RewardForm::TimeCredits))
                .await
                .unwrap();
            let m = model.open(AccountKind::Participant, "Model", Some(0));
            ids.insert(p.account_id, m);
            participants.push((p.id, p.account_id));
            continue;
        }
        if venues.is_empty() || op < 9 {
            let v = store
                .create_credit_account(&actor, AccountKind::Venue, "Model venue")
                .await
                .unwrap();
            ids.insert(v, model.open(AccountKind::Venue, "Model venue", Some(0)));
            venues.push(v);
            continue;
        }
        let p = participants[next(participants.len() as u64) as usize].1;
        let v = venues[next(venues.len() as u64) as usize];
        let amount = 1 + next(8) as i64;
        let req = match op {
            9..=44 => TransferRequest {
                key,
                kind: TransferKind::Issue,
                from: ISSUER_ACCOUNT,
                to: p,
                amount,
                memo: String::new(),
                reverses: None,
            },
            45..=62 => TransferRequest {
                key,
                kind: TransferKind::Spend,
                from: p,
                to: v,
                amount,
                memo: String::new(),
                reverses: None,
            },
            63..=68 => TransferRequest {
                key,
                kind: TransferKind::Gift,
                from: p,
                to: POT_ACCOUNT,
                amount,
                memo: String::new(),
                reverses: None,
            },
            69..=73 => TransferRequest {
                key,
                kind: TransferKind::Grant,
                from: POT_ACCOUNT,
                to: p,
                amount,
                memo: String::new(),
                reverses: None,
            },
            74..=77 => TransferRequest {
                key,
                kind: TransferKind::Redeem,
                from: v,
                to: ISSUER_ACCOUNT,
                amount,
                memo: String::new(),
                reverses: None,
            },
            78..=85 if !sent.is_empty() => sent[next(sent.len() as u64) as usize].clone(),
            78..=96 => {
                let all = store.credit_transfers(10_000).await.unwrap();
                let t = &all[next(all.len() as u64) as usize];
                let stored = store
                    .reverse_credit_transfer(&actor, t.transfer.id, &key, "")
                    .await;
                let mid = model
                    .transfers
                    .iter()
                    .find(|m| m.key == t.transfer.key)
                    .unwrap()
                    .id;
                let modelled = model.reverse(mid, &key, "");
                assert_eq!(
                    stored.is_ok(),
                    modelled.is_ok(),
                    "step {step}: reversing {t:?}: store {stored:?}, model {modelled:?}"
                );
                continue;
            }
            _ => {
                let (pid, acc) = participants[next(participants.len() as u64) as usize];
                store
                    .anonymise_participant(&actor, pid, "model")
                    .await
                    .unwrap();
                model
                    .anonymise(ids[&acc], &format!("anonymise-participant-{pid}"))
                    .unwrap();
                continue;
            }
        };
        let stored = store.credit_transfer(&actor, &req).await;
        let mreq = TransferRequest {
            from: ids[&req.from],
            to: ids[&req.to],
            ..req.clone()
        };
        let modelled = model.transfer(&mreq);
        match (&stored, &modelled) {
            (Ok(s), Ok(m)) => assert_eq!(s.replayed, m.replayed, "step {step}"),
            (Err(StoreError::Conflict(s)), Err(m)) => assert_eq!(s, &m.to_string(), "step {step}"),
            _ => panic!("step {step}: {req:?}: store {stored:?}, model {modelled:?}"),
        }
        sent.push(req);
        let snap = store.credit_ledger_snapshot().await.unwrap();
        snap.check().unwrap_or_else(|e| panic!("step {step}: {e}"));
        for (sid, mid) in &ids {
            assert_eq!(
                snap.balances[sid],
                model.balance(*mid),
                "step {step}: account {sid}"
            );
        }
    }
    model.invariants().unwrap();
    let made = store.credit_transfers(10_000).await.unwrap().len();
    assert!(
        made > 60,
        "the sequence should make many transfers, made {made}"
    );
}

/// The ledger is append-only at the database level: movements never change, transfers only their memo.
async fn ledger_is_append_only(scratch: &Scratch) {
    let tamper = [
        "UPDATE credit_movements SET amount = amount * 2",
        "DELETE FROM credit_movements",
        "UPDATE credit_transfers SET amount = 1",
        "DELETE FROM credit_transfers",
    ];
    let allowed = "UPDATE credit_transfers SET memo = memo";
    match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            for sql in tamper {
                let err = sqlx::query(sql)
                    .execute(&mut c)
                    .await
                    .unwrap_err()
                    .to_string();
                assert!(err.contains("append-only"), "{sql}: {err}");
            }
            sqlx::query(allowed).execute(&mut c).await.unwrap();
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            for sql in tamper.iter().chain([&allowed]) {
                let sql = sql.replace("credit_", &format!("{schema}.credit_"));
                let r = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await;
                if sql.contains("memo = memo") {
                    r.unwrap();
                } else {
                    let err = r.unwrap_err().to_string();
                    assert!(err.contains("append-only"), "{sql}: {err}");
                }
            }
        }
    }
}

/// Fifty transfers at once between overlapping accounts: balances exact, nothing lost or doubled,
/// no overdraft, and each duplicated key applied once.
async fn coproduction_parallel_transfers(store: &Store) {
    use levers_coproduction::ledger::{AccountKind, TransferKind, TransferRequest};
    use levers_coproduction::people::RewardForm;
    use levers_store::coproduction::{ISSUER_ACCOUNT, POT_ACCOUNT};
    let actor = Actor::system("parallel-test");
    let mut people = Vec::new();
    for i in 0..4 {
        let p = store
            .create_participant(&actor, &details(&format!("P{i}"), RewardForm::TimeCredits))
            .await
            .unwrap();
        store
            .credit_transfer(
                &actor,
                &TransferRequest {
                    key: format!("seed-{i}"),
                    kind: TransferKind::Issue,
                    from: ISSUER_ACCOUNT,
                    to: p.account_id,
                    amount: 5,
                    memo: String::new(),
                    reverses: None,
                },
            )
            .await
            .unwrap();
        people.push(p.account_id);
    }
    let venue = store
        .create_credit_account(&actor, AccountKind::Venue, "Venue")
        .await
        .unwrap();
    let before = store.credit_ledger_snapshot().await.unwrap().balances;
    let transfers_before = store.credit_transfers(10_000).await.unwrap().len();
    let mut reqs = Vec::new();
    for i in 0..50usize {
        let p = people[i % 4];
        // Every fifth request repeats the key of the one before it (a double-clicked form).
        let key = if i % 5 == 4 {
            format!("par-{}", i - 1)
        } else {
            format!("par-{i}")
        };
        let (kind, from, to, amount) = match i % 5 {
            0 => (TransferKind::Spend, p, venue, 2),
            1 => (TransferKind::Gift, p, POT_ACCOUNT, 1),
            2 => (TransferKind::Grant, POT_ACCOUNT, p, 1),
            3 => (TransferKind::Issue, ISSUER_ACCOUNT, p, 1),
            _ => (TransferKind::Issue, ISSUER_ACCOUNT, people[(i - 1) % 4], 1),
        };
        reqs.push(TransferRequest {
            key,
            kind,
            from,
            to,
            amount,
            memo: String::new(),
            reverses: None,
        });
    }
    let handles: Vec<_> = reqs
        .iter()
        .cloned()
        .map(|r| {
            let store = store.clone();
            let actor = actor.clone();
            tokio::spawn(async move { (r.clone(), store.credit_transfer(&actor, &r).await) })
        })
        .collect();
    let mut expected = before.clone();
    let mut applied = 0;
    let mut replays = 0;
    for h in handles {
        let (r, out) = h.await.unwrap();
        match out {
            Ok(o) if o.replayed => replays += 1,
            Ok(_) => {
                applied += 1;
                *expected.get_mut(&r.from).unwrap() -= r.amount;
                *expected.get_mut(&r.to).unwrap() += r.amount;
            }
            Err(StoreError::Conflict(m)) => assert!(m.contains("below its limit"), "{m}"),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(replays, 10, "each repeated key answered once as a replay");
    let snap = store.credit_ledger_snapshot().await.unwrap();
    snap.check().unwrap();
    assert_eq!(snap.transfers.len(), transfers_before + applied);
    for (id, b) in &expected {
        assert_eq!(snap.balances[id], *b, "account {id}");
    }
    assert!(
        people
            .iter()
            .chain([&venue, &POT_ACCOUNT])
            .all(|a| snap.balances[a] >= 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coproduction_transfers_in_parallel_on_sqlite() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    coproduction_parallel_transfers(&store).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coproduction_transfers_in_parallel_on_postgres() {
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: coproduction_transfers_in_parallel_on_postgres needs LEVERS_TEST_PG=postgres://… (CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    coproduction_parallel_transfers(&store).await;
    store.close().await;
    scratch.remove().await;
}
