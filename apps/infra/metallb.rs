//! MetalLB: addresses for Services of type `LoadBalancer` (traefik, mosquitto, transmission's
//! peer port), announced on the LAN in layer-2 mode. The pool and its advertisement are in
//! generated/cluster/network, from `load_balancer` in cluster.rs.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://metallb.github.io/metallb", "metallb", "0.16.1")
        .namespace("metallb-system")
        .describe("LoadBalancer addresses on the LAN (layer 2)")
        // The speaker uses the host network and NET_RAW to answer ARP.
        .pod_security(PodSecurity::Privileged)
        .provides_crds(crd::metallb::GROUP)
        .values(json!({
            "crds": { "enabled": true },
            // 0.16 defaults to the bundled frr-k8s, a BGP backend (a DaemonSet of FRR
            // routers); layer 2 needs no BGP, so the speaker announces without it.
            "frrk8s": { "enabled": false },
            "speaker": { "frr": { "enabled": false } },
        }))
}
