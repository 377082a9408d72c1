//! One contract per key: a release (or register row) seen before is a duplicate; a later release
//! of the same ocid updates the contract; an earlier one arriving late only fills gaps. The same
//! rules serve the in-memory [`Merger`] and the store's batched import.

use std::collections::HashMap;

use serde::Serialize;

use crate::model::Contract;

/// What happened to an incoming contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A key not held before.
    New,
    /// A later release (or changed register row) updated the contract.
    Updated,
    /// An older release of a contract already held: it filled only what was missing.
    Older,
    /// Exactly this release (or an identical register row) was already held.
    Duplicate,
}

/// Whether `incoming` is later than `held` (by release date; without dates, arrival order).
fn is_later(held: &Contract, incoming: &Contract) -> bool {
    match (&held.release_date, &incoming.release_date) {
        (Some(h), Some(i)) => match (instant(h), instant(i)) {
            (Some(h), Some(i)) => i >= h,
            _ => i >= h,
        },
        _ => true,
    }
}

/// Seconds since the epoch of an ISO date or date-time with any offset (`Z`, `+01:00`, none).
fn instant(s: &str) -> Option<i64> {
    let s = s.trim();
    let date = crate::model::opt_date::parse(s)?;
    let mut secs = (date.to_julian_day() as i64) * 86_400;
    if let Some(t) = s.get(11..19) {
        let p: Vec<i64> = t.split(':').filter_map(|x| x.parse().ok()).collect();
        if p.len() == 3 {
            secs += p[0] * 3600 + p[1] * 60 + p[2];
        }
    }
    let tail = s.get(19..).unwrap_or("");
    let tail = tail.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if let Some(sign) = tail.chars().next().filter(|c| *c == '+' || *c == '-') {
        let hm: Vec<i64> = tail[1..]
            .split(':')
            .filter_map(|x| x.parse().ok())
            .collect();
        if let [h, m] = hm[..] {
            let off = h * 3600 + m * 60;
            secs -= if sign == '+' { off } else { -off };
        }
    }
    Some(secs)
}

/// Merges `incoming` into `held` (the contract already kept under its key, if any).
pub fn merge(held: Option<&mut Contract>, incoming: Contract) -> (Outcome, Option<Contract>) {
    let Some(held) = held else {
        return (Outcome::New, Some(incoming));
    };
    if incoming.seen.iter().all(|s| held.seen.contains(s)) && !incoming.seen.is_empty() {
        return (Outcome::Duplicate, None);
    }
    if is_later(held, &incoming) {
        held.update_from(incoming);
        (Outcome::Updated, None)
    } else {
        held.fill_gaps(incoming);
        (Outcome::Older, None)
    }
}

/// Counts of what merging did. read = new + updated + older + duplicates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MergeCounts {
    pub new: u64,
    pub updated: u64,
    pub older: u64,
    pub duplicates: u64,
}

impl MergeCounts {
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::New => self.new += 1,
            Outcome::Updated => self.updated += 1,
            Outcome::Older => self.older += 1,
            Outcome::Duplicate => self.duplicates += 1,
        }
    }
    pub fn total(&self) -> u64 {
        self.new + self.updated + self.older + self.duplicates
    }
}

/// Contracts merged in memory, in first-seen order.
#[derive(Debug, Default)]
pub struct Merger {
    index: HashMap<String, usize>,
    pub contracts: Vec<Contract>,
    pub counts: MergeCounts,
}

impl Merger {
    pub fn new() -> Merger {
        Merger::default()
    }

    /// Starts from contracts already held (the store's, for a batch).
    pub fn with_held(held: Vec<Contract>) -> Merger {
        let mut m = Merger::default();
        for c in held {
            m.index.insert(c.key.clone(), m.contracts.len());
            m.contracts.push(c);
        }
        m
    }

    pub fn add(&mut self, c: Contract) -> Outcome {
        let slot = self.index.get(&c.key).copied();
        let (o, fresh) = merge(slot.map(|i| &mut self.contracts[i]), c);
        if let Some(f) = fresh {
            self.index.insert(f.key.clone(), self.contracts.len());
            self.contracts.push(f);
        }
        self.counts.add(o);
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(ocid: &str, id: &str, date: &str, title: &str) -> Contract {
        Contract {
            key: format!("ocds:{ocid}"),
            ocid: Some(ocid.into()),
            release_id: Some(id.into()),
            release_date: Some(date.into()),
            title: title.into(),
            seen: vec![id.into()],
            ..Contract::default()
        }
    }

    #[test]
    fn twice_kept_once_later_updates_earlier_fills_gaps() {
        let mut m = Merger::new();
        assert_eq!(
            m.add(rel("a", "1", "2025-01-01T00:00:00Z", "first")),
            Outcome::New
        );
        assert_eq!(
            m.add(rel("a", "1", "2025-01-01T00:00:00Z", "first")),
            Outcome::Duplicate
        );
        assert_eq!(
            m.add(rel("a", "2", "2025-03-01T00:00:00Z", "second")),
            Outcome::Updated
        );
        let mut old = rel("a", "0", "2024-12-01T00:00:00Z", "zeroth");
        old.description = "only here".into();
        assert_eq!(m.add(old), Outcome::Older);
        assert_eq!(m.contracts.len(), 1);
        assert_eq!(m.contracts[0].title, "second");
        assert_eq!(m.contracts[0].description, "only here");
        assert_eq!(m.contracts[0].seen.len(), 3);
        assert_eq!(m.counts.total(), 4);
    }

    #[test]
    fn offsets_are_compared_as_instants() {
        // 10:30+01:00 is 09:30Z: earlier than 10:00Z.
        let mut m = Merger::new();
        m.add(rel("a", "1", "2025-01-01T10:00:00Z", "utc"));
        assert_eq!(
            m.add(rel("a", "2", "2025-01-01T10:30:00+01:00", "bst")),
            Outcome::Older
        );
        assert_eq!(m.contracts[0].title, "utc");
    }
}
