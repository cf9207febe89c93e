//! Resolution: checks every app against the inventory and the rest of the catalogue, and
//! works out what compilation needs (placement, resources with defaults, claims, backups).
//!
//! All problems are collected; resolution fails with every one of them, never just the first.
//!
//! Each concern is checked in its own module: the inventory itself (`inventory`), chart
//! releases (`charts`), names and namespaces (`identity`), the image (`images`), the
//! container (`workload`: ports, environment, probes, exceptions, exposure, resources),
//! volumes (`volumes`; their backups in [`crate::backup::resolved`]), placement
//! (`placement`), LAN addresses (`network`), the dependency graph (`graph`), the
//! connections between apps (`connections`) and the metrics they serve (`metrics`). This module holds the resolved types
//! and runs the checks in order.

mod charts;
mod connections;
mod graph;
mod identity;
mod images;
mod inventory;
mod metrics;
mod network;
mod placement;
mod secret_store;
mod volumes;
mod workload;

use std::collections::BTreeMap;

pub use connections::ResolvedConnection;
pub use identity::{RESERVED_NAMES, RESERVED_NAMESPACES};
pub use images::ImageRef;
pub use metrics::ResolvedMetrics;
pub(crate) use network::has_lan_service;

use crate::app::App;
use crate::backup::{Backup, ResolvedBackup};
use crate::cluster::{AccessMode, Cluster, Reclaim};
use crate::error::{ModelErrors, Problems};
use crate::quantity::{Cpu, Memory};

/// The checked catalogue, ready to compile.
#[derive(Clone, Debug)]
pub struct Catalogue<'c> {
    /// The inventory the apps were resolved against.
    pub cluster: &'c Cluster,
    /// Apps sorted by namespace, then name. The index of who connects to whom is built
    /// from them ([`Catalogue::new`]): a changed list wants a new catalogue.
    pub apps: Vec<ResolvedApp>,
    /// Chart releases, sorted by name.
    pub charts: Vec<crate::chart::Chart>,
    /// Every connection, as `(client, connection)` indices into `apps` and its
    /// connections, sorted by the name of the app connected to and, among equals, in
    /// catalogue order: [`Catalogue::clients_of`] without a scan of every app per app.
    clients: Vec<(u32, u32)>,
}

/// An app with everything compilation needs worked out.
#[derive(Clone, Debug)]
pub struct ResolvedApp {
    /// The app as declared.
    pub app: App,
    /// Nodes the app may run on, in inventory order, when it is constrained; `None` when it
    /// may run anywhere.
    pub nodes: Option<Vec<String>>,
    /// Extended resources the container requests one of (GPU, devices), sorted.
    pub extended_resources: Vec<String>,
    /// UID that owns the app's data: the pod runs as it unless the app declares the
    /// run-as-root exception; backup movers always do.
    pub uid: i64,
    /// GID and fsGroup.
    pub gid: i64,
    /// Whether the image starts as root (declared exception): the pod then sets no user.
    pub runs_as_root: bool,
    /// Supplemental groups, sorted and unique.
    pub supplemental_groups: Vec<i64>,
    /// CPU request.
    pub cpu_request: Cpu,
    /// CPU limit.
    pub cpu_limit: Option<Cpu>,
    /// Memory request.
    pub memory_request: Memory,
    /// Memory limit.
    pub memory_limit: Memory,
    /// The app's claims.
    pub claims: Vec<ResolvedClaim>,
    /// The connections it opens to other apps (implied by dependencies, or declared),
    /// sorted.
    pub connections: Vec<ResolvedConnection>,
    /// The Prometheus metrics it serves, when it does.
    pub metrics: Option<ResolvedMetrics>,
}

impl ResolvedApp {
    /// Whether any claim is ReadWriteOnce (Deployments then use the Recreate strategy).
    pub fn has_rwo_claim(&self) -> bool {
        self.claims
            .iter()
            .any(|c| c.access == AccessMode::ReadWriteOnce)
    }
}

/// A claim with its storage class and backup worked out.
#[derive(Clone, Debug)]
pub struct ResolvedClaim {
    /// The volume name in the pod.
    pub volume: String,
    /// PersistentVolumeClaim name (`<app>-<volume>`).
    pub name: String,
    /// Requested size.
    pub size: Memory,
    /// StorageClass name.
    pub storage_class: String,
    /// The class's reclaim policy.
    pub reclaim: Reclaim,
    /// Access mode.
    pub access: AccessMode,
    /// How the claim is backed up and restored; `None` when it is exempt. Boxed: most
    /// claims have none, and a claim is 96 bytes instead of 416 (the catalogue's claims are
    /// held to the end of a render).
    pub backup: Option<Box<ResolvedBackup>>,
}

impl ResolvedClaim {
    /// The backup policy, if backed up.
    pub fn backup_policy(&self) -> Option<&Backup> {
        self.backup.as_deref().map(|b| &b.policy)
    }
}

impl ResolvedApp {
    /// The app's backed-up claims with their backups, in claim order.
    pub fn backups(&self) -> impl Iterator<Item = (&ResolvedClaim, &ResolvedBackup)> {
        self.claims
            .iter()
            .filter_map(|c| c.backup.as_deref().map(|b| (c, b)))
    }
}

impl<'c> Catalogue<'c> {
    /// The catalogue of `apps` (sorted by namespace, then name) and `charts` (by name).
    pub fn new(
        cluster: &'c Cluster,
        apps: Vec<ResolvedApp>,
        charts: Vec<crate::chart::Chart>,
    ) -> Self {
        let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        let mut clients: Vec<(u32, u32)> = apps
            .iter()
            .enumerate()
            .flat_map(|(a, app)| (0..app.connections.len()).map(move |c| (index(a), index(c))))
            .collect();
        // Stable: catalogue order among the connections to one app.
        clients.sort_by(|x, y| connection(&apps, *x).app.cmp(&connection(&apps, *y).app));
        Catalogue {
            cluster,
            apps,
            charts,
            clients,
        }
    }

    /// The same catalogue in fresh allocations, each list exactly its length (`clone`),
    /// the original dropped.
    ///
    /// The apps as declared were built by builders whose lists grew by doubling, among
    /// the caller's own temporaries, and resolution allocated each app's claims, backups
    /// and connections among its checks' temporaries: what is left spreads over many
    /// allocator pages that are each partly free, and stays resident for the whole render.
    /// The copy fills pages one after another, and the originals' pages go back whole.
    /// At N = 20,000 a render's peak resident set is about 18 MB lower for about 0.1 s of
    /// copying, at N = 2,000 about 1.5 MB for 10 ms (README, "Memory"). Copying in parallel
    /// parts was no faster: the copy is bound by allocation and first touches of memory.
    #[must_use]
    pub fn compacted(self) -> Self {
        let copy = self.clone();
        drop(self);
        copy
    }

    /// The apps that connect to the app named `name`, each with its connection, in
    /// catalogue order (an app connecting twice appears twice, in its own order).
    pub fn clients_of<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a ResolvedApp, &'a ResolvedConnection)> + 'a {
        let start = self
            .clients
            .partition_point(|x| connection(&self.apps, *x).app.as_str() < name);
        self.clients[start..]
            .iter()
            .map(|x| (&self.apps[x.0 as usize], connection(&self.apps, *x)))
            .take_while(move |(_, c)| c.app == name)
    }
}

/// The connection at `(client, connection)` indices.
fn connection(apps: &[ResolvedApp], (a, c): (u32, u32)) -> &ResolvedConnection {
    &apps[a as usize].connections[c as usize]
}

impl Catalogue<'_> {
    /// Every backed-up claim of the catalogue with its app and backup, in app order.
    pub fn backups(&self) -> impl Iterator<Item = (&ResolvedApp, &ResolvedClaim, &ResolvedBackup)> {
        self.apps
            .iter()
            .flat_map(|a| a.backups().map(move |(c, b)| (a, c, b)))
    }
}

/// Checks every app against `cluster` and the other apps, and resolves them (no chart
/// releases: the infrastructure is assumed present).
///
/// Returns every problem found, each naming app, field and fix.
pub fn resolve(cluster: &Cluster, apps: Vec<App>) -> Result<Catalogue<'_>, ModelErrors> {
    resolve_all(cluster, apps, Vec::new())
}

/// Resolves apps and chart releases together: names are unique across both. (Sync waves
/// follow later, from what compilation emits: see the `components` module.)
pub fn resolve_all(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<crate::chart::Chart>,
) -> Result<Catalogue<'_>, ModelErrors> {
    let (catalogue, errors) = resolve_partial(cluster, apps, charts);
    if errors.0.is_empty() {
        Ok(catalogue)
    } else {
        Err(errors)
    }
}

/// Resolves what can be resolved, and returns it with every problem found: the catalogue
/// holds the apps that passed their checks and whose dependencies (transitively) passed
/// theirs, and every chart release. The pipeline compiles and lints that much even when
/// there are problems, so that one run reports the model's, the placement's and the lints'
/// problems together; it writes nothing unless there are none.
pub fn resolve_partial(
    cluster: &Cluster,
    apps: Vec<App>,
    mut charts: Vec<crate::chart::Chart>,
) -> (Catalogue<'_>, ModelErrors) {
    let mut errors = inventory::check_cluster(cluster);
    errors.extend(charts::check_charts(&charts, &apps));
    errors.extend(network::check(cluster, &apps, &charts));
    errors.extend(secret_store::check(cluster, &apps, &charts));
    let peers = graph::peers(&apps, &mut errors);
    let monitoring = charts.iter().any(|c| c.prometheus.is_some());
    let mut resolved = Vec::with_capacity(apps.len());
    for mut app in apps {
        let mut p = Problems::new(&app.source, &app.name, &mut errors);
        if let Some(parts) = resolve_app(cluster, &app, &peers, monitoring, &mut p) {
            app.shrink_to_fit();
            resolved.push(parts.finish(app));
        }
    }
    errors.extend(graph::dependency_cycles(&peers));
    errors.extend(identity::namespace_collisions(&resolved));
    errors.extend(identity::duplicate_hosts(&resolved));
    if !errors.is_empty() {
        // Leave out the apps that a check across apps found at fault (their objects would
        // report the same mistake again), then keep only apps whose dependencies all
        // resolved, so nothing downstream meets a reference to an app that isn't there.
        let at_fault: std::collections::BTreeSet<(&str, &str)> = errors
            .iter()
            .map(|e| (e.file.as_str(), e.app.as_str()))
            .collect();
        resolved.retain(|a| !at_fault.contains(&(a.app.source.as_str(), a.app.name.as_str())));
        loop {
            let names: std::collections::BTreeSet<String> =
                resolved.iter().map(|a| a.app.name.clone()).collect();
            let before = resolved.len();
            resolved.retain(|a| a.app.dependencies.iter().all(|d| names.contains(&d.app)));
            if resolved.len() == before {
                break;
            }
        }
    }
    resolved.sort_by(|a, b| {
        (a.app.namespace.name(), &a.app.name).cmp(&(b.app.namespace.name(), &b.app.name))
    });
    charts.sort_by(|a, b| a.name.cmp(&b.name));
    (
        Catalogue::new(cluster, resolved, charts),
        ModelErrors(errors),
    )
}

/// Everything resolution works out for one app, before the app is moved in.
struct Parts {
    nodes: Option<Vec<String>>,
    extended_resources: Vec<String>,
    run_as: workload::RunAs,
    sizing: workload::Sizing,
    claims: Vec<ResolvedClaim>,
    connections: Vec<ResolvedConnection>,
    metrics: Option<ResolvedMetrics>,
}

impl Parts {
    fn finish(self, app: App) -> ResolvedApp {
        ResolvedApp {
            cpu_limit: app.resources.cpu_limit,
            app,
            nodes: self.nodes,
            extended_resources: self.extended_resources,
            uid: self.run_as.uid,
            gid: self.run_as.gid,
            runs_as_root: self.run_as.runs_as_root,
            supplemental_groups: self.run_as.supplemental_groups,
            cpu_request: self.sizing.cpu_request,
            memory_request: self.sizing.memory_request,
            memory_limit: self.sizing.memory_limit,
            claims: self.claims,
            connections: self.connections,
            metrics: self.metrics,
        }
    }
}

/// Checks one app, concern by concern, and works out its parts; `None` when any check
/// failed (every problem is in `p`). `monitoring`: a chart release runs Prometheus.
fn resolve_app(
    cluster: &Cluster,
    app: &App,
    peers: &BTreeMap<String, graph::Peer>,
    monitoring: bool,
    p: &mut Problems<'_>,
) -> Option<Parts> {
    let before = p.count();
    identity::check_names(app, p);
    identity::check_annotations(app, p);
    images::check(app, p);
    workload::check_container(app, peers, p);
    let claims = volumes::check_volumes(cluster, app, p);
    volumes::check_config_files(app, p);
    volumes::check_secret_files(app, p);
    workload::check_background_jobs(app, p);
    let (nodes, extended_resources, gpu_groups) = placement::place(cluster, app, p);
    workload::check_https(app, p);
    graph::check_dependencies(app, peers, p);
    let connections = connections::connections(app, peers, p);
    let metrics = metrics::resolve(app, monitoring, p);
    volumes::check_critical(app, &claims, p);
    workload::check_identity(cluster, app, p);
    let run_as = workload::run_as(cluster, app, gpu_groups);
    let sizing = workload::sizing(cluster, app, p);
    if p.count() != before {
        return None;
    }
    Some(Parts {
        nodes,
        extended_resources,
        run_as,
        sizing,
        claims,
        connections,
        metrics,
    })
}
