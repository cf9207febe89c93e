//! The Portkey cluster inventory (`../shared/seed/portkey-cluster.md`): nodes and their
//! hardware, storage, namespaces and cluster-wide defaults.
//!
//! Apps refer to what is declared here through the constants below, so a misspelt node,
//! device, storage class or share does not compile. Adding a node is one entry in
//! [`portkey`].

use portkey_model::app::{Lint, Namespace};
use portkey_model::cluster::{
    AccessMode, AlertSettings, AppDefaults, BackupSettings, CapacityThresholds, Cluster, Cni,
    Device, DeviceAccess, DevicePlugins, DeviceRef, GitSource, Gpu, GpuDriver, GpuVendor, Hardware,
    Host, IngressSettings, NfsShare, NfsShareRef, Node, NodeKind, NodeRef, NodeRole, Reclaim,
    SerialAdapter, StorageClass, StorageClassRef,
};
use portkey_model::network::{AcmeChallenge, HostReach, LoadBalancer};
use portkey_model::quantity::{Cpu, Memory};

/// Worker VM on mirkwood (AMD Ryzen 5 4500U); holds the Zigbee dongle.
pub const METAL0: NodeRef = NodeRef::new("metal0");
/// Worker VM on rohan (Intel N100) with the i915 GPU passed through.
pub const METAL1: NodeRef = NodeRef::new("metal1");
/// Worker VM on gondor (Intel N100) with the i915 GPU passed through.
pub const METAL2: NodeRef = NodeRef::new("metal2");
/// Privileged LXC container on mirkwood with native access to the AMD iGPU: the seed's
/// recommended GPU expansion. Declared but not enabled until `METAL3_ENABLED` is true.
pub const METAL3: NodeRef = NodeRef::new("metal3");

/// Whether metal3 has been created and joined. While false it is only documented (an
/// expansion option in ARCHITECTURE.md); once true, apps asking for an AMD GPU land on it
/// and portkey emits the AMD GPU device plugin.
const METAL3_ENABLED: bool = false;

/// The pod network: the addresses traefik's pods proxy from, which apps behind the ingress
/// trust for `X-Forwarded-For`.
/// ASSUMPTION: kubeadm's `--pod-network-cidr` (the seed names no CNI; Flannel's default
/// is shown); confirm with `kubectl get nodes -o jsonpath='{.items[*].spec.podCIDR}'`.
pub const POD_NETWORK: &str = "10.244.0.0/16";

/// The LAN: where the clients of `.lan()` ports (IoT devices, torrent peers via the
/// router) come from.
/// ASSUMPTION: confirm the prefix length (the seed names only 192.168.0.x).
pub const LAN_CIDR: &str = "192.168.0.0/24";

/// The Zigbee USB coordinator plugged into mirkwood and passed to metal0.
pub const ZIGBEE_DONGLE: DeviceRef = DeviceRef::new("zigbee-dongle");
/// The coordinator's stable path on metal0: `/dev/ttyUSB0` renumbers when another USB
/// serial device appears, the by-id link does not. The device plugin mounts it at the same
/// path in zigbee2mqtt's container.
/// ASSUMPTION: confirm with ls -l /dev/serial/by-id/ on metal0 (the seed names no model or
/// serial number; this is the Sonoff ZBDongle-P's name pattern, serial to be filled in).
pub const ZIGBEE_DONGLE_PATH: &str =
    "/dev/serial/by-id/usb-ITead_Sonoff_Zigbee_3.0_USB_Dongle_Plus_0001-if00-port0";
/// The coordinator's radio family (Zigbee2MQTT's `serial.adapter`).
/// ASSUMPTION: confirm with ls -l /dev/serial/by-id/ on metal0: a ZBDongle-P (CC2652P,
/// CP210x bridge, `..._Dongle_Plus_...`) is `zstack`; a ZBDongle-E (EFR32MG21,
/// `..._Dongle_Plus_V2_...`) is `ember`.
pub const ZIGBEE_DONGLE_ADAPTER: SerialAdapter = SerialAdapter::Zstack;

/// External Ceph RBD pool (created by rook's external-cluster import; reclaim Delete).
pub const CEPH_BLOCK: StorageClassRef = StorageClassRef::new("ceph-block");
/// The same pool with `reclaimPolicy: Retain`, for data that must outlive its claim.
pub const CEPH_BLOCK_RETAIN: StorageClassRef = StorageClassRef::new("ceph-block-retain");

/// `192.168.0.41:/nfs/plex`: the media library.
pub const NFS_PLEX: NfsShareRef = NfsShareRef::new("plex");
/// `192.168.0.41:/nfs/k8s`: general cluster data (downloads, paperless consume).
pub const NFS_K8S: NfsShareRef = NfsShareRef::new("k8s");
/// `192.168.0.41:/nfs/nextcloud`: Nextcloud user data.
pub const NFS_NEXTCLOUD: NfsShareRef = NfsShareRef::new("nextcloud");

/// The password manager.
pub const VAULTWARDEN: Namespace = Namespace::new("vaultwarden");
/// Home Assistant, MQTT and Zigbee.
pub const HOME_AUTOMATION: Namespace = Namespace::new("home-automation");
/// Jellyfin and the *arr stack.
pub const MEDIA: Namespace = Namespace::new("media");
/// Paperless-ngx and its Redis.
pub const PAPERLESS: Namespace = Namespace::new("paperless");
/// Household apps (Grocy, Baby Buddy).
pub const HOME: Namespace = Namespace::new("home");
/// Nextcloud and its database.
pub const NEXTCLOUD: Namespace = Namespace::new("nextcloud");

/// Time zone given to apps as `TZ`.
pub const TIMEZONE: &str = "Etc/UTC";
/// The DNS domain apps are exposed under.
pub const DOMAIN: &str = "themainfreak.com";

const NFS_SERVER: &str = "192.168.0.41";
/// The external Ceph cluster's RBD pool the storage classes provision from.
/// ASSUMPTION: confirm it is the `--rbd-data-pool-name` the Rook external-cluster import was
/// run with (BOOTSTRAP.md lists it as a value to confirm).
const CEPH_POOL: &str = "replicapool";

/// The LAN addresses MetalLB hands to Services of type `LoadBalancer`.
///
/// ASSUMPTION: confirm that 192.168.0.240-250 is outside the router's DHCP range and used by
/// no host (the seed names only the LAN, 192.168.0.x, and the NFS server, .41). The fixed
/// addresses below come from it.
const LB_ADDRESSES: &str = "192.168.0.240-192.168.0.250";
/// traefik's address: the DNS records of every app host point at it (BOOTSTRAP.md).
pub const INGRESS_ADDRESS: &str = "192.168.0.240";
/// mosquitto's address: the Zigbee and other IoT devices are configured with it.
pub const MQTT_ADDRESS: &str = "192.168.0.241";
/// transmission's peer port: forward 51413 (TCP and UDP) on the router to it.
pub const TORRENT_ADDRESS: &str = "192.168.0.242";
/// GID of the `render` group on the GPU nodes (`getent group render` on metal1/metal2).
const RENDER_GID: i64 = 105;

fn n100_gpu() -> Hardware {
    Hardware::Gpu(Gpu {
        vendor: GpuVendor::Intel,
        driver: GpuDriver::I915,
        model: "Intel UHD Graphics (N100)".into(),
        render_gid: Some(RENDER_GID),
        integrated: true,
    })
}

/// The Ryzen 5 4500U's Radeon iGPU, which only an LXC container can use reliably.
fn renoir_gpu() -> Hardware {
    Hardware::Gpu(Gpu {
        vendor: GpuVendor::Amd,
        driver: GpuDriver::Amdgpu,
        model: "AMD Radeon Graphics (Ryzen 5 4500U, Renoir)".into(),
        // ASSUMPTION: confirm with `getent group render` inside metal3 once it exists.
        render_gid: Some(RENDER_GID),
        integrated: true,
    })
}

/// metal3: a privileged LXC container on mirkwood that sees the iGPU natively (the seed's
/// "Option 1"; the iGPU can't be passed through to a VM, see the seed's known issue 4).
/// ASSUMPTION: 2 CPUs and 8 GiB, what mirkwood has left beside metal0; confirm when
/// creating it.
fn metal3() -> Node {
    let mut node = worker(
        METAL3,
        8,
        "mirkwood",
        "AMD Ryzen 5 4500U",
        vec![renoir_gpu()],
    );
    node.cpu = Cpu::cores(2);
    node.kind = NodeKind::Lxc;
    node
}

/// The label node-feature-discovery's Intel rules put on nodes with an Intel GPU (set by hand
/// on metal1/metal2 when NFD is not installed).
const INTEL_GPU_LABEL: (&str, &str) = ("intel.feature.node.kubernetes.io/gpu", "true");

fn worker(
    name: NodeRef,
    memory_gib: u64,
    host: &str,
    cpu_model: &str,
    hardware: Vec<Hardware>,
) -> Node {
    Node {
        name: name.name().into(),
        role: NodeRole::Worker,
        cpu: Cpu::cores(4),
        memory: Memory::gi(memory_gib),
        host: Host {
            name: host.into(),
            cpu_model: cpu_model.into(),
        },
        kind: NodeKind::Vm,
        labels: hardware
            .iter()
            .filter(|h| matches!(h, Hardware::Gpu(g) if g.vendor == GpuVendor::Intel))
            .map(|_| (INTEL_GPU_LABEL.0.to_string(), INTEL_GPU_LABEL.1.to_string()))
            .collect(),
        hardware,
    }
}

/// The worker nodes and their hardware: the joined ones, and the planned ones.
fn nodes() -> (Vec<Node>, Vec<Node>) {
    let mut joined = vec![
        worker(
            METAL0,
            42,
            "mirkwood",
            "AMD Ryzen 5 4500U",
            vec![Hardware::Device(Device {
                id: ZIGBEE_DONGLE.name().into(),
                description: "Zigbee USB coordinator (Sonoff Zigbee 3.0 USB Dongle Plus)".into(),
                host_path: ZIGBEE_DONGLE_PATH.into(),
                serial_adapter: Some(ZIGBEE_DONGLE_ADAPTER),
                access: DeviceAccess::Plugin {
                    resource: "squat.ai/zigbee".into(),
                },
            })],
        ),
        worker(METAL1, 26, "rohan", "Intel N100", vec![n100_gpu()]),
        worker(METAL2, 26, "gondor", "Intel N100", vec![n100_gpu()]),
    ];
    let mut planned = vec![metal3()];
    if METAL3_ENABLED {
        joined.append(&mut planned);
    }
    (joined, planned)
}

/// The Ceph RBD storage classes.
fn storage_classes() -> Vec<StorageClass> {
    let rbd_parameters = |pool: &str| -> Vec<(String, String)> {
        [
            ("clusterID", "rook-ceph"),
            ("pool", pool),
            ("imageFormat", "2"),
            ("imageFeatures", "layering"),
            ("csi.storage.k8s.io/fstype", "ext4"),
            (
                "csi.storage.k8s.io/provisioner-secret-name",
                "rook-csi-rbd-provisioner",
            ),
            (
                "csi.storage.k8s.io/provisioner-secret-namespace",
                "rook-ceph",
            ),
            (
                "csi.storage.k8s.io/controller-expand-secret-name",
                "rook-csi-rbd-provisioner",
            ),
            (
                "csi.storage.k8s.io/controller-expand-secret-namespace",
                "rook-ceph",
            ),
            (
                "csi.storage.k8s.io/node-stage-secret-name",
                "rook-csi-rbd-node",
            ),
            (
                "csi.storage.k8s.io/node-stage-secret-namespace",
                "rook-ceph",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    vec![
        StorageClass {
            name: CEPH_BLOCK.name().into(),
            provisioner: "rook-ceph.rbd.csi.ceph.com".into(),
            reclaim: Reclaim::Delete,
            access_modes: vec![AccessMode::ReadWriteOnce],
            snapshots: true,
            managed: true,
            parameters: rbd_parameters(CEPH_POOL),
            // The Proxmox Ceph pool's size isn't in the seed; set it to have claims checked.
            capacity: None,
        },
        StorageClass {
            name: CEPH_BLOCK_RETAIN.name().into(),
            provisioner: "rook-ceph.rbd.csi.ceph.com".into(),
            reclaim: Reclaim::Retain,
            access_modes: vec![AccessMode::ReadWriteOnce],
            snapshots: true,
            managed: true,
            parameters: rbd_parameters(CEPH_POOL),
            // The Proxmox Ceph pool's size isn't in the seed; set it to have claims checked.
            capacity: None,
        },
    ]
}

/// Volsync settings.
fn backup() -> BackupSettings {
    BackupSettings {
        volume_snapshot_class: "csi-ceph-blockpool".into(),
        snapshot_driver: "rook-ceph.rbd.csi.ceph.com".into(),
        snapshot_parameters: [
            ("clusterID", "rook-ceph"),
            (
                "csi.storage.k8s.io/snapshotter-secret-name",
                "rook-csi-rbd-provisioner",
            ),
            (
                "csi.storage.k8s.io/snapshotter-secret-namespace",
                "rook-ceph",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        cache_capacity: Memory::gi(1),
        prune_interval_days: 14,
        // No secret store yet: each Secret of BOOTSTRAP.md's section 2 (the
        // `<app>-volsync-secret`s among them, keys in generated/RESTORE.md) is created by
        // hand. A store needs the external-secrets release (with its bitwarden-sdk-server)
        // under apps/infra/ and this Bitwarden project's ids; then, for example:
        // Some(SecretStore {
        //     name: "bitwarden".into(), cluster_wide: true,
        //     password_key: "restic-password".into(),
        //     repository_prefix: "s3:https://<endpoint>/<bucket>".into(),
        //     backend_keys: vec![("AWS_ACCESS_KEY_ID".into(), "restic/AWS_ACCESS_KEY_ID".into()), ..],
        //     provider: SecretProvider::BitwardenSecretsManager(
        //         BitwardenSecretsManager::cloud("<organization id>", "<project id>")),
        // })
        // and the access token is the one Secret created by hand (README, "Secret store").
        secret_store: None,
    }
}

/// The Portkey cluster.
pub fn portkey() -> Cluster {
    let share = |r: NfsShareRef, path: &str| NfsShare {
        name: r.name().into(),
        server: NFS_SERVER.into(),
        path: path.into(),
    };
    let (nodes, planned_nodes) = nodes();
    Cluster {
        source: "cluster.rs".into(),
        name: "portkey".into(),
        domain: DOMAIN.into(),
        git: GitSource {
            // The repository ArgoCD syncs generated/ from.
            repo_url: "https://github.com/themainfreak/portkey.git".into(),
            revision: "main".into(),
        },
        nodes,
        planned_nodes,
        namespaces: vec![VAULTWARDEN, HOME_AUTOMATION, MEDIA, PAPERLESS, HOME, NEXTCLOUD],
        storage_classes: storage_classes(),
        default_storage_class: CEPH_BLOCK,
        nfs_shares: vec![
            share(NFS_PLEX, "/nfs/plex"),
            share(NFS_K8S, "/nfs/k8s"),
            share(NFS_NEXTCLOUD, "/nfs/nextcloud"),
        ],
        ingress: IngressSettings {
            class: "traefik".into(),
            cluster_issuer: "letsencrypt-production".into(),
            acme_server: "https://acme-v02.api.letsencrypt.org/directory".into(),
            // Let's Encrypt's expiry notices go here.
            acme_email: "admin@themainfreak.com".into(),
            // The hosts resolve to traefik's LAN address (INGRESS_ADDRESS, private), and the
            // seed forwards no port from the internet, so Let's Encrypt cannot reach them over
            // HTTP-01: DNS-01, with an API token created by hand.
            // ASSUMPTION: confirm that the themainfreak.com zone is served by Cloudflare (the
            // seed does not say); for another provider, add its solver.
            challenge: AcmeChallenge::Dns01Cloudflare {
                api_token_secret: "cloudflare-api-token".into(),
                key: "api-token".into(),
            },
            reach: HostReach::LanOnly,
        },
        // MetalLB in layer-2 mode: the nodes share one flat LAN with the clients, and no
        // router speaks BGP.
        load_balancer: Some(LoadBalancer::MetalLbL2 {
            pool: "lan".into(),
            addresses: LB_ADDRESSES.into(),
        }),
        backup: backup(),
        device_plugins: DevicePlugins {
            // Jellyfin transcodes and the occasional second consumer share each N100 iGPU.
            gpu_shared_dev_num: 4,
            intel_gpu_label: (INTEL_GPU_LABEL.0.into(), INTEL_GPU_LABEL.1.into()),
            // renovate: image
            generic_device_plugin_image: "ghcr.io/squat/generic-device-plugin:0.2.0".into(),
            // renovate: image
            amd_gpu_device_plugin_image: "docker.io/rocm/k8s-device-plugin:1.31.0.11".into(),
            // The operator's own default (intel-device-plugins-operator 0.36.0: the webhook's
            // `"intel/intel-gpu-plugin:" + ImageMinVersion`); keep it at the operator's version.
            // renovate: image
            intel_gpu_plugin_image: "docker.io/intel/intel-gpu-plugin:0.36.0".into(),
        },
        lint_exceptions: vec![(
            Lint::ImageDigest,
            "images are pinned by tag until Renovate's pinDigests adds each digest in its first PR; \
             remove this line once it has"
                .into(),
        )],
        capacity: CapacityThresholds {
            memory_limit_warn_percent: 90,
        },
        alerts: AlertSettings {
            namespace: "monitoring-system".into(),
            route_label: ("receiver".into(), "ntfy".into()),
        },
        defaults: AppDefaults {
            uid: 1000,
            gid: 1000,
            cpu_request: Cpu::m(10),
            memory_request: Memory::mi(128),
            memory_limit: Memory::mi(512),
            timezone: TIMEZONE.into(),
            // renovate: image
            wait_image: "docker.io/library/busybox:1.37.0".into(),
        },
        // ASSUMPTION: confirm. The seed names no CNI; the generated NetworkPolicies need
        // one that enforces them (Calico, Cilium, kube-router). On Flannel alone they are
        // accepted and inert (BOOTSTRAP.md).
        cni: Cni {
            name: "calico".into(),
            enforces_network_policy: true,
        },
        // ASSUMPTION: confirm. The seed names the LAN as 192.168.0.x; a /24 is assumed.
        lan_cidr: LAN_CIDR.into(),
    }
}
