//! Reconciliation as properties: whatever mix of good, malformed and repeated releases a file holds,
//! in whichever container and however it is split into chunks, every release is accounted for
//! (read = given + rejected) and merging accounts for every one given
//! (given = new + updated + older + duplicates, one contract per ocid).

use std::collections::HashSet;

use levers_contracts::merge::Merger;
use levers_contracts::ocds::read_ocds;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum El {
    Good {
        ocid: u8,
        id: u8,
        day: u8,
        title: String,
    },
    BadTender {
        ocid: u8,
    },
    NoOcid,
    Scalar,
}

fn el() -> impl Strategy<Value = El> {
    prop_oneof![
        6 => (0u8..6, 0u8..4, 1u8..28, "[a-z \\\\\"\\]\\[{},]{0,12}")
            .prop_map(|(ocid, id, day, title)| El::Good { ocid, id, day, title }),
        1 => (0u8..6).prop_map(|ocid| El::BadTender { ocid }),
        1 => Just(El::NoOcid),
        1 => Just(El::Scalar),
    ]
}

fn text(e: &El) -> String {
    match e {
        El::Good { ocid, id, day, title } => serde_json::json!({
            "ocid": format!("ocds-x-{ocid}"),
            "id": format!("{ocid}-{id}"),
            "date": format!("2025-01-{day:02}T00:00:00Z"),
            "tag": ["tender"],
            "tender": {"title": title, "value": {"amount": 10.5, "currency": "GBP"},
                       "items": [{"additionalClassifications": [{"scheme": "CPV", "id": "45000000"}]}]}
        })
        .to_string(),
        El::BadTender { ocid } => format!("{{\"ocid\":\"ocds-x-{ocid}\",\"id\":\"b\",\"tender\":\"x\"}}"),
        El::NoOcid => "{\"id\":\"z\",\"tender\":{}}".into(),
        El::Scalar => "42".into(),
    }
}

proptest! {
    #[test]
    fn every_release_is_accounted_for(els in prop::collection::vec(el(), 0..40), lines in any::<bool>(), chunk in 1usize..64) {
        let body = if lines {
            els.iter().filter(|e| !matches!(e, El::Scalar)).map(|e| text(e) + "\n").collect::<String>()
        } else {
            format!("{{\"uri\":\"u\",\"releases\":[\n{}\n],\"publisher\":{{}}}}", els.iter().map(text).collect::<Vec<_>>().join(",\n"))
        };
        let n = if lines { els.iter().filter(|e| !matches!(e, El::Scalar)).count() } else { els.len() } as u64;
        // A reader that hands over a few bytes at a time.
        struct Trickle<'a>(&'a [u8], usize);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let k = self.1.min(buf.len()).min(self.0.len());
                buf[..k].copy_from_slice(&self.0[..k]);
                self.0 = &self.0[k..];
                Ok(k)
            }
        }
        let mut given = Vec::new();
        let res = read_ocds("p.json", Trickle(body.as_bytes(), chunk), &mut |c| given.push(c));
        if n == 0 && lines {
            prop_assert!(res.is_err());
            return Ok(());
        }
        let rep = res.unwrap();
        prop_assert!(rep.balanced());
        prop_assert_eq!(rep.read, n);
        let goods: Vec<&El> = els.iter().filter(|e| matches!(e, El::Good { .. })).collect();
        prop_assert_eq!(rep.given, goods.len() as u64);
        let mut m = Merger::new();
        for c in given {
            m.add(c);
        }
        prop_assert_eq!(m.counts.total(), rep.given);
        let ocids: HashSet<u8> = goods.iter().map(|e| match e { El::Good { ocid, .. } => *ocid, _ => 0 }).collect();
        prop_assert_eq!(m.contracts.len(), ocids.len());
        prop_assert_eq!(m.counts.new as usize, ocids.len());
        let ids: HashSet<(u8, u8)> = goods.iter().map(|e| match e { El::Good { ocid, id, .. } => (*ocid, *id), _ => (0, 0) }).collect();
        prop_assert_eq!(m.counts.duplicates as usize, goods.len() - ids.len());
    }
}
