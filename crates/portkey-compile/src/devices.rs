//! Device plugins generated from the inventory's hardware: the Intel `GpuDevicePlugin` for
//! Intel GPU nodes, ROCm's AMD GPU device plugin for AMD GPU nodes, and squat's
//! generic-device-plugin for USB devices (the Zigbee dongle), so apps get hardware through
//! extended resources instead of privileged pods.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, HostPathVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecurityContext, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use portkey_model::app::{EXCEPTION_PREFIX, LINT_EXCEPTION_PREFIX, Lint};
use portkey_model::cluster::{DeviceAccess, GpuVendor};
use portkey_model::resolve::Catalogue;
use serde_json::json;

use crate::crd::intel::{GpuDevicePlugin, GpuDevicePluginSpec};
use crate::workload::hostname_affinity;
use crate::{NAME_LABEL, Object, meta};

/// Namespace of the generic device plugin.
pub const DEVICE_PLUGIN_NAMESPACE: &str = "kube-system";
const GENERIC: &str = "generic-device-plugin";
/// Name of ROCm's AMD GPU plugin DaemonSet.
pub const AMD_GPU_PLUGIN: &str = "amd-gpu-device-plugin";
const KUBELET_PLUGINS: &str = "/var/lib/kubelet/device-plugins";

/// The device-plugin objects the inventory calls for.
pub fn device_plugins(catalogue: &Catalogue<'_>) -> Vec<Object> {
    let mut out = Vec::new();
    if let Some(gpu) = intel_gpu_plugin(catalogue) {
        out.push(gpu.into());
    }
    // Each DaemonSet's pods only use the kubelet's socket: isolated by a NetworkPolicy.
    for ds in [amd_gpu_plugin(catalogue), generic_device_plugin(catalogue)]
        .into_iter()
        .flatten()
    {
        let isolated = ds
            .metadata
            .name
            .as_deref()
            .zip(ds.metadata.namespace.as_deref())
            .map(|(name, ns)| crate::network_policy::isolated(name, ns));
        out.push(ds.into());
        if let Some(np) = isolated {
            out.push(np.into());
        }
    }
    out
}

/// ROCm's AMD GPU device plugin (`amd.com/gpu`), after upstream's `k8s-ds-amdgpu-dp.yaml`
/// (<https://github.com/ROCm/k8s-device-plugin>): it reads `/sys` to find the GPUs and
/// registers a socket in the kubelet's plugin directory. It selects the AMD GPU nodes by
/// `kubernetes.io/hostname`, which the kubelet sets, so no node label has to be set by hand.
/// It needs no privilege (that's only upstream's health-check variant, which opens
/// `/dev/kfd`), but it runs as root to write the root-owned plugin directory.
fn amd_gpu_plugin(catalogue: &Catalogue<'_>) -> Option<DaemonSet> {
    let cluster = catalogue.cluster;
    let nodes: Vec<String> = cluster
        .nodes
        .iter()
        .filter(|n| n.gpus().any(|g| g.vendor == GpuVendor::Amd))
        .map(|n| n.name.clone())
        .collect();
    if nodes.is_empty() {
        return None;
    }
    let mut annotations = crate::cluster_lint_exceptions(catalogue);
    annotations.extend([
        (
            format!("{EXCEPTION_PREFIX}run-as-root"),
            "the plugin creates its socket in the kubelet's root-owned device-plugin directory"
                .to_string(),
        ),
        no_probes_exception(),
    ]);
    let mount = |name: &str, path: &str, read_only: bool| VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..VolumeMount::default()
    };
    let container = Container {
        name: AMD_GPU_PLUGIN.into(),
        image: Some(cluster.device_plugins.amd_gpu_device_plugin_image.clone()),
        resources: Some(small_resources()),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Capabilities::default()
            }),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(vec![
            mount("device-plugins", KUBELET_PLUGINS, false),
            mount("sys", "/sys", true),
        ]),
        ..Container::default()
    };
    let mut ds = node_daemonset(
        AMD_GPU_PLUGIN,
        nodes,
        container,
        vec![
            host_volume("device-plugins", KUBELET_PLUGINS),
            host_volume("sys", "/sys"),
        ],
        annotations,
    );
    if let Some(pod) = ds.spec.as_mut().and_then(|s| s.template.spec.as_mut()) {
        pod.security_context = Some(PodSecurityContext {
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..SeccompProfile::default()
            }),
            ..PodSecurityContext::default()
        });
    }
    Some(ds)
}

fn no_probes_exception() -> (String, String) {
    (
        format!("{LINT_EXCEPTION_PREFIX}{}", Lint::Probes.id()),
        "device plugins serve no health endpoint; the kubelet notices a plugin that stops \
         and the DaemonSet restarts it"
            .to_string(),
    )
}

fn small_resources() -> ResourceRequirements {
    ResourceRequirements {
        requests: Some(BTreeMap::from([
            ("cpu".into(), Quantity("10m".into())),
            ("memory".into(), Quantity("16Mi".into())),
        ])),
        limits: Some(BTreeMap::from([("memory".into(), Quantity("64Mi".into()))])),
        ..ResourceRequirements::default()
    }
}

fn host_volume(name: &str, path: &str) -> Volume {
    Volume {
        name: name.into(),
        host_path: Some(HostPathVolumeSource {
            path: path.into(),
            type_: Some("Directory".into()),
        }),
        ..Volume::default()
    }
}

/// A DaemonSet in kube-system running `container` on the named nodes (hostname affinity),
/// tolerating every taint, at node-critical priority.
fn node_daemonset(
    name: &str,
    nodes: Vec<String>,
    container: Container,
    volumes: Vec<Volume>,
    annotations: BTreeMap<String, String>,
) -> DaemonSet {
    let labels = BTreeMap::from([(NAME_LABEL.to_string(), name.to_string())]);
    let mut metadata = meta(name, Some(DEVICE_PLUGIN_NAMESPACE), Some(name));
    metadata.annotations = Some(annotations);
    DaemonSet {
        metadata,
        spec: Some(DaemonSetSpec {
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    affinity: Some(hostname_affinity(nodes)),
                    automount_service_account_token: Some(false),
                    priority_class_name: Some("system-node-critical".into()),
                    tolerations: Some(vec![Toleration {
                        operator: Some("Exists".into()),
                        ..Toleration::default()
                    }]),
                    containers: vec![container],
                    volumes: Some(volumes),
                    ..PodSpec::default()
                }),
            },
            ..DaemonSetSpec::default()
        }),
        ..DaemonSet::default()
    }
}

fn intel_gpu_plugin(catalogue: &Catalogue<'_>) -> Option<GpuDevicePlugin> {
    let cluster = catalogue.cluster;
    cluster
        .nodes
        .iter()
        .any(|n| n.gpus().any(|g| g.vendor == GpuVendor::Intel))
        .then_some(())?;
    let settings = &cluster.device_plugins;
    let mut plugin = GpuDevicePlugin::new(
        "intel-gpu",
        GpuDevicePluginSpec {
            image: settings.intel_gpu_plugin_image.clone(),
            shared_dev_num: i32::try_from(settings.gpu_shared_dev_num).unwrap_or(i32::MAX),
            preferred_allocation_policy: Some("balanced".into()),
            enable_monitoring: None,
            node_selector: BTreeMap::from([settings.intel_gpu_label.clone()]),
        },
    );
    plugin.metadata = meta("intel-gpu", None, None);
    Some(plugin)
}

/// One `--device` entry per device type, with every node's path for it.
fn generic_device_plugin(catalogue: &Catalogue<'_>) -> Option<DaemonSet> {
    let cluster = catalogue.cluster;
    let mut devices: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut nodes = Vec::new();
    for node in &cluster.nodes {
        for d in node.devices() {
            let DeviceAccess::Plugin { resource } = &d.access;
            let (domain, name) = resource.split_once('/')?;
            devices
                .entry((domain.to_string(), name.to_string()))
                .or_default()
                .push(d.host_path.clone());
            if !nodes.contains(&node.name) {
                nodes.push(node.name.clone());
            }
        }
    }
    if devices.is_empty() {
        return None;
    }
    let domains: Vec<&String> = devices.keys().map(|(d, _)| d).collect();
    let domain = domains[0].clone();
    let mut args = vec![format!("--domain={domain}")];
    for ((_, name), paths) in &devices {
        let spec = json!({
            "name": name,
            "groups": paths.iter().map(|p| json!({"paths": [{"path": p}]})).collect::<Vec<_>>(),
        });
        args.push(format!("--device={spec}"));
    }
    let mut annotations = crate::cluster_lint_exceptions(catalogue);
    annotations.extend([
        (
            format!("{EXCEPTION_PREFIX}privileged"),
            "a device plugin must see /dev and register with the kubelet; it is the one pod \
             that needs privilege so that apps using the devices need none"
                .to_string(),
        ),
        (
            format!("{EXCEPTION_PREFIX}run-as-root"),
            "it opens the host's device nodes and creates its socket in the kubelet's \
             root-owned device-plugin directory"
                .to_string(),
        ),
        no_probes_exception(),
    ]);
    let mut ds = node_daemonset(
        GENERIC,
        nodes,
        plugin_container(&cluster.device_plugins.generic_device_plugin_image, args),
        vec![
            host_volume("device-plugins", KUBELET_PLUGINS),
            host_volume("dev", "/dev"),
        ],
        annotations,
    );
    runtime_default_seccomp(&mut ds);
    Some(ds)
}

/// The pod security context of a device plugin: the runtime's default seccomp profile
/// (a privileged container runs unconfined whatever the pod says, but the pod's intent is
/// on record), as root (`runAsNonRoot: false`, declared with its reason).
fn runtime_default_seccomp(ds: &mut DaemonSet) {
    if let Some(pod) = ds.spec.as_mut().and_then(|s| s.template.spec.as_mut()) {
        pod.security_context = Some(PodSecurityContext {
            run_as_non_root: Some(false),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..SeccompProfile::default()
            }),
            ..PodSecurityContext::default()
        });
    }
}

fn plugin_container(image: &str, args: Vec<String>) -> Container {
    let mount = |name: &str, path: &str| VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        ..VolumeMount::default()
    };
    Container {
        name: GENERIC.into(),
        image: Some(image.into()),
        args: Some(args),
        resources: Some(small_resources()),
        // Privileged for /dev (each declared exception is annotated on the DaemonSet). The
        // plugin writes only its socket, into the kubelet's directory (a hostPath), so its
        // root filesystem stays read-only. Privilege escalation and capabilities aren't set:
        // a privileged container has them all, and the API server refuses
        // `allowPrivilegeEscalation: false` beside `privileged: true`.
        security_context: Some(SecurityContext {
            privileged: Some(true),
            read_only_root_filesystem: Some(true),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(vec![
            mount("device-plugins", KUBELET_PLUGINS),
            mount("dev", "/dev"),
        ]),
        ..Container::default()
    }
}
