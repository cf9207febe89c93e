//! Order-preserving data parallelism over slices with scoped threads (no extra dependency).

/// Maps `f` over `items` in contiguous chunks on up to `available_parallelism` threads and
/// concatenates the results in input order, so output stays deterministic.
pub fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // Below a few hundred items a thread costs more than it saves.
    if threads < 2 || items.len() < 256 {
        return f(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || f(part)))
            .collect();
        let mut out = Vec::new();
        for h in handles {
            out.extend(h.join().expect("worker thread panicked"));
        }
        out
    })
}
