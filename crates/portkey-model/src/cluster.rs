//! The cluster inventory: nodes and their hardware, storage, the domain and the certificate issuer.
//!
//! Apps refer to inventory entries through typed references ([`NodeRef`], [`DeviceRef`],
//! [`StorageClassRef`], [`NfsShareRef`]) declared as constants next to the inventory, so a
//! misspelt node or share is a compile error. Resolution still checks that every reference
//! exists in the inventory it is resolved against (tests use other inventories).

use crate::quantity::{Cpu, Memory};

macro_rules! reference {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
        pub struct $name(&'static str);

        impl $name {
            /// Declares a reference; define it once as a constant beside the inventory.
            pub const fn new(name: &'static str) -> Self {
                Self(name)
            }
            /// The name as written in the inventory.
            pub const fn name(self) -> &'static str {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
    };
}

reference!(
    /// A node of the inventory, by its Kubernetes node name (`kubernetes.io/hostname`).
    NodeRef
);
reference!(
    /// A device attached to a node (for example a Zigbee USB dongle).
    DeviceRef
);
reference!(
    /// A StorageClass of the inventory.
    StorageClassRef
);
reference!(
    /// An NFS export of the inventory, by its short name.
    NfsShareRef
);

/// The whole cluster: everything apps are placed on and mount.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Cluster {
    /// The file that declares the inventory (`cluster.rs`), for errors and document headers.
    pub source: String,
    /// Cluster name (used for labels and document titles).
    pub name: String,
    /// DNS domain apps are exposed under: an app's host `vault` becomes `vault.<domain>`.
    pub domain: String,
    /// The Git repository ArgoCD reads `generated/` from.
    pub git: GitSource,
    /// Worker nodes that are joined to the cluster: apps are placed on these.
    pub nodes: Vec<Node>,
    /// Nodes that are declared but not enabled (not joined yet): documented as expansion
    /// options, never placed on, and given no device plugin. Enabling one moves it to
    /// [`Cluster::nodes`].
    pub planned_nodes: Vec<Node>,
    /// Storage classes apps may claim volumes from.
    pub storage_classes: Vec<StorageClass>,
    /// The storage class a claim uses when the app does not name one.
    pub default_storage_class: StorageClassRef,
    /// NFS exports.
    pub nfs_shares: Vec<NfsShare>,
    /// How HTTPS exposure is compiled.
    pub ingress: IngressSettings,
    /// What gives Services of type `LoadBalancer` their addresses; `None` when nothing
    /// does, and then a LAN port is a model error.
    pub load_balancer: Option<crate::network::LoadBalancer>,
    /// Cluster-wide backup settings (Volsync).
    pub backup: BackupSettings,
    /// Alert routing.
    pub alerts: AlertSettings,
    /// Capacity thresholds for the plan.
    pub capacity: CapacityThresholds,
    /// Device plugins generated from the inventory's hardware.
    pub device_plugins: DevicePlugins,
    /// The app namespaces the inventory declares (its `Namespace` constants). An app in a
    /// namespace not listed here, and alone in it, is warned about: most likely a typo.
    /// Empty: not checked.
    pub namespaces: Vec<crate::app::Namespace>,
    /// Lints suppressed for every app, with the reason (shown on every object it excuses).
    pub lint_exceptions: Vec<(crate::lint::Lint, String)>,
    /// Defaults every app gets unless it overrides them.
    pub defaults: AppDefaults,
    /// The pod network (CNI) and whether it enforces NetworkPolicy.
    pub cni: Cni,
    /// The LAN's address range (CIDR): where LAN clients of `.lan()` ports come from.
    pub lan_cidr: String,
}

/// The pod network plugin. portkey emits standard `networking.k8s.io/v1` NetworkPolicy;
/// only a CNI that enforces it makes the policies bite. On one that does not (Flannel
/// alone), the API server accepts them and nothing is filtered: the policies are inert.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Cni {
    /// The CNI's name, for documents (`calico`, `cilium`).
    pub name: String,
    /// Whether it enforces NetworkPolicy.
    pub enforces_network_policy: bool,
}

impl Cluster {
    /// The node with this name, if the inventory has it enabled.
    pub fn node(&self, node: NodeRef) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == node.name())
    }
    /// The declared-but-not-enabled node with this name, if there is one.
    pub fn planned_node(&self, node: NodeRef) -> Option<&Node> {
        self.planned_nodes.iter().find(|n| n.name == node.name())
    }
    /// The storage class with this name, if the inventory has it.
    pub fn storage_class(&self, class: StorageClassRef) -> Option<&StorageClass> {
        self.storage_classes.iter().find(|c| c.name == class.name())
    }
    /// The NFS share with this name, if the inventory has it.
    pub fn nfs_share(&self, share: NfsShareRef) -> Option<&NfsShare> {
        self.nfs_shares.iter().find(|s| s.name == share.name())
    }
    /// The device with this id and the node that holds it.
    pub fn device(&self, device: DeviceRef) -> Option<(&Node, &Device)> {
        self.nodes
            .iter()
            .find_map(|n| n.devices().find(|d| d.id == device.name()).map(|d| (n, d)))
    }
}

/// Where ArgoCD fetches the rendered manifests.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct GitSource {
    /// Repository URL (`spec.source.repoURL`).
    pub repo_url: String,
    /// Branch, tag or commit (`spec.source.targetRevision`).
    pub revision: String,
}

/// A Kubernetes node and what it runs on.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Node {
    /// Node name, equal to its `kubernetes.io/hostname` label.
    pub name: String,
    /// The node's role.
    pub role: NodeRole,
    /// Allocatable CPU.
    pub cpu: Cpu,
    /// Allocatable memory.
    pub memory: Memory,
    /// The Proxmox host the node runs on.
    pub host: Host,
    /// VM or LXC container.
    pub kind: NodeKind,
    /// GPUs and devices attached to the node.
    pub hardware: Vec<Hardware>,
    /// Labels the node carries (kubelet `--node-labels` or node-feature-discovery), which
    /// generated selectors may rely on.
    pub labels: Vec<(String, String)>,
}

impl Node {
    /// GPUs of this node.
    pub fn gpus(&self) -> impl Iterator<Item = &Gpu> {
        self.hardware.iter().filter_map(|h| match h {
            Hardware::Gpu(g) => Some(g),
            Hardware::Device(_) => None,
        })
    }
    /// Devices of this node.
    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.hardware.iter().filter_map(|h| match h {
            Hardware::Device(d) => Some(d),
            Hardware::Gpu(_) => None,
        })
    }
}

/// A node's role in the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum NodeRole {
    /// Runs workloads.
    Worker,
    /// Runs the control plane (and no apps unless tolerated).
    ControlPlane,
}

/// How a node is virtualised on its host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum NodeKind {
    /// A virtual machine.
    Vm,
    /// An LXC container (native device access).
    Lxc,
    /// Bare metal.
    Metal,
}

/// A physical Proxmox host.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Host {
    /// Host name (`mirkwood`).
    pub name: String,
    /// Its CPU model, for the architecture document.
    pub cpu_model: String,
}

/// Hardware a node exposes to pods.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Hardware {
    /// A GPU made available through a device plugin.
    Gpu(Gpu),
    /// Another device (USB dongle, serial adapter).
    Device(Device),
}

/// A GPU and the driver that exposes it.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Gpu {
    /// Vendor.
    pub vendor: GpuVendor,
    /// Kernel driver, which decides the extended resource name.
    pub driver: GpuDriver,
    /// Marketing name, for documents (`Intel UHD (N100)`).
    pub model: String,
    /// GID of the node's `render` group (`getent group render`): pods using the GPU get it
    /// as a supplemental group so a non-root process may open `/dev/dri/renderD*`.
    pub render_gid: Option<i64>,
    /// Integrated in the CPU (an APU's iGPU) rather than a discrete card. An AMD iGPU can't
    /// be passed through to a VM reliably (the APU reset bug), so it needs an LXC or
    /// bare-metal node.
    pub integrated: bool,
}

/// GPU vendors an app can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum GpuVendor {
    /// Intel integrated or discrete GPUs.
    Intel,
    /// AMD GPUs.
    Amd,
    /// NVIDIA GPUs.
    Nvidia,
}

impl std::fmt::Display for GpuVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GpuVendor::Intel => "Intel",
            GpuVendor::Amd => "AMD",
            GpuVendor::Nvidia => "NVIDIA",
        })
    }
}

/// The driver behind a GPU; each has its own device-plugin resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum GpuDriver {
    /// Intel i915 kernel driver (`gpu.intel.com/i915`).
    I915,
    /// Intel xe kernel driver (`gpu.intel.com/xe`).
    Xe,
    /// AMD amdgpu (`amd.com/gpu`).
    Amdgpu,
    /// NVIDIA (`nvidia.com/gpu`).
    Nvidia,
}

impl GpuDriver {
    /// The extended resource the device plugin advertises for this driver.
    pub const fn resource(self) -> &'static str {
        match self {
            GpuDriver::I915 => "gpu.intel.com/i915",
            GpuDriver::Xe => "gpu.intel.com/xe",
            GpuDriver::Amdgpu => "amd.com/gpu",
            GpuDriver::Nvidia => "nvidia.com/gpu",
        }
    }
}

/// A device attached to one node.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Device {
    /// Identifier apps use through a [`DeviceRef`].
    pub id: String,
    /// What it is (`Sonoff Zigbee 3.0 USB dongle`).
    pub description: String,
    /// Stable device path on the node (`/dev/serial/by-id/...`); the device plugin mounts
    /// it at the same path in the container.
    pub host_path: String,
    /// For a Zigbee coordinator: its radio's adapter type, the driver Zigbee2MQTT must use
    /// (`serial.adapter`).
    pub serial_adapter: Option<SerialAdapter>,
    /// How pods get access to it.
    pub access: DeviceAccess,
}

/// The radio family of a Zigbee coordinator, as Zigbee2MQTT's `serial.adapter` names it
/// (<https://www.zigbee2mqtt.io/guide/configuration/adapter-settings.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum SerialAdapter {
    /// Texas Instruments CC2652/CC1352 (Sonoff ZBDongle-P): `zstack`.
    Zstack,
    /// Silicon Labs EFR32 with EmberZNet (Sonoff ZBDongle-E): `ember`.
    Ember,
    /// dresden elektronik ConBee/RaspBee: `deconz`.
    Deconz,
    /// ZiGate: `zigate`.
    Zigate,
    /// Nordic nRF with ZBOSS: `zboss`.
    Zboss,
}

impl SerialAdapter {
    /// Zigbee2MQTT's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            SerialAdapter::Zstack => "zstack",
            SerialAdapter::Ember => "ember",
            SerialAdapter::Deconz => "deconz",
            SerialAdapter::Zigate => "zigate",
            SerialAdapter::Zboss => "zboss",
        }
    }
}

/// How a pod is granted a device.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum DeviceAccess {
    /// A device plugin advertises the device as an extended resource
    /// (for example squat's generic-device-plugin: `squat.ai/zigbee`); the pod requests one
    /// and needs no privilege.
    Plugin {
        /// Extended resource name.
        resource: String,
    },
}

/// A StorageClass apps can claim volumes from.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct StorageClass {
    /// StorageClass name.
    pub name: String,
    /// CSI provisioner.
    pub provisioner: String,
    /// What happens to the volume when its claim is deleted.
    pub reclaim: Reclaim,
    /// Access modes the class supports.
    pub access_modes: Vec<AccessMode>,
    /// Whether the class supports CSI snapshots (needed for Volsync `copyMethod: Snapshot`).
    pub snapshots: bool,
    /// Whether portkey emits this StorageClass (false when another tool owns it, e.g. the
    /// rook import script creates `ceph-block`).
    pub managed: bool,
    /// Provisioner parameters, in output order.
    pub parameters: Vec<(String, String)>,
    /// The usable space behind the class, when known: a claim larger than it never binds,
    /// which resolution reports. Classes over one pool share it, so each claim is checked
    /// against it alone.
    pub capacity: Option<Memory>,
}

/// PersistentVolume reclaim policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Reclaim {
    /// The volume is deleted with its claim.
    Delete,
    /// The volume outlives its claim.
    Retain,
}

/// Volume access modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum AccessMode {
    /// Mounted read-write by a single node.
    ReadWriteOnce,
    /// Mounted read-write by many nodes.
    ReadWriteMany,
    /// Mounted read-only by many nodes.
    ReadOnlyMany,
}

impl AccessMode {
    /// The Kubernetes spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadWriteMany => "ReadWriteMany",
            AccessMode::ReadOnlyMany => "ReadOnlyMany",
        }
    }
}

/// An NFS export.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct NfsShare {
    /// Short name apps use through an [`NfsShareRef`].
    pub name: String,
    /// Server address.
    pub server: String,
    /// Exported path.
    pub path: String,
}

/// How HTTPS exposure compiles.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct IngressSettings {
    /// `spec.ingressClassName`.
    pub class: String,
    /// cert-manager ClusterIssuer that signs the certificates (portkey emits it).
    pub cluster_issuer: String,
    /// ACME directory of the issuer (Let's Encrypt production).
    pub acme_server: String,
    /// ACME account e-mail.
    pub acme_email: String,
    /// How the issuer proves control of the domain (HTTP-01 or DNS-01).
    pub challenge: crate::network::AcmeChallenge,
    /// Who reaches the apps' hosts: with [`crate::network::HostReach::LanOnly`], HTTP-01
    /// cannot succeed and every HTTPS app is a warning.
    pub reach: crate::network::HostReach,
}

/// Cluster-wide Volsync settings.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct BackupSettings {
    /// VolumeSnapshotClass for `copyMethod: Snapshot` (portkey emits it).
    pub volume_snapshot_class: String,
    /// CSI driver of the snapshot class.
    pub snapshot_driver: String,
    /// Parameters of the snapshot class, in output order.
    pub snapshot_parameters: Vec<(String, String)>,
    /// Restic cache size per mover.
    pub cache_capacity: Memory,
    /// How often restic prunes the repository.
    pub prune_interval_days: u32,
    /// Where the restic Secrets come from: with a store, portkey emits an ExternalSecret
    /// per repository; without one, it references Secrets that already exist.
    pub secret_store: Option<SecretStore>,
}

/// The inventory's one external-secrets store: the restic credentials and every Secret kept
/// outside Git come from it (`crate::secret_store`).
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct SecretStore {
    /// Store name.
    pub name: String,
    /// `ClusterSecretStore` (true) or a namespaced `SecretStore` (false).
    pub cluster_wide: bool,
    /// Remote key holding the restic password (`RESTIC_PASSWORD`).
    pub password_key: String,
    /// Repository URL prefix; each volume's repository is `<prefix>/<namespace>/<claim>`.
    pub repository_prefix: String,
    /// The restic backend's credentials every repository Secret also holds, as
    /// `(Secret key, remote key)`: for S3, `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
    /// (the keys of each backend: BOOTSTRAP.md's backend table). Empty for a backend
    /// without credentials.
    pub backend_keys: Vec<(String, String)>,
    /// The service the store reads from, and its bootstrap credential: with a store, every
    /// Secret kept outside Git (`secrets::outside_git`) is an `ExternalSecret` from it,
    /// and the credential is the one Secret created by hand.
    pub provider: crate::secret_store::SecretProvider,
}

/// Device plugins portkey generates from the hardware in the inventory.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct DevicePlugins {
    /// Intel `GpuDevicePlugin`: how many containers may share one GPU (`sharedDevNum`).
    pub gpu_shared_dev_num: u32,
    /// The label every node with an Intel GPU carries (and no other node does); the
    /// plugin's `nodeSelector`.
    pub intel_gpu_label: (String, String),
    /// Image of squat's generic-device-plugin, which advertises [`DeviceAccess::Plugin`]
    /// devices (USB dongles) without privileged pods.
    pub generic_device_plugin_image: String,
    /// Image of ROCm's AMD GPU device plugin (`amd.com/gpu`), a DaemonSet on the nodes
    /// with an AMD GPU (emitted only when one is enabled).
    pub amd_gpu_device_plugin_image: String,
    /// Image of Intel's GPU plugin, the `GpuDevicePlugin`'s `spec.image`. Written out so
    /// that Renovate sees it: left empty, the operator's mutating webhook fills in its own
    /// default (`intel/intel-gpu-plugin:<operator version>`), which nothing tracks. The
    /// operator's validating webhook wants the basename `intel-gpu-plugin` and a tag at or
    /// above its own version.
    pub intel_gpu_plugin_image: String,
}

/// When the capacity plan warns.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct CapacityThresholds {
    /// Warn when a node's memory limits reach this share of its memory (the seed's metal1
    /// known issue: limits at ~96%).
    pub memory_limit_warn_percent: u64,
}

/// Where alerts go.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct AlertSettings {
    /// Namespace of the Prometheus operator's rule selector (`monitoring-system`).
    pub namespace: String,
    /// Label Alertmanager routes on, added to every alert (`receiver: ntfy`).
    pub route_label: (String, String),
}

/// Defaults applied to every app unless it overrides them. They show in the output.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct AppDefaults {
    /// UID, GID and fsGroup pods run as.
    pub uid: i64,
    /// Default group id.
    pub gid: i64,
    /// CPU request.
    pub cpu_request: Cpu,
    /// Memory request.
    pub memory_request: Memory,
    /// Memory limit.
    pub memory_limit: Memory,
    /// Time zone passed as `TZ`.
    pub timezone: String,
    /// Image of the init container that waits for a start-up dependency's port
    /// (needs `sh` and `nc`).
    pub wait_image: String,
}
