//! Where the add1 walk gets its outcomes: one cursor while the walk is short; past that, the rest
//! of the grid cut into chunks that the machine's cores walk side by side, each from a run of its
//! own, so the outcomes and the runs counted do not depend on the number of threads.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::ctx::Ctx;
use super::cursor::{Cursor, MAX_RUNS, Walk};
use crate::num::Q;

/// Runs the default walk computes on one cursor before it cuts the rest into chunks (Budapest
/// 2024 computes about 640; most elections fewer than this).
const SERIAL_RUNS: usize = 32;

/// A chunk spans about this many runs of the walk so far (each chunk starts with a run of its
/// own and without the cursor's history, so short chunks cost runs; long ones leave a core idle
/// at the end).
const CHUNK_RUNS: f64 = 96.0;

/// Threads at most (the walk beyond the outcome's end is wasted, about a chunk per thread).
const MAX_THREADS: usize = 4;

/// Whether the walk ends at an outcome (it may end there or earlier; a chunk stops there).
pub(super) type Stop<'s> = &'s (dyn Fn(&[usize]) -> bool + Sync);

/// One chunk's walk: the outcome at its first grid point, then each change of outcome.
struct Chunk {
    changes: Vec<(usize, Vec<usize>)>,
    computed: usize,
    /// The last grid point covered.
    last: usize,
    stopped: bool,
}

/// The chunks in hand: changes of outcome not yet served, the last grid point they cover and
/// the last outcome among them.
struct Ahead {
    buf: VecDeque<(usize, Vec<usize>)>,
    covered: usize,
    tail: Vec<usize>,
    size: usize,
    computed: usize,
}

/// The walk's source of outcomes: (m, outcome at k + m + 1) where k + 1 … k + m share the
/// outcome at k, as `Cursor::advance`.
pub(super) struct Changes<'c, 'p, 'a, F: Fn(usize) -> Q + Sync> {
    ctx: &'c Ctx<'p, 'a>,
    at: &'c F,
    inc_f: f64,
    walk: Walk,
    stop: Stop<'c>,
    pub serial: Cursor<'c, 'p, 'a, &'c F>,
    ahead: Option<Ahead>,
}

impl<'c, 'p, 'a, F: Fn(usize) -> Q + Sync> Changes<'c, 'p, 'a, F> {
    pub fn new(ctx: &'c Ctx<'p, 'a>, at: &'c F, inc_f: f64, walk: Walk, stop: Stop<'c>) -> Self {
        Changes {
            ctx,
            at,
            inc_f,
            walk,
            stop,
            serial: Cursor::new(ctx, at, inc_f, walk),
            ahead: None,
        }
    }

    /// Runs computed, counting every chunk up to the walk's end (not those walked past it).
    pub fn computed(&self) -> usize {
        self.serial.computed + self.ahead.as_ref().map_or(0, |a| a.computed)
    }

    /// From the position `k`, whose outcome is `cur`.
    pub fn advance(&mut self, k: usize, cur: &[usize]) -> (usize, Vec<usize>) {
        let switch = match self.walk {
            Walk::Step => usize::MAX,
            Walk::Jump => SERIAL_RUNS,
            Walk::JumpAlways => 2,
        };
        if self.ahead.is_none() && self.serial.computed >= switch {
            let rate = (k + 1) as f64 / self.serial.computed as f64;
            let (runs, least) = match self.walk {
                Walk::JumpAlways => (2.0, 2.0),
                _ => (CHUNK_RUNS, 16.0),
            };
            self.ahead = Some(Ahead {
                buf: VecDeque::new(),
                covered: k,
                tail: cur.to_vec(),
                size: (rate * runs).max(least).min(MAX_RUNS as f64) as usize,
                computed: 0,
            });
        }
        if self.ahead.is_none() {
            let (m, next) = self.serial.advance(k);
            return (m, next.unwrap_or_else(|| cur.to_vec()));
        }
        loop {
            let a = self.ahead.as_mut().expect("set above");
            if let Some((kc, out)) = a.buf.pop_front() {
                return (kc - k - 1, out);
            }
            let from = a.covered + 1;
            if from >= MAX_RUNS {
                // past the limit: the walk stops counting runs before it gets here
                return (MAX_RUNS, cur.to_vec());
            }
            self.fill(from);
        }
    }

    /// Walks the chunks from grid point `from` up to the first outcome at which the walk stops,
    /// on every thread, and keeps the changes of outcome in order.
    fn fill(&mut self, from: usize) {
        let size = self.ahead.as_ref().map_or(1, |a| a.size);
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS);
        let next = AtomicUsize::new(0);
        let stop_at = AtomicUsize::new(usize::MAX);
        let done = Mutex::new(Vec::new());
        let (ctx, at, inc_f, walk, stop) = (self.ctx, self.at, self.inc_f, self.walk, self.stop);
        let work = || {
            loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                let s = c.saturating_mul(size).saturating_add(from);
                if c > stop_at.load(Ordering::Relaxed) || s >= MAX_RUNS {
                    break;
                }
                let limit = s.saturating_add(size - 1).min(MAX_RUNS - 1);
                let cancel = || c > stop_at.load(Ordering::Relaxed);
                if let Some(chunk) = walk_chunk(ctx, at, inc_f, walk, (s, limit), stop, cancel) {
                    if chunk.stopped {
                        stop_at.fetch_min(c, Ordering::Relaxed);
                    }
                    done.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((c, chunk));
                }
            }
        };
        std::thread::scope(|sc| {
            for _ in 1..threads {
                // a thread the system refuses leaves its chunks to the others
                if std::thread::Builder::new().spawn_scoped(sc, work).is_err() {
                    break;
                }
            }
            work();
        });
        let last = stop_at.into_inner();
        let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        done.sort_unstable_by_key(|d| d.0);
        let a = self.ahead.as_mut().expect("set before filling");
        for (i, (c, chunk)) in done.into_iter().enumerate() {
            if c > last {
                break;
            }
            // every chunk up to the last one is there, complete (only later ones give up)
            debug_assert_eq!(i, c, "a chunk of the walk is missing");
            a.computed += chunk.computed;
            for (kc, out) in chunk.changes {
                if out != a.tail {
                    a.buf.push_back((kc, out.clone()));
                    a.tail = out;
                }
            }
            a.covered = chunk.last;
        }
    }
}

/// The walk over the grid points `from` … `limit` (or to the first outcome at which the walk
/// stops), from a run at `from`; `None` when cancelled.
fn walk_chunk<F: Fn(usize) -> Q>(
    ctx: &Ctx<'_, '_>,
    at: F,
    inc_f: f64,
    walk: Walk,
    (from, limit): (usize, usize),
    stop: Stop<'_>,
    cancel: impl Fn() -> bool,
) -> Option<Chunk> {
    let first = ctx.outcome(&at(from), true, None, None);
    let mut cursor = Cursor::new(ctx, at, inc_f, walk);
    cursor.limit = limit;
    let mut tail = cursor.set_base(first);
    let mut stopped = stop(&tail);
    let mut changes = vec![(from, tail.clone())];
    let mut k = from;
    while !stopped && k < limit {
        if cancel() {
            return None;
        }
        let (m, next) = cursor.advance(k);
        k += m;
        let Some(next) = next else { break };
        k += 1;
        if next != tail {
            stopped = stop(&next);
            changes.push((k, next.clone()));
            tail = next;
        }
    }
    Some(Chunk {
        changes,
        computed: cursor.computed,
        last: k,
        stopped,
    })
}
