//! Placement: the nodes an app may run on, from its GPU, devices and pins.

use std::collections::BTreeSet;

use crate::app::App;
use crate::cluster::{Cluster, GpuDriver, Node};
use crate::error::Problems;

/// Placement constraints collected from an app's GPU, devices and pins.
#[derive(Default)]
struct Placement<'c> {
    /// Nodes allowed so far (`None`: unconstrained).
    feasible: Option<BTreeSet<&'c str>>,
    /// Why, one entry per constraint.
    why: Vec<String>,
    /// Extended resources requested.
    resources: BTreeSet<String>,
    /// Supplemental groups (GPU render groups).
    groups: BTreeSet<i64>,
    /// A constraint itself was invalid (already reported).
    broken: bool,
}

impl<'c> Placement<'c> {
    fn narrow(&mut self, set: BTreeSet<&'c str>, reason: String) {
        self.why.push(reason);
        self.feasible = Some(match self.feasible.take() {
            None => set,
            Some(f) => f.intersection(&set).copied().collect(),
        });
    }

    fn gpu(
        &mut self,
        cluster: &'c Cluster,
        vendor: crate::cluster::GpuVendor,
        p: &mut Problems<'_>,
    ) {
        let with: Vec<&Node> = cluster
            .nodes
            .iter()
            .filter(|n| n.gpus().any(|g| g.vendor == vendor))
            .collect();
        if with.is_empty() {
            let have: Vec<String> = cluster
                .nodes
                .iter()
                .flat_map(|n| {
                    n.gpus()
                        .map(move |g| format!("{} GPU on {}", g.vendor, n.name))
                })
                .collect();
            let have = if have.is_empty() {
                "no node has any GPU".to_string()
            } else {
                have.join(", ")
            };
            let planned = cluster
                .planned_nodes
                .iter()
                .find(|n| n.gpus().any(|g| g.vendor == vendor));
            match planned {
                Some(planned) => p.add(
                    "gpu",
                    format!(
                        "needs an {vendor} GPU; only `{}` has one, and it is declared but not enabled ({have})",
                        planned.name
                    ),
                    format!(
                        "join `{}` and move it from `planned_nodes` to `nodes` in the inventory, \
                         or ask for a GPU an enabled node has",
                        planned.name
                    ),
                ),
                None => p.add(
                    "gpu",
                    format!("needs an {vendor} GPU, but no node has one ({have})"),
                    format!(
                        "add a node with an {vendor} GPU to the inventory, or ask for a GPU a node has"
                    ),
                ),
            }
            self.broken = true;
            return;
        }
        let drivers: BTreeSet<GpuDriver> = with
            .iter()
            .flat_map(|n| n.gpus().filter(|g| g.vendor == vendor).map(|g| g.driver))
            .collect();
        if drivers.len() > 1 {
            p.add(
                "gpu",
                format!("{vendor} GPUs use different drivers on different nodes ({drivers:?}); a pod can request only one resource"),
                "pin the app to the nodes of one driver with `.pin(..)`",
            );
            self.broken = true;
        }
        if let Some(driver) = drivers.first() {
            self.resources.insert(driver.resource().to_string());
        }
        for n in &with {
            self.groups.extend(
                n.gpus()
                    .filter(|g| g.vendor == vendor)
                    .filter_map(|g| g.render_gid),
            );
        }
        self.narrow(
            with.iter().map(|n| n.name.as_str()).collect(),
            format!("needs an {vendor} GPU"),
        );
    }

    fn device(
        &mut self,
        cluster: &'c Cluster,
        device: crate::cluster::DeviceRef,
        p: &mut Problems<'_>,
    ) {
        let Some((node, d)) = cluster.device(device) else {
            p.add(
                format!("needs({device})"),
                format!("device `{device}` is not attached to any node in the inventory"),
                "attach the device to a node in the inventory, or fix the reference",
            );
            self.broken = true;
            return;
        };
        let crate::cluster::DeviceAccess::Plugin { resource } = &d.access;
        self.resources.insert(resource.clone());
        self.narrow(
            BTreeSet::from([node.name.as_str()]),
            format!("needs device `{device}` (on {})", node.name),
        );
    }

    fn pin(
        &mut self,
        cluster: &'c Cluster,
        pins: &[crate::cluster::NodeRef],
        reason: &str,
        p: &mut Problems<'_>,
    ) {
        let mut set = BTreeSet::new();
        for n in pins {
            match cluster.node(*n) {
                None if cluster.planned_node(*n).is_some() => {
                    p.add(
                        "pin",
                        format!("node `{n}` is declared but not enabled"),
                        format!(
                            "join `{n}` and move it from `planned_nodes` to `nodes` in the \
                             inventory, or pin to an enabled node"
                        ),
                    );
                    self.broken = true;
                }
                None => {
                    let known: Vec<&str> = cluster.nodes.iter().map(|n| n.name.as_str()).collect();
                    p.add(
                        "pin",
                        format!(
                            "node `{n}` is not in the inventory (nodes: {})",
                            known.join(", ")
                        ),
                        "pin to a node the inventory declares",
                    );
                    self.broken = true;
                }
                Some(node) => {
                    set.insert(node.name.as_str());
                }
            }
        }
        if pins.is_empty() {
            p.add("pin", "pinned to no node", "name at least one node");
            self.broken = true;
        }
        if reason.trim().is_empty() {
            p.add(
                "pin",
                "pin without a reason",
                "say why the app must run there",
            );
        }
        let names: Vec<&str> = set.iter().copied().collect();
        self.narrow(set, format!("pinned to {}", names.join(", ")));
    }
}

/// The outcome of placement: feasible nodes (None: anywhere), extended resources, and
/// supplemental groups.
pub(super) type Placed = (Option<Vec<String>>, Vec<String>, Vec<i64>);

/// Works out the nodes an app can run on from its GPU, devices and pins.
pub(super) fn place(cluster: &Cluster, app: &App, p: &mut Problems<'_>) -> Placed {
    let mut placement = Placement::default();
    if let Some(vendor) = app.gpu {
        placement.gpu(cluster, vendor, p);
    }
    for device in &app.devices {
        placement.device(cluster, *device, p);
    }
    if let Some((pins, reason)) = app.pin.as_deref() {
        placement.pin(cluster, pins, reason, p);
    }
    let nodes = placement.feasible.as_ref().map(|f| {
        cluster
            .nodes
            .iter()
            .filter(|n| f.contains(n.name.as_str()))
            .map(|n| n.name.clone())
            .collect::<Vec<_>>()
    });
    if !placement.broken
        && let Some(n) = &nodes
        && n.is_empty()
    {
        p.add(
            "placement",
            format!("no node satisfies all of: {}", placement.why.join("; ")),
            "relax a pin, or move the hardware the app needs onto one node",
        );
    }
    (
        nodes,
        placement.resources.into_iter().collect(),
        placement.groups.into_iter().collect(),
    )
}
