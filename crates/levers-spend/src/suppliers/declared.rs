//! The kind of organisation a supplier is, as the council's supplier file declares it.

use serde::{Deserialize, Serialize};

use crate::header::normalise_header;

/// What kind of organisation a supplier is, as the council records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclaredType {
    /// Small or medium-sized enterprise (including micro businesses and sole traders).
    Sme,
    Large,
    /// Voluntary, community or social enterprise: charities, CICs, CIOs, companies limited by
    /// guarantee, registered societies and co-operatives.
    Vcse,
    /// Another public body (council, NHS, police, fire authority, government department).
    Public,
    /// A private individual (foster carers, direct-payment recipients …).
    Individual,
}

impl DeclaredType {
    pub fn label(self) -> &'static str {
        match self {
            DeclaredType::Sme => "SME",
            DeclaredType::Large => "Large",
            DeclaredType::Vcse => "VCSE",
            DeclaredType::Public => "Public body",
            DeclaredType::Individual => "Individual",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            DeclaredType::Sme => "sme",
            DeclaredType::Large => "large",
            DeclaredType::Vcse => "vcse",
            DeclaredType::Public => "public",
            DeclaredType::Individual => "individual",
        }
    }

    /// Reads the ways creditor files write a supplier type (`SME`, `Small`, `Ltd - large`, `Charity`,
    /// `Voluntary sector`, `Other LA`, `NHS`, `Individual`, `Sole trader` …). `None` when unrecognised.
    pub fn parse(s: &str) -> Option<DeclaredType> {
        let n = normalise_header(s);
        if n.is_empty() {
            return None;
        }
        let words: Vec<&str> = n.split(' ').collect();
        let has = |w: &str| words.contains(&w);
        let any = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
        if any(&[
            "vcse",
            "vcs",
            "vcfse",
            "charity",
            "charitable",
            "voluntary",
            "cic",
            "cio",
            "community",
            "social",
            "third",
            "society",
            "mutual",
            "cooperative",
            "coop",
        ]) || n.contains("co operative")
        {
            return Some(DeclaredType::Vcse);
        }
        if any(&[
            "public",
            "la",
            "council",
            "nhs",
            "government",
            "police",
            "fire",
            "authority",
            "academy",
            "school",
            "university",
            "hmrc",
            "ccg",
            "icb",
        ]) {
            return Some(DeclaredType::Public);
        }
        if any(&[
            "individual",
            "person",
            "private",
            "employee",
            "carer",
            "resident",
            "citizen",
        ]) && !has("company")
        {
            return Some(DeclaredType::Individual);
        }
        if any(&["large", "plc", "multinational", "national"]) {
            return Some(DeclaredType::Large);
        }
        if any(&[
            "sme",
            "small",
            "medium",
            "micro",
            "smes",
            "sole",
            "trader",
            "partnership",
            "local",
        ]) {
            return Some(DeclaredType::Sme);
        }
        None
    }
}
