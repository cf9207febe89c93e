//! Resolution: checks every app against the inventory and the rest of the catalogue, and
//! works out what compilation needs (placement, resources with defaults, claims, backups).
//!
//! All problems are collected; resolution fails with every one of them, never just the first.

use std::collections::{BTreeMap, BTreeSet};

use crate::app::{App, BackupChoice, Claim, EnvValue, Exception, ProbeCheck, VolumeSource};
use crate::backup::resolved::{Declared, Owner};
use crate::backup::{Backup, ResolvedBackup};
use crate::cluster::{AccessMode, Cluster, GpuDriver, Node, Reclaim, StorageClass};
use crate::error::{ModelError, ModelErrors, Problems};
use crate::names;
use crate::quantity::{Cpu, Memory};

/// The checked catalogue, ready to compile.
#[derive(Clone, Debug)]
pub struct Catalogue<'c> {
    /// The inventory the apps were resolved against.
    pub cluster: &'c Cluster,
    /// Apps sorted by namespace, then name.
    pub apps: Vec<ResolvedApp>,
    /// Chart releases, sorted by name.
    pub charts: Vec<crate::chart::Chart>,
}

/// An app with everything compilation needs worked out.
#[derive(Clone, Debug)]
pub struct ResolvedApp {
    /// The app as declared.
    pub app: App,
    /// The parsed image reference.
    pub image: ImageRef,
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
}

impl ResolvedApp {
    /// Whether any claim is ReadWriteOnce (Deployments then use the Recreate strategy).
    pub fn has_rwo_claim(&self) -> bool {
        self.claims
            .iter()
            .any(|c| c.access == AccessMode::ReadWriteOnce)
    }
}

/// An image reference split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `registry/repository`.
    pub repository: String,
    /// Tag.
    pub tag: String,
    /// `sha256:<hex>`, when pinned.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `registry/repo:tag[@sha256:hex]`.
    pub fn parse(reference: &str) -> Result<Self, String> {
        let (name, digest) = match reference.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (reference, None),
        };
        if let Some(d) = digest {
            let hex = d
                .strip_prefix("sha256:")
                .ok_or_else(|| format!("digest {d:?} must start with \"sha256:\""))?;
            if hex.len() != 64
                || !hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            {
                return Err(format!(
                    "digest {d:?} must be sha256: followed by 64 lower-case hex digits"
                ));
            }
        }
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let Some(colon) = name[slash..].rfind(':').map(|i| i + slash) else {
            return Err(format!("{reference:?} has no tag; write repository:tag"));
        };
        let (repository, tag) = (&name[..colon], &name[colon + 1..]);
        if repository.is_empty()
            || repository
                .chars()
                .any(|c| c.is_whitespace() || c.is_ascii_uppercase())
        {
            return Err(format!(
                "repository {repository:?} must be non-empty lower-case without spaces"
            ));
        }
        if tag.is_empty()
            || tag.len() > 128
            || !tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(format!("tag {tag:?} must be 1–128 of [A-Za-z0-9._-]"));
        }
        Ok(Self {
            repository: repository.into(),
            tag: tag.into(),
            digest: digest.map(str::to_string),
        })
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.repository, self.tag)?;
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
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
    /// How the claim is backed up and restored; `None` when it is exempt.
    pub backup: Option<ResolvedBackup>,
}

impl ResolvedClaim {
    /// The backup policy, if backed up.
    pub fn backup_policy(&self) -> Option<&Backup> {
        self.backup.as_ref().map(|b| &b.policy)
    }
}

impl ResolvedApp {
    /// The app's backed-up claims with their backups, in claim order.
    pub fn backups(&self) -> impl Iterator<Item = (&ResolvedClaim, &ResolvedBackup)> {
        self.claims
            .iter()
            .filter_map(|c| c.backup.as_ref().map(|b| (c, b)))
    }
}

impl Catalogue<'_> {
    /// Every backed-up claim of the catalogue with its app and backup, in app order.
    pub fn backups(&self) -> impl Iterator<Item = (&ResolvedApp, &ResolvedClaim, &ResolvedBackup)> {
        self.apps
            .iter()
            .flat_map(|a| a.backups().map(move |(c, b)| (a, c, b)))
    }
}

/// Names portkey uses for its own Argo CD Applications; apps may not take them.
pub const RESERVED_NAMES: [&str; 2] = ["portkey-root", "portkey-cluster"];

/// Namespaces apps may not use: portkey's AppProjects (`infrastructure`, `cluster`), Argo
/// CD's `default` project and Kubernetes' system namespaces.
pub const RESERVED_NAMESPACES: [&str; 6] = [
    "default",
    "infrastructure",
    "cluster",
    "argocd",
    "kube-system",
    "kube-public",
];

/// What an app needs to know about the other apps it names.
struct Peer {
    source: String,
    first_port: Option<crate::app::Port>,
    dependencies: Vec<String>,
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
    mut charts: Vec<crate::chart::Chart>,
) -> Result<Catalogue<'_>, ModelErrors> {
    let mut errors = check_cluster(cluster);
    errors.extend(check_charts(&charts, &apps));
    let mut peers: BTreeMap<String, Peer> = BTreeMap::new();
    for app in &apps {
        let peer = Peer {
            source: app.source.clone(),
            first_port: app.ports.first().cloned(),
            dependencies: app.dependencies.iter().map(|d| d.app.clone()).collect(),
        };
        if let Some(first) = peers.insert(app.name.clone(), peer) {
            errors.push(ModelError {
                app: app.name.clone(),
                file: app.source.clone(),
                field: "name".into(),
                problem: format!(
                    "duplicate app: `{}` is also declared in {}",
                    app.name,
                    if first.source.is_empty() {
                        "another app"
                    } else {
                        &first.source
                    }
                ),
                fix: "give each app a unique name (app names are also ArgoCD Application names)"
                    .into(),
            });
        }
    }
    let mut resolved = Vec::with_capacity(apps.len());
    for app in apps {
        let mut p = Problems {
            app: &app.name,
            file: &app.source,
            out: &mut errors,
        };
        if let Some(parts) = resolve_app(cluster, &app, &peers, &mut p) {
            resolved.push(parts.finish(app));
        }
    }
    errors.extend(dependency_cycles(&peers));
    errors.extend(namespace_collisions(&resolved));
    if !errors.is_empty() {
        return Err(ModelErrors(errors));
    }
    resolved.sort_by(|a, b| {
        (a.app.namespace.name(), &a.app.name).cmp(&(b.app.namespace.name(), &b.app.name))
    });
    charts.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Catalogue {
        cluster,
        apps: resolved,
        charts,
    })
}

/// Chart releases: valid, unique names (also against apps and portkey's own Applications),
/// a version, a repository.
fn check_charts(charts: &[crate::chart::Chart], apps: &[App]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<&str> = apps.iter().map(|a| a.name.as_str()).collect();
    let mut levels: BTreeMap<&str, (&str, crate::chart::PodSecurity)> = BTreeMap::new();
    for c in charts {
        if let Some((other, level)) = levels.insert(&c.namespace, (&c.name, c.pod_security))
            && level != c.pod_security
        {
            out.push(ModelError {
                app: c.name.clone(),
                file: c.source.clone(),
                field: "pod_security".into(),
                problem: format!(
                    "namespace `{}` is {} for `{other}` but {} here",
                    c.namespace,
                    level.as_str(),
                    c.pod_security.as_str()
                ),
                fix: "give every release of one namespace the same Pod Security level".into(),
            });
        }
    }
    for c in charts {
        let mut err = |field: &str, problem: String, fix: &str| {
            out.push(ModelError {
                app: c.name.clone(),
                file: c.source.clone(),
                field: field.into(),
                problem,
                fix: fix.into(),
            });
        };
        if let Err(e) = names::check_label(&c.name) {
            err(
                "name",
                format!("{:?} {e}", c.name),
                "use a DNS-1035 label such as `cert-manager`",
            );
        }
        if !seen.insert(&c.name)
            || RESERVED_NAMES.contains(&c.name.as_str())
            || c.name.starts_with("cluster-")
        {
            err(
                "name",
                format!(
                    "`{}` is already an app, a release or a name portkey reserves",
                    c.name
                ),
                "rename the release with `.name(..)`",
            );
        }
        if let Err(e) = names::check_label(&c.namespace) {
            err(
                "namespace",
                format!("{:?} {e}", c.namespace),
                "use a DNS-1035 label",
            );
        }
        if c.version.trim().is_empty() || c.version.contains(char::is_whitespace) {
            err(
                "version",
                format!("version {:?} is empty or has spaces", c.version),
                "pin the chart's exact version",
            );
        }
        if !(c.repo.starts_with("https://") || c.repo.starts_with("oci://")) {
            err(
                "repo",
                format!("repository {:?} is neither https:// nor oci://", c.repo),
                "give the chart repository's URL",
            );
        }
    }
    out
}

/// Checks the inventory itself: unique, valid names; a default class that exists; the GPU
/// plugin's node label on exactly the nodes with an Intel GPU.
fn check_cluster(cluster: &Cluster) -> Vec<ModelError> {
    let mut out = Vec::new();
    let mut err = |field: String, problem: String, fix: &str| {
        out.push(ModelError {
            app: "cluster".into(),
            file: "cluster.rs".into(),
            field,
            problem,
            fix: fix.into(),
        });
    };
    let mut seen = BTreeSet::new();
    for n in &cluster.nodes {
        if let Err(e) = names::check_subdomain(&n.name) {
            err(
                format!("nodes[{}]", n.name),
                format!("node name {e}"),
                "use the node's Kubernetes name",
            );
        }
        if !seen.insert(&n.name) {
            err(
                format!("nodes[{}]", n.name),
                "declared twice".into(),
                "declare each node once",
            );
        }
        let (key, value) = &cluster.device_plugins.intel_gpu_label;
        let labelled = n.labels.iter().any(|(k, v)| k == key && v == value);
        let has_gpu = n
            .gpus()
            .any(|g| g.vendor == crate::cluster::GpuVendor::Intel);
        if has_gpu != labelled {
            err(
                format!("nodes[{}].labels", n.name),
                if has_gpu {
                    format!(
                        "has an Intel GPU but lacks the label {key}={value} the GPU plugin selects nodes by"
                    )
                } else {
                    format!(
                        "has no Intel GPU but carries the label {key}={value} the GPU plugin selects nodes by"
                    )
                },
                "make the node's labels match its hardware",
            );
        }
    }
    if cluster
        .storage_class(cluster.default_storage_class)
        .is_none()
    {
        err(
            "default_storage_class".into(),
            format!(
                "`{}` is not among the storage classes",
                cluster.default_storage_class
            ),
            "name a declared storage class",
        );
    }
    out
}

/// Claims and repository Secrets are named from app and volume names, so two apps of one
/// namespace can arrive at the same name (`notes` + `data-x`, `notes-data` + `x`). Each must
/// stay unique: two apps must never own one claim or share one restic repository.
fn namespace_collisions(apps: &[ResolvedApp]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(&str, &str, &str), (&str, &str)> = BTreeMap::new();
    for app in apps {
        let ns = app.app.namespace.name();
        for c in &app.claims {
            let names = [
                ("claim", Some(c.name.as_str())),
                (
                    "repository Secret",
                    c.backup.as_ref().map(|b| b.repository_secret.as_str()),
                ),
            ];
            for (what, name) in names {
                let Some(name) = name else { continue };
                if let Some((other, volume)) =
                    seen.insert((ns, what, name), (&app.app.name, &c.volume))
                {
                    out.push(ModelError {
                        app: app.app.name.clone(),
                        file: app.app.source.clone(),
                        field: format!("volumes[{}]", c.volume),
                        problem: format!(
                            "{what} `{name}` in namespace `{ns}` is also produced by app `{other}` (volume `{volume}`)"
                        ),
                        fix: "rename the app or the volume so that the names differ".into(),
                    });
                }
            }
        }
    }
    out
}

/// Reports each dependency cycle once, naming every app on it.
fn dependency_cycles(peers: &BTreeMap<String, Peer>) -> Vec<ModelError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit<'a>(
        name: &'a str,
        peers: &'a BTreeMap<String, Peer>,
        marks: &mut BTreeMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
        out: &mut Vec<ModelError>,
    ) {
        marks.insert(name, Mark::Active);
        stack.push(name);
        for dep in &peers[name].dependencies {
            let Some((dep, _)) = peers.get_key_value(dep.as_str()) else {
                continue;
            };
            match marks.get(dep.as_str()).copied().unwrap_or(Mark::New) {
                Mark::New => visit(dep, peers, marks, stack, out),
                Mark::Active if dep != name => {
                    let start = stack.iter().position(|n| *n == dep).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].to_vec();
                    cycle.push(dep);
                    out.push(ModelError {
                        app: dep.clone(),
                        file: peers[dep.as_str()].source.clone(),
                        field: "depends_on".into(),
                        problem: format!("dependency cycle: {}", cycle.join(" → ")),
                        fix: "remove one of the dependencies on the cycle".into(),
                    });
                }
                _ => {}
            }
        }
        stack.pop();
        marks.insert(name, Mark::Done);
    }
    let mut marks = BTreeMap::new();
    let mut out = Vec::new();
    for name in peers.keys() {
        if marks.get(name.as_str()).copied().unwrap_or(Mark::New) == Mark::New {
            visit(name, peers, &mut marks, &mut Vec::new(), &mut out);
        }
    }
    out
}

/// Everything resolution works out for one app, before the app is moved in.
struct Parts {
    image: ImageRef,
    nodes: Option<Vec<String>>,
    extended_resources: Vec<String>,
    uid: i64,
    gid: i64,
    runs_as_root: bool,
    supplemental_groups: Vec<i64>,
    cpu_request: Cpu,
    memory_request: Memory,
    memory_limit: Memory,
    claims: Vec<ResolvedClaim>,
}

impl Parts {
    fn finish(self, app: App) -> ResolvedApp {
        ResolvedApp {
            cpu_limit: app.resources.cpu_limit,
            app,
            image: self.image,
            nodes: self.nodes,
            extended_resources: self.extended_resources,
            uid: self.uid,
            gid: self.gid,
            runs_as_root: self.runs_as_root,
            supplemental_groups: self.supplemental_groups,
            cpu_request: self.cpu_request,
            memory_request: self.memory_request,
            memory_limit: self.memory_limit,
            claims: self.claims,
        }
    }
}

#[allow(clippy::too_many_lines)]
fn resolve_app(
    cluster: &Cluster,
    app: &App,
    peers: &BTreeMap<String, Peer>,
    p: &mut Problems<'_>,
) -> Option<Parts> {
    let before = p.out.len();
    if RESERVED_NAMES.contains(&app.name.as_str()) {
        p.add(
            "name",
            format!(
                "`{}` is reserved for portkey's own Argo CD Application",
                app.name
            ),
            "choose another name",
        );
    }
    if let Err(e) = names::check_label(&app.name) {
        p.add(
            "name",
            format!("{:?} {e}", app.name),
            "use a DNS-1035 label such as `paperless-redis`",
        );
    }
    if RESERVED_NAMESPACES.contains(&app.namespace.name()) {
        p.add(
            "namespace",
            format!(
                "`{}` is reserved: apps of a namespace share an Argo CD project named after it, and portkey's own projects and system namespaces use these names",
                app.namespace.name()
            ),
            "declare a namespace of the app's own, such as `media`",
        );
    }
    if let Err(e) = names::check_label(app.namespace.name()) {
        p.add(
            "namespace",
            format!("{:?} {e}", app.namespace.name()),
            "use a DNS-1035 label such as `media`",
        );
    }
    let image = match ImageRef::parse(&app.image) {
        Ok(i) => Some(i),
        Err(e) => {
            p.add(
                "image",
                e,
                "write `.image(\"registry/repository:tag\")`, optionally with `@sha256:<digest>`",
            );
            None
        }
    };
    for (field, problem) in &app.misuse {
        p.add(field, problem, "move the call after the method it modifies");
    }
    check_ports(app, p);
    if app.ports.iter().any(|port| port.lan) {
        let lan_name = format!("{}-lan", app.name);
        if peers.contains_key(&lan_name) {
            p.add(
                "ports",
                format!("the LAN Service `{lan_name}` would clash with the app of that name"),
                "rename one of the apps",
            );
        }
        if lan_name.len() > names::MAX_LABEL {
            p.add(
                "ports",
                format!("the LAN Service name `{lan_name}` is longer than 63 characters"),
                "shorten the app name",
            );
        }
    }
    check_env(app, p);
    check_probes(app, p);
    if app
        .probes
        .disabled
        .as_ref()
        .is_some_and(|r| r.trim().is_empty())
    {
        p.add(
            "no_probes",
            "probes disabled without a reason",
            "say why the app cannot be probed",
        );
    }
    for (lint, reason) in &app.lint_exceptions {
        if reason.trim().is_empty() {
            p.add(
                format!("allow_lint({})", lint.id()),
                "lint suppressed without a reason",
                "say why the lint does not apply",
            );
        }
    }
    for (exception, reason) in &app.security.exceptions {
        if reason.trim().is_empty() {
            p.add(
                format!("allow({})", exception.key()),
                "exception without a reason",
                "say why the image needs it",
            );
        }
    }
    let claims = check_volumes(cluster, app, p);
    check_config_files(app, p);
    let (nodes, extended_resources, gpu_groups) = place(cluster, app, p);
    if let Some(h) = &app.https {
        if let Err(e) = names::check_label(&h.host) {
            p.add(
                "https",
                format!("host {:?} {e}", h.host),
                "use a single DNS label; the cluster domain is appended",
            );
        }
        if app.ports.is_empty() {
            p.add(
                "https",
                "exposed over HTTPS but declares no port",
                "add `.port(Port::http(N))`",
            );
        }
    }
    for dep in &app.dependencies {
        match peers.get(dep.app.as_str()) {
            None => p.add(
                "depends_on",
                format!("unknown dependency `{}`", dep.app),
                format!(
                    "declare an app named `{}` in apps/ or fix the name",
                    dep.app
                ),
            ),
            Some(_) if dep.app == app.name => p.add(
                "depends_on",
                "the app depends on itself",
                "remove the dependency",
            ),
            Some(other) if dep.wait_at_startup => match &other.first_port {
                None => p.add(
                    "waits_for",
                    format!("waits for `{}`, which has no port to wait on", dep.app),
                    "use `.depends_on(..)`, or give the dependency a port",
                ),
                Some(port) if port.protocol == crate::app::Protocol::Udp => p.add(
                    "waits_for",
                    format!(
                        "waits for `{}`, whose first port `{}` is UDP; the start-up wait checks a TCP port",
                        dep.app, port.name
                    ),
                    "list the dependency's TCP port first, or use `.depends_on(..)`",
                ),
                Some(_) => {}
            },
            Some(_) => {}
        }
    }
    if let Some(reason) = &app.critical {
        if reason.trim().is_empty() {
            p.add(
                "critical",
                "critical without a reason",
                "say why the data matters",
            );
        }
        for c in &claims {
            if c.reclaim != Reclaim::Retain {
                p.add(
                    format!("volumes[{}].class", c.volume),
                    format!(
                        "critical app's claim is on `{}`, whose reclaimPolicy is Delete",
                        c.storage_class
                    ),
                    "put it on a Retain storage class with `.class(..)`",
                );
            }
        }
    }
    let uid = app.security.uid.unwrap_or(cluster.defaults.uid);
    let gid = app.security.gid.unwrap_or(cluster.defaults.gid);
    let runs_as_root = app
        .security
        .exceptions
        .iter()
        .any(|(e, _)| *e == Exception::RunAsRoot);
    let mut groups: BTreeSet<i64> = app.security.supplemental_groups.iter().copied().collect();
    groups.extend(gpu_groups);
    let memory_request = app
        .resources
        .memory_request
        .unwrap_or(cluster.defaults.memory_request);
    let memory_limit = app
        .resources
        .memory_limit
        .unwrap_or(cluster.defaults.memory_limit);
    if memory_limit < memory_request {
        p.add(
            "memory_limit",
            format!("limit {memory_limit} is below the request {memory_request}"),
            "raise the limit or lower the request",
        );
    }
    if p.out.len() != before {
        return None;
    }
    Some(Parts {
        image: image?,
        nodes,
        extended_resources,
        uid,
        gid,
        runs_as_root,
        supplemental_groups: groups.into_iter().collect(),
        cpu_request: app
            .resources
            .cpu_request
            .unwrap_or(cluster.defaults.cpu_request),
        memory_request,
        memory_limit,
        claims,
    })
}

fn check_ports(app: &App, p: &mut Problems<'_>) {
    let mut names_seen = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for port in &app.ports {
        if let Err(e) = names::check_label_max(&port.name, 15) {
            p.add(
                format!("ports[{}]", port.name),
                format!("port name {e}"),
                "use a short name such as `http`",
            );
        }
        if !names_seen.insert(&port.name) {
            p.add(
                format!("ports[{}]", port.name),
                "duplicate port name",
                "name each port once",
            );
        }
        if port.port == 0 || !numbers.insert((port.port, port.protocol as u8)) {
            p.add(
                format!("ports[{}]", port.name),
                format!("port {} is zero or repeated", port.port),
                "use each port number once",
            );
        }
    }
}

fn check_env(app: &App, p: &mut Problems<'_>) {
    let mut seen = BTreeSet::new();
    for env in &app.env {
        if let Err(e) = names::check_env_name(&env.name) {
            p.add(
                format!("env[{}]", env.name),
                format!("variable name {e}"),
                "use letters, digits and '_'",
            );
        }
        if !seen.insert(&env.name) {
            p.add(
                format!("env[{}]", env.name),
                "set twice",
                "set each variable once",
            );
        }
        if let EnvValue::Secret(s) = &env.value {
            if let Err(e) = names::check_subdomain(&s.secret) {
                p.add(
                    format!("env[{}]", env.name),
                    format!("secret name {:?} {e}", s.secret),
                    "name an existing Secret",
                );
            }
            if s.key.is_empty() {
                p.add(
                    format!("env[{}]", env.name),
                    "secret key is empty",
                    "name the key inside the Secret",
                );
            }
        }
    }
}

fn check_probes(app: &App, p: &mut Problems<'_>) {
    let probes = [
        &app.probes.liveness,
        &app.probes.readiness,
        &app.probes.startup,
    ];
    for probe in probes.into_iter().flatten() {
        if probe.host_header.is_some() && !matches!(probe.check, ProbeCheck::Http(_)) {
            p.add(
                "probe",
                "a Host header on a probe that is not HTTP",
                "use `Probe::http(..).host(..)`",
            );
        }
        match &probe.check {
            ProbeCheck::Http(path) if !path.starts_with('/') => {
                p.add(
                    "probe",
                    format!("HTTP path {path:?} must start with '/'"),
                    "write the path as `/health`",
                );
            }
            ProbeCheck::Http(_) | ProbeCheck::Tcp if app.ports.is_empty() => {
                p.add(
                    "probe",
                    "probes the primary port, but the app declares no port",
                    "add a port or use `Probe::exec`",
                );
            }
            _ => {}
        }
    }
}

fn check_volumes(cluster: &Cluster, app: &App, p: &mut Problems<'_>) -> Vec<ResolvedClaim> {
    let mut claims: Vec<(ResolvedClaim, &BackupChoice, &StorageClass)> = Vec::new();
    let mut volume_names = BTreeSet::new();
    let mut mounts = BTreeSet::new();
    for v in &app.volumes {
        let field = format!("volumes[{}]", v.name);
        for problem in &v.misuse {
            p.add(
                &field,
                problem,
                "remove the call or change the volume's kind",
            );
        }
        if let Err(e) = names::check_label(&v.name) {
            p.add(
                &field,
                format!("volume name {e}"),
                "use a DNS label such as `config`",
            );
        }
        if !volume_names.insert(&v.name) {
            p.add(&field, "duplicate volume name", "name each volume once");
        }
        if let Err(e) = names::check_abs_path(&v.mount_path) {
            p.add(
                &field,
                format!("mount path {:?} {e}", v.mount_path),
                "mount at an absolute path",
            );
        } else if !mounts.insert(v.mount_path.trim_end_matches('/')) {
            p.add(
                &field,
                format!("mount path {} is used twice", v.mount_path),
                "mount each volume at its own path",
            );
        }
        match &v.source {
            VolumeSource::Claim(c) => {
                if let Some((r, class)) = check_claim(cluster, app, &v.name, c, &field, p) {
                    claims.push((r, &c.backup, class));
                }
            }
            VolumeSource::Nfs { share, sub_path } => {
                if cluster.nfs_share(*share).is_none() {
                    let known: Vec<&str> =
                        cluster.nfs_shares.iter().map(|s| s.name.as_str()).collect();
                    p.add(
                        format!("{field}.share"),
                        format!(
                            "NFS share `{share}` is not in the inventory (shares: {})",
                            known.join(", ")
                        ),
                        "use a share declared in the cluster inventory, or add it there",
                    );
                }
                if let Some(sp) = sub_path
                    && let Err(e) = names::check_rel_path(sp)
                {
                    p.add(
                        format!("{field}.sub_path"),
                        format!("{sp:?} {e}"),
                        "write a path relative to the export",
                    );
                }
            }
            VolumeSource::EmptyDir { .. } => {}
        }
    }
    let declared: Vec<Declared<'_>> = claims
        .iter()
        .map(|(claim, choice, class)| Declared {
            volume: &claim.volume,
            claim: &claim.name,
            class,
            choice,
        })
        .collect();
    let owner = Owner {
        name: &app.name,
        namespace: app.namespace.name(),
        critical: app.critical.is_some(),
    };
    let backups = crate::backup::resolved::resolve(&cluster.backup, &owner, &declared, p);
    claims
        .into_iter()
        .zip(backups)
        .map(|((claim, _, _), backup)| ResolvedClaim { backup, ..claim })
        .collect()
}

fn check_claim<'c>(
    cluster: &'c Cluster,
    app: &App,
    volume: &str,
    c: &Claim,
    field: &str,
    p: &mut Problems<'_>,
) -> Option<(ResolvedClaim, &'c StorageClass)> {
    let name = format!("{}-{volume}", app.name);
    if name.len() > names::MAX_LABEL {
        p.add(
            field,
            format!("claim name `{name}` is longer than 63 characters"),
            "shorten the app or volume name",
        );
    }
    if c.size == Memory::default() {
        p.add(
            format!("{field}.size"),
            "size is zero",
            "request a size such as `Memory::gi(1)`",
        );
    }
    let class_ref = c.class.unwrap_or(cluster.default_storage_class);
    let Some(class) = cluster.storage_class(class_ref) else {
        let known: Vec<&str> = cluster
            .storage_classes
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        p.add(
            format!("{field}.class"),
            format!(
                "storage class `{class_ref}` is not in the inventory (classes: {})",
                known.join(", ")
            ),
            "use a storage class declared in the cluster inventory",
        );
        return None;
    };
    if !class.access_modes.contains(&c.access) {
        p.add(
            format!("{field}.access"),
            format!(
                "storage class `{}` does not support {}",
                class.name,
                c.access.as_str()
            ),
            "choose an access mode the class supports, or another class",
        );
    }
    let claim = ResolvedClaim {
        volume: volume.into(),
        name,
        size: c.size,
        storage_class: class.name.clone(),
        reclaim: class.reclaim,
        access: c.access,
        backup: None,
    };
    Some((claim, class))
}

fn check_config_files(app: &App, p: &mut Problems<'_>) {
    let mut keys = BTreeSet::new();
    for f in &app.config_files {
        if let Err(e) = names::check_abs_path(&f.path) {
            p.add(
                "config_file",
                format!("{:?} {e}", f.path),
                "mount config files at absolute paths",
            );
            continue;
        }
        let key = f.path.rsplit('/').next().unwrap_or_default();
        if key.is_empty() || !keys.insert(key) {
            p.add(
                "config_file",
                format!("file name {key:?} of {} is empty or used twice", f.path),
                "give each config file its own name",
            );
        }
    }
}

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
            p.add(
                "gpu",
                format!(
                    "needs an {vendor} GPU, but no node has one ({})",
                    if have.is_empty() {
                        "no node has any GPU".into()
                    } else {
                        have.join(", ")
                    }
                ),
                format!(
                    "add a node with an {vendor} GPU to the inventory, or ask for a GPU a node has"
                ),
            );
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
type Placed = (Option<Vec<String>>, Vec<String>, Vec<i64>);

/// Works out the nodes an app can run on from its GPU, devices and pins.
fn place(cluster: &Cluster, app: &App, p: &mut Problems<'_>) -> Placed {
    let mut placement = Placement::default();
    if let Some(vendor) = app.gpu {
        placement.gpu(cluster, vendor, p);
    }
    for device in &app.devices {
        placement.device(cluster, *device, p);
    }
    if let Some((pins, reason)) = &app.pin {
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
