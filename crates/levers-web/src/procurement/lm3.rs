//! The local multiplier page (Procurement → Local Multiplier 3): LM3 (NEF, *The Money Trail*) from
//! direct figures, on a GET form so a result can be bookmarked and shared, or from a survey file
//! uploaded and reconciled by levers-spend; the three rounds as a chart with their table, the
//! responses behind each figure, and the survey template to download. Nothing is stored.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::layout::FieldError;
use crate::layout::error_for;
use crate::page::attachment;
use crate::page::chrome;
use crate::page::render_status;
use crate::show::money;
use crate::show::pct;
use crate::show::pence_f64_whole as pounds_short;
use askama::Template;
use axum::extract::Multipart;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use levers_core::Money;
use levers_present::charts::hbars;
use levers_spend::lm3::Lm3;
use levers_spend::lm3::Lm3Error;
use levers_spend::lm3::Lm3Inputs;
use levers_spend::lm3::Lm3Responses;
use levers_spend::lm3::SURVEY_TEMPLATE;
use levers_spend::lm3::SurveyReport;
use levers_spend::lm3::lm3;
use levers_spend::lm3::lm3_from_survey;
use levers_spend::lm3::parse_share;
use serde::Deserialize;

/// The figures as typed (kept as text so a mistake is shown back as it was typed).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Figures {
    #[serde(default)]
    pub r1: String,
    #[serde(default)]
    pub r2_staff: String,
    #[serde(default)]
    pub r2_suppliers: String,
    #[serde(default)]
    pub r3_staff_share: String,
    #[serde(default)]
    pub r3_supplier_share: String,
}

impl Figures {
    fn is_empty(&self) -> bool {
        [
            &self.r1,
            &self.r2_staff,
            &self.r2_suppliers,
            &self.r3_staff_share,
            &self.r3_supplier_share,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }

    /// The inputs, or an error for every field that cannot be read.
    fn read(&self) -> Result<Lm3Inputs, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut pounds = |field: &'static str, what: &str, s: &str| -> Money {
            if s.trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    format!("Enter {what} in pounds, like 30,000"),
                ));
                return Money::ZERO;
            }
            levers_spend::parse_amount(s).unwrap_or_else(|e| {
                errors.push(FieldError::new(
                    field,
                    format!(
                        "{} is not an amount in pounds ({e}); enter it like 30,000",
                        s.trim()
                    ),
                ));
                Money::ZERO
            })
        };
        let r1 = pounds("r1", "the income traced", &self.r1);
        let r2_staff = pounds(
            "r2_staff",
            "the spending on staff who live in the area",
            &self.r2_staff,
        );
        let r2_suppliers = pounds(
            "r2_suppliers",
            "the spending with local suppliers",
            &self.r2_suppliers,
        );
        let mut share = |field: &'static str, what: &str, s: &str| -> f64 {
            parse_share(s).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    field,
                    format!("Enter {what} as a percentage from 0% to 100%, like 45.4%"),
                ));
                0.0
            })
        };
        let r3_staff_share = share(
            "r3_staff_share",
            "the share of staff spending made locally",
            &self.r3_staff_share,
        );
        let r3_supplier_share = share(
            "r3_supplier_share",
            "the share of local suppliers' spending made locally",
            &self.r3_supplier_share,
        );
        if errors.is_empty() {
            Ok(Lm3Inputs {
                r1,
                r2_staff,
                r2_suppliers,
                r3_staff_share,
                r3_supplier_share,
            })
        } else {
            Err(errors)
        }
    }
}

/// The field a calculation error belongs to.
fn error_field(e: &Lm3Error) -> &'static str {
    match e {
        Lm3Error::NoIncome(_) | Lm3Error::Overflow => "r1",
        Lm3Error::Negative { what, .. } if what.contains("staff") => "r2_staff",
        Lm3Error::Negative { .. } => "r2_suppliers",
        Lm3Error::BadShare { what, .. } if what.contains("staff") => "r3_staff_share",
        Lm3Error::BadShare { .. } => "r3_supplier_share",
    }
}

/// One row of the rounds table.
pub struct Row {
    pub label: &'static str,
    pub how: String,
    pub pounds: String,
    /// Survey rows behind the figure (survey mode only).
    pub responses: Option<u64>,
    pub total: bool,
}

/// A worked-out multiplier, ready to show.
pub struct Shown {
    pub lm3: String,
    pub sentence: String,
    pub rows: Vec<Row>,
    pub chart: String,
}

impl Shown {
    fn new(r: &Lm3, survey: bool) -> Shown {
        let n = |k: u64| survey.then_some(k);
        let i = &r.inputs;
        let rows = vec![
            Row {
                label: "Round 1: income traced",
                how: "The money going in, like a contract's value".into(),
                pounds: money(i.r1.pence()),
                responses: n(r.responses.r1),
                total: false,
            },
            Row {
                label: "Round 2: staff",
                how: "Spent on staff who live in the area".into(),
                pounds: money(i.r2_staff.pence()),
                responses: n(r.responses.r2_staff),
                total: false,
            },
            Row {
                label: "Round 2: suppliers",
                how: "Spent with suppliers in the area".into(),
                pounds: money(i.r2_suppliers.pence()),
                responses: n(r.responses.r2_suppliers),
                total: false,
            },
            Row {
                label: "Round 2",
                how: "Staff and suppliers".into(),
                pounds: money(r.r2.pence()),
                responses: None,
                total: true,
            },
            Row {
                label: "Round 3: staff",
                how: format!(
                    "Round 2 staff × {} of their spending made locally",
                    pct(i.r3_staff_share)
                ),
                pounds: money(r.r3_staff.pence()),
                responses: n(r.responses.r3_staff),
                total: false,
            },
            Row {
                label: "Round 3: suppliers",
                how: format!(
                    "Round 2 suppliers × {} of their spending made locally",
                    pct(i.r3_supplier_share)
                ),
                pounds: money(r.r3_suppliers.pence()),
                responses: n(r.responses.r3_suppliers),
                total: false,
            },
            Row {
                label: "Round 3",
                how: "Staff and suppliers".into(),
                pounds: money(r.r3.pence()),
                responses: None,
                total: true,
            },
        ];
        let chart = hbars(
            "chart-lm3",
            "The three rounds of LM3, in pounds",
            &[
                ("Round 1: income traced".to_string(), i.r1.pence() as f64),
                ("Round 2: spent locally".to_string(), r.r2.pence() as f64),
                ("Round 3: re-spent locally".to_string(), r.r3.pence() as f64),
            ],
            &pounds_short,
        );
        let lm3 = format!("{:.4}", r.lm3);
        let sentence = format!(
            "LM3 = ({} + {} + {}) ÷ {} = {lm3}: every £1 of income traced is worth about £{:.2} to the local economy over three rounds of spending.",
            money(i.r1.pence()),
            money(r.r2.pence()),
            money(r.r3.pence()),
            money(i.r1.pence()),
            r.lm3
        );
        Shown {
            lm3,
            sentence,
            rows,
            chart,
        }
    }
}

#[derive(Template)]
#[template(path = "procurement/lm3.html")]
pub struct Lm3Page {
    pub chrome: Chrome,
    pub errors: Vec<FieldError>,
    pub figures: Figures,
    pub result: Option<Shown>,
    pub survey: Option<SurveyReport>,
    pub max_mb: usize,
}

impl Lm3Page {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

async fn page(
    state: &AppState,
    identity: &Identity,
    figures: Figures,
    errors: Vec<FieldError>,
    result: Option<Shown>,
    survey: Option<SurveyReport>,
) -> Result<Response, AppError> {
    let chrome = chrome(state, identity, "procurement", "Local Multiplier 3 (LM3)").await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &Lm3Page {
            chrome,
            errors,
            figures,
            result,
            survey,
            max_mb: crate::upload::LM3_SURVEY_BYTES / 1_048_576,
        },
    )
}

/// `GET /procurement/lm3`: the form, and the result when figures are given.
pub async fn figures(
    State(state): State<AppState>,
    identity: Identity,
    Query(f): Query<Figures>,
) -> Result<Response, AppError> {
    if f.is_empty() {
        return page(&state, &identity, f, vec![], None, None).await;
    }
    let one = Lm3Responses {
        r1: 1,
        r2_staff: 1,
        r2_suppliers: 1,
        r3_staff: 1,
        r3_suppliers: 1,
    };
    match f.read() {
        Err(errors) => page(&state, &identity, f, errors, None, None).await,
        Ok(inputs) => match lm3(inputs, one) {
            Ok(r) => {
                page(
                    &state,
                    &identity,
                    f,
                    vec![],
                    Some(Shown::new(&r, false)),
                    None,
                )
                .await
            }
            Err(e) => {
                let errors = vec![FieldError::new(
                    error_field(&e),
                    crate::layout::capitalise(&e.to_string()),
                )];
                page(&state, &identity, f, errors, None, None).await
            }
        },
    }
}

/// `POST /procurement/lm3`: a survey file (CSV, XLS or XLSX in the template's columns).
pub async fn survey(
    State(state): State<AppState>,
    identity: Identity,
    form: Multipart,
) -> Result<Response, AppError> {
    let up = crate::upload::read(form, "survey.csv", crate::upload::LM3_SURVEY_BYTES).await?;
    let (name, data) = (up.file_name, up.bytes);
    if data.is_empty() {
        return page(
            &state,
            &identity,
            Figures::default(),
            vec![FieldError::new(
                "file",
                "Select the survey file: CSV, XLS or XLSX in the template's columns",
            )],
            None,
            None,
        )
        .await;
    }
    let read = tokio::task::spawn_blocking(move || lm3_from_survey(&name, &data))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    match read {
        Ok(rep) => {
            let shown = Shown::new(&rep.lm3, true);
            page(
                &state,
                &identity,
                Figures::default(),
                vec![],
                Some(shown),
                Some(rep),
            )
            .await
        }
        Err(e) => {
            page(
                &state,
                &identity,
                Figures::default(),
                vec![FieldError::new("file", e.to_string())],
                None,
                None,
            )
            .await
        }
    }
}

/// `GET /procurement/lm3/template.csv`: the survey template with the NEF worked example.
pub async fn template() -> Response {
    attachment(
        "text/csv; charset=utf-8",
        "lm3-survey-template.csv".into(),
        SURVEY_TEMPLATE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(r1: &str, s: &str, p: &str, ss: &str, ps: &str) -> Figures {
        Figures {
            r1: r1.into(),
            r2_staff: s.into(),
            r2_suppliers: p.into(),
            r3_staff_share: ss.into(),
            r3_supplier_share: ps.into(),
        }
    }

    #[test]
    fn figures_read_as_typed_and_every_mistake_is_named() {
        let Ok(i) = f("£100,000", "30,000", "20000", "45.4%", "0.40").read() else {
            panic!("the NEF figures read")
        };
        assert_eq!(
            (i.r1.pence(), i.r2_staff.pence(), i.r2_suppliers.pence()),
            (10_000_000, 3_000_000, 2_000_000)
        );
        assert!(
            (i.r3_staff_share - 0.454).abs() < 1e-12 && (i.r3_supplier_share - 0.4).abs() < 1e-12
        );
        let r = lm3(i, Lm3Responses::default()).unwrap();
        assert_eq!(format!("{:.4}", r.lm3), "1.7162");
        let Err(errs) = f("", "lots", "20000", "145%", "").read() else {
            panic!("mistakes must be refused")
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["r1", "r2_staff", "r3_staff_share", "r3_supplier_share"]
        );
        assert!(f("", "", "", "", "").is_empty());
        let Ok(zero) = f("0", "1", "1", "0.5", "0.5").read() else {
            panic!("zero reads")
        };
        let e = lm3(zero, Lm3Responses::default()).unwrap_err();
        assert_eq!(error_field(&e), "r1");
    }
}
