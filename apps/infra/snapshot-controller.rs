//! The CSI snapshot controller and its CRDs: Volsync's copyMethod Snapshot needs them.
//!
//! Chart 5.2.0, bumped from 5.1.1 (both snapshot-controller v8.6.0). 5.1.1 rendered the
//! VolumeGroupSnapshotContent CRD with a `Webhook` conversion pointing at the webhook's
//! Service, and a self-signed TLS Secret generated anew on every render, even with the
//! webhook off: conversions failed and Argo CD saw the CRD drift on each comparison. 5.2.0
//! renders the conversion stanza, the certificate and the Secret only with
//! `webhook.enabled: true`, and defaults it to false (upstream commit 5d733d8,
//! `../shared/charts/NOTES.md` (d)). The cluster holds no v1beta1/v1beta2 group snapshots,
//! so the webhook stays off; portkey still says so explicitly.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://piraeus.io/helm-charts/", "snapshot-controller", "5.2.0")
        .namespace("kube-system")
        .describe("CSI VolumeSnapshot controller and CRDs")
        .provides_crds(crd::snapshot::GROUP)
        .no_network_policy(
            "the chart's values.yaml at 5.2.0 has no NetworkPolicy setting, and `kube-system` holds the cluster's own \
             components (kube-dns, the control plane), which a namespace policy must not catch",
        )
        .values(json!({
            "controller": { "replicaCount": 2 },
            // The 5.2.0 default, kept explicit: no conversion webhook, no per-render
            // certificate, the CRD's conversion strategy `None`.
            "webhook": { "enabled": false },
        }))
}
