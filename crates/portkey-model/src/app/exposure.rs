//! How the app is reached and what it needs: HTTPS, the LAN, dependencies on other apps,
//! and the hardware and nodes it runs on.

use super::App;
use crate::cluster::{DeviceRef, GpuVendor, NodeRef};

/// HTTPS exposure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Https {
    /// Host label under the cluster domain (`vault` → `vault.<domain>`).
    pub host: String,
    /// Extra Ingress annotations (escape hatch: body size, timeouts).
    pub annotations: Vec<(String, String)>,
}

/// How the app's Service is reachable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum ServiceExposure {
    /// Inside the cluster only (`ClusterIP`).
    #[default]
    Cluster,
    /// On the LAN through a `LoadBalancer` Service with `externalTrafficPolicy: Local`
    /// (IoT clients, torrent peers).
    Lan,
}

/// A dependency on another app.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Dependency {
    /// The other app's name.
    pub app: String,
    /// Whether the app waits at start-up until the dependency's primary port answers.
    pub wait_at_startup: bool,
}

impl App {
    /// Needs one GPU of this vendor: compiles to a limit on the GPU driver's resource
    /// (`gpu.intel.com/i915: 1`) and node affinity to the nodes that have such a GPU.
    pub fn gpu(mut self, vendor: GpuVendor) -> Self {
        self.gpu = Some(vendor);
        self
    }
    /// Needs a device: compiles to a request for the device's resource and node affinity to
    /// the node that holds it.
    pub fn needs(mut self, device: DeviceRef) -> Self {
        self.devices.push(device);
        self
    }
    /// Pins the app to these nodes (node affinity on `kubernetes.io/hostname`), and why.
    pub fn pin(mut self, nodes: &[NodeRef], reason: &str) -> Self {
        self.pin = Some(Box::new((nodes.to_vec(), reason.into())));
        self
    }
    /// Exposes the primary port over HTTPS at `<host>.<domain>`: an Ingress with a
    /// cert-manager certificate from the cluster issuer.
    pub fn https(mut self, host: &str) -> Self {
        self.https = Some(Https {
            host: host.into(),
            annotations: Vec::new(),
        });
        self
    }
    /// Adds an annotation to the app's Ingress (requires [`App::https`]).
    pub fn ingress_annotation(mut self, key: &str, value: &str) -> Self {
        if let Some(h) = &mut self.https {
            h.annotations.push((key.into(), value.into()));
        } else {
            self.misuse.push((
                "ingress_annotation".into(),
                "`.ingress_annotation(..)` before `.https(..)` has no Ingress to annotate".into(),
            ));
        }
        self
    }
    /// Exposes the Service on the LAN (`LoadBalancer`, `externalTrafficPolicy: Local`).
    pub fn lan(mut self) -> Self {
        self.service = ServiceExposure::Lan;
        self
    }
    /// Gives the app's LAN Service (the app's Service after [`App::lan`], or `<app>-lan` for
    /// ports marked `.lan()`) a fixed address from the inventory's load-balancer pool, for
    /// clients configured with it (IoT devices, a router's port forward). Compiles to
    /// MetalLB's `metallb.io/loadBalancerIPs` annotation on that Service. The address must be
    /// in the pool, and no other Service may claim it.
    pub fn lan_address(mut self, address: &str) -> Self {
        self.lan_address = Some(address.into());
        self
    }
    /// Declares a dependency on another app (ordering, documents).
    pub fn depends_on(mut self, app: &str) -> Self {
        self.dependencies.push(Dependency {
            app: app.into(),
            wait_at_startup: false,
        });
        self
    }
    /// Declares a dependency the app must wait for at start-up: an init container blocks
    /// until the other app's primary port accepts connections.
    pub fn waits_for(mut self, app: &str) -> Self {
        self.dependencies.push(Dependency {
            app: app.into(),
            wait_at_startup: true,
        });
        self
    }
}
