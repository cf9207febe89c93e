//! Rook's Ceph operator (CRDs and controller), for the external Proxmox Ceph cluster.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://charts.rook.io/release", "rook-ceph", "v1.20.6")
        .namespace("rook-ceph")
        .describe("Ceph operator; connects to the external Proxmox Ceph cluster")
        .pod_security(PodSecurity::Privileged)
        .provides_crds("ceph.rook.io")
        .server_side_apply()
        .values(json!({
            "crds": { "enabled": true },
            // Rook v1.20 runs the CSI drivers through ceph-csi-operator.
            "csi": { "installCsiOperator": true },
        }))
}
