//! The real council files in `shared/data/spend/real`, checked against `expected_profiles.json` (an
//! independent parse) and, for the files it does not cover, against figures from an independent exact
//! (decimal) parse recorded here. Every difference is explained line by line.

use std::path::PathBuf;

use levers_spend::{CheckOptions, RowFlag, check};

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    if dir.join("spend/real").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data not found at {} (set LEVERS_SHARED_DATA); required under CI=true",
            dir.display()
        );
    }
    eprintln!(
        "NOT RUN: shared data not found at {} (set LEVERS_SHARED_DATA to run the real-file tests)",
        dir.display()
    );
    None
}

fn pence(pounds: f64) -> i64 {
    (pounds * 100.0).round() as i64
}

#[test]
fn every_profiled_file_matches_expected_profiles() {
    let Some(dir) = shared_data() else { return };
    let spend = dir.join("spend");
    let text = std::fs::read_to_string(spend.join("expected_profiles.json"))
        .expect("expected_profiles.json");
    let profiles: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let profiles = profiles.as_object().expect("object");
    assert!(profiles.len() >= 8);
    for (file, p) in profiles {
        let bytes =
            std::fs::read(spend.join("real").join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let r = check(file, &bytes, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.reconciliation.balanced, "{file}: {:?}", r.reconciliation);
        assert_eq!(r.rejected_count, 0, "{file}: {:?}", r.rejected);
        let get = |k: &str| p[k].as_f64().unwrap_or_else(|| panic!("{file}: {k}"));
        let mut want_total = pence(get("total"));
        let mut want_negatives = get("negatives") as u64;
        if file == "devon/DCCSpendingOver500_201210.csv" {
            // The file holds three amounts with fractions of a penny: line 3986 "815.045", line 3987
            // "631.085", line 5571 "65477.705". The exact sum of the file is £38,822,827.615; the profile's
            // 38822827.61 is a float sum rounded. levers keeps the rows (flagged) and rounds each to the
            // penny, halves away from zero (.05, .09, .71): +1p +1p +1p on top of .615 - .015 = .63, i.e.
            // 2p above the profile. Neither side is "right" to the penny: the file itself is not in pence.
            want_total += 2;
            // Line 4060 "-5.68434E-13" is spreadsheet noise for zero (as is line 4059 "6.82121E-13"): the
            // profile counts it as a negative float; in pence it is £0.00, so not a negative.
            want_negatives -= 1;
            let rounded: Vec<u64> = r
                .flagged
                .iter()
                .filter(|f| f.flag == RowFlag::RoundedToPenny)
                .map(|f| f.line)
                .collect();
            assert_eq!(rounded, [3986, 3987, 5571]);
        }
        assert_eq!(r.rows, get("rows") as u64, "{file}: rows");
        assert_eq!(r.total.pence(), want_total, "{file}: total");
        assert_eq!(r.negatives, want_negatives, "{file}: negatives");
        assert_eq!(
            r.negative_total.pence(),
            pence(get("neg_total")),
            "{file}: negative total"
        );
        assert_eq!(
            r.distinct_suppliers,
            get("distinct_suppliers") as u64,
            "{file}: distinct suppliers"
        );
        assert_eq!(
            r.redacted_or_blank_supplier_rows,
            get("redacted_or_blank_supplier_rows") as u64,
            "{file}: redacted"
        );
        assert_eq!(r.header_row, get("header_row") as u64, "{file}: header row");
        // Python's "utf-8-sig" reads UTF-8 with or without a BOM; levers says which.
        let enc = p["encoding"].as_str().unwrap_or("");
        let ok = match enc {
            "utf-8-sig" | "utf-8" => matches!(r.encoding, "utf-8" | "utf-8-bom"),
            "cp1252" => r.encoding == "windows-1252",
            other => other == r.encoding,
        };
        assert!(ok, "{file}: encoding {} vs {enc}", r.encoding);
    }
}

#[test]
fn devon_march_2026_grand_total_row_matches() {
    let Some(dir) = shared_data() else { return };
    let f = "devon/DCCSpendingOver500_202603.csv";
    let bytes = std::fs::read(dir.join("spend/real").join(f)).expect("file");
    let r = check(f, &bytes, &CheckOptions::default()).expect("reads");
    let g = r.grand_total.expect("the last row is a grand total");
    assert_eq!(g.line, 3547);
    assert!(g.matched);
    assert_eq!(g.stated.pence(), 5_749_290_067);
    assert_eq!(r.reconciliation.total_rows, 1);
}

/// Files the profile does not cover, against an exact decimal parse done independently (Python
/// `decimal.Decimal` over `csv.reader`): rows, total pence, negatives, negative total, distinct suppliers,
/// redaction labels, encoding.
#[test]
fn unprofiled_files_match_an_independent_exact_parse() {
    let Some(dir) = shared_data() else { return };
    // (file, rows, total pence, negatives, negative total pence, distinct suppliers, redacted rows, encoding)
    type Case = (&'static str, u64, i64, u64, i64, u64, u64, &'static str);
    let cases: [Case; 3] = [
        (
            "hyndburn/hyndburn_2024-09_over250.csv",
            625,
            1_057_071_946,
            11,
            -91_761_900,
            157,
            0,
            "utf-8",
        ),
        (
            "manchester/manchester_clean_2016-04.csv",
            3617,
            5_966_400_560,
            0,
            0,
            1032,
            89,
            "utf-8",
        ),
        (
            "manchester/manchester_clean_2022-05.csv",
            3564,
            9_740_022_710,
            211,
            -617_038_181,
            1024,
            171,
            "utf-8-double-encoded-bom",
        ),
    ];
    for (f, rows, total, neg, neg_total, suppliers, redacted, enc) in cases {
        let bytes = std::fs::read(dir.join("spend/real").join(f)).expect("file");
        let r = check(f, &bytes, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.reconciliation.balanced, "{f}");
        assert_eq!(
            (
                r.rows,
                r.total.pence(),
                r.negatives,
                r.negative_total.pence()
            ),
            (rows, total, neg, neg_total),
            "{f}"
        );
        assert_eq!(
            (r.distinct_suppliers, r.redacted_rows, r.encoding),
            (suppliers, redacted, enc),
            "{f}"
        );
        assert_eq!(r.header_row, 0, "{f}");
    }
    // Hyndburn: "Name:  " is the supplier, credit notes carry a trailing minus, and records span lines.
    let f = "hyndburn/hyndburn_2024-09_over250.csv";
    let r = check(
        f,
        &std::fs::read(dir.join("spend/real").join(f)).expect("file"),
        &CheckOptions::default(),
    )
    .expect("reads");
    let sup = r
        .mapping
        .columns
        .iter()
        .find(|c| c.field == levers_spend::Field::SupplierName)
        .expect("supplier");
    assert_eq!(sup.header, "Name:  ");
    assert_eq!(r.reconciliation.physical_lines, 634);
    assert_eq!(r.reconciliation.records, 626);
    assert_eq!(r.reconciliation.empty_lines, 0);
}

/// The shared data's `contracts` folder, or `None` (and NOT RUN printed) when it is missing; missing
/// under `CI=true` is a failure.
fn contracts_data() -> Option<PathBuf> {
    let dir = std::env::var_os("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        })
        .join("contracts");
    if dir.join("trafford").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data not found at {} (set LEVERS_SHARED_DATA); required under CI=true",
            dir.display()
        );
    }
    eprintln!(
        "NOT RUN: Trafford's spend files not found at {} (set LEVERS_SHARED_DATA to run this test)",
        dir.display()
    );
    None
}

/// Trafford's 2025/26 file: the LGA national spend schema, zipped, CRLF. It reads without `--map`,
/// every payment kept (figures from PROVENANCE.md: 241,764 rows), ProClass categories and VAT numbers
/// kept ("NA" read as none), and "Redactive Publishing Ltd" not taken for a redaction.
#[test]
fn trafford_national_schema_zip_reads_without_map() {
    let Some(dir) = contracts_data() else { return };
    let path = dir.join("trafford/trafford-supplier-spend-2025-26.zip");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut n = 0u64;
    let mut with_code = 0u64;
    let mut with_vat = 0u64;
    let mut na_vat = 0u64;
    let mut lifts = 0u64;
    let mut redactive = 0u64;
    let r = levers_spend::read_transactions(
        "trafford-supplier-spend-2025-26.zip",
        &bytes,
        &CheckOptions::default(),
        |v| {
            n += 1;
            if n % 97 != 1 && v.get(levers_spend::Field::ProclassCode) != "191400" {
                return;
            }
            let t = v.to_owned();
            if t.proclass_code.is_some() {
                with_code += 1;
            }
            if t.proclass_code.as_deref() == Some("191400") {
                lifts += 1;
                assert_eq!(t.proclass_label.as_deref(), Some("FACILITIES MGT : Lifts"));
                assert_eq!(t.category(), Some("FACILITIES MGT : Lifts"));
            }
            match t.vat_number.as_deref() {
                Some(v) => {
                    assert_ne!(v, "NA");
                    with_vat += 1;
                }
                None if v.get(levers_spend::Field::VatNumber) == "NA" => na_vat += 1,
                None => {}
            }
            if t.supplier_name.starts_with("Redactive") {
                redactive += 1;
                assert!(!t.redacted);
            }
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.members, ["trafford-supplier-spend-2025-26.csv"]);
    assert_eq!(r.rows, 241_764);
    assert_eq!(r.total.pence(), 62_191_362_442);
    assert_eq!(r.rejected_count, 0);
    assert!(r.reconciliation.balanced, "{:?}", r.reconciliation);
    assert_eq!(r.distinct_suppliers, 2_406);
    assert_eq!(r.negatives, 35_554);
    assert_eq!(r.redacted_rows, 36_616);
    let _ = redactive;
    for f in [
        levers_spend::Field::Date,
        levers_spend::Field::SupplierName,
        levers_spend::Field::SupplierId,
        levers_spend::Field::VatNumber,
        levers_spend::Field::ProclassLabel,
        levers_spend::Field::ProclassCode,
        levers_spend::Field::IrrecoverableVat,
        levers_spend::Field::ExpenseArea,
        levers_spend::Field::TransactionNumber,
    ] {
        assert!(r.mapping.column(f).is_some(), "{f} not mapped");
    }
    assert_eq!(
        r.mapping
            .columns
            .iter()
            .find(|c| c.field == levers_spend::Field::Date)
            .map(|c| c.header.as_str()),
        Some("PaymentDate")
    );
    assert!(with_code > 100 && with_vat > 100 && na_vat > 0 && lifts > 0);
}
