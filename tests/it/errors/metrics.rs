//! Bad metrics and bad NetworkPolicy declarations of chart releases: `.metrics(..)` on a port
//! the app does not expose (the error names the ports it has), on a UDP port, with a path
//! that does not start with `/`, or with no release running Prometheus (the fix says what
//! to add); a release that does not say how its namespace is covered, or that names values
//! it does not set, or a second release running Prometheus.

use portkey::portkey_model::chart::Chart;
use portkey::portkey_model::{self, ModelError};
use serde_json::json;

use super::*;

/// A monitoring release in the shape of kube-prometheus-stack's declarations.
fn monitoring() -> Chart {
    Chart::helm("https://charts.example.org", "monitoring", "1.0.0")
        .source("apps/infra/monitoring.rs")
        .provides_crds("monitoring.coreos.com")
        .runs_prometheus(&[("app.kubernetes.io/name", "prometheus")])
        .no_network_policy("a test release")
}

/// Every problem of resolving `apps` with `charts` against the test inventory.
fn problems_with(apps: Vec<App>, charts: Vec<Chart>) -> Vec<ModelError> {
    match portkey_model::resolve_all(&test_cluster(), apps, charts) {
        Ok(c) => panic!(
            "expected model problems, but resolution succeeded for {:?}",
            c.apps.iter().map(|a| &a.app.name).collect::<Vec<_>>()
        ),
        Err(e) => e.0,
    }
}

/// The one problem on `app`'s `field` whose problem mentions all of `mentions`.
fn the_problem(all: &[ModelError], app: &str, field: &str, mentions: &[&str]) -> ModelError {
    let matching: Vec<&ModelError> = all
        .iter()
        .filter(|e| {
            e.app == app && e.field == field && mentions.iter().all(|m| e.problem.contains(m))
        })
        .collect();
    assert_eq!(matching.len(), 1, "{all:#?}");
    let only: Vec<ModelError> = vec![matching[0].clone()];
    find_problem(&only, app, field, mentions)
}

#[test]
fn metrics_on_a_port_the_app_does_not_expose() {
    let all = problems_with(
        vec![
            app("web")
                .port(Port::tcp("admin", 9000))
                .metrics(9100, "/metrics"),
        ],
        vec![monitoring()],
    );
    let e = the_problem(&all, "web", "metrics", &["`9100`", "does not expose"]);
    assert!(
        e.fix.contains("http (8080)") && e.fix.contains("admin (9000)"),
        "{e:#?}"
    );
    assert_eq!(all.len(), 1, "only the port is wrong: {all:#?}");
    let all = problems_with(
        vec![app("web").metrics("metrics", "/metrics")],
        vec![monitoring()],
    );
    the_problem(&all, "web", "metrics", &["`metrics`", "does not expose"]);
}

#[test]
fn metrics_on_a_udp_port() {
    let all = problems_with(
        vec![
            app("web")
                .port(Port::udp("stats", 9125))
                .metrics("stats", "/metrics"),
        ],
        vec![monitoring()],
    );
    let e = the_problem(&all, "web", "metrics", &["UDP", "`stats`"]);
    assert!(e.fix.contains("TCP"), "{e:#?}");
}

#[test]
fn metrics_path_without_a_leading_slash() {
    let all = problems_with(
        vec![app("web").metrics("http", "metrics")],
        vec![monitoring()],
    );
    let e = the_problem(&all, "web", "metrics", &["\"metrics\"", "`/`"]);
    assert!(e.fix.contains("`/metrics`"), "{e:#?}");
}

#[test]
fn metrics_without_a_monitoring_stack() {
    // No release at all, and releases none of which runs Prometheus.
    for charts in [
        Vec::new(),
        vec![
            Chart::helm("https://charts.example.org", "other", "1.0.0")
                .source("apps/infra/other.rs")
                .no_network_policy("a test release"),
        ],
    ] {
        let all = problems_with(vec![app("web").metrics("http", "/metrics")], charts);
        let e = the_problem(&all, "web", "metrics", &["runs Prometheus"]);
        assert!(
            e.fix.contains("kube-prometheus-stack") && e.fix.contains(".runs_prometheus(..)"),
            "{e:#?}"
        );
    }
    // The same app passes once a release runs Prometheus.
    let cluster = test_cluster();
    let catalogue = portkey_model::resolve_all(
        &cluster,
        vec![app("web").metrics("http", "/metrics")],
        vec![monitoring()],
    )
    .expect("metrics on a declared port, with Prometheus");
    let m = catalogue.apps[0]
        .metrics
        .as_ref()
        .expect("resolved metrics");
    assert_eq!(
        (m.port_name.as_str(), m.port, m.path.as_str()),
        ("http", 8080, "/metrics")
    );
}

#[test]
fn a_release_that_does_not_say_how_its_namespace_is_covered() {
    let chart =
        Chart::helm("https://charts.example.org", "quiet", "1.0.0").source("apps/infra/quiet.rs");
    let all = problems_with(Vec::new(), vec![chart]);
    let e = the_problem(&all, "quiet", "network_policy", &["`quiet`"]);
    assert!(
        e.fix.contains(".network_policies_from_chart(") && e.fix.contains(".no_network_policy("),
        "{e:#?}"
    );
    let chart = Chart::helm("https://charts.example.org", "quiet", "1.0.0")
        .source("apps/infra/quiet.rs")
        .no_network_policy(" ");
    let all = problems_with(Vec::new(), vec![chart]);
    the_problem(&all, "quiet", "network_policy", &["no reason"]);
}

#[test]
fn chart_policies_on_values_the_release_does_not_set() {
    let chart = Chart::helm("https://charts.example.org", "guarded", "1.0.0")
        .source("apps/infra/guarded.rs")
        .values(json!({ "networkPolicy": { "enabled": false }, "webhook": { "networkPolicy": { "enabled": true } } }))
        .network_policies_from_chart(
            &["networkPolicy.enabled", "webhook.networkPolicy.enabled", "cainjector.networkPolicy.enabled"],
            "ingress on its ports",
        );
    let all = problems_with(Vec::new(), vec![chart]);
    let wrong: Vec<&ModelError> = all.iter().filter(|e| e.field == "network_policy").collect();
    assert_eq!(
        wrong.len(),
        2,
        "false and missing, not the one set to true: {all:#?}"
    );
    let e = the_problem(
        &all,
        "guarded",
        "network_policy",
        &["`networkPolicy.enabled`", "`true`"],
    );
    assert!(
        e.fix.contains("set `networkPolicy.enabled` to `true`"),
        "{e:#?}"
    );
    the_problem(
        &all,
        "guarded",
        "network_policy",
        &["`cainjector.networkPolicy.enabled`"],
    );
}

#[test]
fn two_releases_run_prometheus() {
    let second = Chart::helm("https://charts.example.org", "second", "1.0.0")
        .source("apps/infra/second.rs")
        .namespace("second")
        .runs_prometheus(&[("app", "prometheus")])
        .no_network_policy("a test release");
    let all = problems_with(Vec::new(), vec![monitoring(), second]);
    let e = the_problem(&all, "second", "prometheus", &["`monitoring`"]);
    assert!(e.fix.contains("one release"), "{e:#?}");
    let unlabelled = Chart::helm("https://charts.example.org", "monitoring", "1.0.0")
        .source("apps/infra/monitoring.rs")
        .runs_prometheus(&[])
        .no_network_policy("a test release");
    let all = problems_with(Vec::new(), vec![unlabelled]);
    the_problem(&all, "monitoring", "prometheus", &["labels"]);
}
