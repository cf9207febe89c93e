//! cert-manager: Let's Encrypt certificates for every Ingress (the ClusterIssuer is in
//! generated/cluster/issuers).
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://charts.jetstack.io", "cert-manager", "v1.21.1")
        .namespace("cert-manager")
        .describe("Certificates from Let's Encrypt")
        .provides_crds(crd::cert_manager::GROUP)
        .provides_crds("acme.cert-manager.io")
        .values(json!({
            "crds": { "enabled": true },
            "prometheus": { "servicemonitor": { "enabled": true } },
        }))
        .needs_crds(crd::monitoring::GROUP)
}
