//! The inventory itself: unique, valid names, a default class that exists, labels that
//! match the hardware, GPUs on node kinds that can use them.

use std::collections::BTreeSet;

use crate::cluster::{Cluster, GpuVendor, NodeKind};
use crate::error::{ModelError, Problems};
use crate::names;

/// Checks the inventory itself: unique, valid names; a default class that exists; the GPU
/// plugin's node label on exactly the nodes with an Intel GPU.
pub(super) fn check_cluster(cluster: &Cluster) -> Vec<ModelError> {
    let mut out = Vec::new();
    let mut p = Problems::new(&cluster.source, "cluster", &mut out);
    check_hardware(cluster, &mut p);
    check_nodes(cluster, &mut p);
    check_shares_and_images(cluster, &mut p);
    check_default_class(cluster, &mut p);
    check_lan_cidr(cluster, &mut p);
    out
}

/// The LAN's range is an IPv4 CIDR with no host bits set: NetworkPolicy `ipBlock.cidr`
/// takes it as it is, and the API server rejects one it cannot parse.
fn check_lan_cidr(cluster: &Cluster, p: &mut Problems<'_>) {
    let cidr = cluster.lan_cidr.as_str();
    let parsed = cidr.split_once('/').and_then(|(net, len)| {
        let net: std::net::Ipv4Addr = net.parse().ok()?;
        let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
        let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
        Some(u32::from(net) & !mask == 0)
    });
    match parsed {
        None => p.add(
            "lan_cidr",
            format!(
                "{cidr:?} is not an IPv4 CIDR: the NetworkPolicies' LAN ipBlock would be rejected"
            ),
            "write the LAN's range as address/prefix, e.g. `192.168.0.0/24`",
        ),
        Some(false) => p.add(
            "lan_cidr",
            format!("{cidr:?} has host bits set"),
            "write the network's address, e.g. `192.168.0.0/24` for `192.168.0.7/24`",
        ),
        Some(true) => {}
    }
}

/// GPUs on node kinds that can use them; a node is either joined or planned.
fn check_hardware(cluster: &Cluster, p: &mut Problems<'_>) {
    let mut err = |field: String, problem: String, fix: &str| p.add(field, problem, fix);
    for n in cluster.nodes.iter().chain(&cluster.planned_nodes) {
        for g in n.gpus() {
            if g.vendor == GpuVendor::Amd && g.integrated && n.kind == NodeKind::Vm {
                err(
                    format!("nodes[{}].hardware", n.name),
                    format!(
                        "declares the AMD iGPU `{}` on a VM: an APU's iGPU can't be passed through \
                         to a VM reliably (the AMD APU reset bug: after the VM stops, the GPU \
                         doesn't reset until the host reboots, and IOMMU grouping ties it to \
                         other devices)",
                        g.model
                    ),
                    "run the GPU node as a privileged LXC container on the same host \
                     (`kind: NodeKind::Lxc`, the seed's metal3 option), or use a discrete GPU",
                );
            }
        }
    }
    for n in &cluster.planned_nodes {
        if cluster.nodes.iter().any(|e| e.name == n.name) {
            err(
                format!("planned_nodes[{}]", n.name),
                "is both enabled and planned".into(),
                "keep the node in one list: `nodes` once it is joined, `planned_nodes` before",
            );
        }
    }
}

/// Unique, valid node names; the GPU plugin's label on exactly the Intel GPU nodes.
fn check_nodes(cluster: &Cluster, p: &mut Problems<'_>) {
    let mut err = |field: String, problem: String, fix: &str| p.add(field, problem, fix);
    let mut seen = BTreeSet::new();
    for n in &cluster.nodes {
        if let Err(e) = names::check_subdomain(&n.name) {
            err(
                format!("nodes[{}]", n.name),
                format!("node name {e}"),
                "use the node's Kubernetes name",
            );
        }
        if !seen.insert(&n.name) {
            err(
                format!("nodes[{}]", n.name),
                "declared twice".into(),
                "declare each node once",
            );
        }
        let (key, value) = &cluster.device_plugins.intel_gpu_label;
        let labelled = n.labels.iter().any(|(k, v)| k == key && v == value);
        let has_gpu = n.gpus().any(|g| g.vendor == GpuVendor::Intel);
        if has_gpu != labelled {
            err(
                format!("nodes[{}].labels", n.name),
                if has_gpu {
                    format!(
                        "has an Intel GPU but lacks the label {key}={value}: the GPU plugin's DaemonSet \
                         (from GpuDevicePlugin `intel-gpu`) selects nodes by it, so it would not run there, \
                         and pods asking for the GPU would stay Pending"
                    )
                } else {
                    format!(
                        "has no Intel GPU but carries the label {key}={value}: the GPU plugin's DaemonSet \
                         (from GpuDevicePlugin `intel-gpu`) selects nodes by it and would run on a node with \
                         nothing to advertise"
                    )
                },
                "make the node's labels match its hardware (`labels` in the inventory, and \
                 `kubectl label node` as BOOTSTRAP.md prints)",
            );
        }
    }
}

/// NFS exports the kubelet can mount; inventory images pinned to a release.
fn check_shares_and_images(cluster: &Cluster, p: &mut Problems<'_>) {
    let mut err = |field: String, problem: String, fix: &str| p.add(field, problem, fix);
    for share in &cluster.nfs_shares {
        if share.server.trim().is_empty() {
            err(
                format!("nfs_shares[{}].server", share.name),
                "is empty: the kubelet has no server to mount from".into(),
                "write the NFS server's address, e.g. `192.168.0.41`",
            );
        }
        if !share.path.starts_with('/') {
            err(
                format!("nfs_shares[{}].path", share.name),
                format!(
                    "{:?} is not an absolute path: the API server rejects an NFS volume whose path is empty or relative",
                    share.path
                ),
                "write the exported path as the server lists it (`showmount -e <server>`), e.g. `/nfs/k8s`",
            );
        }
    }
    for (field, image) in [
        ("defaults.wait_image", &cluster.defaults.wait_image),
        (
            "device_plugins.generic_device_plugin_image",
            &cluster.device_plugins.generic_device_plugin_image,
        ),
        (
            "device_plugins.amd_gpu_device_plugin_image",
            &cluster.device_plugins.amd_gpu_device_plugin_image,
        ),
        (
            "device_plugins.intel_gpu_plugin_image",
            &cluster.device_plugins.intel_gpu_plugin_image,
        ),
    ] {
        match super::ImageRef::parse(image) {
            Err(e) => err(
                field.into(),
                e,
                "write `registry/repository:tag`, optionally with `@sha256:<digest>`",
            ),
            Ok(i) if i.floating() => err(
                field.into(),
                format!(
                    "tag `{}` floats: the image changes under the same manifest",
                    i.tag
                ),
                "pin a release tag; Renovate proposes each update",
            ),
            Ok(_) => {}
        }
    }
}

/// The default storage class exists.
fn check_default_class(cluster: &Cluster, p: &mut Problems<'_>) {
    if cluster
        .storage_class(cluster.default_storage_class)
        .is_none()
    {
        p.add(
            "default_storage_class",
            format!(
                "`{}` is not among the storage classes",
                cluster.default_storage_class
            ),
            "name a declared storage class",
        );
    }
}
