//! Prometheus, Alertmanager (alerts to ntfy) and Grafana in `monitoring-system`.
//!
//! Chart 88.5.3, bumped from 88.3.0: no breaking change, the values diff is only image
//! tags (operator v0.93.0 → v0.93.1, kube-state-metrics 8.2.0 → 8.4.0, the grafana
//! subchart 12.10.4 → 12.11.1; `../shared/charts/SOURCES.md`), so the values stay as they were.
use crate::prelude::*;

/// The Prometheus custom resource's name, which labels its pods: with
/// `cleanPrometheusOperatorObjectNames` it is the chart's fullname, the release name
/// `kube-prometheus-stack` (it contains the chart name; `kube-prometheus-stack.prometheus.crname`
/// and `kube-prometheus-stack.fullname` in the chart's `templates/_helpers.tpl`).
const PROMETHEUS: &str = "kube-prometheus-stack";

pub fn chart() -> Chart {
    Chart::helm("https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack", "88.5.3")
        .namespace("monitoring-system")
        .describe("Prometheus, Alertmanager and Grafana")
        .pod_security(PodSecurity::Privileged)
        .provides_crds(crd::monitoring::GROUP)
        // The operator labels the Prometheus pods `app.kubernetes.io/name: prometheus` and
        // `operator.prometheus.io/name: <name>`: the chart's own Service reaches them by
        // these two labels (its selector in `templates/prometheus/service.yaml`,
        // prometheus-community/helm-charts `charts/kube-prometheus-stack`).
        .runs_prometheus(&[("app.kubernetes.io/name", "prometheus"), ("operator.prometheus.io/name", PROMETHEUS)])
        // Its switches (`prometheus`, `alertmanager` and `prometheusOperator.networkPolicy`)
        // cover three of its workloads; Grafana and kube-state-metrics have their own in
        // their subcharts, and node-exporter runs on the host network, which NetworkPolicy
        // does not filter. Prometheus' policy with no rules set (its default) denies all of
        // its traffic, and its rules would have to allow every scrape target of every
        // namespace, the kubelets and the API server: left for a change of its own.
        .no_network_policy(
            "the chart's three switches (`prometheus`, `alertmanager`, `prometheusOperator.networkPolicy.enabled`) cover only \
             those workloads, Prometheus' with no rules (its default) denies every scrape, and node-exporter uses the host network",
        )
        .needs_storage_class("ceph-block")
        .new_value_path(
            "grafana.ingress.ingressClassName",
            "a value of the grafana subchart, which kube-prometheus-stack's values.yaml lists only as a comment",
        )
        .server_side_apply()
        // The ntfy topic URL: the topic is the password (anyone who knows it can read and
        // post), so it stays outside Git. `?template=alertmanager` makes ntfy render
        // Alertmanager's webhook JSON with its built-in Alertmanager template (a recent
        // ntfy, as ntfy.sh runs; https://docs.ntfy.sh/publish/#message-templating; it is
        // server/templates/alertmanager.yml in binwiederhier/ntfy): alert name as title,
        // status, severity, summary and description as the message. Without it ntfy posts
        // the raw JSON.
        .needs_secret("alertmanager-ntfy", &["url"])
        .secret_form("alertmanager-ntfy", "url", "https://ntfy.sh/<topic>?template=alertmanager")
        // Grafana's admin login. Without an existing Secret the grafana subchart renders one
        // with `randAlphaNum 40` unless `lookup` finds the old one, and Argo CD has no
        // `lookup`: the password would change on every sync (argoproj/argo-cd#5202).
        .needs_secret("grafana-admin", &["admin-user", "admin-password"])
        .values(json!({
            "cleanPrometheusOperatorObjectNames": true,
            // Scrape only what kubeadm exposes. kubeadm binds kube-controller-manager and
            // kube-scheduler to 127.0.0.1 (`--bind-address`) and etcd's metrics to
            // 127.0.0.1:2381 (`--listen-metrics-urls`), and kube-proxy's metrics default to
            // 127.0.0.1:10249 (`metricsBindAddress`): from Prometheus' pod these targets are
            // always down, and KubeControllerManagerDown, KubeSchedulerDown, etcdMembersDown
            // and KubeProxyDown would fire forever. Chosen: disable the four monitors (the
            // chart gates their alert rules on the same switches) rather than rebind.
            // Rebinding is host configuration outside Git that portkey can neither apply nor
            // check, and it puts the components on the node's LAN address (etcd's metrics
            // listener is plain HTTP). To scrape them instead, add to kubeadm's ClusterConfiguration the
            // `extraArgs` (name/value pairs in kubeadm v1beta4) `bind-address: 0.0.0.0` for
            // `controllerManager` and `scheduler` and `listen-metrics-urls:
            // http://0.0.0.0:2381` for `etcd.local`, set `metricsBindAddress: 0.0.0.0:10249`
            // in the kube-proxy ConfigMap (KubeProxyConfiguration), then `enabled: true` here.
            // The API server, the kubelets, CoreDNS, kube-state-metrics and node-exporter are
            // reachable and stay on.
            "kubeControllerManager": { "enabled": false },
            "kubeScheduler": { "enabled": false },
            "kubeEtcd": { "enabled": false },
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
                // Helm merges maps but replaces lists: `receivers` and `route.routes` here
                // replace the chart's lists whole, so both are spelled out. The chart's
                // default routes send Watchdog to a `'null'` receiver; a receivers list
                // without `'null'` leaves that route on an undefined receiver, and
                // Alertmanager refuses the whole config (portkey checks this:
                // portkey_model::alertmanager). Kept: the `'null'` receiver, because two
                // alerts always fire by design and must not page. Watchdog is the
                // dead man's switch for an outside checker this lab does not have;
                // InfoInhibitor only inhibits `severity: info` alerts (runbooks.prometheus-operator.dev,
                // general/infoinhibitor). Everything else goes to ntfy.
                "config": {
                    "route": {
                        "receiver": "ntfy",
                        "group_by": ["alertname", "namespace"],
                        "routes": [
                            { "receiver": "null", "matchers": ["alertname = \"Watchdog\""] },
                            { "receiver": "null", "matchers": ["alertname = \"InfoInhibitor\""] },
                        ],
                    },
                    "receivers": [
                        { "name": "null" },
                        {
                            "name": "ntfy",
                            // The topic URL from the Secret (secrets: below), ntfy's webhook.
                            "webhook_configs": [{ "url_file": "/etc/alertmanager/secrets/alertmanager-ntfy/url", "send_resolved": true }],
                        },
                    ],
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
                // The admin login from the Secret declared above (the subchart's key names);
                // the subchart then renders no admin Secret of its own.
                "admin": {
                    "existingSecret": "grafana-admin",
                    "userKey": "admin-user",
                    "passwordKey": "admin-password",
                },
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
