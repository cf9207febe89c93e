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
            // The DNS-01 self-check asks public resolvers only: the LAN's DNS answers the
            // domain itself (its records point at traefik's LAN address) and never holds the
            // challenge's TXT record (https://cert-manager.io/docs/configuration/acme/dns01/#setting-nameservers-for-dns01-self-check).
            "dns01RecursiveNameservers": "1.1.1.1:53,1.0.0.1:53",
            "dns01RecursiveNameserversOnly": true,
        }))
        .needs_crds(crd::monitoring::GROUP)
}
