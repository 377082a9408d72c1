//! The layout every page shares: navigation, the page chrome (council, account, CSRF token), field
//! errors, and the small text helpers templates call. Imports nothing else from this crate.

use levers_store::{Role, User};

pub use levers_present::show::when;

/// The version reported by `/healthz` and the page footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One entry of the main navigation.
pub struct NavItem {
    pub key: &'static str,
    pub href: &'static str,
    pub label: &'static str,
}

/// The main navigation, in order. Admin is shown to admins only.
pub const NAV: &[NavItem] = &[
    NavItem {
        key: "procurement",
        href: "/procurement",
        label: "Procurement",
    },
    NavItem {
        key: "community-budgets",
        href: "/community-budgets",
        label: "Community budgets",
    },
    NavItem {
        key: "co-production",
        href: "/co-production",
        label: "Co-production",
    },
    NavItem {
        key: "strategy",
        href: "/strategy",
        label: "Strategy",
    },
    NavItem {
        key: "places",
        href: "/places",
        label: "Places",
    },
    NavItem {
        key: "admin",
        href: "/admin",
        label: "Admin",
    },
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
    pub fn new(
        user: Option<&User>,
        csrf: &str,
        council: String,
        section: &'static str,
        title: impl Into<String>,
        demo: bool,
    ) -> Chrome {
        Chrome {
            title: title.into(),
            council,
            section,
            user: user.map(|u| Badge {
                email: u.email.clone(),
                role: u.role,
            }),
            csrf: csrf.to_string(),
            demo,
            version: VERSION,
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
            version: VERSION,
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
        FieldError {
            field,
            message: message.into(),
        }
    }
}

/// The message for `field`, if it has one (templates call this).
pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// A message with its first letter in capitals, for an error shown on its own.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Gives a page with an `errors` field the `err(field)` lookup its template uses.
macro_rules! field_errors {
    ($($page:ty),*) => {$(
        impl $page {
            pub fn err(&self, field: &str) -> Option<&str> {
                $crate::layout::error_for(&self.errors, field)
            }
        }
    )*};
}
pub(crate) use field_errors;

/// Gives pages that show stored timestamps the `when(at)` their templates use.
macro_rules! timestamps {
    ($($page:ty),*) => {$(
        impl $page {
            pub fn when(&self, at: impl $crate::layout::Unix) -> String {
                $crate::layout::when(&at.unix())
            }
        }
    )*};
}
pub(crate) use timestamps;

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
