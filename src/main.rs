//! The `portkey` command line, on this repository's catalogue. The commands are
//! [`portkey_cli::command`]; this file compiles the catalogue (`src/catalogue.rs`) itself.
//!
//! A debug build links the pipeline as one shared library (`portkey_dylib`), so an app
//! edit recompiles the catalogue and links it in a few milliseconds instead of relinking a
//! 60 MB executable; a release build links it statically (README, "The edit loop").

#![allow(missing_docs)]

use std::process::ExitCode;

// The catalogue names the pipeline's crates through these (`crate::portkey_model`).
#[cfg(not(debug_assertions))]
use portkey_cli::{Repository, command, portkey_compile, portkey_model, serde_json};
#[cfg(debug_assertions)]
use portkey_dylib::{Repository, command, portkey_compile, portkey_model, serde_json};

include!("catalogue.rs");

/// See `Cargo.toml`: measured faster than the system allocator on the pipeline. A debug
/// build takes the same one from the shared library.
#[cfg(not(debug_assertions))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    command::main(&REPOSITORY)
}
