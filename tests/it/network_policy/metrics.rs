//! `.metrics(..)` on the real catalogue: no app of `apps/` declares it (none serves
//! Prometheus metrics with the settings its app file gives it), so the feature is checked
//! on a copy of the catalogue where `paperless-redis` gains a metrics port. Prometheus'
//! pods then reach exactly that port, the matrix lists it, a `ServiceMonitor` that the
//! release's Prometheus selects scrapes it, and the app's wave follows the release that
//! installs the ServiceMonitor CRD.

use portkey::portkey_model::app::Port;

use super::eval::{End, Network};
use super::{committed, matrix, prometheus_pod, rendered, violations};

/// The real catalogue, with `paperless-redis` serving metrics on a port of its own.
fn with_metrics() -> std::collections::BTreeMap<String, String> {
    rendered(|apps| {
        let redis = apps
            .iter_mut()
            .find(|a| a.name == "paperless-redis")
            .expect("paperless-redis");
        *redis = redis
            .clone()
            .port(Port::tcp("metrics", 9121))
            .metrics("metrics", "/metrics");
    })
}

fn yaml(tree: &std::collections::BTreeMap<String, String>, path: &str) -> serde_json::Value {
    let text = tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not in the tree"));
    serde_saphyr::from_str(text).expect("YAML")
}

#[test]
fn prometheus_reaches_no_app_of_the_real_catalogue() {
    let tree = committed();
    let net = Network::from_tree(&tree);
    let prometheus = prometheus_pod();
    for pod in &net.pods {
        for (port, proto) in &pod.ports {
            assert!(
                !net.allowed(End::Pod(&prometheus), End::Pod(pod), *port, proto),
                "Prometheus → {}/{} {port}/{proto}",
                pod.namespace,
                pod.app()
            );
        }
    }
    assert!(
        !tree.keys().any(|p| p.contains("/servicemonitor-")),
        "no app declares metrics"
    );
    assert!(
        tree["ARCHITECTURE.md"].contains(
            "reaches an app only on the port of its `.metrics(..)`, and no app declares one"
        ),
        "ARCHITECTURE.md says why Prometheus reaches no app"
    );
}

#[test]
fn metrics_open_exactly_the_metrics_port_to_prometheus() {
    let tree = with_metrics();
    let expected = matrix(&tree["ARCHITECTURE.md"]);
    let flow = (
        "monitoring-system/prometheus".to_string(),
        "paperless/paperless-redis".to_string(),
        9121,
        "TCP".to_string(),
    );
    assert!(expected.contains(&flow), "{expected:#?}");
    assert!(
        tree["ARCHITECTURE.md"].contains("`.metrics(\"metrics\", \"/metrics\")`"),
        "the row names the declaration"
    );
    // The policies allow exactly the matrix, Prometheus included.
    let problems = violations(&expected, &tree);
    assert!(problems.is_empty(), "{problems:#?}");
    let net = Network::from_tree(&tree);
    let (prometheus, redis) = (prometheus_pod(), net.pod("paperless-redis"));
    assert!(net.allowed(End::Pod(&prometheus), End::Pod(redis), 9121, "TCP"));
    assert!(
        !net.allowed(End::Pod(&prometheus), End::Pod(redis), 6379, "TCP"),
        "only the metrics port"
    );
    // Another pod of the monitoring namespace (Grafana) is not Prometheus.
    let grafana = super::eval::Pod::new(
        "monitoring-system",
        &[("app.kubernetes.io/name", "grafana")],
        5,
    );
    assert!(!net.allowed(End::Pod(&grafana), End::Pod(redis), 9121, "TCP"));
    // Without the metrics, the committed matrix no longer matches: the row is the policy's.
    let before = matrix(&committed()["ARCHITECTURE.md"]);
    assert!(
        violations(&before, &tree).iter().any(|p| p.starts_with(
            "monitoring-system/prometheus → paperless/paperless-redis 9121/TCP: allowed"
        )),
        "the evaluator sees the new flow"
    );
}

#[test]
fn metrics_compile_to_a_service_monitor_prometheus_selects() {
    let tree = with_metrics();
    let monitor = yaml(
        &tree,
        "paperless/paperless-redis/servicemonitor-paperless-redis.yaml",
    );
    assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(monitor["kind"], "ServiceMonitor");
    assert_eq!(monitor["metadata"]["namespace"], "paperless");
    // kube-prometheus-stack's selector label, whatever its NilUsesHelmValues settings.
    assert_eq!(
        monitor["metadata"]["labels"]["release"],
        "kube-prometheus-stack"
    );
    let spec = &monitor["spec"];
    assert_eq!(
        spec["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "paperless-redis"
    );
    assert_eq!(spec["namespaceSelector"]["matchNames"][0], "paperless");
    let endpoint = &spec["endpoints"][0];
    assert_eq!(endpoint["port"], "metrics");
    assert_eq!(endpoint["path"], "/metrics");
    assert_eq!(endpoint["scheme"], "http");
    assert_eq!(endpoint["relabelings"][0]["regex"], "paperless-redis");
    // It selects the app's Service, which names the port.
    let service = yaml(
        &tree,
        "paperless/paperless-redis/service-paperless-redis.yaml",
    );
    assert_eq!(
        service["metadata"]["labels"]["app.kubernetes.io/name"],
        "paperless-redis"
    );
    assert!(
        service["spec"]["ports"]
            .as_array()
            .expect("ports")
            .iter()
            .any(|p| p["name"] == "metrics" && p["port"] == 9121)
    );
    // The release's values select every ServiceMonitor of every namespace (or, at the
    // chart's default, the `release` label above).
    let stack = yaml(&tree, "argocd/application-kube-prometheus-stack.yaml");
    let spec = &stack["spec"]["source"]["helm"]["valuesObject"]["prometheus"]["prometheusSpec"];
    assert_eq!(spec["serviceMonitorSelectorNilUsesHelmValues"], false);
}

#[test]
fn a_component_with_a_service_monitor_waits_for_the_monitoring_crds() {
    let wave = |tree: &std::collections::BTreeMap<String, String>, app: &str| -> i64 {
        yaml(tree, &format!("argocd/application-{app}.yaml"))["metadata"]["annotations"]
            ["argocd.argoproj.io/sync-wave"]
            .as_str()
            .expect("wave")
            .parse()
            .expect("number")
    };
    let before = committed();
    assert!(wave(&before, "paperless-redis") <= wave(&before, "kube-prometheus-stack"));
    let tree = with_metrics();
    assert!(
        wave(&tree, "paperless-redis") > wave(&tree, "kube-prometheus-stack"),
        "the ServiceMonitor's CRD comes first"
    );
    let project = yaml(&tree, "argocd/appproject-paperless.yaml");
    assert!(
        project["spec"]["namespaceResourceWhitelist"]
            .as_array()
            .expect("whitelist")
            .iter()
            .any(|k| k["group"] == "monitoring.coreos.com" && k["kind"] == "ServiceMonitor"),
        "{project:#?}"
    );
}
