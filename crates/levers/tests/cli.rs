//! The `levers` command end to end: migrate, user add and list, demo without serving, and its errors.

use std::process::{Command, Output};

fn levers(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_levers"));
    cmd.args(args).env_remove("LEVERS_PASSWORD").env_remove("LEVERS_DATABASE");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn temp_db(name: &str) -> String {
    let p = std::env::temp_dir().join(format!("levers_cli_{}_{name}.db", std::process::id()));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
    }
    p.display().to_string()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn migrate_then_add_and_list_users() {
    let db = temp_db("users");
    let out = levers(&["migrate", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("applied migrations [1, 2, 3, 4, 5, 6, 7]"));
    let out = levers(&["migrate", "--database", &db], &[]);
    assert!(text(&out.stdout).contains("up to date (schema version 7)"));

    let out = levers(&["user", "add", "--email", "Chief@Council.example", "--role", "admin", "--database", &db], &[("LEVERS_PASSWORD", "a decent passphrase")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "added chief@council.example as admin");

    let out = levers(&["user", "list", "--json", "--database", &db], &[]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["users"][0]["email"], "chief@council.example");
    assert_eq!(v["users"][0]["role"], "admin");
    assert!(!text(&out.stdout).contains("argon2"));

    // Errors: non-zero exit, one clear line.
    let out = levers(&["user", "add", "--email", "chief@council.example", "--role", "viewer", "--database", &db], &[("LEVERS_PASSWORD", "a decent passphrase")]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("already exists"), "{err}");
    let out = levers(&["user", "add", "--email", "x@council.example", "--role", "viewer", "--database", &db], &[("LEVERS_PASSWORD", "short")]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("10 characters"));
    let out = levers(&["user", "add", "--email", "x@council.example", "--role", "mayor", "--database", &db], &[("LEVERS_PASSWORD", "a decent passphrase")]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("admin, officer or viewer"));
    let out = levers(&["migrate", "--database", "postgres://nobody:pw@127.0.0.1:1/none"], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.starts_with("error: cannot open the database") && !err.contains(":pw@"), "{err}");
}

#[test]
fn demo_creates_a_borough_and_refreshes_the_one_time_password() {
    let db = temp_db("demo");
    let first = levers(&["demo", "--no-serve", "--database", &db], &[]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let out = text(&first.stdout);
    assert!(out.contains("Levermouth Borough Council"));
    assert!(out.contains("admin@levermouth.example"));
    let password = |s: &str| s.lines().find_map(|l| l.split("One-time password: ").nth(1)).unwrap().trim().to_string();
    let p1 = password(&out);
    assert_eq!(p1.len(), 23);
    let second = levers(&["demo", "--no-serve", "--database", &db], &[]);
    assert!(second.status.success());
    assert_ne!(password(&text(&second.stdout)), p1, "a refresh issues a new one-time password");
    let out = levers(&["user", "list", "--database", &db], &[]);
    assert_eq!(text(&out.stdout).lines().count(), 1, "refreshing does not duplicate the admin");
}

fn shared_geo() -> Option<std::path::PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let geo = base.join("geo");
    if geo.is_dir() {
        return Some(geo);
    }
    assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI=true but {} is missing", geo.display());
    eprintln!("NOT RUN: {} is missing; the CLI geography test needs the real files", geo.display());
    None
}

#[test]
fn geo_import_lookup_area_and_status_on_real_files() {
    let Some(geo) = shared_geo() else { return };
    let db = temp_db("geo");
    let imd = geo.join("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv");
    let nspd = geo.join("postcodes/nspd_nov2025_pcd_lad_lancashire14_gm10.csv");
    let out = levers(&["geo", "import", "--json", "--database", &db, imd.to_str().unwrap(), nspd.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["kind"], "iod2019_file1");
    assert_eq!(v[0]["rows_imported"], 32_844);
    assert_eq!(v[1]["kind"], "nspd");
    assert_eq!(v[1]["rows_read"], 173_073);
    assert_eq!(v[1]["reconciles"], true);
    // Re-importing replaces rather than duplicates.
    let again = levers(&["geo", "import", "--json", "--database", &db, nspd.to_str().unwrap()], &[]);
    let a: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(a[0]["replaced_dataset"], v[1]["dataset_id"]);
    let status = levers(&["geo", "status", "--json", "--database", &db], &[]);
    let s: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(s["datasets"].as_array().unwrap().len(), 2);
    assert_eq!(s["index"]["postcodes"], 173_073);
    // Three ways of typing one postcode, one answer.
    let answers: Vec<String> = ["PR1 2HE", "pr1  2he", "PR12HE"]
        .iter()
        .map(|p| text(&levers(&["geo", "lookup", p, "--json", "--database", &db], &[]).stdout))
        .collect();
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    let l: serde_json::Value = serde_json::from_str(&answers[0]).unwrap();
    assert_eq!(l["postcode"], "PR1 2HE");
    assert_eq!(l["lad"]["code"], "E07000123");
    let area = levers(&["geo", "area", "E07000123", "--json", "--database", &db], &[]);
    let p: serde_json::Value = serde_json::from_slice(&area.stdout).unwrap();
    assert_eq!(p["lsoas_2011"].as_array().unwrap().len(), 86);
    assert_eq!(p["imd2019_deciles"][0], 16);
    assert_eq!(p["imd2019_deciles"][1], 21);
    assert_eq!(p["postcodes"], 6_152);
    // Errors: one line, non-zero.
    let bad = levers(&["geo", "lookup", "PR1 2H!", "--database", &db], &[]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("not a UK postcode"));
    let missing = levers(&["geo", "lookup", "XX1 1AA", "--database", &db], &[]);
    assert!(text(&missing.stderr).contains("not in any loaded postcode file"));
    let unknown = levers(&["geo", "import", "--database", &db, geo.join("postcodes/trafford_postcodes_metadata.csv").to_str().unwrap()], &[]);
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("It recognises: ONS Postcode Directory"));
}

#[test]
fn spend_check_and_import_with_overlap_and_repeat() {
    let db = temp_db("spend");
    let dir = std::env::temp_dir().join(format!("levers_cli_spend_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let jan = dir.join("jan.csv");
    let jan_feb = dir.join("jan-feb.csv");
    std::fs::write(&jan, "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1\n06/01/2025,Beta CIC,20.25-,T2\n").unwrap();
    std::fs::write(&jan_feb, "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,\"1,000.50\",T1\n06/01/2025,Beta CIC,20.25-,T2\n03/02/2025,Gamma Trust,500.00,T3\nTotal,,\"1,480.25\",\n").unwrap();
    let check = levers(&["spend", "check", "--json", jan_feb.to_str().unwrap()], &[]);
    assert!(check.status.success(), "{}", text(&check.stderr));
    let c: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let c = if c.is_array() { c[0].clone() } else { c };
    assert_eq!(c["rows"], 3);
    assert_eq!(c["total"], 148_025);
    assert_eq!(c["negatives"], 1);
    let import = |f: &std::path::Path| {
        let out = levers(&["spend", "import", "--json", "--body", "Testshire", "--database", &db, f.to_str().unwrap()], &[]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v[0].clone()
    };
    let a = import(&jan);
    assert_eq!((a["rows_new"].as_i64(), a["total_pence"].as_i64()), (Some(2), Some(98_025)));
    let b = import(&jan_feb);
    assert_eq!((b["rows_kept"].as_i64(), b["rows_new"].as_i64(), b["rows_already"].as_i64()), (Some(3), Some(1), Some(2)));
    assert_eq!(b["reconciliation"]["balanced"], true);
    let again = import(&jan_feb);
    assert_eq!(again["already_imported"], true);
    assert_eq!(again["rows_new"], 0);
    let march = dir.join("march.csv");
    std::fs::write(&march, "Date,Supplier,Amount\n05/03/2025,Acme Ltd,10.00\n").unwrap();
    let bad = levers(&["spend", "import", "--body", "Testshire", "--database", &db, "--map", "amount=Nope", march.to_str().unwrap()], &[]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("Nope"), "{}", text(&bad.stderr));
}

/// `levers appraisal`: a library imported into the database, searched, and used by `run --json`;
/// the template runs against the real Unit Cost Database; errors name the file, line and field.
#[test]
fn appraisal_costs_import_search_and_run() {
    let dir = std::env::temp_dir().join(format!("levers_cli_appraisal_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = temp_db("appraisal");
    let lib = dir.join("own.csv");
    std::fs::write(
        &lib,
        "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year,social_value,social_price_year\n\
         LM1,Eviction avoided,Per incident,Local authority,2000,2019/20,,\n\
         LM2,Wellbeing of a household kept in its home,Per household per year,,,,500,2019/20\n",
    )
    .unwrap();
    let out = levers(&["appraisal", "costs", "import", lib.to_str().unwrap(), "--name", "Levermouth", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 rows read = 2 kept + 0 rejected + 0 without a code"), "{}", text(&out.stdout));
    let out = levers(&["appraisal", "costs", "search", "evict", "--json", "--database", &db], &[]);
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["code"], "LM1");

    let model = dir.join("debt.toml");
    std::fs::write(
        &model,
        "name = \"Debt advice\"\nprice_base = \"2019/20\"\n[[costs]]\nagency = \"Local authority\"\namount = 10000\noptimism_bias = 0\n\
         [[outcomes]]\nname = \"Evictions avoided\"\ncount = 10\noptimism_bias = 0\n\
         [[outcomes.values]]\ncost_code = \"LM1\"\nkind = \"fiscal\"\ncashable = 0.5\n\
         [[outcomes.values]]\ncost_code = \"LM2\"\nkind = \"social\"\n",
    )
    .unwrap();
    let out = levers(&["appraisal", "run", model.to_str().unwrap(), "--json", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 10 evictions avoided × £2,000 in year 0 (undiscounted) against £10,000 of costs.
    assert_eq!(r["pv_costs"], 10000.0);
    assert_eq!(r["pv_fiscal"], 20000.0);
    assert_eq!(r["pv_fiscal_by_agency"]["Local authority"], 20000.0);
    assert_eq!(r["net_present_budget_impact"], 10000.0);
    assert_eq!(r["financial_roi"], 2.0);
    assert_eq!(r["cashable_roi"], 1.0);
    assert_eq!(r["public_value"], 25000.0);
    assert_eq!(r["public_value_roi"], 2.5);
    assert_eq!(r["payback_year"], 0);
    assert_eq!(r["net_outcomes"], 10.0);
    for field in ["sensitivity", "evidence", "agencies", "years", "outcomes"] {
        assert!(r[field].is_array(), "{field}");
    }

    // A mistake names the file, the line and the field.
    std::fs::write(&model, "name = \"x\"\nprice_base = \"2019/20\"\n[[costs]]\nagency = \"LA\"\namount = \"lots\"\n").unwrap();
    let out = levers(&["appraisal", "run", model.to_str().unwrap(), "--database", &db], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("debt.toml, line 5") && err.contains("amount"), "{err}");

    // The template, on the real Unit Cost Database workbook.
    let template = levers(&["appraisal", "template"], &[]);
    let path = dir.join("template.toml");
    std::fs::write(&path, &template.stdout).unwrap();
    let Some(data) = shared_data() else { return };
    let ucd = data.join("appraisal");
    let out = levers(
        &[
            "appraisal",
            "run",
            path.to_str().unwrap(),
            // The workbook brings its own deflator table.
            "--library",
            ucd.join("gmca-unit-cost-database.xlsx").to_str().unwrap(),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.starts_with("Levermouth Works: employment support"), "{report}");
    assert!(report.contains("Local authority") && report.contains("WRONG POCKET"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn shared_data() -> Option<std::path::PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    if base.join("appraisal").is_dir() {
        return Some(base);
    }
    assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI=true but {} is missing", base.display());
    eprintln!("NOT RUN: {} is missing; the appraisal template is checked against the real Unit Cost Database there", base.display());
    None
}
