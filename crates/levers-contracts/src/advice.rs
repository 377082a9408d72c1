//! How to buy it so local suppliers can: whether a contract is below the Procurement Act 2023
//! thresholds (dated data, with the regulated below-threshold floors), whether it may be reserved for
//! suppliers in the area and bordering counties and/or for SMEs and VCSEs, and a lotting suggestion
//! where local suppliers' typical size is far below the contract's. Plain English, each point with
//! its legal basis and the figures it used.

use levers_core::Money;
use serde::Serialize;
use time::Date;

use crate::matching::Match;
use crate::model::Contract;
use crate::thresholds::{Threshold, Thresholds};

/// One point of advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    pub heading: String,
    pub text: String,
    pub basis: String,
    /// (what, figure) pairs the point used.
    pub figures: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lotting {
    pub lots: u32,
    pub lot_value_a_year: Money,
    pub typical_local_a_year: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    pub kind: String,
    pub threshold: Option<Threshold>,
    /// The value compared with thresholds (including VAT), and whether VAT was added by levers.
    pub value_incl_vat: Option<Money>,
    pub vat_estimated: bool,
    pub below_threshold: Option<bool>,
    pub regulated_below_threshold: bool,
    pub may_reserve_local: bool,
    pub may_reserve_sme_vcse: bool,
    pub lotting: Option<Lotting>,
    pub points: Vec<Point>,
}

/// What the advice needs about the council.
#[derive(Debug, Clone)]
pub struct AdviceContext<'a> {
    /// The date thresholds are taken on (normally today).
    pub on: Date,
    /// The council's area for reservation ("Levermouth and its bordering counties").
    pub area_name: &'a str,
    pub thresholds: &'a Thresholds,
}

/// Which threshold applies: works (CPV 45 or main category works), light touch (the notice says
/// so, or health, social care and education services: CPV 85 and 80), else goods and services for
/// a sub-central authority (a council).
pub fn contract_kind(c: &Contract) -> &'static str {
    if c.special_regime.iter().any(|s| s == "lightTouch") {
        "light_touch"
    } else if c.main_category == "works" || c.cpv.iter().any(|x| x.starts_with("45")) {
        "works"
    } else if c
        .cpv
        .iter()
        .any(|x| x.starts_with("85") || x.starts_with("80"))
    {
        "light_touch"
    } else {
        "goods_services_sub_central"
    }
}

fn years(c: &Contract) -> f64 {
    match (c.start, c.max_extent.or(c.end_date())) {
        (Some(s), Some(e)) if e > s => ((e - s).whole_days() as f64 / 365.25).max(1.0 / 12.0),
        _ => 1.0,
    }
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    Some(v[v.len() / 2])
}

/// The advice for a contract with its matched candidates.
pub fn advise(c: &Contract, matches: &[Match], ctx: &AdviceContext<'_>) -> Advice {
    let kind = contract_kind(c);
    let threshold = ctx.thresholds.on(kind, ctx.on).cloned();
    let floor = ctx.thresholds.on("below_floor_other", ctx.on).cloned();
    let (value, vat_estimated) = match (c.value_gross, c.value_net.or_else(|| c.value())) {
        (Some(g), _) => (Some(g), false),
        (None, Some(n)) => (
            n.checked_mul(6).map(|x| Money::from_pence(x.pence() / 5)),
            true,
        ),
        (None, None) => (None, false),
    };
    let below = match (&threshold, value) {
        (Some(t), Some(v)) => Some(v < t.amount),
        _ => None,
    };
    let regulated = below == Some(true)
        && floor
            .as_ref()
            .zip(value)
            .is_some_and(|(f, v)| v >= f.amount);
    let local: Vec<&Match> = matches.iter().filter(|m| m.local || m.wider).collect();
    let small: Vec<&Match> = matches
        .iter()
        .filter(|m| m.vcse || m.size.as_deref() == Some("sme"))
        .collect();
    let mut points = Vec::new();
    let show = |m: Money| m.to_string();
    let vat_note = if vat_estimated {
        " (the net value plus VAT at 20%, estimated by levers; if the service is exempt from VAT, use the net value)"
    } else {
        ""
    };
    match (&threshold, value, below) {
        (Some(t), Some(v), Some(true)) => points.push(Point {
            heading: "Below the threshold".into(),
            text: format!(
                "At {}{vat_note}, this is below the {} threshold of {}, so the Procurement Act's full procedures do not apply.{}",
                show(v),
                t.label.to_lowercase(),
                show(t.amount),
                if regulated {
                    format!(
                        " At {} or more it is a regulated below-threshold contract: if you advertise it, publish a below-threshold tender notice, do not use a separate selection (pre-qualification) stage, and publish a contract details notice after award.",
                        floor.as_ref().map(|f| show(f.amount)).unwrap_or_default()
                    )
                } else {
                    " It is also under the £30,000 floor for regulated below-threshold contracts, so no notice is required: your contract standing orders apply (quotes from local suppliers are an option).".into()
                }
            ),
            basis: format!("{}; Procurement Act 2023, Part 6 (sections 84-88)", t.source),
            figures: vec![
                ("Value including VAT".into(), show(v)),
                ("Threshold".into(), show(t.amount)),
                ("Regulated below-threshold floor".into(), floor.as_ref().map(|f| show(f.amount)).unwrap_or_default()),
            ],
        }),
        (Some(t), Some(v), Some(false)) => points.push(Point {
            heading: "Above the threshold".into(),
            text: format!(
                "At {}{vat_note}, this is at or above the {} threshold of {}: it is a public contract under the Procurement Act 2023. It cannot be reserved for local suppliers or for SMEs and VCSEs, but you must consider dividing it into lots and have regard to the barriers small businesses and VCSEs face.",
                show(v),
                t.label.to_lowercase(),
                show(t.amount)
            ),
            basis: format!("{}; Procurement Act 2023, sections 12(4) and 18", t.source),
            figures: vec![
                ("Value including VAT".into(), show(v)),
                ("Threshold".into(), show(t.amount)),
            ],
        }),
        _ => points.push(Point {
            heading: "Value not known".into(),
            text: "The contract's value is not recorded, so levers cannot say whether it is below the threshold. Estimate its total value including VAT over its whole life, extensions included.".into(),
            basis: "Procurement Act 2023, Schedule 3 (estimating the value of a contract)".into(),
            figures: vec![],
        }),
    }
    let below_yes = below == Some(true);
    let may_reserve_local = below_yes && !local.is_empty();
    let may_reserve_sme_vcse = below_yes && !small.is_empty();
    if below_yes {
        points.push(Point {
            heading: "Reserve it for suppliers in the area".into(),
            text: if local.is_empty() {
                format!(
                    "You may reserve this competition for suppliers based in {}, but levers found no supplier there with evidence for this kind of work: engage the market first (a meet-the-buyer event) before reserving.",
                    ctx.area_name
                )
            } else {
                format!(
                    "You may reserve this competition for suppliers based in {}: levers found {} there with evidence for this kind of work. Say in the tender notice that it is reserved and define the area.",
                    ctx.area_name,
                    if local.len() == 1 { "1 supplier".to_string() } else { format!("{} suppliers", local.len()) }
                )
            },
            basis: "Local Government (Exclusion of Non-commercial Considerations) (England) Order 2026 (disapplies section 17(5)(e) of the Local Government Act 1988 for below-threshold contracts reserved to the UK or the local area: the authority's area and bordering counties or London boroughs)".into(),
            figures: vec![("Local and wider-area suppliers found".into(), local.len().to_string())],
        });
        points.push(Point {
            heading: "Reserve it for SMEs and VCSEs".into(),
            text: if small.is_empty() {
                "levers found no SME or VCSE with evidence for this work, so reserving it for them risks too few bids.".into()
            } else {
                format!(
                    "You may also reserve it for small and medium-sized enterprises and voluntary, community and social enterprises: {} of the {} suppliers found {} SMEs or VCSEs. Government guidance applies this together with a location reservation.",
                    small.len(),
                    matches.len(),
                    if small.len() == 1 { "is one of" } else { "are" }
                )
            },
            basis: "PPN 005: Reserving below threshold procurements (Cabinet Office, February 2025; central government must consider it, other authorities may apply it)".into(),
            figures: vec![("SMEs and VCSEs found".into(), small.len().to_string())],
        });
    }
    // Lotting: a contract many times the size of what local suppliers typically do for the council.
    let typical = median(
        local
            .iter()
            .map(|m| m.spend_pence)
            .filter(|p| *p > 0)
            .collect(),
    );
    let yrs = years(c);
    let lotting = match (c.value(), typical) {
        (Some(v), Some(t)) if t > 0 => {
            let a_year = (v.pence() as f64 / yrs).round() as i64;
            if a_year > 4 * t {
                let lots = ((a_year as f64) / (2.0 * t as f64)).ceil().clamp(2.0, 10.0) as u32;
                Some(Lotting {
                    lots,
                    lot_value_a_year: Money::from_pence(a_year / i64::from(lots)),
                    typical_local_a_year: Money::from_pence(t),
                })
            } else {
                None
            }
        }
        _ => None,
    };
    if let Some(l) = &lotting {
        points.push(Point {
            heading: "Divide it into lots".into(),
            text: format!(
                "The contract is worth about {} a year, more than four times what the local suppliers found typically receive from the council ({} a year). Dividing it into {} lots of about {} a year, by service or by area, would put it within their reach.",
                show(Money::from_pence(i64::from(l.lots) * l.lot_value_a_year.pence())),
                show(l.typical_local_a_year),
                l.lots,
                show(l.lot_value_a_year)
            ),
            basis: "Procurement Act 2023, section 18 (duty to consider lots) for public contracts; good practice below the threshold".into(),
            figures: vec![
                ("Contract value a year".into(), show(Money::from_pence(i64::from(l.lots) * l.lot_value_a_year.pence()))),
                ("Typical local supplier a year (median)".into(), show(l.typical_local_a_year)),
                ("Years".into(), format!("{yrs:.1}")),
            ],
        });
    }
    Advice {
        kind: kind.into(),
        threshold,
        value_incl_vat: value,
        vat_estimated,
        below_threshold: below,
        regulated_below_threshold: regulated,
        may_reserve_local,
        may_reserve_sme_vcse,
        lotting,
        points,
    }
}
