//! Benchmark driver for the procurement analysis (`benches/procurement/run.sh`).
//!
//! `procurement_bench gen DIR [ROWS] [SUPPLIERS]` writes a synthetic year: `transactions.csv` (one row
//! per payment: supplier_id, supplier_name, amount_pence, expense_type), `suppliers.csv` (supplier_id,
//! name, postcode, type) and `postcodes.csv` (postcode, lad, ward, lsoa, decile), all X-coded, plus
//! `spend.csv`, the same payments as a transparency file (date, transaction number, supplier ID and
//! name, amount in pounds, expense type), and `onspd.csv`/`iod.csv` for `levers geo import`.
//! `procurement_bench run DIR [REPEATS]` reads them (the spend "already imported": parsed into
//! memory), builds the geography index, runs the full analysis (matching, exclusions, all suppliers
//! and top 300, sectors, wards, opportunities) REPEATS times (default 5) and prints the headline
//! shares as JSON with the seconds spent loading and the median seconds analysing, so pandas'
//! figures (measured the same way) can be compared.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Instant;

use levers_core::AreaCode;
use levers_geo::{GeoIndexBuilder, read_geo};
use levers_spend::analysis::{
    AnalysisOptions, Area, BodyData, PaymentText, Payments, SupplierInfo, analyse,
};
use levers_spend::suppliers::{DeclaredType, SupplierRecord};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TYPES: &[&str] = &[
    "Catering",
    "Building works",
    "ICT",
    "Cleaning",
    "Residential care",
    "Transport",
    "Consultancy",
    "Energy",
    "Waste collection",
    "Agency staff",
    "Pension contributions",
    "Levies",
    "Tax payments",
    "Grants to voluntary bodies",
];
const KINDS: &[&str] = &["SME", "Large", "VCSE", "Public body", ""];

fn generate(dir: &str, rows: usize, suppliers: usize) {
    let mut rng = Rng(0x5eed);
    std::fs::create_dir_all(dir).unwrap();
    // 8 districts (X07000001 local; 1-3 the wider area), 40 wards each, 5 LSOAs a ward, 10 postcodes an LSOA.
    let mut pcs = String::from("pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\n");
    let mut iod = String::from(
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n",
    );
    let mut flat = String::from("postcode,lad,ward,lsoa,decile\n");
    let mut all_pcs = Vec::new();
    let mut lsoa = 0u32;
    for d in 1..=8u32 {
        for w in 1..=40u32 {
            for _ in 0..5 {
                lsoa += 1;
                let decile = 1 + rng.below(10);
                let _ = writeln!(
                    iod,
                    "X01{lsoa:06},L{lsoa},X07{d:06},D{d},{},{decile}",
                    (decile - 1) * 3284 + 1
                );
                for k in 0..10u32 {
                    let letters = b"ABDEFGHJLNPQRSTUWXYZ";
                    let a = letters[(lsoa as usize + k as usize) % 20] as char;
                    let b = letters[(lsoa as usize / 20 + k as usize * 3) % 20] as char;
                    let pc = format!(
                        "X{}{} {}{a}{b}",
                        (b'A' + (d as u8 - 1)) as char,
                        w,
                        lsoa % 10
                    );
                    let _ = writeln!(
                        pcs,
                        "{},{pc},,X07{d:06},X05{:06},X01{lsoa:06},X01{lsoa:06},54.0,-3.0",
                        pc.replace(' ', ""),
                        d * 100 + w
                    );
                    let _ = writeln!(
                        flat,
                        "{pc},X07{d:06},X05{:06},X01{lsoa:06},{decile}",
                        d * 100 + w
                    );
                    all_pcs.push(pc);
                }
            }
        }
    }
    all_pcs.sort();
    all_pcs.dedup();
    std::fs::write(format!("{dir}/onspd.csv"), pcs).unwrap();
    std::fs::write(format!("{dir}/iod.csv"), iod).unwrap();
    std::fs::write(format!("{dir}/postcodes.csv"), flat).unwrap();
    let mut sup = String::from("supplier_id,name,postcode,type\n");
    let mut names = Vec::with_capacity(suppliers);
    for i in 0..suppliers {
        let name = format!(
            "Supplier {i:05} {} Ltd",
            ["Services", "Trading", "Care", "Works", "Group"][i % 5]
        );
        // 5% have no postcode; the rest anywhere (a third in the local district).
        let pc = if rng.below(20) == 0 {
            String::new()
        } else if rng.below(3) == 0 {
            all_pcs[rng.below(2000) as usize].clone()
        } else {
            all_pcs[rng.below(all_pcs.len() as u64) as usize].clone()
        };
        let _ = writeln!(sup, "S{i:05},{name},{pc},{}", KINDS[i % KINDS.len()]);
        names.push(name);
    }
    std::fs::write(format!("{dir}/suppliers.csv"), sup).unwrap();
    let mut tx = String::with_capacity(rows * 60);
    tx.push_str("supplier_id,supplier_name,amount_pence,expense_type\n");
    // The same payments as a published transparency file (dated within 2024/25, amounts in pounds,
    // a transaction number each), for `levers spend import` and the DuckDB and pandas imports.
    let mut spend = String::with_capacity(rows * 90);
    spend.push_str("Date,Transaction Number,Supplier ID,Supplier Name,Amount,Expense Type\n");
    let start = time::macros::date!(2024 - 04 - 01);
    for row in 0..rows {
        // Skewed: a few suppliers get most payments.
        let s = ((rng.below(1 << 20) as f64 / (1u64 << 20) as f64).powi(3) * suppliers as f64)
            as usize
            % suppliers;
        let amount = if rng.below(50) == 0 {
            -(rng.below(100_000) as i64)
        } else {
            50_000 + rng.below(5_000_000) as i64
        };
        let ty = TYPES[(s + rng.below(2) as usize) % TYPES.len()];
        // A tenth of payments carry no supplier ID (matched by name).
        let id = if rng.below(10) == 0 {
            String::new()
        } else {
            format!("S{s:05}")
        };
        let _ = writeln!(tx, "{id},{},{amount},{ty}", names[s]);
        let d = start + time::Duration::days((row as i64 * 7_919) % 365);
        let _ = writeln!(
            spend,
            "{:02}/{:02}/{},T{row},{id},{},{}{}.{:02},{ty}",
            d.day(),
            u8::from(d.month()),
            d.year(),
            names[s],
            if amount < 0 { "-" } else { "" },
            amount.abs() / 100,
            amount.abs() % 100
        );
    }
    std::fs::write(format!("{dir}/transactions.csv"), tx).unwrap();
    std::fs::write(format!("{dir}/spend.csv"), spend).unwrap();
}

fn run(dir: &str, repeats: usize) {
    let t0 = Instant::now();
    let mut b = GeoIndexBuilder::new();
    for f in ["iod.csv", "onspd.csv"] {
        let bytes = std::fs::read(format!("{dir}/{f}")).unwrap();
        read_geo(f, &bytes[..], |r| b.add(&r), |_| {}).unwrap();
    }
    let geo = b.build();
    let mut body = BodyData {
        name: "Bench Council".into(),
        ..BodyData::default()
    };
    let mut rdr = csv::Reader::from_path(format!("{dir}/suppliers.csv")).unwrap();
    for (i, r) in rdr.records().enumerate() {
        let r = r.unwrap();
        let rec = SupplierRecord {
            line: i as u64 + 2,
            supplier_id: Some(r[0].to_string()),
            name: r[1].to_string(),
            postcode: (!r[2].is_empty()).then(|| r[2].to_string()),
            branch_postcodes: vec![],
            company_number: None,
            charity_number: None,
            vat_number: None,
            declared_type: DeclaredType::parse(&r[3]),
            sector: None,
        };
        body.suppliers
            .push(SupplierInfo::build(i as i64, &rec, None, None, true));
    }
    let mut pays = Payments::default();
    let mut rdr = csv::Reader::from_path(format!("{dir}/transactions.csv")).unwrap();
    let mut rec = csv::StringRecord::new();
    let mut i = 0i64;
    while rdr.read_record(&mut rec).unwrap() {
        pays.push(PaymentText {
            row_id: i,
            supplier_id: &rec[0],
            supplier_name: &rec[1],
            amount_pence: rec[2].parse().unwrap(),
            expense_type: &rec[3],
            ..PaymentText::default()
        });
        i += 1;
    }
    let loaded = t0.elapsed().as_secs_f64();
    let code = |s: &str| AreaCode::parse(s).unwrap();
    let opts = AnalysisOptions::new(
        "2024/25",
        Area {
            name: "Local".into(),
            lads: vec![code("X07000001")],
        },
        Area {
            name: "Wider".into(),
            lads: vec![code("X07000002"), code("X07000003")],
        },
    );
    // The analysis runs `repeats` times on the loaded data; the median is reported (the machine's
    // neighbours make single runs noisy), with every run's time.
    let mut times = Vec::with_capacity(repeats);
    let mut report = None;
    for _ in 0..repeats.max(1) {
        let t1 = Instant::now();
        let r = analyse(std::slice::from_ref(&body), &pays, &geo, &opts);
        times.push(t1.elapsed().as_secs_f64());
        report = Some(r);
    }
    let r = report.expect("at least one run");
    let runs = times.clone();
    times.sort_by(f64::total_cmp);
    let analysed = times[times.len() / 2];
    let s = r.all.shares;
    let out: HashMap<&str, serde_json::Value> = HashMap::from([
        ("rows", pays.rows.len().into()),
        ("total_pence", r.all.spend.total_pence.into()),
        ("excluded_pence", r.all.spend.excluded_pence.into()),
        ("analysed_pence", r.all.spend.analysed_pence.into()),
        ("local", s.local.into()),
        ("wider", s.wider.into()),
        ("deprived_decile_1", s.deprived_decile_1.into()),
        ("deprived_decile_1_2", s.deprived_decile_1_2.into()),
        ("sme", s.sme.into()),
        ("vcse", s.vcse.into()),
        ("unknown_location", s.unknown_location.into()),
        ("top300_analysed_pence", r.top_n.spend.analysed_pence.into()),
        ("top300_local", r.top_n.shares.local.into()),
        ("load_seconds", loaded.into()),
        ("analyse_seconds", analysed.into()),
        ("analyse_runs", runs.into()),
    ]);
    println!("{}", serde_json::to_string(&out).unwrap());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => generate(
            &args[2],
            args.get(3).map_or(1_000_000, |s| s.parse().unwrap()),
            args.get(4).map_or(50_000, |s| s.parse().unwrap()),
        ),
        Some("run") => run(&args[2], args.get(3).map_or(5, |s| s.parse().unwrap())),
        _ => eprintln!("usage: procurement_bench gen DIR [ROWS] [SUPPLIERS] | run DIR [REPEATS]"),
    }
}
