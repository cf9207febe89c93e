//! ARCHITECTURE.md's operational sections, each produced from the model: the external
//! dependencies and what their failure looks like, the Ceph-failure and complete-recovery
//! procedures, monitoring, maintenance, and the known issues (the seed's sections of the
//! same names).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use portkey_model::analysis::Plan;
use portkey_model::app::VolumeSource;
use portkey_model::backup::RUNBOOK;
use portkey_model::backup::empty_restore::is_trap;
use portkey_model::chart::{Capability, Chart};
use portkey_model::cluster::{GpuVendor, NodeKind};
use portkey_model::resolve::Catalogue;

/// The bootstrap document, linked from the recovery procedure.
const BOOTSTRAP: &str = crate::bootstrap::PATH;

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// A StorageClass provisioner is Ceph's when its CSI driver name says so
/// (`rook-ceph.rbd.csi.ceph.com`).
fn is_ceph(provisioner: &str) -> bool {
    provisioner.contains("ceph")
}

/// The chart release that provides `provisioner` (its CSI driver), if any.
fn provider<'c>(catalogue: &'c Catalogue<'_>, provisioner: &str) -> Option<&'c Chart> {
    catalogue.charts.iter().find(|c| {
        c.provides
            .iter()
            .any(|p| matches!(p, Capability::Provisioner(d) if d == provisioner))
    })
}

/// The claims on Ceph classes, as `app/claim`, by app.
fn ceph_claims<'c>(catalogue: &'c Catalogue<'_>) -> BTreeMap<&'c str, Vec<&'c str>> {
    let ceph: Vec<&str> = catalogue
        .cluster
        .storage_classes
        .iter()
        .filter(|c| is_ceph(&c.provisioner))
        .map(|c| c.name.as_str())
        .collect();
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for app in &catalogue.apps {
        for c in &app.claims {
            if ceph.contains(&c.storage_class.as_str()) {
                out.entry(app.app.name.as_str())
                    .or_default()
                    .push(c.name.as_str());
            }
        }
    }
    out
}

/// "External dependencies": Ceph and NFS, who depends on each, what a failure looks like.
pub fn external_dependencies(s: &mut String, catalogue: &Catalogue<'_>) {
    let cluster = catalogue.cluster;
    s.push_str("## External dependencies\n\n");
    let classes: Vec<String> = cluster
        .storage_classes
        .iter()
        .filter(|c| is_ceph(&c.provisioner))
        .map(|c| format!("`{}`", c.name))
        .collect();
    if !classes.is_empty() {
        let claims = ceph_claims(catalogue);
        let apps: Vec<String> = claims.keys().map(|a| (*a).to_string()).collect();
        let count: usize = claims.values().map(Vec::len).sum();
        let drivers: std::collections::BTreeSet<&str> = cluster
            .storage_classes
            .iter()
            .filter(|c| is_ceph(&c.provisioner))
            .map(|c| c.provisioner.as_str())
            .collect();
        let namespace = drivers
            .iter()
            .find_map(|d| provider(catalogue, d))
            .map_or("rook-ceph", |c| c.namespace.as_str());
        let _ = writeln!(
            s,
            "### Ceph storage (critical)\n\n\
             - **Usage**: every claim on {} ({count} claims), of {}.\n\
             - **Failure**: pods whose claim is on Ceph hang in `ContainerCreating` (the volume cannot attach), running \
             ones block on I/O, and the backups of those claims fail (the `VolSync` alerts fire).\n\
             - **Check**: the Ceph cluster's own dashboard (on the Proxmox hosts), then `kubectl -n {namespace} get cephcluster` \
             and `kubectl -n {namespace} get pods`.\n",
            classes.join(", "),
            list(&apps),
        );
    }
    if !cluster.nfs_shares.is_empty() {
        s.push_str("### NFS storage\n\n| Share | Export | Used by |\n|---|---|---|\n");
        for share in &cluster.nfs_shares {
            let users: Vec<String> = catalogue
                .apps
                .iter()
                .filter(|a| {
                    a.app.volumes.iter().any(|v| {
                        matches!(&v.source, VolumeSource::Nfs(n) if n.share.name() == share.name)
                    })
                })
                .map(|a| a.app.name.clone())
                .collect();
            let _ = writeln!(
                s,
                "| {} | `{}:{}` | {} |",
                share.name,
                share.server,
                share.path,
                list(&users)
            );
        }
        let servers: std::collections::BTreeSet<&str> = cluster
            .nfs_shares
            .iter()
            .map(|n| n.server.as_str())
            .collect();
        let servers: Vec<&str> = servers.into_iter().collect();
        let _ = writeln!(
            s,
            "\n- **Failure**: a pod that mounts a share cannot start while the server is away (`ContainerCreating`, \
             `mount.nfs: Connection timed out`), and running ones block on I/O until it returns. NFS data is not \
             backed up by Volsync.\n\
             - **Check**: `showmount -e {}` from a node; mount the export by hand to test it.\n",
            servers.join(", ")
        );
    }
}

/// "Recovery procedures": Ceph failure and complete recovery, pointing into the runbooks.
pub fn recovery(s: &mut String, catalogue: &Catalogue<'_>) {
    let claims = ceph_claims(catalogue);
    let backed: Vec<String> = catalogue
        .backups()
        .map(|(_, c, _)| format!("`{}`", c.name))
        .collect();
    let exempt: Vec<String> = catalogue
        .apps
        .iter()
        .flat_map(|a| a.claims.iter().filter(|c| c.backup.is_none()))
        .map(|c| format!("`{}`", c.name))
        .collect();
    let hosts: std::collections::BTreeSet<&str> = catalogue
        .cluster
        .nodes
        .iter()
        .map(|n| n.host.name.as_str())
        .collect();
    let hosts: Vec<&str> = hosts.into_iter().collect();
    let _ = writeln!(
        s,
        "## Recovery procedures\n\n### Ceph failure\n\n\
         1. Every claim on Ceph is unavailable (the claims of {} apps); their pods hang in `ContainerCreating`.\n\
         2. Check the Ceph cluster (see External dependencies) and bring it back; do not delete the stuck pods' claims.\n\
         3. Once Ceph is back, the pods recover by themselves.\n\
         4. If a volume's data is lost, restore it from its backup ([{RUNBOOK}]({RUNBOOK})). The claims without a \
         backup ({}) come back empty.\n\n\
         ### Complete cluster recovery\n\n\
         1. Restore the node VMs on their hosts ({}) from Proxmox templates or backups.\n\
         2. Bootstrap the cluster with `kubeadm`, with the prerequisites of [{BOOTSTRAP}]({BOOTSTRAP}) (section 1).\n\
         3. Create the Secrets Git never holds (section 2), with the old restic passwords and repository URLs.\n\
         4. Install Argo CD and apply the root (section 3); Argo CD brings every application back from Git, wave by wave.\n\
         5. The data comes back by itself: each backed-up claim ({}) is populated from its newest backup before its \
         app starts. The claims without a backup ({}) start empty.\n",
        claims.len(),
        list(&exempt),
        hosts.join(", "),
        list(&backed),
        list(&exempt),
    );
}

/// A string at `pointer` in `chart`'s values.
fn value<'c>(chart: &'c Chart, pointer: &str) -> Option<&'c str> {
    chart.values.pointer(pointer).and_then(|v| v.as_str())
}

/// "Monitoring": the Prometheus release, the Grafana URL, where the alerts go.
pub fn monitoring(s: &mut String, catalogue: &Catalogue<'_>) {
    s.push_str("## Monitoring\n\n");
    // The release that configures Alertmanager: kube-prometheus-stack.
    let stack = catalogue
        .charts
        .iter()
        .find(|c| c.values.pointer("/alertmanager/config").is_some());
    if let Some(stack) = stack {
        let _ = writeln!(
            s,
            "- **Prometheus**: the `{}` release (`{}` chart {}) in the `{}` namespace.",
            stack.name, stack.chart, stack.version, stack.namespace
        );
        if let Some(host) = value(stack, "/grafana/ingress/hosts/0") {
            let _ = writeln!(s, "- **Grafana**: https://{host}");
        }
        let _ = writeln!(s, "- **Alertmanager**: {}", alertmanager_routes(stack));
    }
    let alerts = &catalogue.cluster.alerts;
    let _ = writeln!(
        s,
        "- **Backups**: the `VolSync` rules (`generated/cluster/alerts`, namespace `{}`) carry `{}: {}`, so \
         Alertmanager routes them to ntfy: a backup out of sync, or Volsync's metrics absent.\n",
        alerts.namespace, alerts.route_label.0, alerts.route_label.1
    );
}

/// Where the release's Alertmanager routes send alerts, from its values: the root route's
/// receiver, each child route's matchers and receiver, and the Secrets Alertmanager mounts
/// (`alertmanagerSpec.secrets`, where a webhook's `url_file` points).
fn alertmanager_routes(stack: &Chart) -> String {
    let config = stack.values.pointer("/alertmanager/config");
    let at = |p: &str| config.and_then(|c| c.pointer(p));
    let mut out = format!(
        "alerts go to the receiver `{}`",
        at("/route/receiver")
            .and_then(|r| r.as_str())
            .unwrap_or("?")
    );
    let children: Vec<String> = at("/route/routes")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .map(|r| {
            let matchers: Vec<String> = r["matchers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m.as_str())
                .map(|m| format!("`{m}`"))
                .collect();
            format!(
                "{} to `{}`",
                list(&matchers),
                r["receiver"].as_str().unwrap_or("the parent's receiver")
            )
        })
        .collect();
    if !children.is_empty() {
        let _ = write!(out, ", except {}", children.join("; "));
    }
    let secrets: Vec<String> = stack
        .values
        .pointer("/alertmanager/alertmanagerSpec/secrets")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .map(|n| format!("`{n}`"))
        .collect();
    if !secrets.is_empty() {
        let _ = write!(
            out,
            " (webhook URLs are read from the Secret {}, mounted under `/etc/alertmanager/secrets/`)",
            list(&secrets)
        );
    }
    out.push('.');
    out
}

/// "Maintenance": drain and uncordon each node, and what stops or moves meanwhile.
pub fn maintenance(s: &mut String, catalogue: &Catalogue<'_>, plan: &Plan) {
    s.push_str(
        "## Maintenance\n\n### Node drain\n\n```sh\nkubectl drain <node> --ignore-daemonsets --delete-emptydir-data\n\
         # perform the maintenance\nkubectl uncordon <node>\n```\n\n| Node | Stops until uncordoned | Moves |\n|---|---|---|\n",
    );
    for f in &plan.failures {
        let down: Vec<String> = f
            .down
            .iter()
            .chain(&f.degraded)
            .map(|(a, why)| format!("{a} ({why})"))
            .chain(
                f.stranded
                    .iter()
                    .map(|a| format!("{a} (no room elsewhere)")),
            )
            .collect();
        let moved: Vec<String> = f
            .moved
            .iter()
            .map(|(a, to)| format!("{a} → {to}"))
            .collect();
        let _ = writeln!(s, "| {} | {} | {} |", f.node, list(&down), list(&moved));
    }
    let issuer = &catalogue.cluster.ingress.cluster_issuer;
    let _ = writeln!(
        s,
        "\nA moved app with a ReadWriteOnce claim waits for its volume to detach first.\n\n\
         ### Certificate renewal\n\nAutomatic: cert-manager renews every certificate through the `{issuer}` ClusterIssuer.\n\n\
         ### Image updates\n\nRenovate opens a pull request per image or chart update (`renovate.json`); each is merged by hand, \
         after `portkey diff` in CI.\n"
    );
}

/// "Known issues": memory limits per node, the start-up orderings, the AMD GPU rule, and
/// retentions that fall into the empty-restore trap.
pub fn known_issues(s: &mut String, catalogue: &Catalogue<'_>, plan: &Plan) {
    s.push_str("## Known issues\n\n");
    let threshold = catalogue.cluster.capacity.memory_limit_warn_percent;
    let usage: Vec<String> = plan
        .nodes
        .iter()
        .map(|u| {
            format!(
                "{} {}% ({} of {})",
                u.node,
                u.memory_limit_percent(),
                u.memory_limits,
                u.memory
            )
        })
        .collect();
    let over: Vec<&str> = plan
        .nodes
        .iter()
        .filter(|u| u.memory_limit_percent() >= threshold)
        .map(|u| u.node.as_str())
        .collect();
    let _ = writeln!(
        s,
        "- **Memory overcommit**: memory limits, measured by the placement above: {}. portkey warns at ≥ {threshold}% \
         (the seed reported metal1 at ~96%); {}.",
        usage.join(", "),
        if over.is_empty() {
            "no node is there now".to_string()
        } else {
            format!("over it: {}, monitor for OOM kills", over.join(", "))
        }
    );
    for app in &catalogue.apps {
        for d in app.app.dependencies.iter().filter(|d| d.wait_at_startup) {
            let _ = writeln!(
                s,
                "- **{a} after {d}**: {a} starts after {d} (a later sync wave, and an init container that waits for \
                 {d}'s port), but it may still restart when {d} restarts under it; it reconnects by itself.",
                a = app.app.name,
                d = d.app
            );
        }
    }
    let cluster = catalogue.cluster;
    let amd_vm_hosts: std::collections::BTreeSet<(&str, &str)> = cluster
        .nodes
        .iter()
        .chain(&cluster.planned_nodes)
        .filter(|n| n.kind == NodeKind::Vm && n.host.cpu_model.starts_with("AMD"))
        .map(|n| (n.host.name.as_str(), n.host.cpu_model.as_str()))
        .collect();
    let lxc_gpu: Vec<String> = cluster
        .nodes
        .iter()
        .map(|n| (n, "joined"))
        .chain(cluster.planned_nodes.iter().map(|n| (n, "planned")))
        .filter(|(n, _)| {
            n.kind != NodeKind::Vm && n.gpus().any(|g| g.vendor == GpuVendor::Amd && g.integrated)
        })
        .map(|(n, state)| format!("`{}` ({state})", n.name))
        .collect();
    for (host, cpu) in amd_vm_hosts {
        let _ = writeln!(
            s,
            "- **AMD GPU on {host}**: the {cpu} iGPU cannot be passed through to VMs reliably (reset bug + IOMMU \
             issues), and portkey refuses an AMD iGPU declared on a VM node. Use an LXC container for GPU \
             workloads instead{}.",
            if lxc_gpu.is_empty() {
                String::new()
            } else {
                format!(": {}", lxc_gpu.join(", "))
            }
        );
    }
    for (app, claim, b) in catalogue.backups() {
        if is_trap(&b.policy.retention) {
            let _ = writeln!(
                s,
                "- **Empty-restore trap**: `{}`'s claim `{}` keeps {} only: a week of backups of a wrongly empty \
                 volume replaces every good snapshot (backube/volsync#1211).",
                app.app.name,
                claim.name,
                b.policy.retention.describe()
            );
        }
    }
    s.push('\n');
}
