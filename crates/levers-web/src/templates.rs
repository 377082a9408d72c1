//! The page templates (askama, compiled in) and the layout context every page shares.

use askama::Template;
use levers_store::{ApiToken, AuditEntry, Role, User};

use crate::auth::Identity;

/// One entry of the main navigation.
pub struct NavItem {
    pub key: &'static str,
    pub href: &'static str,
    pub label: &'static str,
}

/// The main navigation, in order. Admin is shown to admins only.
pub const NAV: &[NavItem] = &[
    NavItem { key: "procurement", href: "/procurement", label: "Procurement" },
    NavItem { key: "community-budgets", href: "/community-budgets", label: "Community budgets" },
    NavItem { key: "co-production", href: "/co-production", label: "Co-production" },
    NavItem { key: "strategy", href: "/strategy", label: "Strategy" },
    NavItem { key: "places", href: "/places", label: "Places" },
    NavItem { key: "admin", href: "/admin", label: "Admin" },
];

/// The signed-in account as the header shows it.
pub struct Badge {
    pub email: String,
    pub role: Role,
}

/// What the layout needs on every page.
pub struct Chrome {
    pub title: String,
    pub council: String,
    /// The `NAV` key of the current section, or "" for none.
    pub section: &'static str,
    pub user: Option<Badge>,
    pub csrf: String,
    pub demo: bool,
    pub version: &'static str,
}

impl Chrome {
    pub fn new(identity: &Identity, council: String, section: &'static str, title: impl Into<String>, demo: bool) -> Chrome {
        Chrome {
            title: title.into(),
            council,
            section,
            user: identity.user().map(|u| Badge { email: u.email.clone(), role: u.role }),
            csrf: identity.csrf().to_string(),
            demo,
            version: crate::VERSION,
        }
    }

    /// A layout with no account and no council name, for errors raised before either is known.
    pub fn bare(title: &str) -> Chrome {
        Chrome {
            title: title.to_string(),
            council: String::new(),
            section: "",
            user: None,
            csrf: String::new(),
            demo: false,
            version: crate::VERSION,
        }
    }

    pub fn nav(&self) -> impl Iterator<Item = &'static NavItem> + '_ {
        let admin = self.user.as_ref().is_some_and(|u| u.role == Role::Admin);
        NAV.iter().filter(move |n| n.key != "admin" || admin)
    }
}

/// A problem with one form field, shown in the error summary and beside the field.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field, message: message.into() }
    }
}

/// The message for `field`, if it has one (templates call this).
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
}

/// Seconds since the epoch as `28 Nov 2026 22:15 UTC`.
pub fn when(unix: &i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(*unix) {
        Ok(t) => {
            let fmt = time::macros::format_description!("[day padding:none] [month repr:short] [year] [hour]:[minute] UTC");
            t.format(&fmt).unwrap_or_else(|_| unix.to_string())
        }
        Err(_) => unix.to_string(),
    }
}

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
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub message: &'static str,
    pub status: u16,
    pub show_sign_in: bool,
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
field_errors!(SignInPage, PasswordPage, UsersPage, TokensPage, SettingsPage);

impl AuditPage {
    pub fn when(&self, at: impl Unix) -> String {
        when(&at.unix())
    }

    /// A JSON value compactly, or a dash when absent.
    pub fn json(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref().map_or_else(|| "–".to_string(), |v| v.to_string())
    }

    /// The kinds of object the filter offers.
    pub fn object_types(&self) -> &'static [(&'static str, &'static str)] {
        &[("user", "accounts"), ("api_token", "API tokens"), ("setting", "settings"), ("auth", "sign-in lock-outs")]
    }
}

impl TokensPage {
    pub fn when(&self, at: impl Unix) -> String {
        when(&at.unix())
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
        (0..10).map(|i| (i + 1, self.p.imd2019_deciles[i], self.p.imd2025_deciles[i])).collect()
    }

    pub fn has2025(&self) -> bool {
        self.chart2025.is_some()
    }

    /// LSOAs to list: 2011 codes when IMD 2019 is the base, else 2021.
    pub fn lsoas(&self) -> &[levers_geo::LsoaSummary] {
        if self.p.lsoas_2011.is_empty() { &self.p.lsoas_2021 } else { &self.p.lsoas_2011 }
    }

    pub fn lsoa_vintage(&self) -> &'static str {
        if self.p.lsoas_2011.is_empty() { "2021" } else { "2011" }
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

impl AdminGeographyPage {
    pub fn when(&self, at: impl Unix) -> String {
        when(&at.unix())
    }
}
