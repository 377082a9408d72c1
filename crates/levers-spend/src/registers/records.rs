//! What a register import keeps and reports: which register a file is, the company and charity
//! records kept, and the reconciliation with its rejections.

use serde::{Deserialize, Serialize};

/// Which register a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    CompaniesHouse,
    CharityCommission,
}

impl RegisterKind {
    pub fn key(self) -> &'static str {
        match self {
            RegisterKind::CompaniesHouse => "companies_house",
            RegisterKind::CharityCommission => "charity_commission",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegisterKind::CompaniesHouse => "Companies House basic company data",
            RegisterKind::CharityCommission => "Charity Commission register extract",
        }
    }
}

/// A company as Companies House records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRecord {
    /// 8 characters, zero-padded (`01234567`, `SC123456`).
    pub number: String,
    pub name: String,
    /// The registered office postcode (`PR1 2HE`). Not necessarily where the company trades.
    pub postcode: Option<String>,
    /// `CompanyCategory`, e.g. "Private Limited Company", "Community Interest Company",
    /// "PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)".
    pub category: String,
    /// `CompanyStatus`, e.g. "Active", "Dissolved".
    pub status: String,
    /// `Accounts.AccountCategory`, e.g. "MICRO ENTITY", "SMALL", "FULL", "GROUP".
    pub account_category: String,
    /// 5-digit SIC 2007 codes from `SICCode.SicText_1..4`.
    pub sic: Vec<String>,
}

/// A charity as the Charity Commission records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharityRecord {
    pub number: String,
    pub name: String,
    /// The contact postcode (`PR1 2HE`). Not necessarily where the charity works.
    pub postcode: Option<String>,
    /// The charity's Companies House number, for charitable companies.
    pub company_number: Option<String>,
    /// e.g. "Charitable company", "CIO", "Trust", "Other".
    pub charity_type: String,
    /// "Registered" or "Removed".
    pub status: String,
    pub is_cio: bool,
    /// What the charity is for: `charitable_objects` where the file has it, else the register's
    /// `charity_activities` (the contract pipeline matches its words against the work).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects: Option<String>,
}

/// One kept register entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "register", rename_all = "snake_case")]
pub enum RegisterRecord {
    Company(CompanyRecord),
    Charity(CharityRecord),
}

impl RegisterRecord {
    pub fn number(&self) -> &str {
        match self {
            RegisterRecord::Company(c) => &c.number,
            RegisterRecord::Charity(c) => &c.number,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            RegisterRecord::Company(c) => &c.name,
            RegisterRecord::Charity(c) => &c.name,
        }
    }

    pub fn kind(&self) -> RegisterKind {
        match self {
            RegisterRecord::Company(_) => RegisterKind::CompaniesHouse,
            RegisterRecord::Charity(_) => RegisterKind::CharityCommission,
        }
    }
}

/// A row not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRejection {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// What reading a register file found.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterReport {
    pub file: String,
    pub kind: RegisterKind,
    pub records: u64,
    pub header: u64,
    pub kept: u64,
    /// Valid rows the caller did not need (not a supplier; a linked charity under its main one).
    pub skipped: u64,
    pub rejected: u64,
    pub blank: u64,
    /// records = header + kept + skipped + rejected + blank.
    pub balanced: bool,
    pub rejections: Vec<RegisterRejection>,
}

impl RegisterReport {
    pub fn render_text(&self) -> String {
        let mut o = format!(
            "{}\n  {}: {} records = {} header + {} kept + {} not needed + {} rejected + {} blank — {}\n",
            self.file,
            self.kind.label(),
            self.records,
            self.header,
            self.kept,
            self.skipped,
            self.rejected,
            self.blank,
            if self.balanced {
                "balanced"
            } else {
                "NOT BALANCED"
            }
        );
        for r in self.rejections.iter().take(50) {
            o.push_str(&format!(
                "  REJECTED line {}, field {}: {}\n",
                r.line, r.field, r.reason
            ));
        }
        o
    }
}
