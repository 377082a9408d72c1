//! Checking what was typed into the builder's and the pool page's forms: each reader turns one
//! field's text into a model value, or records an error for that field and returns a default, so a
//! form shows every problem at once. Also the typed text itself, to show again beside the errors.

use std::collections::HashMap;

use levers_core::{FinancialYear, Money};
use serde::Serialize;

use crate::layout::{FieldError, capitalise};

/// The errors found so far in one form.
#[derive(Default)]
pub(super) struct Check {
    pub(super) errors: Vec<FieldError>,
}

impl Check {
    pub(super) fn error(&mut self, k: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(k, message));
    }

    /// The text trimmed; "Enter {what}" when it is empty.
    pub(super) fn required(&mut self, k: &'static str, raw: &str, what: &str) -> String {
        let v = raw.trim();
        if v.is_empty() {
            self.error(k, format!("Enter {what}"));
        }
        v.to_owned()
    }

    /// A number, with any commas and pound signs ignored; `default` when empty (an error when there
    /// is none).
    pub(super) fn number(
        &mut self,
        k: &'static str,
        raw: &str,
        what: &str,
        default: Option<f64>,
    ) -> f64 {
        let raw = raw.trim().replace([',', '£'], "");
        if raw.is_empty() {
            if let Some(d) = default {
                return d;
            }
            self.error(k, format!("Enter {what}"));
            return 0.0;
        }
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                self.error(
                    k,
                    format!("{} must be a number, like 1250 or 0.5", capitalise(what)),
                );
                0.0
            }
        }
    }

    /// A percentage typed as 0–100, returned as a fraction; `default` when empty.
    pub(super) fn percent(&mut self, k: &'static str, raw: &str, what: &str, default: f64) -> f64 {
        let raw = raw.trim().trim_end_matches('%').trim();
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<f64>() {
            Ok(v) if (0.0..=100.0).contains(&v) => v / 100.0,
            _ => {
                self.error(
                    k,
                    format!("{} must be a percentage from 0 to 100", capitalise(what)),
                );
                default
            }
        }
    }

    /// A whole number from 0 to `max`; `default` when empty.
    pub(super) fn whole(
        &mut self,
        k: &'static str,
        raw: &str,
        what: &str,
        default: u32,
        max: u32,
    ) -> u32 {
        let raw = raw.trim();
        if raw.is_empty() {
            return default;
        }
        match raw.parse::<u32>() {
            Ok(v) if v <= max => v,
            _ => {
                self.error(
                    k,
                    format!(
                        "{} must be a whole number from 0 to {max}",
                        capitalise(what)
                    ),
                );
                default
            }
        }
    }

    /// An evidence (confidence) grade from 1 to 6, or none when empty.
    pub(super) fn grade(&mut self, k: &'static str, raw: &str) -> Option<u8> {
        match raw.trim() {
            "" => None,
            g => match g.parse::<u8>() {
                Ok(g) if (1..=6).contains(&g) => Some(g),
                _ => {
                    self.error(k, "Choose a confidence grade from 1 to 6");
                    None
                }
            },
        }
    }

    /// A financial year such as 2019/20, or none when empty.
    pub(super) fn year(&mut self, k: &'static str, raw: &str, what: &str) -> Option<FinancialYear> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(y) => Some(y),
            Err(e) => {
                self.error(k, format!("{}: {e}", capitalise(what)));
                None
            }
        }
    }

    /// A financial year that must be given: `missing` is the error when the field is empty.
    pub(super) fn required_year(
        &mut self,
        k: &'static str,
        raw: &str,
        what: &str,
        missing: &str,
    ) -> Option<FinancialYear> {
        if raw.trim().is_empty() {
            self.error(k, missing);
            return None;
        }
        self.year(k, raw, what)
    }

    /// An amount of money that cannot be negative (zero when it is not money).
    pub(super) fn money(&mut self, k: &'static str, raw: &str, what: &str) -> Money {
        match raw.trim().parse::<Money>() {
            Ok(v) if !v.is_negative() => v,
            Ok(_) => {
                self.error(k, format!("{} cannot be negative", capitalise(what)));
                Money::ZERO
            }
            Err(e) => {
                self.error(k, format!("{}: {e}", capitalise(what)));
                Money::ZERO
            }
        }
    }
}

/// What was typed into a form, by field name (fields not sent are left out), to show again.
pub(super) fn entered<T: Serialize>(form: &T) -> HashMap<String, String> {
    match serde_json::to_value(form) {
        Ok(serde_json::Value::Object(fields)) => fields
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect(),
        _ => HashMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_takes_good_text_and_names_the_field_with_a_problem() {
        let mut c = Check::default();
        assert_eq!(c.number("a", " £10,000 ", "the amount", None), 10_000.0);
        assert_eq!(c.number("b", "", "the amount", Some(2.0)), 2.0);
        assert_eq!(c.percent("c", "50%", "deadweight", 0.0), 0.5);
        assert_eq!(c.whole("d", "", "the year", 3, 200), 3);
        assert_eq!(c.grade("e", "2"), Some(2));
        assert!(c.year("f", "", "first year").is_none());
        assert_eq!(c.money("g", "£1,250.50", "the plan").pence(), 125_050);
        assert!(c.errors.is_empty());
        assert_eq!(c.number("h", "lots", "the amount", None), 0.0);
        assert_eq!(c.percent("i", "120", "success", 1.0), 1.0);
        assert_eq!(c.whole("j", "-1", "the lag", 0, 100), 0);
        assert_eq!(c.grade("k", "9"), None);
        assert_eq!(c.required("l", "  ", "a name"), "");
        assert!(c.required_year("m", "", "year", "Enter the year").is_none());
        assert_eq!(c.money("n", "-5", "the contribution").pence(), 0);
        let fields: Vec<&str> = c.errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["h", "i", "j", "k", "l", "m", "n"]);
        assert_eq!(
            c.errors[0].message,
            "The amount must be a number, like 1250 or 0.5"
        );
        assert_eq!(c.errors[6].message, "The contribution cannot be negative");
    }

    #[test]
    fn what_was_typed_is_kept_by_field_name() {
        #[derive(Serialize)]
        struct F {
            cost_amount: String,
            value_once: Option<String>,
        }
        let typed = entered(&F {
            cost_amount: "lots".into(),
            value_once: None,
        });
        assert_eq!(typed.get("cost_amount").map(String::as_str), Some("lots"));
        assert!(!typed.contains_key("value_once"));
    }
}
