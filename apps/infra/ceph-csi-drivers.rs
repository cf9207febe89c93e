//! Ceph CSI drivers (Rook v1.20 installs them through ceph-csi-operator): provides the
//! `rook-ceph.rbd.csi.ceph.com` provisioner the storage classes name.
//! The driver-name values follow the home-ops deployments in ../shared/docs/app-facts.md
//! and should be checked against the chart's values.yaml when it is bumped.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://ceph.github.io/ceph-csi-operator", "ceph-csi-drivers", "1.0.4")
        .namespace("rook-ceph")
        .describe("Ceph CSI RBD driver")
        .pod_security(PodSecurity::Privileged)
        .after("rook-ceph")
        .provides_csi_driver("rook-ceph.rbd.csi.ceph.com")
        .no_network_policy(
            "the chart's values.yaml at 1.0.4 has no NetworkPolicy setting; its node plugins map RBD images from the \
             external Ceph",
        )
        .values(json!({
            "operatorConfig": { "namespace": "rook-ceph" },
            "drivers": {
                "rbd": { "name": "rook-ceph.rbd.csi.ceph.com" },
                "cephfs": { "name": "rook-ceph.cephfs.csi.ceph.com" },
            },
        }))
}
