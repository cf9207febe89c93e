//! Backup and restore from one declaration: `.backup(..)` on a claim yields a Volsync restic
//! `ReplicationSource`, a `ReplicationDestination` `<claim>-dst` the claim is populated from,
//! the repository Secret's `ExternalSecret` (when the cluster has a store), the alerts, and
//! the restore runbook (`generated/RESTORE.md`).
//!
//! Synthetic catalogues run against the test inventory; the real catalogue is checked
//! against the seed's "Backup Strategy" table (`../shared/seed/portkey-cluster.md`). Every
//! snapshot has plain assertions of the facts it is about beside it, so accepting a wrong
//! snapshot still fails.

mod empty_restore;
mod renamed;
mod scale;
mod schedules;
mod secrets;
mod seed;
mod synthetic;
mod wiring;

use seed::BACKUP_TABLE;

use std::collections::{BTreeMap, BTreeSet};

use crate::common::*;
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

/// `trigger.schedule` pattern of Volsync's `ReplicationSource` CRD, read from the committed
/// upstream schema (`crates/portkey-validate/schemas/crds/volsync.backube/`; the API server
/// matches CRD patterns unanchored, like `Regex::is_match`).
fn volsync_schedule_pattern() -> Regex {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/portkey-validate/schemas/crds/volsync.backube/replicationsource_v1alpha1.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let schema: Value = serde_json::from_str(&text).unwrap();
    let pattern = schema
        .pointer("/properties/spec/properties/trigger/properties/schedule/pattern")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{path}: no trigger.schedule pattern"));
    Regex::new(pattern).unwrap()
}

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
        backend_keys: Vec::new(),
        provider: portkey::portkey_model::secret_store::SecretProvider::BitwardenSecretsManager(
            portkey::portkey_model::secret_store::BitwardenSecretsManager::cloud("org", "project"),
        ),
    });
    c
}

fn render_on(cluster: &Cluster, apps: Vec<App>) -> Tree {
    portkey::render(cluster, apps).unwrap_or_else(|e| panic!("rendering failed:\n{e}"))
}

fn compile_on(cluster: &Cluster, apps: Vec<App>) -> Vec<Manifest> {
    let catalogue =
        portkey_model::resolve(cluster, apps).unwrap_or_else(|e| panic!("resolving failed:\n{e}"));
    portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"))
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

/// The movers' pod security context: the data owner's IDs, non-root and RuntimeDefault
/// seccomp, so that they pass a `restricted` namespace (tests/it/pod_security.rs).
fn mover(uid: i64, gid: i64) -> Value {
    json!({
        "runAsUser": uid,
        "runAsGroup": gid,
        "fsGroup": gid,
        "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"},
    })
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
    let temporary = temporary_class_of(m, e.class);
    assert_eq!(restic["storageClassName"], temporary.as_str());
    assert_eq!(restic["cacheStorageClassName"], temporary.as_str());
    assert_eq!(
        restic["retain"],
        json!({"within": "7d", "weekly": 4, "monthly": 3})
    );
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
    assert_eq!(restic["storageClassName"], temporary.as_str());
    assert_eq!(restic["cacheStorageClassName"], temporary.as_str());
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

/// The class Volsync's temporary claims for a claim on `class` must use, from the
/// StorageClasses in `m`: `class` itself when it deletes its volumes, else a class of the same
/// provisioner that does. Panics when there is none, or when `class` is not emitted.
fn temporary_class_of(m: &[Manifest], class: &str) -> String {
    let classes = all(m, "StorageClass");
    let claim_class = classes
        .iter()
        .find(|c| c["metadata"]["name"] == class)
        .unwrap_or_else(|| panic!("StorageClass {class} is not emitted"));
    if claim_class["reclaimPolicy"] == "Delete" {
        return class.to_string();
    }
    classes
        .iter()
        .find(|c| c["reclaimPolicy"] == "Delete" && c["provisioner"] == claim_class["provisioner"])
        .map_or_else(
            || panic!("no Delete class of {class}'s provisioner is emitted"),
            |c| s(&c["metadata"]["name"]).to_string(),
        )
}

/// Checks the wiring of every backup in `m`, and returns how many there are:
/// - each ReplicationSource's claim exists and names in `dataSourceRef` a
///   ReplicationDestination that exists, with copyMethod Snapshot, a manual one-off trigger
///   and the same repository, size and mover as the source;
/// - every temporary claim (snapshot copy, caches, restored volume) is on a Delete class of
///   the claim's provisioner, never on a Retain class;
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
        let temporary = temporary_class_of(m, s(&pvc["spec"]["storageClassName"]));
        for (what, field) in [
            ("the source's snapshot copy", &src["storageClassName"]),
            ("the source's restic cache", &src["cacheStorageClassName"]),
            (
                "the destination's restored volume",
                &dst["storageClassName"],
            ),
            (
                "the destination's restic cache",
                &dst["cacheStorageClassName"],
            ),
        ] {
            assert_eq!(
                s(field),
                temporary,
                "{ns}/{claim}: {what} is a temporary claim, on the Delete class of the claim's provisioner"
            );
        }
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
