//! The CSI snapshot controller and its CRDs: Volsync's copyMethod Snapshot needs them.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://piraeus.io/helm-charts/", "snapshot-controller", "5.1.1")
        .namespace("kube-system")
        .describe("CSI VolumeSnapshot controller and CRDs")
        .provides_crds(crd::snapshot::GROUP)
        .values(json!({
            "controller": { "replicaCount": 2 },
            "webhook": { "enabled": false },
        }))
}
