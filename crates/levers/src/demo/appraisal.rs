//! The demo borough's appraisals: a starter unit cost library (eleven values from the Unit Cost
//! Database v1.4, CC BY 4.0), its GDP deflator table, three appraised interventions of a community
//! budget, and the pooled budget that funds them.

use levers_appraisal::pooled::Funds;
use levers_appraisal::{Appraisal, Deflators, LibraryReport, Rag, UnitCost, ValueAt};
use levers_core::{FinancialYear, Money};
use levers_store::{Actor, Store, StoreError};

/// Attribution for the starter values.
pub const UCD_CREDIT: &str = "Unit Cost Database v1.4 (2015), © New Economy / Greater Manchester Combined Authority, CC BY 4.0";

/// The Unit Cost Database v1.4's own GDP deflator table (HM Treasury GDP deflators, March 2015
/// Budget): percentage change on the year before, 1989/90 to 2019/20.
const DEFLATORS: [(i32, f64); 31] = [
    (1989, 7.79),
    (1990, 8.27),
    (1991, 5.868),
    (1992, 2.547),
    (1993, 2.452),
    (1994, 1.183),
    (1995, 2.914),
    (1996, 4.234),
    (1997, 1.781),
    (1998, 1.587),
    (1999, 1.043),
    (2000, 2.296),
    (2001, 1.516),
    (2002, 2.632),
    (2003, 2.036),
    (2004, 3.153),
    (2005, 2.794),
    (2006, 2.711),
    (2007, 2.926),
    (2008, 2.51),
    (2009, 2.585),
    (2010, 2.768),
    (2011, 1.79),
    (2012, 1.614),
    (2013, 2.123),
    (2014, 1.7),
    (2015, 1.4),
    (2016, 1.2),
    (2017, 1.6),
    (2018, 2.1),
    (2019, 2.6),
];

/// (code, theme, detail, description, unit, agency, fiscal, fiscal year, economic, social, year of
/// economic and social, source, RAG), as the Unit Cost Database v1.4 gives them.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    i32,
    Option<f64>,
    Option<f64>,
    i32,
    &'static str,
    Rag,
);

const STARTER: [Row; 11] = [
    (
        "E&E3.0",
        "Employment & Economy",
        "BENEFITS",
        "Income Support Fiscal and economic benefit from a workless claimant entering work",
        "Per claimant per year",
        "Multiple",
        7570.0,
        2012,
        Some(8701.0),
        None,
        2012,
        "DWP modelling (unpublished)",
        Rag::Green,
    ),
    (
        "E&E3.0.1",
        "Employment & Economy",
        "BENEFITS",
        "Income Support Fiscal benefit from a workless claimant entering work - benefits payments",
        "Per claimant per year",
        "DWP",
        7004.0,
        2012,
        None,
        None,
        2012,
        "DWP modelling (unpublished)",
        Rag::Green,
    ),
    (
        "E&E3.0.2",
        "Employment & Economy",
        "BENEFITS",
        "Income Support Fiscal benefit from a workless claimant entering work - improved health",
        "Per claimant per year",
        "NHS",
        566.0,
        2012,
        None,
        None,
        2012,
        "DWP modelling (unpublished)",
        Rag::Green,
    ),
    (
        "SS1.0",
        "Social Services",
        "LOOKED AFTER CHILDREN",
        "Child taken into care - average fiscal cost across different types of care setting, England, per year",
        "Per year",
        "Local Authority",
        51080.0,
        2013,
        None,
        None,
        2013,
        "DfE Section 251 data on LAC cost and 903 return data on number of LAC",
        Rag::Amber,
    ),
    (
        "E&S1.0.1",
        "Education & Skills",
        "TRUANCY",
        "Persistent truancy (missing at least five weeks of school per year) - provision of alternative education, per individual per effective year (see comments)",
        "Per person per year",
        "Local Authority",
        706.0,
        2005,
        None,
        None,
        2005,
        "Misspent Youth (2007)",
        Rag::Amber,
    ),
    (
        "CR2.0",
        "Crime",
        "DOMESTIC VIOLENCE",
        "Domestic violence - average cost per incident (fiscal, economic and social values)",
        "Per incident",
        "Multiple",
        2470.0,
        2008,
        Some(1473.0),
        Some(6795.0),
        2008,
        "Sylvia Walby - The Cost of Domestic violence, update (2009), p.8",
        Rag::Amber,
    ),
    (
        "CR2.0.1",
        "Crime",
        "DOMESTIC VIOLENCE",
        "Domestic violence - fiscal cost per incident: health",
        "Per incident",
        "NHS",
        1171.0,
        2008,
        None,
        None,
        2008,
        "Sylvia Walby - The Cost of Domestic violence, update (2009), p.8",
        Rag::Amber,
    ),
    (
        "CR2.0.3",
        "Crime",
        "DOMESTIC VIOLENCE",
        "Domestic violence - fiscal cost per incident: police",
        "Per incident",
        "Police",
        415.0,
        2008,
        None,
        None,
        2008,
        "Sylvia Walby - The Cost of Domestic violence, update (2009), p.8",
        Rag::Amber,
    ),
    (
        "CR2.0.4",
        "Crime",
        "DOMESTIC VIOLENCE",
        "Domestic violence - fiscal cost per incident: local authority, social services (children)",
        "Per incident",
        "Local Authority",
        193.0,
        2008,
        None,
        None,
        2008,
        "Sylvia Walby - The Cost of Domestic violence, update (2009), p.8",
        Rag::Amber,
    ),
    (
        "HO1.0",
        "Housing",
        "EVICTION",
        "Average fiscal cost of a complex eviction",
        "Per incident",
        "Local authority",
        6680.0,
        2010,
        None,
        None,
        2010,
        "Research briefing: Immediate costs to government of loss of home (Shelter, 2012), p.6",
        Rag::Amber,
    ),
    (
        "HO3.0",
        "Housing",
        "HOMELESSNESS",
        "Homelessness application - average one-off and on-going costs associated with statutory homelessness",
        "Per application",
        "Local authority",
        2501.0,
        2010,
        None,
        None,
        2010,
        "Research briefing: Immediate costs to government of loss of home (Shelter, 2012), p.7",
        Rag::Amber,
    ),
];

fn fy(start: i32) -> FinancialYear {
    FinancialYear::starting(start).expect("a year levers handles")
}

fn starter_library() -> Vec<UnitCost> {
    STARTER
        .iter()
        .map(
            |&(
                code,
                theme,
                detail,
                description,
                unit,
                agency,
                fiscal,
                fyear,
                economic,
                social,
                eyear,
                source,
                rag,
            )| UnitCost {
                code: code.into(),
                theme: theme.into(),
                category: theme.to_uppercase(),
                detail: detail.into(),
                description: description.into(),
                unit: unit.into(),
                agency: agency.into(),
                agency_detail: String::new(),
                fiscal: Some(ValueAt {
                    amount: fiscal,
                    price_year: fy(fyear),
                    stated_2015_16: None,
                }),
                economic: economic.map(|amount| ValueAt {
                    amount,
                    price_year: fy(eyear),
                    stated_2015_16: None,
                }),
                social: social.map(|amount| ValueAt {
                    amount,
                    price_year: fy(eyear),
                    stated_2015_16: None,
                }),
                source: source.into(),
                rag,
                comment: format!("Starter value for the levers demo. {UCD_CREDIT}."),
            },
        )
        .collect()
}

/// The three interventions, in the documented TOML format.
const INTERVENTIONS: [&str; 3] = [
    include_str!("../../../../docs/appraisal-example.toml"),
    r#"
name = "Family Futures: intensive family support"
description = "A key worker stays with a family in crisis for a year, joining up social care, schools, health and the police."
price_base = "2019/20"
first_year = "2025/26"

[[costs]]
description = "Key workers and flexible budget"
agency = "Local authority"
year = 0
amount = 120000
confidence = 3

[[costs]]
description = "Key workers and flexible budget"
agency = "Local authority"
year = 1
amount = 120000
confidence = 3

[[costs]]
description = "Family mental health practitioner"
agency = "NHS"
year = 0
amount = 20000
confidence = 2

[[outcomes]]
name = "Children kept safely out of care"
count = [4, 4]
deadweight = 0.40
attribution = 0.70
confidence = 4
duration = 2
drop_off = 0.20
evidence = "Local case review of 30 families, 2024/25"

[[outcomes.values]]
cost_code = "SS1.0"
kind = "fiscal"
cashable = 0.5

[[outcomes]]
name = "Domestic violence incidents avoided"
count = [15, 15]
deadweight = 0.30
attribution = 0.60
confidence = 4
evidence = "Police call-outs to the families before and after"

[[outcomes.values]]
cost_code = "CR2.0.1"
kind = "fiscal"

[[outcomes.values]]
cost_code = "CR2.0.3"
kind = "fiscal"

[[outcomes.values]]
cost_code = "CR2.0.4"
kind = "fiscal"

[[outcomes.values]]
cost_code = "CR2.0"
kind = "social"

[[outcomes.values]]
cost_code = "CR2.0"
kind = "economic"

[[outcomes]]
name = "Persistent truancy ended"
count = [10, 10]
deadweight = 0.25
attribution = 0.80
confidence = 3
evidence = "School attendance records"

[[outcomes.values]]
cost_code = "E&S1.0.1"
kind = "fiscal"
"#,
    r#"
name = "Money Matters: debt and housing advice"
description = "Advice workers in GP surgeries and community centres help residents with debt and rent arrears before a crisis."
price_base = "2019/20"
first_year = "2025/26"

[[costs]]
description = "Three advice workers"
agency = "Local authority"
year = 0
amount = 45000
confidence = 2

[[costs]]
description = "Three advice workers"
agency = "Local authority"
year = 1
amount = 45000
confidence = 2

[[costs]]
description = "Surgery rooms and referrals"
agency = "NHS"
year = 0
amount = 8000
confidence = 2

[[outcomes]]
name = "Evictions avoided"
count = [25, 25]
deadweight = 0.35
attribution = 0.80
confidence = 3
evidence = "Advice agency case records, checked against court listings"

[[outcomes.values]]
cost_code = "HO1.0"
kind = "fiscal"
once = true
cashable = 0.3

[[outcomes]]
name = "Homelessness applications avoided"
count = [12, 12]
deadweight = 0.35
attribution = 0.80
confidence = 3

[[outcomes.values]]
cost_code = "HO3.0"
kind = "fiscal"
once = true
cashable = 0.3
"#,
];

/// Installs the starter library, the deflators, the three appraisals (updated in place on a
/// refresh) and the pooled budget (set up once).
/// The pool line that funds the demo's community budget vote (`demo.rs` links the two).
pub const VOTE_LINE: &str = "Neighbourhood community budget vote";

pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let costs = starter_library();
    let report = LibraryReport {
        rows_read: costs.len() as u64,
        costs: costs.len() as u64,
        rows_without_code: 0,
        rejected: Vec::new(),
    };
    store
        .import_unit_costs(
            actor,
            "Demo starter (Unit Cost Database v1.4)",
            "levers demo",
            &costs,
            &report,
        )
        .await?;
    store
        .import_deflators(
            actor,
            "Unit Cost Database v1.4 deflator table",
            &Deflators::from_pairs(DEFLATORS.iter().map(|(y, p)| (fy(*y), *p))),
        )
        .await?;
    let existing = store.appraisals().await?;
    let mut ids = Vec::new();
    for (i, text) in INTERVENTIONS.iter().enumerate() {
        let model = Appraisal::from_toml(&format!("demo intervention {}", i + 1), text)?;
        let id = existing
            .iter()
            .find(|a| a.model.name == model.name)
            .map(|a| a.id);
        ids.push(store.save_appraisal(actor, id, &model).await?);
    }
    let pool_name = "Levermouth Together (section 75 pooled budget)";
    if store.pools().await?.iter().any(|(_, n)| n == pool_name) {
        return Ok(());
    }
    let pool = match store.create_pool(actor, pool_name).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let partners = [
        (
            "Levermouth Borough Council",
            vec!["Local authority".to_string()],
            [250_000, 240_000],
        ),
        (
            "NHS Levermouth Integrated Care Board",
            vec!["NHS".into()],
            [80_000, 85_000],
        ),
        ("Levermouth Police", vec!["Police".into()], [30_000, 30_000]),
    ];
    for (name, agencies, amounts) in partners {
        let id = store.add_pool_partner(actor, pool, name, &agencies).await?;
        for (k, pounds) in amounts.iter().enumerate() {
            store
                .set_pool_contribution(
                    actor,
                    id,
                    fy(2025 + k as i32),
                    Money::from_pounds(*pounds).expect("small"),
                )
                .await?;
        }
    }
    // Plan and spend by quarter: 2025/26 in full, 2026/27 to the second quarter (the third is under way).
    // (name, what it funds, the appraisal it carries out, plan by quarter, spend by quarter), £.
    type Line<'a> = (&'a str, Funds, Option<i64>, [i64; 8], [i64; 6]);
    let lines: [Line; 4] = [
        (
            "Levermouth Works",
            Funds::Intervention,
            Some(ids[0]),
            [24_000; 8],
            [18_000, 22_500, 25_000, 26_500, 24_000, 23_000],
        ),
        (
            "Family Futures",
            Funds::Intervention,
            Some(ids[1]),
            [36_000; 8],
            [31_000, 36_500, 38_000, 37_000, 35_000, 36_200],
        ),
        (
            "Money Matters",
            Funds::Intervention,
            Some(ids[2]),
            [13_500; 8],
            [9_000, 12_500, 14_000, 15_500, 13_000, 14_100],
        ),
        (
            VOTE_LINE,
            Funds::PbProcess,
            None,
            [0, 0, 60_000, 0, 0, 0, 60_000, 0],
            [0, 0, 57_400, 0, 0, 0],
        ),
    ];
    for (name, funds, appraisal, plan, spend) in lines {
        let line = store
            .add_pool_line(actor, pool, name, funds, appraisal)
            .await?;
        for q in 0..8usize {
            let year = fy(2025 + (q / 4) as i32);
            let quarter = (q % 4) as u8 + 1;
            let spent = spend.get(q).copied().unwrap_or(0);
            let plan = Money::from_pounds(plan[q]).expect("small");
            store
                .set_pool_quarter(
                    actor,
                    line,
                    year,
                    quarter,
                    plan,
                    Money::from_pounds(spent).expect("small"),
                )
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_appraisal::{resolve, results};

    /// Every demo intervention resolves against the starter library and tells the story it should:
    /// positive public value, with the council in the wrong pocket for employment support.
    #[test]
    fn the_demo_interventions_compute_with_the_starter_library() {
        let costs = starter_library();
        let lookup = |code: &str| costs.iter().find(|c| c.code == code).cloned();
        let deflators = Deflators::from_pairs(DEFLATORS.iter().map(|(y, p)| (fy(*y), *p)));
        for text in INTERVENTIONS {
            let model = Appraisal::from_toml("demo", text).unwrap();
            let r = results(&resolve(&model, &lookup, Some(&deflators)).unwrap());
            assert!(
                r.central.net_outcomes > 0.0 && r.central.public_value > 0.0,
                "{}",
                r.name
            );
            assert!(!r.evidence.is_empty());
        }
        let works = Appraisal::from_toml("demo", INTERVENTIONS[0]).unwrap();
        let r = results(&resolve(&works, &lookup, Some(&deflators)).unwrap());
        assert!(
            r.central
                .agencies
                .iter()
                .any(|a| a.agency == "Local authority" && a.wrong_pocket)
        );
    }
}
