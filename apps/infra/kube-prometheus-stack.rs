//! Prometheus, Alertmanager (alerts to ntfy) and Grafana in `monitoring-system`.
//!
//! Chart 88.5.3, bumped from 88.3.0: no breaking change, the values diff is only image
//! tags (operator v0.93.0 → v0.93.1, kube-state-metrics 8.2.0 → 8.4.0, the grafana
//! subchart 12.10.4 → 12.11.1; `../shared/charts/SOURCES.md`), so the values stay as they were.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack", "88.5.3")
        .namespace("monitoring-system")
        .describe("Prometheus, Alertmanager and Grafana")
        .pod_security(PodSecurity::Privileged)
        .provides_crds(crd::monitoring::GROUP)
        .needs_storage_class("ceph-block")
        .new_value_path(
            "grafana.ingress.ingressClassName",
            "a value of the grafana subchart, which kube-prometheus-stack's values.yaml lists only as a comment",
        )
        .server_side_apply()
        .needs_secret("alertmanager-ntfy", &["url"])
        .values(json!({
            "cleanPrometheusOperatorObjectNames": true,
            "kubeProxy": { "enabled": false },
            "prometheus": {
                "prometheusSpec": {
                    // Select every ServiceMonitor/PrometheusRule, not only the chart's own.
                    "ruleSelectorNilUsesHelmValues": false,
                    "serviceMonitorSelectorNilUsesHelmValues": false,
                    "podMonitorSelectorNilUsesHelmValues": false,
                    "probeSelectorNilUsesHelmValues": false,
                    "scrapeConfigSelectorNilUsesHelmValues": false,
                    "retention": "30d",
                    "retentionSize": "40GiB",
                    "storageSpec": { "volumeClaimTemplate": { "spec": {
                        "storageClassName": "ceph-block",
                        "accessModes": ["ReadWriteOnce"],
                        "resources": { "requests": { "storage": "50Gi" } },
                    } } },
                },
            },
            "alertmanager": {
                "config": {
                    "route": { "receiver": "ntfy", "group_by": ["alertname", "namespace"] },
                    "receivers": [{
                        "name": "ntfy",
                        // ntfy's Alertmanager-compatible webhook (topic URL in a Secret).
                        "webhook_configs": [{ "url_file": "/etc/alertmanager/secrets/alertmanager-ntfy/url", "send_resolved": true }],
                    }],
                },
                "alertmanagerSpec": {
                    "secrets": ["alertmanager-ntfy"],
                    "storage": { "volumeClaimTemplate": { "spec": {
                        "storageClassName": "ceph-block",
                        "accessModes": ["ReadWriteOnce"],
                        "resources": { "requests": { "storage": "1Gi" } },
                    } } },
                },
            },
            "grafana": {
                "ingress": {
                    "enabled": true,
                    "ingressClassName": "traefik",
                    "hosts": [format!("grafana.{DOMAIN}")],
                    "annotations": { (cluster_issuer_annotation()): "letsencrypt-production" },
                    "tls": [{ "secretName": "grafana-tls", "hosts": [format!("grafana.{DOMAIN}")] }],
                },
            },
        }))
}
