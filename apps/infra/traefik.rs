//! Traefik, the ingress controller (ingress-nginx was retired in 2026).
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://traefik.github.io/charts", "traefik", "33.2.1")
        .namespace("traefik")
        .describe("Ingress controller")
        .provides_ingress_class("traefik")
        .provides_crds("traefik.io")
        // The chart's Service is `type: LoadBalancer` (its default).
        .needs_load_balancer()
        .values(json!({
            "ingressClass": { "enabled": true, "isDefaultClass": true, "name": "traefik" },
        }))
}
