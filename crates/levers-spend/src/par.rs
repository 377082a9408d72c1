//! Data parallelism for the analysis without a thread-pool dependency: an order-preserving parallel
//! map over a slice and a split of a slice into one contiguous chunk per worker, both on scoped
//! standard threads (no IO, no shared mutable state; results are the same as the serial ones).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this many items a map runs on the calling thread (spawning costs more than it saves).
const MIN_PARALLEL: usize = 4096;
/// Items a worker takes at a time: small enough to balance uneven work (a fuzzy match costs far
/// more than an ID lookup), large enough that the shared counter is rarely touched.
const BLOCK: usize = 512;

/// How many workers to use: the machine's available parallelism, at most 8.
pub fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8)
}

/// `items.iter().map(f).collect()`, computed by several threads that take blocks of items in turn.
/// The output is in input order. A panic in `f` is re-raised on the caller's thread.
pub fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let n = workers().min(items.len() / MIN_PARALLEL).max(1);
    if n == 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let blocks = items.len().div_ceil(BLOCK);
    let mut done: Vec<(usize, Vec<U>)> = std::thread::scope(|s| {
        let work = || {
            let mut mine = Vec::new();
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= blocks {
                    return mine;
                }
                let part = &items[b * BLOCK..((b + 1) * BLOCK).min(items.len())];
                mine.push((b, part.iter().map(&f).collect::<Vec<U>>()));
            }
        };
        let handles: Vec<_> = (1..n).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in handles {
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    done.sort_unstable_by_key(|(b, _)| *b);
    let mut out = Vec::with_capacity(items.len());
    for (_, v) in done {
        out.extend(v);
    }
    out
}

/// Runs `f` on one contiguous chunk of `items` per worker (the chunk's offset passed along), in
/// parallel, and returns the results in chunk order; small inputs get one chunk on this thread.
pub fn chunks<T: Sync, U: Send>(items: &[T], f: impl Fn(usize, &[T]) -> U + Sync) -> Vec<U> {
    let n = workers().min(items.len() / MIN_PARALLEL).max(1);
    if n == 1 {
        return vec![f(0, items)];
    }
    let size = items.len().div_ceil(n);
    std::thread::scope(|s| {
        let f = &f;
        let mut parts = items.chunks(size).enumerate();
        let (_, first) = parts.next().unwrap_or((0, &[]));
        let handles: Vec<_> = parts
            .map(|(i, c)| s.spawn(move || f(i * size, c)))
            .collect();
        let mut out = vec![f(0, first)];
        for h in handles {
            out.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

/// Runs two closures at once and returns both results.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if workers() == 1 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let hb = s.spawn(b);
        let ra = a();
        (
            ra,
            hb.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_order_and_matches_serial() {
        let v: Vec<u64> = (0..50_000).collect();
        let par = map(&v, |x| x * x + 1);
        let ser: Vec<u64> = v.iter().map(|x| x * x + 1).collect();
        assert_eq!(par, ser);
        assert_eq!(map(&v[..3], |x| *x), vec![0, 1, 2]);
        assert!(map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn chunks_cover_every_item_once_with_offsets() {
        let v: Vec<u64> = (0..100_003).collect();
        let parts = chunks(&v, |off, c| {
            assert_eq!(c.first().copied(), Some(off as u64));
            (c.len(), c.iter().sum::<u64>())
        });
        assert_eq!(parts.iter().map(|p| p.0).sum::<usize>(), v.len());
        assert_eq!(
            parts.iter().map(|p| p.1).sum::<u64>(),
            v.iter().sum::<u64>()
        );
        assert_eq!(chunks(&v[..10], |off, c| (off, c.len())), vec![(0, 10)]);
    }

    #[test]
    fn join_runs_both() {
        assert_eq!(join(|| 1, || "two"), (1, "two"));
    }
}
