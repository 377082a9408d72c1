//! The co-production register: commissioning activities (not contracts) and, per stage of the
//! commissioning cycle, how people were involved.
//!
//! Stages are the Institute of Public Care's commissioning cycle: Analyse, Plan, Do, Review. The rungs
//! are Think Local Act Personal's "ladder of co-production", developed by the National Co-production
//! Advisory Group from Arnstein's ladder of citizen participation (Journal of the American Institute of
//! Planners 35(4), 1969): coercion, educating, informing, consultation, engagement, co-design,
//! co-production. levers counts "co-production" as co-design or above, as the issue asks.

mod scales;
mod text;

pub use scales::{Lead, Rung, Stage, ValueBand};
pub use text::{iso, iso_date, join_list, parse_date, split_list};

use levers_core::Money;
use serde::{Deserialize, Serialize};
use time::Date;

/// A commissioning activity: the council's work to secure a service, across the whole cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// The council's own reference for the activity, unique in the register (e.g. `ASC-014`).
    pub reference: String,
    pub service: String,
    pub directorate: String,
    /// Estimated annual value.
    pub annual_value: Money,
    pub current_stage: Stage,
    /// The procurement or contract reference, once there is one.
    pub procurement_ref: Option<String>,
    /// Strategy objectives the activity serves (their names or codes).
    pub objectives: Vec<String>,
    /// When the activity entered the register's cycle: quarters before it do not count it.
    #[serde(with = "iso_date")]
    pub started_on: Date,
}

impl Activity {
    pub fn value_band(&self) -> ValueBand {
        ValueBand::of(self.annual_value)
    }

    /// Every problem with the activity's fields, each naming its field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Vec::new();
        text_problem(
            &mut p,
            "reference",
            "the activity's reference",
            &self.reference,
            40,
            true,
        );
        if !self.reference.trim().is_empty()
            && !self
                .reference
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_/.".contains(c))
        {
            p.push(FieldProblem::new(
                "reference",
                "Use only letters, digits and - _ / . in the reference, such as ASC-014",
            ));
        }
        text_problem(&mut p, "service", "the service", &self.service, 200, true);
        text_problem(
            &mut p,
            "directorate",
            "the directorate",
            &self.directorate,
            100,
            true,
        );
        if self.annual_value.is_negative() {
            p.push(FieldProblem::new(
                "annual_value",
                "The estimated annual value cannot be negative",
            ));
        }
        if let Some(r) = &self.procurement_ref {
            text_problem(
                &mut p,
                "procurement_ref",
                "the procurement reference",
                r,
                100,
                false,
            );
        }
        for o in &self.objectives {
            if o.chars().count() > 200 || o.contains(';') {
                p.push(FieldProblem::new(
                    "objectives",
                    "Each strategy objective must be 200 characters or fewer, without semicolons",
                ));
                break;
            }
        }
        p
    }
}

/// How people were involved at one stage of one activity. A stage may have several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    pub stage: Stage,
    pub rung: Rung,
    pub lead: Lead,
    /// When it took place (the quarter trend counts it from this date).
    #[serde(with = "iso_date")]
    pub held_on: Date,
    /// Workshops, surveys, panels, peer research …
    pub methods: Vec<String>,
    /// Who took part, as groups (never named people).
    pub groups: Vec<String>,
    /// Whether people with lived experience of poverty took part.
    pub lived_experience: bool,
    /// How many people took part (a total only).
    pub headcount: u32,
    /// Total hours people gave (a total across everyone).
    pub hours: u32,
    /// The decisions people's involvement influenced.
    pub decisions: String,
    /// "You said, we did": what changed because of what people said.
    pub you_said_we_did: String,
}

impl Involvement {
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Vec::new();
        for (field, what, list) in [
            ("methods", "method", &self.methods),
            ("groups", "participant group", &self.groups),
        ] {
            if list
                .iter()
                .any(|m| m.chars().count() > 100 || m.contains(';'))
            {
                p.push(FieldProblem::new(
                    field,
                    format!("Each {what} must be 100 characters or fewer, without semicolons"),
                ));
            }
        }
        if self.headcount > 1_000_000 {
            p.push(FieldProblem::new(
                "headcount",
                "Enter how many people took part, up to 1,000,000",
            ));
        }
        if self.hours > 10_000_000 {
            p.push(FieldProblem::new(
                "hours",
                "Enter the total hours, up to 10,000,000",
            ));
        }
        text_problem(
            &mut p,
            "decisions",
            "the decisions influenced",
            &self.decisions,
            4000,
            false,
        );
        text_problem(
            &mut p,
            "you_said_we_did",
            "\"you said, we did\"",
            &self.you_said_we_did,
            4000,
            false,
        );
        p
    }
}

/// An activity with every involvement recorded for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterEntry {
    pub activity: Activity,
    pub involvements: Vec<Involvement>,
}

/// A problem with one field, phrased as what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &'static str, message: impl Into<String>) -> FieldProblem {
        FieldProblem {
            field,
            message: message.into(),
        }
    }
}

fn text_problem(
    p: &mut Vec<FieldProblem>,
    field: &'static str,
    what: &str,
    value: &str,
    max: usize,
    required: bool,
) {
    if required && value.trim().is_empty() {
        p.push(FieldProblem::new(field, format!("Enter {what}")));
    } else if value.chars().count() > max {
        p.push(FieldProblem::new(
            field,
            format!("{} must be {max} characters or fewer", capitalise(what)),
        ));
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        p.push(FieldProblem::new(
            field,
            format!("Remove the control characters from {what}"),
        ));
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some('"') => s.to_string(),
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn names_round_trip_and_rungs_are_ordered() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.name()), Some(s));
            assert_eq!(Stage::parse(&s.label().to_uppercase()), Some(s));
        }
        for r in Rung::ALL {
            assert_eq!(Rung::parse(r.name()), Some(r));
            assert_eq!(Rung::parse(r.label()), Some(r));
        }
        assert_eq!(Rung::parse("Co design"), Some(Rung::CoDesign));
        assert_eq!(Rung::parse("tokenism"), None);
        assert!(Rung::CoDesign.is_coproduction() && Rung::CoProduction.is_coproduction());
        assert!(!Rung::Engagement.is_coproduction());
        assert_eq!(Rung::Coercion.level(), 1);
        assert_eq!(Rung::CoProduction.level(), 7);
        assert_eq!(Lead::parse("Provider-led"), Some(Lead::Provider));
        assert_eq!(Lead::parse("council"), Some(Lead::Council));
        for b in ValueBand::ALL {
            assert_eq!(ValueBand::parse(b.name()), Some(b));
            assert_eq!(ValueBand::parse(b.label()), Some(b));
        }
    }

    #[test]
    fn value_bands_have_inclusive_lower_bounds() {
        let band = |p: i64| ValueBand::of(Money::from_pence(p));
        assert_eq!(band(0), ValueBand::Under30k);
        assert_eq!(band(2_999_999), ValueBand::Under30k);
        assert_eq!(band(3_000_000), ValueBand::From30kTo250k);
        assert_eq!(band(24_999_999), ValueBand::From30kTo250k);
        assert_eq!(band(25_000_000), ValueBand::From250kTo1m);
        assert_eq!(band(100_000_000), ValueBand::From1mTo5m);
        assert_eq!(band(500_000_000), ValueBand::Over5m);
    }

    #[test]
    fn dates_are_read_in_uk_and_iso_forms() {
        assert_eq!(parse_date("2025-04-30"), Some(date!(2025 - 04 - 30)));
        assert_eq!(parse_date("30/04/2025"), Some(date!(2025 - 04 - 30)));
        assert_eq!(parse_date("31/02/2025"), None);
        assert_eq!(parse_date("04/30"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(iso(date!(2025 - 01 - 05)), "2025-01-05");
    }

    #[test]
    fn problems_name_their_fields() {
        let a = Activity {
            reference: "bad ref!".into(),
            service: "".into(),
            directorate: "Adults".into(),
            annual_value: Money::from_pence(-1),
            current_stage: Stage::Plan,
            procurement_ref: None,
            objectives: vec!["a;b".into()],
            started_on: date!(2025 - 04 - 01),
        };
        let fields: Vec<&str> = a.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec!["reference", "service", "annual_value", "objectives"]
        );
        assert_eq!(split_list(" a; ;b ;"), vec!["a", "b"]);
    }
}
