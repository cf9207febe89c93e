//! Benchmark of the whole pipeline (resolve, compile, serialize, write) on the real catalogue
//! and on N synthetic apps (N = 20, 200, 2000), each written into a fresh temporary folder.
//!
//! Run with `cargo bench --bench render`. Targets (release, 2 cores): real catalogue ≤ 20 ms,
//! 2000 apps ≤ 250 ms, linear in N (the per-app column should stay flat). "in memory" is
//! resolve + compile + serialize; "written" adds the atomic write of the tree to disk.

use std::path::Path;
use std::time::{Duration, Instant};

use portkey::prelude::*;
use portkey_model::app::App;
use portkey_model::cluster::Cluster;

fn synthetic(n: usize) -> Vec<App> {
    let namespaces = [MEDIA, HOME, PAPERLESS, NEXTCLOUD];
    (0..n)
        .map(|i| {
            let mut app = App::new(&format!("app-{i:05}"), namespaces[i % namespaces.len()])
                .source("benches/render.rs")
                .image(&format!("ghcr.io/example/app-{}:1.{}.0", i % 50, i % 7))
                .port(Port::http(8080))
                .env("TZ", TIMEZONE)
                .env_secret("TOKEN", secret(&format!("app-{i:05}"), "TOKEN"))
                .probe(Probe::http("/health"))
                // Small enough that 2000 apps fit the three real nodes (the plan checks).
                .requests(Cpu::m(2), Memory::mi(16))
                .memory_limit(Memory::mi(64))
                .volume(Volume::claim("config", "/config", Memory::gi(1)).backup(Backup::daily()))
                .https(&format!("app-{i:05}"));
            if i % 3 == 0 {
                app = app.volume(Volume::nfs("media", "/media", NFS_PLEX).read_only());
            }
            // The two N100 GPUs offer 4 shared slots each (sharedDevNum): 8 GPU apps fit.
            if i % 10 == 0 && i < 80 {
                app = app.gpu(GpuVendor::Intel);
            }
            app
        })
        .collect()
}

/// The whole pipeline as `portkey render` runs it: the apps plus the infrastructure charts.
fn render(cluster: &Cluster, apps: Vec<App>) -> portkey_render::Tree {
    portkey::build_with(cluster, apps, portkey::charts())
        .expect("renders")
        .tree
}

fn run(cluster: &Cluster, apps: Vec<App>, out: &Path) -> usize {
    let tree = render(cluster, apps);
    let n = tree.len();
    portkey_render::write_tree(&tree, out).expect("writes");
    n
}

fn measure_in_memory(label: &str, apps: &dyn Fn() -> Vec<App>, iterations: usize, per: usize) {
    let cluster = portkey::cluster::portkey();
    let mut times: Vec<Duration> = (0..iterations)
        .map(|_| {
            let input = apps();
            let start = Instant::now();
            let tree = render(&cluster, input);
            let t = start.elapsed();
            drop(tree);
            t
        })
        .collect();
    times.sort();
    report(label, 0, &times, per);
}

fn report(label: &str, files: usize, times: &[Duration], per: usize) {
    let median = times[times.len() / 2];
    let ms = median.as_secs_f64() * 1e3;
    #[allow(clippy::cast_precision_loss)]
    let per_app = ms * 1e3 / per as f64;
    println!(
        "{label:<30} {files:>6} files  median {ms:>8.2} ms  min {:>8.2} ms  {per_app:>7.1} µs/app",
        times[0].as_secs_f64() * 1e3
    );
}

fn measure(label: &str, apps: &dyn Fn() -> Vec<App>, iterations: usize, per: usize) {
    let cluster = portkey::cluster::portkey();
    let mut times: Vec<Duration> = Vec::with_capacity(iterations);
    let mut files = 0;
    // Outputs are deleted only after timing: deleting thousands of files just before
    // creating thousands more makes ext4's inode allocator (recently_deleted) crawl, which
    // measures the filesystem, not portkey.
    let mut keep = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
        let out = tmp.path().join("generated");
        let input = apps();
        let start = Instant::now();
        files = run(&cluster, input, &out);
        times.push(start.elapsed());
        keep.push(tmp);
    }
    drop(keep);
    times.sort();
    report(label, files, &times, per);
}

/// Re-renders into a folder that holds the previous tree, after one app changed: what a
/// Renovate bump or an edit costs. Unchanged files are linked, not rewritten.
fn measure_rerender(n: usize, iterations: usize) {
    let cluster = portkey::cluster::portkey();
    let mut times = Vec::with_capacity(iterations);
    let mut keep = Vec::with_capacity(iterations);
    let mut files = 0;
    for i in 0..iterations {
        let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
        let out = tmp.path().join("generated");
        run(&cluster, synthetic(n), &out);
        let mut apps = synthetic(n);
        apps[i % n] = apps[i % n].clone().env("CHANGED", "yes");
        let start = Instant::now();
        files = run(&cluster, apps, &out);
        times.push(start.elapsed());
        keep.push(tmp);
    }
    drop(keep);
    times.sort();
    report(&format!("N={n}, re-rendered, 1 change"), files, &times, n);
}

fn main() {
    // `cargo test --benches` runs this with `--bench`-less args; keep it quick then.
    let quick = std::env::args().any(|a| a == "--test");
    let iterations = if quick { 1 } else { 9 };
    let real = portkey::catalogue().len();
    measure_in_memory(
        "real catalogue, in memory",
        &portkey::catalogue,
        iterations,
        real,
    );
    measure(
        "real catalogue, written",
        &portkey::catalogue,
        iterations,
        real,
    );
    for n in [20, 200, 2000] {
        measure_in_memory(
            &format!("N={n}, in memory"),
            &|| synthetic(n),
            iterations,
            n,
        );
        measure(&format!("N={n}, written"), &|| synthetic(n), iterations, n);
    }
    measure_rerender(2000, iterations.min(5));
}
