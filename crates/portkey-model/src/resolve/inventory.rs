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
    let mut err = |field: String, problem: String, fix: &str| p.add(field, problem, fix);
    let mut seen = BTreeSet::new();
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
                        "has an Intel GPU but lacks the label {key}={value} the GPU plugin selects nodes by"
                    )
                } else {
                    format!(
                        "has no Intel GPU but carries the label {key}={value} the GPU plugin selects nodes by"
                    )
                },
                "make the node's labels match its hardware",
            );
        }
    }
    if cluster
        .storage_class(cluster.default_storage_class)
        .is_none()
    {
        err(
            "default_storage_class".into(),
            format!(
                "`{}` is not among the storage classes",
                cluster.default_storage_class
            ),
            "name a declared storage class",
        );
    }
    out
}
