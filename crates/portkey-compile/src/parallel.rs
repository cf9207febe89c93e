//! Order-preserving data parallelism over slices with scoped threads (no extra dependency).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Maps `f` over `items` in small blocks on up to `available_parallelism` threads and
/// concatenates the results in input order, so output stays deterministic.
///
/// Threads take the next block as they finish one (no fixed split), so a thread slowed by
/// a big item or by other work on its core does not leave the others idle at the end.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // Below a few hundred items a thread costs more than it saves.
    if threads < 2 || items.len() < 256 {
        return f(items);
    }
    // About 16 blocks per thread: small enough to balance, big enough to amortize.
    let block = items.len().div_ceil(threads * 16).max(1);
    let blocks: Vec<&[T]> = items.chunks(block).collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|s| {
        let work = || {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(part) = blocks.get(i) else {
                    return mine;
                };
                mine.push((i, f(part)));
            }
        };
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            // Invariant: a worker panics only on a bug; re-raise it here.
            all.extend(h.join().expect("worker thread panicked"));
        }
        all
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::map_chunks;

    #[test]
    fn keeps_input_order_across_blocks() {
        let items: Vec<usize> = (0..5000).collect();
        let out = map_chunks(&items, |part| part.iter().map(|i| i * 2).collect());
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn small_inputs_run_inline() {
        let out = map_chunks(&[1, 2, 3], <[i32]>::to_vec);
        assert_eq!(out, vec![1, 2, 3]);
    }
}
