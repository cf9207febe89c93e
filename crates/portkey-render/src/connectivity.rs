//! ARCHITECTURE.md's connectivity matrix: every flow the generated NetworkPolicies allow,
//! from the same resolved connections they are compiled from
//! (`portkey_compile::network_policy`). Everything not listed is denied in the app
//! namespaces. The test `tests/it/network_policy.rs` evaluates the generated policies on
//! their own and checks that they allow exactly the app flows listed here.

use std::fmt::Write as _;

use portkey_compile::network_policy::{INGRESS_CONTROLLER, KUBE_DNS, ingress_namespace, lan_ports};
use portkey_model::app::Protocol;
use portkey_model::resolve::Catalogue;

fn proto(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "TCP",
        Protocol::Udp => "UDP",
    }
}

/// The "Network policy" section: the CNI assumption, the matrix, and what is not covered.
pub fn section(s: &mut String, catalogue: &Catalogue<'_>) {
    let cluster = catalogue.cluster;
    s.push_str("## Network policy\n\n");
    let _ = writeln!(
        s,
        "Every app namespace denies all ingress and egress by default (`<namespace>-default-deny`), lets every pod \
         ask kube-dns (`<namespace>-allow-dns`), and each app's own NetworkPolicy allows only the flows below. \
         They are standard `networking.k8s.io/v1` NetworkPolicies, enforced by the CNI: `{}` (ASSUMPTION: confirm; \
         the seed names no CNI).\n",
        cluster.cni.name
    );
    if cluster.cni.enforces_network_policy {
        s.push_str(
            "On a CNI that does not enforce NetworkPolicy (Flannel alone), the API server accepts the policies and \
             nothing is filtered: they are inert, and every pod can reach every other.\n\n",
        );
    } else {
        s.push_str(
            "**The inventory's CNI does not enforce NetworkPolicy: the policies below are inert, and every pod can \
             reach every other.**\n\n",
        );
    }
    rows(s, catalogue);
    not_covered(s, catalogue);
}

/// The matrix: one row per allowed flow.
fn rows(s: &mut String, catalogue: &Catalogue<'_>) {
    let cluster = catalogue.cluster;
    s.push_str("| From | To | Port | Declared by |\n|---|---|---|---|\n");
    let traefik = ingress_namespace(catalogue);
    for app in &catalogue.apps {
        let to = format!("`{}/{}`", app.app.namespace.name(), app.app.name);
        if let (Some(h), Some(p)) = (&app.app.https, app.app.ports.first()) {
            let _ = writeln!(
                s,
                "| `{traefik}/{INGRESS_CONTROLLER}` | {to} | {}/{} ({}) | `.https(\"{}\")` |",
                p.port,
                proto(p.protocol),
                p.name,
                h.host
            );
        }
        for p in lan_ports(app) {
            let _ = writeln!(
                s,
                "| LAN ({}) | {to} | {}/{} ({}) | `.lan()` |",
                cluster.lan_cidr,
                p.port,
                proto(p.protocol),
                p.name
            );
            if let Some(why) = &app.app.ingress_internet {
                let _ = writeln!(
                    s,
                    "| internet (not RFC 1918) | {to} | {}/{} ({}) | `.ingress_internet`: {why} |",
                    p.port,
                    proto(p.protocol),
                    p.name
                );
            }
        }
        for c in &app.connections {
            let _ = writeln!(
                s,
                "| `{}/{}` | `{}/{}` | {}/{} ({}) | `{}` |",
                app.app.namespace.name(),
                app.app.name,
                c.namespace,
                c.app,
                c.port,
                proto(c.protocol),
                c.port_name,
                c.declared_by
            );
        }
        if let Some(why) = &app.app.egress_internet {
            let _ = writeln!(
                s,
                "| `{}/{}` | internet (not RFC 1918) | any | `.egress_internet`: {why} |",
                app.app.namespace.name(),
                app.app.name
            );
        }
    }
    let _ = writeln!(
        s,
        "| every pod of an app namespace | `{}/{}` | 53/UDP, 53/TCP | `<namespace>-allow-dns` |",
        KUBE_DNS.0,
        (KUBE_DNS.1).1
    );
    s.push_str(
        "| Volsync movers of a namespace with backups | the restic repository (any address) | any TCP | \
         `<namespace>-volsync-mover`: the repository's URL is in a Secret made by hand |\n\n",
    );
}

/// What is not opened, and the namespaces no policy covers.
fn not_covered(s: &mut String, catalogue: &Catalogue<'_>) {
    s.push_str(
        "Not opened, because the pods do not need it: NFS and Ceph (the kubelet mounts NFS volumes and the Ceph \
         CSI node plugin maps RBD images on the node, outside the pod network; an NFS rule would let a pod mount \
         exports with a forged uid), the monitoring namespace (no app exposes a metrics port) and the API server \
         (no app workload uses it). The kubelet's probes come from the node, which the CNI allows to its own pods.\n\n",
    );
    s.push_str(
        "Not covered: the infrastructure namespaces of the chart releases get no NetworkPolicy yet (their pods \
         accept and open any connection). Their values set none, and a default-deny there must first allow each \
         chart's own flows (admission webhooks from the API server, the API server, node agents):\n\n",
    );
    let mut namespaces: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in &catalogue.charts {
        match namespaces.iter_mut().find(|(ns, _)| *ns == c.namespace) {
            Some((_, names)) => names.push(&c.name),
            None => namespaces.push((&c.namespace, vec![&c.name])),
        }
    }
    namespaces.sort();
    for (ns, names) in namespaces {
        let _ = writeln!(s, "- `{ns}`: {}", names.join(", "));
    }
    s.push_str(
        "- the Intel GPU plugin's pods, which the operator creates from `generated/cluster/devices/`'s \
         GpuDevicePlugin with its own labels. The other device plugins (DaemonSets in `kube-system`) get a \
         NetworkPolicy that isolates them: they use only the kubelet's Unix socket.\n\n",
    );
}
