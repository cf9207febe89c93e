//! Backup and restore from one declaration: `.backup(..)` on a claim yields a Volsync restic
//! `ReplicationSource`, a `ReplicationDestination` `<claim>-dst` the claim is populated from,
//! the repository Secret's `ExternalSecret` (when the cluster has a store), the alerts, and
//! the restore runbook (`generated/RESTORE.md`).
//!
//! Synthetic catalogues run against the test inventory; the real catalogue is checked
//! against the seed's "Backup Strategy" table (`../shared/seed/portkey-cluster.md`). Every
//! snapshot has plain assertions of the facts it is about beside it, so accepting a wrong
//! snapshot still fails.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use portkey::portkey_compile::{self, Manifest};
use portkey::portkey_model::app::{App, Exception, Port, Volume};
use portkey::portkey_model::backup::{Backup, Schedule};
use portkey::portkey_model::cluster::{Cluster, Reclaim, SecretStore};
use portkey::portkey_model::quantity::Memory;
use portkey::portkey_model::{self, ModelError};
use portkey::portkey_render::Tree;
use regex::Regex;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------

/// `trigger.schedule` pattern of Volsync's `ReplicationSource` CRD
/// (`../shared/schemas/crds/volsync.backube/replicationsource_v1alpha1.json`; the API
/// server matches CRD patterns unanchored, like `Regex::is_match`).
const VOLSYNC_SCHEDULE_PATTERN: &str = r"^(@(annually|yearly|monthly|weekly|daily|hourly))|((((\d+,)*\d+|(\d+(\/|-)\d+)|\*(\/\d+)?)\s?){5})$";

/// A minute of the hour, as the spread schedules write it.
const MINUTE: &str = "([0-9]|[1-5][0-9])";

const NAME_LABEL: &str = "app.kubernetes.io/name";
const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
const PROTECTED: &str = "Prune=false,Delete=false";

/// Test secret store (trailing `/` on the prefix on purpose: it must not double up).
const STORE: &str = "restic-store";
const PASSWORD_KEY: &str = "homelab/restic-password";
const PREFIX: &str = "s3:https://s3.example.org/restic/";
const PREFIX_TRIMMED: &str = "s3:https://s3.example.org/restic";

/// A small catalogue using every backup feature:
/// - `notes` (lab): one claim, daily, default UID/GID;
/// - `vault` (lab): critical, Retain class, every 6 hours, UID 2000 / GID 3000;
/// - `legacy` (tools): starts as root (declared exception), owns its data as 568/569,
///   a raw cron;
/// - `media` (tools, StatefulSet): two backed-up claims and one exempt claim.
fn synthetic() -> Vec<App> {
    vec![
        app("notes").volume(Volume::claim("data", "/data", Memory::gi(2)).backup(Backup::daily())),
        app("vault")
            .run_as(2000, 3000)
            .volume(
                Volume::claim("data", "/data", Memory::gi(1))
                    .class(KEEP)
                    .backup(Backup::every_6_hours()),
            )
            .critical("holds every password"),
        App::new("legacy", TOOLS)
            .source("apps/legacy.rs")
            .image(IMAGE)
            .port(Port::http(8080))
            .run_as(568, 569)
            .allow(
                Exception::RunAsRoot,
                "the image's init chowns /config, then drops to 568",
            )
            .volume(
                Volume::claim("config", "/config", Memory::mi(512))
                    .backup(Backup::cron("15 2 * * 0")),
            ),
        App::new("media", TOOLS)
            .source("apps/media.rs")
            .image(IMAGE)
            .port(Port::http(8096))
            .stateful()
            .volume(Volume::claim("config", "/config", Memory::gi(1)).backup(Backup::daily()))
            .volume(Volume::claim("db", "/db", Memory::gi(4)).backup(Backup::every_6_hours()))
            .volume(
                Volume::claim("cache", "/cache", Memory::gi(8))
                    .no_backup("thumbnails, rebuilt on demand"),
            ),
    ]
}

/// The test inventory with an external-secrets store for the restic Secrets.
fn store_cluster(cluster_wide: bool) -> Cluster {
    let mut c = test_cluster();
    c.backup.secret_store = Some(SecretStore {
        name: STORE.into(),
        cluster_wide,
        password_key: PASSWORD_KEY.into(),
        repository_prefix: PREFIX.into(),
    });
    c
}

fn render_on(cluster: &Cluster, apps: Vec<App>) -> Tree {
    portkey::render(cluster, apps).unwrap_or_else(|e| panic!("rendering failed:\n{e}"))
}

fn compile_on(cluster: &Cluster, apps: Vec<App>) -> Vec<Manifest> {
    let catalogue =
        portkey_model::resolve(cluster, apps).unwrap_or_else(|e| panic!("resolving failed:\n{e}"));
    portkey_compile::compile(&catalogue)
}

fn real_tree() -> Tree {
    render_on(&portkey::cluster::portkey(), portkey::catalogue())
}

fn real_manifests() -> Vec<Manifest> {
    compile_on(&portkey::cluster::portkey(), portkey::catalogue())
}

/// Every object of `kind`, as JSON.
fn all(m: &[Manifest], kind: &str) -> Vec<Value> {
    m.iter()
        .filter(|m| m.object.kind() == kind)
        .map(|m| serde_json::to_value(&m.object).expect("objects serialize to JSON"))
        .collect()
}

/// The object of `kind` named `name` in namespace `ns`, if compiled.
fn find(m: &[Manifest], kind: &str, ns: &str, name: &str) -> Option<Value> {
    m.iter()
        .find(|m| {
            m.object.kind() == kind && m.object.name() == name && m.object.namespace() == Some(ns)
        })
        .map(|m| serde_json::to_value(&m.object).expect("objects serialize to JSON"))
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn ns_name(o: &Value) -> (String, String) {
    (
        s(&o["metadata"]["namespace"]).to_string(),
        s(&o["metadata"]["name"]).to_string(),
    )
}

/// Concatenates the named files of a tree, each preceded by a `=== path` line.
fn files(tree: &Tree, paths: &[&str]) -> String {
    let mut out = String::new();
    for p in paths {
        let text = tree
            .get(*p)
            .unwrap_or_else(|| panic!("no file {p}; tree: {:#?}", tree.keys()));
        out.push_str("=== ");
        out.push_str(p);
        out.push('\n');
        out.push_str(text);
    }
    out
}

/// The minute of a spread schedule, checking the rest of the cron is `rest`.
fn minute_of(schedule: &str, rest: &str) -> u32 {
    let re = Regex::new(&format!("^{MINUTE} {}$", regex::escape(rest))).unwrap();
    let caps = re
        .captures(schedule)
        .unwrap_or_else(|| panic!("schedule {schedule:?} is not `<minute 0-59> {rest}`"));
    let minute: u32 = caps[1].parse().unwrap();
    assert!(minute < 60, "{schedule}");
    minute
}

/// The `(namespace, claim) → schedule` of every ReplicationSource.
fn schedules(m: &[Manifest]) -> BTreeMap<(String, String), String> {
    all(m, "ReplicationSource")
        .iter()
        .map(|rs| {
            (
                ns_name(rs),
                s(&rs["spec"]["trigger"]["schedule"]).to_string(),
            )
        })
        .collect()
}

fn mover(uid: i64, gid: i64) -> Value {
    json!({"runAsUser": uid, "runAsGroup": gid, "fsGroup": gid})
}

/// The key facts of one backed-up claim: its ReplicationSource, its restore destination
/// and its claim's `dataSourceRef`.
struct Expect<'a> {
    ns: &'a str,
    claim: &'a str,
    secret: &'a str,
    /// The cron after the minute (`3 * * *`), or the whole cron when `spread` is false.
    cron: &'a str,
    spread: bool,
    class: &'a str,
    size: &'a str,
    uid: i64,
    gid: i64,
}

fn check_claim_backup(m: &[Manifest], e: &Expect<'_>) {
    let rs = find(m, "ReplicationSource", e.ns, e.claim)
        .unwrap_or_else(|| panic!("no ReplicationSource {}/{}", e.ns, e.claim));
    assert_eq!(rs["apiVersion"], "volsync.backube/v1alpha1");
    assert_eq!(rs["spec"]["sourcePVC"], e.claim);
    let schedule = s(&rs["spec"]["trigger"]["schedule"]);
    if e.spread {
        minute_of(schedule, e.cron);
    } else {
        assert_eq!(schedule, e.cron);
    }
    assert!(
        rs["spec"]["trigger"].get("manual").is_none(),
        "a manual trigger disables the schedule: {rs:#}"
    );
    let restic = &rs["spec"]["restic"];
    assert_eq!(restic["copyMethod"], "Snapshot", "{rs:#}");
    assert_eq!(restic["repository"], e.secret);
    assert_eq!(restic["volumeSnapshotClassName"], "test-snapclass");
    assert_eq!(restic["storageClassName"], e.class);
    assert_eq!(restic["retain"], json!({"within": "7d"}));
    assert_eq!(restic["moverSecurityContext"], mover(e.uid, e.gid));

    let dst = format!("{}-dst", e.claim);
    let rd = find(m, "ReplicationDestination", e.ns, &dst)
        .unwrap_or_else(|| panic!("no ReplicationDestination {}/{dst}", e.ns));
    assert_eq!(
        rd["spec"]["trigger"],
        json!({"manual": "restore-once"}),
        "restores once, never on a schedule"
    );
    let restic = &rd["spec"]["restic"];
    assert_eq!(
        restic["copyMethod"], "Snapshot",
        "the populator needs Snapshot"
    );
    assert_eq!(restic["repository"], e.secret);
    assert_eq!(restic["storageClassName"], e.class);
    assert_eq!(restic["capacity"], e.size);
    assert_eq!(restic["moverSecurityContext"], mover(e.uid, e.gid));

    let pvc = find(m, "PersistentVolumeClaim", e.ns, e.claim)
        .unwrap_or_else(|| panic!("no PersistentVolumeClaim {}/{}", e.ns, e.claim));
    let reference =
        json!({"apiGroup": "volsync.backube", "kind": "ReplicationDestination", "name": dst});
    assert_eq!(pvc["spec"]["dataSourceRef"], reference);
    assert_eq!(
        pvc["spec"]["dataSource"], reference,
        "dataSource mirrors dataSourceRef (else Argo CD reports drift)"
    );
    assert_eq!(pvc["spec"]["storageClassName"], e.class);
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], e.size);
}

/// Checks the wiring of every backup in `m`, and returns how many there are:
/// - each ReplicationSource's claim exists and names in `dataSourceRef` a
///   ReplicationDestination that exists, with copyMethod Snapshot, a manual one-off trigger
///   and the same repository, size, class and mover as the source;
/// - no two ReplicationSources share a repository Secret, or a claim;
/// - conversely, every `dataSourceRef` and every destination belongs to a backup.
fn check_wiring(m: &[Manifest]) -> usize {
    let sources = all(m, "ReplicationSource");
    let mut repositories: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut claims: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut names = BTreeSet::new();
    for rs in &sources {
        let (ns, name) = ns_name(rs);
        assert!(
            names.insert((ns.clone(), name.clone())),
            "two ReplicationSources {ns}/{name}"
        );
        let claim = s(&rs["spec"]["sourcePVC"]);
        let repo = s(&rs["spec"]["restic"]["repository"]);
        assert!(!repo.is_empty(), "{ns}/{name} names no repository Secret");
        assert_eq!(rs["spec"]["restic"]["copyMethod"], "Snapshot");
        if let Some(other) = repositories.insert((ns.clone(), repo.to_string()), name.clone()) {
            panic!("{ns}/{name} and {ns}/{other} share the repository Secret {repo}");
        }
        if let Some(other) = claims.insert((ns.clone(), claim.to_string()), name.clone()) {
            panic!("{ns}/{name} and {ns}/{other} both back up the claim {claim}");
        }
        let pvc = find(m, "PersistentVolumeClaim", &ns, claim)
            .unwrap_or_else(|| panic!("{ns}/{name} backs up a claim {claim} that is not emitted"));
        let r = &pvc["spec"]["dataSourceRef"];
        assert_eq!(r["kind"], "ReplicationDestination", "{ns}/{claim}: {pvc:#}");
        assert_eq!(r["apiGroup"], "volsync.backube", "{ns}/{claim}: {pvc:#}");
        assert!(
            r.get("namespace").is_none(),
            "same-namespace reference: {r}"
        );
        assert_eq!(pvc["spec"]["dataSource"], *r, "{ns}/{claim}");
        let rd = find(m, "ReplicationDestination", &ns, s(&r["name"])).unwrap_or_else(|| {
            panic!(
                "{ns}/{claim} is populated from ReplicationDestination {}, which is not emitted",
                r["name"]
            )
        });
        let (src, dst) = (&rs["spec"]["restic"], &rd["spec"]["restic"]);
        assert_eq!(dst["copyMethod"], "Snapshot", "{rd:#}");
        assert_eq!(
            dst["repository"], src["repository"],
            "{ns}/{claim} restores from another repository than it backs up to"
        );
        assert_eq!(rd["spec"]["trigger"]["manual"], "restore-once", "{rd:#}");
        assert!(rd["spec"]["trigger"].get("schedule").is_none(), "{rd:#}");
        assert_eq!(
            dst["capacity"],
            pvc["spec"]["resources"]["requests"]["storage"]
        );
        assert_eq!(dst["storageClassName"], pvc["spec"]["storageClassName"]);
        assert_eq!(src["storageClassName"], pvc["spec"]["storageClassName"]);
        assert_eq!(dst["accessModes"], pvc["spec"]["accessModes"]);
        assert_eq!(dst["moverSecurityContext"], src["moverSecurityContext"]);
        assert_eq!(
            rd["metadata"]["labels"][NAME_LABEL], pvc["metadata"]["labels"][NAME_LABEL],
            "the destination belongs to the claim's app"
        );
    }
    for pvc in all(m, "PersistentVolumeClaim") {
        let (ns, name) = ns_name(&pvc);
        if pvc["spec"].get("dataSourceRef").is_some() {
            assert!(
                claims.contains_key(&(ns.clone(), name.clone())),
                "{ns}/{name} is restored from a backup nothing makes"
            );
        }
    }
    for rd in all(m, "ReplicationDestination") {
        let (ns, name) = ns_name(&rd);
        assert!(
            all(m, "PersistentVolumeClaim").iter().any(|p| {
                ns_name(p).0 == ns && p["spec"]["dataSourceRef"]["name"] == name.as_str()
            }),
            "ReplicationDestination {ns}/{name} populates no claim"
        );
    }
    sources.len()
}

/// Critical apps: every claim on a Retain class (per the inventory and the emitted
/// StorageClass), protected from Argo CD prune and delete, and backed up.
fn check_critical(cluster: &Cluster, apps: &[App], m: &[Manifest]) -> usize {
    let critical: Vec<&App> = apps.iter().filter(|a| a.critical.is_some()).collect();
    for a in &critical {
        let ns = a.namespace.name();
        let pvcs: Vec<Value> = all(m, "PersistentVolumeClaim")
            .into_iter()
            .filter(|p| {
                p["metadata"]["namespace"] == ns
                    && p["metadata"]["labels"][NAME_LABEL] == a.name.as_str()
            })
            .collect();
        assert!(!pvcs.is_empty(), "critical app {} has no claim", a.name);
        for pvc in &pvcs {
            let (_, claim) = ns_name(pvc);
            let class_name = s(&pvc["spec"]["storageClassName"]);
            let class = cluster
                .storage_classes
                .iter()
                .find(|c| c.name == class_name)
                .unwrap_or_else(|| panic!("{claim}: class {class_name} not in the inventory"));
            assert_eq!(
                class.reclaim,
                Reclaim::Retain,
                "critical {} claim {claim} is on {class_name}",
                a.name
            );
            if class.managed {
                let sc = all(m, "StorageClass")
                    .into_iter()
                    .find(|c| c["metadata"]["name"] == class_name)
                    .unwrap_or_else(|| panic!("managed class {class_name} not emitted"));
                assert_eq!(sc["reclaimPolicy"], "Retain", "{sc:#}");
            }
            assert_eq!(
                pvc["metadata"]["annotations"][SYNC_OPTIONS], PROTECTED,
                "critical {} claim {claim} is not protected from Argo CD: {pvc:#}",
                a.name
            );
            assert!(
                all(m, "ReplicationSource")
                    .iter()
                    .any(|rs| rs["metadata"]["namespace"] == ns
                        && rs["spec"]["sourcePVC"] == claim.as_str()),
                "critical {} claim {claim} is not backed up",
                a.name
            );
        }
    }
    critical.len()
}

/// The runbook lists every backed-up claim with its Secret and keys, how to take a backup
/// now and how to restore an earlier one. Returns the claim sections.
fn check_runbook(runbook: &str, m: &[Manifest], store: bool) -> usize {
    assert!(runbook.contains("RESTIC_REPOSITORY") && runbook.contains("RESTIC_PASSWORD"));
    let sections: Vec<&str> = runbook.split("\n### Volume `").skip(1).collect();
    let sources = all(m, "ReplicationSource");
    assert_eq!(
        sections.len(),
        sources.len(),
        "one runbook section per backed-up claim"
    );
    for rs in &sources {
        let (ns, claim) = ns_name(rs);
        let app = s(&rs["metadata"]["labels"][NAME_LABEL]);
        let secret = s(&rs["spec"]["restic"]["repository"]);
        let schedule = s(&rs["spec"]["trigger"]["schedule"]);
        let row = runbook
            .lines()
            .find(|l| l.starts_with("| [") && l.contains(&format!(" | {claim} | ")))
            .unwrap_or_else(|| panic!("no table row for {claim}"));
        assert!(row.contains(&format!("`{secret}`")), "{row}");
        assert!(row.contains(&format!("`{schedule}`")), "{row}");
        assert!(row.contains(&format!(" | {ns} | ")), "{row}");
        assert!(
            runbook.contains(&format!("\n## {app}\n")),
            "no heading for {app} (alerts link to it)"
        );
        let matching: Vec<&&str> = sections
            .iter()
            .filter(|sec| {
                sec.lines()
                    .next()
                    .unwrap_or_default()
                    .ends_with(&format!("(claim `{claim}`)"))
            })
            .collect();
        assert_eq!(matching.len(), 1, "one section for {claim}");
        let sec = matching[0];
        // Snapshot now.
        assert!(
            sec.contains(&format!(
                "kubectl -n {ns} patch replicationsource {claim} --type merge"
            )),
            "{claim}: no snapshot-now command:\n{sec}"
        );
        assert!(
            sec.contains(&format!("wait replicationsource/{claim} ")),
            "{sec}"
        );
        // Restore an earlier backup.
        for line in [
            "kind: ReplicationDestination".to_string(),
            format!("  name: {claim}-manual"),
            format!("  namespace: {ns}"),
            format!("    repository: {secret}"),
            "    copyMethod: Direct".to_string(),
            format!("    destinationPVC: {claim}"),
            "    previous: 1".to_string(),
            format!(
                "      runAsUser: {}",
                rs["spec"]["restic"]["moverSecurityContext"]["runAsUser"]
            ),
        ] {
            assert!(
                sec.lines().any(|l| l == line),
                "{claim}: restore block lacks `{line}`:\n{sec}"
            );
        }
        assert!(
            sec.contains(&format!("/{app} --replicas 0")),
            "{claim}: the app is not stopped before the restore:\n{sec}"
        );
        assert!(sec.contains(&format!("delete replicationdestination {claim}-manual")));
        let create = format!("kubectl -n {ns} create secret generic {secret} ");
        if store {
            assert!(
                !sec.contains("create secret"),
                "a store makes the Secret:\n{sec}"
            );
        } else {
            assert!(
                sec.contains(&create),
                "{claim}: no command creating {secret}:\n{sec}"
            );
            assert!(sec.contains("--from-literal=RESTIC_REPOSITORY="), "{sec}");
            assert!(sec.contains("--from-literal=RESTIC_PASSWORD="), "{sec}");
        }
    }
    sections.len()
}

/// Whether a rendered text holds a `kind: Secret` object.
fn has_secret_kind(text: &str) -> bool {
    Regex::new(r#"(?m)^\s*kind:\s*["']?Secret["']?\s*$"#)
        .unwrap()
        .is_match(text)
}

// ---------------------------------------------------------------------------------------
// 1. Exact output of a synthetic catalogue
// ---------------------------------------------------------------------------------------

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
    let path = "cluster/alerts/prometheusrule-volsync-backups.yaml";
    insta::assert_snapshot!(files(&tree, &[path]));

    let m = compile(synthetic());
    let rule = object(&m, "PrometheusRule", "volsync-backups");
    assert_eq!(rule["metadata"]["namespace"], "monitoring");
    let rules = rule["spec"]["groups"][0]["rules"].as_array().unwrap();
    assert!(
        rules.iter().any(
            |r| r["alert"] == "VolSyncComponentAbsent" && r["labels"]["severity"] == "critical"
        )
    );
    let out_of_sync: Vec<&Value> = rules
        .iter()
        .filter(|r| r["alert"] == "VolSyncVolumeOutOfSync")
        .collect();
    let runbook = &tree["RESTORE.md"];
    let sources = all(&m, "ReplicationSource");
    assert_eq!(
        out_of_sync.len(),
        sources.len(),
        "one alert per backed-up claim"
    );
    for rs in &sources {
        let (ns, claim) = ns_name(rs);
        let app = s(&rs["metadata"]["labels"][NAME_LABEL]);
        let selector = format!(r#"obj_namespace="{ns}", obj_name="{claim}", role="source""#);
        let alert = out_of_sync
            .iter()
            .find(|r| s(&r["expr"]).contains(&selector))
            .unwrap_or_else(|| panic!("no out-of-sync alert for {ns}/{claim}"));
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
    for r in rules {
        assert_eq!(r["labels"]["receiver"], "test", "{r:#}");
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

// ---------------------------------------------------------------------------------------
// 2. The real catalogue follows the seed's backup table
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Frequency {
    Every6Hours,
    Daily,
}

/// The seed's "Backup Strategy" table: app, frequency, retention (days). All Volsync/Restic.
const BACKUP_TABLE: [(&str, Frequency, u32); 7] = [
    ("vaultwarden", Frequency::Every6Hours, 7),
    ("homeassistant", Frequency::Daily, 7),
    ("paperless", Frequency::Daily, 7),
    ("zigbee2mqtt", Frequency::Daily, 7),
    ("mosquitto", Frequency::Daily, 7),
    ("grocy", Frequency::Daily, 7),
    ("babybuddy", Frequency::Daily, 7),
];

#[test]
fn real_backups_follow_the_seed_table() {
    let m = real_manifests();
    let tree = real_tree();
    let runbook = &tree["RESTORE.md"];
    let sources = all(&m, "ReplicationSource");
    let apps = portkey::catalogue();
    for (name, frequency, days) in BACKUP_TABLE {
        assert!(
            apps.iter().any(|a| a.name == name),
            "{name} is not in apps/"
        );
        let mine: Vec<&Value> = sources
            .iter()
            .filter(|rs| rs["metadata"]["labels"][NAME_LABEL] == name)
            .collect();
        assert!(
            !mine.is_empty(),
            "{name} is in the backup table but backs nothing up"
        );
        for rs in mine {
            let (_, claim) = ns_name(rs);
            let schedule = s(&rs["spec"]["trigger"]["schedule"]);
            let (cron_rest, words) = match frequency {
                Frequency::Every6Hours => ("*/6 * * *", "Every 6 hours"),
                Frequency::Daily => ("3 * * *", "Daily"),
            };
            minute_of(schedule, cron_rest);
            assert_eq!(
                rs["spec"]["restic"]["retain"],
                json!({"within": format!("{days}d")}),
                "{claim}: retention is {days} days and nothing else"
            );
            assert_eq!(rs["spec"]["restic"]["copyMethod"], "Snapshot");
            let row = runbook
                .lines()
                .find(|l| l.contains(&format!(" | {claim} | ")))
                .unwrap_or_else(|| panic!("{claim} not in the runbook table"));
            assert!(row.contains(&format!("{words} (`{schedule}`)")), "{row}");
            assert!(row.ends_with(&format!("| {days} days |")), "{row}");
        }
    }
}

#[test]
fn only_the_apps_of_the_seed_table_are_backed_up() {
    let m = real_manifests();
    let backed_up: BTreeSet<String> = all(&m, "ReplicationSource")
        .iter()
        .map(|rs| s(&rs["metadata"]["labels"][NAME_LABEL]).to_string())
        .collect();
    let table: BTreeSet<String> = BACKUP_TABLE
        .iter()
        .map(|(n, ..)| (*n).to_string())
        .collect();
    assert_eq!(backed_up, table);
}

#[test]
fn vaultwarden_repository_secret() {
    let m = real_manifests();
    let rs = find(&m, "ReplicationSource", "vaultwarden", "vaultwarden-data")
        .expect("vaultwarden's data is backed up");
    assert_eq!(
        rs["spec"]["restic"]["repository"],
        "vaultwarden-volsync-secret"
    );
    let rd = find(
        &m,
        "ReplicationDestination",
        "vaultwarden",
        "vaultwarden-data-dst",
    )
    .expect("and restored from");
    assert_eq!(
        rd["spec"]["restic"]["repository"],
        "vaultwarden-volsync-secret"
    );
    minute_of(s(&rs["spec"]["trigger"]["schedule"]), "*/6 * * *");
}

// ---------------------------------------------------------------------------------------
// 3. Every backed-up claim is restorable, from its own repository
// ---------------------------------------------------------------------------------------

#[test]
fn real_backups_are_wired_to_their_restores() {
    let n = check_wiring(&real_manifests());
    assert!(n >= BACKUP_TABLE.len(), "{n} backups");
}

#[test]
fn synthetic_backups_are_wired_to_their_restores() {
    assert_eq!(check_wiring(&compile(synthetic())), 5);
    assert_eq!(
        check_wiring(&compile_on(&store_cluster(true), synthetic())),
        5
    );
}

#[test]
fn wiring_check_catches_a_shared_repository() {
    // The checker itself must be able to fail: two sources on one Secret.
    let mut m = compile(synthetic());
    for man in &mut m {
        if let portkey_compile::Object::ReplicationSource(rs) = &mut man.object
            && rs.metadata.name.as_deref() == Some("media-db")
        {
            rs.spec.restic.as_mut().unwrap().repository = "media-config-volsync-secret".into();
        }
    }
    let caught = std::panic::catch_unwind(|| check_wiring(&m));
    assert!(caught.is_err(), "a shared repository went unnoticed");
}

#[test]
fn repository_secrets_never_collide_across_apps() {
    // `notes` backs up two claims (Secrets `notes-data-volsync-secret`,
    // `notes-db-volsync-secret`); `notes-data` backs up one (`notes-data-volsync-secret`).
    let apps = vec![
        app("notes")
            .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily()))
            .volume(Volume::claim("db", "/db", Memory::gi(1)).backup(Backup::daily())),
        app("notes-data").volume(Volume::claim("x", "/x", Memory::gi(1)).backup(Backup::daily())),
    ];
    match portkey_model::resolve(&test_cluster(), apps) {
        // Refusing the model is fine, if it names the conflict.
        Err(e) => assert!(e.to_string().contains("notes-data-volsync-secret"), "{e}"),
        Ok(catalogue) => {
            check_wiring(&portkey_compile::compile(&catalogue));
        }
    }
}

#[test]
fn claim_names_never_collide_across_apps() {
    let apps = vec![
        app("notes").volume(Volume::claim("data-x", "/x", Memory::gi(1)).backup(Backup::daily())),
        app("notes-data").volume(Volume::claim("x", "/x", Memory::gi(1)).backup(Backup::daily())),
    ];
    match portkey_model::resolve(&test_cluster(), apps) {
        Err(e) => assert!(e.to_string().contains("notes-data-x"), "{e}"),
        Ok(catalogue) => {
            check_wiring(&portkey_compile::compile(&catalogue));
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. Critical apps
// ---------------------------------------------------------------------------------------

#[test]
fn real_critical_apps_are_retained_protected_and_backed_up() {
    let cluster = portkey::cluster::portkey();
    let apps = portkey::catalogue();
    assert!(
        apps.iter()
            .any(|a| a.name == "vaultwarden" && a.critical.is_some()),
        "the seed's password manager is critical"
    );
    let n = check_critical(&cluster, &apps, &real_manifests());
    assert!(n >= 1);
}

#[test]
fn synthetic_critical_app_is_retained_protected_and_backed_up() {
    let cluster = test_cluster();
    assert_eq!(
        check_critical(&cluster, &synthetic(), &compile(synthetic())),
        1
    );
}

// Critical without a Retain class or without a backup: tests/errors.rs
// (`critical_app_on_delete_class`, `critical_app_without_backup`) checks both through
// `portkey::render`, naming app and field.

// ---------------------------------------------------------------------------------------
// 5. Coverage rule
// ---------------------------------------------------------------------------------------

#[test]
fn claim_without_backup_or_exemption_fails_end_to_end() {
    let apps = vec![
        app("notes")
            .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily()))
            .volume(Volume::claim("index", "/index", Memory::gi(1))),
        app("wiki").volume(Volume::claim("uploads", "/uploads", Memory::gi(1))),
    ];
    let err = portkey::render(&test_cluster(), apps)
        .expect_err("a claim that is neither backed up nor exempt must not render");
    let shown = err.to_string();
    for (app, volume) in [("notes", "index"), ("wiki", "uploads")] {
        let line = shown
            .lines()
            .position(|l| l.contains(&format!("app `{app}`")))
            .unwrap_or_else(|| panic!("{app} not named:\n{shown}"));
        let text = shown
            .lines()
            .skip(line)
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains(&format!("apps/{app}.rs")), "{text}");
        assert!(
            text.contains(&format!("volumes[{volume}].backup")),
            "{text}"
        );
        assert!(
            text.contains(&format!("{app}-{volume}")),
            "names the claim: {text}"
        );
        assert!(text.contains("neither backed up nor exempt"), "{text}");
        assert!(
            text.contains("fix:")
                && text.contains(".backup(Backup::daily())")
                && text.contains(".no_backup("),
            "says how to fix it: {text}"
        );
    }
    assert!(shown.starts_with("2 problems in the model"), "{shown}");
    assert!(
        !shown.contains("volumes[data]"),
        "the backed-up claim is fine:\n{shown}"
    );
}

// ---------------------------------------------------------------------------------------
// 6. Secrets
// ---------------------------------------------------------------------------------------

#[test]
fn external_secret_per_repository_with_a_store() {
    let tree = render_on(&store_cluster(true), synthetic());
    insta::assert_snapshot!(files(
        &tree,
        &["lab/notes/externalsecret-notes-volsync-secret.yaml"]
    ));

    let m = compile_on(&store_cluster(true), synthetic());
    let sources = all(&m, "ReplicationSource");
    assert_eq!(
        all(&m, "ExternalSecret").len(),
        sources.len(),
        "one per repository"
    );
    let mut repositories = BTreeSet::new();
    for rs in &sources {
        let (ns, claim) = ns_name(rs);
        let secret = s(&rs["spec"]["restic"]["repository"]);
        let es = find(&m, "ExternalSecret", &ns, secret)
            .unwrap_or_else(|| panic!("no ExternalSecret {ns}/{secret} for {claim}"));
        assert_eq!(es["apiVersion"], "external-secrets.io/v1");
        assert_eq!(
            es["spec"]["secretStoreRef"],
            json!({"kind": "ClusterSecretStore", "name": STORE})
        );
        assert_eq!(es["spec"]["target"]["name"], secret);
        let data = &es["spec"]["target"]["template"]["data"];
        let repository = format!("{PREFIX_TRIMMED}/{ns}/{claim}");
        assert_eq!(data["RESTIC_REPOSITORY"], repository.as_str(), "{es:#}");
        assert!(
            repositories.insert(repository.clone()),
            "{repository} shared"
        );
        assert_eq!(
            es["spec"]["data"],
            json!([{"secretKey": "password", "remoteRef": {"key": PASSWORD_KEY}}])
        );
        // The password template reads the key fetched from the store.
        let fetched = s(&es["spec"]["data"][0]["secretKey"]);
        assert_eq!(
            data["RESTIC_PASSWORD"],
            format!("{{{{ .{fetched} }}}}").as_str()
        );
        assert_eq!(
            data.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["RESTIC_PASSWORD", "RESTIC_REPOSITORY"]
        );
        assert_eq!(
            es["metadata"]["labels"][NAME_LABEL],
            rs["metadata"]["labels"][NAME_LABEL]
        );
    }
    let notes = object(&m, "ExternalSecret", "notes-volsync-secret");
    assert_eq!(notes["metadata"]["namespace"], "lab");
    assert_eq!(
        notes["spec"]["target"]["template"]["data"]["RESTIC_REPOSITORY"],
        "s3:https://s3.example.org/restic/lab/notes-data"
    );
    for name in ["media-config-volsync-secret", "media-db-volsync-secret"] {
        assert!(has_object(&m, "ExternalSecret", name), "{name}");
    }
    assert!(!has_object(&m, "ExternalSecret", "media-volsync-secret"));

    // A namespaced store.
    let m = compile_on(&store_cluster(false), synthetic());
    let notes = object(&m, "ExternalSecret", "notes-volsync-secret");
    assert_eq!(
        notes["spec"]["secretStoreRef"],
        json!({"kind": "SecretStore", "name": STORE})
    );

    // The runbook says where the Secrets come from instead of asking to create them.
    let runbook = &tree["RESTORE.md"];
    assert!(runbook.contains(&format!("ExternalSecrets from the store `{STORE}`")));
    check_runbook(
        runbook,
        &compile_on(&store_cluster(true), synthetic()),
        true,
    );
}

/// Compile only builds objects from the model's `ResolvedBackup`: every name, schedule, key
/// and trigger of the Volsync objects is the one the model resolved, with and without a
/// store.
#[test]
fn compiled_backups_are_the_resolved_ones() {
    for cluster in [test_cluster(), store_cluster(true)] {
        let catalogue = portkey_model::resolve(&cluster, synthetic())
            .unwrap_or_else(|e| panic!("resolving failed:\n{e}"));
        let m = portkey_compile::compile(&catalogue);
        let mut seen = 0;
        for (app, claim, backup) in catalogue.backups() {
            let ns = app.app.namespace.name();
            let what = format!("{ns}/{}", claim.name);
            let rs = find(&m, "ReplicationSource", ns, &claim.name)
                .unwrap_or_else(|| panic!("no ReplicationSource for {what}"));
            assert_eq!(
                rs["spec"]["trigger"]["schedule"],
                backup.cron.as_str(),
                "{what}"
            );
            assert_eq!(
                rs["spec"]["restic"]["repository"],
                backup.repository_secret.as_str(),
                "{what}"
            );
            let rd = find(&m, "ReplicationDestination", ns, &backup.destination)
                .unwrap_or_else(|| panic!("no ReplicationDestination for {what}"));
            assert_eq!(
                rd["spec"]["trigger"]["manual"], backup.restore_trigger,
                "{what}"
            );
            let pvc = find(&m, "PersistentVolumeClaim", ns, &claim.name)
                .unwrap_or_else(|| panic!("no claim {what}"));
            assert_eq!(
                pvc["spec"]["dataSourceRef"]["name"],
                backup.destination.as_str(),
                "{what}"
            );
            let es = find(&m, "ExternalSecret", ns, &backup.repository_secret);
            match (&backup.repository_url, es) {
                (Some(url), Some(es)) => {
                    let data = &es["spec"]["target"]["template"]["data"];
                    assert_eq!(data[backup.keys.repository], url.as_str(), "{what}");
                    assert!(data[backup.keys.password].is_string(), "{what}");
                }
                (None, None) => {}
                (url, es) => panic!("{what}: repository URL {url:?} but ExternalSecret {es:?}"),
            }
            seen += 1;
        }
        assert_eq!(seen, all(&m, "ReplicationSource").len());
        assert!(seen >= 4, "the synthetic catalogue backs up {seen} claims");
    }
}

#[test]
fn no_secret_objects_without_a_store() {
    let m = compile(synthetic());
    assert!(all(&m, "ExternalSecret").is_empty());
    assert!(all(&m, "Secret").is_empty());
    let cluster = portkey::cluster::portkey();
    if cluster.backup.secret_store.is_none() {
        let m = real_manifests();
        assert!(
            all(&m, "ExternalSecret").is_empty(),
            "the real cluster has no store"
        );
        assert!(all(&m, "Secret").is_empty());
    }
}

#[test]
fn no_rendered_file_is_a_secret() {
    assert!(has_secret_kind("  kind: Secret\n"), "the detector works");
    assert!(!has_secret_kind("    kind: SecretStore\n"));
    let trees = [
        ("real", real_tree()),
        ("synthetic", render(synthetic())),
        (
            "cluster store",
            render_on(&store_cluster(true), synthetic()),
        ),
        (
            "namespaced store",
            render_on(&store_cluster(false), synthetic()),
        ),
    ];
    for (what, tree) in &trees {
        for (path, text) in tree {
            assert!(
                !has_secret_kind(text),
                "{what}: {path} holds a Secret; secrets are referenced, never written"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 7. Schedules
// ---------------------------------------------------------------------------------------

#[test]
fn spread_minutes_are_deterministic_and_spread() {
    let first = schedules(&real_manifests());
    assert_eq!(first, schedules(&real_manifests()), "two compiles differ");
    // Same app, same minute, whatever else is in the catalogue.
    let alone = compile_on(
        &portkey::cluster::portkey(),
        portkey::catalogue()
            .into_iter()
            .filter(|a| a.name == "vaultwarden")
            .collect(),
    );
    let key = ("vaultwarden".to_string(), "vaultwarden-data".to_string());
    assert_eq!(schedules(&alone)[&key], first[&key]);
    let synthetic_alone = compile(vec![synthetic().remove(0)]);
    let key = ("lab".to_string(), "notes-data".to_string());
    assert_eq!(
        schedules(&synthetic_alone)[&key],
        schedules(&compile(synthetic()))[&key]
    );

    let minutes: BTreeSet<&str> = first
        .values()
        .map(|c| c.split(' ').next().unwrap())
        .collect();
    assert!(
        minutes.len() > 1,
        "every real backup starts at the same minute: {first:#?}"
    );
    let daily: Vec<&String> = first.values().filter(|c| c.ends_with(" 3 * * *")).collect();
    let distinct: BTreeSet<&str> = daily.iter().map(|c| c.split(' ').next().unwrap()).collect();
    assert!(
        distinct.len() > 1,
        "the daily backups all start together: {daily:?}"
    );
}

#[test]
fn schedules_are_valid_for_volsync() {
    let pattern = Regex::new(VOLSYNC_SCHEDULE_PATTERN).unwrap();
    assert!(
        !pattern.is_match("0 3 * *"),
        "the pattern rejects what Volsync rejects"
    );
    for (key, cron) in schedules(&real_manifests())
        .into_iter()
        .chain(schedules(&compile(synthetic())))
    {
        assert!(
            pattern.is_match(&cron),
            "{key:?}: {cron:?} fails Volsync's CRD"
        );
    }
    for h in [1, 2, 3, 4, 6, 8, 12, 24] {
        let s = Schedule::EveryHours(h);
        assert!(s.check().is_ok());
        assert!(pattern.is_match(&s.to_cron("x/y")), "{}", s.to_cron("x/y"));
    }
    for hour in 0..24 {
        let s = Schedule::Daily { hour };
        assert!(s.check().is_ok());
        assert!(pattern.is_match(&s.to_cron("x/y")));
    }
}

fn cron_problem(expr: &str) -> ModelError {
    let bad = || {
        vec![
            app("notes")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron(expr))),
        ]
    };
    let all = problems(bad());
    assert_eq!(all.len(), 1, "{expr:?}: {all:#?}");
    let e = all[0].clone();
    assert_eq!(e.app, "notes");
    assert_eq!(e.field, "volumes[data].backup.schedule");
    let shown = portkey::render(&test_cluster(), bad())
        .expect_err("a malformed cron must not render")
        .to_string();
    assert!(
        shown.contains("app `notes`") && shown.contains("volumes[data].backup.schedule"),
        "{shown}"
    );
    assert!(shown.contains(&e.fix), "{shown}");
    e
}

#[test]
fn malformed_cron_fails_with_app_and_field() {
    // (errors.rs covers a missing field and an hour out of range.)
    for (expr, mentions) in [
        ("60 3 * * *", "minute"),
        ("*/0 * * * *", "step"),
        ("0 3 32 * *", "day of month"),
        ("0 3 * 13 *", "month"),
        ("0 3 * * 8", "day of week"),
        ("0 3 * * * *", "6 fields"),
        ("a 3 * * *", "minute"),
        ("", "0 fields"),
    ] {
        let e = cron_problem(expr);
        assert!(e.problem.contains(mentions), "{expr:?}: {e:#?}");
    }
    // Valid forms are accepted.
    for expr in ["0 3 * * *", "*/15 1-5 * * 1,3", "15 2 * * 0"] {
        render(vec![app("notes").volume(
            Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron(expr)),
        )]);
    }
}

#[test]
fn accepted_crons_pass_volsync_validation() {
    let pattern = Regex::new(VOLSYNC_SCHEDULE_PATTERN).unwrap();
    for expr in ["0 1-5/2 * * *", "0 3 * * 1-5,7", "0 1,2-4 * * *"] {
        assert!(
            !pattern.is_match(expr),
            "{expr:?} is valid for Volsync after all"
        );
        let apps = vec![
            app("notes")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron(expr))),
        ];
        assert!(
            portkey_model::resolve(&test_cluster(), apps).is_err(),
            "{expr:?} is accepted, but Volsync's CRD rejects it"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 8. The runbook of the real catalogue
// ---------------------------------------------------------------------------------------

#[test]
fn real_runbook_covers_every_backed_up_claim() {
    let tree = real_tree();
    let m = real_manifests();
    let store = portkey::cluster::portkey().backup.secret_store.is_some();
    let n = check_runbook(&tree["RESTORE.md"], &m, store);
    assert!(n >= BACKUP_TABLE.len());
    // Every alert links to a heading of the runbook.
    let rule = object(&m, "PrometheusRule", "volsync-backups");
    for r in rule["spec"]["groups"][0]["rules"].as_array().unwrap() {
        if let Some(link) = r["annotations"]["runbook"].as_str() {
            let anchor = link.strip_prefix("generated/RESTORE.md#").expect(link);
            assert!(
                tree["RESTORE.md"].contains(&format!("\n## {anchor}\n")),
                "{link}"
            );
        }
    }
}

#[test]
fn snapshot_now_gives_the_schedule_back() {
    let tree = real_tree();
    for sec in tree["RESTORE.md"].split("\n### Volume `").skip(1) {
        let claim = sec
            .split("(claim `")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap();
        let block = sec
            .split("Take a backup now")
            .nth(1)
            .and_then(|r| r.split("```").nth(1))
            .unwrap_or_else(|| panic!("{claim}: no snapshot-now block"));
        assert!(
            block.contains(r#""manual":null"#) || block.contains(r#"\"manual\":null"#),
            "{claim}: the manual trigger is never removed:\n{block}"
        );
    }
}

#[test]
fn runbook_shows_a_raw_cron_once() {
    let tree = render(synthetic());
    let row = tree["RESTORE.md"]
        .lines()
        .find(|l| l.contains(" | legacy-config | "))
        .expect("legacy-config is listed");
    assert_eq!(row.matches("15 2 * * 0").count(), 1, "{row}");
}
