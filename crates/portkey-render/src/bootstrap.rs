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
fn simulated(s: &mut String, simulation: &Simulation) {
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
         `HEALTH_ERR` is Degraded. To check the Ceph itself, run `ceph health detail` on a Proxmox host.\n\n"
    );
    for (wave, runs) in simulation.waves() {
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
        s.push('\n');
    }
    s.pop();
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

/// The bootstrap document, with the `components`, their derived waves and the replay of
/// Argo CD's sync (`simulation`).
pub fn document(
    catalogue: &Catalogue<'_>,
    components: &[Component],
    simulation: &Simulation,
) -> String {
    let mut s = String::from("# Bootstrap: bring the cluster back from Git\n\n");
    s.push_str(
        "Argo CD brings everything up from `generated/` in waves that portkey derives from the model: \
         operators before the custom resources that need them, storage and backups before the apps, \
         and every app after the apps it depends on. Nothing here is numbered by hand.\n\n",
    );
    s.push_str("## 1. Before Argo CD\n\n");
    s.push_str(
        "- Nodes joined (`kubeadm`), with the labels the inventory declares (`cluster.rs`), e.g. the GPU label on the GPU nodes.\n\
         - The external Ceph cluster imported into `rook-ceph` (Rook's `import-external-cluster.sh`). portkey owns the storage \
         classes (`generated/cluster/storage`): delete the class the script creates.\n\n",
    );
    let secrets = secrets::outside_git(catalogue);
    if !secrets.is_empty() {
        s.push_str("## 2. Secrets Git never holds\n\nCreate each before its app's first sync (values from your password manager; the restic ones must be the same as when the backups were made, or restores find nothing):\n\n| namespace | Secret | keys | used by |\n|---|---|---|---|\n");
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
        s.push_str("\n```sh\n");
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
                let _ = write!(s, " \\\n  --from-literal={k}='...'");
            }
            s.push('\n');
        }
        s.push_str("```\n\n");
    }
    s.push_str("## 3. Install Argo CD, then apply the root\n\n");
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
    s.push_str("## 4. What comes up, in order\n\nArgo CD applies wave N+1 only when every Application of wave N is Healthy and Synced (the Application health check is restored in Argo CD's config, and requires both).\n\n| wave | Application | kind | waits for |\n|---|---|---|---|\n");
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
    simulated(&mut s, simulation);
    let _ = writeln!(
        s,
        "\n## 6. Data\n\nEvery backed-up claim names a Volsync `ReplicationDestination` in its `dataSourceRef`: on a fresh \
         cluster it stays Pending until the newest backup is restored into it, so each app starts on its restored data. \
         Earlier snapshots and manual backups: [{RUNBOOK}]({RUNBOOK})."
    );
    s
}
