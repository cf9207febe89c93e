//! Compiles a resolved portkey catalogue into typed objects: Kubernetes core objects from
//! `k8s-openapi`, and the Volsync and Argo CD custom resources in [`crd`].
//!
//! Compilation is a pure function of the [`Catalogue`]: same input, same objects, same order.

pub mod argocd;
pub mod backup;
pub mod crd;
pub mod devices;
pub mod emitted;
pub mod metrics;
pub mod network;
pub mod network_policy;
mod object;
pub mod parallel;
pub mod pss;
pub mod secrets;
pub mod summaries;
mod workload;

pub use emitted::{Compiled, Emitted, waves};
pub use object::{KindId, KindVisitor, Manifest, Object};
pub use summaries::Summaries;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Namespace, PersistentVolumeClaimSpec, Service, ServicePort, ServiceSpec,
    VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use portkey_model::ModelErrors;
use portkey_model::app::{Protocol, ServiceExposure};
use portkey_model::chart::PodSecurity;
use portkey_model::cluster::Reclaim;
use portkey_model::components::{ClusterPart, Component, ComponentKind};
use portkey_model::resolve::{Catalogue, ResolvedApp, ResolvedClaim};

/// Label every object carries: `app.kubernetes.io/managed-by: portkey`.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "portkey");
/// The selector label. Frozen: changing it would force every workload to be recreated.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";
/// Namespace ArgoCD runs in.
pub const ARGOCD_NAMESPACE: &str = "argocd";
/// Directory (under `generated/`) of the child Applications the root app-of-apps syncs.
pub const ARGOCD_DIR: &str = "argocd";
/// Directory of the bootstrap root Application (applied once by hand).
pub const BOOTSTRAP_DIR: &str = "bootstrap";
/// Directory of cluster-wide objects (namespaces, storage classes).
pub const CLUSTER_DIR: &str = "cluster";
/// Name of the root app-of-apps.
pub const ROOT_APP: &str = "portkey-root";
/// Where `generated/` sits in the Git repository.
pub const GENERATED_PATH: &str = "generated";

/// Compiles the catalogue into manifests, in a deterministic order: the cluster parts'
/// objects, the Argo CD objects they and the chart releases need, then each app's objects
/// and Application.
///
/// Callers that serialize as they go (the renderer) run the same steps themselves:
/// [`compile_cluster_shared`], then [`compile_app`] and [`compile_app_alerts`] app by app
/// for the objects, [`waves`] from their summaries (a component's pieces merged with
/// [`Emitted::merge`]), then [`argocd::argocd_objects`] and [`argocd::app_application`].
///
/// Fails when the sync waves cannot be derived (a cycle, or a needed CRD nothing provides).
pub fn compile(catalogue: &Catalogue<'_>) -> Result<Vec<Manifest>, ModelErrors> {
    let Objects {
        cluster,
        apps,
        summaries,
        components,
    } = objects(catalogue)?;
    let mut out: Vec<Manifest> = cluster.into_iter().flat_map(|c| c.manifests).collect();
    argocd::argocd_objects(catalogue, &components, &summaries, &mut out);
    let wave = argocd::waves_by_name(&components);
    for (app, compiled) in catalogue.apps.iter().zip(apps) {
        out.extend(compiled.manifests);
        out.push(argocd::app_application(
            catalogue,
            app,
            wave[app.app.name.as_str()],
        ));
    }
    Ok(out)
}

/// Every component's compiled objects (the cluster parts', then each app's), with every
/// component, its dependencies and its sync wave: what the bootstrap replay of `portkey
/// plan` reads.
pub fn compiled(catalogue: &Catalogue<'_>) -> Result<(Vec<Compiled>, Vec<Component>), ModelErrors> {
    let Objects {
        cluster,
        apps,
        components,
        ..
    } = objects(catalogue)?;
    Ok((cluster.into_iter().chain(apps).collect(), components))
}

/// Every component with its dependencies and sync wave (what BOOTSTRAP.md lists), derived
/// from what the compiled objects emit.
pub fn components(catalogue: &Catalogue<'_>) -> Result<Vec<Component>, ModelErrors> {
    objects(catalogue).map(|o| o.components)
}

/// Every component's objects, what they emit, and the waves that follow.
struct Objects {
    cluster: Vec<Compiled>,
    apps: Vec<Compiled>,
    summaries: Summaries,
    components: Vec<Component>,
}

fn objects(catalogue: &Catalogue<'_>) -> Result<Objects, ModelErrors> {
    let cluster = compile_cluster(catalogue);
    let apps = parallel::map_chunks(&catalogue.apps, |apps| {
        apps.iter().map(|app| compile_app(catalogue, app)).collect()
    });
    let mut summaries = Summaries::new();
    for c in &cluster {
        summaries.add_part(c.component.clone(), c.emitted.clone());
    }
    for c in &apps {
        summaries.add_app(c.component.clone(), c.emitted.clone());
    }
    let components = waves(catalogue, &summaries)?;
    Ok(Objects {
        cluster,
        apps,
        summaries,
        components,
    })
}

/// The objects of each cluster part (namespaces, storage and snapshot classes, CRDs, device
/// plugins, alerts, issuers), written under `generated/cluster/<part>/`: those of
/// [`compile_cluster_shared`], with every app's alerts ([`compile_app_alerts`]) in the
/// alerts part.
pub fn compile_cluster(catalogue: &Catalogue<'_>) -> Vec<Compiled> {
    let mut parts = compile_cluster_shared(catalogue, &pss::app_namespaces(catalogue));
    let alerts = ClusterPart::Alerts.app_name();
    if let Some(part) = parts.iter_mut().find(|c| c.component == alerts) {
        for app in &catalogue.apps {
            if let Some(own) = compile_app_alerts(catalogue, app) {
                part.absorb(own);
            }
        }
    }
    parts
}

/// One app's backup alerts, `backups-<app>` ([`backup::app_alerts`]): objects of the
/// alerts part (`cluster-alerts`, under `generated/cluster/alerts/`) that follow from the
/// app's file; `None` without backups. A renderer that streams app by app compiles them
/// with the app, so that every app's alerts are never held at once.
pub fn compile_app_alerts(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Option<Compiled> {
    let rule = backup::app_alerts(catalogue, app)?;
    let manifest = Manifest {
        dir: format!("{CLUSTER_DIR}/{}", ClusterPart::Alerts.key()),
        source: app.app.source.clone(),
        object: rule.into(),
    };
    Some(Compiled::new(
        ClusterPart::Alerts.app_name(),
        vec![manifest],
    ))
}

/// The cluster parts' objects as [`compile_cluster`] has them, without the apps' own alerts
/// ([`compile_app_alerts`]), with the app namespaces' Pod Security `levels` derived
/// ([`pss::app_namespaces`], which compiles every app's pods: the caller derives them once
/// and also reports their errors).
pub fn compile_cluster_shared(
    catalogue: &Catalogue<'_>,
    levels: &pss::NamespaceLevels,
) -> Vec<Compiled> {
    portkey_model::components::cluster_parts(catalogue.cluster, &catalogue.apps)
        .into_iter()
        .filter_map(|component| {
            let ComponentKind::Cluster(part) = component.kind else {
                return None;
            };
            Some(Compiled::new(
                component.name,
                cluster_objects(catalogue, part, levels),
            ))
        })
        .collect()
}

/// The objects of one app, written under `generated/<namespace>/<app>/` (its Application
/// follows once the waves are known: [`argocd::app_application`]).
pub fn compile_app(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Compiled {
    let mut out = Vec::with_capacity(8);
    app_objects(catalogue, app, &mut out);
    Compiled::new(app.app.name.clone(), out)
}

/// Metadata with portkey's labels (`app.kubernetes.io/name` when `app` is given, and
/// `managed-by`).
pub fn meta(name: &str, namespace: Option<&str>, app: Option<&str>) -> ObjectMeta {
    let mut labels = BTreeMap::new();
    if let Some(app) = app {
        labels.insert(NAME_LABEL.to_string(), app.to_string());
    }
    labels.insert(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string());
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}

/// The cluster-wide lint suppressions, as the annotations that record them.
pub(crate) fn cluster_lint_exceptions(catalogue: &Catalogue<'_>) -> BTreeMap<String, String> {
    catalogue
        .cluster
        .lint_exceptions
        .iter()
        .map(|(lint, reason)| {
            (
                format!("{}{}", portkey_model::app::LINT_EXCEPTION_PREFIX, lint.id()),
                reason.clone(),
            )
        })
        .collect()
}

pub(crate) fn app_dir(app: &ResolvedApp) -> String {
    format!("{}/{}", app.app.namespace.name(), app.app.name)
}

/// The objects of one cluster part.
fn cluster_objects(
    catalogue: &Catalogue<'_>,
    part: ClusterPart,
    levels: &pss::NamespaceLevels,
) -> Vec<Manifest> {
    let objects: Vec<Object> = match part {
        ClusterPart::Namespaces => namespaces(catalogue, levels),
        ClusterPart::Storage => storage(catalogue),
        ClusterPart::Devices => devices::device_plugins(catalogue),
        // Each app's own alerts are compiled with the app: `compile_app_alerts`.
        ClusterPart::Alerts => vec![backup::volsync_alerts(catalogue).into()],
        ClusterPart::Issuers => vec![issuer(catalogue).into()],
        ClusterPart::Network => network::objects(catalogue),
        ClusterPart::StoreTls => secrets::store_tls(catalogue),
        ClusterPart::Secrets => secrets::objects(catalogue),
    };
    let dir = format!("{CLUSTER_DIR}/{}", part.key());
    objects
        .into_iter()
        .map(|object| Manifest {
            dir: dir.clone(),
            source: catalogue.cluster.source.clone(),
            object,
        })
        .collect()
}

/// The apps' Namespaces, with Pod Security labels: `enforce` at the level derived from the
/// compiled pods (`levels`, [`pss::app_namespaces`]), `warn` and `audit` at `restricted`; and each
/// one's namespace-wide NetworkPolicies ([`network_policy::namespace_policies`]). A
/// Namespace that holds a claim also
/// carries [`argocd::KEEP_DATA`]: deleting it would delete its claims (a Delete-class claim's
/// volume with them), so neither a prune (a render that drops the app or the file) nor the
/// deletion of `cluster-namespaces` may remove it.
fn namespaces(catalogue: &Catalogue<'_>, levels: &pss::NamespaceLevels) -> Vec<Object> {
    let protected = protected_namespaces(catalogue);
    let namespaces: std::collections::BTreeSet<&str> = catalogue
        .apps
        .iter()
        .map(|a| a.app.namespace.name())
        .collect();
    let policies: Vec<Object> = namespaces
        .iter()
        .flat_map(|ns| network_policy::namespace_policies(catalogue, ns))
        .collect();
    let releases = portkey_model::components::release_namespaces(catalogue.cluster)
        .into_iter()
        .map(|ns| release_namespace(catalogue, ns).into());
    levels
        .levels
        .iter()
        .map(|(ns, level)| {
            let ns = ns.as_str();
            namespace(
                ns,
                pss::app_namespace_labels(*level),
                protected.contains(ns),
            )
            .into()
        })
        .chain(releases)
        .chain(policies)
        .collect()
}

/// A chart release's namespace that `cluster-namespaces` creates
/// ([`portkey_model::components::release_namespaces`]): with the Pod Security labels the
/// release would set (its declared level, [`pod_security_labels`]) and
/// [`argocd::KEEP_DATA`], since it holds the Secret a person creates by hand (the secret
/// store's credential), which no sync could bring back.
fn release_namespace(catalogue: &Catalogue<'_>, ns: &str) -> Namespace {
    let level = catalogue
        .charts
        .iter()
        .find(|c| c.namespace == ns)
        .map_or(PodSecurity::Baseline, |c| c.pod_security);
    namespace(ns, pod_security_labels(level), true)
}

/// The Namespace `ns` with its Pod Security `labels`, and [`argocd::KEEP_DATA`] when it
/// `keeps` data no sync could bring back.
fn namespace(ns: &str, labels: BTreeMap<String, String>, keeps: bool) -> Namespace {
    let mut m = meta(ns, None, None);
    m.labels.get_or_insert_with(BTreeMap::new).extend(labels);
    if keeps {
        m.annotations = Some(BTreeMap::from([(
            argocd::SYNC_OPTIONS.to_string(),
            argocd::KEEP_DATA.to_string(),
        )]));
    }
    Namespace {
        metadata: m,
        ..Namespace::default()
    }
}

/// The app namespaces that hold a claim, so carry [`argocd::KEEP_DATA`].
pub fn protected_namespaces<'c>(
    catalogue: &'c Catalogue<'_>,
) -> std::collections::BTreeSet<&'c str> {
    catalogue
        .apps
        .iter()
        .filter(|a| !a.claims.is_empty())
        .map(|a| a.app.namespace.name())
        .collect()
}

/// Whether `claim` of `app` carries [`argocd::KEEP_DATA`]: it is on a Retain class, or the
/// app is critical.
pub fn keeps_claim(app: &ResolvedApp, claim: &ResolvedClaim) -> bool {
    claim.reclaim == Reclaim::Retain || app.app.critical.is_some()
}

/// The Pod Security admission labels of a namespace at `level`.
pub fn pod_security_labels(level: PodSecurity) -> BTreeMap<String, String> {
    ["enforce", "audit", "warn"]
        .into_iter()
        .map(|mode| {
            (
                format!("pod-security.kubernetes.io/{mode}"),
                level.as_str().to_string(),
            )
        })
        .collect()
}

/// The annotation that makes a StorageClass the cluster's default
/// (<https://kubernetes.io/docs/tasks/administer-cluster/change-default-storage-class/>).
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";

fn storage(catalogue: &Catalogue<'_>) -> Vec<Object> {
    let mut out: Vec<Object> = catalogue
        .cluster
        .storage_classes
        .iter()
        .filter(|c| c.managed)
        .map(|class| {
            let mut metadata = meta(&class.name, None, None);
            if class.name == catalogue.cluster.default_storage_class.name() {
                // Claims that name no class (a chart's, say) get this one; without the
                // annotation the cluster has no default once BOOTSTRAP has removed the
                // class the Rook import created.
                metadata.annotations = Some(BTreeMap::from([(
                    DEFAULT_CLASS_ANNOTATION.to_string(),
                    "true".to_string(),
                )]));
            }
            StorageClass {
                metadata,
                provisioner: class.provisioner.clone(),
                parameters: Some(class.parameters.iter().cloned().collect()),
                reclaim_policy: Some(
                    match class.reclaim {
                        Reclaim::Delete => "Delete",
                        Reclaim::Retain => "Retain",
                    }
                    .into(),
                ),
                allow_volume_expansion: Some(true),
                // Immediate: a claim binds without waiting for a pod, so Argo CD's wave
                // gating (PVC healthy = Bound) cannot deadlock (argo-cd#12840).
                volume_binding_mode: Some("Immediate".into()),
                ..StorageClass::default()
            }
            .into()
        })
        .collect();
    if backup::any_backups(catalogue) {
        out.push(backup::volume_populator_crd().into());
        out.push(backup::snapshot_class(catalogue).into());
    }
    out
}

fn issuer(catalogue: &Catalogue<'_>) -> crate::crd::cert_manager::ClusterIssuer {
    use crate::crd::cert_manager::{
        Acme, ClusterIssuer, ClusterIssuerSpec, Dns01, Dns01Cloudflare, Http01, Http01Ingress,
        SecretKeyRef, SecretRef, Solver,
    };
    use portkey_model::network::AcmeChallenge;
    let settings = &catalogue.cluster.ingress;
    let solver = match &settings.challenge {
        AcmeChallenge::Http01 => Solver {
            http01: Some(Http01 {
                ingress: Http01Ingress {
                    ingress_class_name: settings.class.clone(),
                },
            }),
            dns01: None,
        },
        AcmeChallenge::Dns01Cloudflare {
            api_token_secret,
            key,
        } => Solver {
            http01: None,
            dns01: Some(Dns01 {
                cloudflare: Dns01Cloudflare {
                    api_token_secret_ref: SecretKeyRef {
                        name: api_token_secret.clone(),
                        key: key.clone(),
                    },
                },
            }),
        },
    };
    let mut issuer = ClusterIssuer::new(
        &settings.cluster_issuer,
        ClusterIssuerSpec {
            acme: Acme {
                server: settings.acme_server.clone(),
                email: settings.acme_email.clone(),
                private_key_secret_ref: SecretRef {
                    name: format!("{}-account-key", settings.cluster_issuer),
                },
                solvers: vec![solver],
            },
        },
    );
    issuer.metadata = meta(&settings.cluster_issuer, None, None);
    issuer
}

fn app_objects(catalogue: &Catalogue<'_>, app: &ResolvedApp, out: &mut Vec<Manifest>) {
    let dir = app_dir(app);
    let source = app.app.source.clone();
    let mut push = |object: Object| {
        out.push(Manifest {
            dir: dir.clone(),
            source: source.clone(),
            object,
        });
    };
    if let Some(cm) = workload::config_map(app) {
        push(cm.into());
    }
    for claim in &app.claims {
        push(pvc(app, claim).into());
        if let Some(es) = backup::repository_secret(catalogue, app, claim) {
            push(es.into());
        }
        if let Some(rs) = backup::replication_source(catalogue, app, claim) {
            push(rs.into());
        }
        if let Some(rd) = backup::replication_destination(catalogue, app, claim) {
            push(rd.into());
        }
    }
    push(workload::workload(catalogue, app));
    if !app.app.ports.is_empty() {
        push(service(app).into());
    }
    if let Some(lan) = lan_service(app) {
        push(lan.into());
    }
    if let Some(ing) = ingress(catalogue, app) {
        push(ing.into());
    }
    if let Some(monitor) = metrics::service_monitor(catalogue, app) {
        push(monitor.into());
    }
    push(network_policy::app_policy(catalogue, app).into());
}

fn pvc(
    app: &ResolvedApp,
    claim: &ResolvedClaim,
) -> k8s_openapi::api::core::v1::PersistentVolumeClaim {
    let ns = app.app.namespace.name();
    let mut metadata = meta(&claim.name, Some(ns), Some(&app.app.name));
    let (data_source, data_source_ref) = backup::data_source(claim).unzip();
    if keeps_claim(app, claim) {
        metadata.annotations = Some(BTreeMap::from([(
            argocd::SYNC_OPTIONS.to_string(),
            argocd::KEEP_DATA.to_string(),
        )]));
    }
    k8s_openapi::api::core::v1::PersistentVolumeClaim {
        metadata,
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![claim.access.as_str().into()]),
            storage_class_name: Some(claim.storage_class.clone()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_string(),
                    Quantity(claim.size.to_string()),
                )])),
                ..VolumeResourceRequirements::default()
            }),
            data_source,
            data_source_ref,
            ..PersistentVolumeClaimSpec::default()
        }),
        ..Default::default()
    }
}

fn service(app: &ResolvedApp) -> Service {
    service_for(
        app,
        &app.app.name,
        app.app.service == ServiceExposure::Lan,
        |_| true,
    )
}

/// The Service `<app>-lan` for the ports marked `.lan()` (unless the whole app is on the LAN).
fn lan_service(app: &ResolvedApp) -> Option<Service> {
    (app.app.service != ServiceExposure::Lan && app.app.ports.iter().any(|p| p.lan))
        .then(|| service_for(app, &format!("{}-lan", app.app.name), true, |p| p.lan))
}

/// The name of the app's Service of type `LoadBalancer`: the app's own Service after
/// `.lan()`, `<app>-lan` for ports marked `.lan()`, `None` without LAN ports.
pub fn lan_service_name(app: &ResolvedApp) -> Option<String> {
    if app.app.service == ServiceExposure::Lan {
        Some(app.app.name.clone())
    } else {
        app.app
            .ports
            .iter()
            .any(|p| p.lan)
            .then(|| format!("{}-lan", app.app.name))
    }
}

fn service_for(
    app: &ResolvedApp,
    name: &str,
    lan: bool,
    include: impl Fn(&portkey_model::app::Port) -> bool,
) -> Service {
    let ns = app.app.namespace.name();
    let mut metadata = meta(name, Some(ns), Some(&app.app.name));
    if lan {
        metadata.annotations = network::address_annotations(app.app.lan_address.as_deref());
    }
    Service {
        metadata,
        spec: Some(ServiceSpec {
            type_: lan.then(|| "LoadBalancer".into()),
            external_traffic_policy: lan.then(|| "Local".into()),
            selector: Some(BTreeMap::from([(
                NAME_LABEL.to_string(),
                app.app.name.clone(),
            )])),
            ports: Some(
                app.app
                    .ports
                    .iter()
                    .filter(|p| include(p))
                    .map(|p| ServicePort {
                        name: Some(p.name.clone()),
                        port: i32::from(p.port),
                        target_port: Some(IntOrString::String(p.name.clone())),
                        protocol: (p.protocol == Protocol::Udp).then(|| "UDP".into()),
                        ..ServicePort::default()
                    })
                    .collect(),
            ),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn ingress(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Option<Ingress> {
    let https = app.app.https.as_ref()?;
    let port = app.app.ports.first()?;
    let settings = &catalogue.cluster.ingress;
    let host = format!("{}.{}", https.host, catalogue.cluster.domain);
    let mut metadata = meta(
        &app.app.name,
        Some(app.app.namespace.name()),
        Some(&app.app.name),
    );
    let mut annotations = BTreeMap::from([(
        crate::crd::cert_manager::cluster_issuer_annotation(),
        settings.cluster_issuer.clone(),
    )]);
    annotations.extend(https.annotations.iter().cloned());
    metadata.annotations = Some(annotations);
    Some(Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: Some(settings.class.clone()),
            tls: Some(vec![IngressTLS {
                hosts: Some(vec![host.clone()]),
                secret_name: Some(format!("{}-tls", app.app.name)),
            }]),
            rules: Some(vec![IngressRule {
                host: Some(host),
                http: Some(HTTPIngressRuleValue {
                    paths: vec![HTTPIngressPath {
                        path: Some("/".into()),
                        path_type: "Prefix".into(),
                        backend: IngressBackend {
                            service: Some(IngressServiceBackend {
                                name: app.app.name.clone(),
                                port: Some(ServiceBackendPort {
                                    name: Some(port.name.clone()),
                                    number: None,
                                }),
                            }),
                            resource: None,
                        },
                    }],
                }),
            }]),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    })
}

pub use argocd::application;
