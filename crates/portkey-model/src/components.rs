//! The deployable components of the cluster — every app, every chart release, and the
//! cluster-wide parts portkey generates — with what each needs and provides, and the Argo CD
//! sync wave that follows from it.
//!
//! Waves are derived, never numbered by hand: a component's wave is one more than the
//! highest wave among the components it needs (providers of the CRDs, storage classes,
//! namespaces and device resources it uses, and the apps or releases it declares it comes
//! after). A cycle is an error naming the cycle.
//!
//! This module holds only what the model declares ([`components`]) and the pure graph
//! ([`waves`]). Which CRDs a component's objects need, and which CRDs it defines, are facts
//! of the objects compilation emits: the compile crate adds them to each component's
//! `needs` and `provides` before it calls [`waves`].

use std::collections::{BTreeMap, BTreeSet};

use crate::SortedSet;
use crate::chart::{Capability, Chart};
use crate::cluster::{Cluster, GpuVendor};
use crate::error::ModelError;
use crate::resolve::{Catalogue, ResolvedApp};

/// The cluster-wide parts portkey generates, each its own Argo CD Application so that each
/// waits only for what it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClusterPart {
    /// Namespaces of the apps, with Pod Security labels.
    Namespaces,
    /// Storage classes, the snapshot class, the volume populator CRD.
    Storage,
    /// Device plugins (Intel GPU, USB devices).
    Devices,
    /// Alerting rules.
    Alerts,
    /// cert-manager ClusterIssuers.
    Issuers,
    /// The load balancer's address pool and its advertisement (MetalLB).
    Network,
    /// The certificate chain of the secret store's SDK server (Bitwarden): synced after
    /// cert-manager and before the external-secrets release, whose SDK server mounts the
    /// Secret it writes. Only with a Bitwarden store in the inventory.
    StoreTls,
    /// The secret store (a `ClusterSecretStore`) and an `ExternalSecret` for each Secret
    /// kept outside Git: only with a store in the inventory.
    Secrets,
}

impl ClusterPart {
    /// Every part, in output order.
    pub const ALL: [ClusterPart; 8] = [
        ClusterPart::Namespaces,
        ClusterPart::Storage,
        ClusterPart::Devices,
        ClusterPart::Alerts,
        ClusterPart::Issuers,
        ClusterPart::Network,
        ClusterPart::StoreTls,
        ClusterPart::Secrets,
    ];
    /// Short name (`storage`): the directory under `generated/cluster/` and, prefixed with
    /// `cluster-`, the Application name.
    pub const fn key(self) -> &'static str {
        match self {
            ClusterPart::Namespaces => "namespaces",
            ClusterPart::Storage => "storage",
            ClusterPart::Devices => "devices",
            ClusterPart::Alerts => "alerts",
            ClusterPart::Issuers => "issuers",
            ClusterPart::Network => "network",
            ClusterPart::StoreTls => "store-tls",
            ClusterPart::Secrets => "secrets",
        }
    }
    /// The Application name (`cluster-storage`).
    pub fn app_name(self) -> String {
        format!("cluster-{}", self.key())
    }
}

/// What a component is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    /// An app of `apps/`.
    App,
    /// A chart release.
    Chart,
    /// A cluster-wide part.
    Cluster(ClusterPart),
}

/// A component with its dependencies and wave.
#[derive(Clone, Debug)]
pub struct Component {
    /// Application name.
    pub name: String,
    /// What it is.
    pub kind: ComponentKind,
    /// The file that declared it.
    pub source: String,
    /// What it needs.
    pub needs: SortedSet<Capability>,
    /// Components it comes after, by name.
    pub after: SortedSet<String>,
    /// What it provides.
    pub provides: SortedSet<Capability>,
    /// Components it depends on (resolved from needs and after), sorted.
    pub depends_on: Vec<String>,
    /// Argo CD sync wave.
    pub wave: i32,
    /// For chart releases: whether this release creates its namespace (and sets its Pod
    /// Security labels). One release per namespace does, the earliest; the others in that
    /// namespace come after it. System namespaces are never created or labelled.
    pub owns_namespace: bool,
}

/// Namespaces that exist in every cluster and that no release creates or labels.
pub const SYSTEM_NAMESPACES: [&str; 3] = ["kube-system", "kube-public", "default"];

/// Which cluster parts the catalogue needs, with their declared needs and provisions.
pub fn cluster_parts(cluster: &Cluster, apps: &[ResolvedApp]) -> Vec<Component> {
    let backups = apps
        .iter()
        .any(|a| a.claims.iter().any(|c| c.backup_policy().is_some()));
    let https = apps.iter().any(|a| a.app.https.is_some());
    // The GPU resources portkey's device plugins advertise: Intel's operator-managed
    // `GpuDevicePlugin` and ROCm's AMD plugin DaemonSet (see portkey-compile's devices).
    let gpus: BTreeSet<Capability> = cluster
        .nodes
        .iter()
        .flat_map(crate::cluster::Node::gpus)
        .filter(|g| has_device_plugin(g.vendor))
        .map(|g| Capability::Resource(g.driver.resource().into()))
        .collect();
    let devices: BTreeSet<Capability> = cluster
        .nodes
        .iter()
        .flat_map(crate::cluster::Node::devices)
        .map(|d| {
            let crate::cluster::DeviceAccess::Plugin { resource } = &d.access;
            Capability::Resource(resource.clone())
        })
        .collect();
    let part = |p: ClusterPart, needs: Vec<Capability>, provides: Vec<Capability>| Component {
        name: p.app_name(),
        kind: ComponentKind::Cluster(p),
        source: cluster.source.clone(),
        needs: needs.into_iter().collect(),
        after: SortedSet::new(),
        provides: provides.into_iter().collect(),
        depends_on: Vec::new(),
        wave: 0,
        owns_namespace: false,
    };
    let mut out = vec![part(
        ClusterPart::Namespaces,
        Vec::new(),
        apps.iter()
            .map(|a| Capability::Namespace(a.app.namespace.name().into()))
            .chain(
                release_namespaces(cluster)
                    .into_iter()
                    .map(|ns| Capability::Namespace(ns.into())),
            )
            .collect(),
    )];
    let storage_provides: Vec<Capability> = cluster
        .storage_classes
        .iter()
        .filter(|c| c.managed)
        .map(|c| Capability::StorageClass(c.name.clone()))
        .collect();
    let storage_needs: Vec<Capability> = cluster
        .storage_classes
        .iter()
        .filter(|c| c.managed)
        .map(|c| Capability::Provisioner(c.provisioner.clone()))
        .collect();
    if backups
        || storage_provides
            .iter()
            .any(|c| matches!(c, Capability::StorageClass(_)))
    {
        out.push(part(ClusterPart::Storage, storage_needs, storage_provides));
    }
    if !gpus.is_empty() || !devices.is_empty() {
        let provides: Vec<Capability> = devices.into_iter().chain(gpus).collect();
        out.push(part(ClusterPart::Devices, Vec::new(), provides));
    }
    if backups {
        out.push(part(ClusterPart::Alerts, Vec::new(), Vec::new()));
    }
    if https {
        out.push(part(ClusterPart::Issuers, Vec::new(), Vec::new()));
    }
    // The pool's custom resources need MetalLB's CRDs, a fact of the emitted objects.
    if cluster.load_balancer.is_some() {
        out.push(part(
            ClusterPart::Network,
            Vec::new(),
            vec![Capability::LoadBalancer],
        ));
    }
    // The SDK server's certificate chain goes into its namespace, which cluster-namespaces
    // creates; its CRDs (cert-manager's) are a fact of the emitted objects.
    if let Some(ns) = sdk_server_namespace(cluster) {
        out.push(part(
            ClusterPart::StoreTls,
            vec![Capability::Namespace(ns.into())],
            Vec::new(),
        ));
    }
    // The ExternalSecrets go into the apps' namespaces (and the charts', which their
    // releases create); their CRDs are a fact of the emitted objects.
    if cluster.backup.secret_store.is_some() {
        out.push(part(
            ClusterPart::Secrets,
            apps.iter()
                .map(|a| Capability::Namespace(a.app.namespace.name().into()))
                .collect(),
            Vec::new(),
        ));
    }
    out
}

/// The namespace of the secret store's SDK server (Bitwarden), where its certificate chain
/// is written; none without such a store.
pub fn sdk_server_namespace(cluster: &Cluster) -> Option<&str> {
    let store = cluster.backup.secret_store.as_ref()?;
    match &store.provider {
        crate::secret_store::SecretProvider::BitwardenSecretsManager(b) => {
            Some(b.sdk_server_ca.namespace.as_str())
        }
    }
}

/// Chart releases' namespaces that `cluster-namespaces` creates instead of the releases,
/// because something must be in them before the release syncs: the SDK server's, whose
/// certificate chain (`cluster-store-tls`) the external-secrets release's SDK server
/// mounts. The releases in them come after `cluster-namespaces` and create nothing.
pub fn release_namespaces(cluster: &Cluster) -> Vec<&str> {
    sdk_server_namespace(cluster).into_iter().collect()
}

/// Whether portkey emits a device plugin for this vendor's GPUs (Intel and AMD; NVIDIA's
/// needs its own chart release).
pub const fn has_device_plugin(vendor: GpuVendor) -> bool {
    matches!(vendor, GpuVendor::Intel | GpuVendor::Amd)
}

fn app_component(app: &ResolvedApp) -> Component {
    let a = &app.app;
    let mut needs: SortedSet<Capability> = SortedSet::new();
    needs.insert(Capability::Namespace(a.namespace.name().into()));
    for c in &app.claims {
        needs.insert(Capability::StorageClass(c.storage_class.clone()));
    }
    for r in &app.extended_resources {
        needs.insert(Capability::Resource(r.clone()));
    }
    if crate::resolve::has_lan_service(a) {
        needs.insert(Capability::LoadBalancer);
    }
    Component {
        name: a.name.clone(),
        kind: ComponentKind::App,
        source: a.source.clone(),
        needs,
        after: a.dependencies.iter().map(|d| d.app.clone()).collect(),
        provides: SortedSet::new(),
        depends_on: Vec::new(),
        wave: 0,
        owns_namespace: false,
    }
}

fn chart_component(chart: &Chart) -> Component {
    // A chart's namespace is created by its own Application (CreateNamespace), so it
    // neither needs nor provides one (except those of [`release_namespaces`]).
    let needs: SortedSet<Capability> = chart.needs.iter().cloned().collect();
    Component {
        name: chart.name.clone(),
        kind: ComponentKind::Chart,
        source: chart.source.clone(),
        needs,
        after: chart.after.iter().cloned().collect(),
        provides: chart.provides.iter().cloned().collect(),
        depends_on: Vec::new(),
        wave: 0,
        owns_namespace: false,
    }
}

/// Every component with what the model declares it needs and provides, in output order:
/// chart releases, cluster parts, apps. No dependencies or waves yet: see [`waves`].
pub fn components(catalogue: &Catalogue<'_>) -> Vec<Component> {
    let mut all: Vec<Component> = catalogue.charts.iter().map(chart_component).collect();
    all.extend(cluster_parts(catalogue.cluster, &catalogue.apps));
    all.extend(catalogue.apps.iter().map(app_component));
    // A release whose namespace cluster-namespaces creates needs it; the external-secrets
    // release comes after its SDK server's certificate chain, which its pod mounts.
    let created = release_namespaces(catalogue.cluster);
    let operator = Capability::Crds(crate::secret_store::EXTERNAL_SECRETS_GROUP.into());
    for (c, chart) in all.iter_mut().zip(&catalogue.charts) {
        if created.contains(&chart.namespace.as_str()) {
            c.needs
                .insert(Capability::Namespace(chart.namespace.clone()));
            if chart.provides.contains(&operator) {
                c.after.insert(ClusterPart::StoreTls.app_name());
            }
        }
    }
    // With a store, an app whose Secrets the store provides syncs after them.
    if catalogue.cluster.backup.secret_store.is_some() {
        let users = crate::secrets::outside_git_users(catalogue);
        for c in &mut all {
            if c.kind == ComponentKind::App && users.contains(&c.name) {
                c.after.insert(ClusterPart::Secrets.app_name());
            }
        }
    }
    all
}

/// Resolves each component's needs to the components that provide them, and computes the
/// waves.
///
/// With chart releases (the catalogue declares its infrastructure), a needed CRD group that
/// nothing provides is an error: its custom resources would fail to apply.
pub fn waves(mut all: Vec<Component>, charts: &[Chart]) -> Result<Vec<Component>, Vec<ModelError>> {
    let strict = !charts.is_empty();
    let mut errors = Vec::new();
    let mut providers: BTreeMap<&Capability, Vec<&str>> = BTreeMap::new();
    for c in &all {
        for cap in &c.provides {
            providers.entry(cap).or_default().push(&c.name);
        }
    }
    let names: BTreeSet<&str> = all.iter().map(|c| c.name.as_str()).collect();
    let mut deps: Vec<Vec<String>> = Vec::with_capacity(all.len());
    for c in &all {
        let mut d: BTreeSet<String> = BTreeSet::new();
        for cap in &c.needs {
            match providers.get(cap) {
                Some(p) => d.extend(p.iter().filter(|p| **p != c.name).map(|p| (*p).to_string())),
                None if strict && matches!(cap, Capability::Crds(_)) => errors.push(
                    ModelError::at(&c.source, &c.name, "needs")
                        .problem(format!("needs the {cap}, which no chart release provides"))
                        .fix("add the chart that installs them under apps/ (with `.provides_crds(..)`)"),
                ),
                None if strict && matches!(cap, Capability::Resource(_)) => errors.push(
                    ModelError::at(&c.source, &c.name, "needs")
                        .problem(format!(
                            "needs the {cap}, which no device plugin advertises: its pods would stay Pending"
                        ))
                        .fix("portkey emits the Intel and AMD GPU plugins and the USB-device plugin from the inventory's hardware; for another vendor, add a chart release of its device plugin"),
                ),
                None if strict && *cap == Capability::LoadBalancer => errors.push(
                    ModelError::at(&c.source, &c.name, "needs")
                        .problem(format!(
                            "publishes a Service of type LoadBalancer and needs {cap}, which nothing provides: \
                             the Service would stay `<pending>` and Argo CD would keep it Progressing"
                        ))
                        .fix("declare `load_balancer` in cluster.rs (MetalLB L2 with an address pool) and add the \
                              metallb chart release under apps/infra/, or publish the Service as a NodePort"),
                ),
                None => {}
            }
        }
        for a in &c.after {
            if names.contains(a.as_str()) {
                d.insert(a.clone());
            } else {
                errors.push(
                    ModelError::at(&c.source, &c.name, "after")
                        .problem(format!(
                            "comes after `{a}`, which is neither an app nor a chart release"
                        ))
                        .fix("name an existing app or release"),
                );
            }
        }
        deps.push(d.into_iter().collect());
    }
    for (c, d) in all.iter_mut().zip(deps) {
        c.depends_on = d;
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    assign_waves(&mut all)?;
    share_namespaces(&mut all, charts)?;
    Ok(all)
}

/// Several releases may install into one namespace (rook-ceph): the earliest (wave, then
/// name) creates and labels it, the others come after it, so no two Applications manage one
/// namespace's metadata (Argo CD's shared-resource conflict).
fn share_namespaces(all: &mut [Component], charts: &[Chart]) -> Result<(), Vec<ModelError>> {
    let namespace_of: BTreeMap<&str, &str> = charts
        .iter()
        .map(|c| (c.name.as_str(), c.namespace.as_str()))
        .collect();
    // Namespaces cluster-namespaces creates (`release_namespaces`) have no owning release.
    let created: BTreeSet<Capability> = all
        .iter()
        .filter(|c| c.kind == ComponentKind::Cluster(ClusterPart::Namespaces))
        .flat_map(|c| c.provides.iter().cloned())
        .collect();
    let mut owner: BTreeMap<&str, (i32, String)> = BTreeMap::new();
    for c in all.iter().filter(|c| c.kind == ComponentKind::Chart) {
        let ns = namespace_of[c.name.as_str()];
        if SYSTEM_NAMESPACES.contains(&ns) || created.contains(&Capability::Namespace(ns.into())) {
            continue;
        }
        let candidate = (c.wave, c.name.clone());
        owner
            .entry(ns)
            .and_modify(|o| {
                if candidate < *o {
                    *o = candidate.clone();
                }
            })
            .or_insert(candidate);
    }
    let mut added = false;
    for c in all.iter_mut().filter(|c| c.kind == ComponentKind::Chart) {
        let Some((_, first)) = owner.get(namespace_of[c.name.as_str()]) else {
            continue;
        };
        if *first == c.name {
            c.owns_namespace = true;
        } else if !c.depends_on.contains(first) {
            c.depends_on.push(first.clone());
            c.depends_on.sort();
            added = true;
        }
    }
    if added {
        assign_waves(all)?;
    }
    Ok(())
}

/// Depth-first longest path from `i`; returns the cycle (as indices) when there is one.
fn visit(
    i: usize,
    all: &[Component],
    index: &BTreeMap<String, usize>,
    wave: &mut [Option<i32>],
    on_stack: &mut [bool],
    stack: &mut Vec<usize>,
) -> Result<i32, Vec<usize>> {
    if let Some(w) = wave[i] {
        return Ok(w);
    }
    if on_stack[i] {
        let start = stack.iter().position(|s| *s == i).unwrap_or(0);
        let mut cycle = stack[start..].to_vec();
        cycle.push(i);
        return Err(cycle);
    }
    on_stack[i] = true;
    stack.push(i);
    let mut w = 0;
    for d in &all[i].depends_on {
        let j = index[d];
        w = w.max(visit(j, all, index, wave, on_stack, stack)? + 1);
    }
    stack.pop();
    on_stack[i] = false;
    wave[i] = Some(w);
    Ok(w)
}

/// Longest-path layering; reports a cycle with every component on it.
fn assign_waves(all: &mut [Component]) -> Result<(), Vec<ModelError>> {
    let index: BTreeMap<String, usize> = all
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    let mut wave: Vec<Option<i32>> = vec![None; all.len()];
    let mut on_stack = vec![false; all.len()];
    for i in 0..all.len() {
        if let Err(cycle) = visit(i, all, &index, &mut wave, &mut on_stack, &mut Vec::new()) {
            let names: Vec<&str> = cycle.iter().map(|i| all[*i].name.as_str()).collect();
            let first = &all[cycle[0]];
            return Err(vec![
                ModelError::at(&first.source, &first.name, "dependencies")
                    .problem(format!("sync-wave cycle: {}", names.join(" → ")))
                    .fix("break the cycle: remove an `after`/`depends_on`, or a capability one of them needs"),
            ]);
        }
    }
    for (c, w) in all.iter_mut().zip(wave) {
        c.wave = w.unwrap_or(0);
    }
    Ok(())
}
