//! Cluster-aware analysis of a resolved catalogue: where each app lands, how full each node
//! is, and what happens when a node fails.
//!
//! Placement is a deterministic model of the scheduler, not a replay of it: apps that can
//! run on one node only go there first; the others follow in decreasing order (memory
//! request, then CPU, then name), each onto the feasible node with the largest free share of
//! CPU and memory, as the scheduler's default least-allocated scoring would. It answers "does everything fit,
//! and what is left when a node dies" before anything reaches Argo CD.

use std::collections::BTreeMap;

use crate::cluster::{AccessMode, Cluster, Node, NodeRole};
use crate::error::ModelError;
use crate::quantity::{Cpu, Memory};
use crate::resolve::{Catalogue, ResolvedApp};

/// Minutes a ReadWriteOnce Ceph volume takes to detach from a failed node (the seed's
/// "Node Failure" procedure).
pub const RWO_DETACH_MINUTES: u32 = 6;

/// The whole analysis.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Per-node totals, in inventory order.
    pub nodes: Vec<NodeUsage>,
    /// Where each app lands, sorted by app name.
    pub placements: Vec<Placement>,
    /// One entry per node: what its failure does.
    pub failures: Vec<Failure>,
    /// Problems that do not stop rendering: memory limits near the node's size, an ACME
    /// challenge that cannot reach the hosts, and retentions that fall into the empty-restore
    /// trap ([`crate::backup::empty_restore`]).
    pub warnings: Vec<String>,
    /// Problems that stop rendering (requests that no node can hold).
    pub errors: Vec<ModelError>,
}

/// Requests and limits on one node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeUsage {
    /// Node name.
    pub node: String,
    /// Allocatable CPU.
    pub cpu: Cpu,
    /// Allocatable memory.
    pub memory: Memory,
    /// Sum of CPU requests.
    pub cpu_requests: Cpu,
    /// Sum of CPU limits (apps without a CPU limit add nothing).
    pub cpu_limits: Cpu,
    /// Sum of memory requests.
    pub memory_requests: Memory,
    /// Sum of memory limits.
    pub memory_limits: Memory,
    /// Apps placed here, sorted.
    pub apps: Vec<String>,
    /// Extended resources (GPU slots, devices): how many the node offers and how many are
    /// taken.
    pub resources: BTreeMap<String, (u32, u32)>,
}

/// The pod's CPU request, memory request and memory limit: the app's container and its
/// background jobs' (what the scheduler adds up).
fn pod_sizing(app: &ResolvedApp) -> (Cpu, Memory, Memory) {
    app.app.background_jobs.iter().fold(
        (app.cpu_request, app.memory_request, app.memory_limit),
        |(cpu, mem, limit), job| {
            (
                cpu + job.cpu_request,
                mem + job.memory_request,
                limit + job.memory_limit,
            )
        },
    )
}

impl NodeUsage {
    fn fits(&self, app: &ResolvedApp) -> bool {
        let (cpu, memory, _) = pod_sizing(app);
        self.cpu_requests + cpu <= self.cpu
            && self.memory_requests + memory <= self.memory
            && app.extended_resources.iter().all(|r| {
                self.resources
                    .get(r)
                    .is_some_and(|(offer, taken)| taken < offer)
            })
    }
    fn add(&mut self, app: &ResolvedApp) {
        for r in &app.extended_resources {
            if let Some((_, taken)) = self.resources.get_mut(r) {
                *taken += 1;
            }
        }
        let (cpu, memory, limit) = pod_sizing(app);
        self.cpu_requests = self.cpu_requests + cpu;
        self.cpu_limits = self.cpu_limits + app.cpu_limit.unwrap_or_default();
        self.memory_requests = self.memory_requests + memory;
        self.memory_limits = self.memory_limits + limit;
        self.apps.push(app.app.name.clone());
    }
    /// Free CPU and memory as shares of the node, summed (in thousandths): the
    /// least-allocated score.
    fn free_share(&self) -> u64 {
        let cpu = (self.cpu.millicores()
            - self.cpu_requests.millicores().min(self.cpu.millicores()))
            * 1000
            / self.cpu.millicores().max(1);
        let mem = (self.memory.bytes() - self.memory_requests.bytes().min(self.memory.bytes()))
            * 1000
            / self.memory.bytes().max(1);
        cpu + mem
    }
    /// `part` as a whole percentage of `whole`.
    pub fn percent(part: u64, whole: u64) -> u64 {
        (part * 100).checked_div(whole).unwrap_or(0)
    }
    /// Memory limits as a percentage of the node's memory.
    pub fn memory_limit_percent(&self) -> u64 {
        Self::percent(self.memory_limits.bytes(), self.memory.bytes())
    }
    /// Memory requests as a percentage of the node's memory.
    pub fn memory_request_percent(&self) -> u64 {
        Self::percent(self.memory_requests.bytes(), self.memory.bytes())
    }
    /// CPU requests as a percentage of the node's CPU.
    pub fn cpu_request_percent(&self) -> u64 {
        Self::percent(self.cpu_requests.millicores(), self.cpu.millicores())
    }
    /// CPU limits as a percentage of the node's CPU.
    pub fn cpu_limit_percent(&self) -> u64 {
        Self::percent(self.cpu_limits.millicores(), self.cpu.millicores())
    }
}

/// Where one app lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// App name.
    pub app: String,
    /// The node the model puts it on (`None`: it fits nowhere).
    pub node: Option<String>,
    /// Every node it may run on. The apps that may run on any worker share one list: every
    /// placement is kept to the end of a render (README, "Memory").
    pub feasible: std::sync::Arc<[String]>,
    /// Why it is constrained, when it is (hardware or a pin).
    pub constraint: Option<String>,
}

/// What the failure of one node does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failure {
    /// The failed node.
    pub node: String,
    /// Apps that stop until the node is back (they may run nowhere else), with the reason.
    pub down: Vec<(String, String)>,
    /// Apps that stop because an app they depend on is down.
    pub degraded: Vec<(String, String)>,
    /// Apps that restart elsewhere, and where.
    pub moved: Vec<(String, String)>,
    /// Apps that could run elsewhere but find no room.
    pub stranded: Vec<String>,
    /// ReadWriteOnce claims of moved apps, each delaying its app by ~6 minutes.
    pub rwo_delays: Vec<String>,
}

impl Failure {
    /// Whether the remaining nodes hold every app that could move.
    pub fn survivable(&self) -> bool {
        self.stranded.is_empty()
    }
}

fn workers(cluster: &Cluster) -> impl Iterator<Item = &Node> {
    cluster.nodes.iter().filter(|n| n.role == NodeRole::Worker)
}

/// The names of every worker: the nodes an unconstrained app may run on, shared.
fn worker_names(cluster: &Cluster) -> std::sync::Arc<[String]> {
    workers(cluster).map(|n| n.name.clone()).collect()
}

/// The nodes `app` may run on: its own when it is constrained, else `anywhere` (shared).
fn feasible(anywhere: &std::sync::Arc<[String]>, app: &ResolvedApp) -> std::sync::Arc<[String]> {
    match &app.nodes {
        Some(nodes) => nodes.as_slice().into(),
        None => anywhere.clone(),
    }
}

fn constraint(app: &ResolvedApp) -> Option<String> {
    let a = &app.app;
    let mut why = Vec::new();
    if let Some(v) = a.gpu {
        why.push(format!("{v} GPU"));
    }
    for d in &a.devices {
        why.push(format!("device {d}"));
    }
    if let Some((_, reason)) = a.pin.as_deref() {
        why.push(format!("pinned: {reason}"));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// Places `apps` onto `usage` (fixed apps first, then first-fit decreasing); returns the node
/// chosen for each app, by name (`None` when it fits nowhere).
fn place<'a>(
    cluster: &Cluster,
    apps: &[&'a ResolvedApp],
    usage: &mut [NodeUsage],
    excluded: Option<&str>,
) -> BTreeMap<&'a str, Option<String>> {
    let anywhere = worker_names(cluster);
    let mut order: Vec<&ResolvedApp> = apps.to_vec();
    order.sort_by_cached_key(|a| {
        (
            feasible(&anywhere, a).len() != 1,
            std::cmp::Reverse(a.memory_request),
            std::cmp::Reverse(a.cpu_request),
            a.app.name.clone(),
        )
    });
    let mut out = BTreeMap::new();
    for app in order {
        let allowed = feasible(&anywhere, app);
        // Like kube-scheduler's default (least allocated), the app goes to the feasible node
        // with the largest free share of CPU and memory; ties go to the earlier node.
        let slot = usage
            .iter_mut()
            .filter(|u| {
                Some(u.node.as_str()) != excluded && allowed.contains(&u.node) && u.fits(app)
            })
            .rev()
            .max_by_key(|u| u.free_share());
        let node = slot.map(|u| {
            u.add(app);
            u.node.clone()
        });
        out.insert(app.app.name.as_str(), node);
    }
    out
}

/// The extended resources a node offers: each Intel GPU shared by `sharedDevNum` containers
/// (one container per other GPU), each device once.
fn offered(cluster: &Cluster, node: &Node) -> BTreeMap<String, (u32, u32)> {
    let mut out: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for g in node.gpus() {
        let slots = if g.vendor == crate::cluster::GpuVendor::Intel {
            cluster.device_plugins.gpu_shared_dev_num.max(1)
        } else {
            1
        };
        out.entry(g.driver.resource().to_string()).or_default().0 += slots;
    }
    for d in node.devices() {
        let crate::cluster::DeviceAccess::Plugin { resource } = &d.access;
        out.entry(resource.clone()).or_default().0 += 1;
    }
    out
}

fn empty_usage(cluster: &Cluster) -> Vec<NodeUsage> {
    workers(cluster)
        .map(|n| NodeUsage {
            node: n.name.clone(),
            cpu: n.cpu,
            memory: n.memory,
            resources: offered(cluster, n),
            ..NodeUsage::default()
        })
        .collect()
}

/// Why `app` fits on none of the nodes it may run on: bigger than the largest of them, a
/// device or GPU slot taken (naming the apps holding it), or no room left beside the apps
/// already there.
fn no_fit(
    app: &ResolvedApp,
    allowed: &[String],
    usage: &[NodeUsage],
    apps: &[&ResolvedApp],
    chosen: &BTreeMap<&str, Option<String>>,
) -> ModelError {
    let at = ModelError::at(&app.app.source, &app.app.name, "requests");
    let candidates: Vec<&NodeUsage> = usage.iter().filter(|u| allowed.contains(&u.node)).collect();
    let wanted = format!("{} CPU, {} memory", app.cpu_request, app.memory_request);
    if let Some(largest) = candidates.iter().rev().max_by_key(|u| (u.memory, u.cpu)) {
        let too_big = candidates
            .iter()
            .all(|u| app.cpu_request > u.cpu || app.memory_request > u.memory);
        if too_big {
            return at
                .problem(format!(
                    "requests {wanted}, more than any node it may run on ({}) has; the largest is {} with {} CPU and {}",
                    allowed.join(", "), largest.node, largest.cpu, largest.memory
                ))
                .fix("lower the requests to what the app needs, or add a larger node to the inventory");
        }
    }
    for r in &app.extended_resources {
        let exhausted = candidates.iter().all(|u| {
            u.resources
                .get(r)
                .is_none_or(|(offer, taken)| taken >= offer)
        });
        if exhausted {
            let holders: Vec<String> = apps
                .iter()
                .filter(|other| {
                    other.app.name != app.app.name && other.extended_resources.contains(r)
                })
                .filter_map(|other| {
                    let node = chosen.get(other.app.name.as_str())?.as_deref()?;
                    allowed
                        .iter()
                        .any(|a| a == node)
                        .then(|| format!("`{}` on {node}", other.app.name))
                })
                .collect();
            let offered: u32 = candidates
                .iter()
                .filter_map(|u| u.resources.get(r).map(|(offer, _)| *offer))
                .sum();
            return at
                .problem(format!(
                    "needs one {r}; the nodes it may run on ({}) offer {offered}, all held: by {}",
                    allowed.join(", "),
                    if holders.is_empty() { "nothing portkey places".to_string() } else { holders.join(", ") }
                ))
                .fix("share the device through one app, or add another to the inventory (GPUs: raise `gpu_shared_dev_num`)");
        }
    }
    at.problem(format!(
        "requests ({wanted}) do not fit on any node it may run on ({}) next to the apps already there",
        allowed.join(", ")
    ))
    .fix("lower the requests, move other apps away, or add capacity to the inventory")
}

/// Apps alone in a namespace the inventory doesn't declare: most likely a typo of a
/// declared one (`Namespace::new("medai")`).
fn lone_namespaces(catalogue: &Catalogue<'_>) -> Vec<String> {
    let declared = &catalogue.cluster.namespaces;
    if declared.is_empty() {
        return Vec::new();
    }
    let mut users: BTreeMap<&str, Vec<&ResolvedApp>> = BTreeMap::new();
    for a in &catalogue.apps {
        users.entry(a.app.namespace.name()).or_default().push(a);
    }
    let known: Vec<&str> = declared.iter().map(|n| n.name()).collect();
    users
        .into_iter()
        .filter(|(ns, apps)| apps.len() == 1 && !known.contains(ns))
        .map(|(ns, apps)| {
            let app = apps[0];
            format!(
                "{} (`{}`), namespace: `{ns}` is used by this app alone and no inventory constant declares it \
                 (declared: {}); use one of those, or declare it in {} if it is meant",
                app.app.name,
                app.app.source,
                known.join(", "),
                catalogue.cluster.source
            )
        })
        .collect()
}

/// Analyses the catalogue: placement, utilisation, warnings and errors, failure impact.
pub fn plan(catalogue: &Catalogue<'_>) -> Plan {
    let cluster = catalogue.cluster;
    let apps: Vec<&ResolvedApp> = catalogue.apps.iter().collect();
    let mut usage = empty_usage(cluster);
    let chosen = place(cluster, &apps, &mut usage, None);
    for u in &mut usage {
        u.apps.sort();
    }
    let mut errors = Vec::new();
    let mut placements = Vec::new();
    let anywhere = worker_names(cluster);
    for app in &apps {
        let node = chosen[app.app.name.as_str()].clone();
        let allowed = feasible(&anywhere, app);
        if node.is_none() {
            errors.push(no_fit(app, &allowed, &usage, &apps, &chosen));
        }
        placements.push(Placement {
            app: app.app.name.clone(),
            node,
            feasible: allowed,
            constraint: constraint(app),
        });
    }
    placements.sort_by(|a, b| a.app.cmp(&b.app));
    let threshold = cluster.capacity.memory_limit_warn_percent;
    let mut warnings: Vec<String> = usage
        .iter()
        .filter(|u| u.memory_limit_percent() >= threshold)
        .map(|u| {
            format!(
                "{}: memory limits are {}% of the node's memory ({} of {}); at ≥ {threshold}% the node risks OOM kills",
                u.node,
                u.memory_limit_percent(),
                u.memory_limits,
                u.memory
            )
        })
        .collect();
    warnings.extend(crate::backup::empty_restore::warnings(catalogue));
    warnings.extend(crate::backup::empty_restore::macro_warnings(catalogue));
    warnings.extend(lone_namespaces(catalogue));
    warnings.extend(crate::network::warnings(catalogue));
    let failures = workers(cluster)
        .map(|n| failure(catalogue, &apps, &chosen, &n.name))
        .collect();
    Plan {
        nodes: usage,
        placements,
        failures,
        warnings,
        errors,
    }
}

fn failure(
    catalogue: &Catalogue<'_>,
    apps: &[&ResolvedApp],
    chosen: &BTreeMap<&str, Option<String>>,
    node: &str,
) -> Failure {
    let cluster = catalogue.cluster;
    let on_node = |a: &&&ResolvedApp| chosen[a.app.name.as_str()].as_deref() == Some(node);
    let mut f = Failure {
        node: node.into(),
        ..Failure::default()
    };
    let mut movers = Vec::new();
    let anywhere = worker_names(cluster);
    for app in apps.iter().filter(on_node) {
        let elsewhere = feasible(&anywhere, app).iter().any(|n| n != node);
        if elsewhere {
            movers.push(*app);
        } else {
            f.down.push((
                app.app.name.clone(),
                constraint(app).unwrap_or_else(|| "only node it may run on".into()),
            ));
        }
    }
    // The survivors keep their apps; the movers are placed into what is left.
    let mut usage = empty_usage(cluster);
    let stay: Vec<&ResolvedApp> = apps.iter().filter(|a| !on_node(a)).copied().collect();
    for app in &stay {
        if let Some(n) = chosen[app.app.name.as_str()].as_deref()
            && let Some(u) = usage.iter_mut().find(|u| u.node == n)
        {
            u.add(app);
        }
    }
    let moved = place(cluster, &movers, &mut usage, Some(node));
    for app in &movers {
        match &moved[app.app.name.as_str()] {
            Some(to) => {
                f.moved.push((app.app.name.clone(), to.clone()));
                f.rwo_delays.extend(
                    app.claims
                        .iter()
                        .filter(|c| c.access == AccessMode::ReadWriteOnce)
                        .map(|c| c.name.clone()),
                );
            }
            None => f.stranded.push(app.app.name.clone()),
        }
    }
    let down: Vec<&str> = f
        .down
        .iter()
        .map(|(a, _)| a.as_str())
        .chain(f.stranded.iter().map(String::as_str))
        .collect();
    for app in apps {
        if down.contains(&app.app.name.as_str()) {
            continue;
        }
        if let Some(dep) = app
            .app
            .dependencies
            .iter()
            .find(|d| down.contains(&d.app.as_str()))
        {
            f.degraded
                .push((app.app.name.clone(), format!("depends on {}", dep.app)));
        }
    }
    f.down.sort();
    f.degraded.sort();
    f.moved.sort();
    f.stranded.sort();
    f.rwo_delays.sort();
    f
}
