//! Volsync (`volsync.backube/v1alpha1`): restic backups of PersistentVolumeClaims.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

super::custom_kinds! {
    group "volsync.backube", version "v1alpha1";
    /// A `ReplicationSource`.
    ReplicationSource(ReplicationSourceSpec): NamespaceResourceScope, plural "replicationsources";
    /// A `ReplicationDestination`.
    ReplicationDestination(ReplicationDestinationSpec): NamespaceResourceScope, plural "replicationdestinations";
}

/// `ReplicationSource.spec`: back up one PVC on a schedule.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationSourceSpec {
    /// The PVC to back up.
    #[serde(rename = "sourcePVC")]
    pub source_pvc: String,
    /// When to back up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    /// Restic mover settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restic: Option<ResticSource>,
}

/// `spec.trigger`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// Cron schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// One-shot trigger: runs when this string changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual: Option<String>,
}

/// `spec.restic` of a ReplicationSource.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResticSource {
    /// Secret holding `RESTIC_REPOSITORY` and `RESTIC_PASSWORD`.
    pub repository: String,
    /// `Snapshot` with Ceph RBD.
    pub copy_method: String,
    /// VolumeSnapshotClass for the point-in-time copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_snapshot_class_name: Option<String>,
    /// StorageClass of the temporary copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// Access modes of the temporary copy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_modes: Option<Vec<String>>,
    /// Restic cache size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_capacity: Option<String>,
    /// StorageClass of the restic cache volume (Volsync's default: `storageClassName`, then
    /// the source claim's class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_storage_class_name: Option<String>,
    /// Days between `restic prune` runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prune_interval_days: Option<i32>,
    /// Which snapshots to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retain: Option<Retain>,
    /// Security context of the mover pod (the app's UID/GID).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mover_security_context: Option<MoverSecurityContext>,
}

/// `spec.restic.retain`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Retain {
    /// Hourly snapshots to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly: Option<i32>,
    /// Daily snapshots to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily: Option<i32>,
    /// Weekly snapshots to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekly: Option<i32>,
    /// Monthly snapshots to keep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly: Option<i32>,
    /// Keep everything within this duration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
}

/// The subset of PodSecurityContext portkey sets on movers.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MoverSecurityContext {
    /// UID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// GID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    /// fsGroup.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fs_group: Option<i64>,
    /// runAsNonRoot: the kubelet refuses to start the mover as UID 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    /// seccompProfile (`RuntimeDefault`), which Pod Security `restricted` requires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seccomp_profile: Option<k8s_openapi::api::core::v1::SeccompProfile>,
}

/// `ReplicationDestination.spec`: restore a restic repository into a volume snapshot
/// (used as a volume populator by PVCs whose `dataSourceRef` names it).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationDestinationSpec {
    /// When to restore.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<Trigger>,
    /// Restic mover settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restic: Option<ResticDestination>,
}

/// `spec.restic` of a ReplicationDestination.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResticDestination {
    /// Secret holding `RESTIC_REPOSITORY` and `RESTIC_PASSWORD`.
    pub repository: String,
    /// `Snapshot`: required when the destination populates PVCs.
    pub copy_method: String,
    /// VolumeSnapshotClass of the restored snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_snapshot_class_name: Option<String>,
    /// StorageClass of the temporary volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class_name: Option<String>,
    /// Access modes of the temporary volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_modes: Option<Vec<String>>,
    /// Size of the temporary volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// Restic cache size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_capacity: Option<String>,
    /// StorageClass of the restic cache volume (Volsync's default: `storageClassName`, then
    /// the source claim's class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_storage_class_name: Option<String>,
    /// Security context of the mover pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mover_security_context: Option<MoverSecurityContext>,
    /// Restore into this existing claim (with `copyMethod: Direct`).
    #[serde(rename = "destinationPVC", skip_serializing_if = "Option::is_none")]
    pub destination_pvc: Option<String>,
    /// Restore the Nth snapshot before the newest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<i32>,
    /// Delete files not in the snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_file_deletion: Option<bool>,
    /// Remove the cache volume afterwards.
    #[serde(rename = "cleanupCachePVC", skip_serializing_if = "Option::is_none")]
    pub cleanup_cache_pvc: Option<bool>,
    /// Remove the temporary volume afterwards.
    #[serde(rename = "cleanupTempPVC", skip_serializing_if = "Option::is_none")]
    pub cleanup_temp_pvc: Option<bool>,
}
