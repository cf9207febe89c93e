//! Volsync: restic backups and restore-on-create (volume populator). It registers as a
//! populator only if the VolumePopulator CRD exists when it starts, so it comes after
//! cluster-storage, which carries that CRD.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://backube.github.io/helm-charts/", "volsync", "0.16.0")
        .namespace("volsync-system")
        .describe("Backups (restic) and restores of PersistentVolumeClaims")
        .provides_crds(crd::volsync::GROUP)
        .no_network_policy(
            "the chart's values.yaml at 0.16.0 has no NetworkPolicy setting (its movers, in the app namespaces, are \
             covered by `<namespace>-volsync-mover`)",
        )
        .needs_crds(crd::snapshot::GROUP)
        .needs_crds(crd::populator::GROUP)
        .values(json!({
            "manageCRDs": true,
            "metrics": { "disableAuth": true },
        }))
}
