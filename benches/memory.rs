//! One workload per process, for measuring its peak memory (`/usr/bin/time -f %M`, the
//! maximum resident set in KiB) and its wall time.
//!
//! `memory <N> <check|render|memory> [DIR]` runs, on `synthetic(N)` apps, the real charts and
//! `synthetic::cluster(N)`:
//! - `render`: what `portkey render --out DIR` runs (`portkey::cli::render::execute`), into
//!   DIR (give a fresh folder to measure a first render);
//! - `check`: what `portkey render --check --out DIR` runs, against DIR (render it first);
//! - `memory`: the in-memory pipeline, [`portkey::build_with`] (the whole tree in memory),
//!   printing its stages' times as `render --timings` does.
//!
//! DIR defaults to `target/tmp/memory-<N>`. The program prints the outcome, the file count
//! and the wall time of the workload on stderr. For example:
//!
//! ```sh
//! cargo build --benches          # debug; heap use is the same as release
//! bin=$(ls -t target/debug/deps/memory-* | grep -v '\.d$' | head -1)
//! rm -rf /tmp/m && /usr/bin/time -f '%M KiB %e s' $bin 2000 render /tmp/m
//! /usr/bin/time -f '%M KiB %e s' $bin 2000 check /tmp/m
//! ```
//!
//! `cargo bench --bench memory -- 2000 check` runs the same, optimized. Without arguments
//! (`cargo test --benches`) it runs N = 20 in memory.

mod synthetic;

use std::path::PathBuf;
use std::time::Instant;

/// The allocator `portkey` (src/main.rs) runs with, so the peak is what users see.
#[global_allocator]
static ALLOCATOR: portkey_alloc::Allocator = portkey_alloc::Allocator;

fn main() {
    // The purge delay the CLI runs with (crates/portkey-alloc).
    portkey_alloc::tune();
    // As `portkey` runs: a render drops the validators it is done with.
    portkey::release_validators_when_done();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args
        .first()
        .map_or(20, |a| a.parse().expect("N is a number"));
    let mode = args.get(1).map_or("memory", String::as_str);
    let dir = args.get(2).map_or_else(
        || PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("memory-{n}")),
        PathBuf::from,
    );
    let cluster = synthetic::cluster(n);
    let apps = synthetic::synthetic(n);
    let charts = portkey::charts();
    let start = Instant::now();
    let outcome = match mode {
        "memory" => {
            let output = portkey::build_with(&cluster, apps, charts).expect("renders");
            // Where the time went, as `render --timings` prints it.
            eprint!("{}", output.timings.table());
            format!("built {} files in memory", output.tree.len())
        }
        "render" | "check" => {
            let run = portkey::cli::render::execute(&cluster, apps, charts, mode == "check", &dir);
            let status = run.status();
            match run.outcome {
                portkey::cli::render::Outcome::Written { files, .. }
                | portkey::cli::render::Outcome::Checked { files, .. } => {
                    format!("{mode} {}: {status}, {files} files", dir.display())
                }
                portkey::cli::render::Outcome::Failed(e) => panic!("{mode} failed: {e}"),
            }
        }
        other => panic!("unknown workload `{other}`: check, render or memory"),
    };
    eprintln!("N={n} {outcome} in {:.2} s", start.elapsed().as_secs_f64());
    eprintln!("{}", resident());
}

/// The peak and the current resident set, split into anonymous memory (the heap, the
/// stacks) and file pages (mostly the binary's own code, which a debug build has much
/// more of), from `/proc/self/status` (Linux).
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .filter(|l| {
            ["VmHWM", "RssAnon", "RssFile"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}
