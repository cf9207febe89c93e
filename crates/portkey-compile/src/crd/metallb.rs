//! MetalLB (`metallb.io/v1beta1`): the address pool Services of type `LoadBalancer` get
//! their addresses from, and its layer-2 advertisement. Fields as in the upstream CRDs
//! (`config/crd/bases/metallb.io_ipaddresspools.yaml`, `metallb.io_l2advertisements.yaml`
//! at v0.16.1, <https://github.com/metallb/metallb>); both are namespaced and live in
//! MetalLB's own namespace, where its controller and speakers read them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

super::custom_kinds! {
    group "metallb.io", version "v1beta1";
    /// An `IPAddressPool`.
    IPAddressPool(IPAddressPoolSpec): NamespaceResourceScope, plural "ipaddresspools";
    /// An `L2Advertisement`.
    L2Advertisement(L2AdvertisementSpec): NamespaceResourceScope, plural "l2advertisements";
}

/// The Service annotation by which a Service asks MetalLB for a specific address
/// (`metallb.io/loadBalancerIPs`; `spec.loadBalancerIP` is deprecated since Kubernetes
/// 1.24). MetalLB assigns it only when it lies in a pool and no other Service holds it
/// (<https://metallb.universe.tf/usage/#requesting-specific-ips>).
pub fn load_balancer_ips_annotation() -> String {
    format!("{GROUP}/loadBalancerIPs")
}

/// `IPAddressPool.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IPAddressPoolSpec {
    /// Ranges MetalLB hands out: CIDRs or `first-last`.
    pub addresses: Vec<String>,
    /// Whether Services without a requested address get one from this pool (upstream
    /// default true; written explicitly).
    pub auto_assign: bool,
}

/// `L2Advertisement.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct L2AdvertisementSpec {
    /// The pools announced over ARP (all pools when empty; portkey names its pool).
    pub ip_address_pools: Vec<String>,
}
