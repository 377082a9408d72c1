//! A council's contract register as the Local Government Transparency Code 2015 asks it to be
//! published: reference, title, description, department, supplier with its company or charity
//! number, value, start, end and review/extension dates, procedure, SME and VCSE flags. Any column
//! order or wording, CSV in any encoding or a spreadsheet (levers-spend's table reader finds the
//! header below any title rows); every record accounted for.

use levers_core::Money;
use levers_spend::header::normalise_header;
use levers_spend::suppliers::{normalise_charity_number, normalise_company_number};
use levers_spend::{DateCell, DateOrder, parse_amount, parse_date};
use serde::Serialize;

use crate::ContractsError;
use crate::model::{Contract, Source, Stage, SupplierRef};

/// A register column levers reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Col {
    Reference,
    Title,
    Description,
    Department,
    Supplier,
    CompanyNumber,
    CharityNumber,
    Postcode,
    Value,
    AnnualValue,
    Start,
    End,
    Review,
    MaxEnd,
    Procedure,
    Sme,
    Vcse,
    Cpv,
    Category,
}

impl Col {
    pub fn name(self) -> &'static str {
        match self {
            Col::Reference => "reference",
            Col::Title => "title",
            Col::Description => "description",
            Col::Department => "department",
            Col::Supplier => "supplier",
            Col::CompanyNumber => "company number",
            Col::CharityNumber => "charity number",
            Col::Postcode => "supplier postcode",
            Col::Value => "value",
            Col::AnnualValue => "annual value",
            Col::Start => "start date",
            Col::End => "end date",
            Col::Review => "review or extension date",
            Col::MaxEnd => "end date with extensions",
            Col::Procedure => "procedure",
            Col::Sme => "SME",
            Col::Vcse => "VCSE",
            Col::Cpv => "CPV code",
            Col::Category => "category",
        }
    }
}

/// Exact (normalised) headers seen in registers and the Code's own wording.
const EXACT: &[(&str, Col)] = &[
    ("reference", Col::Reference),
    ("reference number", Col::Reference),
    ("contract reference", Col::Reference),
    ("contract reference number", Col::Reference),
    ("contract ref", Col::Reference),
    ("ref", Col::Reference),
    ("ref no", Col::Reference),
    ("contract id", Col::Reference),
    ("contract number", Col::Reference),
    ("contract no", Col::Reference),
    ("title", Col::Title),
    ("contract title", Col::Title),
    ("title of agreement", Col::Title),
    ("agreement title", Col::Title),
    ("contract name", Col::Title),
    ("name of contract", Col::Title),
    ("contract", Col::Title),
    ("description", Col::Description),
    ("contract description", Col::Description),
    ("description of goods and services", Col::Description),
    ("description of goods services", Col::Description),
    ("goods and services", Col::Description),
    ("summary", Col::Description),
    ("department", Col::Department),
    ("department responsible", Col::Department),
    ("directorate", Col::Department),
    ("service", Col::Department),
    ("service area", Col::Department),
    ("department service", Col::Department),
    ("supplier", Col::Supplier),
    ("supplier name", Col::Supplier),
    ("name of supplier", Col::Supplier),
    ("supplier details", Col::Supplier),
    ("contractor", Col::Supplier),
    ("contractor name", Col::Supplier),
    ("provider", Col::Supplier),
    ("provider name", Col::Supplier),
    ("company number", Col::CompanyNumber),
    ("registered company number", Col::CompanyNumber),
    ("company registration number", Col::CompanyNumber),
    ("companies house number", Col::CompanyNumber),
    ("company reg no", Col::CompanyNumber),
    ("company no", Col::CompanyNumber),
    ("supplier company number", Col::CompanyNumber),
    ("charity number", Col::CharityNumber),
    ("registered charity number", Col::CharityNumber),
    ("charity no", Col::CharityNumber),
    ("charity registration number", Col::CharityNumber),
    ("supplier charity number", Col::CharityNumber),
    ("postcode", Col::Postcode),
    ("supplier postcode", Col::Postcode),
    ("value", Col::Value),
    ("contract value", Col::Value),
    ("total value", Col::Value),
    ("total contract value", Col::Value),
    ("estimated value", Col::Value),
    ("estimated total value", Col::Value),
    ("value of contract", Col::Value),
    ("sum to be paid", Col::Value),
    ("sum to be paid over the length of the contract", Col::Value),
    ("annual value", Col::AnnualValue),
    ("estimated annual value", Col::AnnualValue),
    ("annual contract value", Col::AnnualValue),
    ("value per annum", Col::AnnualValue),
    ("start date", Col::Start),
    ("start", Col::Start),
    ("contract start date", Col::Start),
    ("commencement date", Col::Start),
    ("end date", Col::End),
    ("end", Col::End),
    ("contract end date", Col::End),
    ("expiry date", Col::End),
    ("review date", Col::Review),
    ("extension date", Col::Review),
    ("review", Col::Review),
    ("review extension date", Col::Review),
    ("review or extension date", Col::Review),
    ("date of review", Col::Review),
    ("end date including extensions", Col::MaxEnd),
    ("end date with extensions", Col::MaxEnd),
    ("maximum end date", Col::MaxEnd),
    ("latest end date", Col::MaxEnd),
    ("procedure", Col::Procedure),
    ("procurement process", Col::Procedure),
    ("procurement procedure", Col::Procedure),
    ("procurement route", Col::Procedure),
    ("process used", Col::Procedure),
    ("route to market", Col::Procedure),
    ("sme", Col::Sme),
    ("sme status", Col::Sme),
    ("sme flag", Col::Sme),
    ("is the supplier an sme", Col::Sme),
    ("sme y n", Col::Sme),
    ("vcse", Col::Vcse),
    ("vcse status", Col::Vcse),
    ("vcse flag", Col::Vcse),
    ("is the supplier a vcse", Col::Vcse),
    ("vcse y n", Col::Vcse),
    ("cpv", Col::Cpv),
    ("cpv code", Col::Cpv),
    ("cpv codes", Col::Cpv),
    ("category", Col::Category),
    ("proclass", Col::Category),
    ("procurement category", Col::Category),
    ("service category", Col::Category),
];

/// The column a header names: an exact known header, else telling words.
pub fn classify(raw: &str) -> Option<Col> {
    let n = normalise_header(raw);
    if let Some((_, c)) = EXACT.iter().find(|(h, _)| *h == n) {
        return Some(*c);
    }
    let has = |w: &str| n.split(' ').any(|x| x == w);
    Some(
        if has("company") && (has("number") || has("no") || has("reg")) {
            Col::CompanyNumber
        } else if has("charity") && (has("number") || has("no")) {
            Col::CharityNumber
        } else if has("sme") {
            Col::Sme
        } else if has("vcse") {
            Col::Vcse
        } else if has("cpv") {
            Col::Cpv
        } else if has("extension") || has("review") {
            if has("end") || has("maximum") {
                Col::MaxEnd
            } else {
                Col::Review
            }
        } else if has("annual") && has("value") {
            Col::AnnualValue
        } else if has("value") {
            Col::Value
        } else if has("start") {
            Col::Start
        } else if has("end") || has("expiry") {
            Col::End
        } else if has("supplier") || has("contractor") {
            Col::Supplier
        } else if has("title") {
            Col::Title
        } else if has("reference") {
            Col::Reference
        } else {
            return None;
        },
    )
}

/// Each column's field (first header naming a field wins).
pub fn map_header(header: &[String]) -> Vec<Option<Col>> {
    let mut seen = Vec::new();
    header
        .iter()
        .map(|h| {
            let c = classify(h)?;
            if seen.contains(&c) {
                return None;
            }
            seen.push(c);
            Some(c)
        })
        .collect()
}

fn score(cells: &[String]) -> usize {
    let m = map_header(cells);
    let has = |c: Col| m.contains(&Some(c));
    if !(has(Col::Title) || has(Col::Reference) || has(Col::Description)) {
        return 0;
    }
    if !(has(Col::Value) || has(Col::AnnualValue) || has(Col::End) || has(Col::Supplier)) {
        return 0;
    }
    m.iter().flatten().count()
}

/// A row that could not be kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// How a register file was read. records = preamble + header + kept + rejected + blank.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegisterReport {
    pub file: String,
    pub format: String,
    pub encoding: String,
    pub header_line: u64,
    /// Each column and the field it was read as.
    pub columns: Vec<(String, Option<Col>)>,
    pub records: u64,
    pub preamble: u64,
    pub header: u64,
    pub blank: u64,
    pub kept: u64,
    pub rejected: Vec<RowProblem>,
    /// Kept rows with something flagged (a value worked out from the annual value …).
    pub flagged: Vec<RowProblem>,
}

impl RegisterReport {
    pub fn balanced(&self) -> bool {
        self.records
            == self.preamble + self.header + self.kept + self.rejected.len() as u64 + self.blank
    }
}

fn flag(s: &str) -> Option<bool> {
    match normalise_header(s).as_str() {
        "y" | "yes" | "true" | "1" | "sme" | "vcse" | "x" => Some(true),
        "n" | "no" | "false" | "0" | "non sme" | "large" | "not sme" | "not vcse" => Some(false),
        _ => None,
    }
}

/// Normalised register key from a reference (case and spacing ignored).
pub fn reference_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

fn row(
    line: u64,
    cols: &[Option<Col>],
    cells: &[String],
    body: &str,
) -> Result<(Contract, Vec<RowProblem>), RowProblem> {
    let mut c = Contract {
        source: Source::Register,
        stage: Stage::Contract,
        buyer: body.to_string(),
        ..Contract::default()
    };
    let mut flagged = Vec::new();
    let mut sup = SupplierRef::default();
    let mut annual: Option<Money> = None;
    let bad = |col: Col, reason: String| RowProblem {
        line,
        field: col.name().to_string(),
        reason,
    };
    for (i, col) in cols.iter().enumerate() {
        let Some(col) = *col else { continue };
        let v = cells.get(i).map(|s| s.trim()).unwrap_or("");
        if v.is_empty() {
            continue;
        }
        let date = |v: &str| -> Result<Option<time::Date>, RowProblem> {
            match parse_date(v, DateOrder::DayFirst) {
                Ok(DateCell::Blank) => Ok(None),
                Ok(d) => Ok(d.date()),
                Err(e) => Err(bad(col, format!("{e}"))),
            }
        };
        let money = |v: &str| -> Result<Money, RowProblem> {
            parse_amount(v).map_err(|e| bad(col, format!("\"{v}\": {e}")))
        };
        match col {
            Col::Reference => c.reference = v.to_string(),
            Col::Title => c.title = v.to_string(),
            Col::Description => c.description = v.to_string(),
            Col::Department => c.department = v.to_string(),
            Col::Supplier => sup.name = v.to_string(),
            Col::CompanyNumber => sup.company_number = normalise_company_number(v),
            Col::CharityNumber => sup.charity_number = normalise_charity_number(v),
            Col::Postcode => sup.postcode = Some(v.to_string()),
            Col::Value => c.value_net = Some(money(v)?),
            Col::AnnualValue => annual = Some(money(v)?),
            Col::Start => c.start = date(v)?,
            Col::End => c.end = date(v)?,
            Col::Review => c.review = date(v).ok().flatten(),
            Col::MaxEnd => c.max_extent = date(v)?,
            Col::Procedure => c.procedure = v.to_string(),
            Col::Sme => {
                let f = flag(v);
                sup.scale = f.map(|b| if b { "sme".into() } else { "large".into() });
                c.suitable_sme = f;
            }
            Col::Vcse => sup.vcse = flag(v),
            Col::Cpv => {
                for part in v.split([',', ';', '|']) {
                    if let Some(code) = crate::ocds::flatten::cpv_code(part)
                        && !c.cpv.contains(&code)
                    {
                        c.cpv.push(code);
                    }
                }
            }
            Col::Category => c.category = v.to_string(),
        }
        if col == Col::Review && c.review.is_none() {
            // A review column often holds words ("annual", "option to extend 1+1"): kept as text.
            c.renewal = v.to_string();
            c.has_renewal = true;
        }
    }
    if c.reference.is_empty() && c.title.is_empty() && c.description.is_empty() {
        return Err(RowProblem {
            line,
            field: "reference".into(),
            reason: "the row has no reference, title or description: there is nothing to call the contract".into(),
        });
    }
    if let (Some(s), Some(e)) = (c.start, c.end)
        && e < s
    {
        return Err(bad(
            Col::End,
            format!("ends ({e}) before it starts ({s}); correct one of the two dates"),
        ));
    }
    if c.value_net.is_none()
        && let Some(a) = annual
    {
        let months = match (c.start, c.end) {
            (Some(s), Some(e)) => ((e - s).whole_days().max(1) as f64 / 30.4375).round() as i64,
            _ => 12,
        };
        c.value_net = a
            .pence()
            .checked_mul(months.max(1))
            .map(|p| Money::from_pence(p / 12));
        flagged.push(RowProblem {
            line,
            field: Col::Value.name().into(),
            reason: format!("no total given: {months} months of the annual value {a}"),
        });
    }
    if c.max_extent.is_some() || c.review.is_some() {
        c.has_renewal = true;
    }
    if !sup.name.is_empty() || sup.company_number.is_some() || sup.charity_number.is_some() {
        c.suppliers.push(sup);
    }
    let key_text = if c.reference.is_empty() {
        format!(
            "{}|{}",
            reference_key(&c.title),
            c.suppliers
                .first()
                .map(|s| reference_key(&s.name))
                .unwrap_or_default()
        )
    } else {
        reference_key(&c.reference)
    };
    c.key = format!("register:{}:{key_text}", reference_key(body));
    c.seen = vec![format!(
        "{key_text}@{}",
        c.end.map(crate::model::opt_date::iso).unwrap_or_default()
    )];
    Ok((c, flagged))
}

/// Reads a contract register published by `body` (the council), handing each kept contract to `on`.
pub fn read_register(
    name: &str,
    bytes: &[u8],
    body: &str,
    on: &mut dyn FnMut(Contract),
) -> Result<RegisterReport, ContractsError> {
    // The table reader scores candidate header rows in order and takes the first best; the same
    // rule picks it here, so the columns are known when the first data row arrives.
    let scored: std::cell::RefCell<Vec<(usize, Vec<String>)>> = Default::default();
    let scoring = |cells: &[String]| {
        let s = score(cells);
        scored.borrow_mut().push((s, cells.to_vec()));
        s
    };
    let mut cols: Option<Vec<Option<Col>>> = None;
    let mut kept = 0u64;
    let mut rejected = Vec::new();
    let mut flagged = Vec::new();
    let result = levers_spend::table::read_table(name, bytes, &scoring, &mut |line, cells| {
        let cols = cols.get_or_insert_with(|| {
            let sc = scored.borrow();
            let mut best: Option<&(usize, Vec<String>)> = None;
            for c in sc.iter() {
                if c.0 > 0 && best.is_none_or(|b| c.0 > b.0) {
                    best = Some(c);
                }
            }
            best.map(|b| map_header(&b.1)).unwrap_or_default()
        });
        match row(line, cols, cells, body) {
            Ok((c, f)) => {
                kept += 1;
                flagged.extend(f);
                on(c);
            }
            Err(p) => rejected.push(p),
        }
    });
    let (header, header_line, counts) = result.map_err(|e| ContractsError::Register {
        file: name.to_string(),
        message: match e {
            levers_spend::SpendError::NoHeader { .. } => "no header row naming a title, reference or description and a value, end date or supplier was found in the first 60 rows; add one (the columns read are listed in docs/contracts.md)".into(),
            e => e.to_string(),
        },
    })?;
    Ok(RegisterReport {
        file: name.to_string(),
        format: counts.format.to_string(),
        encoding: counts.encoding.to_string(),
        header_line,
        columns: header.iter().cloned().zip(map_header(&header)).collect(),
        records: counts.records,
        preamble: counts.preamble,
        header: counts.header,
        blank: counts.blank,
        kept,
        rejected,
        flagged,
    })
}
