//! CSI snapshots (`snapshot.storage.k8s.io/v1`).

use k8s_openapi::Resource as _;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

super::custom_kinds! {
    group "snapshot.storage.k8s.io", version "v1";
    VolumeSnapshotClass: ClusterResourceScope, plural "volumesnapshotclasses";
}

/// A `VolumeSnapshotClass`. Its fields sit at the top level (there is no `spec`), so it is
/// declared by hand.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotClass {
    /// Always [`VolumeSnapshotClass::API_VERSION`].
    #[schemars(skip)]
    pub api_version: &'static str,
    /// Always [`VolumeSnapshotClass::KIND`].
    #[schemars(skip)]
    pub kind: &'static str,
    /// Metadata.
    #[schemars(skip)]
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
            api_version: Self::API_VERSION,
            kind: Self::KIND,
            metadata,
            driver: driver.into(),
            deletion_policy: "Delete".into(),
            parameters,
        }
    }
}
