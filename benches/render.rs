//! Benchmark of the whole pipeline (resolve, compile, serialize, write) on the real catalogue
//! and on N synthetic apps (N = 20, 200, 2000), each written into a fresh temporary folder.
//!
//! Run with `cargo bench --bench render`. Targets (release, 2 cores): real catalogue ≤ 20 ms,
//! 2000 apps ≤ 250 ms, linear in N (the per-app column should stay flat).

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
                .requests(Cpu::m(10), Memory::mi(64))
                .memory_limit(Memory::mi(256))
                .volume(Volume::claim("config", "/config", Memory::gi(1)).backup(Backup::daily()))
                .https(&format!("app-{i:05}"));
            if i % 3 == 0 {
                app = app.volume(Volume::nfs("media", "/media", NFS_PLEX).read_only());
            }
            if i % 10 == 0 {
                app = app.gpu(GpuVendor::Intel);
            }
            app
        })
        .collect()
}

fn run(cluster: &Cluster, apps: Vec<App>, out: &Path) -> usize {
    let tree = portkey::render(cluster, apps).expect("renders");
    let n = tree.len();
    portkey_render::write_tree(&tree, out).expect("writes");
    n
}

fn measure(label: &str, apps: &dyn Fn() -> Vec<App>, iterations: usize, per: usize) {
    let cluster = portkey::cluster::portkey();
    let mut times: Vec<Duration> = Vec::with_capacity(iterations);
    let mut files = 0;
    for _ in 0..iterations {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("generated");
        let input = apps();
        let start = Instant::now();
        files = run(&cluster, input, &out);
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let ms = median.as_secs_f64() * 1e3;
    #[allow(clippy::cast_precision_loss)]
    let per_app = ms * 1e3 / per as f64;
    println!(
        "{label:<22} {files:>6} files  median {ms:>8.2} ms  min {:>8.2} ms  {per_app:>7.1} µs/app",
        times[0].as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo test --benches` runs this with `--bench`-less args; keep it quick then.
    let quick = std::env::args().any(|a| a == "--test");
    let iterations = if quick { 1 } else { 15 };
    let real = portkey::catalogue().len();
    measure("real catalogue", &portkey::catalogue, iterations, real);
    for n in [20, 200, 2000] {
        measure(&format!("synthetic N={n}"), &|| synthetic(n), iterations, n);
    }
}
