//! The Argo CD side: one Application per component (chart release, cluster part, app) with
//! its derived sync wave, the AppProjects that confine them, and the root app-of-apps.

use std::collections::{BTreeMap, BTreeSet};

use portkey_model::components::{ClusterPart, Component, ComponentKind};
use portkey_model::resolve::{Catalogue, ResolvedApp};

use crate::crd::argocd::{
    AppProject, AppProjectSpec, Application, ApplicationDestination, ApplicationSource,
    ApplicationSourceHelm, ApplicationSpec, Automated, GroupKind, ManagedNamespaceMetadata,
    SyncPolicy,
};
use crate::{
    ARGOCD_DIR, ARGOCD_NAMESPACE, BOOTSTRAP_DIR, CLUSTER_DIR, GENERATED_PATH, Manifest, ROOT_APP,
    Summaries, app_dir, meta, pod_security_labels,
};

/// The kinds of the Argo CD objects portkey writes (`Application`, `AppProject`), as
/// `(apiVersion, kind)`.
pub const KINDS: [(&str, &str); 2] = [
    (
        <Application as k8s_openapi::Resource>::API_VERSION,
        <Application as k8s_openapi::Resource>::KIND,
    ),
    (
        <AppProject as k8s_openapi::Resource>::API_VERSION,
        <AppProject as k8s_openapi::Resource>::KIND,
    ),
];

/// The in-cluster API server.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";
/// Project of the chart releases.
pub const INFRA_PROJECT: &str = "infrastructure";
/// Project of the cluster parts.
pub const CLUSTER_PROJECT: &str = "cluster";
/// Annotation carrying the sync wave.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Wave of the AppProjects: before every Application.
pub const PROJECT_WAVE: i32 = -1;
/// Annotation carrying per-resource sync options (argo-cd
/// `docs/user-guide/sync-options.md`). Argo CD reads it on the **live** object, so a
/// resource dropped from Git is judged by the annotation it carried when last synced.
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
/// Sync options of an object that holds data: never pruned when it leaves Git, never
/// deleted with its Application. Set on every claim on a Retain class or of a critical app,
/// and on every Namespace that holds a claim (a Namespace's deletion deletes its claims, a
/// Retain claim's `Prune=false,Delete=false` included).
///
/// Chosen over `Prune=confirm,Delete=confirm` (Argo CD v2.14+, so available on v3.4): a
/// confirmation is one `argocd.argoproj.io/deletion-approved` timestamp on the Application,
/// which approves every pending prune of that sync at once (a whole `cluster-namespaces`
/// sync), and a stale approval can let a later deletion through without a new one
/// (argoproj/argo-cd#27570, whose fix, PR #27614, was closed unmerged). With `false`,
/// Argo CD shows the object as needing a prune and leaves it: a person deletes it with
/// `kubectl` once its data is safe.
pub const KEEP_DATA: &str = "Prune=false,Delete=false";
/// Sync option of every child Application of the root app: the root prunes one (and, through
/// its resources finalizer, everything it deployed) only after a person confirms, in the UI
/// or with `argocd app confirm-deletion portkey-root`. A render that drops a file then
/// stops at a `Syncing` root instead of deleting an app (argo-cd
/// `docs/user-guide/sync-options.md`, "Resource Pruning With Confirmation", v2.14+).
pub const CONFIRM_PRUNE: &str = "Prune=confirm";
/// The finalizer that makes deleting an Application delete what it deployed. Every
/// Application carries it except the root app-of-apps (deleting it would delete every
/// Application), the self-managed Argo CD ([`is_argo_cd`]: deleting it would delete Argo CD
/// itself) and `cluster-namespaces` (it would delete every namespace's content).
pub const RESOURCES_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";

/// The key of Argo CD's `argocd-cm` that holds the Lua health check of kind `T`
/// (`resource.customizations.health.volsync.backube_ReplicationSource`).
pub fn health_customization<T: k8s_openapi::Resource>() -> String {
    health_customization_of(T::GROUP, T::KIND)
}

/// [`health_customization`] for a kind portkey does not emit (a chart's), by group and
/// kind: `resource.customizations.health.ceph.rook.io_CephCluster`.
pub fn health_customization_of(group: &str, kind: &str) -> String {
    format!("resource.customizations.health.{group}_{kind}")
}

/// An Application syncing `source` into `namespace`, in `project`, at `wave`, with the
/// resources finalizer: deleting it deletes what it deployed (except for the root, `argo-cd`
/// and `cluster-namespaces`, see [`RESOURCES_FINALIZER`]).
pub fn application(
    name: &str,
    project: &str,
    source: ApplicationSource,
    namespace: &str,
    wave: Option<i32>,
    sync: SyncPolicy,
) -> Application {
    let mut app = Application::new(
        name,
        ApplicationSpec {
            project: project.into(),
            source,
            destination: ApplicationDestination {
                server: IN_CLUSTER.into(),
                namespace: Some(namespace.into()),
            },
            sync_policy: Some(sync),
        },
    );
    let mut metadata = meta(name, Some(ARGOCD_NAMESPACE), None);
    if let Some(wave) = wave {
        metadata.annotations = Some(BTreeMap::from([(SYNC_WAVE.to_string(), wave.to_string())]));
    }
    metadata.finalizers = Some(vec![RESOURCES_FINALIZER.into()]);
    app.metadata = metadata;
    app
}

/// Whether `chart` is Argo CD managing itself: the release that installs Argo CD's own CRDs.
/// Its Application carries no resources finalizer.
pub fn is_argo_cd(chart: &portkey_model::chart::Chart) -> bool {
    chart
        .provides
        .contains(&portkey_model::chart::Capability::Crds(
            crate::crd::argocd::GROUP.into(),
        ))
}

/// The Application with [`CONFIRM_PRUNE`]: the root app prunes it only once confirmed.
fn confirm_prune(mut app: Application) -> Application {
    app.metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(SYNC_OPTIONS.into(), CONFIRM_PRUNE.into());
    app
}

/// The Application without the resources finalizer: deleting it orphans what it deployed.
/// For the root (deleting it would delete every Application), the self-managed `argo-cd`
/// (deleting it would delete Argo CD itself) and `cluster-namespaces` (deleting it would
/// delete every namespace's content).
fn without_finalizer(mut app: Application) -> Application {
    app.metadata.finalizers = None;
    app
}

fn git_source(catalogue: &Catalogue<'_>, path: String) -> ApplicationSource {
    ApplicationSource {
        repo_url: catalogue.cluster.git.repo_url.clone(),
        target_revision: catalogue.cluster.git.revision.clone(),
        path: Some(path),
        ..ApplicationSource::default()
    }
}

/// Automated sync with self-heal and pruning, pruning last.
fn sync(prune: bool, self_heal: bool, options: &[&str]) -> SyncPolicy {
    SyncPolicy {
        automated: Some(Automated {
            prune: Some(prune),
            self_heal: Some(self_heal),
        }),
        sync_options: options.iter().map(|s| (*s).to_string()).collect(),
        managed_namespace_metadata: None,
    }
}

fn group_kind((group, kind): (&str, &str)) -> GroupKind {
    GroupKind {
        group: group.into(),
        kind: kind.into(),
    }
}

/// Where a cluster part's Application points and which namespace it targets.
fn cluster_destination(part: ClusterPart, catalogue: &Catalogue<'_>) -> String {
    match part {
        ClusterPart::Devices => crate::devices::DEVICE_PLUGIN_NAMESPACE.into(),
        ClusterPart::Alerts => catalogue.cluster.alerts.namespace.clone(),
        ClusterPart::Network => crate::network::metallb_namespace(catalogue),
        ClusterPart::StoreTls => portkey_model::components::sdk_server_namespace(catalogue.cluster)
            .unwrap_or("default")
            .into(),
        _ => "default".into(),
    }
}

fn project(name: &str, description: &str, spec: AppProjectSpec) -> AppProject {
    let mut p = AppProject::new(
        name,
        AppProjectSpec {
            description: Some(description.into()),
            ..spec
        },
    );
    let mut metadata = meta(name, Some(ARGOCD_NAMESPACE), None);
    metadata.annotations = Some(BTreeMap::from([(
        SYNC_WAVE.to_string(),
        PROJECT_WAVE.to_string(),
    )]));
    p.metadata = metadata;
    p
}

/// Projects: one for the chart releases, one for the cluster parts, one per app namespace,
/// each allowing exactly the kinds its components emit.
fn projects(
    catalogue: &Catalogue<'_>,
    components: &[Component],
    summaries: &Summaries,
) -> Vec<AppProject> {
    let git = catalogue.cluster.git.repo_url.clone();
    let destination = |ns: &str| ApplicationDestination {
        server: IN_CLUSTER.into(),
        namespace: Some(ns.into()),
    };
    let mut out = Vec::new();
    if !catalogue.charts.is_empty() {
        let repos: BTreeSet<String> = catalogue.charts.iter().map(|c| c.repo.clone()).collect();
        let namespaces: BTreeSet<&str> = catalogue
            .charts
            .iter()
            .map(|c| c.namespace.as_str())
            .collect();
        out.push(project(
            INFRA_PROJECT,
            "Upstream Helm charts: operators, CRDs and controllers; they may manage any cluster-scoped kind",
            AppProjectSpec {
                source_repos: repos.into_iter().collect(),
                destinations: namespaces.into_iter().map(destination).collect(),
                cluster_resource_whitelist: vec![group_kind(("*", "*"))],
                ..AppProjectSpec::default()
            },
        ));
    }
    let mut cluster_kinds = BTreeSet::new();
    let mut namespaced_kinds = BTreeSet::new();
    let mut namespaces = BTreeSet::from(["default"]);
    let mut stacks: BTreeMap<&str, BTreeSet<GroupKind>> = BTreeMap::new();
    for c in components {
        if !matches!(c.kind, ComponentKind::Cluster(_)) {
            continue;
        }
        let Some(emitted) = summaries.part(&c.name) else {
            continue;
        };
        cluster_kinds.extend(
            emitted
                .cluster_scoped
                .iter()
                .map(|k| group_kind(k.group_kind())),
        );
        for (ns, kinds) in &emitted.namespaced {
            namespaces.insert(ns);
            namespaced_kinds.extend(kinds.iter().map(|k| group_kind(k.group_kind())));
        }
    }
    // Every app's kinds, gathered by namespace as the apps were added.
    for (ns, kinds) in summaries.app_kinds() {
        stacks
            .entry(ns)
            .or_default()
            .extend(kinds.iter().map(|k| group_kind(k.group_kind())));
    }
    out.push(project(
        CLUSTER_PROJECT,
        "Cluster-wide parts portkey generates from the inventory; only the kinds listed",
        AppProjectSpec {
            source_repos: vec![git.clone()],
            destinations: namespaces.into_iter().map(destination).collect(),
            cluster_resource_whitelist: cluster_kinds.into_iter().collect(),
            namespace_resource_whitelist: Some(namespaced_kinds.into_iter().collect()),
            ..AppProjectSpec::default()
        },
    ));
    for (ns, kinds) in stacks {
        out.push(project(
            ns,
            &format!("Apps of the {ns} namespace: only that namespace, no cluster-scoped kinds"),
            AppProjectSpec {
                source_repos: vec![git.clone()],
                destinations: vec![destination(ns)],
                namespace_resource_whitelist: Some(kinds.into_iter().collect()),
                ..AppProjectSpec::default()
            },
        ));
    }
    out
}

fn component_application(
    catalogue: &Catalogue<'_>,
    charts: &BTreeMap<&str, &portkey_model::chart::Chart>,
    c: &Component,
) -> Option<Application> {
    match &c.kind {
        ComponentKind::Chart => {
            // Invariant: chart components are made from these very releases.
            let chart = charts.get(c.name.as_str()).expect("chart of component");
            let mut options = Vec::new();
            if c.owns_namespace {
                options.push("CreateNamespace=true");
            }
            options.push("PruneLast=true");
            if chart.server_side_apply {
                options.push("ServerSideApply=true");
            }
            let mut policy = sync(true, true, &options);
            if c.owns_namespace {
                let mut labels = pod_security_labels(chart.pod_security);
                labels.insert(crate::MANAGED_BY.0.into(), crate::MANAGED_BY.1.into());
                policy.managed_namespace_metadata = Some(ManagedNamespaceMetadata { labels });
            }
            let app = application(
                &c.name,
                INFRA_PROJECT,
                ApplicationSource {
                    repo_url: chart.repo.clone(),
                    target_revision: chart.version.clone(),
                    chart: Some(chart.chart.clone()),
                    helm: Some(ApplicationSourceHelm {
                        release_name: Some(chart.name.clone()),
                        values_object: chart
                            .values
                            .as_object()
                            .is_some_and(|m| !m.is_empty())
                            .then(|| chart.values.clone()),
                    }),
                    ..ApplicationSource::default()
                },
                &chart.namespace,
                Some(c.wave),
                policy,
            );
            Some(if is_argo_cd(chart) {
                without_finalizer(app)
            } else {
                app
            })
        }
        ComponentKind::Cluster(part) => {
            let app = application(
                &c.name,
                CLUSTER_PROJECT,
                git_source(
                    catalogue,
                    format!("{GENERATED_PATH}/{CLUSTER_DIR}/{}", part.key()),
                ),
                &cluster_destination(*part, catalogue),
                Some(c.wave),
                sync(true, true, &["PruneLast=true"]),
            );
            Some(if *part == ClusterPart::Namespaces {
                without_finalizer(app)
            } else {
                app
            })
        }
        // Compiled with the app's own objects: see [`app_application`].
        ComponentKind::App => None,
    }
}

/// Each component's sync wave, by name.
pub fn waves_by_name(components: &[Component]) -> BTreeMap<&str, i32> {
    components
        .iter()
        .map(|c| (c.name.as_str(), c.wave))
        .collect()
}

/// The Application of one app (in `generated/argocd/`), at the app's derived sync `wave`.
pub fn app_application(catalogue: &Catalogue<'_>, app: &ResolvedApp, wave: i32) -> Manifest {
    let o = &app.app.sync;
    let object = application(
        &app.app.name,
        app.app.namespace.name(),
        git_source(catalogue, format!("{GENERATED_PATH}/{}", app_dir(app))),
        app.app.namespace.name(),
        Some(wave),
        sync(
            o.prune.unwrap_or(true),
            o.self_heal.unwrap_or(true),
            &["PruneLast=true"],
        ),
    );
    Manifest {
        dir: ARGOCD_DIR.into(),
        source: app.app.source.clone(),
        object: confirm_prune(object).into(),
    }
}

/// The AppProjects, the Applications of the chart releases and cluster parts, and the root
/// app-of-apps. (Each app's Application is compiled with the app: [`app_application`].)
pub fn argocd_objects(
    catalogue: &Catalogue<'_>,
    components: &[Component],
    summaries: &Summaries,
    out: &mut Vec<Manifest>,
) {
    for p in projects(catalogue, components, summaries) {
        out.push(Manifest {
            dir: ARGOCD_DIR.into(),
            source: catalogue.cluster.source.clone(),
            object: p.into(),
        });
    }
    let charts: BTreeMap<&str, &portkey_model::chart::Chart> = catalogue
        .charts
        .iter()
        .map(|c| (c.name.as_str(), c))
        .collect();
    for c in components {
        if let Some(application) = component_application(catalogue, &charts, c) {
            out.push(Manifest {
                dir: ARGOCD_DIR.into(),
                source: c.source.clone(),
                object: confirm_prune(application).into(),
            });
        }
    }
    // No resources finalizer: deleting the root (it is applied by hand) must not cascade
    // into every Application and, through theirs, every object of the cluster.
    let root = application(
        ROOT_APP,
        "default",
        git_source(catalogue, format!("{GENERATED_PATH}/{ARGOCD_DIR}")),
        ARGOCD_NAMESPACE,
        None,
        sync(true, true, &["PruneLast=true"]),
    );
    let root = without_finalizer(root);
    out.push(Manifest {
        dir: BOOTSTRAP_DIR.into(),
        source: catalogue.cluster.source.clone(),
        object: root.into(),
    });
}
