//! What a [`Summary`](crate::lint::Summary) keeps of one object for the lints across objects: its
//! kind, namespace and name, and each kind of link, as read.

use serde_json::json;

use super::{IMAGE, SOURCE, check_object};

#[test]
fn a_summary_keeps_kind_namespace_and_name_apart() {
    let (_, namespaced) = check_object(
        SOURCE,
        &json!({"kind": "ConfigMap", "metadata": {"name": "web", "namespace": "media"}}),
    );
    assert_eq!(
        (namespaced.kind(), namespaced.namespace(), namespaced.name()),
        ("ConfigMap", "media", "web")
    );
    assert!(namespaced.links.is_none(), "a ConfigMap has no links");
    let (_, cluster) = check_object(
        SOURCE,
        &json!({"kind": "Namespace", "metadata": {"name": "media"}}),
    );
    assert_eq!(
        (cluster.kind(), cluster.namespace(), cluster.name()),
        ("Namespace", "", "media")
    );
}

/// Every kind of link a summary keeps comes back as it was read: the selector and pod
/// template labels sorted by key (an empty selector kept as one), hosts in rule order,
/// references sorted without repeats, the produced Secret; and only where they apply.
#[test]
fn a_summary_keeps_each_link_it_reads() {
    let (_, deployment) = check_object(
        SOURCE,
        &json!({
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "media"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"tier": "front", "app": "web"}},
                    "spec": {
                        "volumes": [
                            {"name": "b", "secret": {"secretName": "keys"}},
                            {"name": "a", "persistentVolumeClaim": {"claimName": "data"}},
                            {"name": "c", "secret": {"secretName": "keys"}}
                        ],
                        "containers": [{"name": "web", "image": IMAGE, "env": [
                            {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "conf", "key": "x"}}}
                        ]}]
                    }
                }
            }
        }),
    );
    assert!(
        deployment.selector().is_none(),
        "only a Service's selector is kept"
    );
    let labels = deployment.template_labels().expect("template labels");
    assert_eq!(
        labels.iter().collect::<Vec<_>>(),
        [("app", "web"), ("tier", "front")]
    );
    assert_eq!(labels.get("tier"), Some("front"));
    assert_eq!(labels.get("zone"), None);
    assert_eq!(
        deployment.refs().collect::<Vec<_>>(),
        [
            ("ConfigMap", "conf"),
            ("PersistentVolumeClaim", "data"),
            ("Secret", "keys")
        ]
    );
    assert_eq!(deployment.hosts().count(), 0);
    assert_eq!(deployment.produces_secret(), None);

    let (_, service) = check_object(
        SOURCE,
        &json!({"kind": "Service", "metadata": {"name": "web", "namespace": "media"},
                "spec": {"selector": {}}}),
    );
    let selector = service
        .selector()
        .expect("an empty selector is still a selector");
    assert_eq!(selector.iter().count(), 0);
    assert_eq!(format!("{selector:?}"), "{}");
    assert!(service.template_labels().is_none());

    let (_, ingress) = check_object(
        SOURCE,
        &json!({"kind": "Ingress", "metadata": {"name": "web", "namespace": "media"},
                "spec": {"rules": [{"host": "b.lab.example.org"}, {"host": "a.lab.example.org"}]}}),
    );
    assert_eq!(
        ingress.hosts().collect::<Vec<_>>(),
        ["b.lab.example.org", "a.lab.example.org"]
    );
    assert_eq!(ingress.refs().count(), 0);

    let (_, external) = check_object(
        SOURCE,
        &json!({"kind": "ExternalSecret", "metadata": {"name": "db", "namespace": "media"},
                "spec": {"target": {"name": "db-credentials"}}}),
    );
    assert_eq!(external.produces_secret(), Some("db-credentials"));
    let (_, service) = check_object(
        SOURCE,
        &json!({"kind": "Service", "metadata": {"name": "web", "namespace": "media"},
                "spec": {"selector": {"b": "2", "a": "1"}}}),
    );
    assert_eq!(
        format!("{:?}", service.selector().expect("selector")),
        r#"{"a": "1", "b": "2"}"#
    );
}
