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
        // The chart's `templates/networkpolicy.yaml` (metallb/metallb `charts/metallb`):
        // `defaultDeny` denies everything in the namespace, and the controller may reach
        // only the API server on `apiPort` (6443, kubeadm's `--secure-port` default) and
        // accept only its metrics and webhook ports (the API server's webhook calls). The
        // speakers use the host network, which NetworkPolicy does not filter.
        .network_policies_from_chart(
            &["networkpolicies.enabled", "networkpolicies.defaultDeny"],
            "default deny; the controller: egress only to the API server (TCP 6443), ingress only on its metrics and \
             webhook ports; the speakers use the host network (not filtered)",
        )
        .values(json!({
            "crds": { "enabled": true },
            "networkpolicies": { "enabled": true, "defaultDeny": true, "apiPort": 6443 },
            // 0.16 defaults to the bundled frr-k8s, a BGP backend (a DaemonSet of FRR
            // routers); layer 2 needs no BGP, so the speaker announces without it.
            "frrk8s": { "enabled": false },
            "speaker": { "frr": { "enabled": false } },
        }))
}
