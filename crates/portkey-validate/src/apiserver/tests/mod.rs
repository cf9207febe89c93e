//! One test per API-server rule, on hand-written objects: each plants the mistake in an
//! object that is otherwise clean (the baseline test proves it is) and checks the pointer
//! and the upstream rule in the message. `metadata`, ConfigMaps and Secrets are here;
//! `pod` holds containers, pods and workloads; `objects` the other kinds and the
//! attribution to the model.

mod objects;
mod pod;

use serde_json::{Value, json};

use super::check_object;
use crate::Problem;

pub(super) fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "apps",
            "labels": {"app.kubernetes.io/name": "web"},
            "annotations": {"portkey.dev/pinned": "reason"}
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
                "spec": {
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "fsGroup": 1000},
                    "containers": [{
                        "name": "web",
                        "image": "docker.io/library/nginx:1.27",
                        "env": [{"name": "TZ", "value": "Etc/UTC"}],
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                        "readinessProbe": {"tcpSocket": {"port": 8080}},
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "64Mi"},
                            "limits": {"memory": "128Mi"}
                        },
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]
                    }],
                    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}}]
                }
            }
        }
    })
}

/// The first container of [`deployment`].
pub(super) const C: &str = "/spec/template/spec/containers/0";

pub(super) fn problems(v: &Value) -> Vec<Problem> {
    check_object("f.yaml", v)
}

/// Exactly one problem, at `pointer`, naming `rule`.
pub(super) fn one(v: &Value, pointer: &str, rule: &str) {
    let found = problems(v);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    assert_eq!(found[0].pointer, pointer, "{found:#?}");
    assert!(
        found[0].message.contains(rule),
        "{:?} does not name {rule}",
        found[0].message
    );
}

/// Sets (or adds, when its parent exists) the field at `pointer`.
pub(super) fn set(v: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let parent = v
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match parent {
        Value::Array(a) => a[key.parse::<usize>().expect("an index")] = value,
        Value::Object(m) => {
            m.insert(key.into(), value);
        }
        _ => panic!("{pointer}: the parent is neither array nor object"),
    }
}

/// [`deployment`] with the field at `pointer` set to `value`.
pub(super) fn with(pointer: &str, value: Value) -> Value {
    let mut v = deployment();
    set(&mut v, pointer, value);
    v
}

#[test]
fn a_clean_object_has_no_problems() {
    assert_eq!(problems(&deployment()), Vec::new());
}

#[test]
fn names_per_kind() {
    let object = |kind: &str, name: &str| json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}});
    assert!(problems(&object("Namespace", &"n".repeat(63))).is_empty());
    one(
        &object("Namespace", &"n".repeat(64)),
        "/metadata/name",
        "ValidateNamespaceName",
    );
    one(
        &object("Namespace", "a.b"),
        "/metadata/name",
        "NameIsDNSLabel",
    );
    one(
        &object("Service", "1web"),
        "/metadata/name",
        "NameIsDNS1035Label",
    );
    one(
        &object("StatefulSet", "db.main"),
        "/metadata/name",
        "ValidateStatefulSetName",
    );
    let long = format!("{0}.{0}.{0}.{1}", "a".repeat(63), "a".repeat(61));
    assert!(problems(&object("ConfigMap", &long)).is_empty());
    one(
        &object("ConfigMap", &format!("{long}a")),
        "/metadata/name",
        "NameIsDNSSubdomain",
    );
    one(
        &object("ReplicationSource", "Data"),
        "/metadata/name",
        "NameIsDNSSubdomain",
    );
    assert!(problems(&object("ClusterRole", "system:auth")).is_empty());
    one(
        &object("ClusterRole", "a/b"),
        "/metadata/name",
        "ValidateRBACName",
    );
    one(
        &json!({"kind": "ConfigMap", "metadata": {}}),
        "/metadata/name",
        "ValidateObjectMeta",
    );
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"plural": "widget"}}
    });
    one(&crd, "/metadata/name", "ValidateCustomResourceDefinition");
    one(
        &with("/metadata/namespace", json!("Apps")),
        "/metadata/namespace",
        "ValidateNamespaceName",
    );
}

#[test]
fn label_keys_and_values() {
    let labels = |l: Value| with("/metadata/labels", l);
    assert!(problems(&labels(json!({"a": "v".repeat(63)}))).is_empty());
    one(
        &labels(json!({"a": "v".repeat(64)})),
        "/metadata/labels/a",
        "IsValidLabelValue",
    );
    one(
        &labels(json!({"a": "x y"})),
        "/metadata/labels/a",
        "IsValidLabelValue",
    );
    one(
        &labels(json!({"a": 1})),
        "/metadata/labels/a",
        "ValidateLabels",
    );
    one(
        &labels(json!({"-a": "v"})),
        "/metadata/labels/-a",
        "IsQualifiedName",
    );
    one(
        &labels(json!({"Example.com/a": "v"})),
        "/metadata/labels/Example.com~1a",
        "IsQualifiedName",
    );
}

#[test]
fn annotation_keys_and_total_size() {
    let annotations = |a: Value| with("/metadata/annotations", a);
    assert!(
        problems(&annotations(json!({"Example.com/Key": "v"}))).is_empty(),
        "keys are lowercased first"
    );
    one(
        &annotations(json!({"a b": "v"})),
        "/metadata/annotations/a b",
        "ValidateAnnotations",
    );
    one(
        &annotations(json!({"/a": "v"})),
        "/metadata/annotations/~1a",
        "IsQualifiedName",
    );
    // Applied server-side, so that client-side apply's own annotation (which could never
    // fit beside these) is not what fails.
    let (ssa, on) = ("argocd.argoproj.io/sync-options", "ServerSideApply=true");
    let fits = "v".repeat(256 * 1024 - "k".len() - ssa.len() - on.len());
    assert_eq!(
        problems(&annotations(json!({ "k": fits, ssa: on }))),
        Vec::new()
    );
    let over = format!("{fits}v");
    one(
        &annotations(json!({ "k": over, ssa: on })),
        "/metadata/annotations",
        "TotalAnnotationSizeLimitB",
    );
    // Over the limit, they are reported once, by this rule, whichever way it is applied.
    one(
        &annotations(json!({ "k": "v".repeat(256 * 1024) })),
        "/metadata/annotations",
        "TotalAnnotationSizeLimitB",
    );
}

#[test]
fn config_map_and_secret_keys() {
    let cm = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data});
    assert!(problems(&cm(json!({"app.conf": "x", "-_.x": "y"}))).is_empty());
    one(&cm(json!({"a/b": "x"})), "/data/a~1b", "IsConfigMapKey");
    one(&cm(json!({"..": "x"})), "/data/..", "IsConfigMapKey");
    let mut both = cm(json!({"k": "x"}));
    both["binaryData"] = json!({"k": "eA=="});
    one(&both, "/binaryData/k", "ValidateConfigMap");
    // Applied server-side: client-side apply fails at a quarter of this size.
    let mut large = cm(json!({"k": "x".repeat(1024 * 1024 + 1)}));
    large["metadata"]["annotations"] =
        json!({"argocd.argoproj.io/sync-options": "ServerSideApply=true"});
    one(&large, "/data", "ValidateConfigMap");
    let secret = |kind: &str, data: Value| json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": kind, "stringData": data});
    one(
        &secret("Opaque", json!({"pass word": "x"})),
        "/stringData/pass word",
        "ValidateSecret",
    );
    one(
        &secret("kubernetes.io/tls", json!({"tls.crt": "x"})),
        "/data",
        "ValidateSecret",
    );
    assert!(
        problems(&secret(
            "kubernetes.io/tls",
            json!({"tls.crt": "x", "tls.key": "y"})
        ))
        .is_empty()
    );
}

/// Client-side apply stores the object's compact JSON in an annotation: an object whose
/// JSON leaves no room for it under `TotalAnnotationSizeLimitB` fails, at the byte.
#[test]
fn objects_too_large_for_client_side_apply() {
    let config_map = |value: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
               "data": {"k": value}})
    };
    let key = "kubectl.kubernetes.io/last-applied-configuration".len();
    let overhead = serde_json::to_string(&config_map("")).unwrap().len();
    let fits = "x".repeat(256 * 1024 - key - overhead);
    assert_eq!(problems(&config_map(&fits)), Vec::new());
    let over = format!("{fits}x");
    one(&config_map(&over), "/data", "last-applied-configuration");
    let message = &problems(&config_map(&over))[0].message;
    assert!(message.contains("the ConfigMap is too large"), "{message}");
    assert!(message.contains("ServerSideApply=true"), "{message}");
    // Go escapes `<` as \u003c: six bytes each, so fewer of them already overflow.
    let html = "<".repeat(fits.len() / 6 + 1);
    one(&config_map(&html), "/data", "last-applied-configuration");
    // An object applied server-side (or replaced) carries no such annotation.
    for option in ["ServerSideApply=true", "Prune=false, Replace=true"] {
        let mut v = config_map(&over);
        set(
            &mut v,
            "/metadata/annotations",
            json!({"argocd.argoproj.io/sync-options": option}),
        );
        assert_eq!(problems(&v), Vec::new(), "{option}");
    }
}
