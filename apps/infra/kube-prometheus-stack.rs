//! Prometheus, Alertmanager (alerts to ntfy) and Grafana in `monitoring-system`.
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack", "88.3.0")
        .namespace("monitoring-system")
        .describe("Prometheus, Alertmanager and Grafana")
        .pod_security(PodSecurity::Privileged)
        .provides_crds(crd::monitoring::GROUP)
        .needs_storage_class("ceph-block")
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
