//! Maximum utilitarian welfare (0/1 knapsack) solved exactly by branch and bound in integers.

use super::{Prepared, Sat};
use crate::num::{Q, q_int};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive};

const NODE_LIMIT: u64 = 50_000_000;

struct Item {
    p: usize,
    w: i128,
    v: i128,
}

struct Bb<'a> {
    items: &'a [Item],
    best_v: i128,
    best: Vec<bool>,
    cur: Vec<bool>,
    nodes: u64,
}

impl Bb<'_> {
    // upper bound by the fractional relaxation, exact: returns true if bound > best_v
    fn promising(&self, i: usize, cap: i128, val: i128) -> bool {
        let mut cap = cap;
        let mut v = val;
        for it in &self.items[i..] {
            if it.w <= cap {
                cap -= it.w;
                v += it.v;
            } else {
                // v + cap * it.v / it.w > best_v  <=>  (v - best_v) * it.w + cap * it.v > 0
                return (v - self.best_v) * it.w + cap * it.v > 0;
            }
        }
        v > self.best_v
    }

    fn dfs(&mut self, i: usize, cap: i128, val: i128) {
        self.nodes += 1;
        if val > self.best_v {
            self.best_v = val;
            self.best.clone_from(&self.cur);
        }
        if i == self.items.len() || self.nodes > NODE_LIMIT || !self.promising(i, cap, val) {
            return;
        }
        if self.items[i].w <= cap {
            self.cur[i] = true;
            self.dfs(i + 1, cap - self.items[i].w, val + self.items[i].v);
            self.cur[i] = false;
        }
        self.dfs(i + 1, cap, val);
    }
}

/// Returns (selection by decreasing density, welfare, proven optimal). Projects nobody supports
/// are never selected; zero-cost supported projects always are.
pub fn max_welfare(prep: &Prepared<'_>, sat: Sat) -> (Vec<usize>, Q, bool) {
    let e = prep.e;
    let g = &prep.groups;
    // common denominator of costs and budget
    let mut den = BigInt::one();
    for p in &e.projects {
        den = den.lcm(p.cost.denom());
    }
    den = den.lcm(e.budget.denom());
    let scale =
        |q: &Q| -> Option<i128> { (q * Q::from_integer(den.clone())).to_integer().to_i128() };
    let Some(cap) = scale(&e.budget) else {
        return (vec![], q_int(0), false);
    };
    let mut items = Vec::new();
    let mut forced = Vec::new();
    for p in 0..e.projects.len() {
        if g.support[p] == 0 {
            continue;
        }
        let Some(w) = scale(&e.projects[p].cost) else {
            continue;
        };
        let v = match sat {
            Sat::Cost => w * g.support[p] as i128,
            Sat::Cardinality => g.support[p] as i128,
        };
        if w <= 0 {
            forced.push(p);
        } else if w <= cap {
            items.push(Item { p, w, v });
        }
    }
    items.sort_by(|a, b| {
        (b.v * a.w)
            .cmp(&(a.v * b.w))
            .then(e.projects[a.p].id.cmp(&e.projects[b.p].id))
    });
    let mut bb = Bb {
        items: &items,
        best_v: -1,
        best: vec![false; items.len()],
        cur: vec![false; items.len()],
        nodes: 0,
    };
    bb.dfs(0, cap, 0);
    let proven = bb.nodes <= NODE_LIMIT;
    let mut sel = forced;
    sel.extend(
        items
            .iter()
            .zip(&bb.best)
            .filter(|(_, b)| **b)
            .map(|(it, _)| it.p),
    );
    let mut welfare = Q::from_integer(BigInt::from(bb.best_v.max(0)));
    if sat == Sat::Cost {
        welfare /= Q::from_integer(den);
    }
    for &p in &sel {
        if e.projects[p].cost <= q_int(0) && sat == Sat::Cardinality {
            welfare += Q::from_integer(BigInt::from(g.support[p]));
        }
    }
    (sel, welfare, proven)
}
