//! The edit loop, as a user lives it: an app file changes, then `cargo run -- render`.
//! Each iteration touches `apps/<first app>.rs` (its mtime only; the text is unchanged, so
//! the render writes the same tree) and times, in the dev profile the user runs:
//!
//! - `cargo build --bin portkey`: the catalogue package recompiled and the binary relinked
//!   (everything else is warm);
//! - `target/debug/portkey render --out <temporary folder>`: the render step itself, into a
//!   fresh folder so that `generated/` is never touched;
//! - their sum, the loop's figure.
//!
//! The first build (untimed) warms the dev profile, which a cold `target/debug` needs
//! once, however long; a bench that cannot run cargo (no `CARGO` in the environment, as
//! under `cargo test --benches` in some runners) says so and skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The figures of one iteration.
struct Lap {
    build: Duration,
    render: Duration,
}

/// The project root (this file is `benches/edit_loop.rs`).
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The first app file, in file order: the one the loop edits.
fn app_file(root: &Path) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("apps"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files.into_iter().next()
}

fn cargo_build(root: &Path, cargo: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--bin", "portkey"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if status.success() {
        Ok(start.elapsed())
    } else {
        Err(format!("`cargo build --bin portkey` failed: {status}"))
    }
}

fn render(root: &Path, out: &Path) -> Result<Duration, String> {
    let start = Instant::now();
    // `cargo bench` runs this bench with the release profile's `deps` on the library path,
    // where a release build of the shared library also lies: the debug binary would load
    // that one (the library path comes before its run-path) and find none of its symbols.
    // A user's shell has no such path; the binary finds its own library by its run-path.
    let output = Command::new(root.join("target/debug/portkey"))
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("DYLD_LIBRARY_PATH")
        .arg("render")
        .arg("--out")
        .arg(out)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run target/debug/portkey: {e}"))?;
    if output.status.success() {
        Ok(start.elapsed())
    } else {
        Err(format!(
            "`portkey render` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Touches the app file: a new mtime, the same bytes.
fn touch(file: &Path) -> Result<(), String> {
    let f = std::fs::File::options()
        .append(true)
        .open(file)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    f.set_modified(std::time::SystemTime::now())
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// Runs `iterations` laps and prints the medians; `Err` says why the step could not run.
pub fn measure(iterations: usize) -> Result<(), String> {
    let cargo = std::env::var("CARGO").map_err(|_| "CARGO is not set".to_string())?;
    let root = root();
    let file = app_file(&root).ok_or("apps/ holds no app file")?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    // Warm: the dev profile's dependencies, whatever state target/debug is in.
    cargo_build(&root, &cargo)?;
    let mut laps = Vec::with_capacity(iterations);
    for i in 0..iterations {
        touch(&file)?;
        let build = cargo_build(&root, &cargo)?;
        let render = render(&root, &tmp.path().join(format!("generated-{i}")))?;
        laps.push(Lap { build, render });
    }
    let median = |f: &dyn Fn(&Lap) -> Duration| {
        let mut v: Vec<Duration> = laps.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (build, render, total) = (
        median(&|l| l.build),
        median(&|l| l.render),
        median(&|l| l.build + l.render),
    );
    let rel = file.strip_prefix(&root).unwrap_or(&file).display();
    println!(
        "edit loop (touch {rel}, dev profile)   build {:>7.0} ms  render {:>6.0} ms  total {:>7.0} ms  (target: total ≤ 500 ms, render ≤ 50 ms)",
        ms(build),
        ms(render),
        ms(total)
    );
    Ok(())
}
