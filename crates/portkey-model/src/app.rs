//! The app model: one value per app, built with intent-named methods.
//!
//! Each method's documentation says what it compiles to. Values are checked when the
//! catalogue is resolved ([`crate::resolve()`]), which reports every problem with the app and
//! the field that caused it.

use crate::backup::Backup;
pub use crate::backup::BackupChoice;
use crate::cluster::{AccessMode, DeviceRef, GpuVendor, NfsShareRef, NodeRef, StorageClassRef};
use crate::quantity::{Cpu, Memory};

/// A namespace apps are grouped into (a "stack"). Declare namespaces as constants beside the
/// inventory so apps of one stack cannot disagree on its spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Namespace(&'static str);

impl Namespace {
    /// Declares a namespace.
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }
    /// Its name.
    pub const fn name(self) -> &'static str {
        self.0
    }
}

/// One app: a workload with its storage, placement, exposure and backups.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct App {
    /// App name: the workload, Service and ArgoCD Application name.
    pub name: String,
    /// Namespace it runs in.
    pub namespace: Namespace,
    /// The file that declared it (`apps/jellyfin.rs`), for headers and errors.
    pub source: String,
    /// Short description for documents.
    pub description: String,
    /// Deployment or StatefulSet.
    pub workload: Workload,
    /// Container image reference `registry/repo:tag[@sha256:digest]`.
    pub image: String,
    /// Container command override.
    pub command: Vec<String>,
    /// Container arguments.
    pub args: Vec<String>,
    /// Ports; the first is the primary port (probes, HTTPS exposure).
    pub ports: Vec<Port>,
    /// Environment, in declaration order.
    pub env: Vec<Env>,
    /// CPU and memory; unset fields take the cluster defaults.
    pub resources: Resources,
    /// Health probes; unset probes default to TCP on the primary port.
    pub probes: Probes,
    /// Security context and its declared exceptions.
    pub security: Security,
    /// Volumes, in mount order.
    pub volumes: Vec<Volume>,
    /// Files mounted from a generated ConfigMap.
    pub config_files: Vec<ConfigFile>,
    /// A GPU the app needs.
    pub gpu: Option<GpuVendor>,
    /// Devices the app needs (pins it to the node that holds each).
    pub devices: Vec<DeviceRef>,
    /// Explicit placement on nodes, with the reason.
    pub pin: Option<(Vec<NodeRef>, String)>,
    /// HTTPS exposure through an Ingress with a cert-manager certificate.
    pub https: Option<Https>,
    /// How the Service is exposed.
    pub service: ServiceExposure,
    /// Apps this one depends on.
    pub dependencies: Vec<Dependency>,
    /// Why losing this app's data is unacceptable (makes retention checks stricter).
    pub critical: Option<String>,
    /// Extra annotations on the workload (escape hatch).
    pub annotations: Vec<(String, String)>,
    /// Builder methods used out of order (field, problem), reported at resolution.
    pub misuse: Vec<(String, String)>,
    /// Lints suppressed for this app, with the reason.
    pub lint_exceptions: Vec<(Lint, String)>,
    /// Overrides of the Argo CD sync policy defaults (automated, prune, self-heal).
    pub sync: SyncOverrides,
}

/// Per-app overrides of the sync policy defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct SyncOverrides {
    /// `automated.prune` (default true).
    pub prune: Option<bool>,
    /// `automated.selfHeal` (default true).
    pub self_heal: Option<bool>,
}

/// Workload kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Workload {
    /// A Deployment (Recreate strategy when it mounts a ReadWriteOnce volume).
    Deployment,
    /// A StatefulSet (databases).
    StatefulSet,
}

/// A container port, exposed by the app's Service on the same number.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Port {
    /// Port name (≤ 15 characters).
    pub name: String,
    /// Port number.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Also reachable from the LAN.
    pub lan: bool,
}

/// Transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Port {
    /// An HTTP port named `http`.
    pub fn http(port: u16) -> Self {
        Self::tcp("http", port)
    }
    /// A named TCP port.
    pub fn tcp(name: &str, port: u16) -> Self {
        Self {
            name: name.into(),
            port,
            protocol: Protocol::Tcp,
            lan: false,
        }
    }
    /// Makes this port (only) reachable from the LAN: it is also served by a second Service
    /// `<app>-lan` of type `LoadBalancer` with `externalTrafficPolicy: Local` (torrent peers,
    /// while the web UI stays behind the ingress).
    pub fn lan(mut self) -> Self {
        self.lan = true;
        self
    }
    /// A named UDP port.
    pub fn udp(name: &str, port: u16) -> Self {
        Self {
            name: name.into(),
            port,
            protocol: Protocol::Udp,
            lan: false,
        }
    }
}

/// An environment variable: a plain value or a reference to a Secret key. There is no way
/// to put a secret value in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Env {
    /// Variable name.
    pub name: String,
    /// Where the value comes from.
    pub value: EnvValue,
}

/// The value of an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum EnvValue {
    /// A literal, non-secret value.
    Plain(String),
    /// `valueFrom.secretKeyRef`.
    Secret(SecretKey),
}

/// A key of an existing Secret in the app's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct SecretKey {
    /// Secret name.
    pub secret: String,
    /// Key within it.
    pub key: String,
}

/// Names a key of an existing Secret: `secret("vaultwarden", "ADMIN_TOKEN")`.
pub fn secret(secret: &str, key: &str) -> SecretKey {
    SecretKey {
        secret: secret.into(),
        key: key.into(),
    }
}

/// Requests and limits. `None` takes the cluster default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Resources {
    /// CPU request.
    pub cpu_request: Option<Cpu>,
    /// CPU limit (none by default: CPU limits throttle more than they protect in a home lab).
    pub cpu_limit: Option<Cpu>,
    /// Memory request.
    pub memory_request: Option<Memory>,
    /// Memory limit.
    pub memory_limit: Option<Memory>,
}

/// A health check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Probe {
    /// What is checked.
    pub check: ProbeCheck,
    /// `failureThreshold`, when not the Kubernetes default.
    pub failure_threshold: Option<u32>,
    /// `periodSeconds`, when not the Kubernetes default.
    pub period_seconds: Option<u32>,
    /// `Host` header of an HTTP probe (apps that answer only to their public name).
    pub host_header: Option<String>,
}

/// The action a probe performs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum ProbeCheck {
    /// `httpGet` of this path on the primary port.
    Http(String),
    /// `tcpSocket` on the primary port.
    Tcp,
    /// `exec` of this command.
    Exec(Vec<String>),
}

impl Probe {
    /// `httpGet` of `path` on the primary port.
    pub fn http(path: &str) -> Self {
        Self::of(ProbeCheck::Http(path.into()))
    }
    /// `tcpSocket` on the primary port.
    pub fn tcp() -> Self {
        Self::of(ProbeCheck::Tcp)
    }
    /// `exec` of a command.
    pub fn exec(command: &[&str]) -> Self {
        Self::of(ProbeCheck::Exec(
            command.iter().map(|s| (*s).to_string()).collect(),
        ))
    }
    fn of(check: ProbeCheck) -> Self {
        Self {
            check,
            failure_threshold: None,
            period_seconds: None,
            host_header: None,
        }
    }
    /// Sends this `Host` header with an HTTP probe (`httpHeaders`), for apps that reject
    /// requests addressed to the pod IP (Nextcloud's trusted domains).
    pub fn host(mut self, host: &str) -> Self {
        self.host_header = Some(host.into());
        self
    }
    /// Allows `failures × period` seconds (startup probes: slow first boots).
    pub fn allow(mut self, failures: u32, period_seconds: u32) -> Self {
        self.failure_threshold = Some(failures);
        self.period_seconds = Some(period_seconds);
        self
    }
}

/// The app's probes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Probes {
    /// Liveness probe.
    pub liveness: Option<Probe>,
    /// Readiness probe.
    pub readiness: Option<Probe>,
    /// Startup probe.
    pub startup: Option<Probe>,
    /// Probes deliberately left out, with the reason.
    pub disabled: Option<String>,
}

/// Pod and container security, secure by default. Every weakening carries a reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Security {
    /// UID (`None`: cluster default).
    pub uid: Option<i64>,
    /// GID and fsGroup (`None`: cluster default).
    pub gid: Option<i64>,
    /// Extra groups (`supplementalGroups`).
    pub supplemental_groups: Vec<i64>,
    /// Declared exceptions to the secure defaults.
    pub exceptions: Vec<(Exception, String)>,
}

/// An exception to the secure defaults (non-root, read-only root filesystem, no privilege
/// escalation, all capabilities dropped).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Exception {
    /// The image's init must start as root (it drops privileges itself).
    RunAsRoot,
    /// The image writes outside its volumes.
    WritableRootFilesystem,
    /// Keep one Linux capability.
    Capability(String),
}

impl Exception {
    /// Short key used in the annotation that records it (`run-as-root`).
    pub fn key(&self) -> String {
        match self {
            Exception::RunAsRoot => "run-as-root".into(),
            Exception::WritableRootFilesystem => "writable-root-filesystem".into(),
            Exception::Capability(c) => format!("capability-{}", c.to_ascii_lowercase()),
        }
    }
}

/// A policy lint that an app may suppress, with a reason (see `portkey_validate::lint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Lint {
    /// Images are pinned by tag and digest, never `latest`.
    ImageDigest,
    /// Every container has CPU and memory requests and a memory limit.
    Resources,
    /// Every app container has liveness and readiness probes.
    Probes,
}

impl Lint {
    /// Every lint that can be suppressed.
    pub const ALL: [Lint; 3] = [Lint::ImageDigest, Lint::Resources, Lint::Probes];

    /// The lint's id, as printed and as used in the `portkey.dev/lint-exception.<id>`
    /// annotation that records a suppression.
    pub const fn id(self) -> &'static str {
        match self {
            Lint::ImageDigest => "image-digest",
            Lint::Resources => "resources",
            Lint::Probes => "probes",
        }
    }
}

/// Annotation prefix recording a suppressed lint and its reason.
pub const LINT_EXCEPTION_PREFIX: &str = "portkey.dev/lint-exception.";
/// Annotation prefix recording a security exception and its reason.
pub const EXCEPTION_PREFIX: &str = "portkey.dev/exception.";

/// A volume mounted into the app's container.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Volume {
    /// Volume name; a claim is named `<app>-<name>`.
    pub name: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Where the data lives.
    pub source: VolumeSource,
    /// Builder methods applied to the wrong kind of volume (reported at resolution).
    pub misuse: Vec<String>,
}

/// Where a volume's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum VolumeSource {
    /// A PersistentVolumeClaim the app owns.
    Claim(Claim),
    /// An NFS export, optionally a sub-directory of it.
    Nfs {
        /// The share.
        share: NfsShareRef,
        /// Sub-directory of the export.
        sub_path: Option<String>,
    },
    /// Scratch space that lives as long as the pod.
    EmptyDir {
        /// Backed by memory (tmpfs).
        memory: bool,
        /// Size limit.
        size_limit: Option<Memory>,
    },
}

/// A PersistentVolumeClaim.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Claim {
    /// Requested size.
    pub size: Memory,
    /// Storage class (`None`: the cluster default).
    pub class: Option<StorageClassRef>,
    /// Access mode.
    pub access: AccessMode,
    /// Backed up, or why not.
    pub backup: BackupChoice,
}

impl Volume {
    /// A PersistentVolumeClaim `<app>-<name>` of `size` on the cluster's default storage
    /// class, ReadWriteOnce, mounted at `mount_path`.
    pub fn claim(name: &str, mount_path: &str, size: Memory) -> Self {
        Self::of(
            name,
            mount_path,
            VolumeSource::Claim(Claim {
                size,
                class: None,
                access: AccessMode::ReadWriteOnce,
                backup: BackupChoice::Undeclared,
            }),
        )
    }
    /// An NFS export mounted at `mount_path` (an inline `nfs` volume: no PV, no claim).
    pub fn nfs(name: &str, mount_path: &str, share: NfsShareRef) -> Self {
        Self::of(
            name,
            mount_path,
            VolumeSource::Nfs {
                share,
                sub_path: None,
            },
        )
    }
    /// An `emptyDir` scratch volume.
    pub fn scratch(name: &str, mount_path: &str) -> Self {
        Self::of(
            name,
            mount_path,
            VolumeSource::EmptyDir {
                memory: false,
                size_limit: None,
            },
        )
    }
    fn of(name: &str, mount_path: &str, source: VolumeSource) -> Self {
        Self {
            name: name.into(),
            mount_path: mount_path.into(),
            read_only: false,
            source,
            misuse: Vec::new(),
        }
    }
    /// Mounts read-only (`readOnly: true`).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
    /// Mounts a sub-directory of an NFS export (appended to the export path).
    pub fn sub_path(mut self, path: &str) -> Self {
        if let VolumeSource::Nfs { sub_path, .. } = &mut self.source {
            *sub_path = Some(path.into());
        } else {
            self.misuse
                .push("`.sub_path(..)` applies to NFS volumes only".into());
        }
        self
    }
    /// Puts a claim on another storage class (e.g. the Retain class for critical data).
    pub fn class(mut self, class: StorageClassRef) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.class = Some(class);
        } else {
            self.misuse
                .push("`.class(..)` applies to claims only".into());
        }
        self
    }
    /// Sets a claim's access mode.
    pub fn access(mut self, mode: AccessMode) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.access = mode;
        } else {
            self.misuse
                .push("`.access(..)` applies to claims only".into());
        }
        self
    }
    /// Backs the claim up with Volsync/restic: a ReplicationSource on the policy's schedule
    /// into the repository named by the `<app>-volsync-secret` Secret.
    pub fn backup(mut self, backup: Backup) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.backup = BackupChoice::Backup(backup);
        } else {
            self.misuse.push(
                "`.backup(..)` applies to claims only (NFS data is backed up on the NFS server)"
                    .into(),
            );
        }
        self
    }
    /// Declares that the claim is deliberately not backed up, and why.
    pub fn no_backup(mut self, reason: &str) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.backup = BackupChoice::Exempt(reason.into());
        } else {
            self.misuse
                .push("`.no_backup(..)` applies to claims only".into());
        }
        self
    }
    /// Backs an `emptyDir` with memory (`medium: Memory`) and caps it.
    pub fn in_memory(mut self, limit: Memory) -> Self {
        if let VolumeSource::EmptyDir { memory, size_limit } = &mut self.source {
            *memory = true;
            *size_limit = Some(limit);
        } else {
            self.misuse
                .push("`.in_memory(..)` applies to scratch volumes only".into());
        }
        self
    }
}

/// A file mounted from the app's ConfigMap `<app>-config`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct ConfigFile {
    /// Absolute path in the container; its file name is the ConfigMap key.
    pub path: String,
    /// File content (not secret).
    pub content: String,
}

/// HTTPS exposure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Https {
    /// Host label under the cluster domain (`vault` → `vault.<domain>`).
    pub host: String,
    /// Extra Ingress annotations (escape hatch: body size, timeouts).
    pub annotations: Vec<(String, String)>,
}

/// How the app's Service is reachable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum ServiceExposure {
    /// Inside the cluster only (`ClusterIP`).
    #[default]
    Cluster,
    /// On the LAN through a `LoadBalancer` Service with `externalTrafficPolicy: Local`
    /// (IoT clients, torrent peers).
    Lan,
}

/// A dependency on another app.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Dependency {
    /// The other app's name.
    pub app: String,
    /// Whether the app waits at start-up until the dependency's primary port answers.
    pub wait_at_startup: bool,
}

impl App {
    /// Starts an app named `name` in `namespace`, with the cluster's secure defaults.
    pub fn new(name: &str, namespace: Namespace) -> Self {
        Self {
            name: name.into(),
            namespace,
            source: String::new(),
            description: String::new(),
            workload: Workload::Deployment,
            image: String::new(),
            command: Vec::new(),
            args: Vec::new(),
            ports: Vec::new(),
            env: Vec::new(),
            resources: Resources::default(),
            probes: Probes::default(),
            security: Security::default(),
            volumes: vec![Volume::scratch("tmp", "/tmp")],
            config_files: Vec::new(),
            gpu: None,
            devices: Vec::new(),
            pin: None,
            https: None,
            service: ServiceExposure::Cluster,
            dependencies: Vec::new(),
            critical: None,
            annotations: Vec::new(),
            misuse: Vec::new(),
            lint_exceptions: Vec::new(),
            sync: SyncOverrides::default(),
        }
    }

    /// Records the declaring file (the registry sets it).
    pub fn source(mut self, path: &str) -> Self {
        self.source = path.into();
        self
    }
    /// One-line description, shown in documents.
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.into();
        self
    }
    /// The container image, `registry/repository:tag` optionally followed by
    /// `@sha256:<digest>`. Renovate updates this string in place.
    pub fn image(mut self, reference: &str) -> Self {
        self.image = reference.into();
        self
    }
    /// Compiles to a StatefulSet instead of a Deployment.
    pub fn stateful(mut self) -> Self {
        self.workload = Workload::StatefulSet;
        self
    }
    /// Overrides the image's entrypoint (`command`).
    pub fn command(mut self, command: &[&str]) -> Self {
        self.command = command.iter().map(|s| (*s).to_string()).collect();
        self
    }
    /// Container arguments (`args`).
    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|s| (*s).to_string()).collect();
        self
    }
    /// Adds a container port; the app's Service exposes it under the same name and number.
    pub fn port(mut self, port: Port) -> Self {
        self.ports.push(port);
        self
    }
    /// Sets a plain environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push(Env {
            name: name.into(),
            value: EnvValue::Plain(value.into()),
        });
        self
    }
    /// Sets an environment variable from a Secret key (`valueFrom.secretKeyRef`).
    pub fn env_secret(mut self, name: &str, key: SecretKey) -> Self {
        self.env.push(Env {
            name: name.into(),
            value: EnvValue::Secret(key),
        });
        self
    }
    /// CPU and memory requests (what the scheduler reserves).
    pub fn requests(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.resources.cpu_request = Some(cpu);
        self.resources.memory_request = Some(memory);
        self
    }
    /// Memory limit (the container is OOM-killed above it).
    pub fn memory_limit(mut self, memory: Memory) -> Self {
        self.resources.memory_limit = Some(memory);
        self
    }
    /// CPU limit (none by default).
    pub fn cpu_limit(mut self, cpu: Cpu) -> Self {
        self.resources.cpu_limit = Some(cpu);
        self
    }
    /// Uses `probe` as both liveness and readiness probe.
    pub fn probe(mut self, probe: Probe) -> Self {
        self.probes.liveness = Some(probe.clone());
        self.probes.readiness = Some(probe);
        self
    }
    /// Adds a startup probe (liveness waits until it passes).
    pub fn startup(mut self, probe: Probe) -> Self {
        self.probes.startup = Some(probe);
        self
    }
    /// Emits no probes, for this reason (the default is TCP on the primary port).
    pub fn no_probes(mut self, reason: &str) -> Self {
        self.probes.disabled = Some(reason.into());
        self
    }
    /// Runs as this UID, and this GID and fsGroup (default: the cluster's).
    pub fn run_as(mut self, uid: i64, gid: i64) -> Self {
        self.security.uid = Some(uid);
        self.security.gid = Some(gid);
        self
    }
    /// Adds supplemental groups.
    pub fn supplemental_groups(mut self, groups: &[i64]) -> Self {
        self.security.supplemental_groups.extend_from_slice(groups);
        self
    }
    /// Overrides Argo CD's automated pruning for this app (default on): objects removed from
    /// Git stay in the cluster until pruned by hand.
    pub fn prune(mut self, prune: bool) -> Self {
        self.sync.prune = Some(prune);
        self
    }
    /// Overrides Argo CD's self-heal for this app (default on): changes made in the cluster
    /// are no longer reverted.
    pub fn self_heal(mut self, heal: bool) -> Self {
        self.sync.self_heal = Some(heal);
        self
    }
    /// Suppresses a policy lint for this app, and says why; the reason is recorded on the
    /// workload as a `portkey.dev/lint-exception.<id>` annotation.
    pub fn allow_lint(mut self, lint: Lint, reason: &str) -> Self {
        self.lint_exceptions.push((lint, reason.into()));
        self
    }
    /// Declares an exception to the secure defaults, and why. It is recorded on the
    /// workload as a `portkey.dev/exception.<key>` annotation.
    pub fn allow(mut self, exception: Exception, reason: &str) -> Self {
        self.security.exceptions.push((exception, reason.into()));
        self
    }
    /// Adds a volume.
    pub fn volume(mut self, volume: Volume) -> Self {
        self.volumes.push(volume);
        self
    }
    /// Removes the default `/tmp` scratch volume.
    pub fn no_tmp(mut self) -> Self {
        self.volumes
            .retain(|v| !(v.name == "tmp" && v.mount_path == "/tmp"));
        self
    }
    /// Mounts `content` at `path` from the generated ConfigMap `<app>-config`.
    pub fn config_file(mut self, path: &str, content: &str) -> Self {
        self.config_files.push(ConfigFile {
            path: path.into(),
            content: content.into(),
        });
        self
    }
    /// Needs one GPU of this vendor: compiles to a limit on the GPU driver's resource
    /// (`gpu.intel.com/i915: 1`) and node affinity to the nodes that have such a GPU.
    pub fn gpu(mut self, vendor: GpuVendor) -> Self {
        self.gpu = Some(vendor);
        self
    }
    /// Needs a device: compiles to a request for the device's resource and node affinity to
    /// the node that holds it.
    pub fn needs(mut self, device: DeviceRef) -> Self {
        self.devices.push(device);
        self
    }
    /// Pins the app to these nodes (node affinity on `kubernetes.io/hostname`), and why.
    pub fn pin(mut self, nodes: &[NodeRef], reason: &str) -> Self {
        self.pin = Some((nodes.to_vec(), reason.into()));
        self
    }
    /// Exposes the primary port over HTTPS at `<host>.<domain>`: an Ingress with a
    /// cert-manager certificate from the cluster issuer.
    pub fn https(mut self, host: &str) -> Self {
        self.https = Some(Https {
            host: host.into(),
            annotations: Vec::new(),
        });
        self
    }
    /// Adds an annotation to the app's Ingress (requires [`App::https`]).
    pub fn ingress_annotation(mut self, key: &str, value: &str) -> Self {
        if let Some(h) = &mut self.https {
            h.annotations.push((key.into(), value.into()));
        } else {
            self.misuse.push((
                "ingress_annotation".into(),
                "`.ingress_annotation(..)` before `.https(..)` has no Ingress to annotate".into(),
            ));
        }
        self
    }
    /// Exposes the Service on the LAN (`LoadBalancer`, `externalTrafficPolicy: Local`).
    pub fn lan(mut self) -> Self {
        self.service = ServiceExposure::Lan;
        self
    }
    /// Declares a dependency on another app (ordering, documents).
    pub fn depends_on(mut self, app: &str) -> Self {
        self.dependencies.push(Dependency {
            app: app.into(),
            wait_at_startup: false,
        });
        self
    }
    /// Declares a dependency the app must wait for at start-up: an init container blocks
    /// until the other app's primary port accepts connections.
    pub fn waits_for(mut self, app: &str) -> Self {
        self.dependencies.push(Dependency {
            app: app.into(),
            wait_at_startup: true,
        });
        self
    }
    /// Marks the app's data as critical, and why: its claims must be on a Retain storage
    /// class, protected from ArgoCD pruning, and backed up.
    pub fn critical(mut self, reason: &str) -> Self {
        self.critical = Some(reason.into());
        self
    }
    /// Adds an annotation to the workload (escape hatch).
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }
}
