//! The app model: one value per app, built with intent-named methods.
//!
//! Each method's documentation says what it compiles to. Values are checked when the
//! catalogue is resolved ([`crate::resolve()`]), which reports every problem with the app and
//! the field that caused it.
//!
//! The builder is split by concern: the container ([`Port`], [`Env`], [`Probe`],
//! [`Exception`]), its volumes ([`Volume`]), and its exposure, dependencies and placement.

mod connections;
mod container;
mod exposure;
mod jobs;
mod metrics;
mod volumes;

pub use crate::backup::BackupChoice;
pub use crate::lint::{LINT_EXCEPTION_PREFIX, Lint};
pub use connections::{Connection, PortRef};
pub use container::{
    EXCEPTION_PREFIX, Env, EnvValue, Exception, Port, Probe, ProbeCheck, Probes, Protocol,
    Resources, SecretKey, Security, secret,
};
pub use exposure::{Dependency, Https, ServiceExposure};
pub use jobs::{BackgroundJob, HEARTBEAT};
pub use metrics::Metrics;
pub use volumes::{
    Claim, ClaimVolume, ConfigFile, NfsIsBackedUpOnItsServer, NfsMount, NfsVolume, Scratch,
    ScratchVolume, ScratchVolumesHoldNoData, SecretFile, Volume, VolumeOf, VolumeSource,
};

use crate::cluster::{DeviceRef, GpuVendor, NodeRef};

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
    /// Files mounted from keys of Secrets created outside Git.
    pub secret_files: Vec<SecretFile>,
    /// Commands run on an interval beside the app (sidecar loops).
    pub background_jobs: Vec<BackgroundJob>,
    /// A GPU the app needs.
    pub gpu: Option<GpuVendor>,
    /// Devices the app needs (pins it to the node that holds each).
    pub devices: Vec<DeviceRef>,
    /// Explicit placement on nodes, with the reason.
    pub pin: Option<Box<(Vec<NodeRef>, String)>>,
    /// HTTPS exposure through an Ingress with a cert-manager certificate.
    pub https: Option<Https>,
    /// How the Service is exposed.
    pub service: ServiceExposure,
    /// The fixed LAN address of the app's LAN Service (its `LoadBalancer` Service), from the
    /// inventory's load-balancer pool.
    pub lan_address: Option<String>,
    /// Apps this one depends on.
    pub dependencies: Vec<Dependency>,
    /// Connections to other apps that no dependency implies.
    pub talks_to: Vec<Connection>,
    /// Why the app needs the internet, when it does.
    pub egress_internet: Option<String>,
    /// Why the app's LAN ports accept the internet too (a router forwards them), when they do.
    pub ingress_internet: Option<String>,
    /// The Prometheus metrics it serves, when it does.
    pub metrics: Option<Metrics>,
    /// Why losing this app's data is unacceptable (makes retention checks stricter).
    pub critical: Option<String>,
    /// The app's former name: its data keeps the names it had (see [`App::renamed_from`]).
    pub renamed_from: Option<String>,
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

impl App {
    /// Frees the room the builder's pushes leave at the end of each list (one volume pushed
    /// onto an empty list takes room for four): the resolved catalogue keeps every app for
    /// the whole render, and at N = 20,000 apps that room was about 15 MB at its peak
    /// (README, "Memory"). Every field is named, so a new list is not forgotten.
    pub(crate) fn shrink_to_fit(&mut self) {
        let App {
            name: _,
            namespace: _,
            source: _,
            description: _,
            workload: _,
            image: _,
            command,
            args,
            ports,
            env,
            resources: _,
            probes: _,
            security: _,
            volumes,
            config_files,
            secret_files,
            background_jobs,
            gpu: _,
            devices,
            pin: _,
            https: _,
            service: _,
            lan_address: _,
            dependencies,
            talks_to,
            egress_internet: _,
            ingress_internet: _,
            metrics: _,
            critical: _,
            renamed_from: _,
            annotations,
            misuse,
            lint_exceptions,
            sync: _,
        } = self;
        command.shrink_to_fit();
        args.shrink_to_fit();
        ports.shrink_to_fit();
        env.shrink_to_fit();
        volumes.shrink_to_fit();
        config_files.shrink_to_fit();
        secret_files.shrink_to_fit();
        background_jobs.shrink_to_fit();
        devices.shrink_to_fit();
        dependencies.shrink_to_fit();
        talks_to.shrink_to_fit();
        annotations.shrink_to_fit();
        misuse.shrink_to_fit();
        lint_exceptions.shrink_to_fit();
    }

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
            volumes: vec![Volume::scratch("tmp", "/tmp").into()],
            config_files: Vec::new(),
            secret_files: Vec::new(),
            background_jobs: Vec::new(),
            gpu: None,
            devices: Vec::new(),
            pin: None,
            https: None,
            service: ServiceExposure::Cluster,
            lan_address: None,
            dependencies: Vec::new(),
            talks_to: Vec::new(),
            egress_internet: None,
            ingress_internet: None,
            metrics: None,
            critical: None,
            renamed_from: None,
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
    /// Marks the app's data as critical, and why: its claims must be on a Retain storage
    /// class, protected from ArgoCD pruning, and backed up.
    pub fn critical(mut self, reason: &str) -> Self {
        self.critical = Some(reason.into());
        self
    }
    /// Declares that the app was called `old` before: its claims, their restic repository
    /// Secrets and their Volsync objects keep the names they had (`<old>-<volume>`,
    /// `<old>-volsync-secret`), so the renamed app mounts the same volumes and backs up to
    /// the same repository. Without it, a rename gives every claim a new name: a new, empty
    /// volume, a new repository, and the old claim deleted by the sync (render warns).
    ///
    /// Keeping the names is what Volsync needs: a claim's name is its identity (the bound
    /// PersistentVolume follows it), and restoring from the old repository into a new
    /// claim would mean an outage and the data since the last backup lost.
    pub fn renamed_from(mut self, old: &str) -> Self {
        self.renamed_from = Some(old.into());
        self
    }
    /// Adds an annotation to the workload (escape hatch).
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }
}
