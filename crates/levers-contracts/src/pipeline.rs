//! The pipeline: every contract that ends, or reaches a renewal decision, within the horizon, and
//! every planned or open procurement, as an opportunity on a timeline. Opportunities in sectors the
//! procurement analysis found leaking out of the area come first, with that reason.

use levers_core::Money;
use serde::Serialize;
use time::{Date, Month};

use crate::mapping::{Mapping, words};
use crate::model::{Contract, Source, Stage, opt_date};

/// The default horizon: 18 months.
pub const DEFAULT_HORIZON_MONTHS: u32 = 18;

/// A sector the procurement analysis found leaking out of the area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakingSector {
    pub sector: String,
    pub analysed_pence: i64,
    pub leakage_pence: i64,
    /// Leakage as a share of the sector's analysed spend, in [0, 1].
    pub leakage_share: f64,
}

#[derive(Debug, Clone)]
pub struct PipelineOptions {
    pub today: Date,
    pub horizon_months: u32,
    pub leaking: Vec<LeakingSector>,
    /// A sector counts as leaking from this share of its spend going outside the wider area.
    pub leak_share: f64,
}

impl PipelineOptions {
    pub fn new(today: Date) -> PipelineOptions {
        PipelineOptions {
            today,
            horizon_months: DEFAULT_HORIZON_MONTHS,
            leaking: Vec::new(),
            leak_share: 0.5,
        }
    }
}

/// Why a contract is an opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Planned (pipeline, market engagement, planned procurement).
    Planned,
    /// Open for bids now.
    Open,
    /// Reaches a decision to extend or re-procure.
    RenewalDecision,
    /// Ends (no extension left).
    Ending,
}

impl Why {
    pub fn label(self) -> &'static str {
        match self {
            Why::Planned => "Planned procurement",
            Why::Open => "Open for bids",
            Why::RenewalDecision => "Renewal decision due",
            Why::Ending => "Contract ends",
        }
    }
}

/// Why an opportunity comes first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leak {
    pub sector: String,
    pub leakage_share: f64,
    pub leakage_pence: i64,
    /// The words that tied the contract to the sector.
    pub matched_by: String,
}

impl Leak {
    pub fn reason(&self) -> String {
        format!(
            "{:.0}% of the council's spend on {} goes to suppliers outside the wider area ({}); matched by \"{}\"",
            self.leakage_share * 100.0,
            self.sector,
            Money::from_pence(self.leakage_pence),
            self.matched_by
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opportunity {
    pub key: String,
    pub title: String,
    pub buyer: String,
    pub department: String,
    pub source: Source,
    pub stage: Stage,
    pub why: Why,
    /// When it matters: bids close, the renewal decision, the end, or the planned start.
    #[serde(with = "opt_date")]
    pub date: Option<Date>,
    pub value: Option<Money>,
    pub cpv: Vec<String>,
    /// The CPV heading (mapping) or the register's category.
    pub category: String,
    pub notice_type: Option<String>,
    pub url: Option<String>,
    pub leak: Option<Leak>,
    pub suppliers: Vec<String>,
}

/// `d` plus `months` calendar months (the day clamped to the month's length).
pub fn add_months(d: Date, months: u32) -> Date {
    shift_months(d, i32::try_from(months).unwrap_or(i32::MAX / 24))
}

/// `d` moved by `months` calendar months, forwards or back (the day clamped to the month's length).
pub fn shift_months(d: Date, months: i32) -> Date {
    let total = d.year() * 12 + (d.month() as i32 - 1) + months;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
    let month = Month::try_from(m).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, y);
    Date::from_calendar_date(y, month, d.day().min(last)).unwrap_or(d)
}

fn leak_for(c: &Contract, mapping: &Mapping, opts: &PipelineOptions) -> Option<Leak> {
    let cat = words(&c.category);
    let mut best: Option<Leak> = None;
    for s in &opts.leaking {
        if s.leakage_share < opts.leak_share || s.leakage_pence <= 0 {
            continue;
        }
        let sector = words(&s.sector);
        let by = if !c.category.is_empty() && sector.trim() == cat.trim() {
            Some(c.category.clone())
        } else {
            mapping.keyword_in(&c.cpv, &s.sector).map(str::to_string)
        };
        if let Some(by) = by
            && best
                .as_ref()
                .is_none_or(|b| s.leakage_pence > b.leakage_pence)
        {
            best = Some(Leak {
                sector: s.sector.clone(),
                leakage_share: s.leakage_share,
                leakage_pence: s.leakage_pence,
                matched_by: by,
            });
        }
    }
    best
}

/// Whether and why a contract is an opportunity, and its date.
pub fn classify(c: &Contract, today: Date, until: Date) -> Option<(Why, Option<Date>)> {
    let within = |d: Date| today <= d && d <= until;
    match c.stage {
        Stage::Cancelled => None,
        Stage::Planning => {
            let d = c.tender_end.or(c.start);
            (d.is_none_or(|d| d >= today && d <= until)).then_some((Why::Planned, d))
        }
        Stage::Tender => match c.tender_end {
            Some(d) if d < today => None,
            d => Some((Why::Open, d)),
        },
        Stage::Award | Stage::Contract | Stage::Implementation => {
            let end = c.end_date();
            if let Some(r) = c.review
                && within(r)
            {
                return Some((Why::RenewalDecision, Some(r)));
            }
            match (end, c.max_extent) {
                (Some(e), Some(m)) if m > e && within(e) => Some((Why::RenewalDecision, Some(e))),
                (Some(e), _) if within(e) => Some((Why::Ending, Some(e))),
                (Some(e), Some(m)) if e < today && within(m) => Some((Why::Ending, Some(m))),
                (None, Some(m)) if within(m) => Some((Why::Ending, Some(m))),
                _ => None,
            }
        }
    }
}

/// The opportunities among `contracts`, leaking sectors first (by leakage, largest first), then by date.
pub fn pipeline(
    contracts: &[Contract],
    mapping: &Mapping,
    opts: &PipelineOptions,
) -> Vec<Opportunity> {
    let until = add_months(opts.today, opts.horizon_months);
    let mut out: Vec<Opportunity> = contracts
        .iter()
        .filter_map(|c| {
            let (why, date) = classify(c, opts.today, until)?;
            let category = mapping
                .label(&c.cpv)
                .map(str::to_string)
                .unwrap_or_else(|| c.category.clone());
            Some(Opportunity {
                key: c.key.clone(),
                title: if c.title.is_empty() {
                    c.reference.clone()
                } else {
                    c.title.clone()
                },
                buyer: c.buyer.clone(),
                department: c.department.clone(),
                source: c.source,
                stage: c.stage,
                why,
                date,
                value: c.value(),
                cpv: c.cpv.clone(),
                category,
                notice_type: c.notice_type.clone(),
                url: c.url.clone(),
                leak: leak_for(c, mapping, opts),
                suppliers: c.suppliers.iter().map(|s| s.name.clone()).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        let la = a.leak.as_ref().map_or(0, |l| l.leakage_pence);
        let lb = b.leak.as_ref().map_or(0, |l| l.leakage_pence);
        lb.cmp(&la)
            .then(
                a.date
                    .unwrap_or(Date::MAX)
                    .cmp(&b.date.unwrap_or(Date::MAX)),
            )
            .then(a.key.cmp(&b.key))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn contract(key: &str, end: Date, max: Option<Date>) -> Contract {
        Contract {
            key: key.into(),
            title: key.into(),
            stage: Stage::Contract,
            end: Some(end),
            max_extent: max,
            ..Contract::default()
        }
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(add_months(date!(2026 - 08 - 31), 18), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 01 - 15), 12), date!(2027 - 01 - 15));
    }

    #[test]
    fn ending_renewing_and_out_of_horizon() {
        let today = date!(2026 - 12 - 01);
        let until = add_months(today, 18);
        let c = contract("a", date!(2027 - 06 - 30), None);
        assert_eq!(
            classify(&c, today, until),
            Some((Why::Ending, Some(date!(2027 - 06 - 30))))
        );
        let c = contract("b", date!(2027 - 06 - 30), Some(date!(2029 - 06 - 30)));
        assert_eq!(classify(&c, today, until).unwrap().0, Why::RenewalDecision);
        let c = contract("c", date!(2030 - 06 - 30), None);
        assert_eq!(classify(&c, today, until), None);
        // Already past its end but extended to within the horizon.
        let c = contract("d", date!(2026 - 03 - 31), Some(date!(2027 - 03 - 31)));
        assert_eq!(classify(&c, today, until).unwrap().0, Why::Ending);
    }

    #[test]
    fn leaking_sectors_come_first_with_their_reason() {
        let mut opts = PipelineOptions::new(date!(2026 - 12 - 01));
        opts.leaking = vec![LeakingSector {
            sector: "Waste Management".into(),
            analysed_pence: 100_000_00,
            leakage_pence: 80_000_00,
            leakage_share: 0.8,
        }];
        let mut waste = contract("waste", date!(2028 - 01 - 31), None);
        waste.cpv = vec!["90500000".into()];
        let early = contract("early", date!(2027 - 01 - 31), None);
        let ops = pipeline(&[early, waste], &Mapping::default(), &opts);
        assert_eq!(ops[0].key, "waste");
        let leak = ops[0].leak.as_ref().unwrap();
        assert_eq!(leak.matched_by, "waste");
        assert!(
            leak.reason()
                .starts_with("80% of the council's spend on Waste Management")
        );
        assert_eq!(ops[1].key, "early");
    }
}
