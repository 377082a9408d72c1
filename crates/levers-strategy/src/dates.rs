//! Dates in JSON as people and other tools read them: `"2026-03-26"`, not time's default tuple.

use serde::{Deserialize, Deserializer, Serializer};
use time::Date;
use time::macros::format_description;

const ISO: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&d.format(ISO).map_err(serde::ser::Error::custom)?)
}

/// The same for an optional date (`null` when there is none).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => super::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(t) => Date::parse(&t, ISO)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Observation;

    #[test]
    fn dates_are_iso_in_json_and_read_back() {
        let o = Observation {
            year: levers_core::FinancialYear::starting(2024).unwrap(),
            value: 1.0,
            period: "2024/25".into(),
            source: "x".into(),
            published: Some(time::macros::date!(2026 - 03 - 26)),
            next_release: None,
        };
        let j = serde_json::to_value(&o).unwrap();
        assert_eq!(j["published"], "2026-03-26");
        assert!(j["next_release"].is_null());
        assert_eq!(serde_json::from_value::<Observation>(j).unwrap(), o);
    }
}
