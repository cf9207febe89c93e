//! Exact output of a synthetic catalogue: the objects of a backed-up claim, the mover's
//! identity, one repository per claim, the alerts, the cluster pieces and the runbook.

use super::*;

#[test]
fn backed_up_claim_objects() {
    let tree = render(synthetic());
    insta::assert_snapshot!(files(
        &tree,
        &[
            "lab/vault/persistentvolumeclaim-vault-data.yaml",
            "lab/vault/replicationsource-vault-data.yaml",
            "lab/vault/replicationdestination-vault-data-dst.yaml",
        ]
    ));

    let m = compile(synthetic());
    check_claim_backup(
        &m,
        &Expect {
            ns: "lab",
            claim: "vault-data",
            secret: "vault-volsync-secret",
            cron: "*/6 * * *",
            spread: true,
            class: KEEP.name(),
            size: "1Gi",
            uid: 2000,
            gid: 3000,
        },
    );
    check_claim_backup(
        &m,
        &Expect {
            ns: "lab",
            claim: "notes-data",
            secret: "notes-volsync-secret",
            cron: "3 * * *",
            spread: true,
            class: FAST.name(),
            size: "2Gi",
            uid: 1000,
            gid: 1000,
        },
    );
    check_claim_backup(
        &m,
        &Expect {
            ns: "tools",
            claim: "legacy-config",
            secret: "legacy-volsync-secret",
            cron: "15 2 * * 0",
            spread: false,
            class: FAST.name(),
            size: "512Mi",
            uid: 568,
            gid: 569,
        },
    );
    let pvc = object(&m, "PersistentVolumeClaim", "vault-data");
    assert_eq!(pvc["metadata"]["annotations"][SYNC_OPTIONS], PROTECTED);
}

#[test]
fn mover_runs_as_the_data_owner_even_when_the_pod_starts_as_root() {
    let m = compile(synthetic());
    let d = object(&m, "Deployment", "legacy");
    let pod = &d["spec"]["template"]["spec"]["securityContext"];
    assert_eq!(pod["runAsNonRoot"], false, "declared run-as-root: {pod:#}");
    assert!(pod.get("runAsUser").is_none(), "{pod:#}");
    for (kind, name) in [
        ("ReplicationSource", "legacy-config"),
        ("ReplicationDestination", "legacy-config-dst"),
    ] {
        let o = object(&m, kind, name);
        assert_eq!(
            o["spec"]["restic"]["moverSecurityContext"],
            mover(568, 569),
            "{kind} {name}: the mover must write files as the app's UID/GID"
        );
    }
    // The default UID/GID when the app sets none.
    let rs = object(&m, "ReplicationSource", "notes-data");
    assert_eq!(
        rs["spec"]["restic"]["moverSecurityContext"],
        mover(1000, 1000)
    );
}

#[test]
fn two_backed_up_claims_get_a_repository_each() {
    let m = compile(synthetic());
    check_claim_backup(
        &m,
        &Expect {
            ns: "tools",
            claim: "media-config",
            secret: "media-config-volsync-secret",
            cron: "3 * * *",
            spread: true,
            class: FAST.name(),
            size: "1Gi",
            uid: 1000,
            gid: 1000,
        },
    );
    check_claim_backup(
        &m,
        &Expect {
            ns: "tools",
            claim: "media-db",
            secret: "media-db-volsync-secret",
            cron: "*/6 * * *",
            spread: true,
            class: FAST.name(),
            size: "4Gi",
            uid: 1000,
            gid: 1000,
        },
    );
    // The exempt claim: no backup, no restore, no dataSourceRef.
    assert!(!has_object(&m, "ReplicationSource", "media-cache"));
    assert!(!has_object(&m, "ReplicationDestination", "media-cache-dst"));
    let cache = object(&m, "PersistentVolumeClaim", "media-cache");
    assert!(cache["spec"].get("dataSourceRef").is_none(), "{cache:#}");
    assert!(cache["spec"].get("dataSource").is_none(), "{cache:#}");
}

#[test]
fn alerts() {
    let tree = render(synthetic());
    let paths: Vec<&str> = tree
        .keys()
        .filter(|p| p.starts_with("cluster/alerts/"))
        .map(String::as_str)
        .collect();
    insta::assert_snapshot!(files(&tree, &paths));

    let m = compile(synthetic());
    let volsync = object(&m, "PrometheusRule", "volsync-backups");
    assert_eq!(volsync["metadata"]["namespace"], "monitoring");
    let absent = volsync["spec"]["groups"][0]["rules"].as_array().unwrap();
    assert_eq!(absent.len(), 1, "{volsync:#}");
    assert_eq!(absent[0]["alert"], "VolSyncComponentAbsent");
    assert_eq!(absent[0]["labels"]["severity"], "critical");
    // One PrometheusRule per app with backups, named for it, beside the Volsync one.
    let rules = all(&m, "PrometheusRule");
    let per_app: Vec<&Value> = rules
        .iter()
        .filter(|r| r["metadata"]["name"] != "volsync-backups")
        .collect();
    let sources = all(&m, "ReplicationSource");
    let apps: std::collections::BTreeSet<&str> = sources
        .iter()
        .map(|rs| s(&rs["metadata"]["labels"][NAME_LABEL]))
        .collect();
    let names: std::collections::BTreeSet<String> = per_app
        .iter()
        .map(|r| s(&r["metadata"]["name"]).to_string())
        .collect();
    assert_eq!(
        names,
        apps.iter().map(|a| format!("backups-{a}")).collect(),
        "one PrometheusRule per app with backups"
    );
    for r in &per_app {
        assert_eq!(r["metadata"]["namespace"], "monitoring", "{r:#}");
        assert_eq!(
            r["spec"]["groups"][0]["name"], r["metadata"]["name"],
            "{r:#}"
        );
    }
    let out_of_sync: Vec<(&Value, &Value)> = per_app
        .iter()
        .flat_map(|r| {
            r["spec"]["groups"][0]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |rule| (*r, rule))
        })
        .collect();
    assert!(
        out_of_sync
            .iter()
            .all(|(_, r)| r["alert"] == "VolSyncVolumeOutOfSync")
    );
    let runbook = &tree["RESTORE.md"];
    assert_eq!(
        out_of_sync.len(),
        sources.len(),
        "one alert per backed-up claim"
    );
    for rs in &sources {
        let (ns, claim) = ns_name(rs);
        let app = s(&rs["metadata"]["labels"][NAME_LABEL]);
        let selector = format!(r#"obj_namespace="{ns}", obj_name="{claim}", role="source""#);
        let (owner, alert) = out_of_sync
            .iter()
            .find(|(_, r)| s(&r["expr"]).contains(&selector))
            .unwrap_or_else(|| panic!("no out-of-sync alert for {ns}/{claim}"));
        assert_eq!(
            owner["metadata"]["name"],
            format!("backups-{app}").as_str(),
            "{ns}/{claim} is alerted on in its app's rule"
        );
        let want = if app == "vault" {
            "critical"
        } else {
            "warning"
        };
        assert_eq!(alert["labels"]["severity"], want, "{ns}/{claim}");
        assert_eq!(
            alert["labels"]["receiver"], "test",
            "routed by the inventory's label"
        );
        let link = format!("generated/RESTORE.md#{app}");
        assert_eq!(alert["annotations"]["runbook"], link.as_str());
        assert!(
            runbook.contains(&format!("\n## {app}\n")),
            "broken link {link}"
        );
    }
}

#[test]
fn cluster_pieces_only_with_backups() {
    let m = compile(synthetic());
    let crd = object(
        &m,
        "CustomResourceDefinition",
        "volumepopulators.populator.storage.k8s.io",
    );
    assert_eq!(crd["spec"]["names"]["kind"], "VolumePopulator");
    let vsc = object(&m, "VolumeSnapshotClass", "test-snapclass");
    assert_eq!(vsc["driver"], "rbd.csi.example.com");

    let none = vec![
        app("plain").volume(Volume::claim("data", "/data", Memory::gi(1)).no_backup("scratch")),
    ];
    let m = compile(none.clone());
    for kind in [
        "ReplicationSource",
        "ReplicationDestination",
        "PrometheusRule",
        "VolumeSnapshotClass",
        "CustomResourceDefinition",
        "ExternalSecret",
    ] {
        assert!(all(&m, kind).is_empty(), "no backups, yet a {kind}");
    }
    assert!(!render(none).contains_key("RESTORE.md"));
}

#[test]
fn runbook() {
    let tree = render(synthetic());
    let runbook = &tree["RESTORE.md"];
    insta::assert_snapshot!(runbook);

    let m = compile(synthetic());
    assert_eq!(check_runbook(runbook, &m, false), 5);
    assert!(runbook.contains("kubectl -n tools scale statefulset/media --replicas 0"));
    assert!(runbook.contains("kubectl -n lab scale deployment/notes --replicas 0"));
    assert!(
        runbook.contains("Critical: holds every password."),
        "the critical reason is shown"
    );
    assert!(
        !runbook.contains("media-cache"),
        "the exempt claim is not listed"
    );
}
