//! [`portkey_cli`], whole, as one Rust `dylib`.
//!
//! The debug `portkey` binary (`src/main.rs`, `cfg(debug_assertions)`) links this instead
//! of the static crates, so that an app edit recompiles the catalogue and links it against
//! one shared library, instead of relinking the pipeline and every dependency into a 60 MB
//! executable. Release builds link [`portkey_cli`] statically and never load this.

pub use portkey_cli::*;

/// The CLI's allocator (`crates/portkey-alloc`). It is declared here, in the shared
/// library, so that the library and the binary over it allocate and free with the same one.
#[global_allocator]
static ALLOCATOR: portkey_alloc::Allocator = portkey_alloc::Allocator;
