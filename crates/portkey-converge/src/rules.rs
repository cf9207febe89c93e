//! One health rule per kind, after gitops-engine's `pkg/health` and Argo CD's
//! `resource_customizations` (Argo CD v3.4, the release argo-cd chart 10.1.1 installs):
//!
//! - Service (`health_service.go`): a `LoadBalancer` Service is Progressing until
//!   `status.loadBalancer.ingress` has an entry: it needs a component that provides
//!   [`Capability::LoadBalancer`] in its wave or before.
//! - Ingress (`health_ingress.go`): Progressing until `status.loadBalancer.ingress` has an
//!   entry, which the ingress class's controller copies from its own LoadBalancer Service.
//! - PersistentVolumeClaim (`health_pvc.go`): Healthy when `Bound`, Progressing while
//!   `Pending`: its StorageClass and provisioner must exist; with `WaitForFirstConsumer` it
//!   binds only once a pod of the same Application uses it; a restore (`dataSourceRef` to a
//!   ReplicationDestination) binds once the restore completes.
//! - Deployment, StatefulSet (`health_deployment.go`, `health_statefulset.go`): Healthy when
//!   the updated replicas are available, so their pods must schedule: a node matches their
//!   nodeSelector and affinity, a device plugin advertises each extended resource on such a
//!   node, their claims exist and their Secrets exist.
//! - DaemonSet (`health_daemonset.go`): Healthy when `updatedNumberScheduled` and
//!   `numberAvailable` reach `desiredNumberScheduled`, which is 0 for a DaemonSet that
//!   selects no node. Argo CD calls that Healthy, yet a device plugin that runs nowhere
//!   leaves every pod needing its resource Pending, so here it never is.
//! - cert-manager Certificate (`resource_customizations/cert-manager.io/Certificate`):
//!   Healthy when `Ready`. ingress-shim makes one per TLS Ingress with the
//!   `cert-manager.io/cluster-issuer` annotation; it is Ready once the ClusterIssuer exists
//!   and one of its solvers can work (HTTP-01: the ingress controller has an address;
//!   DNS-01: its API token Secret exists).
//! - cert-manager Issuer (`resource_customizations/cert-manager.io/Issuer/health.lua`:
//!   Healthy when `Ready`) and the Certificates portkey emits itself (the secret store's
//!   SDK server chain, `Certificate/health.lua` as above): a `selfSigned` Issuer is Ready
//!   at once; a CA Issuer once its CA Secret exists, which a Certificate writes once its
//!   own Issuer is Ready (module `ca`).
//! - Volsync ReplicationDestination with `trigger.manual` (portkey's own health
//!   customization, `apps/infra/argo-cd.rs`): Healthy once restored, which needs its restic
//!   repository Secret.
//! - Intel `GpuDevicePlugin`: the operator runs a DaemonSet with the resource's
//!   `nodeSelector`, judged as a DaemonSet.

mod ca;
mod certificate;
mod pods;
mod storage;

pub(crate) use ca::mounted_secret;
pub(crate) use certificate::certificate;

use portkey_model::chart::Capability;
use portkey_model::components::Component;

use crate::facts::{Fact, ObjectRef};
use crate::{Engine, Need, Provided, Stall, Verdict, charts, nodes};

pub(crate) fn stall(need: Need, field: &str, reason: String, fix: impl Into<String>) -> Stall {
    Stall {
        need,
        field: field.into(),
        reason,
        fix: fix.into(),
        blocked_by: None,
    }
}

/// Every verdict of component `c`: its chart release's (if it is one), then its objects'.
pub(crate) fn judge(e: &Engine<'_, '_>, c: &Component) -> Vec<Verdict> {
    let mut out = charts::judge(e, c);
    let Some(facts) = e.facts.get(&c.name) else {
        return out;
    };
    for f in facts {
        match f {
            Fact::LoadBalancer(object) => out.push(load_balancer(e, c, object.clone())),
            Fact::Ingress {
                object,
                class,
                certificate: cert,
            } => {
                out.push(ingress(e, c, object.clone(), class.as_deref()));
                if let Some((issuer, secret)) = cert.as_deref() {
                    let ns = object.namespace.as_deref();
                    out.push(certificate(
                        e,
                        ObjectRef::new("Certificate", ns, secret),
                        issuer,
                    ));
                }
            }
            Fact::Pods(p) => out.push(pods::pods(e, c, facts, p)),
            Fact::Claim {
                object,
                class,
                restore,
            } => out.push(storage::claim(
                e,
                c,
                facts,
                object,
                class.as_deref(),
                restore.as_deref(),
            )),
            Fact::GpuPlugin {
                object,
                node_selector,
            } => out.push(gpu_plugin(e, object, node_selector)),
            Fact::Restore { object, repository } => {
                out.push(storage::restore(e, c, object, repository));
            }
            Fact::Issuer { object, .. } => out.push(ca::issuer(e, c, object, 0)),
            Fact::Certificate { object, issuer, .. } => {
                out.push(ca::certificate(e, c, object, &issuer.kind, &issuer.name, 0));
            }
            Fact::StorageClass { .. } | Fact::ClusterIssuer { .. } | Fact::Secret(..) => {}
        }
    }
    out
}

/// A Service of type LoadBalancer: an address from a load-balancer implementation.
pub(crate) fn load_balancer(e: &Engine<'_, '_>, c: &Component, object: ObjectRef) -> Verdict {
    match e.provider(&Capability::LoadBalancer, c.wave, Need::Address, || {
        stall(
            Need::Address,
            "needs",
            "it is a Service of type LoadBalancer and no component provides LoadBalancer addresses, so `status.loadBalancer.ingress` stays empty and Argo CD keeps it Progressing".into(),
            "add a load-balancer implementation (MetalLB with an address pool for the LAN) as a chart release that provides LoadBalancer addresses",
        )
    }) {
        Ok(p) => Verdict::healthy(
            object,
            vec![Provided {
                need: Need::Address,
                what: "LoadBalancer address".into(),
                by: p.map_or_else(|| "outside the catalogue".into(), |p| p.name.clone()),
            }],
        ),
        Err(s) => Verdict::never(object, *s),
    }
}

/// An Ingress: an address from its class's controller.
pub(crate) fn ingress(
    e: &Engine<'_, '_>,
    c: &Component,
    object: ObjectRef,
    class: Option<&str>,
) -> Verdict {
    let class = class
        .unwrap_or(&e.catalogue.cluster.ingress.class)
        .to_string();
    let cap = Capability::IngressClass(class.clone());
    match e.provider(&cap, c.wave, Need::Address, || {
        stall(
            Need::Address,
            "https",
            format!("no component provides its IngressClass `{class}`, so no controller publishes an address into `status.loadBalancer.ingress`"),
            format!("add the ingress controller as a chart release with `.provides_ingress_class(\"{class}\")`, or use an ingress class one provides"),
        )
    }) {
        Ok(p) => Verdict::healthy(
            object,
            vec![Provided {
                need: Need::Address,
                what: "address".into(),
                by: format!(
                    "{} (IngressClass {class})",
                    p.map_or("outside the catalogue", |p| p.name.as_str())
                ),
            }],
        ),
        Err(s) => Verdict::never(object, *s),
    }
}

/// An Intel GpuDevicePlugin: the operator's DaemonSet runs on the nodes of its nodeSelector.
fn gpu_plugin(
    e: &Engine<'_, '_>,
    object: &ObjectRef,
    selector: &std::collections::BTreeMap<String, String>,
) -> Verdict {
    let selection = crate::facts::Selection {
        node_selector: selector.clone(),
        ..crate::facts::Selection::default()
    };
    let on = nodes::selected(e.catalogue.cluster, &selection);
    if on.is_empty() {
        return Verdict::never(
            object.clone(),
            stall(
                Need::Node,
                "device_plugins.intel_gpu_label",
                format!(
                    "the DaemonSet the Intel device plugins operator runs for it selects no node in the inventory (nodeSelector {}): Argo CD calls a DaemonSet with `desiredNumberScheduled: 0` Healthy, but no node advertises the GPU and every pod that requests it stays Pending",
                    nodes::describe(selector)
                ),
                "put the label on the GPU nodes in the inventory (cluster.rs, and `kubectl label node`), or set `device_plugins.intel_gpu_label` to the label they carry",
            ),
        );
    }
    Verdict::healthy(
        object.clone(),
        vec![Provided {
            need: Need::Node,
            what: "nodes".into(),
            by: on.join(", "),
        }],
    )
}
