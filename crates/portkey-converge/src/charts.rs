//! Chart releases, judged by what portkey knows of them: portkey never sees a chart's
//! objects, so a release is judged by its declared needs (`Chart::needs_load_balancer()`:
//! its Service needs an address) and by the few objects portkey knows it creates:
//!
//! - rook-ceph-cluster's `CephCluster`. Argo CD's built-in check
//!   (`resource_customizations/ceph.rook.io/CephCluster/health.lua`) calls `HEALTH_WARN`
//!   Degraded, and an external Proxmox Ceph is often in `HEALTH_WARN`, so the release
//!   converges only with portkey's override in the argo-cd release ([`CEPH_CLUSTER`]).
//! - argo-cd itself: the Application health customization its values install, which must
//!   require `status.sync.status == "Synced"` as well as health (a partly failed sync can
//!   report Healthy), and the server's Ingress (`server.ingress`).
//! - external-secrets with its `bitwarden-sdk-server` ([`sdk_server_secret`]): the SDK
//!   server's Deployment mounts its TLS Secret (`image.tls.volumes`, not optional), so the
//!   release is Healthy only once that Secret exists: portkey's certificate chain in
//!   `cluster-store-tls` must sync before it.

use portkey_compile::argocd::{health_customization, health_customization_of};
use portkey_compile::crd::argocd::Application;
use portkey_model::chart::{Capability, Chart};
use portkey_model::components::{Component, ComponentKind};
use portkey_model::secret_store::{EXTERNAL_SECRETS_RELEASE, SDK_SERVER, SDK_SERVER_TLS_SECRET};
use serde_json::Value;

use crate::facts::ObjectRef;
use crate::{Engine, Need, Provided, Stall, Verdict, rules};

/// The upstream chart that creates a `CephCluster`.
pub const ROOK_CEPH_CLUSTER_CHART: &str = "rook-ceph-cluster";
/// The upstream chart of Argo CD.
pub const ARGO_CD_CHART: &str = "argo-cd";
/// The CephCluster's group and kind.
pub const CEPH_CLUSTER: (&str, &str) = ("ceph.rook.io", "CephCluster");

/// The `argocd-cm` health customizations the argo-cd release installs (its
/// `configs.cm`), if the catalogue has one.
pub fn argocd_cm(charts: &[Chart]) -> Option<&serde_json::Map<String, Value>> {
    charts
        .iter()
        .find(|c| c.chart == ARGO_CD_CHART)?
        .values
        .pointer("/configs/cm")?
        .as_object()
}

/// The Lua of the health customization of `key`, if installed.
pub fn installed<'c>(charts: &'c [Chart], key: &str) -> Option<&'c str> {
    argocd_cm(charts)?.get(key)?.as_str()
}

fn stall(field: &str, reason: String, fix: &str) -> Stall {
    Stall {
        need: Need::HealthCheck,
        field: field.into(),
        reason,
        fix: fix.into(),
        blocked_by: None,
    }
}

/// The verdicts of a chart release (none for other components).
pub(crate) fn judge(e: &Engine<'_, '_>, c: &Component) -> Vec<Verdict> {
    if c.kind != ComponentKind::Chart {
        return Vec::new();
    }
    let Some(chart) = e.catalogue.charts.iter().find(|ch| ch.name == c.name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if chart.needs.contains(&Capability::LoadBalancer) {
        out.push(rules::load_balancer(
            e,
            c,
            ObjectRef::new("Service", Some(&chart.namespace), &chart.name),
        ));
    }
    if let Some(secret) = sdk_server_secret(chart) {
        let object = ObjectRef::new("Deployment", Some(&chart.namespace), SDK_SERVER);
        out.push(rules::mounted_secret(
            e,
            c,
            &object,
            (&chart.namespace, &secret),
        ));
    }
    if chart.chart == ROOK_CEPH_CLUSTER_CHART {
        out.push(ceph_cluster(e, chart));
    }
    if chart.chart == ARGO_CD_CHART {
        out.push(application_gate(chart));
        if chart.values.pointer("/server/ingress/enabled") == Some(&Value::Bool(true)) {
            let ingress = ObjectRef::new(
                "Ingress",
                Some(&chart.namespace),
                &format!("{}-argocd-server", chart.name),
            );
            let class = chart
                .values
                .pointer("/server/ingress/ingressClassName")
                .and_then(Value::as_str);
            out.push(rules::ingress(e, c, ingress.clone(), class));
            let issuer = chart
                .values
                .pointer("/server/ingress/annotations")
                .and_then(|a| {
                    a.get(portkey_compile::crd::cert_manager::cluster_issuer_annotation())
                })
                .and_then(Value::as_str);
            if let (Some(issuer), Some(Value::Bool(true))) =
                (issuer, chart.values.pointer("/server/ingress/tls"))
            {
                // The chart's TLS Secret for the server's Ingress: `argocd-server-tls`.
                let secret =
                    ObjectRef::new("Certificate", Some(&chart.namespace), "argocd-server-tls");
                out.push(rules::certificate(e, secret, issuer));
            }
        }
    }
    out
}

/// The TLS Secret the external-secrets release's SDK server mounts, when the release
/// deploys it (`bitwarden-sdk-server.enabled`, off by default) with TLS
/// (`bitwarden-sdk-server.image.tls.enabled`, on by default): the `secretName` of its
/// `image.tls.volumes` if the values set them, else [`SDK_SERVER_TLS_SECRET`] (the chart's default).
pub fn sdk_server_secret(chart: &Chart) -> Option<String> {
    let sdk = chart.values.get(SDK_SERVER)?;
    if chart.chart != EXTERNAL_SECRETS_RELEASE.chart
        || sdk.get("enabled") != Some(&Value::Bool(true))
    {
        return None;
    }
    let tls = sdk.pointer("/image/tls");
    if tls.and_then(|t| t.get("enabled")) == Some(&Value::Bool(false)) {
        return None;
    }
    let named = tls
        .and_then(|t| t.get("volumes"))
        .and_then(Value::as_array)
        .and_then(|v| {
            v.iter()
                .find_map(|v| v.pointer("/secret/secretName").and_then(Value::as_str))
        });
    Some(named.unwrap_or(SDK_SERVER_TLS_SECRET).to_string())
}

/// The CephCluster of rook-ceph-cluster (named after its namespace, the chart's default
/// `clusterName`).
fn ceph_cluster(e: &Engine<'_, '_>, chart: &Chart) -> Verdict {
    let object = ObjectRef::new(CEPH_CLUSTER.1, Some(&chart.namespace), &chart.namespace);
    let key = health_customization_of(CEPH_CLUSTER.0, CEPH_CLUSTER.1);
    match installed(&e.catalogue.charts, &key) {
        Some(lua) if lua.contains("HEALTH_WARN") || lua.contains("HEALTH_ERR") => Verdict::healthy(
            object,
            vec![Provided {
                need: Need::HealthCheck,
                what: "CephCluster health".into(),
                by: format!(
                    "portkey's override `{key}` in the argo-cd values: Healthy while Connected, also in HEALTH_WARN; HEALTH_ERR is Degraded"
                ),
            }],
        ),
        _ if !e.strict => Verdict::healthy(object, Vec::new()),
        _ => Verdict::never(
            object,
            stall(
                "values",
                format!(
                    "Argo CD's built-in CephCluster check calls `HEALTH_WARN` Degraded, and an external Proxmox Ceph is often in HEALTH_WARN, so the wave would never complete; the argo-cd release does not override `{key}`"
                ),
                "override the check in apps/infra/argo-cd.rs (`configs.cm`): Healthy while `status.state` is Connected, HEALTH_ERR Degraded",
            ),
        ),
    }
}

/// The Application health customization: without it Argo CD (since 1.8) has no health
/// check for Applications and the root does not wait between waves; without `Synced` a
/// partly failed sync counts as done.
fn application_gate(chart: &Chart) -> Verdict {
    let key = health_customization::<Application>();
    let object = ObjectRef::new("ConfigMap", Some(&chart.namespace), "argocd-cm");
    let lua = chart
        .values
        .pointer("/configs/cm")
        .and_then(|cm| cm.get(&key))
        .and_then(Value::as_str);
    match lua {
        Some(lua) if requires_synced(lua) => Verdict::healthy(
            object,
            vec![Provided {
                need: Need::HealthCheck,
                what: "Application health gate".into(),
                by: format!("`{key}`: Healthy only when the child is Healthy and Synced"),
            }],
        ),
        Some(_) => Verdict::never(
            object,
            stall(
                "values",
                format!(
                    "its `{key}` passes on the child's health without requiring `status.sync.status == \"Synced\"`: a partly failed sync can report Healthy, and the next wave would start on it"
                ),
                "require `obj.status.sync.status == \"Synced\"` in the Application health check (apps/infra/argo-cd.rs)",
            ),
        ),
        None => Verdict::never(
            object,
            stall(
                "values",
                format!(
                    "it installs no `{key}`: Argo CD has no Application health check since 1.8, so the root Application would not wait between waves"
                ),
                "restore the Application health check in apps/infra/argo-cd.rs (`configs.cm`)",
            ),
        ),
    }
}

/// Whether an Application health check requires the child to be Synced.
pub fn requires_synced(lua: &str) -> bool {
    lua.contains("obj.status.sync.status") && lua.contains("\"Synced\"")
}
