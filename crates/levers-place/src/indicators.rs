//! Official indicators read by header from their published files, as tidy values: the tidy
//! `area_code, area_name, period, indicator, measure, unit, value` shape (Trafford Data Lab's and
//! many councils'), MHCLG's IoD local authority summaries (2019 and 2025 layouts) and the IoD
//! population denominators (File 6). IMD ranks and deciles by LSOA are levers-geo's (`levers geo
//! import`), not read again here.

use std::io::Read;

use levers_core::AreaCode;
use levers_geo::kind::{Header, normalise_header};
use levers_geo::read::{Rejection, line_counting};
use serde::Serialize;

/// The layouts levers reads indicators from, recognised by header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorFileKind {
    /// `area_code, area_name, period, indicator, measure, unit (or units), value`, any order.
    Tidy,
    /// IoD2019 File 10 as published by area: `lad19cd, lad19nm, index_domain, average_rank, … year`.
    Iod2019Lad,
    /// IoD2025 LAD summaries: `area_code, area_name, area_type, deprivation_data_year, index_domain, …`.
    Iod2025Lad,
    /// IoD population denominators (File 6): `LSOA code (2011|2021)` and population columns.
    IodPopulation,
}

impl IndicatorFileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorFileKind::Tidy => "tidy",
            IndicatorFileKind::Iod2019Lad => "iod2019_lad",
            IndicatorFileKind::Iod2025Lad => "iod2025_lad",
            IndicatorFileKind::IodPopulation => "iod_population",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            IndicatorFileKind::Tidy => {
                "tidy indicators (area_code, area_name, period, indicator, measure, unit, value)"
            }
            IndicatorFileKind::Iod2019Lad => {
                "IoD2019 local authority summaries (lad19cd, index_domain, average_rank, average_score …)"
            }
            IndicatorFileKind::Iod2025Lad => {
                "IoD2025 local authority summaries (area_code, deprivation_data_year, index_domain …)"
            }
            IndicatorFileKind::IodPopulation => {
                "IoD population denominators, File 6 (LSOA code (2011), Total population: mid 2015 …)"
            }
        }
    }

    const ALL: [IndicatorFileKind; 4] = [
        IndicatorFileKind::Tidy,
        IndicatorFileKind::Iod2019Lad,
        IndicatorFileKind::Iod2025Lad,
        IndicatorFileKind::IodPopulation,
    ];
}

/// One published figure for one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorValue {
    pub area_code: AreaCode,
    pub area_name: String,
    /// As published: `2019`, `2017/18`, `March 2023`, `mid 2015`.
    pub period: String,
    pub indicator: String,
    pub measure: String,
    pub unit: String,
    pub value: f64,
}

/// The reconciliation of one file: rows read = imported + rejected + blank.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndicatorReport {
    pub kind: Option<IndicatorFileKind>,
    pub rows_read: u64,
    pub rows_imported: u64,
    pub rows_rejected: u64,
    pub rows_blank: u64,
    /// Values produced (a summary row gives several).
    pub values: u64,
    /// The first rejections in full (all are counted).
    pub rejections: Vec<Rejection>,
}

impl IndicatorReport {
    pub fn reconciles(&self) -> bool {
        self.rows_read == self.rows_imported + self.rows_rejected + self.rows_blank
    }
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorError {
    #[error("{file}: the file is empty: it has no header row")]
    Empty { file: String },
    #[error(
        "{file}: not an indicator file levers knows. It reads: {known}. The header it saw was: {header}"
    )]
    Unrecognised {
        file: String,
        known: String,
        header: String,
    },
    #[error("{file}: line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

const MAX_REJECTIONS_KEPT: usize = 200;

/// How a row turns into values.
enum Layout {
    Tidy {
        code: usize,
        name: Option<usize>,
        period: usize,
        indicator: usize,
        measure: usize,
        unit: Option<usize>,
        value: usize,
    },
    /// One row per area and domain; each listed column is a measure.
    Summary {
        code: usize,
        name: Option<usize>,
        domain: usize,
        period: Option<usize>,
        fixed_period: &'static str,
        measures: Vec<(usize, String, &'static str)>,
    },
    /// One row per LSOA; each listed column is a population measure.
    Population {
        code: usize,
        name: Option<usize>,
        measures: Vec<(usize, String, String)>,
    },
}

const SUMMARY_MEASURES: [(&str, &str, &str); 6] = [
    ("average_rank", "Average rank", "Rank"),
    ("rank_average_rank", "Rank of average rank", "Rank"),
    ("average_score", "Average score", "Score"),
    ("rank_average_score", "Rank of average score", "Rank"),
    (
        "proportion_bottom_decile",
        "Proportion of LSOAs in most deprived 10% nationally",
        "Proportion",
    ),
    (
        "rank_proportion_bottom_decile",
        "Rank of proportion of LSOAs in most deprived 10% nationally",
        "Rank",
    ),
];

fn detect(h: &Header, raw: &[String]) -> Option<(IndicatorFileKind, Layout)> {
    let col = |n: &str| h.exact(&[n]);
    if let (Some(code), Some(period), Some(indicator), Some(measure), Some(value)) = (
        col("area_code"),
        col("period"),
        col("indicator"),
        col("measure"),
        col("value"),
    ) {
        return Some((
            IndicatorFileKind::Tidy,
            Layout::Tidy {
                code,
                name: col("area_name"),
                period,
                indicator,
                measure,
                unit: h.exact(&["unit", "units"]),
                value,
            },
        ));
    }
    let measures = || -> Option<Vec<(usize, String, &'static str)>> {
        SUMMARY_MEASURES
            .iter()
            .map(|(c, label, unit)| col(c).map(|i| (i, label.to_string(), *unit)))
            .collect()
    };
    if let (Some(code), Some(domain)) = (col("lad19cd"), col("index_domain")) {
        return Some((
            IndicatorFileKind::Iod2019Lad,
            Layout::Summary {
                code,
                name: col("lad19nm"),
                domain,
                period: col("year"),
                fixed_period: "2019",
                measures: measures()?,
            },
        ));
    }
    if let (Some(code), Some(domain), Some(year)) = (
        col("area_code"),
        col("index_domain"),
        col("deprivation_data_year"),
    ) {
        return Some((
            IndicatorFileKind::Iod2025Lad,
            Layout::Summary {
                code,
                name: col("area_name"),
                domain,
                period: Some(year),
                fixed_period: "2025",
                measures: measures()?,
            },
        ));
    }
    let lsoa = h.exact(&["lsoa code (2011)", "lsoa code (2021)"]);
    if let Some(code) = lsoa
        && h.starting("total population").is_some()
    {
        let measures = h
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.contains("population") || c.contains("aged"))
            .map(|(i, _)| {
                let published = raw.get(i).cloned().unwrap_or_default();
                let published = published.trim_start_matches('\u{feff}').trim().to_string();
                // "Total population: mid 2015 (excluding prisoners)" → period "mid 2015".
                let period = published
                    .find("mid ")
                    .map(|p| published[p..p + 8.min(published.len() - p)].to_string())
                    .unwrap_or_default();
                (i, published, period)
            })
            .collect();
        return Some((
            IndicatorFileKind::IodPopulation,
            Layout::Population {
                code,
                name: h.exact(&["lsoa name (2011)", "lsoa name (2021)"]),
                measures,
            },
        ));
    }
    None
}

/// A published number: thousands separators allowed (`"1,296"`), exponents allowed (`5.07E-2`).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let cleaned: String = t.chars().filter(|c| *c != ',').collect();
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads a whole indicator file, recognised by its header, calling `sink` with every value.
pub fn read_indicators<R: Read>(
    file: &str,
    input: R,
    mut sink: impl FnMut(IndicatorValue),
) -> Result<IndicatorReport, IndicatorError> {
    let (input, lines) = line_counting(input);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::StringRecord::new();
    let csv_err = |e: csv::Error, lines: &levers_geo::read::Lines| IndicatorError::Csv {
        file: file.to_string(),
        line: e.position().map_or(0, |p| lines.line_at(p.byte())),
        message: format!("{e}: the file is not valid UTF-8 CSV"),
    };
    if !rdr.read_record(&mut rec).map_err(|e| csv_err(e, &lines))? {
        return Err(IndicatorError::Empty {
            file: file.to_string(),
        });
    }
    let raw: Vec<String> = rec.iter().map(str::to_string).collect();
    let header = Header::new(raw.iter().map(String::as_str));
    let (kind, layout) = detect(&header, &raw).ok_or_else(|| IndicatorError::Unrecognised {
        file: file.to_string(),
        known: IndicatorFileKind::ALL
            .iter()
            .map(|k| k.describe())
            .collect::<Vec<_>>()
            .join("; "),
        header: header.cells.join(", "),
    })?;
    let mut report = IndicatorReport {
        kind: Some(kind),
        ..IndicatorReport::default()
    };
    let field_name = |i: usize| normalise_header(raw.get(i).map_or("", String::as_str));
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| csv_err(e, &lines))?;
        if !more {
            break;
        }
        let line = rec.position().map_or(0, |p| lines.line_at(p.byte()));
        report.rows_read += 1;
        if rec.iter().all(|c| c.trim().is_empty()) {
            report.rows_blank += 1;
            continue;
        }
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let mut values = Vec::new();
        let outcome = row_values(&layout, &cell, &field_name, &mut values);
        match outcome {
            Ok(()) => {
                report.rows_imported += 1;
                report.values += values.len() as u64;
                values.into_iter().for_each(&mut sink);
            }
            Err((field, reason)) => {
                report.rows_rejected += 1;
                if report.rejections.len() < MAX_REJECTIONS_KEPT {
                    report.rejections.push(Rejection {
                        line,
                        field,
                        reason,
                    });
                }
            }
        }
    }
    Ok(report)
}

type RowError = (String, String);

fn area(code: &str, field: String) -> Result<AreaCode, RowError> {
    AreaCode::parse(code).map_err(|e| (field, format!("{e}; correct the code or remove the row")))
}

fn number(cell: &str, field: String) -> Result<f64, RowError> {
    parse_number(cell).ok_or_else(|| {
        (
            field,
            format!(
                "\"{cell}\" is not a number: write the published figure, such as 12.5 or 1,296"
            ),
        )
    })
}

fn required(cell: &str, field: String) -> Result<String, RowError> {
    if cell.is_empty() {
        Err((field, "is empty: every value needs one".to_string()))
    } else {
        Ok(cell.to_string())
    }
}

fn row_values<'a>(
    layout: &Layout,
    cell: &impl Fn(usize) -> &'a str,
    field: &impl Fn(usize) -> String,
    out: &mut Vec<IndicatorValue>,
) -> Result<(), RowError> {
    let name = |i: Option<usize>| i.map(|i| cell(i).to_string()).unwrap_or_default();
    match layout {
        Layout::Tidy {
            code,
            name: n,
            period,
            indicator,
            measure,
            unit,
            value,
        } => {
            out.push(IndicatorValue {
                area_code: area(cell(*code), field(*code))?,
                area_name: name(*n),
                period: required(cell(*period), field(*period))?,
                indicator: required(cell(*indicator), field(*indicator))?,
                measure: required(cell(*measure), field(*measure))?,
                unit: unit.map(|u| cell(u).to_string()).unwrap_or_default(),
                value: number(cell(*value), field(*value))?,
            });
        }
        Layout::Summary {
            code,
            name: n,
            domain,
            period,
            fixed_period,
            measures,
        } => {
            let area_code = area(cell(*code), field(*code))?;
            let indicator = required(cell(*domain), field(*domain))?;
            let period = period
                .map(|p| cell(p).to_string())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| fixed_period.to_string());
            for (i, label, unit) in measures {
                out.push(IndicatorValue {
                    area_code,
                    area_name: name(*n),
                    period: period.clone(),
                    indicator: indicator.clone(),
                    measure: label.clone(),
                    unit: unit.to_string(),
                    value: number(cell(*i), field(*i))?,
                });
            }
        }
        Layout::Population {
            code,
            name: n,
            measures,
        } => {
            let area_code = area(cell(*code), field(*code))?;
            for (i, label, period) in measures {
                out.push(IndicatorValue {
                    area_code,
                    area_name: name(*n),
                    period: period.clone(),
                    indicator: "Population".to_string(),
                    measure: label.clone(),
                    unit: "Persons".to_string(),
                    value: number(cell(*i), field(*i))?,
                });
            }
        }
    }
    Ok(())
}

/// The IoD population denominators' total-population measure (File 6), for per-resident figures.
pub fn is_total_population(indicator: &str, measure: &str) -> bool {
    indicator == "Population" && measure.to_lowercase().starts_with("total population")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (IndicatorReport, Vec<IndicatorValue>) {
        let mut out = Vec::new();
        let r = read_indicators("t.csv", text.as_bytes(), |v| out.push(v)).unwrap();
        assert!(r.reconciles());
        (r, out)
    }

    #[test]
    fn tidy_any_order_and_units() {
        let (r, v) = read(
            "area_code,area_name,indicator,period,measure,units,value\r\nE05015239,Altrincham,IMD,2025,Weighted Score,Score,5.4\r\n,,,,,,\r\nE0501,Bad,IMD,2025,x,y,1\r\nE05015240,A,IMD,2025,m,u,n/a\r\n",
        );
        assert_eq!(r.kind, Some(IndicatorFileKind::Tidy));
        assert_eq!(
            (r.rows_read, r.rows_imported, r.rows_rejected, r.rows_blank),
            (4, 1, 2, 1)
        );
        assert_eq!(v[0].value, 5.4);
        assert_eq!(v[0].unit, "Score");
        assert_eq!(r.rejections[0].line, 4);
        assert_eq!(r.rejections[0].field, "area_code");
        assert_eq!(r.rejections[1].line, 5);
        assert_eq!(r.rejections[1].field, "value");
        assert!(r.rejections[1].reason.contains("n/a"));
    }

    #[test]
    fn summaries_and_population() {
        let (r, v) = read(
            "lad19cd,lad19nm,index_domain,average_rank,rank_average_rank,average_score,rank_average_score,proportion_bottom_decile,rank_proportion_bottom_decile,year\nE08000009,Trafford,Index of Multiple Deprivation,12412.15,209,16.088000000000001,191,5.0700000000000002E-2,125,2019\n",
        );
        assert_eq!(r.kind, Some(IndicatorFileKind::Iod2019Lad));
        assert_eq!(v.len(), 6);
        assert_eq!(v[4].value, 0.0507);
        assert_eq!(v[2].measure, "Average score");
        let (r, v) = read(
            "\u{feff}LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Total population: mid 2015 (excluding prisoners),Dependent Children aged 0-15: mid 2015 (excluding prisoners)\nE01000001,City of London 001A,E09000001,City of London,\"1,296\",175\n",
        );
        assert_eq!(r.kind, Some(IndicatorFileKind::IodPopulation));
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].value, 1296.0);
        assert_eq!(v[0].period, "mid 2015");
        assert!(is_total_population(&v[0].indicator, &v[0].measure));
        assert!(!is_total_population(&v[1].indicator, &v[1].measure));
    }

    #[test]
    fn unknown_header_names_what_is_read() {
        let e = read_indicators("x.csv", "a,b\n1,2\n".as_bytes(), |_| {}).unwrap_err();
        assert!(e.to_string().contains("x.csv"));
        assert!(e.to_string().contains("tidy indicators"));
    }
}
