//! The `portkey` command line, on this repository's catalogue ([`portkey::REPOSITORY`]).
//! The commands are [`portkey_cli::command`]; this file stays this small so that an app
//! edit links the binary without compiling anything but the catalogue.
//!
//! A debug build links the pipeline as one shared library (`portkey_dylib`): every crate
//! the catalogue and this file use comes from it, so an app edit links the catalogue and
//! this file against it in a few milliseconds instead of relinking a 60 MB executable. A
//! release build links everything statically (README, "The edit loop").

use std::process::ExitCode;

// Linking the shared library makes it the provider of every crate inside it.
#[cfg(debug_assertions)]
use portkey_dylib as _;

/// mimalloc (`crates/portkey-alloc`): measured faster than the system allocator on the
/// pipeline. A debug build takes the same one from the shared library.
#[cfg(not(debug_assertions))]
#[global_allocator]
static ALLOCATOR: portkey_alloc::Allocator = portkey_alloc::Allocator;

fn main() -> ExitCode {
    // Freed memory goes back to the system after 10 ms, not mimalloc v3's 1 s: a render's
    // peak resident set is then what it holds, not all it ever touched.
    portkey_alloc::tune();
    portkey::command::main(&portkey::REPOSITORY)
}
