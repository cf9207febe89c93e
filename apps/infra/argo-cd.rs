//! Argo CD, managing itself after the bootstrap install. Its config restores health checks
//! for Applications (so app-of-apps waves really wait, and only for children that are both
//! Healthy and Synced), teaches it Volsync's kinds (so a wave waits for restores), and
//! overrides the built-in CephCluster check, which calls the Proxmox Ceph's frequent
//! HEALTH_WARN Degraded (`resource_customizations/ceph.rook.io/CephCluster/health.lua`).
use crate::prelude::*;

const APPLICATION_HEALTH: &str = r#"hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
  -- A partly failed sync can report Healthy: the next wave waits for Synced too.
  if hs.status == "Healthy" and (obj.status.sync == nil or obj.status.sync.status ~= "Synced") then
    hs.status = "Progressing"
    hs.message = "Healthy, waiting for the sync to succeed"
  end
end
return hs
"#;

/// Replaces Argo CD's built-in check: the external Proxmox Ceph is often in HEALTH_WARN
/// (a pool without an application tag, a clock skew), which must not stall the wave.
const CEPH_CLUSTER_HEALTH: &str = r#"hs = {}
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for status to be reported"
  return hs
end
local health = nil
if obj.status.ceph ~= nil then
  health = obj.status.ceph.health
end
-- HEALTH_ERR is Degraded; HEALTH_WARN counts as Healthy while the cluster is Connected.
if health == "HEALTH_ERR" or obj.status.state == "Error" then
  hs.status = "Degraded"
elseif obj.status.state == "Connected" or obj.status.state == "Created" then
  hs.status = "Healthy"
else
  hs.status = "Progressing"
end
hs.message = "Ceph cluster state is " .. tostring(obj.status.state) .. ", health " .. tostring(health)
return hs
"#;

const REPLICATION_SOURCE_HEALTH: &str = r#"hs = {}
if obj.status ~= nil and obj.status.lastSyncTime ~= nil then
  hs.status = "Healthy"
  hs.message = "Last backup at " .. obj.status.lastSyncTime
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the first backup"
return hs
"#;

const REPLICATION_DESTINATION_HEALTH: &str = r#"hs = {}
if obj.status ~= nil and obj.status.latestImage ~= nil then
  hs.status = "Healthy"
  hs.message = "Restored"
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the restore"
return hs
"#;

pub fn chart() -> Chart {
    Chart::helm("https://argoproj.github.io/argo-helm", "argo-cd", "10.1.1")
        .namespace("argocd")
        .describe("GitOps controller that syncs generated/")
        .provides_crds(crd::argocd::GROUP)
        // Its server's Ingress (below) is Progressing until traefik publishes an address:
        // in an earlier wave than traefik, the root would wait for it forever
        // (`portkey plan --bootstrap`). The first install is by hand, before any wave.
        .after("traefik")
        .server_side_apply()
        // `global.networkPolicy.create` is the chart's default (true) and is set below to
        // say so. Each component's `templates/<component>/networkpolicy.yaml` (argo-helm
        // `charts/argo-cd`) is an Ingress-only policy for that component's pods: the server
        // accepts any ingress (`- {}`: traefik, the CLI); the repo-server only the server's,
        // the controller's, the notification and ApplicationSet controllers' pods on its
        // port; redis and dex only Argo CD's own pods; every metrics port any namespace.
        // Egress stays open: the controller reaches the API server and the repo-server the
        // Git and Helm repositories. `global.networkPolicy.defaultDenyIngress` stays false:
        // a default deny would also catch pods no component policy selects.
        .network_policies_from_chart(
            &["global.networkPolicy.create"],
            "one Ingress policy per component: the server from anywhere (traefik), the repo-server, redis and dex \
             only from Argo CD's own components, every metrics port from any namespace; egress open (the API server, \
             Git and Helm repositories)",
        )
        // Both maps are free-form, although their defaults hold a few keys: every key
        // besides `create` and `annotations` becomes a key of the ConfigMap
        // (`templates/_helpers.tpl` and the values.yaml comments at 10.1.1).
        .new_value_path("configs.cm", "each key is an argocd-cm key (the health customizations)")
        .new_value_path("configs.params", "each key is an argocd-cmd-params-cm key")
        .values(json!({
            "crds": { "install": true, "keep": true },
            "global": { "networkPolicy": { "create": true, "defaultDenyIngress": false } },
            "configs": {
                // TLS ends at the ingress controller.
                "params": { "server.insecure": true },
                "cm": {
                    (health_customization::<crd::argocd::Application>()): APPLICATION_HEALTH,
                    (health_customization::<crd::volsync::ReplicationSource>()): REPLICATION_SOURCE_HEALTH,
                    (health_customization::<crd::volsync::ReplicationDestination>()): REPLICATION_DESTINATION_HEALTH,
                    (health_customization_of("ceph.rook.io", "CephCluster")): CEPH_CLUSTER_HEALTH,
                },
            },
            "server": {
                "ingress": {
                    "enabled": true,
                    "ingressClassName": "traefik",
                    "hostname": format!("argocd.{DOMAIN}"),
                    "annotations": { (cluster_issuer_annotation()): "letsencrypt-production" },
                    "tls": true,
                },
            },
        }))
}
