//! Compiles a resolved portkey catalogue into typed objects: Kubernetes core objects from
//! `k8s-openapi`, and the Volsync and Argo CD custom resources in [`crd`].
//!
//! Compilation is a pure function of the [`Catalogue`]: same input, same objects, same order.

pub mod backup;
pub mod crd;
pub mod devices;
mod object;
pub mod parallel;
mod workload;

pub use object::{Manifest, Object};

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
use portkey_model::app::{Protocol, ServiceExposure};
use portkey_model::cluster::Reclaim;
use portkey_model::resolve::{Catalogue, ResolvedApp, ResolvedClaim};

use crate::crd::argocd::{
    Application, ApplicationDestination, ApplicationSource, ApplicationSpec, Automated, SyncPolicy,
};

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
/// Name of the Application that syncs [`CLUSTER_DIR`].
pub const CLUSTER_APP: &str = "portkey-cluster";
/// Name of the root app-of-apps.
pub const ROOT_APP: &str = "portkey-root";
/// Where `generated/` sits in the Git repository.
pub const GENERATED_PATH: &str = "generated";
/// Source recorded for cluster-level objects.
pub const CLUSTER_SOURCE: &str = "cluster.rs";

/// Compiles the catalogue into manifests, in a deterministic order.
///
/// This is [`compile_shared`] followed by [`compile_app`] for every app; callers that
/// serialize as they go (the renderer) call those two directly, app by app.
pub fn compile(catalogue: &Catalogue<'_>) -> Vec<Manifest> {
    let mut out = compile_shared(catalogue);
    out.extend(parallel::map_chunks(&catalogue.apps, |apps| {
        apps.iter()
            .flat_map(|app| compile_app(catalogue, app))
            .collect()
    }));
    out
}

/// The objects that belong to no single app: cluster-wide pieces (namespaces, storage and
/// snapshot classes, CRDs, alerts) and the Argo CD Applications.
pub fn compile_shared(catalogue: &Catalogue<'_>) -> Vec<Manifest> {
    let mut out = Vec::with_capacity(catalogue.apps.len() + 16);
    cluster_objects(catalogue, &mut out);
    argocd_objects(catalogue, &mut out);
    out
}

/// The objects of one app, written under `generated/<namespace>/<app>/`.
pub fn compile_app(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Vec<Manifest> {
    let mut out = Vec::with_capacity(8);
    app_objects(catalogue, app, &mut out);
    out
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

fn cluster_objects(catalogue: &Catalogue<'_>, out: &mut Vec<Manifest>) {
    let mut push = |object: Object| {
        out.push(Manifest {
            dir: CLUSTER_DIR.into(),
            source: CLUSTER_SOURCE.into(),
            object,
        });
    };
    for plugin in devices::device_plugins(catalogue) {
        push(plugin);
    }
    if backup::any_backups(catalogue) {
        push(backup::volume_populator_crd().into());
        push(backup::snapshot_class(catalogue).into());
        push(backup::alerts(catalogue).into());
    }
    let namespaces: std::collections::BTreeSet<&str> = catalogue
        .apps
        .iter()
        .map(|a| a.app.namespace.name())
        .collect();
    for ns in namespaces {
        let mut m = meta(ns, None, None);
        let labels = m.labels.get_or_insert_with(BTreeMap::new);
        for mode in ["enforce", "audit", "warn"] {
            labels.insert(
                format!("pod-security.kubernetes.io/{mode}"),
                "baseline".into(),
            );
        }
        out.push(Manifest {
            dir: CLUSTER_DIR.into(),
            source: CLUSTER_SOURCE.into(),
            object: Namespace {
                metadata: m,
                ..Namespace::default()
            }
            .into(),
        });
    }
    for class in catalogue
        .cluster
        .storage_classes
        .iter()
        .filter(|c| c.managed)
    {
        out.push(Manifest {
            dir: CLUSTER_DIR.into(),
            source: CLUSTER_SOURCE.into(),
            object: StorageClass {
                metadata: meta(&class.name, None, None),
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
                volume_binding_mode: Some("Immediate".into()),
                ..StorageClass::default()
            }
            .into(),
        });
    }
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
    if let Some(ing) = ingress(catalogue, app) {
        push(ing.into());
    }
}

fn pvc(
    app: &ResolvedApp,
    claim: &ResolvedClaim,
) -> k8s_openapi::api::core::v1::PersistentVolumeClaim {
    let ns = app.app.namespace.name();
    let mut metadata = meta(&claim.name, Some(ns), Some(&app.app.name));
    let (data_source, data_source_ref) = backup::data_source(claim).unzip();
    if claim.reclaim == Reclaim::Retain || app.app.critical.is_some() {
        metadata.annotations = Some(BTreeMap::from([(
            "argocd.argoproj.io/sync-options".to_string(),
            "Prune=false,Delete=false".to_string(),
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
    let ns = app.app.namespace.name();
    let lan = app.app.service == ServiceExposure::Lan;
    Service {
        metadata: meta(&app.app.name, Some(ns), Some(&app.app.name)),
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
        "cert-manager.io/cluster-issuer".to_string(),
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

fn application(
    catalogue: &Catalogue<'_>,
    name: &str,
    path: &str,
    namespace: &str,
    wave: i32,
) -> Application {
    let mut app = Application::new(
        name,
        ApplicationSpec {
            project: "default".into(),
            source: ApplicationSource {
                repo_url: catalogue.cluster.git.repo_url.clone(),
                target_revision: catalogue.cluster.git.revision.clone(),
                path: Some(path.into()),
                directory: None,
            },
            destination: ApplicationDestination {
                server: "https://kubernetes.default.svc".into(),
                namespace: Some(namespace.into()),
            },
            sync_policy: Some(SyncPolicy {
                automated: Some(Automated {
                    prune: Some(true),
                    self_heal: Some(true),
                }),
                sync_options: vec!["CreateNamespace=true".into(), "PruneLast=true".into()],
            }),
        },
    );
    let mut metadata = meta(name, Some(ARGOCD_NAMESPACE), None);
    metadata.annotations = Some(BTreeMap::from([(
        "argocd.argoproj.io/sync-wave".to_string(),
        wave.to_string(),
    )]));
    metadata.finalizers = Some(vec!["resources-finalizer.argocd.argoproj.io".into()]);
    app.metadata = metadata;
    app
}

fn argocd_objects(catalogue: &Catalogue<'_>, out: &mut Vec<Manifest>) {
    out.push(Manifest {
        dir: ARGOCD_DIR.into(),
        source: CLUSTER_SOURCE.into(),
        object: application(
            catalogue,
            CLUSTER_APP,
            &format!("{GENERATED_PATH}/{CLUSTER_DIR}"),
            "default",
            -1,
        )
        .into(),
    });
    for app in &catalogue.apps {
        out.push(Manifest {
            dir: ARGOCD_DIR.into(),
            source: app.app.source.clone(),
            object: application(
                catalogue,
                &app.app.name,
                &format!("{GENERATED_PATH}/{}", app_dir(app)),
                app.app.namespace.name(),
                0,
            )
            .into(),
        });
    }
    let mut root = application(
        catalogue,
        ROOT_APP,
        &format!("{GENERATED_PATH}/{ARGOCD_DIR}"),
        ARGOCD_NAMESPACE,
        0,
    );
    if let Some(a) = root.metadata.annotations.as_mut() {
        a.clear();
    }
    root.metadata.annotations = None;
    out.push(Manifest {
        dir: BOOTSTRAP_DIR.into(),
        source: CLUSTER_SOURCE.into(),
        object: root.into(),
    });
}
