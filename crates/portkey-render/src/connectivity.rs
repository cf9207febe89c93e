//! ARCHITECTURE.md's connectivity matrix: every flow the generated NetworkPolicies allow,
//! from the same resolved connections they are compiled from
//! (`portkey_compile::network_policy`). Everything not listed is denied in the app
//! namespaces. The test `tests/it/network_policy.rs` evaluates the generated policies on
//! their own and checks that they allow exactly the app flows listed here.

use std::fmt::Write as _;

use portkey_compile::network_policy::{INGRESS_CONTROLLER, KUBE_DNS, ingress_namespace, lan_ports};
use portkey_model::app::Protocol;
use portkey_model::chart::NetworkPolicyCoverage;
use portkey_model::resolve::Catalogue;

/// How the matrix names the Prometheus pods of the release that runs it.
pub const PROMETHEUS: &str = "prometheus";

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
        if let (Some(m), Some((release, _))) = (
            &app.metrics,
            portkey_compile::metrics::prometheus(catalogue),
        ) {
            let _ = writeln!(
                s,
                "| `{}/{PROMETHEUS}` | {to} | {}/TCP ({}) | `.metrics(\"{}\", \"{}\")`: the ServiceMonitor `{}` |",
                release.namespace, m.port, m.port_name, m.port_name, m.path, app.app.name
            );
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

/// What is not opened, and each chart release's namespace: covered by its chart's own
/// policies (which values, what they allow) or not covered (why), from the release file's
/// [`portkey_model::chart::NetworkPolicyCoverage`].
fn not_covered(s: &mut String, catalogue: &Catalogue<'_>) {
    s.push_str(
        "Not opened, because the pods do not need it: NFS and Ceph (the kubelet mounts NFS volumes and the Ceph \
         CSI node plugin maps RBD images on the node, outside the pod network; an NFS rule would let a pod mount \
         exports with a forged uid) and the API server (no app workload uses it). The kubelet's probes come from \
         the node, which the CNI allows to its own pods.\n\n",
    );
    let scraped = catalogue
        .apps
        .iter()
        .filter(|a| a.metrics.is_some())
        .count();
    match portkey_compile::metrics::prometheus(catalogue) {
        Some((release, _)) if scraped == 0 => {
            let _ = writeln!(
                s,
                "Prometheus (`{}/{PROMETHEUS}`, of the release `{}`) reaches an app only on the port of its \
                 `.metrics(..)`, and no app declares one: none serves Prometheus metrics with the settings its app \
                 file gives it.\n",
                release.namespace, release.name
            );
        }
        Some((release, _)) => {
            let _ = writeln!(
                s,
                "Prometheus (`{}/{PROMETHEUS}`, of the release `{}`) reaches only the {scraped} app(s) above that \
                 declare `.metrics(..)`, each on that one port.\n",
                release.namespace, release.name
            );
        }
        None => {}
    }
    s.push_str(
        "The infrastructure namespaces hold the chart releases' pods, and portkey writes no NetworkPolicy there: \
         each release file says whether its chart's own policies cover them.\n\n",
    );
    let mut covered = Vec::new();
    let mut open = Vec::new();
    for c in &catalogue.charts {
        match &c.network_policy {
            NetworkPolicyCoverage::Chart { values, allows } => covered.push(format!(
                "- `{}` ({}), turned on by {}: {allows}",
                c.namespace,
                c.name,
                values
                    .iter()
                    .map(|v| format!("`{v}: true`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            NetworkPolicyCoverage::NotCovered(why) => {
                open.push(format!("- `{}` ({}): {why}", c.namespace, c.name));
            }
            NetworkPolicyCoverage::Undeclared => open.push(format!(
                "- `{}` ({}): the release file does not say",
                c.namespace, c.name
            )),
        }
    }
    covered.sort();
    open.sort();
    if !covered.is_empty() {
        s.push_str("Covered by the chart's own policies:\n\n");
        for line in &covered {
            s.push_str(line);
            s.push('\n');
        }
        s.push('\n');
    }
    s.push_str("Not covered (their pods accept and open any connection):\n\n");
    for line in &open {
        s.push_str(line);
        s.push('\n');
    }
    s.push_str(
        "- the Intel GPU plugin's pods, which the operator creates from `generated/cluster/devices/`'s \
         GpuDevicePlugin with its own labels. The other device plugins (DaemonSets in `kube-system`) get a \
         NetworkPolicy that isolates them: they use only the kubelet's Unix socket.\n\n",
    );
}
