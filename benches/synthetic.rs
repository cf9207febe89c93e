//! The synthetic catalogue the benches render: N generated apps, and an inventory large
//! enough to place them.
//!
//! Used by `benches/render.rs` and `benches/memory.rs` (`mod synthetic;`).

use portkey::prelude::*;
use portkey_model::app::App;
use portkey_model::cluster::{Cluster, Host, Node, NodeKind, NodeRole};

/// Each synthetic app's requests, what placement adds up (`NodeUsage::fits` in
/// `crates/portkey-model/src/analysis.rs`: CPU and memory requests and the extended
/// resources; pods per node are not modelled).
const CPU_REQUEST_M: u64 = 2;
const MEMORY_REQUEST_MI: u64 = 16;

/// An extra node's allocatable CPU (cores) and memory (GiB).
const EXTRA_CORES: u64 = 16;
const EXTRA_GIB: u64 = 64;

/// `n` generated apps spread over four namespaces, each with a port, an environment
/// variable, a secret, a probe, a backed-up claim and an HTTPS host; a third of them mount
/// an NFS share and the first eight take an Intel GPU slot.
pub fn synthetic(n: usize) -> Vec<App> {
    let namespaces = [MEDIA, HOME, PAPERLESS, NEXTCLOUD];
    (0..n)
        .map(|i| {
            let mut app = App::new(&format!("app-{i:05}"), namespaces[i % namespaces.len()])
                .source("benches/synthetic.rs")
                .image(&format!("ghcr.io/example/app-{}:1.{}.0", i % 50, i % 7))
                .port(Port::http(8080))
                .env("TZ", TIMEZONE)
                .env_secret("TOKEN", secret(&format!("app-{i:05}"), "TOKEN"))
                .probe(Probe::http("/health"))
                // Small: 2000 apps fit the three real nodes; `cluster(n)` adds nodes beyond.
                .requests(Cpu::m(CPU_REQUEST_M), Memory::mi(MEMORY_REQUEST_MI))
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

/// The real inventory ([`portkey::cluster::portkey`]) plus as many plain worker nodes
/// (16 cores, 64 GiB, no GPU or device) as `synthetic(n)` needs for its requests to fit
/// with a quarter to spare: none up to N = 2000 (the real inventory), five at N = 20,000.
/// GPU apps are capped at eight, which the real N100s hold.
pub fn cluster(n: usize) -> Cluster {
    let mut cluster = portkey::cluster::portkey();
    let n = n as u64;
    // In MiB and millicores, with 25% headroom over the apps' requests.
    let memory_needed = n * MEMORY_REQUEST_MI * 5 / 4;
    let cpu_needed = n * CPU_REQUEST_M * 5 / 4;
    let memory_have: u64 = cluster.nodes.iter().map(|x| x.memory.bytes() >> 20).sum();
    let cpu_have: u64 = cluster.nodes.iter().map(|x| x.cpu.millicores()).sum();
    let extra = memory_needed
        .saturating_sub(memory_have)
        .div_ceil(EXTRA_GIB * 1024)
        .max(
            cpu_needed
                .saturating_sub(cpu_have)
                .div_ceil(EXTRA_CORES * 1000),
        );
    for i in 0..extra {
        cluster.nodes.push(Node {
            name: format!("bench{i:03}"),
            role: NodeRole::Worker,
            cpu: Cpu::cores(EXTRA_CORES),
            memory: Memory::gi(EXTRA_GIB),
            host: Host {
                name: format!("bench-host{i:03}"),
                cpu_model: "synthetic".into(),
            },
            kind: NodeKind::Vm,
            hardware: Vec::new(),
            labels: Vec::new(),
        });
    }
    cluster
}
