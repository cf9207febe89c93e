//! Test-only inventory and helpers shared by the integration tests.
//!
//! The inventory is deliberately small and different from the real one (other node, class
//! and share names), so tests prove that apps are resolved against the cluster they are
//! given, not against constants baked into the pipeline.

use portkey::portkey_compile::{self, Manifest};
use portkey::portkey_model::app::{App, Namespace};
use portkey::portkey_model::cluster::{
    AccessMode, AlertSettings, AppDefaults, BackupSettings, CapacityThresholds, Cluster, Device,
    DeviceAccess, DevicePlugins, DeviceRef, GitSource, Gpu, GpuDriver, GpuVendor, Hardware, Host,
    IngressSettings, NfsShare, NfsShareRef, Node, NodeKind, NodeRef, NodeRole, Reclaim,
    StorageClass, StorageClassRef,
};
use portkey::portkey_model::network::{AcmeChallenge, HostReach, LoadBalancer};
use portkey::portkey_model::quantity::{Cpu, Memory};
use portkey::portkey_model::{self, ModelError};
use portkey::portkey_render::Tree;

/// No hardware.
pub const NODE_A: NodeRef = NodeRef::new("node-a");
/// Intel i915 GPU (render group 44).
pub const NODE_B: NodeRef = NodeRef::new("node-b");
/// Holds the USB dongle [`DONGLE`].
pub const NODE_C: NodeRef = NodeRef::new("node-c");
/// Not in the inventory.
pub const NODE_GHOST: NodeRef = NodeRef::new("node-ghost");

/// A USB dongle on node-c, granted through a device plugin.
pub const DONGLE: DeviceRef = DeviceRef::new("usb-dongle");
/// The extended resource the dongle's device plugin advertises.
pub const DONGLE_RESOURCE: &str = "example.com/usb-dongle";
/// Not attached to any node.
pub const MISSING_DEVICE: DeviceRef = DeviceRef::new("missing-device");

/// Ceph-like RWO class with snapshots, reclaim Delete (the default class).
pub const FAST: StorageClassRef = StorageClassRef::new("fast-rwo");
/// The same with reclaim Retain.
pub const KEEP: StorageClassRef = StorageClassRef::new("keep-rwo");
/// Not in the inventory.
pub const NO_SUCH_CLASS: StorageClassRef = StorageClassRef::new("no-such-class");

/// `10.0.0.5:/export/media`.
pub const MEDIA_SHARE: NfsShareRef = NfsShareRef::new("media");
/// Not in the inventory.
pub const MISSING_SHARE: NfsShareRef = NfsShareRef::new("missing-share");

/// The namespace test apps use.
pub const LAB: Namespace = Namespace::new("lab");
/// A second namespace.
pub const TOOLS: Namespace = Namespace::new("tools");

pub const DOMAIN: &str = "lab.example.org";
pub const CLUSTER_ISSUER: &str = "test-issuer";
pub const NFS_SERVER: &str = "10.0.0.5";
pub const NFS_PATH: &str = "/export/media";
pub const GPU_RESOURCE: &str = "gpu.intel.com/i915";
pub const RENDER_GID: i64 = 44;
/// Test images carry (made-up, well-formed) digests: the image-digest lint is on.
pub const WAIT_IMAGE: &str = "docker.io/library/busybox:1.37.0@sha256:1111111111111111111111111111111111111111111111111111111111111111";
/// A valid image for test apps.
pub const IMAGE: &str = "docker.io/library/nginx:1.27.0@sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn node(name: NodeRef, hardware: Vec<Hardware>) -> Node {
    Node {
        name: name.name().into(),
        role: NodeRole::Worker,
        cpu: Cpu::cores(4),
        memory: Memory::gi(16),
        host: Host {
            name: format!("host-{}", name.name()),
            cpu_model: "Test CPU".into(),
        },
        kind: NodeKind::Vm,
        labels: hardware
            .iter()
            .filter(|h| matches!(h, Hardware::Gpu(_)))
            .map(|_| (GPU_LABEL.0.to_string(), GPU_LABEL.1.to_string()))
            .collect(),
        hardware,
    }
}

/// The label the GPU nodes of the test inventory carry.
pub const GPU_LABEL: (&str, &str) = ("example.com/gpu", "true");

fn class(name: StorageClassRef, reclaim: Reclaim) -> StorageClass {
    StorageClass {
        name: name.name().into(),
        provisioner: "rbd.csi.example.com".into(),
        reclaim,
        access_modes: vec![AccessMode::ReadWriteOnce],
        snapshots: true,
        managed: true,
        parameters: vec![("pool".into(), "test".into())],
        capacity: Some(Memory::ti(1)),
    }
}

/// The test inventory's load-balancer pool.
pub const LB_POOL: &str = "lab-pool";
/// Its addresses.
pub const LB_ADDRESSES: &str = "10.0.0.240-10.0.0.250";

/// The test inventory: three nodes (plain, GPU, dongle), a Delete and a Retain RWO class
/// with snapshots, one NFS share.
pub fn test_cluster() -> Cluster {
    Cluster {
        source: "cluster.rs".into(),
        name: "test".into(),
        domain: DOMAIN.into(),
        git: GitSource {
            repo_url: "https://git.example.org/lab.git".into(),
            revision: "main".into(),
        },
        nodes: vec![
            node(NODE_A, vec![]),
            node(
                NODE_B,
                vec![Hardware::Gpu(Gpu {
                    vendor: GpuVendor::Intel,
                    driver: GpuDriver::I915,
                    model: "Intel UHD".into(),
                    render_gid: Some(RENDER_GID),
                    integrated: true,
                })],
            ),
            node(
                NODE_C,
                vec![Hardware::Device(Device {
                    id: DONGLE.name().into(),
                    description: "USB dongle".into(),
                    host_path: "/dev/ttyUSB0".into(),
                    serial_adapter: None,
                    access: DeviceAccess::Plugin {
                        resource: DONGLE_RESOURCE.into(),
                    },
                })],
            ),
        ],
        planned_nodes: Vec::new(),
        namespaces: Vec::new(),
        storage_classes: vec![class(FAST, Reclaim::Delete), class(KEEP, Reclaim::Retain)],
        default_storage_class: FAST,
        nfs_shares: vec![NfsShare {
            name: MEDIA_SHARE.name().into(),
            server: NFS_SERVER.into(),
            path: NFS_PATH.into(),
        }],
        ingress: IngressSettings {
            class: "traefik".into(),
            cluster_issuer: CLUSTER_ISSUER.into(),
            acme_server: "https://acme-staging-v02.api.letsencrypt.org/directory".into(),
            acme_email: "ops@lab.example.org".into(),
            challenge: AcmeChallenge::Http01,
            reach: HostReach::Internet,
        },
        load_balancer: Some(LoadBalancer::MetalLbL2 {
            pool: LB_POOL.into(),
            addresses: LB_ADDRESSES.into(),
        }),
        backup: BackupSettings {
            volume_snapshot_class: "test-snapclass".into(),
            snapshot_driver: "rbd.csi.example.com".into(),
            snapshot_parameters: vec![("clusterID".into(), "test".into())],
            cache_capacity: Memory::gi(1),
            prune_interval_days: 14,
            secret_store: None,
        },
        device_plugins: DevicePlugins {
            gpu_shared_dev_num: 2,
            intel_gpu_label: (GPU_LABEL.0.into(), GPU_LABEL.1.into()),
            generic_device_plugin_image: "ghcr.io/squat/generic-device-plugin:0.2.0@sha256:3333333333333333333333333333333333333333333333333333333333333333"
                .into(),
            amd_gpu_device_plugin_image: "docker.io/rocm/k8s-device-plugin:1.31.0.11@sha256:4444444444444444444444444444444444444444444444444444444444444444"
                .into(),
            intel_gpu_plugin_image: "docker.io/intel/intel-gpu-plugin:0.36.0@sha256:5555555555555555555555555555555555555555555555555555555555555555"
                .into(),
        },
        lint_exceptions: Vec::new(),
        capacity: CapacityThresholds {
            memory_limit_warn_percent: 90,
        },
        alerts: AlertSettings {
            namespace: "monitoring".into(),
            route_label: ("receiver".into(), "test".into()),
        },
        defaults: AppDefaults {
            uid: 1000,
            gid: 1000,
            cpu_request: Cpu::m(10),
            memory_request: Memory::mi(128),
            memory_limit: Memory::mi(512),
            timezone: "Etc/UTC".into(),
            wait_image: WAIT_IMAGE.into(),
        },
        cni: portkey::portkey_model::cluster::Cni {
            name: "calico".into(),
            enforces_network_policy: true,
        },
        lan_cidr: "192.168.0.0/24".into(),
    }
}

/// A minimal valid app in [`LAB`]: image, one HTTP port, declared source file.
pub fn app(name: &str) -> App {
    App::new(name, LAB)
        .source(&format!("apps/{name}.rs"))
        .image(IMAGE)
        .port(portkey::portkey_model::app::Port::http(8080))
}

/// Renders `apps` against the test inventory; panics with every model problem.
pub fn render(apps: Vec<App>) -> Tree {
    let cluster = test_cluster();
    match portkey::render(&cluster, apps) {
        Ok(tree) => tree,
        Err(e) => panic!("rendering the test apps failed:\n{e}"),
    }
}

/// Resolves and compiles `apps` against the test inventory (typed objects, for semantic
/// assertions that do not depend on YAML formatting).
pub fn compile(apps: Vec<App>) -> Vec<Manifest> {
    let cluster = test_cluster();
    let catalogue = portkey_model::resolve(&cluster, apps)
        .unwrap_or_else(|e| panic!("resolving the test apps failed:\n{e}"));
    portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"))
}

/// The object of `kind` named `name` as JSON (panics with the list of objects if absent).
pub fn object(manifests: &[Manifest], kind: &str, name: &str) -> serde_json::Value {
    let m = manifests
        .iter()
        .find(|m| m.object.kind() == kind && m.object.name() == name)
        .unwrap_or_else(|| {
            let have: Vec<String> = manifests.iter().map(Manifest::path).collect();
            panic!("no {kind} named {name}; objects: {have:#?}")
        });
    serde_json::to_value(&m.object).expect("objects serialize to JSON")
}

/// Whether an object of `kind` named `name` was compiled.
pub fn has_object(manifests: &[Manifest], kind: &str, name: &str) -> bool {
    manifests
        .iter()
        .any(|m| m.object.kind() == kind && m.object.name() == name)
}

/// The first container of a workload's pod template.
pub fn main_container(workload: &serde_json::Value) -> &serde_json::Value {
    &workload["spec"]["template"]["spec"]["containers"][0]
}

/// The `kubernetes.io/hostname In [...]` values of a workload's required node affinity.
pub fn affinity_nodes(workload: &serde_json::Value) -> Option<Vec<String>> {
    let terms = workload
        .pointer("/spec/template/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")?
        .as_array()?;
    assert_eq!(terms.len(), 1, "one node selector term expected: {terms:?}");
    let exprs = terms[0]["matchExpressions"].as_array()?;
    let host = exprs
        .iter()
        .find(|e| e["key"] == "kubernetes.io/hostname")
        .expect("a kubernetes.io/hostname expression");
    assert_eq!(host["operator"], "In");
    Some(
        host["values"]
            .as_array()?
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect(),
    )
}

/// Concatenates the files of one app's directory (`<namespace>/<app>/`), each preceded by
/// a `=== path` line: a readable review artifact for snapshots.
pub fn app_files(tree: &Tree, namespace: Namespace, app: &str) -> String {
    let prefix = format!("{}/{app}/", namespace.name());
    let mut out = String::new();
    for (path, text) in tree.range(prefix.clone()..) {
        if !path.starts_with(&prefix) {
            break;
        }
        out.push_str("=== ");
        out.push_str(path);
        out.push('\n');
        out.push_str(text);
    }
    assert!(
        !out.is_empty(),
        "no files under {prefix}; tree: {:#?}",
        tree.keys()
    );
    out
}

/// Resolves `apps` expecting failure; returns every problem.
pub fn problems(apps: Vec<App>) -> Vec<ModelError> {
    let cluster = test_cluster();
    match portkey_model::resolve(&cluster, apps) {
        Ok(c) => panic!(
            "expected model problems, but resolution succeeded for {:?}",
            c.apps.iter().map(|a| &a.app.name).collect::<Vec<_>>()
        ),
        Err(e) => e.0,
    }
}

/// Runs the built `portkey` binary in `cwd`.
pub fn run_cli(args: &[&str], cwd: &std::path::Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run the portkey binary")
}

/// Program output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Finds the problem on `app`'s `field` among `all` and checks what the user reads: the
/// problem mentions every string of `mentions`, a fix is given (and differs from the
/// problem), and the message names the app, the field, the file and the fix.
pub fn find_problem(all: &[ModelError], app: &str, field: &str, mentions: &[&str]) -> ModelError {
    let e = all
        .iter()
        .find(|e| e.app == app && e.field == field)
        .unwrap_or_else(|| panic!("no problem for app `{app}`, field `{field}`; got:\n{all:#?}"))
        .clone();
    for m in mentions {
        assert!(
            e.problem.contains(m),
            "problem should mention {m:?}: {e:#?}"
        );
    }
    assert!(!e.fix.trim().is_empty(), "no fix given: {e:#?}");
    assert_ne!(
        e.fix.trim(),
        e.problem.trim(),
        "the fix repeats the problem: {e:#?}"
    );
    let shown = e.to_string();
    assert!(
        shown.contains(&format!("`{app}`")),
        "message does not name the app: {shown}"
    );
    assert!(
        shown.contains(&format!("`{field}`")),
        "message does not name the field: {shown}"
    );
    assert!(
        shown.contains(&e.fix) && shown.contains("fix"),
        "message does not say how to fix it: {shown}"
    );
    if !e.file.is_empty() {
        assert!(
            shown.contains(&e.file),
            "message does not name the file: {shown}"
        );
    }
    e
}

/// The repository's root (the root package's manifest directory).
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The outside tool the variable names, or `name` found on PATH; panics when there is
/// neither (the ignored tests fail, never skip, when a tool is missing).
pub fn tool(var: &str, name: &str) -> std::path::PathBuf {
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let path = std::path::PathBuf::from(path);
        assert!(path.is_file(), "{var}={} is not a file", path.display());
        return path;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("needs {name}: set {var} or put it on PATH (.ci/run does)"))
}

/// A Bitwarden Secrets Manager store for the tests: the restic S3 keys from the store.
pub fn test_secret_store() -> portkey::portkey_model::cluster::SecretStore {
    use portkey::portkey_model::secret_store::{BitwardenSecretsManager, SecretProvider};
    portkey::portkey_model::cluster::SecretStore {
        name: "bitwarden".into(),
        cluster_wide: true,
        password_key: "restic-password".into(),
        repository_prefix: "s3:https://s3.example.org/restic".into(),
        backend_keys: vec![
            (
                "AWS_ACCESS_KEY_ID".into(),
                "restic/AWS_ACCESS_KEY_ID".into(),
            ),
            (
                "AWS_SECRET_ACCESS_KEY".into(),
                "restic/AWS_SECRET_ACCESS_KEY".into(),
            ),
        ],
        provider: SecretProvider::BitwardenSecretsManager(BitwardenSecretsManager::cloud(
            "org-id",
            "project-id",
        )),
    }
}
