//! The `portkey` command line, on this repository's catalogue ([`portkey::REPOSITORY`]).
//! The commands are [`portkey_cli::command`]; this file stays this small so that an app
//! edit relinks the binary without compiling anything but the catalogue.

use std::process::ExitCode;

/// See `Cargo.toml`: measured faster than the system allocator on the pipeline.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    portkey::command::main(&portkey::REPOSITORY)
}
