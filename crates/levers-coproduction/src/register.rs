//! The co-production register: commissioning activities (not contracts) and, per stage of the
//! commissioning cycle, how people were involved.
//!
//! Stages are the Institute of Public Care's commissioning cycle: Analyse, Plan, Do, Review. The rungs
//! are Think Local Act Personal's "ladder of co-production", developed by the National Co-production
//! Advisory Group from Arnstein's ladder of citizen participation (Journal of the American Institute of
//! Planners 35(4), 1969): coercion, educating, informing, consultation, engagement, co-design,
//! co-production. levers counts "co-production" as co-design or above, as the issue asks.

use std::fmt;

use levers_core::Money;
use serde::{Deserialize, Serialize};
use time::Date;

/// A stage of the commissioning cycle (Institute of Public Care).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Analyse,
    Plan,
    /// Securing and delivering the service: the stage that lives inside a provider's contract.
    Do,
    Review,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Analyse, Stage::Plan, Stage::Do, Stage::Review];

    /// The stored and CSV name: `analyse`, `plan`, `do`, `review`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Analyse => "analyse",
            Stage::Plan => "plan",
            Stage::Do => "do",
            Stage::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Analyse => "Analyse",
            Stage::Plan => "Plan",
            Stage::Do => "Do",
            Stage::Review => "Review",
        }
    }

    /// What happens at the stage, for hints on forms.
    pub fn hint(self) -> &'static str {
        match self {
            Stage::Analyse => "Understanding needs, resources and what matters to people",
            Stage::Plan => "Designing the service and how it will be secured",
            Stage::Do => {
                "Securing and delivering the service, usually through a provider's contract"
            }
            Stage::Review => "Finding out what difference the service made and what to change",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Reads a stage name in any case (`Analyse`, `analyze`, `DO`).
    pub fn parse(s: &str) -> Option<Stage> {
        match s.trim().to_ascii_lowercase().as_str() {
            "analyse" | "analyze" | "analysis" => Some(Stage::Analyse),
            "plan" | "planning" => Some(Stage::Plan),
            "do" | "doing" | "deliver" | "delivery" => Some(Stage::Do),
            "review" | "reviewing" => Some(Stage::Review),
            _ => None,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A rung on TLAP's ladder of co-production, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rung {
    Coercion,
    Educating,
    Informing,
    Consultation,
    Engagement,
    CoDesign,
    CoProduction,
}

impl Rung {
    pub const ALL: [Rung; 7] = [
        Rung::Coercion,
        Rung::Educating,
        Rung::Informing,
        Rung::Consultation,
        Rung::Engagement,
        Rung::CoDesign,
        Rung::CoProduction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rung::Coercion => "coercion",
            Rung::Educating => "educating",
            Rung::Informing => "informing",
            Rung::Consultation => "consultation",
            Rung::Engagement => "engagement",
            Rung::CoDesign => "co_design",
            Rung::CoProduction => "co_production",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rung::Coercion => "Coercion",
            Rung::Educating => "Educating",
            Rung::Informing => "Informing",
            Rung::Consultation => "Consultation",
            Rung::Engagement => "Engagement",
            Rung::CoDesign => "Co-design",
            Rung::CoProduction => "Co-production",
        }
    }

    /// 1 (coercion) to 7 (co-production).
    pub fn level(self) -> u8 {
        self as u8 + 1
    }

    /// A one-line reminder of what the rung means (levers' summary of the TLAP ladder).
    pub fn hint(self) -> &'static str {
        match self {
            Rung::Coercion => {
                "People attend as passive recipients; their views are not taken into account"
            }
            Rung::Educating => {
                "People are helped to understand the service as it has been designed"
            }
            Rung::Informing => "People are told about the service and about decisions already made",
            Rung::Consultation => {
                "People are asked for views (surveys, meetings) but have little power to change things"
            }
            Rung::Engagement => {
                "People have more chances to give views and can influence some decisions"
            }
            Rung::CoDesign => {
                "People design the service with the council from their experience, with real influence"
            }
            Rung::CoProduction => {
                "People share power and responsibility from start to finish, as equal partners"
            }
        }
    }

    /// Co-design or above: what the coverage measures count as co-production.
    pub fn is_coproduction(self) -> bool {
        self >= Rung::CoDesign
    }

    /// Reads a rung as written on forms and in CSV: `co-design`, `Co design`, `co_design`, `codesign`.
    pub fn parse(s: &str) -> Option<Rung> {
        let k: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        match k.as_str() {
            "coercion" => Some(Rung::Coercion),
            "educating" | "education" => Some(Rung::Educating),
            "informing" | "information" => Some(Rung::Informing),
            "consultation" | "consulting" => Some(Rung::Consultation),
            "engagement" | "engaging" => Some(Rung::Engagement),
            "codesign" | "codesigning" => Some(Rung::CoDesign),
            "coproduction" | "coproducing" => Some(Rung::CoProduction),
            _ => None,
        }
    }
}

impl fmt::Display for Rung {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Who led the involvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lead {
    Council,
    Provider,
}

impl Lead {
    pub const ALL: [Lead; 2] = [Lead::Council, Lead::Provider];

    pub fn name(self) -> &'static str {
        match self {
            Lead::Council => "council",
            Lead::Provider => "provider",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Lead::Council => "Council-led",
            Lead::Provider => "Provider-led",
        }
    }

    pub fn parse(s: &str) -> Option<Lead> {
        match s
            .trim()
            .to_ascii_lowercase()
            .trim_end_matches("-led")
            .trim_end_matches(" led")
        {
            "council" | "commissioner" | "la" => Some(Lead::Council),
            "provider" | "contractor" | "supplier" => Some(Lead::Provider),
            _ => None,
        }
    }
}

/// A band of estimated annual value, derived from the estimate so the two can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueBand {
    /// Under £30,000 a year.
    Under30k,
    /// £30,000 to £249,999.99.
    From30kTo250k,
    /// £250,000 to £999,999.99.
    From250kTo1m,
    /// £1 million to £4,999,999.99.
    From1mTo5m,
    /// £5 million and over.
    Over5m,
}

impl ValueBand {
    pub const ALL: [ValueBand; 5] = [
        ValueBand::Under30k,
        ValueBand::From30kTo250k,
        ValueBand::From250kTo1m,
        ValueBand::From1mTo5m,
        ValueBand::Over5m,
    ];

    /// The band an estimated annual value falls in (lower bounds inclusive).
    pub fn of(value: Money) -> ValueBand {
        match value.pence() {
            p if p < 3_000_000 => ValueBand::Under30k,
            p if p < 25_000_000 => ValueBand::From30kTo250k,
            p if p < 100_000_000 => ValueBand::From250kTo1m,
            p if p < 500_000_000 => ValueBand::From1mTo5m,
            _ => ValueBand::Over5m,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ValueBand::Under30k => "under_30k",
            ValueBand::From30kTo250k => "30k_to_250k",
            ValueBand::From250kTo1m => "250k_to_1m",
            ValueBand::From1mTo5m => "1m_to_5m",
            ValueBand::Over5m => "5m_and_over",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ValueBand::Under30k => "Under £30k",
            ValueBand::From30kTo250k => "£30k to £250k",
            ValueBand::From250kTo1m => "£250k to £1m",
            ValueBand::From1mTo5m => "£1m to £5m",
            ValueBand::Over5m => "£5m and over",
        }
    }

    /// Reads a band by its name or label (CSV files may carry either).
    pub fn parse(s: &str) -> Option<ValueBand> {
        let t = s.trim();
        ValueBand::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(t) || b.label().eq_ignore_ascii_case(t))
    }
}

impl fmt::Display for ValueBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

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

/// Splits a `;`-separated list, trimming and dropping blanks.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Joins a list with `; `.
pub fn join_list(v: &[String]) -> String {
    v.join("; ")
}

/// Reads a date written `2025-04-30`, `30/04/2025` or `30-04-2025`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 {
        (parts[2], parts[1], parts[0])
    } else {
        return None;
    };
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// `2025-04-30`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Dates as `2025-04-30` in JSON (`#[serde(with = "iso_date")]`).
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::iso(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_date(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("\"{s}\" is not a date such as 2025-04-30"))
        })
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
