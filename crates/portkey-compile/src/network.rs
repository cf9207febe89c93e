//! The load balancer's cluster part (`generated/cluster/network/`): MetalLB's
//! `IPAddressPool` and `L2Advertisement`, and the Service annotation that asks it for a
//! fixed address.
//!
//! The minimal layer-2 setup is one pool and one advertisement in MetalLB's namespace
//! (<https://metallb.universe.tf/configuration/#layer-2-configuration>).

use std::collections::BTreeMap;

use portkey_model::chart::Capability;
use portkey_model::network::LoadBalancer;
use portkey_model::resolve::Catalogue;

use crate::crd::metallb::{
    self, IPAddressPool, IPAddressPoolSpec, L2Advertisement, L2AdvertisementSpec,
};
use crate::{Object, meta};

/// MetalLB's namespace when no chart release installs its CRDs (upstream's default).
pub const DEFAULT_METALLB_NAMESPACE: &str = "metallb-system";

/// The namespace of the release that installs MetalLB's CRDs (where its controller reads
/// pools), or [`DEFAULT_METALLB_NAMESPACE`].
pub fn metallb_namespace(catalogue: &Catalogue<'_>) -> String {
    let crds = Capability::Crds(metallb::GROUP.into());
    catalogue
        .charts
        .iter()
        .find(|c| c.provides.contains(&crds))
        .map_or_else(|| DEFAULT_METALLB_NAMESPACE.into(), |c| c.namespace.clone())
}

/// The pool and its advertisement; nothing without a load balancer in the inventory.
pub fn objects(catalogue: &Catalogue<'_>) -> Vec<Object> {
    let Some(lb) = &catalogue.cluster.load_balancer else {
        return Vec::new();
    };
    let ns = metallb_namespace(catalogue);
    match lb {
        LoadBalancer::MetalLbL2 { pool, .. } => {
            // Resolution checked the range; write it normalised.
            let addresses = lb
                .range()
                .map_or_else(|_| lb.addresses().to_string(), |r| r.to_string());
            let mut ip_pool = IPAddressPool::new(
                pool,
                IPAddressPoolSpec {
                    addresses: vec![addresses],
                    auto_assign: true,
                },
            );
            ip_pool.metadata = meta(pool, Some(&ns), None);
            let mut l2 = L2Advertisement::new(
                pool,
                L2AdvertisementSpec {
                    ip_address_pools: vec![pool.clone()],
                },
            );
            l2.metadata = meta(pool, Some(&ns), None);
            vec![ip_pool.into(), l2.into()]
        }
    }
}

/// The annotations of a LAN Service with a fixed address (none without one).
pub fn address_annotations(address: Option<&str>) -> Option<BTreeMap<String, String>> {
    address.map(|a| BTreeMap::from([(metallb::load_balancer_ips_annotation(), a.to_string())]))
}
