//! levers-appraisal against the real Unit Cost Database v1.4 in `../shared/data/appraisal`.

use std::path::PathBuf;

use levers_appraisal::{Deflators, ValueKind, read_unit_costs};

fn shared() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let dir = base.join("appraisal");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but {} is missing",
        dir.display()
    );
    eprintln!(
        "NOT RUN: {} is missing; the Unit Cost Database tests need it",
        dir.display()
    );
    None
}

/// Uprating every value of all 683 costs to 2015/16 with the workbook's own deflator table gives the
/// workbook's "2015/16" columns to the penny.
#[test]
fn uprating_reproduces_the_workbook_2015_16_columns() {
    let Some(dir) = shared() else { return };
    let (costs, report) = read_unit_costs(
        "ucd",
        &std::fs::read(dir.join("gmca_unit_cost_database_v1_4.csv")).unwrap(),
    )
    .unwrap();
    assert_eq!(report.costs, 683);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let deflators = Deflators::from_csv(
        "deflators",
        &std::fs::read(dir.join("gmca_ucd_v1_4_gdp_deflator_lookup.csv")).unwrap(),
    )
    .unwrap();
    let base = "2015/16".parse().unwrap();
    let mut checked = 0;
    for c in &costs {
        for kind in [ValueKind::Fiscal, ValueKind::Economic, ValueKind::Social] {
            let Some(v) = c.value(kind) else { continue };
            let Some(stated) = v.stated_2015_16 else {
                continue;
            };
            let ours = deflators.uprate(v.amount, v.price_year, base).unwrap();
            assert_eq!(
                (ours * 100.0).round(),
                (stated * 100.0).round(),
                "{} {kind:?}: {} at {} → {ours} vs {stated}",
                c.code,
                v.amount,
                v.price_year
            );
            checked += 1;
        }
    }
    // Every value the workbook gives a 2015/16 figure for: 779 values in all, less CR8.18.5 (a fiscal
    // value of 0 with no 2015/16 figure).
    assert_eq!(checked, 778);
    let cr1 = costs.iter().find(|c| c.code == "CR1.0").unwrap();
    assert_eq!(cr1.agency, "Police");
    let cr1_2015 = deflators
        .uprate(500.0, "2002/03".parse().unwrap(), base)
        .unwrap();
    assert!((cr1_2015 - 673.231_218_315_559_5).abs() < 1e-6);
}

#[test]
fn a_table_in_the_wrong_layout_says_which_columns_it_lacks() {
    let err = read_unit_costs("mine.csv", b"code,desc\nX,Y\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("mine.csv") && err.contains("cost_code") && err.contains("fiscal_price_year"),
        "{err}"
    );
}

#[test]
fn a_rejected_cost_names_the_line_an_editor_shows() {
    // A blank line and a description broken over two lines inside quotes come before the bad row.
    let lib = "cost_code,description,unit,fiscal_value,fiscal_price_year\n\
               A1,\"Two-line\ndescription\",Per case,100,2014/15\n\
               \n\
               A2,Bad value,Per case,lots,2014/15\n";
    let (costs, report) = read_unit_costs("lib.csv", lib.as_bytes()).unwrap();
    assert_eq!(costs.len(), 1);
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    assert_eq!(report.rejected[0].0, 5, "{:?}", report.rejected);
}

mod model {
    use levers_appraisal::{
        Appraisal, Deflators, UnitCost, ValueKind, read_unit_costs, resolve, results,
    };
    use proptest::prelude::*;

    fn no_library(_: &str) -> Option<UnitCost> {
        None
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "{what}: {a} != {b}"
        );
    }

    /// The hand-worked fixture. Every figure below is worked out by hand from the definitions.
    const FIXTURE: &str = r#"
name = "Hand-worked employment support"
price_base = "2015/16"
first_year = "2025/26"

[[costs]]
description = "Key workers"
agency = "Local authority"
year = 0
amount = 100000
optimism_bias = 0.10

[[costs]]
description = "Health coach"
agency = "NHS"
year = 1
amount = 10350
confidence = 1

[[outcomes]]
name = "Moves into work"
cohort = 100
engagement = 0.5
success = 0.4
deadweight = 0.25
attribution = 0.8
optimism_bias = 0.0
lag = 1
duration = 2
drop_off = 0.5

[[outcomes.values]]
description = "Out-of-work benefits no longer paid"
kind = "fiscal"
agency = "DWP"
amount = 5000
transfer = true
cashable = 1.0

[[outcomes.values]]
description = "Fewer GP visits"
kind = "fiscal"
agency = "NHS"
amount = 1000

[[outcomes.values]]
description = "Earnings"
kind = "economic"
amount = 10000

[[outcomes.values]]
description = "Wellbeing"
kind = "social"
amount = 2000
"#;

    #[test]
    fn hand_worked_appraisal() {
        let a = Appraisal::from_toml("fixture.toml", FIXTURE).unwrap();
        let r = results(&resolve(&a, &no_library, None).unwrap());
        let c = &r.central;
        let d1 = 1.0 / 1.035;
        let d2 = d1 / 1.035;

        // Costs: £100,000 in year 0 with a 10% optimism-bias uplift = £110,000 (undiscounted, year 0);
        // £10,350 in year 1 at grade 1 (0% uplift) discounted by 1/1.035 = £10,000. PV costs £120,000.
        close(c.pv_costs, 110_000.0 + 10_350.0 * d1, "pv_costs");
        close(c.pv_costs, 120_000.0, "pv_costs");
        close(
            c.pv_costs_by_agency["Local authority"],
            110_000.0,
            "LA costs",
        );
        close(c.pv_costs_by_agency["NHS"], 10_000.0, "NHS costs");

        // Outcomes: 100 × 0.5 × 0.4 = 20 gross; × (1 − 0.25) × 0.8 = 12 net; cost per net outcome
        // £120,000 / 12 = £10,000.
        close(c.gross_outcomes, 20.0, "gross");
        close(c.net_outcomes, 12.0, "net");
        close(
            c.cost_per_net_outcome.unwrap(),
            10_000.0,
            "cost per net outcome",
        );

        // Benefits start a year later (lag 1) and last two years, the second at half (drop-off 50%):
        // year 1 = 12 outcomes, year 2 = 6.
        let dwp = 12.0 * 5_000.0 * d1 + 6.0 * 5_000.0 * d2; // £85,976.34
        let nhs = 12.0 * 1_000.0 * d1 + 6.0 * 1_000.0 * d2; // £17,195.27
        let economic = 12.0 * 10_000.0 * d1 + 6.0 * 10_000.0 * d2; // £171,952.67
        let social = 12.0 * 2_000.0 * d1 + 6.0 * 2_000.0 * d2; // £34,390.53
        close(c.pv_fiscal_by_agency["DWP"], dwp, "DWP");
        close(c.pv_fiscal_by_agency["NHS"], nhs, "NHS");
        close(c.pv_fiscal, dwp + nhs, "pv_fiscal");
        close(c.pv_fiscal, 103_171.602_5, "pv_fiscal figure");
        close(c.pv_economic, economic, "economic");
        close(c.pv_social, social, "social");

        // Budget: £103,171.60 − £120,000 = −£16,828.40; financial ROI 0.860; the DWP saving is all
        // cashable: cashable ROI 85,976.34 / 120,000 = 0.716.
        close(c.net_present_budget_impact, dwp + nhs - 120_000.0, "npbi");
        close(
            c.financial_roi.unwrap(),
            (dwp + nhs) / 120_000.0,
            "financial roi",
        );
        close(c.cashable_roi.unwrap(), dwp / 120_000.0, "cashable roi");

        // Public value leaves out the transfer (benefit payments): NHS + economic + social
        // = £223,538.47; net public value £103,538.47; public-value ROI 1.863.
        close(c.pv_fiscal_transfers, dwp, "transfers");
        close(c.public_value, nhs + economic + social, "public value");
        close(c.public_value, 223_538.472, "public value figure");
        close(
            c.net_public_value,
            nhs + economic + social - 120_000.0,
            "net public value",
        );
        close(
            c.public_value_roi.unwrap(),
            (nhs + economic + social) / 120_000.0,
            "pv roi",
        );

        // Payback: cumulative fiscal £69,565 by year 1 and £103,172 by year 2 never reach £120,000.
        assert_eq!(c.payback_year, None);

        // Who pays and who benefits: the council pays £110,000 and receives nothing, while the whole
        // creates public value: the wrong pocket. The NHS pays £10,000 and saves £17,195.
        let la = c
            .agencies
            .iter()
            .find(|x| x.agency == "Local authority")
            .unwrap();
        assert!(la.wrong_pocket);
        close(la.net, -110_000.0, "LA net");
        let nhs_row = c.agencies.iter().find(|x| x.agency == "NHS").unwrap();
        assert!(!nhs_row.wrong_pocket);
        let dwp_row = c.agencies.iter().find(|x| x.agency == "DWP").unwrap();
        assert!(!dwp_row.wrong_pocket && dwp_row.pv_costs == 0.0);

        // Years: 0, 1, 2 labelled from 2025/26.
        assert_eq!(c.years.len(), 3);
        assert_eq!(c.years[2].financial_year.unwrap().to_string(), "2027/28");
        close(c.years[1].fiscal, 72_000.0, "year 1 fiscal");

        // Sensitivity: social value off removes £34,390.53 of public value; deadweight 50% higher
        // (0.375) gives 20 × 0.625 × 0.8 = 10 net outcomes, so benefits scale by 10/12.
        let row = |name: &str| r.sensitivity.iter().find(|s| s.scenario == name).unwrap();
        close(
            row("Social value left out").public_value,
            nhs + economic,
            "social off",
        );
        close(
            row("Deadweight 50% higher").net_outcomes,
            10.0,
            "dw+50 outcomes",
        );
        close(
            row("Deadweight 50% higher").public_value,
            (nhs + economic + social) * 10.0 / 12.0,
            "dw+50 pv",
        );
        close(
            row("Deadweight 50% lower").net_outcomes,
            20.0 * 0.875 * 0.8,
            "dw-50 outcomes",
        );
        // Cost optimism bias at the high bound: the explicit 10% moves by grade 3's spread (+5 points)
        // to 15%, grade 1 to its high bound 5%: 115,000 + 10,350 × 1.05 / 1.035.
        close(
            row("Optimism bias at the high bound").pv_costs,
            115_000.0 + 10_350.0 * 1.05 * d1,
            "ob high costs",
        );
        close(row("Central case").public_value, c.public_value, "central");
        assert_eq!(r.sensitivity.len(), 6);
    }

    #[test]
    fn values_from_the_library_are_uprated_and_carry_their_evidence() {
        let lib = "cost_code,description,unit,agency_level1,fiscal_value,fiscal_price_year,economic_value,economic_price_year,original_source,rag_assessment\n\
                   HO1.0,Average fiscal cost of a complex eviction,Per incident,Local authority,1000,2014/15,,,DCLG 2012,A\n";
        let (costs, _) = read_unit_costs("lib.csv", lib.as_bytes()).unwrap();
        let lookup = |code: &str| costs.iter().find(|c| c.code == code).cloned();
        let deflators = Deflators::from_csv(
            "d.csv",
            b"fin_year,pct_change_on_previous_year\n2014/15,1.7\n2015/16,1.4\n",
        )
        .unwrap();
        let a = Appraisal::from_toml(
            "a.toml",
            r#"
name = "Debt advice"
price_base = "2015/16"
[[costs]]
agency = "Local authority"
amount = 1000
[[outcomes]]
name = "Evictions avoided"
count = 10
optimism_bias = 0
[[outcomes.values]]
cost_code = "HO1.0"
kind = "fiscal"
once = true
"#,
        )
        .unwrap();
        let r = results(&resolve(&a, &lookup, Some(&deflators)).unwrap());
        let e = &r.evidence[0];
        assert_eq!(e.stated, 1000.0);
        close(e.amount, 1014.0, "uprated by 1.4%");
        assert_eq!(e.agency.as_deref(), Some("Local authority"));
        assert_eq!(e.source, "DCLG 2012");
        close(r.central.pv_fiscal, 10_140.0, "ten evictions in year 0");
        assert_eq!(r.central.payback_year, Some(0));

        // No economic value for HO1.0 in the library: the error says so.
        let mut b = a.clone();
        b.outcomes[0].values[0].kind = ValueKind::Economic;
        let e = resolve(&b, &lookup, Some(&deflators))
            .unwrap_err()
            .to_string();
        assert!(e.contains("HO1.0 has no economic value"), "{e}");
        // Unknown code; missing deflators.
        b.outcomes[0].values[0].cost_code = Some("XX9".into());
        assert!(
            resolve(&b, &lookup, Some(&deflators))
                .unwrap_err()
                .to_string()
                .contains("XX9 is not in the unit cost library")
        );
        assert!(
            resolve(&a, &lookup, None)
                .unwrap_err()
                .to_string()
                .contains("no deflator table")
        );
    }

    /// A small random appraisal: costs in years 0–4 by two agencies, outcomes with random effects and
    /// non-negative values of every kind.
    fn arb_appraisal() -> impl Strategy<Value = Appraisal> {
        let cost = (
            0u32..5,
            0.0f64..1e6,
            0usize..2,
            proptest::option::of(1u8..7),
        );
        let value = (
            0usize..3,
            0.0f64..1e5,
            any::<bool>(),
            0.0f64..=1.0,
            any::<bool>(),
        );
        let outcome = (
            0.0f64..500.0,
            0.0f64..=1.0,
            0.0f64..=1.0,
            0.0f64..=1.0,
            (0.0f64..=1.0, 0.0f64..=0.5, 0u32..3, 1u32..6, 0.0f64..=1.0),
            proptest::collection::vec(value, 1..4),
        );
        (proptest::collection::vec(cost, 1..5), proptest::collection::vec(outcome, 1..4), 0u32..2).prop_map(
            |(costs, outcomes, year)| {
                let mut t = String::from("name = \"p\"\nprice_base = \"2019/20\"\n");
                for (y, amount, agency, grade) in costs {
                    t += &format!("[[costs]]\nagency = \"{}\"\nyear = {y}\namount = {amount}\n", ["Council", "NHS"][agency]);
                    if let Some(g) = grade {
                        t += &format!("confidence = {g}\n");
                    }
                }
                for (i, (cohort, eng, succ, dw, (attr, disp, lag, dur, drop), values)) in outcomes.into_iter().enumerate() {
                    t += &format!(
                        "[[outcomes]]\nname = \"o{i}\"\ncohort = {cohort}\nyear = {year}\nengagement = {eng}\nsuccess = {succ}\n\
                         deadweight = {dw}\nattribution = {attr}\ndisplacement = {disp}\nlag = {lag}\nduration = {dur}\ndrop_off = {drop}\n"
                    );
                    for (kind, amount, transfer, cashable, once) in values {
                        let kind = ["fiscal", "economic", "social"][kind];
                        t += &format!("[[outcomes.values]]\nkind = \"{kind}\"\namount = {amount}\nonce = {once}\n");
                        if kind == "fiscal" {
                            t += &format!("agency = \"DWP\"\ntransfer = {transfer}\ncashable = {cashable}\n");
                        }
                    }
                }
                Appraisal::from_toml("gen.toml", &t).unwrap()
            },
        )
    }

    fn rel(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Present values scale linearly with costs and with values.
        #[test]
        fn present_values_are_linear(a in arb_appraisal(), k in 0.01f64..100.0) {
            let base = results(&resolve(&a, &no_library, None).unwrap()).central;
            let mut costs = a.clone();
            for c in &mut costs.costs { c.amount *= k; }
            let scaled = results(&resolve(&costs, &no_library, None).unwrap()).central;
            prop_assert!(rel(scaled.pv_costs, k * base.pv_costs));
            prop_assert!(rel(scaled.pv_fiscal, base.pv_fiscal));
            let mut values = a.clone();
            for o in &mut values.outcomes { for v in &mut o.values { v.amount = v.amount.map(|x| x * k); } }
            let scaled = results(&resolve(&values, &no_library, None).unwrap()).central;
            prop_assert!(rel(scaled.pv_costs, base.pv_costs));
            prop_assert!(rel(scaled.pv_fiscal, k * base.pv_fiscal));
            prop_assert!(rel(scaled.pv_economic, k * base.pv_economic));
            prop_assert!(rel(scaled.pv_social, k * base.pv_social));
            prop_assert!(rel(scaled.public_value, k * base.public_value));
            prop_assert!(rel(scaled.pv_cashable, k * base.pv_cashable));
            for (agency, pv) in &base.pv_fiscal_by_agency {
                prop_assert!(rel(scaled.pv_fiscal_by_agency[agency], k * pv));
            }
        }

        /// Raising any outcome's deadweight never raises benefits or net outcomes.
        #[test]
        fn more_deadweight_never_more_benefit(a in arb_appraisal(), which in 0usize..4, extra in 0.0f64..=1.0) {
            let before = results(&resolve(&a, &no_library, None).unwrap());
            let mut b = a.clone();
            let i = which % b.outcomes.len();
            b.outcomes[i].deadweight = (b.outcomes[i].deadweight + extra).min(1.0);
            let after = results(&resolve(&b, &no_library, None).unwrap());
            let tol = 1e-9;
            prop_assert!(after.central.net_outcomes <= before.central.net_outcomes + tol);
            prop_assert!(after.central.pv_fiscal <= before.central.pv_fiscal * (1.0 + tol) + tol);
            prop_assert!(after.central.public_value <= before.central.public_value * (1.0 + tol) + tol);
            for (x, y) in after.sensitivity.iter().zip(&before.sensitivity) {
                prop_assert!(x.public_value <= y.public_value * (1.0 + tol) + tol, "{}", x.scenario);
            }
            prop_assert!(rel(after.central.pv_costs, before.central.pv_costs));
        }
    }
}

/// The workbook itself reads to the same 683 costs as the flat CSV made from it.
#[test]
fn the_workbook_reads_like_the_csv() {
    let Some(dir) = shared() else { return };
    let (csv, _) = read_unit_costs(
        "ucd",
        &std::fs::read(dir.join("gmca_unit_cost_database_v1_4.csv")).unwrap(),
    )
    .unwrap();
    let (xlsx, report) = levers_appraisal::read_unit_costs_xlsx(
        "ucd.xlsx",
        &std::fs::read(dir.join("gmca-unit-cost-database.xlsx")).unwrap(),
    )
    .unwrap();
    assert!(
        report.rejected.is_empty(),
        "{:?}",
        &report.rejected[..report.rejected.len().min(5)]
    );
    let known: std::collections::HashSet<&str> = csv.iter().map(|c| c.code.as_str()).collect();
    let extra: Vec<(&str, &str)> = xlsx
        .iter()
        .filter(|c| !known.contains(c.code.as_str()))
        .map(|c| (c.theme.as_str(), c.code.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "{} extra: {:?}",
        extra.len(),
        &extra[..extra.len().min(10)]
    );
    assert_eq!(xlsx.len(), 683);
    assert_eq!(report.rows_read, report.costs + report.rows_without_code);
    let mut differences = 0;
    for (a, b) in csv.iter().zip(&xlsx) {
        if a != b {
            differences += 1;
            if differences < 4 {
                eprintln!("CSV  {a:?}\nXLSX {b:?}");
            }
        }
    }
    assert_eq!(differences, 0);
}

/// The workbook's own deflator table (Lookups, columns M:N) equals the CSV made from it.
#[test]
fn the_workbook_carries_its_deflator_table() {
    let Some(dir) = shared() else { return };
    let csv = Deflators::from_csv(
        "d.csv",
        &std::fs::read(dir.join("gmca_ucd_v1_4_gdp_deflator_lookup.csv")).unwrap(),
    )
    .unwrap();
    let xlsx = Deflators::from_xlsx(
        "ucd.xlsx",
        &std::fs::read(dir.join("gmca-unit-cost-database.xlsx")).unwrap(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(xlsx, csv);
    assert_eq!(xlsx.years().count(), 31);
}

/// Hostile workbooks at the unit cost library and the deflator reader: refused with an error, never
/// a dense sheet reserved from a far corner or a part inflated past what it declares.
mod hostile {
    use levers_xlsx::read::crafted::{lie_about_size, sheet_xml, xlsx};

    fn far_corner(sheet: &str) -> Vec<u8> {
        let rows = concat!(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Outcome category</t></is></c><c r="C1" t="inlineStr"><is><t>Cost code</t></is></c></row>"#,
            r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#
        );
        xlsx(&[(sheet, &sheet_xml(Some("A1:XFD1048576"), rows))], true)
    }

    #[test]
    fn a_far_corner_cell_does_not_reserve_the_sheet() {
        // Before the guarded reader this asked for 512 GB and aborted the process.
        let r = levers_appraisal::read_unit_costs_xlsx("ucd.xlsx", &far_corner("Crime"));
        assert!(r.is_ok(), "{r:?}");
        let r = levers_appraisal::Deflators::from_xlsx("ucd.xlsx", &far_corner("Lookups"));
        assert!(r.is_ok(), "{r:?}");
    }

    #[test]
    fn a_part_inflating_past_its_declared_size_is_refused() {
        let big = sheet_xml(None, &"<row/>".repeat(200_000_000 / 6));
        let book = lie_about_size(
            xlsx(&[("Crime", &big)], true),
            "xl/worksheets/sheet1.xml",
            2048,
        );
        let e = levers_appraisal::read_unit_costs_xlsx("ucd.xlsx", &book).unwrap_err();
        assert!(e.to_string().contains("declares 2048 bytes"), "{e}");
    }
}
