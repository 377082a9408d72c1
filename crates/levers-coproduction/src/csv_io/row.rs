//! One row of a register file: its activity's columns and its involvement, each field checked with
//! the one helper ([`Row::parsed`]) that reads a cell and, when it does not read, records the line,
//! column, value and what to do.

use std::collections::HashMap;

use levers_core::Money;

use super::RowError;
use super::text::{parse_bool, parse_count, unguard};
use crate::register::{
    Activity, Involvement, Lead, Rung, Stage, ValueBand, parse_date, split_list,
};

/// The involvement's columns other than its stage.
const INVOLVEMENT_COLUMNS: [&str; 10] = [
    "rung",
    "lead",
    "held_on",
    "methods",
    "groups",
    "lived_experience",
    "headcount",
    "hours",
    "decisions",
    "you_said_we_did",
];

/// A data row being checked: its cells by column, its line, and the problems found so far.
pub(super) struct Row<'a> {
    index: &'a HashMap<&'static str, usize>,
    record: &'a csv::StringRecord,
    pub(super) line: u64,
    pub(super) errors: Vec<RowError>,
}

impl<'a> Row<'a> {
    pub(super) fn new(
        index: &'a HashMap<&'static str, usize>,
        record: &'a csv::StringRecord,
        line: u64,
    ) -> Row<'a> {
        Row {
            index,
            record,
            line,
            errors: Vec::new(),
        }
    }

    /// A cell, trimmed and with any formula guard removed; "" when the file lacks the column.
    pub(super) fn get(&self, column: &str) -> &'a str {
        let record = self.record;
        self.index
            .get(column)
            .and_then(|&i| record.get(i))
            .map(|v| unguard(v.trim()))
            .unwrap_or("")
    }

    pub(super) fn err(&mut self, field: &str, value: &str, message: impl Into<String>) {
        self.errors.push(RowError {
            line: self.line,
            field: field.to_string(),
            value: value.to_string(),
            message: message.into(),
        });
    }

    /// Reads `column` with `parse`; when it fails the problem (its message) is recorded against the
    /// column and its value, and the answer is `None`.
    fn parsed<T, E: ToString>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let value = self.get(column);
        match parse(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.err(column, value, e.to_string());
                None
            }
        }
    }

    /// [`Row::parsed`] for readers that answer `Option`: `message` says what to enter.
    fn required<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        self.parsed(column, |v| parse(v).ok_or(message))
    }

    /// The activity's columns (a field that does not read is recorded and stands in as a default,
    /// so every problem of the row is found at once).
    pub(super) fn activity(&mut self) -> Activity {
        let annual_value = self
            .parsed("annual_value", |v| v.parse::<Money>())
            .unwrap_or(Money::ZERO);
        let current_stage = self
            .required(
                "current_stage",
                Stage::parse,
                "Enter the current stage: analyse, plan, do or review",
            )
            .unwrap_or(Stage::Analyse);
        let started_on = self
            .required(
                "started_on",
                parse_date,
                "Enter the date the activity started, such as 2025-04-01 or 01/04/2025",
            )
            .unwrap_or(time::Date::MIN);
        let activity = Activity {
            reference: self.get("reference").to_string(),
            service: self.get("service").to_string(),
            directorate: self.get("directorate").to_string(),
            annual_value,
            current_stage,
            procurement_ref: Some(self.get("procurement_ref").to_string())
                .filter(|s| !s.is_empty()),
            objectives: split_list(self.get("objectives")),
            started_on,
        };
        for p in activity.problems() {
            self.err(p.field, self.get(p.field), p.message);
        }
        self.check_band(&activity);
        activity
    }

    /// A value band, when given, must be the annual value's.
    fn check_band(&mut self, activity: &Activity) {
        let band = self.get("value_band");
        if band.is_empty() {
            return;
        }
        match ValueBand::parse(band) {
            Some(b) if b == activity.value_band() => {}
            Some(b) => self.err(
                "value_band",
                band,
                format!(
                    "the band {} does not match the annual value {} (band {}): correct one of them",
                    b,
                    activity.annual_value,
                    activity.value_band()
                ),
            ),
            None => self.err(
                "value_band",
                band,
                "not a value band: leave it blank, levers works it out from the annual value",
            ),
        }
    }

    /// The row's involvement, if it has one (a stage); `None` also when a field did not read.
    pub(super) fn involvement(&mut self) -> Option<Involvement> {
        if self.get("stage").is_empty() {
            if let Some(c) = INVOLVEMENT_COLUMNS.iter().find(|c| !self.get(c).is_empty()) {
                self.err(
                    "stage",
                    "",
                    format!(
                        "the row has a {c} but no stage: enter the stage (analyse, plan, do or review) or clear the involvement columns"
                    ),
                );
            }
            return None;
        }
        let stage = self.required(
            "stage",
            Stage::parse,
            "Enter the stage: analyse, plan, do or review",
        );
        let rung = self.required(
            "rung",
            Rung::parse,
            "Enter the rung: coercion, educating, informing, consultation, engagement, co-design or co-production",
        );
        let lead = self.required("lead", Lead::parse, "Enter who led it: council or provider");
        let held_on = self.required(
            "held_on",
            parse_date,
            "Enter the date it took place, such as 2025-05-14 or 14/05/2025",
        );
        let lived = self.required("lived_experience", parse_bool, "Enter yes or no");
        let headcount = self.required(
            "headcount",
            parse_count,
            "Enter how many people took part as a whole number",
        );
        let hours = self.required(
            "hours",
            parse_count,
            "Enter the total hours as a whole number",
        );
        let inv = Involvement {
            stage: stage?,
            rung: rung?,
            lead: lead?,
            held_on: held_on?,
            methods: split_list(self.get("methods")),
            groups: split_list(self.get("groups")),
            lived_experience: lived?,
            headcount: headcount?,
            hours: hours?,
            decisions: self.get("decisions").to_string(),
            you_said_we_did: self.get("you_said_we_did").to_string(),
        };
        for p in inv.problems() {
            self.err(p.field, self.get(p.field), p.message);
        }
        Some(inv)
    }

    /// The first of the activity's columns that differs from the same activity read earlier.
    pub(super) fn differs(a: &Activity, b: &Activity) -> Option<&'static str> {
        [
            ("service", a.service != b.service),
            ("directorate", a.directorate != b.directorate),
            ("annual_value", a.annual_value != b.annual_value),
            ("current_stage", a.current_stage != b.current_stage),
            ("procurement_ref", a.procurement_ref != b.procurement_ref),
            ("objectives", a.objectives != b.objectives),
            ("started_on", a.started_on != b.started_on),
        ]
        .into_iter()
        .find(|(_, d)| *d)
        .map(|(f, _)| f)
    }
}
