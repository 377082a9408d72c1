//! `levers contracts import|pipeline|matches` on the shared real OCDS files: every release
//! accounted for, a repeated import kept once, the pipeline's figures pinned, a register imported,
//! and the advice for a real below-threshold tender.

use super::{levers, shared_data_dir, temp_db, text};

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)))
}

#[test]
fn contracts_import_pipeline_and_matches_on_real_files() {
    let Some(d) = shared_data_dir("ocds") else {
        return;
    };
    let db = temp_db("contracts");
    let files: Vec<String> = [
        "ocds/contracts_finder_releases_2025_sample.json",
        "ocds/public_contracts_scotland_releases_2025_sample.json",
        "ocds/sell2wales_releases_2025_sample.json",
        "contracts/fts/fts_032703-2026_UK4_tender_harrogate_town_council.json",
        "contracts/fts/fts_037689-2026_UK1_pipeline_northumberland_cc.json",
        "contracts/fts/fts_release_package_2026-10-06_limit4_UK6x3_UK4x1.json",
    ]
    .iter()
    .map(|f| d.join(f).display().to_string())
    .collect();
    let mut args = vec!["contracts", "import", "--database", &db, "--json"];
    args.extend(files.iter().map(String::as_str));
    let v = json(&levers(&args, &[]));
    let counts: Vec<(i64, i64, i64, i64, i64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let i = &x["import"];
            let g = |k: &str| i[k].as_i64().unwrap();
            (
                g("records_read"),
                g("new"),
                g("older"),
                g("duplicates"),
                g("rejected"),
            )
        })
        .collect();
    // Counted independently with Python's json: Contracts Finder's 201 releases name 190 ocids, one
    // release appears twice, and 10 arrive after a later release of their ocid.
    assert_eq!(
        counts,
        vec![
            (201, 190, 10, 1, 0),
            (90, 90, 0, 0, 0),
            (90, 90, 0, 0, 0),
            (1, 1, 0, 0, 0),
            (1, 1, 0, 0, 0),
            (4, 4, 0, 0, 0)
        ]
    );
    // The same file again: every release a duplicate.
    let again = json(&levers(
        &[
            "contracts",
            "import",
            "--database",
            &db,
            "--json",
            &files[0],
        ],
        &[],
    ));
    assert_eq!(again[0]["import"]["duplicates"], 201);

    // A register from the council itself.
    let reg = std::env::temp_dir().join(format!("levers_cli_{}_register.csv", std::process::id()));
    std::fs::write(
        &reg,
        "Reference,Title,Supplier,Value,Start Date,End Date\nR-1,Grounds maintenance,Parks Ltd,\"48,000\",01/04/2024,31/03/2027\n",
    )
    .unwrap();
    let r = json(&levers(
        &[
            "contracts",
            "import",
            "--database",
            &db,
            "--json",
            "--body",
            "Test Council",
            &reg.display().to_string(),
        ],
        &[],
    ));
    assert_eq!(r[0]["import"]["kind"], "register");
    assert_eq!(r[0]["import"]["new"], 1);

    let p = json(&levers(
        &[
            "contracts",
            "pipeline",
            "--database",
            &db,
            "--json",
            "--no-analysis",
            "--today",
            "2026-10-07",
        ],
        &[],
    ));
    let ops = p.as_array().unwrap();
    let why = |w: &str| ops.iter().filter(|o| o["why"] == w).count();
    // 48 from the OCDS files (38 ending, 6 planned, 3 open, 1 renewal decision) and the register's.
    assert_eq!(ops.len(), 49);
    assert_eq!(
        (
            why("ending"),
            why("planned"),
            why("open"),
            why("renewal_decision")
        ),
        (39, 6, 3, 1)
    );
    let total: i64 = ops.iter().filter_map(|o| o["value"].as_i64()).sum();
    assert_eq!(total, 31_374_701_145 + 48_000_00);
    assert_eq!(ops[0]["key"], "ocds:ocds-h6vhtk-078219");

    // Harrogate's feasibility study: £40,465.20 with VAT, below £207,720 and above £30,000.
    let m = json(&levers(
        &[
            "contracts",
            "matches",
            "--database",
            &db,
            "--json",
            "--no-analysis",
            "--today",
            "2026-10-07",
            "ocds:ocds-h6vhtk-067fb8",
        ],
        &[],
    ));
    let a = &m["advice"];
    assert_eq!(a["value_incl_vat"], 40_465_20);
    assert_eq!(a["below_threshold"], true);
    assert_eq!(a["regulated_below_threshold"], true);
    assert!(
        m["mapping_caveat"]
            .as_str()
            .unwrap()
            .contains("No official concordance")
    );
    let missing = levers(
        &["contracts", "matches", "--database", &db, "ocds:nope"],
        &[],
    );
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("levers contracts pipeline"),
        "{}",
        text(&missing.stderr)
    );
    let _ = std::fs::remove_file(&reg);
}
