//! `generated/BOOTSTRAP.md`: bringing the cluster back from Git — install Argo CD, create the
//! Secrets Git never holds, apply the root Application — and what comes up in which wave.

use std::fmt::Write as _;

use portkey_compile::{BOOTSTRAP_DIR, ROOT_APP};
use portkey_model::backup::RUNBOOK;
use portkey_model::components::{Component, ComponentKind};
use portkey_model::resolve::Catalogue;
use portkey_model::secrets;

use crate::to_yaml;
use portkey_converge::Simulation;
use portkey_converge::charts::CEPH_CLUSTER;

/// Section 5: the simulated bootstrap, wave by wave, with the provider of each address,
/// certificate, device resource and health check, or the object it stalls on.
fn simulated(s: &mut dyn std::fmt::Write, simulation: &Simulation) {
    let (group, kind) = CEPH_CLUSTER;
    let _ = write!(
        s,
        "\n## 5. The bootstrap, simulated\n\n\
         portkey replays this sync before it writes anything (`portkey plan --bootstrap`), with the health rules of \
         Argo CD and gitops-engine: a `LoadBalancer` Service and an Ingress need an address, claims bind, workloads \
         roll out (a node matches, a device plugin advertises each resource on it, their Secrets exist), \
         certificates become Ready and restores complete. Render fails on an object that never would.\n\n\
         - An Application counts as healthy only when it is `Healthy` **and** `Synced` (the Application health \
         check in the argo-cd values): a partly failed sync can report Healthy.\n\
         - Argo CD's built-in {kind} check calls `HEALTH_WARN` Degraded, and the Proxmox Ceph often warns. The \
         argo-cd values override it (`configs.cm`, key `resource.customizations.health.{group}_{kind}`, in \
         `apps/infra/argo-cd.rs`): Healthy while `status.state` is Connected, whatever the warnings; \
         `HEALTH_ERR` is Degraded. To check the Ceph itself, run `ceph health detail` on a Proxmox host.\n"
    );
    // A blank line before each wave (written as it goes, nothing is taken back).
    for (wave, runs) in simulation.waves() {
        let _ = s.write_char('\n');
        if runs.iter().all(|r| r.converges()) {
            let _ = writeln!(s, "**Wave {wave} converges.**\n");
        } else {
            let _ = writeln!(s, "**Wave {wave} stalls.**\n");
        }
        for r in &runs {
            for v in &r.verdicts {
                match v.stall() {
                    Some(
                        stall @ portkey_converge::Stall {
                            blocked_by: None, ..
                        },
                    ) => {
                        let _ = writeln!(
                            s,
                            "- {}: {} never becomes healthy: {}. Fix: {}.",
                            r.name, v.object, stall.reason, stall.fix
                        );
                    }
                    Some(portkey_converge::Stall {
                        blocked_by: Some(root),
                        ..
                    }) => {
                        let _ = writeln!(s, "- {}: {} waits on {root}", r.name, v.object);
                    }
                    None => {}
                }
            }
            for (object, p) in r.shown() {
                let _ = writeln!(s, "- {}: {} for {}: {}", r.name, p.what, object, p.by);
            }
        }
        let quiet: Vec<&str> = runs
            .iter()
            .filter(|r| r.converges() && r.shown().is_empty())
            .map(|r| r.name.as_str())
            .collect();
        if !quiet.is_empty() {
            let _ = writeln!(s, "- also: {}", quiet.join(", "));
        }
    }
}

/// Path of the document under `generated/`.
pub const PATH: &str = "BOOTSTRAP.md";

fn what(c: &Component) -> &'static str {
    match c.kind {
        ComponentKind::Chart => "chart",
        ComponentKind::Cluster(_) => "cluster part",
        ComponentKind::App => "app",
    }
}

/// Section 1: what the nodes and the storage need before Argo CD can bring anything up,
/// each item derived from the inventory and the catalogue.
fn before_argo_cd(catalogue: &Catalogue<'_>) -> String {
    let cluster = catalogue.cluster;
    let mut s = String::from(
        "- Nodes joined (`kubeadm`), each with the labels the inventory declares (`cluster.rs`):\n",
    );
    let labelled: Vec<_> = cluster
        .nodes
        .iter()
        .filter(|n| !n.labels.is_empty())
        .collect();
    if labelled.is_empty() {
        s.push_str("  no node needs a label by hand.\n");
    } else {
        s.push_str(
            "  device plugins select their nodes by them, so a node without its label gets no plugin \
             and the pods that need its hardware stay Pending.\n\n  ```sh\n",
        );
        for n in labelled {
            let labels: Vec<String> = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let _ = writeln!(s, "  kubectl label node {} {}", n.name, labels.join(" "));
        }
        s.push_str("  ```\n");
    }
    for n in &cluster.planned_nodes {
        let _ = writeln!(
            s,
            "  `{}` ({} on {}) is declared but not enabled: it joins only once `cluster.rs` moves it to the joined nodes.",
            n.name,
            node_kind(n.kind),
            n.host.name
        );
    }
    let nfs = catalogue.apps.iter().any(|a| {
        a.app
            .volumes
            .iter()
            .any(|v| matches!(v.source, portkey_model::app::VolumeSource::Nfs(_)))
    });
    if nfs {
        let servers: std::collections::BTreeSet<&str> = cluster
            .nfs_shares
            .iter()
            .map(|s| s.server.as_str())
            .collect();
        let servers: Vec<&str> = servers.into_iter().collect();
        let _ = writeln!(
            s,
            "- `nfs-common` (Debian, Ubuntu; `nfs-utils` on Fedora) installed on every node: the kubelet mounts the \
             apps' inline NFS volumes (server {}) with the node's own `mount.nfs`, and without it their pods stay \
             `ContainerCreating` (`bad option; ... you might need a /sbin/mount.<type> helper program`).",
            servers.join(", ")
        );
    }
    let pools: std::collections::BTreeSet<&str> = cluster
        .storage_classes
        .iter()
        .flat_map(|c| {
            c.parameters
                .iter()
                .filter(|(k, _)| k == "pool")
                .map(|(_, v)| v.as_str())
        })
        .collect();
    let pools: Vec<String> = pools.into_iter().map(|p| format!("`{p}`")).collect();
    let _ = writeln!(
        s,
        "- The external Ceph cluster imported into `rook-ceph`: on a Ceph node, run Rook's \
         `create-external-cluster-resources.py` (with `--rbd-data-pool-name` set to the RBD pool {pools}), then \
         `import-external-cluster.sh` against this cluster with its output. **Value to confirm:** the pool name \
         in `cluster.rs` must be the pool the import was run with.",
        pools = if pools.is_empty() {
            "the storage classes use".to_string()
        } else {
            pools.join(", ")
        }
    );
    let default = cluster.storage_class(cluster.default_storage_class);
    match default {
        Some(c) if c.managed => {
            let _ = writeln!(
                s,
                "- portkey owns the storage classes (`generated/cluster/storage`): delete the class the import script \
                 creates. `{}` is the cluster's default class (`storageclass.kubernetes.io/is-default-class: \"true\"`).",
                c.name
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "- The default class `{0}` is created outside portkey: mark it the default with \
                 `kubectl annotate storageclass {0} storageclass.kubernetes.io/is-default-class=true`.",
                cluster.default_storage_class
            );
        }
    }
    for item in crate::prerequisites::prerequisites(catalogue) {
        let _ = writeln!(s, "- {item}");
    }
    s
}

fn node_kind(kind: portkey_model::cluster::NodeKind) -> &'static str {
    match kind {
        portkey_model::cluster::NodeKind::Vm => "a VM",
        portkey_model::cluster::NodeKind::Lxc => "an LXC container",
        portkey_model::cluster::NodeKind::Metal => "bare metal",
    }
}

/// The bootstrap document, with the `components`, their derived waves and the replay of
/// Argo CD's sync (`simulation`): what [`write_document`] writes, in one string.
pub fn document(
    catalogue: &Catalogue<'_>,
    components: &[Component],
    simulation: &Simulation,
) -> String {
    // Written once, into a growing string: sizing it first would run the whole document
    // twice, and it is a tenth of RESTORE.md's size.
    let mut s = String::new();
    write_document(&mut s, catalogue, components, simulation);
    s
}

/// Writes the bootstrap document [`document`] returns into `out`, piece by piece: what
/// `render` streams to its file (at N = 20,000 apps section 2 alone lists 40,000 Secrets).
pub fn write_document(
    s: &mut dyn std::fmt::Write,
    catalogue: &Catalogue<'_>,
    components: &[Component],
    simulation: &Simulation,
) {
    let _ = s.write_str("# Bootstrap: bring the cluster back from Git\n\n");
    let _ = s.write_str(
        "Argo CD brings everything up from `generated/` in waves that portkey derives from the model: \
         operators before the custom resources that need them, storage and backups before the apps, \
         and every app after the apps it depends on. Nothing here is numbered by hand.\n\n",
    );
    let _ = s.write_str("## 1. Before Argo CD\n\n");
    let _ = s.write_str(&before_argo_cd(catalogue));
    let _ = s.write_str(&crate::prerequisites::network(catalogue));
    if let Some(store) = &catalogue.cluster.backup.secret_store {
        let _ = s.write_str(&crate::store::section(catalogue, store));
    } else {
        // Listed here only without a store (with one, its section says what it provides).
        let secrets = secrets::outside_git(catalogue);
        if !secrets.is_empty() {
            let _ = s.write_str("## 2. Secrets Git never holds\n\nCreate each before its app's first sync (values from your password manager; the restic ones must be the same as when the backups were made, or restores find nothing):\n\n| namespace | Secret | keys | used by |\n|---|---|---|---|\n");
            for ((ns, name), secret) in &secrets {
                let keys: Vec<String> = secret.keys.iter().map(|k| format!("`{k}`")).collect();
                let users: Vec<&str> = secret.used_by.iter().map(String::as_str).collect();
                let _ = writeln!(
                    s,
                    "| {ns} | `{name}` | {} | {} |",
                    keys.join(", "),
                    users.join(", ")
                );
            }
            let _ = s.write_str("\n```sh\n");
            let mut current = "";
            for ((ns, name), secret) in &secrets {
                if ns != current {
                    let _ = writeln!(
                        s,
                        "kubectl create namespace {ns} --dry-run=client -o yaml | kubectl apply -f -"
                    );
                    current = ns;
                }
                let _ = write!(s, "kubectl -n {ns} create secret generic {name}");
                for k in &secret.keys {
                    if secret.files.contains(k) {
                        let _ = write!(s, " \\\n  --from-file={k}=./{k}");
                    } else {
                        let form = secret.forms.get(k).map_or("...", String::as_str);
                        let _ = write!(s, " \\\n  --from-literal={k}='{form}'");
                    }
                }
                let _ = s.write_char('\n');
            }
            let _ = s.write_str("```\n\n");
        }
    }
    let _ = s.write_str("## 3. Install Argo CD, then apply the root\n\n");
    if let Some(argo) = catalogue.charts.iter().find(|c| c.chart == "argo-cd") {
        let values = to_yaml(&argo.values).unwrap_or_default();
        let _ = writeln!(
            s,
            "Install the same release Argo CD will then manage itself (`{}`):\n\n```sh\nhelm install {} {} --repo {} --version {} --namespace {} --create-namespace -f - <<'EOF'\n{values}EOF\n```\n",
            argo.source, argo.name, argo.chart, argo.repo, argo.version, argo.namespace
        );
    }
    let _ = writeln!(
        s,
        "Then one command brings up everything else:\n\n```sh\nkubectl apply -f generated/{BOOTSTRAP_DIR}/application-{ROOT_APP}.yaml\n```\n"
    );
    let _ = s.write_str("## 4. What comes up, in order\n\nArgo CD applies wave N+1 only when every Application of wave N is Healthy and Synced (the Application health check is restored in Argo CD's config, and requires both).\n\n| wave | Application | kind | waits for |\n|---|---|---|---|\n");
    let mut ordered: Vec<&Component> = components.iter().collect();
    ordered.sort_by(|a, b| (a.wave, &a.name).cmp(&(b.wave, &b.name)));
    for c in ordered {
        let waits: Vec<&str> = c.depends_on.iter().map(String::as_str).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            c.wave,
            c.name,
            what(c),
            if waits.is_empty() {
                "-".into()
            } else {
                waits.join(", ")
            }
        );
    }
    simulated(s, simulation);
    let _ = writeln!(
        s,
        "\n## 6. Data\n\nEvery backed-up claim names a Volsync `ReplicationDestination` in its `dataSourceRef`: on a fresh \
         cluster it stays Pending until the newest backup is restored into it, so each app starts on its restored data. \
         Earlier snapshots and manual backups: [{RUNBOOK}]({RUNBOOK})."
    );
}
