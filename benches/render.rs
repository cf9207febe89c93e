//! Benchmark of the whole pipeline (resolve, check, compile, validate, serialize, write) on
//! the real catalogue and on N synthetic apps (N = 20, 200, 2000, 20,000), each figure beside the
//! floors measured in the same run, and the ratio.
//!
//! Run with `cargo bench --bench render`; `cargo bench --bench render -- 2000 tmpfs` runs
//! only the measurements whose label holds every word given, and `--timings` adds the
//! pipeline stages of the median runs after the table. Targets (release, 2 cores): real
//! catalogue ≤ 20 ms, 2000 apps ≤ 250 ms, linear in N (the per-app column should stay
//! flat), and at or below 1.0× the serde_yaml floor in memory and on tmpfs.
//!
//! - "in memory": [`portkey::build_with`], what `render --check` compares.
//! - "written": [`portkey::render_into`], what `render` does, into a fresh temporary folder
//!   on tmpfs (`/dev/shm`, RAM-backed, what `/tmp` is on many systems) and on the project's
//!   disk (`target/tmp`). Creating 14,000 files costs a disk filesystem several times more
//!   kernel time than tmpfs; that share belongs to the filesystem, not to portkey.
//! - "re-rendered": into a folder holding the previous tree, after one app changed.
//! - "edit loop": an app file touched, then `cargo build` and `portkey render` in the dev
//!   profile, as `cargo run -- render` runs them (`benches/edit_loop.rs`).
//!
//! The floors, one column each (the table: `table.rs`):
//! - "serde_yaml floor": serde_yaml serializing the same objects on one thread, nothing
//!   else (`floor.rs`); its runs alternate with the in-memory runs, so both see the same
//!   machine. Every row of a workload is compared with it.
//! - "files alone": the same files written into a fresh folder on the same filesystem by a
//!   bare writer, no rendering: the filesystem's floor. Its runs alternate with the written
//!   runs; written and re-rendered rows are compared with it.
//!
//! Nothing on disk is deleted until every measurement is done: on ext4 without a journal,
//! creating files within a minute of deleting thousands makes the inode allocator skip
//! every recently deleted inode (`recently_deleted`), and the measurement would time that.
//! tmpfs has no such allocator (and a limited inode count): its folders go after each run.

mod floor;
mod synthetic;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod edit_loop;

/// The allocator `portkey` (`src/main.rs`) runs with, so the bench times what users run.
#[global_allocator]
static ALLOCATOR: portkey_alloc::Allocator = portkey_alloc::Allocator;

use portkey_model::app::App;
use portkey_model::cluster::Cluster;
use synthetic::synthetic;
use table::{Row, Runs};

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

/// One workload: a label, how to make its apps, how many apps it has, and the inventory
/// that places them.
struct Workload {
    label: String,
    apps: Box<dyn Fn() -> Vec<App>>,
    per: usize,
    cluster: Cluster,
    /// How many runs each of its measurements (and their floors) makes.
    iterations: usize,
    /// Whether it is also re-rendered after one change (N = 2000).
    rerender: bool,
}

impl Workload {
    /// The label of each row this workload can have, given the filesystems.
    fn labels(&self, filesystems: &[(&str, PathBuf)]) -> Vec<String> {
        let mut out = vec![format!("{}, in memory", self.label)];
        for (fs, _) in filesystems {
            out.push(format!("{}, written ({fs})", self.label));
            if self.rerender {
                out.push(rerendered_label(&self.label, fs));
            }
        }
        out
    }
}

fn rerendered_label(workload: &str, fs: &str) -> String {
    format!("{workload}, re-rendered, 1 change ({fs})")
}

/// The real catalogue and the synthetic sizes, on an inventory that places them
/// ([`synthetic::cluster`]: the real one up to N = 2000); test mode keeps to the small ones,
/// one run each. N = 20,000 makes 5 runs per measurement (its disk ones keep 140,000 files
/// each until the end), the others 9.
fn workloads(quick: bool) -> Vec<Workload> {
    let runs = |n: usize| match (quick, n) {
        (true, _) => 1,
        (false, 20_000) => 5,
        (false, _) => 9,
    };
    let mut out = vec![Workload {
        label: "real catalogue".into(),
        apps: Box::new(portkey::catalogue),
        per: portkey::catalogue().len(),
        cluster: portkey::cluster::portkey(),
        iterations: runs(0),
        rerender: false,
    }];
    let sizes: &[usize] = if quick {
        &[20]
    } else {
        &[20, 200, 2000, 20_000]
    };
    for &n in sizes {
        out.push(Workload {
            label: format!("N={n}"),
            apps: Box::new(move || synthetic(n)),
            per: n,
            cluster: synthetic::cluster(n),
            iterations: runs(n),
            rerender: n == 2000 || quick,
        });
    }
    out
}

/// What the in-memory pass keeps of a workload for the written ones.
struct Prepared {
    /// The rendered tree: what the bare writer writes.
    tree: portkey_render::Tree,
    /// serde_yaml serializing the tree's objects on one thread.
    serde_yaml: Runs,
}

struct Bench {
    /// Test mode: one iteration, and the floor's output is checked against the tree.
    quick: bool,
    /// Every output folder on disk, deleted only when the bench ends.
    keep: Vec<tempfile::TempDir>,
    /// The stages of each row's median run, printed after the table with `--timings`.
    stages: Vec<(String, portkey::Timings)>,
}

impl Bench {
    /// In memory, each run followed by a run of the serde_yaml floor on the same objects.
    /// The floor is measured whenever any row of the workload is selected.
    fn in_memory(&mut self, w: &Workload, filesystems: &[(&str, PathBuf)]) -> Option<Prepared> {
        if !w.labels(filesystems).iter().any(|l| selected(l)) {
            return None;
        }
        let label = format!("{}, in memory", w.label);
        let measure = selected(&label);
        // Untimed: the tree, and the objects it holds for the floor.
        let tree = build(&w.cluster, (w.apps)()).tree;
        let objects = floor::Objects::of(&tree);
        let (mut ours, mut stages, mut floor) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..w.iterations {
            if measure {
                let input = (w.apps)();
                let start = Instant::now();
                let output = build(&w.cluster, input);
                ours.push(start.elapsed());
                stages.push(output.timings);
            }
            let start = Instant::now();
            let strings = floor::serialize(&objects);
            floor.push(start.elapsed());
            assert_eq!(strings.len(), objects.len());
            if self.quick {
                floor::check(&tree, &strings);
            }
        }
        let serde_yaml = Runs::new(floor);
        if measure {
            self.row(
                &label,
                tree.len(),
                w.per,
                ours,
                stages,
                Some(&serde_yaml),
                None,
            );
        }
        Some(Prepared { tree, serde_yaml })
    }

    /// Written into a fresh folder on `fs`, each run followed by the bare writer writing the
    /// same files into another fresh folder there. Returns the bare writer's runs, which
    /// are measured whenever any row of the workload on `fs` is selected.
    fn written(&mut self, w: &Workload, p: &Prepared, fs: &str, base: &Path) -> Option<Runs> {
        let label = format!("{}, written ({fs})", w.label);
        let measure = selected(&label);
        let rerendered = w.rerender && selected(&rerendered_label(&w.label, fs));
        if !measure && !rerendered {
            return None;
        }
        let files: Vec<(&String, &String)> = p.tree.iter().collect();
        let (mut ours, mut stages, mut alone) = (Vec::new(), Vec::new(), Vec::new());
        let mut count = 0;
        for _ in 0..w.iterations {
            if measure {
                let apps = (w.apps)();
                let tmp = tempfile::tempdir_in(base).expect("tempdir");
                let start = Instant::now();
                let (n, timings) = run(&w.cluster, apps, &tmp.path().join("generated"));
                ours.push(start.elapsed());
                stages.push(timings);
                count = n;
                self.retire(tmp, fs);
            }
            let tmp = tempfile::tempdir_in(base).expect("tempdir");
            let start = Instant::now();
            write_files(&files, &tmp.path().join("generated"));
            alone.push(start.elapsed());
            self.retire(tmp, fs);
        }
        let alone = Runs::new(alone);
        if measure {
            let floor = Some(&p.serde_yaml);
            self.row(&label, count, w.per, ours, stages, floor, Some(&alone));
        }
        Some(alone)
    }

    /// Re-renders into a folder that holds the previous tree, after one app changed: what a
    /// Renovate bump or an edit costs. Unchanged files are linked, not rewritten.
    fn rerendered(&mut self, w: &Workload, p: &Prepared, alone: &Runs, fs: &str, base: &Path) {
        let label = rerendered_label(&w.label, fs);
        if !selected(&label) {
            return;
        }
        let (mut ours, mut stages) = (Vec::new(), Vec::new());
        let mut count = 0;
        for i in 0..w.iterations {
            let tmp = tempfile::tempdir_in(base).expect("tempdir");
            let out = tmp.path().join("generated");
            // Untimed: the previous tree, and the apps with one change.
            run(&w.cluster, (w.apps)(), &out);
            let mut apps = (w.apps)();
            let one = i % apps.len();
            apps[one] = apps[one].clone().env("CHANGED", "yes");
            let start = Instant::now();
            let (n, timings) = run(&w.cluster, apps, &out);
            ours.push(start.elapsed());
            stages.push(timings);
            count = n;
            self.retire(tmp, fs);
        }
        let floor = Some(&p.serde_yaml);
        self.row(&label, count, w.per, ours, stages, floor, Some(alone));
    }

    /// A folder is done with: kept until the end on disk (see the module docs), removed now
    /// on tmpfs.
    fn retire(&mut self, folder: tempfile::TempDir, fs: &str) {
        if fs == "disk" {
            self.keep.push(folder);
        }
    }

    /// Prints the row, and keeps the stages of its median run for `--timings`.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        label: &str,
        files: usize,
        apps: usize,
        runs: Vec<Duration>,
        mut stages: Vec<portkey::Timings>,
        serde_yaml: Option<&Runs>,
        files_alone: Option<&Runs>,
    ) {
        let median = Runs::median_index(&runs);
        self.stages
            .push((label.to_string(), stages.swap_remove(median)));
        let portkey = Runs::new(runs);
        let row = Row {
            label,
            files,
            apps,
            portkey: &portkey,
            serde_yaml,
            files_alone,
        };
        println!("{}", row.line());
    }
}

/// The bare writer: `files` under `out`, on as many threads as `render` has writers, no
/// rendering and no checks.
fn write_files(files: &[(&String, &String)], out: &Path) {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    std::thread::scope(|s| {
        for chunk in files.chunks(files.len().div_ceil(threads)) {
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

/// The machine's load average (1, 5, 15 minutes), where the system shows it: other work on
/// the machine is the main source of noise, so the bench prints it before and after.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn main() {
    // The purge delay the CLI runs with (crates/portkey-alloc).
    portkey_alloc::tune();
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing (and a `--test`
    // may be given by hand): one iteration of the small workloads then, and the floor's
    // output checked once.
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench");
    let mut bench = Bench {
        quick,
        keep: Vec::new(),
        stages: Vec::new(),
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!(
        "{cores} cores, load average {}; × = portkey's median ÷ the floor's median, from as \
         many runs, alternating with portkey's",
        load(),
    );
    println!("{}", table::header());
    let workloads = workloads(quick);
    let filesystems = folders();
    // In memory first, then tmpfs, then disk: each disk run leaves the kernel writing back
    // thousands of files for a while, which would slow whatever is measured next.
    let prepared: Vec<Option<Prepared>> = workloads
        .iter()
        .map(|w| bench.in_memory(w, &filesystems))
        .collect();
    let mut alone: BTreeMap<(&str, &str), Runs> = BTreeMap::new();
    for (fs, base) in &filesystems {
        for (w, p) in workloads.iter().zip(&prepared) {
            if let Some(runs) = p.as_ref().and_then(|p| bench.written(w, p, fs, base)) {
                alone.insert((fs, &w.label), runs);
            }
        }
    }
    for (fs, base) in &filesystems {
        for (w, p) in workloads.iter().zip(&prepared) {
            if let (true, Some(p), Some(alone)) = (w.rerender, p, alone.get(&(*fs, &*w.label))) {
                bench.rerendered(w, p, alone, fs, base);
            }
        }
    }
    // Last of the measurements: it runs `cargo build` in the dev profile, which would disturb the figures above.
    // Not in quick mode (a nested cargo inside `cargo test --benches`).
    if !quick
        && selected("edit loop")
        && let Err(e) = edit_loop::measure(5)
    {
        println!("edit loop: not measured: {e}");
    }
    println!("load average at the end {}", load());
    if std::env::args().any(|a| a == "--timings") {
        for (label, stages) in &bench.stages {
            println!("\n{label}\n{}", stages.table());
        }
    }
}
