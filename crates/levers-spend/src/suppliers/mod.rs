//! The council's supplier (creditor) master file: supplier ID, name, postcode, branch or trading
//! postcodes, company, charity and VAT numbers, a declared type and sector. Headers are recognised the
//! way spending files' are (normalised, a synonym table, then guesses from words), and every record is
//! accounted for: read = kept + rejected (with line, field and reason) + preamble + header + blank.

mod columns;
mod declared;
mod numbers;

use std::collections::HashMap;

use levers_geo::Postcode;
use serde::{Deserialize, Serialize};

use crate::SpendError;
use crate::table::read_table;

pub use columns::{SupplierField, SupplierMapping};
use columns::{header_score, map_header};
pub use declared::DeclaredType;
pub use numbers::{normalise_charity_number, normalise_company_number, normalise_vat_number};

/// One supplier as the council's file records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierRecord {
    /// 1-based line (row) in the file.
    pub line: u64,
    pub supplier_id: Option<String>,
    pub name: String,
    /// Normalised postcode (`PR1 2HE`), when the file gives a valid one.
    pub postcode: Option<String>,
    pub branch_postcodes: Vec<String>,
    pub company_number: Option<String>,
    pub charity_number: Option<String>,
    pub vat_number: Option<String>,
    pub declared_type: Option<DeclaredType>,
    pub sector: Option<String>,
}

/// A kept row with something to fix (the supplier is kept; the field is left empty).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierIssue {
    pub line: u64,
    pub field: SupplierField,
    pub value: String,
    pub reason: String,
}

/// A row not kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierRejection {
    pub line: u64,
    pub field: Option<SupplierField>,
    pub value: Option<String>,
    pub reason: String,
}

/// What reading a supplier file found.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierFileReport {
    pub file: String,
    pub format: &'static str,
    pub encoding: &'static str,
    pub header_line: u64,
    pub mapping: SupplierMapping,
    pub records: u64,
    pub preamble: u64,
    pub header: u64,
    pub kept: u64,
    pub rejected: u64,
    pub blank: u64,
    /// records = preamble + header + kept + rejected + blank.
    pub balanced: bool,
    pub rejections: Vec<SupplierRejection>,
    pub issues: Vec<SupplierIssue>,
    pub with_postcode: u64,
    pub with_branches: u64,
    pub with_company_number: u64,
    pub with_charity_number: u64,
    pub with_declared_type: u64,
}

impl SupplierFileReport {
    pub fn render_text(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let _ = writeln!(o, "{}", self.file);
        let _ = writeln!(
            o,
            "  format {}, encoding {}, header on line {}",
            self.format, self.encoding, self.header_line
        );
        for (f, c, h) in &self.mapping.columns {
            let _ = writeln!(o, "    {:<18} <- {:?} (column {})", f.name(), h, c + 1);
        }
        if !self.mapping.unmapped.is_empty() {
            let _ = writeln!(o, "    not used: {}", self.mapping.unmapped.join(", "));
        }
        let _ = writeln!(
            o,
            "  suppliers kept {}: {} with a postcode, {} with branch postcodes, {} with a company number, {} with a charity number, {} with a declared type",
            self.kept,
            self.with_postcode,
            self.with_branches,
            self.with_company_number,
            self.with_charity_number,
            self.with_declared_type
        );
        let _ = writeln!(
            o,
            "  reconciliation: {} records = {} preamble + {} header + {} kept + {} rejected + {} blank — {}",
            self.records,
            self.preamble,
            self.header,
            self.kept,
            self.rejected,
            self.blank,
            if self.balanced {
                "balanced"
            } else {
                "NOT BALANCED"
            }
        );
        for r in self.rejections.iter().take(50) {
            let _ = writeln!(
                o,
                "  REJECTED line {}{}: {}",
                r.line,
                r.field.map(|f| format!(", field {f}")).unwrap_or_default(),
                r.reason
            );
        }
        for i in self.issues.iter().take(50) {
            let _ = writeln!(
                o,
                "  line {}, field {}: {:?} {} (the supplier is kept without it)",
                i.line, i.field, i.value, i.reason
            );
        }
        if self.issues.len() > 50 {
            let _ = writeln!(
                o,
                "  … {} such lines in all (see --json)",
                self.issues.len()
            );
        }
        o
    }
}
/// A postcode as levers shows it (`PR1 2HE`).
fn show(p: &Postcode) -> String {
    format!("{} {}", p.outward(), p.inward())
}

/// How many rejections and issues the report lists in full (all are counted).
const MAX_LISTED: usize = 1000;

/// Reads a supplier master file (CSV in any encoding, XLS or XLSX). `overrides` choose columns by
/// header text, as `--map` does for spending files.
pub fn read_suppliers(
    name: &str,
    bytes: &[u8],
    overrides: &[(SupplierField, String)],
) -> Result<(Vec<SupplierRecord>, SupplierFileReport), SpendError> {
    let score = |cells: &[String]| {
        if overrides.is_empty() {
            header_score(cells)
        } else {
            let m = map_header(cells, overrides);
            if m.column(SupplierField::Name).is_some() {
                m.columns.len()
            } else {
                0
            }
        }
    };
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let (header, header_line, counts) = read_table(name, bytes, &score, &mut |line, cells| {
        rows.push((line, cells.to_vec()))
    })?;
    let mapping = map_header(&header, overrides);
    for (f, h) in overrides {
        if !mapping.columns.iter().any(|(g, _, _)| g == f) {
            return Err(SpendError::Read {
                file: name.to_string(),
                line: header_line,
                message: format!(
                    "--map {f}=\"{h}\" names a header that is not in the header row ({})",
                    header.join(", ")
                ),
            });
        }
    }
    let mut rep = SupplierFileReport {
        file: name.to_string(),
        format: counts.format,
        encoding: counts.encoding,
        header_line,
        mapping,
        records: counts.records,
        preamble: counts.preamble,
        header: counts.header,
        kept: 0,
        rejected: 0,
        blank: counts.blank,
        balanced: false,
        rejections: Vec::new(),
        issues: Vec::new(),
        with_postcode: 0,
        with_branches: 0,
        with_company_number: 0,
        with_charity_number: 0,
        with_declared_type: 0,
    };
    let mut out = Vec::with_capacity(rows.len());
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    let m = rep.mapping.clone();
    let cell = |cells: &[String], f: SupplierField| -> String {
        m.column(f)
            .and_then(|i| cells.get(i))
            .map_or(String::new(), |s| s.trim().to_string())
    };
    for (line, cells) in rows {
        let mut issues = Vec::new();
        let mut issue = |field, value: &str, reason: String| {
            issues.push(SupplierIssue {
                line,
                field,
                value: value.chars().take(200).collect(),
                reason,
            });
        };
        let name_text = cell(&cells, SupplierField::Name);
        let id = cell(&cells, SupplierField::SupplierId);
        if name_text.is_empty() {
            rep.rejected += 1;
            if rep.rejections.len() < MAX_LISTED {
                rep.rejections.push(SupplierRejection {
                    line,
                    field: Some(SupplierField::Name),
                    value: None,
                    reason: "the supplier's name is blank; add the name on this line".into(),
                });
            }
            continue;
        }
        if !id.is_empty() {
            if let Some(first) = seen_ids.get(&id) {
                rep.rejected += 1;
                if rep.rejections.len() < MAX_LISTED {
                    rep.rejections.push(SupplierRejection {
                        line,
                        field: Some(SupplierField::SupplierId),
                        value: Some(id.clone()),
                        reason: format!("supplier ID {id} is already used on line {first}; each supplier ID must appear once"),
                    });
                }
                continue;
            }
            seen_ids.insert(id.clone(), line);
        }
        let pc_text = cell(&cells, SupplierField::Postcode);
        let postcode = if pc_text.is_empty() {
            None
        } else {
            match Postcode::parse(&pc_text) {
                Ok(p) => Some(show(&p)),
                Err(e) => {
                    issue(
                        SupplierField::Postcode,
                        &pc_text,
                        format!("is not a postcode ({e})"),
                    );
                    None
                }
            }
        };
        let mut branches: Vec<String> = Vec::new();
        for c in m.branch_columns() {
            let text = cells.get(c).map_or("", |s| s.trim());
            for part in text.split([';', ',', '|', '/', '\n']) {
                let part = part.trim();
                if part.is_empty() {
                    continue;
                }
                match Postcode::parse(part) {
                    Ok(p) => {
                        let s = show(&p);
                        if Some(&s) != postcode.as_ref() && !branches.contains(&s) {
                            branches.push(s);
                        }
                    }
                    Err(e) => issue(
                        SupplierField::BranchPostcodes,
                        part,
                        format!("is not a postcode ({e})"),
                    ),
                }
            }
        }
        let opt = |text: String,
                   f: fn(&str) -> Option<String>,
                   field: SupplierField,
                   what: &str,
                   issue: &mut dyn FnMut(SupplierField, &str, String)| {
            if text.is_empty()
                || matches!(
                    text.to_ascii_lowercase().as_str(),
                    "n/a" | "na" | "none" | "-" | "0"
                )
            {
                return None;
            }
            let r = f(&text);
            if r.is_none() {
                issue(field, &text, format!("is not {what}"));
            }
            r
        };
        let company = opt(
            cell(&cells, SupplierField::CompanyNumber),
            normalise_company_number,
            SupplierField::CompanyNumber,
            "a company number (8 characters, like 01234567 or SC123456)",
            &mut issue,
        );
        let charity = opt(
            cell(&cells, SupplierField::CharityNumber),
            normalise_charity_number,
            SupplierField::CharityNumber,
            "a charity number",
            &mut issue,
        );
        let vat = opt(
            cell(&cells, SupplierField::VatNumber),
            normalise_vat_number,
            SupplierField::VatNumber,
            "a VAT number (9 or 12 digits, with or without GB)",
            &mut issue,
        );
        let type_text = cell(&cells, SupplierField::DeclaredType);
        let declared = if type_text.is_empty() {
            None
        } else {
            let t = DeclaredType::parse(&type_text);
            if t.is_none() {
                issue(
                    SupplierField::DeclaredType,
                    &type_text,
                    "is not a supplier type levers knows (SME, large, VCSE, public body, individual)".into(),
                );
            }
            t
        };
        let sector = Some(cell(&cells, SupplierField::Sector)).filter(|s| !s.is_empty());
        rep.kept += 1;
        rep.with_postcode += u64::from(postcode.is_some());
        rep.with_branches += u64::from(!branches.is_empty());
        rep.with_company_number += u64::from(company.is_some());
        rep.with_charity_number += u64::from(charity.is_some());
        rep.with_declared_type += u64::from(declared.is_some());
        for i in issues {
            if rep.issues.len() < MAX_LISTED {
                rep.issues.push(i);
            }
        }
        out.push(SupplierRecord {
            line,
            supplier_id: Some(id).filter(|s| !s.is_empty()),
            name: name_text,
            postcode,
            branch_postcodes: branches,
            company_number: company,
            charity_number: charity,
            vat_number: vat,
            declared_type: declared,
            sector,
        });
    }
    rep.balanced = rep.records == rep.preamble + rep.header + rep.kept + rep.rejected + rep.blank;
    Ok((out, rep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creditor_file_reads_and_reconciles() {
        let csv = "Creditor listing produced 01/04/2025\n\
                   Creditor No,Creditor Name,Address Postcode,Branch Postcodes,Company Reg No,Charity No,VAT Reg No,Supplier Type,Category\n\
                   C001,Acme Ltd,pr1 2he,\"PR2 1AA; M15 4FN\",1234567,,GB 123 4567 89,SME,Catering\n\
                   C002,,PR1 1AA,,,,,,\n\
                   C003,Harbour Trust,not a postcode,,,1012345-2,,Charity,\n\
                   C001,Acme Again,PR1 2HE,,,,,,\n\
                   ,,,,,,,,\n\
                   C004,Someone,,,,,,Martian,\n";
        let (recs, rep) = read_suppliers("creditors.csv", csv.as_bytes(), &[]).unwrap();
        assert!(rep.balanced, "{rep:?}");
        // 8 records: 1 preamble + 1 header + 3 kept + 2 rejected + 1 blank.
        assert_eq!(
            (
                rep.records,
                rep.preamble,
                rep.header,
                rep.kept,
                rep.rejected,
                rep.blank
            ),
            (8, 1, 1, 3, 2, 1)
        );
        assert_eq!(rep.header_line, 2);
        let a = &recs[0];
        assert_eq!(a.supplier_id.as_deref(), Some("C001"));
        assert_eq!(a.postcode.as_deref(), Some("PR1 2HE"));
        assert_eq!(
            a.branch_postcodes,
            vec!["PR2 1AA".to_string(), "M15 4FN".to_string()]
        );
        assert_eq!(a.company_number.as_deref(), Some("01234567"));
        assert_eq!(a.vat_number.as_deref(), Some("123456789"));
        assert_eq!(a.declared_type, Some(DeclaredType::Sme));
        assert_eq!(a.sector.as_deref(), Some("Catering"));
        assert_eq!(recs[1].charity_number.as_deref(), Some("1012345"));
        assert_eq!(recs[1].declared_type, Some(DeclaredType::Vcse));
        assert_eq!(recs[1].postcode, None);
        assert_eq!(rep.rejections[0].line, 4);
        assert_eq!(rep.rejections[0].field, Some(SupplierField::Name));
        assert!(
            rep.rejections[1].reason.contains("already used on line 3"),
            "{:?}",
            rep.rejections[1]
        );
        assert_eq!(rep.issues.len(), 2);
        assert_eq!(
            (rep.issues[0].line, rep.issues[0].field),
            (5, SupplierField::Postcode)
        );
        assert_eq!(
            (rep.issues[1].line, rep.issues[1].field),
            (8, SupplierField::DeclaredType)
        );
        assert!(rep.render_text().contains("balanced"));
    }

    #[test]
    fn numbers_normalise() {
        assert_eq!(
            normalise_company_number("sc 12345").as_deref(),
            Some("SC012345")
        );
        assert_eq!(normalise_company_number("00000000"), None);
        assert_eq!(normalise_company_number("12-34"), None);
        assert_eq!(
            normalise_charity_number("SC012345").as_deref(),
            Some("SC012345")
        );
        assert_eq!(
            normalise_vat_number("GB123456789").as_deref(),
            Some("123456789")
        );
        assert_eq!(normalise_vat_number("12345"), None);
    }

    #[test]
    fn declared_types_read() {
        for (s, t) in [
            ("SME", DeclaredType::Sme),
            ("Small business", DeclaredType::Sme),
            ("Large", DeclaredType::Large),
            ("Voluntary Sector", DeclaredType::Vcse),
            ("Community Interest Company", DeclaredType::Vcse),
            ("Other LA", DeclaredType::Public),
            ("NHS Trust", DeclaredType::Public),
            ("Individual", DeclaredType::Individual),
            ("Sole trader", DeclaredType::Sme),
        ] {
            assert_eq!(DeclaredType::parse(s), Some(t), "{s}");
        }
        assert_eq!(DeclaredType::parse("??"), None);
    }

    #[test]
    fn overrides_choose_columns() {
        let csv = "Ref,Who,Where\nA1,Acme,PR1 2HE\n";
        let (recs, rep) = read_suppliers(
            "x.csv",
            csv.as_bytes(),
            &[
                (SupplierField::SupplierId, "Ref".into()),
                (SupplierField::Name, "Who".into()),
                (SupplierField::Postcode, "Where".into()),
            ],
        )
        .unwrap();
        assert_eq!(rep.kept, 1);
        assert_eq!(recs[0].postcode.as_deref(), Some("PR1 2HE"));
        assert!(
            read_suppliers(
                "x.csv",
                csv.as_bytes(),
                &[(SupplierField::Name, "Nope".into())]
            )
            .is_err()
        );
    }
}
