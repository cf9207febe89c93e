//! Traefik, the ingress controller (ingress-nginx was retired in 2026).
//!
//! Chart 41.3.0 (Traefik v3.7.11), bumped from 33.2.1. The breaking changes on the way
//! (`charts/traefik/41.3.0/`, and `../shared/charts/NOTES.md` (b) where it was researched):
//! - `ports.<ep>.redirectTo` became `ports.<ep>.redirections` (v34.0.0) and then
//!   `ports.<ep>.http.redirections` (v39.0.0); portkey set no redirect before, and now
//!   sets it in the new place;
//! - `service.type` became `service.spec.type` (v40.0.0); portkey keeps the default
//!   `LoadBalancer`, so it sets neither;
//! - the 41.x `values.schema.json` rejects unknown keys at the root and under `ports.*`,
//!   which the chart-values check now applies to the merged values;
//! - 41.x supports only Traefik v3.6+ and Kubernetes 1.25+ (v40.0.0): the cluster runs 1.35.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://traefik.github.io/charts", "traefik", "41.3.0")
        .namespace("traefik")
        .describe("Ingress controller")
        .provides_ingress_class("traefik")
        .provides_crds("traefik.io")
        .no_network_policy("the chart's values.yaml at 41.3.0 has no NetworkPolicy setting")
        // The chart's Service is `type: LoadBalancer` (its default `service.spec.type`), at
        // a fixed address because the DNS records point at it.
        .needs_load_balancer()
        .load_balancer_address(INGRESS_ADDRESS)
        .values(json!({
            "ingressClass": { "enabled": true, "isDefaultClass": true, "name": "traefik" },
            // Plain HTTP on `web` answers with a permanent redirect to HTTPS on `websecure`
            // (the chart's EXAMPLES.md at v41.3.0, "HTTP to HTTPS redirect"); its template
            // fails the render if `to` names an unknown entry point. Certificates don't depend
            // on plain HTTP: cert-manager solves DNS-01 (cluster.rs), and Let's Encrypt
            // follows an HTTP-01 redirect to 443 anyway
            // (https://letsencrypt.org/docs/challenge-types/#http-01-challenge).
            "ports": {
                "web": { "http": { "redirections": { "entryPoint": {
                    "to": "websecure", "scheme": "https", "permanent": true,
                } } } },
            },
            "service": {
                "annotations": { crd::metallb::load_balancer_ips_annotation(): INGRESS_ADDRESS },
            },
        }))
}
