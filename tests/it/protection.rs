//! Nothing that holds data is deleted by a bad render or a sync (issue #12, part 4): the
//! Namespaces holding claims are protected, the root's children need a confirmed prune,
//! the Applications whose deletion would cascade carry no resources finalizer, Volsync's
//! temporary claims never use a Retain class, and removing an app from the catalogue
//! never prunes a Namespace holding a backed-up claim.

use std::collections::BTreeSet;

use portkey::portkey_compile::argocd::{
    CONFIRM_PRUNE, KEEP_DATA, RESOURCES_FINALIZER, SYNC_OPTIONS,
};
use portkey::portkey_diff::{self, Category, Objects};
use portkey::portkey_model::app::Volume;
use portkey::portkey_model::backup::Backup;
use portkey::portkey_model::quantity::Memory;
use portkey::portkey_render::Tree;
use serde_json::Value;

use crate::common::{FAST, KEEP, LAB, TOOLS, app};

fn real_tree() -> Tree {
    portkey::render_repository().unwrap_or_else(|e| panic!("the repository renders: {e}"))
}

fn parsed(tree: &Tree) -> Objects {
    portkey_diff::objects(tree, "render").expect("the render parses")
}

fn of_kind<'o>(objects: &'o Objects, kind: &'o str) -> impl Iterator<Item = &'o Value> + 'o {
    objects
        .iter()
        .filter(move |(k, _)| k.kind == kind)
        .map(|(_, o)| &o.value)
}

fn name(v: &Value) -> &str {
    v["metadata"]["name"].as_str().unwrap_or_default()
}

fn options(v: &Value) -> &str {
    v["metadata"]["annotations"][SYNC_OPTIONS]
        .as_str()
        .unwrap_or_default()
}

/// The namespaces that hold a claim, and those that hold a backed-up one (a
/// ReplicationSource's `sourcePVC`).
fn namespaces_with_claims(objects: &Objects) -> (BTreeSet<String>, BTreeSet<String>) {
    let with = |kind: &str| -> BTreeSet<String> {
        objects
            .keys()
            .filter(|k| k.kind == kind)
            .map(|k| k.namespace.clone())
            .collect()
    };
    (with("PersistentVolumeClaim"), with("ReplicationSource"))
}

#[test]
fn every_namespace_holding_a_claim_is_never_pruned_or_deleted() {
    let objects = parsed(&real_tree());
    let (claims, _) = namespaces_with_claims(&objects);
    assert!(!claims.is_empty());
    let namespaces: Vec<&Value> = of_kind(&objects, "Namespace").collect();
    for ns in claims {
        let n = namespaces
            .iter()
            .find(|n| name(n) == ns)
            .unwrap_or_else(|| panic!("no Namespace {ns} is emitted"));
        assert_eq!(options(n), KEEP_DATA, "Namespace {ns} holds claims: {n:#}");
    }
}

#[test]
fn a_namespace_without_claims_is_not_protected() {
    let tree = crate::common::render(vec![app("web"), {
        let mut notes = app("notes").volume(
            Volume::claim("data", "/data", Memory::gi(1))
                .class(KEEP)
                .backup(Backup::daily()),
        );
        notes.namespace = TOOLS;
        notes
    }]);
    let objects = parsed(&tree);
    let ns = |n: &str| {
        of_kind(&objects, "Namespace")
            .find(|v| name(v) == n)
            .cloned()
            .unwrap_or_else(|| panic!("no Namespace {n}"))
    };
    assert_eq!(options(&ns(TOOLS.name())), KEEP_DATA);
    assert_eq!(options(&ns(LAB.name())), "", "lab holds no claim");
}

#[test]
fn the_root_s_children_need_a_confirmed_prune_and_only_cascading_deletes_keep_the_finalizer() {
    let objects = parsed(&real_tree());
    let mut without = BTreeSet::new();
    for (key, o) in &objects {
        if key.kind != "Application" {
            continue;
        }
        let app = &o.value;
        let finalizers: Vec<&str> = app["metadata"]["finalizers"]
            .as_array()
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if o.path.starts_with("argocd/") {
            assert_eq!(options(app), CONFIRM_PRUNE, "{}", o.path);
        }
        if !finalizers.contains(&RESOURCES_FINALIZER) {
            without.insert(name(app).to_string());
        }
    }
    assert_eq!(
        without,
        BTreeSet::from([
            "argo-cd".to_string(),
            "cluster-namespaces".to_string(),
            "portkey-root".to_string()
        ]),
        "deleting argo-cd would delete Argo CD; cluster-namespaces every namespace's content; the root every Application"
    );
}

/// Every StorageClass name Volsync's temporary claims use, with what uses it.
fn temporary_classes(objects: &Objects, runbook: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for kind in ["ReplicationSource", "ReplicationDestination"] {
        for v in of_kind(objects, kind) {
            for field in ["storageClassName", "cacheStorageClassName"] {
                let class = v["spec"]["restic"][field].as_str().unwrap_or_else(|| {
                    panic!("{kind} {} leaves {field} to Volsync's default", name(v))
                });
                out.push((class.to_string(), format!("{kind} {} {field}", name(v))));
            }
        }
    }
    // The runbook's manual restores (copyMethod Direct): only a cache claim.
    let manual: Vec<&str> = runbook
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cacheStorageClassName: "))
        .collect();
    assert!(
        !manual.is_empty(),
        "the runbook's restores name their cache class"
    );
    out.extend(
        manual
            .into_iter()
            .map(|c| (c.to_string(), "RESTORE.md manual restore".to_string())),
    );
    out
}

#[test]
fn no_temporary_volsync_claim_uses_a_retain_class() {
    let tree = real_tree();
    let objects = parsed(&tree);
    let classes: Vec<&Value> = of_kind(&objects, "StorageClass").collect();
    assert!(
        classes.iter().any(|c| c["reclaimPolicy"] == "Retain"),
        "the real inventory has a Retain class, so the test can fail"
    );
    let used = temporary_classes(&objects, &tree["RESTORE.md"]);
    assert!(used.len() > 4);
    for (class, user) in used {
        let c = classes
            .iter()
            .find(|c| name(c) == class)
            .unwrap_or_else(|| panic!("{user}: class {class} is not emitted"));
        assert_eq!(c["reclaimPolicy"], "Delete", "{user} is on {class}");
    }
}

#[test]
fn a_synthetic_retain_claim_keeps_retain_and_its_temporary_claims_do_not() {
    let tree = crate::common::render(vec![
        app("vault").volume(
            Volume::claim("data", "/data", Memory::gi(1))
                .class(KEEP)
                .backup(Backup::every_6_hours()),
        ),
    ]);
    let objects = parsed(&tree);
    let pvc = of_kind(&objects, "PersistentVolumeClaim")
        .next()
        .expect("a claim");
    assert_eq!(pvc["spec"]["storageClassName"], KEEP.name());
    for (class, user) in temporary_classes(&objects, &tree["RESTORE.md"]) {
        assert_eq!(class, FAST.name(), "{user}");
    }
}

/// The render of the real catalogue without `removed`; `None` when another app depends on
/// it (the model then refuses the catalogue, so nothing is rendered or pruned).
fn real_tree_without(removed: &str) -> Option<Tree> {
    let apps: Vec<_> = portkey::catalogue()
        .into_iter()
        .filter(|a| a.name != removed)
        .collect();
    portkey::build_with(&portkey::cluster::portkey(), apps, portkey::charts())
        .ok()
        .map(|o| o.tree)
}

#[test]
fn removing_an_app_never_prunes_a_namespace_holding_a_backed_up_claim() {
    let before = real_tree();
    let old = parsed(&before);
    let (_, backed_up) = namespaces_with_claims(&old);
    let mut namespaces_dropped = 0;
    let mut removed = Vec::new();
    for app in portkey::catalogue() {
        let Some(after) = real_tree_without(&app.name) else {
            continue;
        };
        removed.push(app.name.clone());
        let new = parsed(&after);
        for (key, o) in &old {
            if key.kind != "Namespace" || new.contains_key(key) {
                continue;
            }
            namespaces_dropped += 1;
            // Argo CD judges a resource that left Git by its live object: the old render.
            if backed_up.contains(&key.name) {
                assert!(
                    options(&o.value).contains("Prune=false"),
                    "removing {} prunes Namespace {}, which holds a backed-up claim",
                    app.name,
                    key.name
                );
                assert!(options(&o.value).contains("Delete=false"));
            }
        }
        // The app's Application itself waits for a confirmed prune.
        let application = old
            .iter()
            .find(|(k, _)| k.kind == "Application" && k.name == app.name)
            .map_or_else(|| panic!("no Application {}", app.name), |(_, o)| &o.value);
        assert!(
            !new.keys()
                .any(|k| k.kind == "Application" && k.name == app.name)
        );
        assert_eq!(options(application), CONFIRM_PRUNE, "{}", app.name);
    }
    assert!(
        namespaces_dropped > 0 && removed.iter().any(|a| a == "vaultwarden"),
        "vaultwarden is alone in its namespace, so the test sees a Namespace dropped: removed {removed:?}"
    );
}

#[test]
fn portkey_diff_says_a_protected_namespace_stays() {
    let before = real_tree();
    let after = real_tree_without("vaultwarden").expect("nothing depends on vaultwarden");
    let d = portkey_diff::diff(&before, &after).expect("the trees diff");
    let ns = d
        .warnings
        .iter()
        .find(|w| w.object.kind == "Namespace" && w.object.name == "vaultwarden")
        .unwrap_or_else(|| panic!("no warning about Namespace vaultwarden: {:#?}", d.warnings));
    assert_eq!(ns.category, Category::Destructive);
    assert!(ns.consequence.contains("leaves it"), "{}", ns.consequence);
}
