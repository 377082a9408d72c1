//! The contract record every reader produces and every later step uses: one procurement (an OCDS
//! ocid or a register reference) with its values in pence, dates, CPV codes, lots and suppliers.

use levers_core::Money;
use serde::{Deserialize, Serialize};
use time::Date;

/// Where a contract came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The council's own contract register.
    #[default]
    Register,
    /// An OCDS notice (Find a Tender, Contracts Finder, Public Contracts Scotland, Sell2Wales).
    Ocds,
}

/// How far a procurement has got, from the release's tags and notice type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Pipeline (UK1), preliminary market engagement (UK2), planning notices.
    Planning,
    /// An open or coming competition (UK3, UK4, tender notices).
    Tender,
    /// Awarded (UK5, UK6).
    Award,
    /// A contract in force (UK7, a register entry).
    #[default]
    Contract,
    /// Being delivered, changed or ended (UK8 … UK12).
    Implementation,
    /// Withdrawn or cancelled.
    Cancelled,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Planning => "Planned",
            Stage::Tender => "Open for bids",
            Stage::Award => "Awarded",
            Stage::Contract => "In force",
            Stage::Implementation => "Being delivered",
            Stage::Cancelled => "Cancelled",
        }
    }
}

/// A supplier named on a contract or award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SupplierRef {
    pub name: String,
    /// The publisher's identifier (`GB-COH-01234567`, `GB-PPON-…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity_number: Option<String>,
    /// `sme` or `large` (OCDS `details.scale`), or the register's SME flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcse: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

/// One lot of a procurement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Lot {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_net: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_gross: Option<Money>,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub max_extent: Option<Date>,
    #[serde(default)]
    pub has_renewal: bool,
}

/// The one list of the fields a release may give or leave out, for [`Contract::update_from`] and
/// [`Contract::fill_gaps`]: `opt` fields are given when `Some`, `text` fields (strings and lists)
/// when not empty. `key`, `source`, `stage`, `has_renewal`, `seen` and `warnings` are merged by
/// hand.
macro_rules! merged_fields {
    ($apply:ident) => {
        $apply!(
            opt: ocid, release_id, release_date, notice_type, status, value_net, value_gross,
                currency, start, end, max_extent, review, tender_end, above_threshold,
                suitable_sme, suitable_vcse, reserved_location, url;
            text: reference, title, description, buyer, department, tags, cpv, category, renewal,
                procedure, special_regime, main_category, reserved, lots, suppliers
        )
    };
}
/// One procurement or contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contract {
    /// `ocds:<ocid>` or `register:<reference>`: one contract per key.
    pub key: String,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocid: Option<String>,
    /// The release that last updated it (OCDS), its date as published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_date: Option<String>,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub buyer: String,
    #[serde(default)]
    pub department: String,
    /// The Procurement Act 2023 notice type (`UK1`, `UK4`, `UK6` …) or the publisher's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_type: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// CPV codes, 8 digits, wherever the notice put them, first seen first.
    #[serde(default)]
    pub cpv: Vec<String>,
    #[serde(default)]
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_net: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_gross: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub start: Option<Date>,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// The latest date the contract can run to with every extension (OCDS `maxExtentDate`).
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub max_extent: Option<Date>,
    /// A register's review or extension decision date.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub review: Option<Date>,
    #[serde(default)]
    pub has_renewal: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub renewal: String,
    /// When bids close (open procurements).
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub tender_end: Option<Date>,
    #[serde(default)]
    pub procedure: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_threshold: Option<bool>,
    #[serde(default)]
    pub special_regime: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub main_category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suitable_sme: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suitable_vcse: Option<bool>,
    /// `otherRequirements.reservedParticipation` (`shelteredWorkshop`, `publicServiceMission`, `smeVcse`).
    #[serde(default)]
    pub reserved: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_location: Option<String>,
    #[serde(default)]
    pub lots: Vec<Lot>,
    #[serde(default)]
    pub suppliers: Vec<SupplierRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What was odd but kept (a currency that is not GBP, a release without an id …).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The releases (or register rows) merged into it: release ids, or `ocid@date` for a release
    /// without one. A release already here is a duplicate.
    #[serde(default)]
    pub seen: Vec<String>,
}

impl Contract {
    /// The value used for thresholds and sorting: net if given, else gross, else the lots' sum.
    pub fn value(&self) -> Option<Money> {
        self.value_net.or(self.value_gross).or_else(|| {
            let v: Vec<Money> = self
                .lots
                .iter()
                .filter_map(|l| l.value_net.or(l.value_gross))
                .collect();
            (!v.is_empty())
                .then(|| Money::checked_sum(v).ok())
                .flatten()
        })
    }

    /// The value including VAT where known (thresholds under the Procurement Act include VAT): the
    /// gross value, else the net value.
    pub fn value_incl_vat(&self) -> Option<Money> {
        self.value_gross.or(self.value_net).or_else(|| self.value())
    }

    /// The contract's end: its own end, else the latest lot end.
    pub fn end_date(&self) -> Option<Date> {
        self.end
            .or_else(|| self.lots.iter().filter_map(|l| l.end).max())
    }

    /// Takes what a later release says over what this one said: every field the later one gives
    /// replaces this one's; lists it gives replace these; what it leaves out is kept. The later
    /// release is moved in, not copied.
    pub fn update_from(&mut self, later: Contract) {
        macro_rules! take_given {
            (opt: $($o:ident),*; text: $($t:ident),*) => {
                $( if later.$o.is_some() { self.$o = later.$o; } )*
                $( if !later.$t.is_empty() { self.$t = later.$t; } )*
            };
        }
        merged_fields!(take_given);
        self.stage = later.stage;
        self.has_renewal |= later.has_renewal;
        union_into(&mut self.seen, later.seen);
        union_into(&mut self.warnings, later.warnings);
    }

    /// Fills what this contract leaves out from an older release of it (one that arrived late):
    /// the same fields as [`Contract::update_from`], the other way round; the stage stays this
    /// one's. The result is what reading the older release first and this one after would give.
    pub fn fill_gaps(&mut self, older: Contract) {
        macro_rules! fill_missing {
            (opt: $($o:ident),*; text: $($t:ident),*) => {
                $( if self.$o.is_none() { self.$o = older.$o; } )*
                $( if self.$t.is_empty() { self.$t = older.$t; } )*
            };
        }
        merged_fields!(fill_missing);
        self.has_renewal |= older.has_renewal;
        // The older release's ids and warnings come first, as if it had been read first.
        let mut seen = older.seen;
        union_into(&mut seen, std::mem::take(&mut self.seen));
        self.seen = seen;
        let mut warnings = older.warnings;
        union_into(&mut warnings, std::mem::take(&mut self.warnings));
        self.warnings = warnings;
    }
}

/// Appends the items of `more` not already in `list`.
fn union_into(list: &mut Vec<String>, more: Vec<String>) {
    for s in more {
        if !list.contains(&s) {
            list.push(s);
        }
    }
}

/// `Option<Date>` as `"YYYY-MM-DD"` or absent.
pub mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&iso(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("\"{s}\" is not a date"))),
        }
    }

    /// `2026-05-08`.
    pub fn iso(d: Date) -> String {
        d.format(format_description!("[year]-[month]-[day]"))
            .unwrap_or_default()
    }

    /// The date part of an ISO date or date-time (`2026-05-08`, `2026-05-08T12:00:00+01:00`).
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let d = s.get(..10)?;
        fast(d.as_bytes())
            .or_else(|| Date::parse(d, format_description!("[year]-[month]-[day]")).ok())
    }

    /// `YYYY-MM-DD` read digit by digit (the common case, without a format description).
    fn fast(b: &[u8]) -> Option<Date> {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let month = time::Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
        let day = u8::try_from(num(8..10)?).ok()?;
        Date::from_calendar_date(i32::try_from(num(0..4)?).ok()?, month, day).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_release_updates_only_what_it_gives() {
        let mut a = Contract {
            key: "ocds:x".into(),
            title: "Heat network".into(),
            value_net: Some(Money::from_pence(100)),
            cpv: vec!["45000000".into()],
            ..Contract::default()
        };
        let b = Contract {
            key: "ocds:x".into(),
            value_gross: Some(Money::from_pence(120)),
            stage: Stage::Award,
            ..Contract::default()
        };
        a.update_from(b);
        assert_eq!(a.title, "Heat network");
        assert_eq!(a.value_net, Some(Money::from_pence(100)));
        assert_eq!(a.value_gross, Some(Money::from_pence(120)));
        assert_eq!(a.cpv, vec!["45000000".to_string()]);
        assert_eq!(a.stage, Stage::Award);
    }

    #[test]
    fn dates_round_trip_as_iso_text() {
        let c = Contract {
            end: opt_date::parse("2030-10-31T23:59:59+00:00"),
            ..Contract::default()
        };
        let j = serde_json::to_string(&c).unwrap();
        assert!(j.contains("\"end\":\"2030-10-31\""), "{j}");
        let back: Contract = serde_json::from_str(&j).unwrap();
        assert_eq!(back, c);
    }
}
