//! The levers side of benches/contracts: streams an OCDS file through the reader (one release in
//! memory at a time), flattens every release and merges them per ocid (a repeat kept once, a later
//! release updating), then prints the same JSON summary as the pandas reference.
//!
//! `cargo run --release -p levers-contracts --example ocds_flatten -- FILE`

use std::collections::BTreeMap;

use levers_contracts::merge::Merger;
use levers_contracts::ocds::read_ocds;

fn main() {
    let path = std::env::args().nth(1).expect("usage: ocds_flatten FILE");
    let f = std::fs::File::open(&path).expect("open the file");
    let mut m = Merger::new();
    let rep = read_ocds(&path, std::io::BufReader::with_capacity(1 << 16, f), &mut |c| {
        m.add(c);
    })
    .expect("read the file");
    assert!(rep.balanced());
    let sum = |f: &dyn Fn(&levers_contracts::Contract) -> Option<i64>| -> i64 {
        m.contracts.iter().filter_map(f).sum()
    };
    let mut by_notice: BTreeMap<String, u64> = BTreeMap::new();
    for c in &m.contracts {
        if let Some(n) = &c.notice_type {
            *by_notice.entry(n.clone()).or_default() += 1;
        }
    }
    let out = serde_json::json!({
        "read": rep.read,
        "duplicates": m.counts.duplicates,
        "contracts": m.contracts.len(),
        "value_net_pence": sum(&|c| c.value_net.map(|v| v.pence())),
        "value_gross_pence": sum(&|c| c.value_gross.map(|v| v.pence())),
        "with_cpv": m.contracts.iter().filter(|c| !c.cpv.is_empty()).count(),
        "with_max_extent": m.contracts.iter().filter(|c| c.max_extent.is_some()).count(),
        "by_notice": by_notice,
        "rejected": rep.rejected,
    });
    println!("{out}");
}
