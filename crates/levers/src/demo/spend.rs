//! Three financial years of synthetic spend for the demo borough, written in three of the real
//! layouts and encodings councils publish (so the demo exercises the same readers as real files):
//! a Devon-style UTF-8-with-BOM CSV, a Warwickshire-style Windows-1252 file with title rows, a
//! "VARIOUS" date, redactions and a grand total, and a Hyndburn-style file with "Name:" headers,
//! ISO datetimes and trailing-minus credit notes. Every supplier is made up.

use std::fmt::Write;

use crate::demo::borough::Rng;

/// A made-up supplier: name, where it is (borough, wider area, elsewhere), and how big a share of
/// spend it tends to get.
struct Supplier {
    name: &'static str,
    weight: u32,
    expense: (&'static str, &'static str),
}

const SUPPLIERS: &[Supplier] = &[
    Supplier {
        name: "Levermouth Harbour Catering Ltd",
        weight: 6,
        expense: ("Education", "Catering"),
    },
    Supplier {
        name: "Old Town Joinery Ltd",
        weight: 3,
        expense: ("Housing", "Repairs and maintenance"),
    },
    Supplier {
        name: "Quayside Cleaning Co-operative",
        weight: 4,
        expense: ("Corporate", "Cleaning"),
    },
    Supplier {
        name: "Harbour Community Trust",
        weight: 5,
        expense: ("Communities", "Grants to voluntary bodies"),
    },
    Supplier {
        name: "Northgate Youth CIC",
        weight: 2,
        expense: ("Children's Services", "Youth services"),
    },
    Supplier {
        name: "Millfield Care Homes Ltd",
        weight: 9,
        expense: ("Adult Social Care", "Residential care"),
    },
    Supplier {
        name: "Rookery Print & Design",
        weight: 1,
        expense: ("Corporate", "Printing"),
    },
    Supplier {
        name: "Levermouth Credit Union Ltd",
        weight: 1,
        expense: ("Communities", "Financial inclusion"),
    },
    Supplier {
        name: "Fennick Landscapes Ltd",
        weight: 3,
        expense: ("Environment", "Grounds maintenance"),
    },
    Supplier {
        name: "St Brannoc's Food Bank",
        weight: 1,
        expense: ("Communities", "Grants to voluntary bodies"),
    },
    Supplier {
        name: "Saltmarsh Building Services Ltd",
        weight: 7,
        expense: ("Housing", "Building works"),
    },
    Supplier {
        name: "Kestrel Vale Transport Ltd",
        weight: 5,
        expense: ("Children's Services", "Home to school transport"),
    },
    Supplier {
        name: "Brackenby Foster Care Partnership",
        weight: 6,
        expense: ("Children's Services", "Fostering"),
    },
    Supplier {
        name: "Coast & Vale Mental Health Charity",
        weight: 3,
        expense: ("Adult Social Care", "Day services"),
    },
    Supplier {
        name: "Saltmarsh IT Solutions Ltd",
        weight: 2,
        expense: ("Corporate", "ICT"),
    },
    Supplier {
        name: "Nationwide Facilities Management plc",
        weight: 12,
        expense: ("Corporate", "Facilities management"),
    },
    Supplier {
        name: "Global Software Licensing Ltd",
        weight: 4,
        expense: ("Corporate", "ICT"),
    },
    Supplier {
        name: "National Energy Supply plc",
        weight: 8,
        expense: ("Corporate", "Energy"),
    },
    Supplier {
        name: "Big Four Consulting LLP",
        weight: 3,
        expense: ("Corporate", "Consultancy"),
    },
    Supplier {
        name: "Countrywide Waste Services Ltd",
        weight: 10,
        expense: ("Environment", "Waste collection"),
    },
    Supplier {
        name: "Premier Agency Staffing Ltd",
        weight: 6,
        expense: ("Adult Social Care", "Agency staff"),
    },
    Supplier {
        name: "Metro Highways Contracting Ltd",
        weight: 9,
        expense: ("Environment", "Highways maintenance"),
    },
    Supplier {
        name: "Levermouth Coast Fire Authority",
        weight: 2,
        expense: ("Corporate", "Levies"),
    },
    Supplier {
        name: "HM Revenue & Customs",
        weight: 3,
        expense: ("Corporate", "Tax payments"),
    },
    Supplier {
        name: "Levermouth Coast Pension Fund",
        weight: 3,
        expense: ("Corporate", "Pension contributions"),
    },
];

/// The names of the made-up suppliers, in order (the supplier records in `demo_procurement.rs` follow it).
pub fn supplier_names() -> Vec<&'static str> {
    SUPPLIERS.iter().map(|s| s.name).collect()
}

/// A supplier's ID in the council's finance system (the same in the spend files and the supplier
/// records): `S10001` for the first supplier, and so on.
pub fn supplier_ref(name: &str) -> String {
    let i = SUPPLIERS
        .iter()
        .position(|s| s.name == name)
        .unwrap_or(SUPPLIERS.len());
    format!("S{:05}", 10_001 + i)
}

/// How the 2024/25 finance system sometimes spells a supplier, so the demo has names to match by
/// similarity and one to review: "Old Town Joinery" (no "Ltd") links automatically; "Kestrel Vale
/// Transport & Logistics" is close enough only to suggest.
fn spelling(name: &'static str, n: usize) -> &'static str {
    match name {
        "Old Town Joinery Ltd" if n.is_multiple_of(3) => "Old Town Joinery",
        "Kestrel Vale Transport Ltd" if n.is_multiple_of(5) => "Kestrel Vale Transport & Logistics",
        "Levermouth Harbour Catering Ltd" if n.is_multiple_of(4) => {
            "LEVERMOUTH HARBOUR CATERING LIMITED"
        }
        _ => name,
    }
}

fn pick<'a>(rng: &mut Rng, total: u32) -> &'a Supplier {
    let mut r = (rng.next_u64() % u64::from(total)) as u32;
    for s in SUPPLIERS {
        if r < s.weight {
            return s;
        }
        r -= s.weight;
    }
    &SUPPLIERS[0]
}

/// Unsigned pounds with thousands separators, as councils print them: `1,234.56`.
fn thousands(pence: i64) -> String {
    levers_core::Money::from_pence(pence)
        .to_string()
        .trim_start_matches('-')
        .trim_start_matches('£')
        .to_string()
}

/// One synthetic payment.
struct Payment {
    day: (i32, u8, u8),
    supplier: &'static str,
    expense: (&'static str, &'static str),
    pence: i64,
    redacted: bool,
}

fn payments(rng: &mut Rng, start_year: i32, n: usize, local_bias: u32) -> Vec<Payment> {
    let total: u32 = SUPPLIERS.iter().map(|s| s.weight).sum();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = pick(rng, total);
        // Each year the council moves a little more spend to local suppliers.
        if rng.range(0, 99) < i64::from(local_bias) {
            s = &SUPPLIERS[rng.range(0, 9) as usize];
        }
        let month = rng.range(1, 12) as u8;
        let year = if month >= 4 {
            start_year
        } else {
            start_year + 1
        };
        let day = rng.range(1, 28) as u8;
        let base = 50_000 + (rng.next_u64() % 2_000_000) as i64;
        let pence = if rng.range(0, 99) < 2 {
            -(base / 4)
        } else {
            base * i64::from(s.weight.max(1)) / 3
        };
        out.push(Payment {
            day: (year, month, day),
            supplier: s.name,
            expense: s.expense,
            pence,
            redacted: rng.range(0, 199) == 0,
        });
    }
    out.sort_by_key(|p| p.day);
    out
}

/// (file name, bytes) for the three years.
pub fn spend_files() -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng::new(0x5bed_2022);
    let mut files = Vec::new();

    // 2022/23: Devon-style, UTF-8 with BOM, quoted thousands.
    let mut a = String::from(
        "\u{feff}Body,Name of  Body,Date,Transaction Number,Invoice Number,Amount,Supplier Name,Supplier ID,Expense Area,Expense Type\r\n",
    );
    for (i, p) in payments(&mut rng, 2022, 3_000, 0).iter().enumerate() {
        let supplier = if p.redacted {
            "REDACTED UNDER DP ACT"
        } else {
            p.supplier
        };
        let _ = write!(
            a,
            "X07000001,Levermouth Borough Council,{:02}/{:02}/{},LBC22-{:06},INV{:07},\"{}{}\",{supplier},{},{},{}\r\n",
            p.day.2,
            p.day.1,
            p.day.0,
            i + 1,
            i * 7 + 3,
            if p.pence < 0 { "-" } else { "" },
            thousands(p.pence),
            if p.redacted {
                String::new()
            } else {
                supplier_ref(p.supplier)
            },
            p.expense.0,
            p.expense.1
        );
    }
    files.push(("levermouth_spend_2022-23.csv".to_string(), a.into_bytes()));

    // 2023/24: Warwickshire-style, Windows-1252 with a "£" in the title, trailing empty columns,
    // one aggregated "VARIOUS" row and a grand total.
    let pays = payments(&mut rng, 2023, 3_200, 8);
    let mut b = String::from(
        "Levermouth Borough Council - payments over £500,,,,,,,,\r\nFinancial year 2023/24,,,,,,,,\r\n",
    );
    b.push_str("Expense Area,Date Paid,Supplier,Amount (£),Expense Type,Transaction No,,,\r\n");
    let mut total = 0i64;
    for (i, p) in pays.iter().enumerate() {
        let supplier = if p.redacted { "Redacted" } else { p.supplier };
        let date = if i == 100 {
            "VARIOUS".to_string()
        } else {
            format!("{:02}/{:02}/{}", p.day.2, p.day.1, p.day.0)
        };
        total += p.pence;
        let _ = write!(
            b,
            "{},{date},\"{supplier}\",{:.2},{},LBC23/{:05},,,\r\n",
            p.expense.0,
            p.pence as f64 / 100.0,
            p.expense.1,
            i + 1
        );
    }
    let _ = write!(b, ",,Grand Total,{:.2},,,,,\r\n", total as f64 / 100.0);
    let cp1252: Vec<u8> = b
        .chars()
        .map(|c| if c == '£' { 0xA3 } else { c as u8 })
        .collect();
    files.push(("levermouth_spend_2023-24.csv".to_string(), cp1252));

    // 2024/25: Hyndburn-style "Name:" headers, ISO datetimes, trailing-minus credit notes.
    let mut c = String::from("Date:,Name:  ,Cost Centre:,Account:,Amount:,Reference:\n");
    for (i, p) in payments(&mut rng, 2024, 3_400, 16).iter().enumerate() {
        let supplier = if p.redacted {
            "Redacted Personal Information"
        } else {
            spelling(p.supplier, i)
        };
        let amount = if p.pence < 0 {
            format!("\"{}-\"", thousands(p.pence))
        } else {
            format!("\"{}\"", thousands(p.pence))
        };
        let _ = writeln!(
            c,
            "{}-{:02}-{:02} 00:00:00,{supplier},{},{},{amount},LBC24{:06}",
            p.day.0,
            p.day.1,
            p.day.2,
            p.expense.0,
            p.expense.1,
            i + 1
        );
    }
    files.push(("levermouth_spend_2024-25.csv".to_string(), c.into_bytes()));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_spend::{CheckOptions, check};

    #[test]
    fn every_demo_file_reads_cleanly_and_reconciles() {
        let files = spend_files();
        assert_eq!(files.len(), 3);
        for (name, bytes) in &files {
            let r = check(name, bytes, &CheckOptions::default()).unwrap();
            assert!(r.reconciliation.balanced, "{name}: {:?}", r.reconciliation);
            assert_eq!(r.rejected_count, 0, "{name}: {:?}", r.rejected.first());
            assert!(r.rows >= 3_000, "{name}: {}", r.rows);
            assert!(r.redacted_rows > 0, "{name}");
        }
        let warwick = check(&files[1].0, &files[1].1, &CheckOptions::default()).unwrap();
        assert_eq!(warwick.encoding, "windows-1252");
        assert!(
            warwick.grand_total.as_ref().is_some_and(|g| g.matched),
            "{:?}",
            warwick.grand_total
        );
        assert_eq!(
            warwick.flagged_count, 1,
            "the VARIOUS row is kept and flagged"
        );
        let hyndburn = check(&files[2].0, &files[2].1, &CheckOptions::default()).unwrap();
        assert!(
            hyndburn.negatives > 0,
            "trailing-minus credit notes read as negatives"
        );
    }
}
