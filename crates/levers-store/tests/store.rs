//! The store's test story, run on SQLite always and on PostgreSQL when `LEVERS_TEST_PG` names a server.

use levers_store::testing::{Scratch, postgres_test_url, scratch_postgres, scratch_sqlite};
use sqlx::Connection;
use levers_store::{Actor, NewUser, Role, Store, StoreError, audit::AuditQuery, settings::COUNCIL_NAME};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0Jc3cX2V9dFq3FqS1m0xWwHq1w7mJ7Jk0m3o7mQ1ZtE";

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
    assert_eq!(store.schema_version().await.unwrap(), 7);
    store.ping().await.unwrap();
    let system = Actor::system("test");

    // Accounts: emails compared without case; only argon2 hashes accepted.
    let admin = store.create_user(&system, new_user("Admin@Example.org", Role::Admin)).await.unwrap();
    assert_eq!(admin.email, "admin@example.org");
    let dup = store.create_user(&system, new_user(" ADMIN@example.org", Role::Viewer)).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let mut plain = new_user("plain@example.org", Role::Viewer);
    plain.password_hash = "hunter2".into();
    assert!(store.create_user(&system, plain).await.is_err());
    let as_admin = Actor::user(admin.id, &admin.email);
    let viewer = store.create_user(&as_admin, new_user("viewer@example.org", Role::Viewer)).await.unwrap();
    let officer = store.create_user(&as_admin, new_user("officer@example.org", Role::Officer)).await.unwrap();
    assert_eq!(store.user_by_email("VIEWER@example.org").await.unwrap().unwrap().id, viewer.id);
    let all = store.users().await.unwrap();
    assert_eq!(all.iter().map(|u| u.role).collect::<Vec<_>>(), vec![Role::Admin, Role::Officer, Role::Viewer]);

    // The last admin cannot be disabled or demoted.
    assert!(matches!(store.set_user_disabled(&as_admin, admin.id, true).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.set_user_role(&as_admin, admin.id, Role::Viewer).await, Err(StoreError::Conflict(_))));

    // Sessions: found while live and the user enabled; gone when the user is disabled.
    store.create_session("hash-a", viewer.id, "csrf-a", 3600).await.unwrap();
    let (s, u) = store.session_user("hash-a", 3600).await.unwrap().unwrap();
    assert_eq!((s.csrf_token.as_str(), u.id), ("csrf-a", viewer.id));
    assert!(store.session_user("unknown", 3600).await.unwrap().is_none());
    store.create_session("hash-expired", viewer.id, "csrf-b", -1).await.unwrap();
    assert!(store.session_user("hash-expired", 3600).await.unwrap().is_none());
    assert_eq!(store.purge_expired(900).await.unwrap(), 1);

    // API tokens: live until revoked.
    let token = store.create_api_token(&as_admin, officer.id, "nightly import", "tokhash").await.unwrap();
    assert_eq!(store.api_token_user("tokhash").await.unwrap().unwrap().id, officer.id);
    store.revoke_api_token(&as_admin, token.id).await.unwrap();
    store.revoke_api_token(&as_admin, token.id).await.unwrap();
    assert!(store.api_token_user("tokhash").await.unwrap().is_none());
    assert!(matches!(store.revoke_api_token(&as_admin, 9999).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.api_tokens().await.unwrap()[0].user_email, "officer@example.org");

    // Disabling ends sessions and revokes tokens.
    store.create_api_token(&as_admin, viewer.id, "report", "tokhash2").await.unwrap();
    let disabled = store.set_user_disabled(&as_admin, viewer.id, true).await.unwrap();
    assert!(disabled.disabled);
    assert!(store.session_user("hash-a", 3600).await.unwrap().is_none());
    assert_eq!(store.session_count(viewer.id).await.unwrap(), 0);
    assert!(store.api_token_user("tokhash2").await.unwrap().is_none());
    store.set_user_disabled(&as_admin, viewer.id, false).await.unwrap();
    assert!(store.api_token_user("tokhash2").await.unwrap().is_none(), "re-enabling must not revive revoked tokens");

    // Passwords: a new hash ends other sessions.
    store.create_session("hash-o1", officer.id, "c1", 3600).await.unwrap();
    store.create_session("hash-o2", officer.id, "c2", 3600).await.unwrap();
    store.set_password(&as_admin, officer.id, HASH, true, Some("hash-o1")).await.unwrap();
    assert_eq!(store.session_count(officer.id).await.unwrap(), 1);
    assert!(store.user_by_id(officer.id).await.unwrap().unwrap().must_change_password);
    assert!(store.set_password(&as_admin, officer.id, "plain", false, None).await.is_err());

    // Sign-in throttling counts per key.
    let keys = vec!["account:x@example.org".to_string(), "addr:127.0.0.1".to_string()];
    for _ in 0..3 {
        store.record_sign_in_failure(&keys).await.unwrap();
    }
    assert_eq!(store.recent_sign_in_failures("account:x@example.org", 900).await.unwrap(), 3);
    store.clear_sign_in_failures("account:x@example.org").await.unwrap();
    assert_eq!(store.recent_sign_in_failures("account:x@example.org", 900).await.unwrap(), 0);
    assert_eq!(store.recent_sign_in_failures("addr:127.0.0.1", 900).await.unwrap(), 3);

    // Settings.
    assert_eq!(store.setting(COUNCIL_NAME).await.unwrap(), None);
    store.set_setting(&as_admin, COUNCIL_NAME, "Lowmoor Borough Council").await.unwrap();
    store.set_setting(&as_admin, COUNCIL_NAME, "Lowmoor Borough Council").await.unwrap();
    assert_eq!(store.setting(COUNCIL_NAME).await.unwrap().as_deref(), Some("Lowmoor Borough Council"));

    // Every change above is in the audit log, newest first, with who and before/after.
    let entries = store.audit_entries(&AuditQuery { limit: 100, ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "user.create", "user.create", "user.create", "token.create", "token.revoke", "token.create",
            "user.disable", "user.enable", "user.password", "setting.set"
        ]
    );
    assert_eq!(entries[0].actor, "admin@example.org");
    assert_eq!(entries[0].after, Some(serde_json::json!("Lowmoor Borough Council")));
    let disable = entries.iter().find(|e| e.action == "user.disable").unwrap();
    assert_eq!(disable.before.as_ref().unwrap()["disabled"], false);
    assert_eq!(disable.after.as_ref().unwrap()["disabled"], true);
    assert!(entries.iter().all(|e| !e.after.as_ref().is_some_and(|a| a.to_string().contains("argon2"))));
    let users_only = AuditQuery { object_type: Some("user".into()), limit: 100, ..Default::default() };
    assert_eq!(store.audit_count(&users_only).await.unwrap(), 6);
}

/// The audit log refuses updates and deletes at the database level, whatever the caller.
async fn audit_log_is_append_only(scratch: &Scratch) {
    let tamper = ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"];
    match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display())).await.unwrap();
            for sql in tamper {
                let err = sqlx::query(sql).execute(&mut c).await.unwrap_err().to_string();
                assert!(err.contains("append-only"), "{err}");
            }
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            for sql in tamper {
                let sql = sql.replace("audit_log", &format!("{schema}.audit_log"));
                let err = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut c).await.unwrap_err().to_string();
                assert!(err.contains("append-only"), "{err}");
            }
        }
    }
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
        format!("pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\nXL1 1AA,XL1 1AA,,{lad},X05000001,X01000001,X01000001,53.9,-3.1\nXL1 1AB,XL1 1AB,202001,{lad},X05000001,X01000001,X01000001,53.9,-3.1\nbad,bad,,,,,,,\n")
    };
    let act = &actor;
    let import = |text: String| async move {
        let mut recs = Vec::new();
        let rep = read_geo("pc.csv", text.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
        let mut imp = store.begin_geo_import(act, "onspd", "pc.csv").await.unwrap();
        imp.add_block(recs.len() as i64, &encode_block(&recs)).await.unwrap();
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
    assert_eq!((first.rows_read, first.rows_imported, first.rows_rejected), (3, 2, 1));
    assert_eq!(first.rejections[0]["line"], 4);
    // Re-importing replaces: still one dataset, and the index has the new values.
    let second = import(file("X07000002")).await;
    let all = store.geo_datasets().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, second.id);
    assert_ne!(store.geo_version().await.unwrap(), v0);
    let index = store.load_geo_index().await.unwrap();
    let pc = levers_geo::Postcode::parse("xl11aa").unwrap();
    assert_eq!(index.lookup(&pc).unwrap().lad.unwrap().code.as_str(), "X07000002");
    assert_eq!(index.stats().postcodes, 2);
    assert_eq!(index.stats().postcodes_terminated, 1);
    // An import that never finishes (an error, a killed process) leaves nothing behind.
    {
        let mut imp = store.begin_geo_import(&actor, "onspd", "other.csv").await.unwrap();
        imp.add_block(0, &encode_block(&[])).await.unwrap();
    }
    assert_eq!(store.geo_datasets().await.unwrap().len(), 1);
    let audit = store.audit_entries(&AuditQuery { object_type: Some("geo_dataset".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["geo.reimport", "geo.import"]);
    store.delete_geo_dataset(&actor, second.id).await.unwrap();
    assert_eq!(store.load_geo_index().await.unwrap().stats().postcodes, 0);
}

/// Spend: an import is one transaction; overlapping files add only what is new; undo removes exactly
/// what an import added; totals stay exact in pence on both backends.
async fn spend_story(store: &Store) {
    use levers_spend::{CheckOptions, transactions};
    let actor = Actor::system("test");
    let opts = CheckOptions { body: Some("Testshire".into()), ..CheckOptions::default() };
    let jan = "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1\n06/01/2025,Beta CIC,-20.25,T2\n";
    let jan_feb = "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1\n06/01/2025,Beta CIC,-20.25,T2\n03/02/2025,Gamma Trust,500.00,T3\n";
    let import = |name: &'static str, text: &'static str| {
        let opts = opts.clone();
        let actor = actor.clone();
        async move {
            let (txs, report) = transactions(name, text.as_bytes(), &opts).unwrap();
            let mut imp = store.begin_spend_import(&actor, "Testshire", name, &format!("sha-{name}"), text.len() as i64).await.unwrap();
            imp.add(&txs).await.unwrap();
            imp.finish(&actor, &serde_json::to_value(&report).unwrap(), &[("amount".into(), "Amount".into())]).await.unwrap()
        }
    };
    let (first, c1) = import("jan.csv", jan).await;
    assert_eq!((c1.rows_kept, c1.rows_new, c1.rows_already, c1.total_pence, c1.new_pence), (2, 2, 0, 98_025, 98_025));
    let (second, c2) = import("jan-feb.csv", jan_feb).await;
    assert_eq!((c2.rows_kept, c2.rows_new, c2.rows_already, c2.new_pence), (3, 1, 2, 50_000));
    let (n, total) = store.spend_totals("Testshire", None).await.unwrap();
    assert_eq!((n, total.pence()), (3, 148_025));
    let fy = "2024/25".parse().unwrap();
    assert_eq!(store.spend_totals("Testshire", Some(fy)).await.unwrap().0, 3);
    assert_eq!(store.spend_mapping("Testshire").await.unwrap(), vec![("amount".to_string(), "Amount".to_string())]);
    assert_eq!(store.spend_import_of_file("Testshire", "sha-jan.csv").await.unwrap().unwrap().id, first);
    // An abandoned import leaves nothing.
    {
        let (txs, _) = transactions("x.csv", "Date,Supplier,Amount\n01/03/2025,Delta,1.00\n".as_bytes(), &opts).unwrap();
        let mut imp = store.begin_spend_import(&actor, "Testshire", "x.csv", "sha-x", 10).await.unwrap();
        imp.add(&txs).await.unwrap();
    }
    assert_eq!(store.spend_totals("Testshire", None).await.unwrap().0, 3);
    assert_eq!(store.spend_imports().await.unwrap().len(), 2);
    // Undo removes only what that import added.
    assert_eq!(store.undo_spend_import(&actor, second).await.unwrap(), 1);
    assert_eq!(store.spend_totals("Testshire", None).await.unwrap().1.pence(), 98_025);
    assert!(matches!(store.undo_spend_import(&actor, second).await, Err(StoreError::Conflict(_))));
    assert!(store.spend_import_of_file("Testshire", "sha-jan-feb.csv").await.unwrap().is_none());
    let audit = store.audit_entries(&AuditQuery { object_type: Some("spend_import".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), vec!["spend.undo", "spend.import", "spend.import"]);
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
    store.import_unit_costs(&officer, "UCD v1.4", "ucd.csv", &costs, &report).await.unwrap();
    store.import_unit_costs(&officer, "UCD v1.4", "ucd.csv", &costs, &report).await.unwrap();
    assert_eq!(store.unit_cost_libraries().await.unwrap().len(), 1);
    assert_eq!(store.unit_costs().await.unwrap().iter().map(|c| c.code.as_str()).collect::<Vec<_>>(), ["HO1.0", "E&E3.0"]);
    let ours = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year\nHO1.0,Levermouth eviction,Per incident,Local authority,7000,2019/20\n";
    let (own, report) = read_unit_costs("own.csv", ours.as_bytes()).unwrap();
    store.import_unit_costs(&officer, "Levermouth", "own.csv", &own, &report).await.unwrap();
    let ho = store.unit_cost("HO1.0").await.unwrap().unwrap();
    assert_eq!(ho.description, "Levermouth eviction");
    assert_eq!(ho.fiscal.unwrap().amount, 7000.0);
    let e = store.unit_cost("E&E3.0").await.unwrap().unwrap();
    assert_eq!(e.economic.unwrap().price_year.to_string(), "2012/13");
    assert_eq!(e.rag, levers_appraisal::Rag::Green);

    let d = levers_appraisal::Deflators::from_csv("d.csv", b"fin_year,pct_change_on_previous_year\n2018/19,2.1\n2019/20,2.6\n").unwrap();
    assert_eq!(store.import_deflators(&officer, "d.csv", &d).await.unwrap(), 2);
    assert_eq!(store.deflators().await.unwrap(), d);

    let model = Appraisal::from_toml("a.toml", "name = \"Debt advice\"\nprice_base = \"2019/20\"\n[[costs]]\nagency = \"Local authority\"\namount = 5000\n").unwrap();
    let id = store.save_appraisal(&officer, None, &model).await.unwrap();
    let dup = store.save_appraisal(&officer, None, &model).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup}");
    let mut renamed = model.clone();
    renamed.name = "Debt and money advice".into();
    assert_eq!(store.save_appraisal(&officer, Some(id), &renamed).await.unwrap(), id);
    assert_eq!(store.appraisal(id).await.unwrap().unwrap().model, renamed);
    let mut bad = renamed.clone();
    bad.costs[0].agency = " ".into();
    assert!(matches!(store.save_appraisal(&officer, Some(id), &bad).await, Err(StoreError::Invalid(_))));

    let pool = store.create_pool(&officer, "Levermouth Together").await.unwrap();
    let council = store.add_pool_partner(&officer, pool, "Council", &["Local authority".into()]).await.unwrap();
    let icb = store.add_pool_partner(&officer, pool, "ICB", &["NHS".into()]).await.unwrap();
    let y: FinancialYear = "2025/26".parse().unwrap();
    store.set_pool_contribution(&officer, council, y, Money::from_pence(60_000_00)).await.unwrap();
    store.set_pool_contribution(&officer, icb, y, Money::from_pence(40_000_00)).await.unwrap();
    store.set_pool_contribution(&officer, icb, y, Money::from_pence(45_000_00)).await.unwrap();
    assert!(store.set_pool_contribution(&officer, icb, y, Money::from_pence(-1)).await.is_err());
    let line = store.add_pool_line(&officer, pool, "Debt advice", Funds::Intervention, Some(id)).await.unwrap();
    store.set_pool_quarter(&officer, line, y, 1, Money::from_pence(20_000_00), Money::from_pence(18_500_00)).await.unwrap();
    assert!(store.set_pool_quarter(&officer, line, y, 5, Money::ZERO, Money::ZERO).await.is_err());
    let stored = store.pool(pool).await.unwrap().unwrap();
    assert_eq!(stored.budget.lines[0].appraisal.as_deref(), Some("Debt and money advice"));
    let r = stored.budget.report(&Default::default()).unwrap();
    assert_eq!(r.total, Money::from_pence(105_000_00));
    assert_eq!(r.spent, Money::from_pence(18_500_00));
    assert_eq!(r.quarters[0].variance, Money::from_pence(-1_500_00));

    // Every change is in the audit log: two library imports, one own library, deflators, two saves,
    // pool, two partners, three contributions, a line, a quarter.
    let actions: Vec<String> = store
        .audit_entries(&AuditQuery { limit: 1000, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("appraisal") || a.starts_with("pool"))
        .collect();
    assert_eq!(actions.len(), 14, "{actions:?}");
    store.delete_appraisal(&officer, id).await.unwrap();
    assert!(store.appraisal(id).await.unwrap().is_none());
    // The line survives its appraisal, without it.
    assert_eq!(store.pool(pool).await.unwrap().unwrap().budget.lines[0].appraisal, None);
}

#[tokio::test]
async fn story_on_sqlite() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    story(&store).await;
    geo_story(&store).await;
    spend_story(&store).await;
    appraisal_story(&store).await;
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
    appraisal_story(&store).await;
    audit_log_is_append_only(&scratch).await;
    store.close().await;
    scratch.remove().await;
}

#[tokio::test]
async fn a_bad_url_is_named_without_its_password() {
    let err = Store::open("postgres://nobody:secret@127.0.0.1:1/none").await.unwrap_err().to_string();
    assert!(err.contains("nobody:***@"), "{err}");
    assert!(!err.contains("secret"), "{err}");
}
