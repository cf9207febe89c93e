//! CSI snapshots (`snapshot.storage.k8s.io/v1`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use std::collections::BTreeMap;

/// A `VolumeSnapshotClass`. Its fields sit at the top level (there is no `spec`), so it is
/// declared by hand rather than with `kube`'s derive.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotClass {
    /// Always `snapshot.storage.k8s.io/v1`.
    pub api_version: &'static str,
    /// Always `VolumeSnapshotClass`.
    pub kind: &'static str,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// CSI driver.
    pub driver: String,
    /// `Delete` or `Retain`.
    pub deletion_policy: String,
    /// Driver parameters.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

impl VolumeSnapshotClass {
    /// A snapshot class for `driver`.
    pub fn new(metadata: ObjectMeta, driver: &str, parameters: BTreeMap<String, String>) -> Self {
        Self {
            api_version: "snapshot.storage.k8s.io/v1",
            kind: "VolumeSnapshotClass",
            metadata,
            driver: driver.into(),
            deletion_policy: "Delete".into(),
            parameters,
        }
    }
}
