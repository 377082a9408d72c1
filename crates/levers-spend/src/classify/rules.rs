//! The influenceable-spend exclusion rules: editable, applied in order, each excluded pound
//! attributed to the first rule that matches it; and the default set.

use crate::FastMap;

use serde::{Deserialize, Serialize};

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    SupplierName,
    ExpenseType,
    ExpenseArea,
    Purpose,
    CreditorType,
}

impl RuleField {
    pub const ALL: [RuleField; 5] = [
        RuleField::SupplierName,
        RuleField::ExpenseType,
        RuleField::ExpenseArea,
        RuleField::Purpose,
        RuleField::CreditorType,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RuleField::SupplierName => "supplier_name",
            RuleField::ExpenseType => "expense_type",
            RuleField::ExpenseArea => "expense_area",
            RuleField::Purpose => "purpose",
            RuleField::CreditorType => "creditor_type",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleField::SupplierName => "Supplier name",
            RuleField::ExpenseType => "Expense type",
            RuleField::ExpenseArea => "Expense area",
            RuleField::Purpose => "Purpose",
            RuleField::CreditorType => "Creditor type",
        }
    }

    pub fn from_key(s: &str) -> Option<RuleField> {
        RuleField::ALL.into_iter().find(|f| f.key() == s.trim())
    }
}

/// One influenceable-spend exclusion rule: a payment is excluded when any of `fields` contains any
/// of `keywords` as whole words (case-insensitive), or when its supplier is of one of
/// `supplier_types`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionRule {
    /// Stable key (`levies`, `pensions` …).
    pub key: String,
    pub label: String,
    pub enabled: bool,
    pub fields: Vec<RuleField>,
    pub keywords: Vec<String>,
    /// `public`, `individual`: exclude every payment to suppliers classified so.
    #[serde(default)]
    pub supplier_types: Vec<String>,
}

/// The facts about one payment the rules look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentFacts<'a> {
    pub supplier_name: &'a str,
    pub expense_type: &'a str,
    pub expense_area: &'a str,
    pub purpose: &'a str,
    pub creditor_type: &'a str,
    pub public: bool,
    pub individual: bool,
}

/// Upper case, every run of non-alphanumerics one space, padded with spaces: whole-word search.
pub(super) fn padded(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
            space = false;
        } else if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// Rules compiled for fast matching (keywords upper-cased and padded once).
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(super) rules: Vec<(ExclusionRule, Vec<String>)>,
    /// The supplier-name keywords by their first word: (padded keyword, rule index). A padded
    /// keyword occurs in a padded name exactly when its words occur there in a row, so a name is
    /// tested word by word against only the keywords starting with that word.
    name_words: FastMap<String, Vec<(String, u8)>>,
}

impl RuleSet {
    pub fn new(rules: &[ExclusionRule]) -> RuleSet {
        let rules: Vec<(ExclusionRule, Vec<String>)> = rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| {
                (
                    r.clone(),
                    r.keywords
                        .iter()
                        .map(|k| padded(k))
                        .filter(|k| k.trim() != "")
                        .collect(),
                )
            })
            .collect();
        let mut name_words: FastMap<String, Vec<(String, u8)>> = FastMap::default();
        if rules.len() <= 64 {
            for (i, (rule, kws)) in rules.iter().enumerate() {
                if rule.fields.contains(&RuleField::SupplierName) {
                    for k in kws {
                        let first = k.trim_start().split(' ').next().unwrap_or_default();
                        name_words
                            .entry(first.to_string())
                            .or_default()
                            .push((k.clone(), i as u8));
                    }
                }
            }
        }
        RuleSet { rules, name_words }
    }

    pub fn rules(&self) -> impl Iterator<Item = &ExclusionRule> {
        self.rules.iter().map(|(r, _)| r)
    }

    /// The rules whose supplier-name keywords match `name`, as a bit set (bit i = enabled rule i).
    /// `None` when there are more than 64 enabled rules (use [`RuleSet::first_match`] then).
    /// With [`RuleSet::other_mask`] this splits [`RuleSet::first_match`] so the analysis can test a
    /// name once per distinct name and the other fields once per distinct combination.
    pub fn name_mask(&self, name: &str) -> Option<u64> {
        if self.rules.len() > 64 {
            return None;
        }
        if name.is_empty() {
            return Some(0);
        }
        let text = padded(name);
        let mut mask = 0u64;
        // Each word starts after a space; `text[start - 1..]` begins with that space, as keywords do.
        let mut start = 1;
        while start < text.len() {
            let end = text[start..].find(' ').map_or(text.len(), |e| start + e);
            if let Some(kws) = self.name_words.get(&text[start..end]) {
                for (k, i) in kws {
                    if text[start - 1..].starts_with(k.as_str()) {
                        mask |= 1 << i;
                    }
                }
            }
            start = end + 1;
        }
        Some(mask)
    }

    /// The rules matching on anything but the supplier's name (supplier types and the other fields),
    /// as a bit set; the name is ignored. `None` when there are more than 64 enabled rules.
    pub fn other_mask(&self, p: &PaymentFacts<'_>) -> Option<u64> {
        if self.rules.len() > 64 {
            return None;
        }
        let mut texts: [Option<String>; 4] = Default::default();
        let mut mask = 0u64;
        for (i, (rule, kws)) in self.rules.iter().enumerate() {
            if rule
                .supplier_types
                .iter()
                .any(|t| (t == "public" && p.public) || (t == "individual" && p.individual))
            {
                mask |= 1 << i;
                continue;
            }
            for f in &rule.fields {
                let (slot, raw) = match f {
                    RuleField::SupplierName => continue,
                    RuleField::ExpenseType => (0, p.expense_type),
                    RuleField::ExpenseArea => (1, p.expense_area),
                    RuleField::Purpose => (2, p.purpose),
                    RuleField::CreditorType => (3, p.creditor_type),
                };
                if raw.is_empty() {
                    continue;
                }
                let t = texts[slot].get_or_insert_with(|| padded(raw));
                if kws.iter().any(|k| t.contains(k.as_str())) {
                    mask |= 1 << i;
                    break;
                }
            }
        }
        Some(mask)
    }

    /// The first rule in a bit set from [`RuleSet::name_mask`] | [`RuleSet::other_mask`].
    pub fn first_of(mask: u64) -> Option<usize> {
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }

    /// The index (among enabled rules) of the first rule excluding this payment.
    pub fn first_match(&self, p: &PaymentFacts<'_>) -> Option<usize> {
        let mut texts: [Option<String>; 5] = Default::default();
        for (i, (rule, kws)) in self.rules.iter().enumerate() {
            if rule
                .supplier_types
                .iter()
                .any(|t| (t == "public" && p.public) || (t == "individual" && p.individual))
            {
                return Some(i);
            }
            if kws.is_empty() {
                continue;
            }
            for f in &rule.fields {
                let (slot, raw) = match f {
                    RuleField::SupplierName => (0, p.supplier_name),
                    RuleField::ExpenseType => (1, p.expense_type),
                    RuleField::ExpenseArea => (2, p.expense_area),
                    RuleField::Purpose => (3, p.purpose),
                    RuleField::CreditorType => (4, p.creditor_type),
                };
                if raw.is_empty() {
                    continue;
                }
                let t = texts[slot].get_or_insert_with(|| padded(raw));
                if kws.iter().any(|k| t.contains(k.as_str())) {
                    return Some(i);
                }
            }
        }
        None
    }
}

fn rule(
    key: &str,
    label: &str,
    fields: &[RuleField],
    keywords: &[&str],
    types: &[&str],
) -> ExclusionRule {
    ExclusionRule {
        key: key.into(),
        label: label.into(),
        enabled: true,
        fields: fields.to_vec(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        supplier_types: types.iter().map(|s| s.to_string()).collect(),
    }
}

/// The default exclusion rules (CLES practice: influenceable procurement spend leaves out levies and
/// precepts, payments to other public bodies, pensions, tax, payroll, loans and financing, grants and
/// direct payments to individuals, and refunds). Officers can edit, disable, reorder and add rules.
pub fn default_rules() -> Vec<ExclusionRule> {
    use RuleField::*;
    let text = [ExpenseType, ExpenseArea, Purpose];
    vec![
        rule(
            "levies",
            "Levies and precepts",
            &[ExpenseType, Purpose, SupplierName],
            &["levy", "levies", "precept", "precepts"],
            &[],
        ),
        rule(
            "pensions",
            "Pensions",
            &[ExpenseType, Purpose, SupplierName],
            &["pension", "pensions", "superannuation"],
            &[],
        ),
        rule(
            "hmrc",
            "HMRC and tax",
            &[SupplierName, ExpenseType, Purpose],
            &[
                "HMRC",
                "HM Revenue",
                "PAYE",
                "national insurance",
                "tax payment",
                "tax payments",
                "VAT payment",
                "apprenticeship levy",
            ],
            &[],
        ),
        rule(
            "payroll",
            "Payroll and salaries",
            &text,
            &["salary", "salaries", "payroll", "wages", "employee costs"],
            &[],
        ),
        rule(
            "financing",
            "Loans and financing",
            &[ExpenseType, Purpose, SupplierName],
            &[
                "loan",
                "loans",
                "interest payable",
                "debt repayment",
                "PWLB",
                "public works loan",
                "capital financing",
                "bank charges",
                "minimum revenue provision",
            ],
            &[],
        ),
        rule(
            "individuals",
            "Grants and direct payments to individuals",
            &[ExpenseType, Purpose, CreditorType],
            &[
                "direct payment",
                "direct payments",
                "personal budget",
                "personal budgets",
                "grants to individuals",
                "individual grant",
                "bursary",
                "bursaries",
                "client payments",
            ],
            &["individual"],
        ),
        rule(
            "public_bodies",
            "Payments to other public bodies",
            &[CreditorType],
            &["other local authority", "government department"],
            &["public"],
        ),
        rule(
            "refunds",
            "Refunds",
            &text,
            &["refund", "refunds", "reimbursement of income"],
            &[],
        ),
    ]
}
