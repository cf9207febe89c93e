//! Intel device plugins operator (`deviceplugin.intel.com/v1`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

super::custom_kinds! {
    group "deviceplugin.intel.com", version "v1";
    /// A `GpuDevicePlugin`.
    GpuDevicePlugin(GpuDevicePluginSpec): ClusterResourceScope, plural "gpudeviceplugins";
}

/// `GpuDevicePlugin.spec` (cluster-scoped): the operator runs the GPU plugin as a DaemonSet
/// on the selected nodes, advertising `gpu.intel.com/i915` (or `xe`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GpuDevicePluginSpec {
    /// The plugin's image. Set explicitly: when empty, the operator's mutating webhook
    /// writes its own default into the object, which Git then never shows. No `initImage`:
    /// the GPU plugin's init container only installs Node Feature Discovery hooks, and the
    /// nodes are selected by an inventory label instead.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub image: String,
    /// Containers that may share one GPU.
    pub shared_dev_num: i32,
    /// `none`, `balanced` or `packed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_allocation_policy: Option<String>,
    /// Also advertise `gpu.intel.com/monitoring`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_monitoring: Option<bool>,
    /// Nodes to run on.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub node_selector: BTreeMap<String, String>,
}
