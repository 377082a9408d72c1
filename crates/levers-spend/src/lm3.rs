//! The local multiplier LM3 (New Economics Foundation, *The Money Trail*, 2002): round 1 is the income
//! being traced (a contract's value); round 2 is what its recipient spends locally, on staff who live
//! in the area and on local suppliers; round 3 is what those staff and suppliers re-spend locally, from
//! surveys. LM3 = (R1 + R2 + R3) / R1.
//!
//! From direct figures: R3 = R2 staff × the staff's local re-spend share + R2 suppliers × the
//! suppliers' local re-spend share. The NEF example: R1 £100,000; R2 = £30,000 local wages + £20,000
//! local suppliers = £50,000; R3 = £30,000 × 45.4% + £20,000 × 40% = £13,620 + £8,000 = £21,620;
//! LM3 = £171,620 / £100,000 = 1.7162.
//!
//! From a survey file (CSV or spreadsheet; the template is [`SURVEY_TEMPLATE`]): one row per figure or
//! response, with columns `section, respondent, amount, local_share`:
//! - `r1`: the income traced (amounts summed);
//! - `r2_staff`, `r2_supplier`: the recipient's spending on staff and suppliers; `local_share` (0–1 or
//!   a percentage, blank = all of it) is the part that is local, so a row per employee can say 1 for
//!   a local resident and 0 for someone living elsewhere; R2 = Σ amount × local_share;
//! - `r3_staff`, `r3_supplier`: survey answers, each respondent's share of spending made locally;
//!   the round-3 shares are the mean of the answers (NEF averages per round).
//!
//! Every figure is reported with the number of responses behind it.

use levers_core::Money;
use serde::Serialize;

use crate::SpendError;
use crate::amount::parse_amount;
use crate::header::normalise_header;
use crate::table::read_table;

/// Figures for LM3, in pence and shares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lm3Inputs {
    pub r1: Money,
    pub r2_staff: Money,
    pub r2_suppliers: Money,
    pub r3_staff_share: f64,
    pub r3_supplier_share: f64,
}

/// How many survey rows stand behind each figure (all 1 for direct figures).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Lm3Responses {
    pub r1: u64,
    pub r2_staff: u64,
    pub r2_suppliers: u64,
    pub r3_staff: u64,
    pub r3_suppliers: u64,
}

/// The multiplier and its rounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lm3 {
    pub inputs: Lm3Inputs,
    pub r2: Money,
    pub r3_staff: Money,
    pub r3_suppliers: Money,
    pub r3: Money,
    /// (R1 + R2 + R3) / R1, unrounded.
    pub lm3: f64,
    pub responses: Lm3Responses,
}

/// Why LM3 cannot be worked out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Lm3Error {
    #[error("round 1 (the income traced) must be more than zero; it is {0}")]
    NoIncome(Money),
    #[error("{what} must be between 0 and 1 (or 0% and 100%); it is {value}")]
    BadShare { what: &'static str, value: f64 },
    #[error("{what} cannot be negative; it is {value}")]
    Negative { what: &'static str, value: Money },
    #[error("the figures are too large to add up in pence")]
    Overflow,
}

/// A share times pence, rounded half away from zero to the penny.
fn share_of(m: Money, share: f64) -> Money {
    Money::from_pence((m.pence() as f64 * share).round() as i64)
}

/// LM3 from direct figures.
pub fn lm3(inputs: Lm3Inputs, responses: Lm3Responses) -> Result<Lm3, Lm3Error> {
    if inputs.r1.pence() <= 0 {
        return Err(Lm3Error::NoIncome(inputs.r1));
    }
    for (what, v) in [
        ("R2 staff spending", inputs.r2_staff),
        ("R2 supplier spending", inputs.r2_suppliers),
    ] {
        if v.pence() < 0 {
            return Err(Lm3Error::Negative { what, value: v });
        }
    }
    for (what, v) in [
        ("the staff's local re-spend share", inputs.r3_staff_share),
        (
            "the suppliers' local re-spend share",
            inputs.r3_supplier_share,
        ),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(Lm3Error::BadShare { what, value: v });
        }
    }
    let r2 = inputs
        .r2_staff
        .checked_add(inputs.r2_suppliers)
        .ok_or(Lm3Error::Overflow)?;
    let r3_staff = share_of(inputs.r2_staff, inputs.r3_staff_share);
    let r3_suppliers = share_of(inputs.r2_suppliers, inputs.r3_supplier_share);
    let r3 = r3_staff
        .checked_add(r3_suppliers)
        .ok_or(Lm3Error::Overflow)?;
    let sum = inputs
        .r1
        .checked_add(r2)
        .and_then(|s| s.checked_add(r3))
        .ok_or(Lm3Error::Overflow)?;
    Ok(Lm3 {
        inputs,
        r2,
        r3_staff,
        r3_suppliers,
        r3,
        lm3: sum.pence() as f64 / inputs.r1.pence() as f64,
        responses,
    })
}

/// Reads a share written as `0.454`, `45.4%` or `45.4 %`.
pub fn parse_share(s: &str) -> Option<f64> {
    let t = s.trim();
    let (num, pct) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    // "45.4%" is read as 45.4e-2, the nearest float to 0.454 (dividing by 100 would not be).
    let v: f64 = if pct {
        format!("{num}e-2").parse().ok()?
    } else {
        num.parse().ok()?
    };
    if num.contains(['e', 'E']) && pct {
        return None;
    }
    (v.is_finite() && (0.0..=1.0).contains(&v)).then_some(v)
}

/// The survey template `levers spend lm3 --template FILE` writes.
pub const SURVEY_TEMPLATE: &str = "\
# levers LM3 survey (New Economics Foundation local multiplier).
# One row per figure or survey response. Lines starting with # are ignored.
# section: r1 = income traced (e.g. the contract value, in pounds)
#          r2_staff = the recipient's spending on staff (local_share: 1 if they live in the area, 0 if not, or the local part)
#          r2_supplier = the recipient's spending with suppliers (local_share: the part spent with local suppliers)
#          r3_staff = a staff member's survey answer: the share of their spending made locally (0-1 or %)
#          r3_supplier = a supplier's survey answer: the share of their spending made locally (0-1 or %)
# Round 3 shares are the average of the answers. LM3 = (R1 + R2 + R3) / R1.
section,respondent,amount,local_share
r1,Contract value,100000,
r2_staff,Local staff wages,30000,1
r2_supplier,Local suppliers,20000,1
r3_staff,Employee 1,,50%
r3_staff,Employee 2,,40.8%
r3_supplier,Supplier 1,,0.40
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    R1,
    R2Staff,
    R2Supplier,
    R3Staff,
    R3Supplier,
}

fn section(s: &str) -> Option<Section> {
    match normalise_header(s).replace(' ', "_").as_str() {
        "r1" | "income" | "round_1" => Some(Section::R1),
        "r2_staff" | "staff_wages" | "round_2_staff" => Some(Section::R2Staff),
        "r2_supplier" | "r2_suppliers" | "supplier_spend" | "round_2_suppliers"
        | "round_2_supplier" => Some(Section::R2Supplier),
        "r3_staff" | "staff_survey" | "round_3_staff" => Some(Section::R3Staff),
        "r3_supplier" | "r3_suppliers" | "supplier_survey" | "round_3_suppliers"
        | "round_3_supplier" => Some(Section::R3Supplier),
        _ => None,
    }
}

/// A survey row not used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyRejection {
    pub line: u64,
    pub field: &'static str,
    pub value: String,
    pub reason: String,
}

/// What reading a survey file found, and the LM3 it gives.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyReport {
    pub file: String,
    pub records: u64,
    pub preamble: u64,
    pub header: u64,
    pub kept: u64,
    pub comments: u64,
    pub rejected: u64,
    pub blank: u64,
    pub balanced: bool,
    pub rejections: Vec<SurveyRejection>,
    pub lm3: Lm3,
}

/// Reads a survey file and works out LM3. Rows that cannot be read are rejected with their line and
/// field; the file fails only when no round-1 income is left.
pub fn lm3_from_survey(name: &str, bytes: &[u8]) -> Result<SurveyReport, SpendError> {
    let score = |cells: &[String]| {
        let h: Vec<String> = cells.iter().map(|c| normalise_header(c)).collect();
        let has = |n: &str| h.iter().any(|c| c == n);
        if has("section") && (has("amount") || has("local share")) {
            h.iter().filter(|c| !c.is_empty()).count()
        } else {
            0
        }
    };
    let mut rows = Vec::new();
    let (header, _, counts) = read_table(name, bytes, &score, &mut |line, cells| {
        rows.push((line, cells.to_vec()))
    })?;
    let col = |n: &str| header.iter().position(|h| normalise_header(h) == n);
    let (c_sec, c_resp, c_amt, c_share) = (
        col("section"),
        col("respondent"),
        col("amount"),
        col("local share"),
    );
    let mut rejections = Vec::new();
    let mut comments = 0u64;
    let (mut r1, mut r2s, mut r2p) = (0i128, 0i128, 0i128);
    let (mut s_staff, mut s_sup) = (Vec::new(), Vec::new());
    let mut resp = Lm3Responses::default();
    for (line, cells) in &rows {
        let get = |c: Option<usize>| c.and_then(|i| cells.get(i)).map_or("", |s| s.trim());
        if cells
            .first()
            .is_some_and(|c| c.trim_start().starts_with('#'))
        {
            comments += 1;
            continue;
        }
        let mut reject = |field: &'static str, value: &str, reason: &str| {
            rejections.push(SurveyRejection {
                line: *line,
                field,
                value: value.chars().take(100).collect(),
                reason: reason.to_string(),
            });
        };
        let Some(sec) = section(get(c_sec)) else {
            reject(
                "section",
                get(c_sec),
                "is not a section: use r1, r2_staff, r2_supplier, r3_staff or r3_supplier",
            );
            continue;
        };
        let _ = get(c_resp);
        match sec {
            Section::R1 | Section::R2Staff | Section::R2Supplier => {
                let amount = match parse_amount(get(c_amt)) {
                    Ok(a) if a.pence() >= 0 => a,
                    Ok(_) => {
                        reject("amount", get(c_amt), "cannot be negative");
                        continue;
                    }
                    Err(_) => {
                        reject(
                            "amount",
                            get(c_amt),
                            "is not an amount in pounds (like 30000 or 30,000.00)",
                        );
                        continue;
                    }
                };
                let share = if get(c_share).is_empty() || sec == Section::R1 {
                    1.0
                } else {
                    match parse_share(get(c_share)) {
                        Some(s) => s,
                        None => {
                            reject(
                                "local_share",
                                get(c_share),
                                "is not a share between 0 and 1 (or 0% and 100%)",
                            );
                            continue;
                        }
                    }
                };
                let local = i128::from(share_of(amount, share).pence());
                match sec {
                    Section::R1 => {
                        r1 += local;
                        resp.r1 += 1;
                    }
                    Section::R2Staff => {
                        r2s += local;
                        resp.r2_staff += 1;
                    }
                    _ => {
                        r2p += local;
                        resp.r2_suppliers += 1;
                    }
                }
            }
            Section::R3Staff | Section::R3Supplier => match parse_share(get(c_share)) {
                Some(s) if sec == Section::R3Staff => {
                    s_staff.push(s);
                    resp.r3_staff += 1;
                }
                Some(s) => {
                    s_sup.push(s);
                    resp.r3_suppliers += 1;
                }
                None => reject(
                    "local_share",
                    get(c_share),
                    "is not a share between 0 and 1 (or 0% and 100%)",
                ),
            },
        }
    }
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let clamp = |v: i128| Money::from_pence(v.clamp(0, i128::from(i64::MAX)) as i64);
    let inputs = Lm3Inputs {
        r1: clamp(r1),
        r2_staff: clamp(r2s),
        r2_suppliers: clamp(r2p),
        r3_staff_share: mean(&s_staff),
        r3_supplier_share: mean(&s_sup),
    };
    let result = lm3(inputs, resp).map_err(|e| SpendError::Read {
        file: name.to_string(),
        line: 0,
        message: format!("{e}: add a row with section r1 and the income traced"),
    })?;
    let kept = rows.len() as u64 - comments - rejections.len() as u64;
    let rejected = rejections.len() as u64;
    Ok(SurveyReport {
        file: name.to_string(),
        records: counts.records,
        preamble: counts.preamble,
        header: counts.header,
        kept,
        comments,
        rejected,
        blank: counts.blank,
        balanced: counts.records
            == counts.preamble + counts.header + kept + comments + rejected + counts.blank,
        rejections,
        lm3: result,
    })
}

/// The `--json` shape of an LM3 result, keys in the order r1, r2, r3, lm3: pounds as numbers (whole
/// pounds as integers), LM3 to four decimal places.
pub fn lm3_json(r: &Lm3) -> String {
    fn pounds(m: Money) -> String {
        let p = m.pence();
        if p % 100 == 0 {
            (p / 100).to_string()
        } else {
            serde_json::Value::from(p as f64 / 100.0).to_string()
        }
    }
    format!(
        "{{\"r1\":{},\"r2\":{},\"r3\":{},\"lm3\":{}}}",
        pounds(r.inputs.r1),
        pounds(r.r2),
        pounds(r.r3),
        serde_json::Value::from((r.lm3 * 10_000.0).round() / 10_000.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pounds(p: i64) -> Money {
        Money::from_pence(p * 100)
    }

    /// The NEF / BRIEF example, by hand: R2 = 30,000 + 20,000 = 50,000; R3 = 30,000 × 0.454 (13,620)
    /// + 20,000 × 0.40 (8,000) = 21,620; LM3 = (100,000 + 50,000 + 21,620) / 100,000 = 1.7162.
    #[test]
    fn the_nef_example_gives_1_7162() {
        let r = lm3(
            Lm3Inputs {
                r1: pounds(100_000),
                r2_staff: pounds(30_000),
                r2_suppliers: pounds(20_000),
                r3_staff_share: 0.454,
                r3_supplier_share: 0.40,
            },
            Lm3Responses::default(),
        )
        .unwrap();
        assert_eq!(r.r2, pounds(50_000));
        assert_eq!(
            (r.r3_staff, r.r3_suppliers, r.r3),
            (pounds(13_620), pounds(8_000), pounds(21_620))
        );
        assert!((r.lm3 - 1.7162).abs() < 1e-12, "{}", r.lm3);
        assert_eq!(
            lm3_json(&r),
            r#"{"r1":100000,"r2":50000,"r3":21620,"lm3":1.7162}"#
        );
    }

    #[test]
    fn bad_figures_are_refused() {
        let ok = Lm3Inputs {
            r1: pounds(1),
            r2_staff: pounds(0),
            r2_suppliers: pounds(0),
            r3_staff_share: 0.0,
            r3_supplier_share: 0.0,
        };
        assert!(matches!(
            lm3(
                Lm3Inputs {
                    r1: pounds(0),
                    ..ok
                },
                Lm3Responses::default()
            ),
            Err(Lm3Error::NoIncome(_))
        ));
        assert!(matches!(
            lm3(
                Lm3Inputs {
                    r3_staff_share: 1.5,
                    ..ok
                },
                Lm3Responses::default()
            ),
            Err(Lm3Error::BadShare { .. })
        ));
        assert_eq!(parse_share("45.4%"), Some(0.454));
        assert_eq!(parse_share("150%"), None);
    }

    /// The template is itself a valid survey: R1 100,000; R2 30,000 + 20,000; staff share = mean of
    /// 50% and 40.8% = 45.4%; supplier share 40%: the NEF example again, from 6 responses.
    #[test]
    fn the_template_reproduces_the_example() {
        let rep = lm3_from_survey("template.csv", SURVEY_TEMPLATE.as_bytes()).unwrap();
        assert!(rep.balanced, "{rep:?}");
        assert_eq!(
            (rep.preamble, rep.header, rep.kept, rep.rejected),
            (8, 1, 6, 0)
        );
        assert!((rep.lm3.lm3 - 1.7162).abs() < 1e-9, "{}", rep.lm3.lm3);
        assert_eq!(
            rep.lm3.responses,
            Lm3Responses {
                r1: 1,
                r2_staff: 1,
                r2_suppliers: 1,
                r3_staff: 2,
                r3_suppliers: 1
            }
        );
    }

    /// Staff rows one per employee: wages 20,000 (local, 1), 15,000 (not local, 0), 10,000 (half);
    /// R2 staff = 20,000 + 0 + 5,000 = 25,000. A bad row is rejected with its line and field.
    #[test]
    fn survey_rows_weight_by_local_share_and_reject_bad_rows() {
        let csv = "section,respondent,amount,local_share\nr1,Grant,50000,\nr2_staff,A,20000,1\nr2_staff,B,15000,0\nr2_staff,C,10000,50%\nr3_staff,A,,0.5\nr3_staff,B,,lots\nbogus,X,1,\n";
        let rep = lm3_from_survey("s.csv", csv.as_bytes()).unwrap();
        assert_eq!(rep.lm3.inputs.r2_staff, pounds(25_000));
        assert_eq!(rep.lm3.r3_staff, pounds(12_500));
        // (50,000 + 25,000 + 12,500) / 50,000 = 1.75
        assert!((rep.lm3.lm3 - 1.75).abs() < 1e-12);
        assert_eq!(
            rep.rejections
                .iter()
                .map(|r| (r.line, r.field))
                .collect::<Vec<_>>(),
            vec![(7, "local_share"), (8, "section")]
        );
        assert!(rep.balanced);
    }
}
