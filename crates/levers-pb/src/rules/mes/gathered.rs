//! The supporters' levels a hybrid run gathered, round by round, kept with its snapshot so that a
//! check run further up can reuse them while its rounds have the same shape (the same winner and
//! the same level moves, `Snap::maps`, in every earlier round): its voter groups then sit at the
//! same level ids, so a project's gathered levels are the same list.

use std::rc::Rc;

/// Entries gathered and kept per run at most (16 bytes each): real elections keep far fewer
/// (Budapest 2024 about 100,000); an adversarial one (3,000 projects, each voter a group of its
/// own) would keep over 100 MB without the cap. Lists reused from another run are shared, not
/// counted.
const MAX_KEPT: usize = 1 << 20;

/// One project's supporters as (level, voters), shared between the runs that reuse it.
pub(super) type List = Rc<[(u32, u64)]>;

/// Each round's gathered (level, voters) lists of one run.
#[derive(Default)]
pub(super) struct Gathered {
    /// Per round: (project, its list).
    rounds: Vec<Vec<(u32, List)>>,
    /// Entries of the lists this run gathered itself.
    fresh: usize,
}

impl Gathered {
    pub fn start_round(&mut self) {
        self.rounds.push(Vec::new());
    }

    /// Whether a freshly gathered list of `len` entries may still be kept (`MAX_KEPT`).
    pub fn room(&self, len: usize) -> bool {
        self.fresh + len <= MAX_KEPT
    }

    /// Keeps p's levels as gathered in the current round: `fresh` when this run gathered them
    /// (counted against `MAX_KEPT`; past it lookups miss and the levels are gathered again).
    pub fn record(&mut self, p: usize, lv: List, fresh: bool) {
        if fresh {
            if !self.room(lv.len()) {
                return;
            }
            self.fresh += lv.len();
        }
        if let Some(r) = self.rounds.last_mut() {
            r.push((p as u32, lv));
        }
    }

    /// p's levels as gathered in round `round`, if they were.
    pub fn find(&self, round: usize, p: usize) -> Option<&List> {
        let (_, l) = self.rounds.get(round)?.iter().find(|x| x.0 as usize == p)?;
        Some(l)
    }
}

/// Where each project's list sits in one round of a base run's `Gathered` (for lookups by
/// project in a round with many of them).
#[derive(Default)]
pub(super) struct RoundIndex {
    pos: Vec<u32>,
    set: Vec<usize>,
}

impl RoundIndex {
    /// Indexes round `round` of `g`; false when `g` has no such round.
    pub fn load(&mut self, g: &Gathered, round: usize, projects: usize) -> bool {
        if self.pos.len() < projects {
            self.pos.resize(projects, u32::MAX);
        }
        for &p in &self.set {
            self.pos[p] = u32::MAX;
        }
        self.set.clear();
        let Some(r) = g.rounds.get(round) else {
            return false;
        };
        for (i, (p, _)) in r.iter().enumerate() {
            self.pos[*p as usize] = i as u32;
            self.set.push(*p as usize);
        }
        true
    }

    /// p's levels in the indexed round of `g`.
    pub fn get<'g>(&self, g: &'g Gathered, round: usize, p: usize) -> Option<&'g List> {
        let i = *self.pos.get(p)?;
        if i == u32::MAX {
            return None;
        }
        Some(&g.rounds[round][i as usize].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_found_by_round_and_project() {
        let mut g = Gathered::default();
        g.start_round();
        g.record(3, Rc::from(&[(0, 5), (2, 1)][..]), true);
        g.record(1, Rc::from(&[(0, 7)][..]), true);
        g.start_round();
        g.record(3, Rc::from(&[(4, 6)][..]), true);
        let l = |x: Option<&List>| x.map(|l| l.to_vec());
        assert_eq!(l(g.find(0, 3)), Some(vec![(0, 5), (2, 1)]));
        assert_eq!(l(g.find(1, 3)), Some(vec![(4, 6)]));
        assert_eq!(l(g.find(1, 1)), None);
        let mut ix = RoundIndex::default();
        assert!(ix.load(&g, 0, 5));
        assert_eq!(l(ix.get(&g, 0, 1)), Some(vec![(0, 7)]));
        assert!(ix.load(&g, 1, 5));
        assert_eq!(l(ix.get(&g, 1, 1)), None);
        assert_eq!(l(ix.get(&g, 1, 3)), Some(vec![(4, 6)]));
        assert!(!ix.load(&g, 2, 5));
        assert_eq!(l(ix.get(&g, 1, 3)), None);
        // past the cap nothing more gathered is kept, and lookups miss; shared lists still are
        let mut big = Gathered::default();
        big.start_round();
        let full: List = Rc::from(vec![(0, 1); MAX_KEPT]);
        big.record(0, full.clone(), true);
        big.record(1, Rc::from(&[(0, 1)][..]), true);
        big.record(2, full, false);
        assert!(big.find(0, 0).is_some() && big.find(0, 1).is_none());
        assert!(big.find(0, 2).is_some());
    }
}
