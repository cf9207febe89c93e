//! Rook's Ceph operator (CRDs and controller), for the external Proxmox Ceph cluster.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://charts.rook.io/release", "rook-ceph", "v1.20.6")
        .namespace("rook-ceph")
        .describe("Ceph operator; connects to the external Proxmox Ceph cluster")
        .pod_security(PodSecurity::Privileged)
        .provides_crds("ceph.rook.io")
        .no_network_policy(
            "the chart's values.yaml at v1.20.6 has no NetworkPolicy setting; the operator reaches the external Ceph's \
             monitors on the LAN",
        )
        .server_side_apply()
        .values(json!({
            "crds": { "enabled": true },
            // Rook v1.20 runs the CSI drivers through ceph-csi-operator.
            "csi": { "installCsiOperator": true },
        }))
}
