//! The recovery documents cover what a person needs (issue #12, part 5), each fact taken
//! from the model: BOOTSTRAP.md's prerequisites (CNI, Git credentials, the restic backends,
//! the critical app's password kept offline), ARCHITECTURE.md's operational sections and
//! dependency diagram, and RESTORE.md's protections and restore trigger.

use std::collections::BTreeSet;

use portkey::portkey_compile::argocd::KEEP_DATA;
use portkey::portkey_model::app::{App, VolumeSource};
use portkey::portkey_model::backup::RESTORE_TRIGGER;
use portkey::portkey_model::cluster::{NodeKind, SecretStore};
use portkey::portkey_render::prerequisites::RESTIC_BACKENDS;

use crate::common::*;

fn real() -> portkey::Output {
    portkey::build_with(
        &portkey::cluster::portkey(),
        portkey::catalogue(),
        portkey::charts(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The text of `doc` from the heading `## {section}` to the next `## `.
fn section<'d>(doc: &'d str, section: &str) -> &'d str {
    let start = doc
        .find(&format!("\n## {section}\n"))
        .unwrap_or_else(|| panic!("no section {section}:\n{doc}"));
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

#[test]
fn bootstrap_lists_the_cni_git_credentials_restic_backends_and_the_offline_password() {
    let cluster = portkey::cluster::portkey();
    let tree = real().tree;
    let before = section(&tree["BOOTSTRAP.md"], "1. Before Argo CD");
    assert!(
        before.contains("CNI plugin") && before.contains("**Assumption:**"),
        "{before}"
    );
    // The inventory's CNI, and what its policies do on one that does not enforce them.
    assert!(
        before.contains(&format!("`{}`", cluster.cni.name)),
        "{before}"
    );
    assert!(before.contains("inert"), "{before}");
    assert!(before.contains(&format!("Read access to `{}`", cluster.git.repo_url)));
    assert!(before.contains("argocd.argoproj.io/secret-type=repository"));
    for b in &RESTIC_BACKENDS {
        assert!(before.contains(&format!("| `{}` |", b.url)), "{}", b.name);
    }
    assert!(before.contains("`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`"));
    // The critical app's own repository Secret, from the model.
    let critical: Vec<_> = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("{e}"))
        .backups()
        .filter(|(a, _, _)| a.app.critical.is_some())
        .map(|(a, _, b)| {
            format!(
                "Secret `{}/{}`",
                a.app.namespace.name(),
                b.repository_secret
            )
        })
        .collect();
    assert!(!critical.is_empty());
    for secret in critical {
        let line = before
            .lines()
            .find(|l| l.contains(&secret))
            .unwrap_or_else(|| panic!("{secret} not in:\n{before}"));
        assert!(line.contains("written down offline"), "{line}");
    }
}

/// BOOTSTRAP.md for `apps` on `cluster` (the pipeline writes it only with chart releases).
fn bootstrap(cluster: &portkey::portkey_model::cluster::Cluster, apps: Vec<App>) -> String {
    let catalogue =
        portkey::portkey_model::resolve(cluster, apps).unwrap_or_else(|e| panic!("{e}"));
    let (components, facts) =
        portkey::bootstrap_input(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let simulation = portkey::portkey_converge::simulate(&catalogue, &components, &facts);
    portkey::portkey_render::bootstrap::document(&catalogue, &components, &simulation)
}

#[test]
fn bootstrap_follows_the_inventory_s_secret_store_and_critical_apps() {
    let mut cluster = test_cluster();
    let notes = || {
        app("notes").volume(
            portkey::portkey_model::app::Volume::claim(
                "data",
                "/data",
                portkey::portkey_model::quantity::Memory::gi(1),
            )
            .backup(portkey::portkey_model::backup::Backup::daily()),
        )
    };
    let doc = bootstrap(&cluster, vec![notes()]);
    assert!(doc.contains("names no secret store"), "{doc}");
    assert!(
        !doc.contains("written down offline"),
        "no critical app: {doc}"
    );
    cluster.backup.secret_store = Some(SecretStore {
        name: "vault".into(),
        cluster_wide: true,
        password_key: "restic".into(),
        repository_prefix: "s3:https://s3.example.org/restic/".into(),
        backend_keys: Vec::new(),
        provider: portkey::portkey_model::secret_store::SecretProvider::BitwardenSecretsManager(
            portkey::portkey_model::secret_store::BitwardenSecretsManager::cloud("org", "project"),
        ),
    });
    let doc = bootstrap(&cluster, vec![notes()]);
    assert!(
        doc.contains("`s3:https://s3.example.org/restic/<namespace>/<claim>`"),
        "{doc}"
    );
}

#[test]
fn architecture_has_the_operational_sections_from_the_model() {
    let out = real();
    let doc = &out.tree["ARCHITECTURE.md"];
    let cluster = portkey::cluster::portkey();
    let apps = portkey::catalogue();

    let nfs = section(doc, "External dependencies");
    assert!(nfs.contains("### Ceph storage (critical)"));
    for share in &cluster.nfs_shares {
        let users: Vec<&str> = apps
            .iter()
            .filter(|a| {
                a.volumes.iter().any(
                    |v| matches!(&v.source, VolumeSource::Nfs(n) if n.share.name() == share.name),
                )
            })
            .map(|a| a.name.as_str())
            .collect();
        assert!(!users.is_empty(), "{}", share.name);
        let row = format!(
            "| {} | `{}:{}` | {} |",
            share.name,
            share.server,
            share.path,
            {
                let mut u = users.clone();
                u.sort_unstable();
                u.join(", ")
            }
        );
        assert!(nfs.contains(&row), "{row} not in:\n{nfs}");
    }

    let recovery = section(doc, "Recovery procedures");
    assert!(
        recovery.contains("### Ceph failure") && recovery.contains("### Complete cluster recovery")
    );
    assert!(
        recovery.contains("[BOOTSTRAP.md](BOOTSTRAP.md)")
            && recovery.contains("[RESTORE.md](RESTORE.md)")
    );

    let grafana = portkey::charts()
        .iter()
        .find_map(|c| {
            c.values
                .pointer("/grafana/ingress/hosts/0")
                .and_then(|h| h.as_str())
                .map(str::to_string)
        })
        .expect("a release serves Grafana");
    let monitoring = section(doc, "Monitoring");
    assert!(
        monitoring.contains(&format!("**Grafana**: https://{grafana}")),
        "{monitoring}"
    );
    assert!(monitoring.contains("receiver `ntfy`"), "{monitoring}");

    let maintenance = section(doc, "Maintenance");
    assert!(maintenance.contains("kubectl drain") && maintenance.contains("kubectl uncordon"));
    for f in &out.plan.failures {
        let row = maintenance
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", f.node)))
            .unwrap_or_else(|| panic!("no drain row for {}", f.node));
        for (app, _) in &f.down {
            assert!(
                row.split('|').nth(2).unwrap().contains(app.as_str()),
                "{row}"
            );
        }
    }

    let known = section(doc, "Known issues");
    for u in &out.plan.nodes {
        assert!(
            known.contains(&format!("{} {}% (", u.node, u.memory_limit_percent())),
            "{} not measured in:\n{known}",
            u.node
        );
    }
    assert!(
        known.contains("metal1 "),
        "the seed's metal1 warning: {known}"
    );
    assert!(known.contains("**zigbee2mqtt after mosquitto**"), "{known}");
    let amd: BTreeSet<&str> = cluster
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Vm && n.host.cpu_model.starts_with("AMD"))
        .map(|n| n.host.name.as_str())
        .collect();
    assert!(!amd.is_empty());
    for host in amd {
        assert!(known.contains(&format!("**AMD GPU on {host}**")), "{known}");
    }
}

#[test]
fn the_diagram_and_known_issues_follow_the_dependencies() {
    let edges = |apps: Vec<App>| {
        let doc = portkey::build_with(&portkey::cluster::portkey(), apps, portkey::charts())
            .unwrap_or_else(|e| panic!("{e}"))
            .tree["ARCHITECTURE.md"]
            .clone();
        let diagram = section(&doc, "Diagram").to_string();
        (diagram, section(&doc, "Known issues").to_string())
    };
    let (diagram, known) = edges(portkey::catalogue());
    for app in portkey::catalogue() {
        for d in &app.dependencies {
            let verb = if d.wait_at_startup {
                "waits for"
            } else {
                "depends on"
            };
            let edge = format!(
                "  {} -. {verb} .-> {}",
                app.name.replace('-', "_"),
                d.app.replace('-', "_")
            );
            assert!(diagram.contains(&edge), "{edge} not in:\n{diagram}");
        }
    }
    assert!(known.contains("zigbee2mqtt after mosquitto"));
    // Without zigbee2mqtt's wait, neither the edge nor the known issue remains.
    let apps: Vec<App> = portkey::catalogue()
        .into_iter()
        .map(|mut a| {
            if a.name == "zigbee2mqtt" {
                a.dependencies.clear();
            }
            a
        })
        .collect();
    let (diagram, known) = edges(apps);
    assert!(
        !diagram.contains("zigbee2mqtt -. waits for .-> mosquitto"),
        "{diagram}"
    );
    assert!(!known.contains("zigbee2mqtt after mosquitto"), "{known}");
}

#[test]
fn restore_lists_the_protected_namespaces_and_the_restore_trigger() {
    let tree = real().tree;
    let doc = &tree["RESTORE.md"];
    let never = section(doc, "What Argo CD never deletes");
    let holding: BTreeSet<String> = portkey::catalogue()
        .iter()
        .filter(|a| {
            a.volumes
                .iter()
                .any(|v| matches!(v.source, VolumeSource::Claim(_)))
        })
        .map(|a| a.namespace.name().to_string())
        .collect();
    let listed = never
        .lines()
        .find(|l| l.starts_with("- Every namespace that holds a claim"))
        .expect("the namespaces line");
    for ns in &holding {
        assert!(listed.contains(&format!("`{ns}`")), "{ns} not in {listed}");
        let file = &tree[&format!("cluster/namespaces/namespace-{ns}.yaml")];
        assert!(file.contains(KEEP_DATA), "{file}");
    }
    let recreate = section(doc, "Re-creating a claim on a live cluster");
    assert!(recreate.contains(&format!("`{RESTORE_TRIGGER}`")));
    assert!(
        recreate.contains(".restore_again(") && recreate.contains("spec.trigger.manual: restore-")
    );
    assert!(section(doc, "If a claim comes up empty").contains("volsync#1211"));
}

#[test]
fn restore_md_is_allocated_once_at_its_size() {
    // RESTORE.md is the largest document (57 MB at N = 20,000): written into a string sized
    // by a counting pass, with room for the header, it never grows by doubling.
    let cluster = portkey::cluster::portkey();
    let catalogue =
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), portkey::charts())
            .unwrap_or_else(|e| panic!("{e}"));
    let body = portkey::portkey_render::runbook::restore_runbook(&catalogue);
    let (len, capacity) = (body.len(), body.capacity());
    assert!(len > 10_000, "the runbook is {len} bytes");
    assert!(capacity - len <= 256, "{capacity} bytes for {len}");
    let (_, text, _) =
        portkey::portkey_render::document(portkey::portkey_render::runbook::PATH, "apps/", body);
    assert_eq!(
        text.capacity(),
        capacity,
        "the header fits the room left for it"
    );
    let on_disk =
        std::fs::read_to_string(crate::common::root().join("generated/RESTORE.md")).unwrap();
    assert_eq!(text, on_disk);
}
