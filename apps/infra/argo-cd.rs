//! Argo CD, managing itself after the bootstrap install. Its config restores health checks
//! for Applications (so app-of-apps waves really wait) and teaches it Volsync's kinds (so a
//! wave waits for restores).
use crate::prelude::*;

const APPLICATION_HEALTH: &str = r#"hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
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
        .server_side_apply()
        .values(json!({
            "crds": { "install": true, "keep": true },
            "configs": {
                // TLS ends at the ingress controller.
                "params": { "server.insecure": true },
                "cm": {
                    (health_customization::<crd::argocd::Application>()): APPLICATION_HEALTH,
                    (health_customization::<crd::volsync::ReplicationSource>()): REPLICATION_SOURCE_HEALTH,
                    (health_customization::<crd::volsync::ReplicationDestination>()): REPLICATION_DESTINATION_HEALTH,
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
