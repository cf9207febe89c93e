//! Intel device plugins operator: runs the GPU plugin that the GpuDevicePlugin in
//! generated/cluster/devices describes (`gpu.intel.com/i915` on metal1 and metal2).
use crate::prelude::*;

pub fn chart() -> Chart {
    Chart::helm("https://intel.github.io/helm-charts/", "intel-device-plugins-operator", "0.36.0")
        .namespace("inteldeviceplugins-system")
        .describe("Operator for Intel GPU device plugins")
        .pod_security(PodSecurity::Privileged)
        .provides_crds(crd::intel::GROUP)
        .no_network_policy(
            "the chart's values.yaml at 0.36.0 has no NetworkPolicy setting; the operator serves admission webhooks to \
             the API server",
        )
        // Its admission webhook certificates come from cert-manager.
        .needs_crds(crd::cert_manager::GROUP)
        .values(json!({ "manager": { "devices": { "gpu": true } } }))
}
