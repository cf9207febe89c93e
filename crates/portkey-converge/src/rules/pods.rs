//! Deployments, StatefulSets and DaemonSets (gitops-engine's `health_deployment.go`,
//! `health_statefulset.go`, `health_daemonset.go`): healthy once their pods run, so the pods
//! must schedule on a node of the inventory, with every extended resource advertised there
//! by a device plugin, and with their claims and Secrets in place.

use std::collections::BTreeSet;

use portkey_model::cluster::GpuVendor;
use portkey_model::components::Component;

use crate::facts::{Fact, ObjectRef, Pods};
use crate::{Engine, Need, Provided, Stall, Verdict, nodes};

use super::stall;

/// A resource one device plugin advertises on one node.
struct Advert<'e> {
    /// The plugin (a DaemonSet, or a GpuDevicePlugin whose DaemonSet the operator runs).
    plugin: ObjectRef,
    /// The Application that syncs it.
    component: &'e str,
    /// Its wave.
    wave: i32,
    /// The resource (`gpu.intel.com/i915`).
    resource: String,
    /// The node.
    node: String,
}

/// Where the nodes' devices come from: the device plugins of every component.
fn advertised<'e>(e: &'e Engine<'_, '_>) -> Vec<Advert<'e>> {
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
                            out.push(Advert {
                                plugin: object.clone(),
                                component: component.as_str(),
                                wave,
                                resource: g.driver.resource().to_string(),
                                node: n.name.clone(),
                            });
                        }
                    }
                }
                Fact::Pods(p) if p.device_plugin || !p.advertises.is_empty() => {
                    for n in cluster
                        .nodes
                        .iter()
                        .filter(|n| nodes::selects(&p.selection, n))
                    {
                        for resource in plugin_resources(p, n) {
                            out.push(Advert {
                                plugin: p.object.clone(),
                                component: component.as_str(),
                                wave,
                                resource,
                                node: n.name.clone(),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// What device plugin `p` advertises on `node`: the devices of its `--device` list that the
/// node has, or (a GPU plugin) the node's GPUs but Intel's.
fn plugin_resources(p: &Pods, node: &portkey_model::cluster::Node) -> Vec<String> {
    if p.advertises.is_empty() {
        return node
            .gpus()
            .filter(|g| g.vendor != GpuVendor::Intel)
            .map(|g| g.driver.resource().to_string())
            .collect();
    }
    node.devices()
        .filter_map(|d| {
            let portkey_model::cluster::DeviceAccess::Plugin { resource } = &d.access;
            p.advertises.contains(resource).then(|| resource.clone())
        })
        .collect()
}

/// The plugins that would advertise `resource` if they ran on the right nodes: every
/// GpuDevicePlugin for an Intel GPU resource, every generic plugin listing it.
fn would_advertise<'e>(e: &'e Engine<'_, '_>, resource: &str) -> Vec<(ObjectRef, &'e str)> {
    let other_gpus: BTreeSet<&str> = e
        .catalogue
        .cluster
        .nodes
        .iter()
        .flat_map(|n| n.gpus().filter(|g| g.vendor != GpuVendor::Intel))
        .map(|g| g.driver.resource())
        .collect();
    let intel: BTreeSet<&str> = e
        .catalogue
        .cluster
        .nodes
        .iter()
        .flat_map(|n| n.gpus().filter(|g| g.vendor == GpuVendor::Intel))
        .map(|g| g.driver.resource())
        .collect();
    e.facts
        .iter()
        .flat_map(|(c, facts)| facts.iter().map(move |f| (c.as_str(), f)))
        .filter_map(|(c, f)| match f {
            Fact::GpuPlugin { object, .. } if intel.contains(resource) => Some((object.clone(), c)),
            Fact::Pods(p)
                if p.advertises.contains(resource)
                    || (p.device_plugin
                        && p.advertises.is_empty()
                        && other_gpus.contains(resource)) =>
            {
                Some((p.object.clone(), c))
            }
            _ => None,
        })
        .collect()
}

/// A Deployment, StatefulSet or DaemonSet: its pods must schedule and start.
pub(super) fn pods(e: &Engine<'_, '_>, c: &Component, facts: &[Fact], p: &Pods) -> Verdict {
    if p.replicas == 0 {
        return Verdict::healthy(p.object.clone(), Vec::new());
    }
    match schedule(e, c, p).and_then(|(feasible, mut provided)| {
        mounts(e, c, facts, p, &mut provided)?;
        if p.object.kind == "DaemonSet" || !p.resources.is_empty() {
            let on: Vec<&str> = feasible.into_iter().collect();
            provided.insert(
                0,
                Provided {
                    need: Need::Node,
                    what: "nodes".into(),
                    by: on.join(", "),
                },
            );
        }
        Ok(provided)
    }) {
        Ok(provided) => Verdict::healthy(p.object.clone(), provided),
        Err(stall) => Verdict::never(p.object.clone(), stall),
    }
}

/// The nodes the pods may run on (their selection, narrowed to the nodes that advertise each
/// extended resource they request), with the plugin that advertises each resource.
fn schedule<'c>(
    e: &Engine<'_, 'c>,
    c: &Component,
    p: &Pods,
) -> Result<(BTreeSet<&'c str>, Vec<Provided>), Stall> {
    let candidates = nodes::selected(e.catalogue.cluster, &p.selection);
    if candidates.is_empty() {
        let daemon = if p.object.kind == "DaemonSet" {
            ": Argo CD calls a DaemonSet with `desiredNumberScheduled: 0` Healthy, but it runs nowhere"
        } else {
            ""
        };
        return Err(stall(
            Need::Node,
            "nodes",
            format!(
                "its pods' nodeSelector ({}) and node affinity match no node in the inventory{daemon}",
                nodes::describe(&p.selection.node_selector)
            ),
            "give a node in the inventory (cluster.rs) the labels it selects, or fix its selector",
        ));
    }
    let mut feasible: BTreeSet<&str> = candidates.into_iter().collect();
    let mut provided = Vec::new();
    // Every component's facts are scanned for the plugins: only for the few pods that
    // request a device, or the replay would be quadratic in the catalogue.
    let ads = if p.resources.is_empty() {
        Vec::new()
    } else {
        advertised(e)
    };
    for r in &p.resources {
        let on: Vec<&Advert> = ads.iter().filter(|a| a.resource == *r).collect();
        if on.is_empty() {
            if let Some((plugin, component)) = would_advertise(e, r).first() {
                let reason = format!(
                    "it requests `{r}`, which no node advertises: {plugin} runs on no node that has the device"
                );
                // The plugin's own failure (it selects no node), or this pod's problem.
                let failed = e
                    .verdicts(component)
                    .iter()
                    .any(|v| v.object == *plugin && v.stall().is_some());
                return Err(Stall {
                    blocked_by: failed.then(|| Box::new(plugin.clone())),
                    ..stall(
                        Need::Resource,
                        "nodes",
                        reason,
                        if failed {
                            format!("fix {plugin} first")
                        } else {
                            format!("run {plugin} on the nodes that have the device (cluster.rs)")
                        },
                    )
                });
            }
            if e.strict {
                return Err(stall(
                    Need::Resource,
                    "resources",
                    format!(
                        "it requests `{r}`, and no device plugin advertises it, so its pods stay Pending"
                    ),
                    "declare the device or GPU on a node of the inventory (cluster.rs): portkey then generates its device plugin",
                ));
            }
            provided.push(Provided {
                need: Need::Resource,
                what: r.clone(),
                by: "outside the catalogue".into(),
            });
            continue;
        }
        let (narrowed, by) = resource(e, c, r, &feasible, &on)?;
        feasible = narrowed;
        provided.push(by);
    }
    Ok((feasible, provided))
}

/// One extended resource `r`, advertised by `on`: the feasible nodes that have it, and who
/// advertises it there; or why the pods never get it.
fn resource<'c>(
    e: &Engine<'_, '_>,
    c: &Component,
    r: &str,
    feasible: &BTreeSet<&'c str>,
    on: &[&Advert<'_>],
) -> Result<(BTreeSet<&'c str>, Provided), Stall> {
    let both: BTreeSet<&str> = feasible
        .iter()
        .copied()
        .filter(|n| on.iter().any(|a| a.node == *n))
        .collect();
    if both.is_empty() {
        let with: BTreeSet<&str> = on.iter().map(|a| a.node.as_str()).collect();
        return Err(stall(
            Need::Resource,
            "nodes",
            format!(
                "it requests `{r}`, advertised only on {}, but its pods may run only on {}",
                with.into_iter().collect::<Vec<_>>().join(", "),
                feasible.iter().copied().collect::<Vec<_>>().join(", ")
            ),
            "pin it to the nodes that have the device, or move the device",
        ));
    }
    let plugin = on[0];
    if plugin.wave > c.wave {
        return Err(stall(
            Need::Resource,
            "needs",
            format!(
                "`{r}` comes from {} ({}), which syncs in wave {}, after this object's wave {}",
                plugin.plugin, plugin.component, plugin.wave, c.wave
            ),
            format!(
                "declare the resource need so that it comes after {}",
                plugin.component
            ),
        ));
    }
    if plugin.component != c.name
        && let Some(root) = e.failure(plugin.component)
    {
        return Err(Stall {
            blocked_by: Some(Box::new(root.clone())),
            ..stall(
                Need::Resource,
                "needs",
                format!(
                    "`{r}` comes from {}, which never becomes healthy ({root})",
                    plugin.component
                ),
                format!("fix {root} first"),
            )
        });
    }
    let nodes: Vec<&str> = both.iter().copied().collect();
    let by = Provided {
        need: Need::Resource,
        what: r.to_string(),
        by: format!(
            "{} ({}) on {}",
            plugin.plugin,
            plugin.component,
            nodes.join(", ")
        ),
    };
    Ok((both, by))
}

/// The claims the pods mount exist, and the Secrets they need.
fn mounts(
    e: &Engine<'_, '_>,
    c: &Component,
    facts: &[Fact],
    p: &Pods,
    provided: &mut Vec<Provided>,
) -> Result<(), Stall> {
    let ns = p.object.namespace.as_deref().unwrap_or_default();
    for claim in &p.claims {
        let here = facts
            .iter()
            .any(|f| matches!(f, Fact::Claim { object, .. } if *object.name == **claim));
        if !here && !claim_elsewhere(e, ns, claim, c.wave) {
            return Err(stall(
                Need::Storage,
                "volumes",
                format!(
                    "its pods mount claim `{claim}`, which no component of this wave or before creates"
                ),
                "declare the volume in the app (portkey then creates the claim)",
            ));
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
                return Err(stall(
                    Need::Secret,
                    "env",
                    format!(
                        "its pods need Secret `{ns}/{secret}`, which no component writes and the bootstrap does not create, so they never start"
                    ),
                    "reference the Secret through the app's secret env vars (so BOOTSTRAP.md lists it), or let a component write it",
                ));
            }
        }
    }
    Ok(())
}

fn claim_elsewhere(e: &Engine<'_, '_>, ns: &str, claim: &str, wave: i32) -> bool {
    e.facts.iter().any(|(component, facts)| {
        e.components
            .get(component.as_str())
            .is_some_and(|c| c.wave <= wave)
            && facts.iter().any(|f| {
                matches!(f, Fact::Claim { object, .. }
                    if *object.name == *claim && object.namespace.as_deref() == Some(ns))
            })
    })
}
