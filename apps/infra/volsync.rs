//! Volsync: restic backups and restore-on-create (volume populator). It registers as a
//! populator only if the VolumePopulator CRD exists when it starts, so it comes after
//! cluster-storage, which carries that CRD.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://backube.github.io/helm-charts/", "volsync", "0.16.0")
        .namespace("volsync-system")
        .describe("Backups (restic) and restores of PersistentVolumeClaims")
        .provides_crds("volsync.backube")
        .needs_crds("snapshot.storage.k8s.io")
        .needs_crds("populator.storage.k8s.io")
        .values(json!({
            "manageCRDs": true,
            "metrics": { "disableAuth": true },
        }))
}
