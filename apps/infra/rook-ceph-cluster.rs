//! The connection to the external Ceph cluster (Proxmox, 192.168.0.x). Storage classes are
//! portkey's own (generated/cluster/storage), so the chart creates no pools or classes.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://charts.rook.io/release", "rook-ceph-cluster", "v1.20.6")
        .namespace("rook-ceph")
        .describe("External CephCluster (consumer of the Proxmox Ceph)")
        .pod_security(PodSecurity::Privileged)
        .needs_crds("ceph.rook.io")
        .no_network_policy("the chart's values.yaml at v1.20.6 has no NetworkPolicy setting")
        .after("ceph-csi-drivers")
        .new_value_path(
            "cephClusterSpec.external",
            "cephClusterSpec is the CephCluster spec, passed through; the chart's own values-external.yaml (v1.20.6) sets external.enable",
        )
        .values(json!({
            "operatorNamespace": "rook-ceph",
            "cephClusterSpec": {
                "external": { "enable": true },
                "crashCollector": { "disable": true },
                "healthCheck": { "daemonHealth": { "mon": { "disabled": false, "interval": "45s" } } },
            },
            "cephBlockPools": [],
            "cephFileSystems": [],
            "cephObjectStores": [],
            "cephBlockPoolsVolumeSnapshotClass": { "enabled": false },
        }))
}
