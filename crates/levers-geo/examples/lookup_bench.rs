//! Lookups per second from the in-memory geography index, on one core:
//! `cargo run --release -p levers-geo --example lookup_bench -- FILE.csv [LOOKUPS]`.
//! Builds the index straight from the file (as the store would hand it over), then times `locate`
//! (the analyses' hot path) and the full `lookup` on postcodes drawn from the file.

use std::time::Instant;

use levers_geo::{GeoIndexBuilder, Postcode, read_geo};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: lookup_bench FILE.csv [LOOKUPS]");
    let n: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000_000);
    let t = Instant::now();
    let file =
        std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path).expect("open"));
    let mut b = GeoIndexBuilder::new();
    b.reserve_postcodes(2_800_000);
    let rep = read_geo(&path, file, |r| b.add(&r), |_| {}).expect("read");
    let index = b.build();
    let build_s = t.elapsed().as_secs_f64();
    let all: Vec<Postcode> = index.postcodes().collect();
    // A fixed pseudo-random order over the loaded postcodes, plus 5% that are not there.
    let mut probes = Vec::with_capacity(n);
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..n {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        probes.push(if i % 20 == 0 {
            Postcode::parse("ZZ9 9ZZ").expect("valid")
        } else {
            all[(s % all.len() as u64) as usize]
        });
    }
    let t = Instant::now();
    let mut hits = 0u64;
    for p in &probes {
        if let Some(l) = index.locate(p) {
            hits += u64::from(l.imd2019_decile.unwrap_or(0)) + 1;
        }
    }
    let locate_s = t.elapsed().as_secs_f64();
    let m = n.min(1_000_000);
    let t = Instant::now();
    let mut found = 0u64;
    for p in &probes[..m] {
        if let Some(l) = index.lookup(p) {
            found += l.gaps.len() as u64 + 1;
        }
    }
    let lookup_s = t.elapsed().as_secs_f64();
    println!(
        "{{\"rows\":{},\"postcodes\":{},\"index_build_s\":{build_s:.3},\"index_mb\":{:.1},\"locate_per_s\":{:.0},\"lookup_per_s\":{:.0},\"check\":{}}}",
        rep.rows_read,
        all.len(),
        index.approx_bytes() as f64 / 1_048_576.0,
        n as f64 / locate_s,
        m as f64 / lookup_s,
        hits + found
    );
}
