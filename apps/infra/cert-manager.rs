//! cert-manager: Let's Encrypt certificates for every Ingress (the ClusterIssuer is in
//! generated/cluster/issuers).
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://charts.jetstack.io", "cert-manager", "v1.21.1")
        .namespace("cert-manager")
        .describe("Certificates from Let's Encrypt")
        .provides_crds(crd::cert_manager::GROUP)
        .provides_crds("acme.cert-manager.io")
        // The chart's policies (`templates/networkpolicy-cert-manager.yaml`,
        // `networkpolicy-webhooks.yaml`, `networkpolicy-cainjector.yaml` and
        // `networkpolicy-egress.yaml` at v1.21.1), with the rules of its values.yaml: each of
        // the controller, the webhook and cainjector accepts only its own ports from any
        // address (the webhook's `https` from the API server, which calls it from the host;
        // metrics and health from Prometheus and the kubelet) and opens only TCP 80, 443 and
        // 6443 and DNS (the API server, the ACME directory, Cloudflare's API, the DNS-01
        // self-check's public resolvers on 53). The startupapicheck Job has no switch at
        // this version and stays open.
        .network_policies_from_chart(
            &["networkPolicy.enabled", "webhook.networkPolicy.enabled", "cainjector.networkPolicy.enabled"],
            "controller, webhook and cainjector: ingress only on their own ports (the webhook's from the API server), \
             egress only to TCP 80, 443, 6443 and DNS; the startupapicheck Job is not covered",
        )
        .values(json!({
            "crds": { "enabled": true },
            "networkPolicy": { "enabled": true },
            "webhook": { "networkPolicy": { "enabled": true } },
            "cainjector": { "networkPolicy": { "enabled": true } },
            "prometheus": { "servicemonitor": { "enabled": true } },
            // The DNS-01 self-check asks public resolvers only: the LAN's DNS answers the
            // domain itself (its records point at traefik's LAN address) and never holds the
            // challenge's TXT record (https://cert-manager.io/docs/configuration/acme/dns01/#setting-nameservers-for-dns01-self-check).
            "dns01RecursiveNameservers": "1.1.1.1:53,1.0.0.1:53",
            "dns01RecursiveNameserversOnly": true,
        }))
        .needs_crds(crd::monitoring::GROUP)
}
