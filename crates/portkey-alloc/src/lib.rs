//! The allocator portkey runs with, and the one option it changes.
//!
//! [`Allocator`] is mimalloc: the pipeline allocates millions of small strings and maps,
//! and mimalloc renders about 15% faster than glibc's malloc (`benches/render.rs`). The
//! release binary (`src/main.rs`), the debug binary's shared library
//! (`crates/portkey-dylib`) and the benches declare it as their global allocator and call
//! [`tune`] first thing in `main`.
//!
//! mimalloc v3 returns freed memory to the system ("purges" it) only after it has been
//! unused for 1,000 ms, against 10 ms in v2 (and in v3's own header comment): a render of
//! 2,000 apps lasts about 0.2 s, so in effect nothing it freed was ever returned, and its
//! peak resident set counted every page it had ever touched. [`tune`] sets the delay back
//! to [`PURGE_DELAY_MS`]: the N = 2,000 `render --check` peak falls from 58–62 to
//! 52–53 MiB, N = 20,000 from 263–273 to 257–259 MiB, no slower (README, "Memory").

use std::ffi::{c_int, c_long};

/// The global allocator: `#[global_allocator] static A: portkey_alloc::Allocator =
/// portkey_alloc::Allocator;`.
pub use mimalloc::MiMalloc as Allocator;

/// How long freed memory stays with the process before mimalloc returns it, in
/// milliseconds. 0 (at once) lowered the peak by another 1–2 MB but made N = 20,000 about
/// 15% slower; 1 ms about 4% slower; 100 ms kept 1–5 MB more.
pub const PURGE_DELAY_MS: c_long = 10;

/// What a user sets to choose the delay themselves (mimalloc reads it when it starts);
/// [`tune`] then leaves it alone.
pub const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (`include/mimalloc.h`; v2 put
/// another option there). libmimalloc-sys names only v2's options, so the index is
/// written here, and `the_index_is_mimalloc_v3s_purge_delay` holds it to v3's default.
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// Sets mimalloc's purge delay to [`PURGE_DELAY_MS`], unless [`PURGE_DELAY_VARIABLE`] is
/// set. Call it at the start of `main`, before the pipeline's threads start; it changes
/// only when freed memory goes back to the system, never what is allocated.
pub fn tune() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_none() {
        set_purge_delay(PURGE_DELAY_MS);
    }
}

/// The purge delay now, in milliseconds.
#[allow(unsafe_code)]
pub fn purge_delay() -> c_long {
    // SAFETY: `mi_option_get` reads one entry of mimalloc's option table by index; any
    // index below `_mi_option_last` is valid, and the option table is initialized on first
    // use. It has no other precondition.
    unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
}

#[allow(unsafe_code)]
fn set_purge_delay(ms: c_long) {
    // SAFETY: `mi_option_set` stores one value in mimalloc's option table (a plain store
    // of a `long`, read later when memory is purged); the index is valid (see
    // `MI_OPTION_PURGE_DELAY`). It has no other precondition.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One test, so no other thread changes the option between its steps.
    #[test]
    fn the_index_is_mimalloc_v3s_purge_delay_and_tune_sets_it() {
        let user = std::env::var(PURGE_DELAY_VARIABLE).ok();
        // v3's default for purge_delay (options.c), which no neighbouring option shares:
        // an upgrade that moves the option, or a v2 build, fails here.
        let expected_default = user.as_deref().map_or(1000, |v| v.parse().unwrap_or(1000));
        assert_eq!(purge_delay(), expected_default);
        tune();
        let expected = user.map_or(PURGE_DELAY_MS, |_| expected_default);
        assert_eq!(purge_delay(), expected);
        // And the option is really written.
        set_purge_delay(expected + 1);
        assert_eq!(purge_delay(), expected + 1);
        set_purge_delay(expected);
    }
}
