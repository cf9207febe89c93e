//! Benchmark of the whole pipeline (resolve, check, compile, validate, serialize, write) on
//! the real catalogue and on N synthetic apps (N = 20, 200, 2000).
//!
//! Run with `cargo bench --bench render`; `cargo bench --bench render -- 2000 tmpfs` runs
//! only the measurements whose label holds every word given, and `--timings` adds the
//! pipeline stages of the in-memory runs. Targets (release, 2 cores): real catalogue
//! ≤ 20 ms, 2000 apps ≤ 250 ms, linear in N (the per-app column should stay flat).
//!
//! - "in memory": [`portkey::build_with`], what `render --check` compares.
//! - "written": [`portkey::render_into`], what `render` does, into a fresh temporary folder
//!   on tmpfs (`/dev/shm`, RAM-backed, what `/tmp` is on many systems) and on the project's
//!   disk (`target/tmp`). Creating 14,000 files costs a disk filesystem several times more
//!   kernel time than tmpfs; that share belongs to the filesystem, not to portkey.
//! - "the files alone": the same 14,037 files written by a bare writer, no rendering: the
//!   filesystem's floor, to subtract from "written".
//! - "re-rendered": into a folder holding the previous tree, after one app changed.
//! - "edit loop": an app file touched, then `cargo build` and `portkey render` in the dev
//!   profile, as `cargo run -- render` runs them (`benches/edit_loop.rs`).
//!
//! Nothing is deleted until every measurement is done: on ext4 without a journal, creating
//! files within a minute of deleting thousands makes the inode allocator skip every
//! recently deleted inode (`recently_deleted`), and the measurement would time that.

mod synthetic;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod edit_loop;

/// The allocator `portkey` (`src/main.rs`) runs with, so the bench times what users run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use portkey_model::app::App;
use portkey_model::cluster::Cluster;
use synthetic::synthetic;

/// The whole pipeline in memory: the apps plus the infrastructure charts.
fn build(cluster: &Cluster, apps: Vec<App>) -> portkey::Output {
    portkey::build_with(cluster, apps, portkey::charts()).expect("renders")
}

/// `portkey render`: the pipeline streaming into a staging directory, swapped in for `out`.
fn run(cluster: &Cluster, apps: Vec<App>, out: &Path) -> (usize, portkey::Timings) {
    let (output, report) =
        portkey::render_into(cluster, apps, portkey::charts(), out).expect("renders and writes");
    (report.files, output.timings)
}

/// One workload: a label, how to make its apps, and how many apps it has.
struct Workload {
    label: String,
    apps: Box<dyn Fn() -> Vec<App>>,
    per: usize,
}

fn workloads() -> Vec<Workload> {
    let mut out = vec![Workload {
        label: "real catalogue".into(),
        apps: Box::new(portkey::catalogue),
        per: portkey::catalogue().len(),
    }];
    for n in [20, 200, 2000] {
        out.push(Workload {
            label: format!("N={n}"),
            apps: Box::new(move || synthetic(n)),
            per: n,
        });
    }
    out
}

struct Bench {
    cluster: Cluster,
    iterations: usize,
    /// Every output folder, deleted only when the bench ends.
    keep: Vec<tempfile::TempDir>,
}

impl Bench {
    fn in_memory(&self, w: &Workload) {
        let label = format!("{}, in memory", w.label);
        if !selected(&label) {
            return;
        }
        let runs: Vec<(Duration, portkey::Timings)> = (0..self.iterations)
            .map(|_| {
                let input = (w.apps)();
                let start = Instant::now();
                let output = build(&self.cluster, input);
                (start.elapsed(), output.timings)
            })
            .collect();
        report(&label, 0, w.per, runs);
    }

    fn written(&mut self, w: &Workload, fs: &str, base: &Path) {
        let label = format!("{}, written ({fs})", w.label);
        if selected(&label) {
            self.render_into_folders(&label, w.per, base, |_, _| (w.apps)());
        }
    }

    /// Re-renders into a folder that holds the previous tree, after one app changed: what a
    /// Renovate bump or an edit costs. Unchanged files are linked, not rewritten.
    fn rerendered(&mut self, n: usize, fs: &str, base: &Path) {
        let label = format!("N={n}, re-rendered, 1 change ({fs})");
        if !selected(&label) {
            return;
        }
        let cluster = self.cluster.clone();
        self.render_into_folders(&label, n, base, |i, out| {
            run(&cluster, synthetic(n), out);
            let mut apps = synthetic(n);
            apps[i % n] = apps[i % n].clone().env("CHANGED", "yes");
            apps
        });
    }

    /// The filesystem's share: the same files written into a fresh folder by a bare writer
    /// (as many threads as `render` has writers, no rendering, no checks). Subtract it from
    /// "written" to see portkey's own cost on that filesystem.
    fn files_alone(&mut self, n: usize, fs: &str, base: &Path) {
        let label = format!("N={n}, the files alone ({fs})");
        if !selected(&label) {
            return;
        }
        let tree = build(&self.cluster, synthetic(n)).tree;
        let files: Vec<(&String, &String)> = tree.iter().collect();
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let mut runs = Vec::with_capacity(self.iterations);
        for _ in 0..self.iterations {
            let tmp = tempfile::tempdir_in(base).expect("tempdir");
            let out = tmp.path().join("generated");
            let start = Instant::now();
            std::thread::scope(|s| {
                for chunk in files.chunks(files.len().div_ceil(threads)) {
                    let out = &out;
                    s.spawn(move || {
                        let mut made = None;
                        for (rel, text) in chunk {
                            let path = out.join(rel);
                            let parent = path.parent().map(Path::to_path_buf);
                            if parent != made {
                                if let Some(p) = &parent {
                                    std::fs::create_dir_all(p).expect("mkdir");
                                }
                                made = parent;
                            }
                            std::fs::write(path, text).expect("write");
                        }
                    });
                }
            });
            runs.push((start.elapsed(), portkey::Timings::default()));
            self.keep.push(tmp);
        }
        report(&label, files.len(), n, runs);
    }

    /// Times `render` into a fresh folder per iteration; `prepare` (untimed) gets the
    /// iteration and the output path and returns the apps to render.
    fn render_into_folders(
        &mut self,
        label: &str,
        per: usize,
        base: &Path,
        prepare: impl Fn(usize, &Path) -> Vec<App>,
    ) {
        let mut runs = Vec::with_capacity(self.iterations);
        let mut files = 0;
        for i in 0..self.iterations {
            let tmp = tempfile::tempdir_in(base).expect("tempdir");
            let out = tmp.path().join("generated");
            let apps = prepare(i, &out);
            let start = Instant::now();
            let (count, timings) = run(&self.cluster, apps, &out);
            runs.push((start.elapsed(), timings));
            files = count;
            self.keep.push(tmp);
        }
        report(label, files, per, runs);
    }
}

/// Prints the median and minimum of the runs, the median per app, and with `--timings` the
/// stages of the median run.
fn report(label: &str, files: usize, per: usize, mut runs: Vec<(Duration, portkey::Timings)>) {
    runs.sort_by_key(|(t, _)| *t);
    let (median, stages) = &runs[runs.len() / 2];
    let ms = median.as_secs_f64() * 1e3;
    #[allow(clippy::cast_precision_loss)]
    let per_app = ms * 1e3 / per as f64;
    println!(
        "{label:<38} {files:>6} files  median {ms:>8.2} ms  min {:>8.2} ms  {per_app:>7.1} µs/app",
        runs[0].0.as_secs_f64() * 1e3
    );
    if std::env::args().any(|a| a == "--timings") {
        print!("{}", stages.table());
    }
}

/// Where the "written" runs put their trees: tmpfs where the machine has one, then the
/// project's disk.
fn folders() -> Vec<(&'static str, PathBuf)> {
    let mut out = Vec::new();
    let shm = Path::new("/dev/shm");
    if tempfile::tempdir_in(shm).is_ok() {
        out.push(("tmpfs", shm.to_path_buf()));
    }
    out.push(("disk", PathBuf::from(env!("CARGO_TARGET_TMPDIR"))));
    out
}

/// Whether a measurement runs: every word given on the command line is in its label.
fn selected(label: &str) -> bool {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .all(|word| label.contains(&word))
}

fn main() {
    // `cargo test --benches` runs this with `--bench`-less args; keep it quick then.
    let quick = std::env::args().any(|a| a == "--test");
    let mut bench = Bench {
        cluster: portkey::cluster::portkey(),
        iterations: if quick { 1 } else { 9 },
        keep: Vec::new(),
    };
    let workloads = workloads();
    // In memory first, then tmpfs, then disk: each disk run leaves the kernel writing back
    // thousands of files for a while, which would slow whatever is measured next.
    for w in &workloads {
        bench.in_memory(w);
    }
    for (fs, base) in folders() {
        for w in &workloads {
            bench.written(w, fs, &base);
        }
        bench.files_alone(2000, fs, &base);
    }
    for (fs, base) in folders() {
        bench.rerendered(2000, fs, &base);
    }
    // Last: it runs `cargo build` in the dev profile, which would disturb the figures above.
    // Not in `--test` mode (a nested cargo inside `cargo test --benches`).
    if !quick
        && selected("edit loop")
        && let Err(e) = edit_loop::measure(5)
    {
        println!("edit loop: not measured: {e}");
    }
}
