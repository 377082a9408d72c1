//! The levers side of benches/contracts: streams an OCDS file through the reader (one release in
//! memory at a time), flattens every release and merges them per ocid (a repeat kept once, a later
//! release updating) in bounded memory, grouped by ocid through the import's own partition files
//! (`levers_app::contracts::spill`), then prints the same JSON summary as the pandas reference.
//!
//! With `--stream`, nothing is merged: every release is flattened and counted as it passes, so the
//! memory is the reader's alone (one release at a time).
//!
//! `cargo run --release -p levers-app --example ocds_flatten -- [--stream] FILE`

use std::collections::BTreeMap;

use levers_app::contracts::spill::Spill;
use levers_contracts::merge::Merger;
use levers_contracts::ocds::read_ocds;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stream = args.iter().any(|a| a == "--stream");
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .expect("usage: ocds_flatten [--stream] FILE")
        .clone();
    let f = std::fs::File::open(&path).expect("open the file");
    if stream {
        let (mut n, mut net, mut cpv) = (0u64, 0i64, 0u64);
        let rep = read_ocds(
            &path,
            std::io::BufReader::with_capacity(1 << 16, f),
            &mut |c| {
                n += 1;
                net += c.value_net.map_or(0, |v| v.pence());
                cpv += u64::from(!c.cpv.is_empty());
            },
        )
        .expect("read the file");
        assert!(rep.balanced());
        let out = serde_json::json!({"read": rep.read, "flattened": n, "release_value_net_pence": net, "releases_with_cpv": cpv, "rejected": rep.rejected});
        println!("{out}");
        return;
    }
    let len = f.metadata().expect("the file's size").len();
    let mut spill = Spill::new(len).expect("temporary files");
    let rep = read_ocds(
        &path,
        std::io::BufReader::with_capacity(1 << 16, f),
        &mut |c| spill.push(c).expect("write a partition"),
    )
    .expect("read the file");
    assert!(rep.balanced());
    let (mut contracts, mut duplicates, mut net, mut gross, mut cpv, mut extent) =
        (0u64, 0u64, 0i64, 0i64, 0u64, 0u64);
    let mut by_notice: BTreeMap<String, u64> = BTreeMap::new();
    // Each partition merged alone: memory is one partition's contracts.
    spill
        .drain::<std::io::Error>(&mut |part| {
            let mut m = Merger::new();
            for c in part {
                m.add(c);
            }
            duplicates += m.counts.duplicates;
            for c in &m.contracts {
                contracts += 1;
                net += c.value_net.map_or(0, |v| v.pence());
                gross += c.value_gross.map_or(0, |v| v.pence());
                cpv += u64::from(!c.cpv.is_empty());
                extent += u64::from(c.max_extent.is_some());
                if let Some(n) = &c.notice_type {
                    *by_notice.entry(n.clone()).or_default() += 1;
                }
            }
            Ok(())
        })
        .expect("read the partitions back");
    let out = serde_json::json!({
        "read": rep.read,
        "duplicates": duplicates,
        "contracts": contracts,
        "value_net_pence": net,
        "value_gross_pence": gross,
        "with_cpv": cpv,
        "with_max_extent": extent,
        "by_notice": by_notice,
        "rejected": rep.rejected,
    });
    println!("{out}");
}
