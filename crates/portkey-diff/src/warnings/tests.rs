//! Each rule on small objects written as JSON (which is YAML).

use super::*;
use crate::{Tree, diff};
use serde_json::json;

fn tree(objects: &[Value]) -> Tree {
    objects
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("ns/app/{i}.yaml"), o.to_string()))
        .collect()
}

/// `(category, kind, name, field)` of each warning from `old` to `new`.
fn warned(old: &[Value], new: &[Value]) -> Vec<(Category, String, String, String)> {
    let d = diff(&tree(old), &tree(new)).expect("the trees parse");
    d.warnings
        .into_iter()
        .map(|w| {
            (
                w.category,
                w.object.kind,
                w.object.name,
                w.field.unwrap_or_default(),
            )
        })
        .collect()
}

fn object(api: &str, kind: &str, name: &str, spec: &Value) -> Value {
    json!({
        "apiVersion": api, "kind": kind,
        "metadata": {"name": name, "namespace": "lab", "labels": {"app.kubernetes.io/name": "app"}},
        "spec": spec,
    })
}

fn claim(name: &str, spec: &Value) -> Value {
    object("v1", "PersistentVolumeClaim", name, spec)
}

fn source(claim: &str, spec: &Value) -> Value {
    let mut spec = spec.clone();
    spec["sourcePVC"] = json!(claim);
    spec["restic"]["repository"] = json!(format!("{claim}-restic"));
    object(
        "volsync.backube/v1alpha1",
        "ReplicationSource",
        claim,
        &spec,
    )
}

fn one(
    category: Category,
    kind: &str,
    name: &str,
    field: &str,
) -> Vec<(Category, String, String, String)> {
    vec![(category, kind.into(), name.into(), field.into())]
}

#[test]
fn workload_selectors_are_immutable_but_templates_are_not() {
    for kind in ["Deployment", "StatefulSet", "DaemonSet"] {
        let old = object(
            "apps/v1",
            kind,
            "w",
            &json!({"selector": {"matchLabels": {"a": "1"}}, "replicas": 1}),
        );
        let new = object(
            "apps/v1",
            kind,
            "w",
            &json!({"selector": {"matchLabels": {"a": "2"}}, "replicas": 2}),
        );
        assert_eq!(
            warned(std::slice::from_ref(&old), &[new]),
            one(Category::Immutable, kind, "w", "spec.selector")
        );
        let scaled = object(
            "apps/v1",
            kind,
            "w",
            &json!({"selector": {"matchLabels": {"a": "1"}}, "replicas": 3}),
        );
        assert!(warned(&[old], &[scaled]).is_empty(), "{kind}");
    }
}

#[test]
fn stateful_set_fields() {
    for field in ["volumeClaimTemplates", "serviceName", "podManagementPolicy"] {
        let old = object("apps/v1", "StatefulSet", "db", &json!({field: "a"}));
        let new = object("apps/v1", "StatefulSet", "db", &json!({field: "b"}));
        let w = warned(&[old], &[new]);
        assert_eq!(
            w,
            one(
                Category::Immutable,
                "StatefulSet",
                "db",
                &format!("spec.{field}")
            )
        );
    }
}

#[test]
fn claims_may_only_grow() {
    let spec = |class: &str, size: &str, source: &str, mode: &str| {
        json!({"storageClassName": class, "accessModes": [mode],
               "dataSourceRef": {"kind": "ReplicationDestination", "name": source},
               "resources": {"requests": {"storage": size}}})
    };
    let old = claim("data", &spec("fast", "5Gi", "d", "ReadWriteOnce"));
    let cases = [
        (spec("fast", "10Gi", "d", "ReadWriteOnce"), None),
        (
            spec("fast", "4500Mi", "d", "ReadWriteOnce"),
            Some("spec.resources.requests.storage"),
        ),
        (
            spec("slow", "5Gi", "d", "ReadWriteOnce"),
            Some("spec.storageClassName"),
        ),
        (
            spec("fast", "5Gi", "e", "ReadWriteOnce"),
            Some("spec.dataSourceRef"),
        ),
        (
            spec("fast", "5Gi", "d", "ReadWriteMany"),
            Some("spec.accessModes"),
        ),
    ];
    for (new, field) in cases {
        let want = field.map_or_else(Vec::new, |f| {
            one(Category::Immutable, "PersistentVolumeClaim", "data", f)
        });
        let got = warned(std::slice::from_ref(&old), &[claim("data", &new)]);
        assert_eq!(got, want, "{new}");
    }
}

#[test]
fn jobs_services_and_storage_classes() {
    let job = |image: &str| {
        object(
            "batch/v1",
            "Job",
            "j",
            &json!({"template": {"spec": {"containers": [{"name": "c", "image": image}]}}}),
        )
    };
    assert_eq!(
        warned(&[job("x:1")], &[job("x:2")]),
        one(Category::Immutable, "Job", "j", "spec.template")
    );
    let svc = |spec: Value| object("v1", "Service", "s", &spec);
    assert_eq!(
        warned(
            &[svc(json!({"clusterIP": "10.0.0.1"}))],
            &[svc(json!({"clusterIP": "10.0.0.2"}))]
        ),
        one(Category::Immutable, "Service", "s", "spec.clusterIP")
    );
    assert_eq!(
        warned(
            &[svc(json!({"ports": []}))],
            &[svc(json!({"type": "LoadBalancer", "ports": []}))]
        ),
        one(Category::Immutable, "Service", "s", "spec.type")
    );
    assert!(warned(&[svc(json!({"ports": [1]}))], &[svc(json!({"ports": [2]}))]).is_empty());
    let class = |reclaim: &str| json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"}, "provisioner": "p", "reclaimPolicy": reclaim});
    let w = warned(&[class("Delete")], &[class("Retain")]);
    assert_eq!(
        w,
        one(Category::Immutable, "StorageClass", "fast", "reclaimPolicy")
    );
}

#[test]
fn removals_that_lose_data() {
    let data = claim("data", &json!({"storageClassName": "fast"}));
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lab"}});
    let keep = object("v1", "Service", "keep", &json!({}));
    let w = warned(&[data, ns, keep.clone()], &[keep]);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w.iter().all(|(c, ..)| *c == Category::Destructive));
    // A claim with Prune=false, or on a Retain class, says so.
    let mut kept = claim("kept", &json!({"storageClassName": "fast"}));
    kept["metadata"]["annotations"] = json!({"argocd.argoproj.io/sync-options": "Prune=false"});
    let d = diff(&tree(&[kept]), &Tree::new()).unwrap();
    assert!(
        d.warnings[0].consequence.contains("Prune=false"),
        "{:?}",
        d.warnings
    );
    // So does a protected Namespace: Argo CD reads the annotation on the live object, the
    // base tree's; an unprotected one says it is pruned with everything in it.
    let mut protected =
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "vault"}});
    protected["metadata"]["annotations"] =
        json!({"argocd.argoproj.io/sync-options": "Prune=false,Delete=false"});
    let open = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "lab"}});
    let d = diff(&tree(&[protected, open]), &Tree::new()).unwrap();
    let said = |name: &str| {
        d.warnings
            .iter()
            .find(|w| w.object.name == name)
            .map(|w| w.consequence.clone())
            .unwrap_or_default()
    };
    assert!(said("vault").contains("leaves it"), "{:?}", d.warnings);
    assert!(
        said("lab").contains("Argo CD prunes it"),
        "{:?}",
        d.warnings
    );
}

#[test]
fn backups_lost_relaxed_or_renamed() {
    let data = claim("data", &json!({}));
    let daily = source(
        "data",
        &json!({"trigger": {"schedule": "0 3 * * *"}, "restic": {"retain": {"daily": 7}}}),
    );
    let other = object("v1", "Service", "web", &json!({}));
    // The app's only backup goes: one warning for the app.
    let d = diff(
        &tree(&[data.clone(), daily.clone(), other.clone()]),
        &tree(&[data.clone(), other.clone()]),
    )
    .unwrap();
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(d.warnings[0].change.contains("loses its backup"));
    assert!(d.warnings[0].consequence.contains("`data`"));
    // Weekly instead of daily, fewer days kept.
    let weekly = source(
        "data",
        &json!({"trigger": {"schedule": "0 3 * * 0"}, "restic": {"retain": {"daily": 3}}}),
    );
    let w = warned(std::slice::from_ref(&daily), &[weekly]);
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0].3, "spec.restic.retain");
    assert_eq!(w[1].3, "spec.trigger.schedule");
    // Tighter is fine.
    let hourly = source(
        "data",
        &json!({"trigger": {"schedule": "0 * * * *"}, "restic": {"retain": {"daily": 14}}}),
    );
    assert!(warned(std::slice::from_ref(&daily), &[hourly]).is_empty());
    // A backed-up claim gone while another appears in the namespace: a likely rename.
    let renamed = claim("config", &json!({}));
    let source_new = source("config", &json!({"trigger": {"schedule": "0 3 * * *"}}));
    let d = diff(&tree(&[data, daily]), &tree(&[renamed, source_new])).unwrap();
    let rename: Vec<&Warning> = d
        .warnings
        .iter()
        .filter(|w| w.category == Category::Rename)
        .collect();
    assert_eq!(rename.len(), 1, "{:?}", d.warnings);
    assert!(rename[0].change.contains("`config`"), "{}", rename[0]);
    assert!(
        rename[0].consequence.contains("`.renamed_from(\"data\")`")
            && rename[0]
                .consequence
                .contains("`data-restic` keeps the data and the new claim starts empty"),
        "{}",
        rename[0]
    );
}

#[test]
fn waves_images_and_charts() {
    let mut old = object(
        "apps/v1",
        "Deployment",
        "w",
        &json!({"template": {"spec": {"containers": [{"name": "c", "image": "r/x:1.10.0@sha256:aa"}]}}}),
    );
    let mut new = old.clone();
    new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("r/x:1.9.0@sha256:bb");
    assert_eq!(
        warned(std::slice::from_ref(&old), &[new.clone()]),
        one(
            Category::Downgrade,
            "Deployment",
            "w",
            "spec.template.spec.containers[name=c].image"
        )
    );
    new["spec"]["template"]["spec"]["containers"][0]["image"] = json!("r/x:1.11.0");
    assert!(warned(std::slice::from_ref(&old), &[new.clone()]).is_empty());
    old["metadata"]["annotations"] = json!({SYNC_WAVE: "3"});
    let w = warned(&[old], &[new]);
    assert_eq!(
        w,
        one(
            Category::SyncWave,
            "Deployment",
            "w",
            &format!("metadata.annotations[\"{SYNC_WAVE}\"]")
        )
    );
    let app = |v: &str| {
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "volsync", "namespace": "argocd"},
        "spec": {"sources": [{"repoURL": "https://charts", "chart": "volsync", "targetRevision": v}]}})
    };
    assert_eq!(
        warned(&[app("0.16.0")], &[app("0.15.2")]),
        one(
            Category::Downgrade,
            "Application",
            "volsync",
            "spec.sources[0].targetRevision"
        )
    );
    assert!(warned(&[app("0.16.0")], &[app("0.16.1")]).is_empty());
}

#[test]
fn quantities() {
    assert_eq!(quantity(&json!("5Gi")), Some(5.0 * 1024f64.powi(3)));
    assert!(quantity(&json!("500Mi")) < quantity(&json!("1Gi")));
    assert!(quantity(&json!("2G")) > quantity(&json!("1Gi")));
    assert_eq!(quantity(&json!("1x")), None);
    assert_eq!(quantity(&json!(3)), Some(3.0));
}
