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
//! - Volsync ReplicationDestination with `trigger.manual` (portkey's own health
//!   customization, `apps/infra/argo-cd.rs`): Healthy once restored, which needs its restic
//!   repository Secret.
//! - Intel `GpuDevicePlugin`: the operator runs a DaemonSet with the resource's
//!   `nodeSelector`, judged as a DaemonSet.

use std::collections::BTreeSet;

use portkey_model::chart::Capability;
use portkey_model::cluster::GpuVendor;
use portkey_model::components::Component;

use crate::facts::{Fact, ObjectRef, Pods};
use crate::{Engine, Need, Provided, Stall, Verdict, charts, nodes};

fn stall(need: Need, field: &str, reason: String, fix: impl Into<String>) -> Stall {
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
                if let Some((issuer, secret)) = cert {
                    let ns = object.namespace.as_deref();
                    out.push(certificate(
                        e,
                        ObjectRef::new("Certificate", ns, secret),
                        issuer,
                    ));
                }
            }
            Fact::Pods(p) => out.push(pods(e, c, facts, p)),
            Fact::Claim {
                object,
                class,
                restore,
            } => out.push(claim(
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
            Fact::Restore { object, repository } => out.push(restore(e, c, object, repository)),
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
        Err(s) => Verdict::never(object, s),
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
        Err(s) => Verdict::never(object, s),
    }
}

/// The Certificate ingress-shim makes for a TLS Ingress: Ready once the issuer can solve.
/// Argo CD does not manage it, so it gates no wave, but one that never becomes Ready
/// leaves the app without HTTPS.
pub(crate) fn certificate(e: &Engine<'_, '_>, object: ObjectRef, issuer: &str) -> Verdict {
    let found = e.facts.iter().find_map(|(component, facts)| {
        facts.iter().find_map(|f| match f {
            Fact::ClusterIssuer {
                object,
                http01,
                dns01_secrets,
            } if object.name == issuer => Some((component, http01, dns01_secrets)),
            _ => None,
        })
    });
    let Some((component, http01, dns01)) = found else {
        if !e.strict {
            return Verdict::healthy(object, Vec::new());
        }
        return Verdict::never(
            object,
            stall(
                Need::Certificate,
                "https",
                format!("its Ingress names ClusterIssuer `{issuer}`, which no component creates"),
                "set the inventory's `ingress.cluster_issuer` to the issuer portkey generates",
            ),
        );
    };
    if let Some(root) = e.failure(component) {
        return Verdict::never(
            object,
            Stall {
                blocked_by: Some(root.clone()),
                ..stall(
                    Need::Certificate,
                    "https",
                    format!(
                        "ClusterIssuer `{issuer}` comes from {component}, which never becomes healthy ({root})"
                    ),
                    format!("fix {root} first"),
                )
            },
        );
    }
    let mut why = Vec::new();
    let cert_manager_ns = e
        .providers(&Capability::Crds(
            portkey_compile::crd::cert_manager::GROUP.into(),
        ))
        .first()
        .and_then(|p| e.catalogue.charts.iter().find(|c| c.name == p.name))
        .map_or("cert-manager", |c| c.namespace.as_str());
    for secret in dns01 {
        match e.secret(cert_manager_ns, secret, i32::MAX) {
            Some(by) => {
                return Verdict::healthy(
                    object,
                    vec![Provided {
                        need: Need::Certificate,
                        what: "certificate".into(),
                        by: format!(
                            "ClusterIssuer {issuer} ({component}), DNS-01 with Secret {cert_manager_ns}/{secret} ({by})"
                        ),
                    }],
                );
            }
            None => why.push(format!(
                "its DNS-01 solver's token Secret `{cert_manager_ns}/{secret}` exists nowhere"
            )),
        }
    }
    for class in http01 {
        match e.provider(
            &Capability::IngressClass(class.clone()),
            i32::MAX,
            Need::Certificate,
            || stall(Need::Certificate, "https", String::new(), String::new()),
        ) {
            Ok(p) => {
                return Verdict::healthy(
                    object,
                    vec![Provided {
                        need: Need::Certificate,
                        what: "certificate".into(),
                        by: format!(
                            "ClusterIssuer {issuer} ({component}), HTTP-01 through {}",
                            p.map_or("the ingress controller", |p| p.name.as_str())
                        ),
                    }],
                );
            }
            Err(s) if s.blocked_by.is_some() => {
                return Verdict::never(
                    object,
                    Stall {
                        reason: format!(
                            "the HTTP-01 solver of `{issuer}` needs IngressClass `{class}` to have an address: {}",
                            s.reason
                        ),
                        ..s
                    },
                );
            }
            Err(_) => why.push(format!(
                "its HTTP-01 solver uses IngressClass `{class}`, which no component provides"
            )),
        }
    }
    if why.is_empty() {
        why.push("it has no HTTP-01 or DNS-01 solver".into());
    }
    Verdict::never(
        object,
        stall(
            Need::Certificate,
            "https",
            format!(
                "ClusterIssuer `{issuer}` can never solve: {}",
                why.join("; ")
            ),
            "give the issuer a solver that can work: HTTP-01 through an ingress controller with an address, or DNS-01 with its token Secret created before Argo CD",
        ),
    )
}

/// Where the nodes' devices come from: the device plugins of every component, as
/// `(plugin, component, wave, resource, node)`.
fn advertised<'e>(e: &'e Engine<'_, '_>) -> Vec<(ObjectRef, &'e str, i32, String, String)> {
    let cluster = e.catalogue.cluster;
    let mut out = Vec::new();
    for (component, facts) in e.facts {
        let wave = e.components.get(component.as_str()).map_or(0, |c| c.wave);
        for f in facts {
            match f {
                Fact::GpuPlugin {
                    object,
                    node_selector,
                } => {
                    let selection = crate::facts::Selection {
                        node_selector: node_selector.clone(),
                        ..crate::facts::Selection::default()
                    };
                    for n in cluster
                        .nodes
                        .iter()
                        .filter(|n| nodes::selects(&selection, n))
                    {
                        for g in n.gpus().filter(|g| g.vendor == GpuVendor::Intel) {
                            out.push((
                                object.clone(),
                                component.as_str(),
                                wave,
                                g.driver.resource().to_string(),
                                n.name.clone(),
                            ));
                        }
                    }
                }
                Fact::Pods(p) if !p.advertises.is_empty() => {
                    for n in cluster
                        .nodes
                        .iter()
                        .filter(|n| nodes::selects(&p.selection, n))
                    {
                        for d in n.devices() {
                            let portkey_model::cluster::DeviceAccess::Plugin { resource } =
                                &d.access;
                            if p.advertises.contains(resource) {
                                out.push((
                                    p.object.clone(),
                                    component.as_str(),
                                    wave,
                                    resource.clone(),
                                    n.name.clone(),
                                ));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The plugins that would advertise `resource` if they ran on the right nodes: every
/// GpuDevicePlugin for an Intel GPU resource, every generic plugin listing it.
fn would_advertise(e: &Engine<'_, '_>, resource: &str) -> Vec<ObjectRef> {
    let intel: BTreeSet<&str> = e
        .catalogue
        .cluster
        .nodes
        .iter()
        .flat_map(|n| n.gpus().filter(|g| g.vendor == GpuVendor::Intel))
        .map(|g| g.driver.resource())
        .collect();
    e.facts
        .values()
        .flatten()
        .filter_map(|f| match f {
            Fact::GpuPlugin { object, .. } if intel.contains(resource) => Some(object.clone()),
            Fact::Pods(p) if p.advertises.contains(resource) => Some(p.object.clone()),
            _ => None,
        })
        .collect()
}

/// A Deployment, StatefulSet or DaemonSet: its pods must schedule and start.
fn pods(e: &Engine<'_, '_>, c: &Component, facts: &[Fact], p: &Pods) -> Verdict {
    let object = p.object.clone();
    let cluster = e.catalogue.cluster;
    if p.replicas == 0 {
        return Verdict::healthy(object, Vec::new());
    }
    let candidates = nodes::selected(cluster, &p.selection);
    if candidates.is_empty() {
        let daemon = if p.object.kind == "DaemonSet" {
            ": Argo CD calls a DaemonSet with `desiredNumberScheduled: 0` Healthy, but it runs nowhere"
        } else {
            ""
        };
        return Verdict::never(
            object,
            stall(
                Need::Node,
                "nodes",
                format!(
                    "its pods' nodeSelector ({}) and node affinity match no node in the inventory{daemon}",
                    nodes::describe(&p.selection.node_selector)
                ),
                "give a node in the inventory (cluster.rs) the labels it selects, or fix its selector",
            ),
        );
    }
    let mut provided = Vec::new();
    let mut feasible: BTreeSet<&str> = candidates.iter().copied().collect();
    let ads = advertised(e);
    for r in &p.resources {
        let on: Vec<_> = ads.iter().filter(|a| a.3 == *r).collect();
        if on.is_empty() {
            let plugins = would_advertise(e, r);
            if let Some(plugin) = plugins.first() {
                return Verdict::never(
                    object,
                    Stall {
                        blocked_by: Some(plugin.clone()),
                        ..stall(
                            Need::Resource,
                            "nodes",
                            format!(
                                "it requests `{r}`, which no node advertises: {plugin} runs on no node that has the device"
                            ),
                            format!("fix {plugin} first"),
                        )
                    },
                );
            }
            if !e.strict {
                provided.push(Provided {
                    need: Need::Resource,
                    what: r.clone(),
                    by: "outside the catalogue".into(),
                });
                continue;
            }
            return Verdict::never(
                object,
                stall(
                    Need::Resource,
                    "resources",
                    format!(
                        "it requests `{r}`, and no device plugin advertises it, so its pods stay Pending"
                    ),
                    "declare the device or GPU on a node of the inventory (cluster.rs): portkey then generates its device plugin",
                ),
            );
        }
        let nodes_with: BTreeSet<&str> = on.iter().map(|a| a.4.as_str()).collect();
        let both: BTreeSet<&str> = feasible.intersection(&nodes_with).copied().collect();
        if both.is_empty() {
            return Verdict::never(
                object,
                stall(
                    Need::Resource,
                    "nodes",
                    format!(
                        "it requests `{r}`, advertised only on {}, but its pods may run only on {}",
                        nodes_with.iter().copied().collect::<Vec<_>>().join(", "),
                        feasible.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                    "pin it to the nodes that have the device, or move the device",
                ),
            );
        }
        feasible = both;
        let plugin = on[0];
        if plugin.2 > c.wave {
            return Verdict::never(
                object,
                stall(
                    Need::Resource,
                    "needs",
                    format!(
                        "`{r}` comes from {} ({}), which syncs in wave {}, after this object's wave {}",
                        plugin.0, plugin.1, plugin.2, c.wave
                    ),
                    format!(
                        "declare the resource need so that it comes after {}",
                        plugin.1
                    ),
                ),
            );
        }
        if let Some(root) = (plugin.1 != c.name).then(|| e.failure(plugin.1)).flatten() {
            return Verdict::never(
                object,
                Stall {
                    blocked_by: Some(root.clone()),
                    ..stall(
                        Need::Resource,
                        "needs",
                        format!(
                            "`{r}` comes from {}, which never becomes healthy ({root})",
                            plugin.1
                        ),
                        format!("fix {root} first"),
                    )
                },
            );
        }
        let on_nodes: Vec<&str> = on
            .iter()
            .map(|a| a.4.as_str())
            .filter(|n| feasible.contains(n))
            .collect();
        provided.push(Provided {
            need: Need::Resource,
            what: r.clone(),
            by: format!("{} ({}) on {}", plugin.0, plugin.1, on_nodes.join(", ")),
        });
    }
    let ns = p.object.namespace.as_deref().unwrap_or_default();
    for claim in &p.claims {
        let here = facts
            .iter()
            .any(|f| matches!(f, Fact::Claim { object, .. } if object.name == *claim));
        if !here && !claim_elsewhere(e, ns, claim, c.wave) {
            return Verdict::never(
                object,
                stall(
                    Need::Storage,
                    "volumes",
                    format!(
                        "its pods mount claim `{claim}`, which no component of this wave or before creates"
                    ),
                    "declare the volume in the app (portkey then creates the claim)",
                ),
            );
        }
    }
    for secret in &p.secrets {
        match e.secret(ns, secret, c.wave) {
            Some(by) => provided.push(Provided {
                need: Need::Secret,
                what: format!("Secret {secret}"),
                by,
            }),
            None if !e.strict => {}
            None => {
                return Verdict::never(
                    object,
                    stall(
                        Need::Secret,
                        "env",
                        format!(
                            "its pods need Secret `{ns}/{secret}`, which no component writes and the bootstrap does not create, so they never start"
                        ),
                        "reference the Secret through the app's secret env vars (so BOOTSTRAP.md lists it), or let a component write it",
                    ),
                );
            }
        }
    }
    if p.object.kind == "DaemonSet" || !p.resources.is_empty() {
        provided.insert(
            0,
            Provided {
                need: Need::Node,
                what: "nodes".into(),
                by: feasible.into_iter().collect::<Vec<_>>().join(", "),
            },
        );
    }
    Verdict::healthy(object, provided)
}

fn claim_elsewhere(e: &Engine<'_, '_>, ns: &str, claim: &str, wave: i32) -> bool {
    e.facts.iter().any(|(component, facts)| {
        e.components
            .get(component.as_str())
            .is_some_and(|c| c.wave <= wave)
            && facts.iter().any(|f| {
                matches!(f, Fact::Claim { object, .. }
                    if object.name == claim && object.namespace.as_deref() == Some(ns))
            })
    })
}

/// A PersistentVolumeClaim: it binds once its class and provisioner exist (and, with
/// `WaitForFirstConsumer`, once a pod of the same Application uses it).
fn claim(
    e: &Engine<'_, '_>,
    c: &Component,
    facts: &[Fact],
    object: &ObjectRef,
    class: Option<&str>,
    restore: Option<&str>,
) -> Verdict {
    let cluster = e.catalogue.cluster;
    let class = class
        .unwrap_or(cluster.default_storage_class.name())
        .to_string();
    let object = object.clone();
    let emitted = e.facts.iter().find_map(|(component, facts)| {
        facts.iter().find_map(|f| match f {
            Fact::StorageClass {
                name,
                provisioner,
                waits_for_consumer,
            } if *name == class => Some((component, provisioner, *waits_for_consumer)),
            _ => None,
        })
    });
    let mut provided = Vec::new();
    match emitted {
        Some((component, provisioner, waits)) => {
            if let Some(stall) = written_by(e, component, c.wave, &format!("StorageClass {class}"))
            {
                return Verdict::never(object, stall);
            }
            match e.provider(
                &Capability::Provisioner(provisioner.clone()),
                c.wave,
                Need::Storage,
                || {
                    stall(
                        Need::Storage,
                        "storage_classes",
                        format!("its StorageClass `{class}` names provisioner `{provisioner}`, which no component provides, so the claim stays Pending"),
                        format!("add the CSI driver's chart release with `.provides_csi_driver(\"{provisioner}\")`"),
                    )
                },
            ) {
                Ok(p) => provided.push(Provided {
                    need: Need::Storage,
                    what: format!("StorageClass {class}"),
                    by: format!(
                        "{component}, provisioned by {}",
                        p.map_or("a driver outside the catalogue", |p| p.name.as_str())
                    ),
                }),
                Err(s) => return Verdict::never(object, s),
            }
            if waits {
                let consumed = facts
                    .iter()
                    .any(|f| matches!(f, Fact::Pods(p) if p.claims.contains(&object.name)));
                if !consumed {
                    return Verdict::never(
                        object,
                        stall(
                            Need::Storage,
                            "storage_classes",
                            format!(
                                "its StorageClass `{class}` is WaitForFirstConsumer and no pod of the same Application mounts it, so it stays Pending and Argo CD waits forever"
                            ),
                            "mount the claim in a workload of the same app, or use a class with `volumeBindingMode: Immediate`",
                        ),
                    );
                }
            }
        }
        None => match cluster.storage_classes.iter().find(|s| s.name == class) {
            Some(s) if !s.managed => provided.push(Provided {
                need: Need::Storage,
                what: format!("StorageClass {class}"),
                by: "rook's external-cluster import (BOOTSTRAP.md, before Argo CD)".into(),
            }),
            _ if !e.strict => {}
            _ => {
                return Verdict::never(
                    object,
                    stall(
                        Need::Storage,
                        "storage_class",
                        format!(
                            "its StorageClass `{class}` exists nowhere: no component writes it and the inventory does not declare it"
                        ),
                        "use a storage class of the inventory (cluster.rs)",
                    ),
                );
            }
        },
    }
    if let Some(rd) = restore {
        let here = facts
            .iter()
            .any(|f| matches!(f, Fact::Restore { object, .. } if object.name == rd));
        if !here {
            return Verdict::never(
                object,
                stall(
                    Need::Restore,
                    "backup",
                    format!(
                        "it is filled from ReplicationDestination `{rd}`, which this Application does not create, so it stays Pending"
                    ),
                    "declare the backup on the volume (portkey then creates the restore beside the claim)",
                ),
            );
        }
        provided.push(Provided {
            need: Need::Restore,
            what: "restored data".into(),
            by: format!("ReplicationDestination {rd}"),
        });
    }
    Verdict::healthy(object, provided)
}

/// Why what `component` writes (`what`) is not there by `wave`: it syncs later, or never
/// becomes healthy; `None` when it is there.
fn written_by(e: &Engine<'_, '_>, component: &str, wave: i32, what: &str) -> Option<Stall> {
    let writer = e.components.get(component)?;
    if writer.wave > wave {
        return Some(stall(
            Need::Storage,
            "needs",
            format!(
                "{what} comes from {component}, which syncs in wave {}, after this object's wave {wave}: the root waits for this wave first",
                writer.wave
            ),
            format!("declare the need so that it comes after {component}"),
        ));
    }
    let root = e.failure(component)?;
    Some(Stall {
        blocked_by: Some(root.clone()),
        ..stall(
            Need::Storage,
            "needs",
            format!("{what} comes from {component}, which never becomes healthy ({root})"),
            format!("fix {root} first"),
        )
    })
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

/// A one-shot Volsync restore: it completes once its repository Secret exists.
fn restore(e: &Engine<'_, '_>, c: &Component, object: &ObjectRef, repository: &str) -> Verdict {
    let ns = object.namespace.as_deref().unwrap_or_default();
    match e.secret(ns, repository, c.wave) {
        Some(by) => Verdict::healthy(
            object.clone(),
            vec![Provided {
                need: Need::Restore,
                what: format!("restic repository Secret {repository}"),
                by,
            }],
        ),
        None if !e.strict => Verdict::healthy(object.clone(), Vec::new()),
        None => Verdict::never(
            object.clone(),
            stall(
                Need::Restore,
                "backup",
                format!(
                    "its restic repository Secret `{ns}/{repository}` exists nowhere, so the restore never completes and the claim it fills stays Pending"
                ),
                "create the Secret before Argo CD (BOOTSTRAP.md lists it), or configure the inventory's secret store",
            ),
        ),
    }
}
