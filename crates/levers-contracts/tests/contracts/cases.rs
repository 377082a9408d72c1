//! The hand-worked cases of issue 16: a below-threshold contract in a leaking sector with local
//! suppliers; an above-threshold one; one with no local supplier. Every figure is worked by hand
//! in the comments.

use levers_contracts::advice::{AdviceContext, advise};
use levers_contracts::mapping::Mapping;
use levers_contracts::matching::{Candidate, matches};
use levers_contracts::pipeline::{LeakingSector, PipelineOptions, Why, pipeline};
use levers_contracts::thresholds::Thresholds;
use levers_contracts::{Contract, Stage};
use levers_core::Money;
use time::macros::date;

fn borough() -> Vec<Candidate> {
    vec![
        Candidate {
            key: "greenbin".into(),
            name: "Greenbin Recycling Ltd".into(),
            local: true,
            wider: true,
            size: Some("sme".into()),
            spend_pence: 42_000_00,
            categories: vec![("Waste Management".into(), 42_000_00)],
            sic_codes: vec!["38110".into()],
            ..Candidate::default()
        },
        Candidate {
            key: "tidy".into(),
            name: "Tidy Streets CIC".into(),
            wider: true,
            vcse: true,
            spend_pence: 9_000_00,
            categories: vec![("Recycling collections".into(), 9_000_00)],
            ..Candidate::default()
        },
        Candidate {
            key: "bigco".into(),
            name: "National Waste plc".into(),
            size: Some("large".into()),
            spend_pence: 900_000_00,
            categories: vec![("Waste Management".into(), 900_000_00)],
            sic_codes: vec!["38110".into()],
            ..Candidate::default()
        },
        Candidate {
            key: "homecare".into(),
            name: "Levermouth Home Care Ltd".into(),
            local: true,
            wider: true,
            size: Some("sme".into()),
            spend_pence: 60_000_00,
            categories: vec![("Adult Social Care: Home Care".into(), 60_000_00)],
            sic_codes: vec!["88100".into()],
            ..Candidate::default()
        },
    ]
}

fn ctx(t: &Thresholds) -> AdviceContext<'_> {
    AdviceContext {
        on: date!(2026 - 12 - 01),
        area_name: "Levermouth and its bordering counties",
        thresholds: t,
    }
}

#[test]
fn below_threshold_in_a_leaking_sector_with_local_suppliers() {
    let c = Contract {
        key: "register:LBC:W-1".into(),
        title: "Household recycling collections".into(),
        stage: Stage::Contract,
        cpv: vec!["90500000".into()],
        value_net: Money::from_pounds(150_000),
        value_gross: Money::from_pounds(180_000),
        start: Some(date!(2024 - 01 - 01)),
        end: Some(date!(2027 - 09 - 30)),
        ..Contract::default()
    };
    let mut opts = PipelineOptions::new(date!(2026 - 12 - 01));
    opts.leaking = vec![LeakingSector {
        sector: "Waste Management".into(),
        analysed_pence: 1_000_000_00,
        leakage_pence: 800_000_00,
        leakage_share: 0.8,
    }];
    let later = Contract {
        key: "register:LBC:X".into(),
        title: "Printer paper".into(),
        cpv: vec!["30190000".into()],
        end: Some(date!(2027 - 01 - 31)),
        ..Contract::default()
    };
    let ops = pipeline(&[later, c.clone()], &Mapping::default(), &opts);
    // Ends 30/09/2027, within 18 months of 01/12/2026 (to 01/06/2028); waste leaks, so it is first
    // although the paper contract ends sooner.
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[0].key, c.key);
    assert_eq!(ops[0].why, Why::Ending);
    assert!(ops[0].leak.as_ref().unwrap().reason().starts_with("80% of"));

    let m = matches(&c.key, &c.cpv, &Mapping::default(), &borough(), &[]);
    let keys: Vec<&str> = m.iter().map(|x| x.key.as_str()).collect();
    // Greenbin: local, SIC 38110 is division 38 (refuse, CPV 905 → 38): 3; spend on "Waste
    // Management" matches the keyword "waste": 2; an SME: 1 → 6. Tidy Streets: wider area, spend
    // on "Recycling collections" ("recycling"): 2, a VCSE: 1 → 3. National Waste is outside the area.
    assert_eq!(keys, vec!["greenbin", "tidy"]);
    assert_eq!((m[0].score, m[1].score), (6, 3));

    let t = Thresholds::default();
    let a = advise(&c, &m, &ctx(&t));
    // £180,000 including VAT < £207,720 (sub-central goods and services from 1 January 2026) and
    // ≥ £30,000: a regulated below-threshold contract, which may be reserved.
    assert_eq!(a.kind, "goods_services_sub_central");
    assert_eq!(
        a.threshold.as_ref().unwrap().amount,
        Money::from_pounds(207_720).unwrap()
    );
    assert_eq!(a.value_incl_vat, Money::from_pounds(180_000));
    assert!(!a.vat_estimated);
    assert_eq!(a.below_threshold, Some(true));
    assert!(a.regulated_below_threshold);
    assert!(a.may_reserve_local && a.may_reserve_sme_vcse);
    // £150,000 over 3.75 years is £40,000 a year, under 4 × the local median of £42,000: no lots.
    assert!(a.lotting.is_none());
    let headings: Vec<&str> = a.points.iter().map(|p| p.heading.as_str()).collect();
    assert_eq!(
        headings,
        vec![
            "Below the threshold",
            "Reserve it for suppliers in the area",
            "Reserve it for SMEs and VCSEs"
        ]
    );
    assert!(
        a.points[1]
            .basis
            .contains("Exclusion of Non-commercial Considerations")
    );
}

#[test]
fn above_threshold_care_contract_gets_lots_not_reservation() {
    let c = Contract {
        key: "ocds:care".into(),
        title: "Home care framework".into(),
        stage: Stage::Tender,
        cpv: vec!["85312000".into()],
        value_net: Money::from_pounds(2_400_000),
        start: Some(date!(2027 - 04 - 01)),
        end: Some(date!(2030 - 03 - 31)),
        tender_end: Some(date!(2027 - 01 - 15)),
        ..Contract::default()
    };
    let m = matches(&c.key, &c.cpv, &Mapping::default(), &borough(), &[]);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].key, "homecare");
    let t = Thresholds::default();
    let a = advise(&c, &m, &ctx(&t));
    // Light touch (CPV 85): £663,540. No gross given: £2,400,000 × 1.2 = £2,880,000, above it.
    assert_eq!(a.kind, "light_touch");
    assert!(a.vat_estimated);
    assert_eq!(a.value_incl_vat, Money::from_pounds(2_880_000));
    assert_eq!(a.below_threshold, Some(false));
    assert!(!a.may_reserve_local && !a.may_reserve_sme_vcse);
    // £2,400,000 over 1,095 days (2.998 years) ≈ £800,500 a year > 4 × £60,000; lots of at most
    // 2 × £60,000: ⌈800,500 / 120,000⌉ = 7.
    let l = a.lotting.as_ref().unwrap();
    assert_eq!(l.lots, 7);
    assert_eq!(l.typical_local_a_year, Money::from_pounds(60_000).unwrap());
    let lot = l.lot_value_a_year.pence();
    assert!((114_000_00..=114_500_00).contains(&lot), "{lot}");
    let headings: Vec<&str> = a.points.iter().map(|p| p.heading.as_str()).collect();
    assert_eq!(headings, vec!["Above the threshold", "Divide it into lots"]);
    assert!(a.points[0].basis.contains("section"));
}

#[test]
fn no_local_supplier_says_engage_the_market_first() {
    let c = Contract {
        key: "register:LBC:IT".into(),
        title: "Case management software".into(),
        cpv: vec!["72000000".into()],
        value_net: Money::from_pounds(100_000),
        value_gross: Money::from_pounds(120_000),
        end: Some(date!(2027 - 06 - 30)),
        ..Contract::default()
    };
    let m = matches(&c.key, &c.cpv, &Mapping::default(), &borough(), &[]);
    assert!(m.is_empty());
    let t = Thresholds::default();
    let a = advise(&c, &m, &ctx(&t));
    assert_eq!(a.below_threshold, Some(true));
    assert!(!a.may_reserve_local && !a.may_reserve_sme_vcse);
    assert!(a.points[1].text.contains("found no supplier there"));
    assert!(a.lotting.is_none());
}
