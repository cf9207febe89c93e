//! The apps' Prometheus metrics (`.metrics(port, path)`): a `ServiceMonitor` `<app>` beside
//! the app's workload, which the catalogue's Prometheus (the release that declares
//! `Chart::runs_prometheus`) selects; the NetworkPolicy rule that lets its pods in is in
//! [`crate::network_policy`].
//!
//! Selection: kube-prometheus-stack's Prometheus selects ServiceMonitors by
//! `prometheus.prometheusSpec.serviceMonitorSelector`, which with
//! `serviceMonitorSelectorNilUsesHelmValues: true` (the chart's default) is
//! `matchLabels: {release: <release name>}`, and every ServiceMonitor with `false` (as the
//! release sets it); `serviceMonitorNamespaceSelector: {}` is every namespace (the chart's
//! `templates/prometheus/prometheus.yaml` and `values.yaml` at 88.5.3). The label
//! `release: <release name>` makes the ServiceMonitor selected either way.
//!
//! The app's Service and its `<app>-lan` Service carry the same labels, and both have a port
//! marked `.lan()`: the endpoint keeps only the targets of the Service `<app>`
//! (`__meta_kubernetes_service_name`), so that a pod is scraped once.

use std::collections::BTreeMap;

use portkey_model::chart::{Chart, Prometheus, network_policy::RELEASE_LABEL};
use portkey_model::resolve::{Catalogue, ResolvedApp};

use crate::crd::monitoring::{
    Endpoint, MatchLabels, NamespaceSelector, Relabeling, ServiceMonitor, ServiceMonitorSpec,
};
use crate::{NAME_LABEL, meta};

/// The release that runs the catalogue's Prometheus, and its pods.
pub fn prometheus<'c>(catalogue: &'c Catalogue<'_>) -> Option<(&'c Chart, &'c Prometheus)> {
    catalogue
        .charts
        .iter()
        .find_map(|c| c.prometheus.as_ref().map(|p| (c, p)))
}

/// The app's `ServiceMonitor`, when it serves metrics and a release runs Prometheus
/// (resolution refuses metrics without one).
pub fn service_monitor(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Option<ServiceMonitor> {
    let metrics = app.metrics.as_ref()?;
    let (release, _) = prometheus(catalogue)?;
    let name = app.app.name.as_str();
    let namespace = app.app.namespace.name();
    let mut monitor = ServiceMonitor::new(
        name,
        ServiceMonitorSpec {
            selector: MatchLabels {
                match_labels: BTreeMap::from([(NAME_LABEL.to_string(), name.to_string())]),
            },
            namespace_selector: NamespaceSelector {
                match_names: vec![namespace.to_string()],
            },
            endpoints: vec![Endpoint {
                port: metrics.port_name.clone(),
                path: metrics.path.clone(),
                scheme: "http".into(),
                relabelings: vec![Relabeling {
                    source_labels: vec!["__meta_kubernetes_service_name".into()],
                    regex: name.to_string(),
                    action: "keep".into(),
                }],
            }],
        },
    );
    monitor.metadata = meta(name, Some(namespace), Some(name));
    monitor
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(RELEASE_LABEL.to_string(), release.name.clone());
    Some(monitor)
}
