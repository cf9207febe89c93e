//! Traefik, the ingress controller (ingress-nginx was retired in 2026).
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://traefik.github.io/charts", "traefik", "33.2.1")
        .namespace("traefik")
        .describe("Ingress controller")
        .provides_ingress_class("traefik")
        .provides_crds("traefik.io")
        // The chart's Service is `type: LoadBalancer` (its default), at a fixed address
        // because the DNS records point at it.
        .needs_load_balancer()
        .load_balancer_address(INGRESS_ADDRESS)
        .values(json!({
            "ingressClass": { "enabled": true, "isDefaultClass": true, "name": "traefik" },
            // `service.annotations` is accepted by 33.x and 41.x alike.
            "service": {
                "annotations": { crd::metallb::load_balancer_ips_annotation(): INGRESS_ADDRESS },
            },
        }))
}
