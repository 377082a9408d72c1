//! The page templates (askama, compiled in) and the layout context every page shares.

use askama::Template;
use levers_store::{ApiToken, AuditEntry, Role, User};

pub use crate::layout::{Chrome, FieldError, capitalise, error_for, when};

pub struct SectionCard {
    pub href: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub ready: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub cards: Vec<SectionCard>,
}

#[derive(Template)]
#[template(path = "section.html")]
pub struct SectionPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub lead: &'static str,
    pub coming: &'static [&'static str],
    pub links: &'static [(&'static str, &'static str, &'static str)],
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub email: String,
    pub next: String,
    pub errors: Vec<FieldError>,
    pub signed_out: bool,
}

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub chrome: Chrome,
    pub errors: Vec<FieldError>,
    pub forced: bool,
    pub changed: bool,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
pub struct AdminIndex {
    pub chrome: Chrome,
    pub user_count: usize,
    pub token_count: usize,
    pub audit_count: i64,
    pub database: &'static str,
    pub schema_version: i64,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<User>,
    pub errors: Vec<FieldError>,
    pub email: String,
    pub role: String,
    pub roles: [Role; 3],
    pub notice: Option<String>,
    pub new_password: Option<(String, String)>,
    pub self_id: i64,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub entries: Vec<AuditEntry>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub object_type: String,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub chrome: Chrome,
    pub tokens: Vec<ApiToken>,
    pub users: Vec<User>,
    pub errors: Vec<FieldError>,
    pub new_token: Option<String>,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub council_name: String,
    pub errors: Vec<FieldError>,
    pub saved: bool,
}

/// Gives a page with an `errors` field the `err(field)` lookup its template uses.
macro_rules! field_errors {
    ($($page:ty),*) => {$(
        impl $page {
            pub fn err(&self, field: &str) -> Option<&str> {
                error_for(&self.errors, field)
            }
        }
    )*};
}
field_errors!(
    SignInPage,
    PasswordPage,
    UsersPage,
    TokensPage,
    SettingsPage
);

/// Gives pages that show stored timestamps the `when(at)` their templates use.
macro_rules! timestamps {
    ($($page:ty),*) => {$(
        impl $page {
            pub fn when(&self, at: impl Unix) -> String {
                when(&at.unix())
            }
        }
    )*};
}
timestamps!(
    AuditPage,
    TokensPage,
    AdminGeographyPage,
    SpendImportsPage,
    SpendImportPage,
    SpendReviewPage
);

impl AuditPage {
    /// A JSON value compactly, or a dash when absent.
    pub fn json(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref()
            .map_or_else(|| "–".to_string(), |v| v.to_string())
    }

    /// The kinds of object the filter offers.
    pub fn object_types(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("user", "accounts"),
            ("api_token", "API tokens"),
            ("setting", "settings"),
            ("auth", "sign-in lock-outs"),
        ]
    }
}

/// A timestamp however deeply a template borrowed it.
pub trait Unix {
    fn unix(&self) -> i64;
}

impl Unix for i64 {
    fn unix(&self) -> i64 {
        *self
    }
}

impl<T: Unix + ?Sized> Unix for &T {
    fn unix(&self) -> i64 {
        (**self).unix()
    }
}

#[derive(Template)]
#[template(path = "places.html")]
pub struct PlacesPage {
    pub chrome: Chrome,
    pub q: String,
    pub districts: Vec<levers_geo::AreaRef>,
    pub stats: levers_geo::IndexStats,
    pub errors: Vec<FieldError>,
}
field_errors!(PlacesPage);

#[derive(Template)]
#[template(path = "place_postcode.html")]
pub struct PlacePostcodePage {
    pub chrome: Chrome,
    pub found: levers_geo::PostcodeLookup,
}

impl PlacePostcodePage {
    /// Rows of the summary list: label, area (if known).
    pub fn rows(&self) -> Vec<(&'static str, Option<&levers_geo::AreaRef>)> {
        let f = &self.found;
        vec![
            ("Local authority district", f.lad.as_ref()),
            ("Ward", f.ward.as_ref()),
            ("LSOA (2011)", f.lsoa11.as_ref()),
            ("LSOA (2021)", f.lsoa21.as_ref()),
            ("MSOA", f.msoa.as_ref()),
            ("Region", f.region.as_ref()),
        ]
    }

    pub fn status(&self) -> &'static str {
        match self.found.terminated {
            Some(true) => "Terminated (no longer in use, kept for old records)",
            Some(false) => "Live",
            None => "Not stated by the loaded files",
        }
    }
}

#[derive(Template)]
#[template(path = "place_area.html")]
pub struct PlaceAreaPage {
    pub chrome: Chrome,
    pub p: levers_geo::AreaProfile,
    pub chart2019: Option<String>,
    pub chart2025: Option<String>,
}

impl PlaceAreaPage {
    pub fn deciles(&self) -> Vec<(usize, u32, u32)> {
        (0..10)
            .map(|i| (i + 1, self.p.imd2019_deciles[i], self.p.imd2025_deciles[i]))
            .collect()
    }

    pub fn has2025(&self) -> bool {
        self.chart2025.is_some()
    }

    /// LSOAs to list: 2011 codes when IMD 2019 is the base, else 2021.
    pub fn lsoas(&self) -> &[levers_geo::LsoaSummary] {
        if self.p.lsoas_2011.is_empty() {
            &self.p.lsoas_2021
        } else {
            &self.p.lsoas_2011
        }
    }

    pub fn lsoa_vintage(&self) -> &'static str {
        if self.p.lsoas_2011.is_empty() {
            "2021"
        } else {
            "2011"
        }
    }
}

#[derive(Template)]
#[template(path = "admin/geography.html")]
pub struct AdminGeographyPage {
    pub chrome: Chrome,
    pub datasets: Vec<levers_store::geo::GeoDataset>,
    pub stats: levers_geo::IndexStats,
    pub index_mb: f64,
}

#[derive(Template)]
#[template(path = "spend/imports.html")]
pub struct SpendImportsPage {
    pub chrome: Chrome,
    pub imports: Vec<levers_store::spend::SpendImport>,
    pub can_change: bool,
}

impl SpendImportsPage {
    pub fn money(&self, p: &i64) -> String {
        crate::spend::pounds(*p)
    }
    pub fn rejected(&self, i: &levers_store::spend::SpendImport) -> u64 {
        i.report
            .get("rejected_count")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    }
}

#[derive(Template)]
#[template(path = "spend/import.html")]
pub struct SpendImportPage {
    pub chrome: Chrome,
    pub imp: levers_store::spend::SpendImport,
    pub report: crate::spend::ReportView,
}

impl SpendImportPage {
    pub fn can_undo(&self) -> bool {
        self.imp.undone_at.is_none()
            && self
                .chrome
                .user
                .as_ref()
                .is_some_and(|u| u.role.allows(levers_store::Role::Officer))
    }
    pub fn money(&self, p: &i64) -> String {
        crate::spend::pounds(*p)
    }
}

#[derive(Template)]
#[template(path = "spend/upload.html")]
pub struct SpendUploadPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub errors: Vec<FieldError>,
    pub max_mb: usize,
}
field_errors!(SpendUploadPage);

/// One field's row in the mapping form.
pub struct MappingRow {
    pub field: &'static str,
    pub label: String,
    /// The header the file's column for this field has now ("" when none).
    pub current: String,
    /// How it was chosen: override, synonym, guess, or "".
    pub how: &'static str,
    pub required: bool,
}

/// A first row of the file as levers reads it.
pub struct PreviewRow {
    pub line: u64,
    pub date: String,
    pub supplier: String,
    pub amount: String,
    pub expense_area: String,
    pub expense_type: String,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "spend/review.html")]
pub struct SpendReviewPage {
    pub chrome: Chrome,
    pub token: String,
    pub body: String,
    pub file: String,
    pub report: Option<levers_spend::CheckReport>,
    pub rows: Vec<MappingRow>,
    pub headers: Vec<String>,
    pub preview: Vec<PreviewRow>,
    pub problem: Option<String>,
    pub dropped: Vec<String>,
    pub already: Option<levers_store::spend::SpendImport>,
    pub errors: Vec<FieldError>,
}

impl SpendReviewPage {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        chrome: Chrome,
        token: &str,
        body: &str,
        file: &str,
        report: Option<levers_spend::CheckReport>,
        first: Vec<levers_spend::Transaction>,
        problem: Option<String>,
        explicit: Vec<(levers_spend::Field, String)>,
        dropped: Vec<String>,
        already: Option<levers_store::spend::SpendImport>,
    ) -> SpendReviewPage {
        use levers_spend::Field;
        let mut headers: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for f in Field::ALL {
            let mapped = report
                .as_ref()
                .and_then(|r| r.mapping.columns.iter().find(|c| c.field == f));
            let current = mapped
                .map(|c| c.header.clone())
                .or_else(|| {
                    explicit
                        .iter()
                        .find(|(e, _)| *e == f)
                        .map(|(_, h)| h.clone())
                })
                .unwrap_or_default();
            rows.push(MappingRow {
                field: f.name(),
                label: {
                    let n = f.name().replace('_', " ");
                    let mut c = n.chars();
                    c.next().map_or_else(String::new, |x| {
                        x.to_uppercase().collect::<String>() + c.as_str()
                    })
                },
                current,
                how: mapped.map_or("", |c| c.how),
                required: matches!(f, Field::Date | Field::Amount | Field::SupplierName),
            });
        }
        if let Some(r) = &report {
            let mut cols: Vec<(usize, String)> = r
                .mapping
                .columns
                .iter()
                .map(|c| (c.column, c.header.clone()))
                .collect();
            cols.sort();
            headers.extend(cols.into_iter().map(|(_, h)| h));
            headers.extend(r.mapping.unmapped.iter().cloned());
        }
        let preview = first
            .iter()
            .map(|t| PreviewRow {
                line: t.line,
                date: t.date.map_or_else(
                    || "—".to_string(),
                    |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
                ),
                supplier: t.supplier_name.clone(),
                amount: t.amount.to_string(),
                expense_area: t.expense_area.clone().unwrap_or_default(),
                expense_type: t.expense_type.clone().unwrap_or_default(),
                reference: t
                    .transaction_number
                    .clone()
                    .or_else(|| t.invoice_number.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let errors = problem
            .iter()
            .map(|p| FieldError::new("map_amount", p.clone()))
            .collect();
        SpendReviewPage {
            chrome,
            token: token.to_string(),
            body: body.to_string(),
            file: file.to_string(),
            report,
            rows,
            headers,
            preview,
            problem,
            dropped,
            already,
            errors,
        }
    }

    pub fn date(&self, d: &Option<time::Date>) -> String {
        d.map_or_else(
            || "—".to_string(),
            |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        )
    }
}
