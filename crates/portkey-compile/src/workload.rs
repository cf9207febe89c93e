//! The app's workload: a Deployment or StatefulSet with one container, secure by default.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMap, ConfigMapVolumeSource, Container, ContainerPort,
    EmptyDirVolumeSource, EnvVar, EnvVarSource, ExecAction, HTTPGetAction, NFSVolumeSource,
    NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SeccompProfile, SecretKeySelector, SecretVolumeSource, SecurityContext,
    TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use portkey_model::app::{
    EXCEPTION_PREFIX, EnvValue, Exception, LINT_EXCEPTION_PREFIX, Lint, NfsMount, ProbeCheck,
    Protocol, Scratch, VolumeSource,
};
use portkey_model::resolve::{Catalogue, ResolvedApp};

use crate::{NAME_LABEL, Object, meta};

/// Volume name of the generated ConfigMap.
const CONFIG_VOLUME: &str = "config-files";

pub(crate) fn config_map(app: &ResolvedApp) -> Option<ConfigMap> {
    if app.app.config_files.is_empty() {
        return None;
    }
    let data = app
        .app
        .config_files
        .iter()
        .map(|f| (file_name(&f.path).to_string(), f.content.clone()))
        .collect();
    Some(ConfigMap {
        metadata: meta(
            &format!("{}-config", app.app.name),
            Some(app.app.namespace.name()),
            Some(&app.app.name),
        ),
        data: Some(data),
        ..ConfigMap::default()
    })
}

/// Pod annotation carrying a hash of the app's config files: editing a file changes the pod
/// template, so the pods restart and read it (files mounted with `subPath` never update).
pub const CONFIG_HASH: &str = "portkey.dev/config-hash";

fn config_hash(app: &ResolvedApp) -> Option<String> {
    if app.app.config_files.is_empty() {
        return None;
    }
    let mut bytes = Vec::new();
    for f in &app.app.config_files {
        bytes.extend_from_slice(f.path.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(f.content.as_bytes());
        bytes.push(0);
    }
    Some(format!("{:016x}", portkey_model::backup::fnv1a(&bytes)))
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(crate) fn workload(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Object {
    let name = &app.app.name;
    let ns = app.app.namespace.name();
    let selector = BTreeMap::from([(NAME_LABEL.to_string(), name.clone())]);
    let mut metadata = meta(name, Some(ns), Some(name));
    let mut annotations: BTreeMap<String, String> = app.app.annotations.iter().cloned().collect();
    for (exception, reason) in &app.app.security.exceptions {
        annotations.insert(
            format!("{EXCEPTION_PREFIX}{}", exception.key()),
            reason.clone(),
        );
    }
    annotations.extend(crate::cluster_lint_exceptions(catalogue));
    for (lint, reason) in &app.app.lint_exceptions {
        annotations.insert(
            format!("{LINT_EXCEPTION_PREFIX}{}", lint.id()),
            reason.clone(),
        );
    }
    if let Some(reason) = &app.app.probes.disabled {
        annotations.insert(
            format!("{LINT_EXCEPTION_PREFIX}{}", Lint::Probes.id()),
            reason.clone(),
        );
    }
    if let Some((_, reason)) = app.app.pin.as_deref() {
        annotations.insert("portkey.dev/pinned".into(), reason.clone());
    }
    if !annotations.is_empty() {
        metadata.annotations = Some(annotations);
    }
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(selector.clone()),
            annotations: config_hash(app).map(|h| BTreeMap::from([(CONFIG_HASH.to_string(), h)])),
            ..ObjectMeta::default()
        }),
        spec: Some(pod_spec(catalogue, app)),
    };
    let selector = LabelSelector {
        match_labels: Some(selector),
        ..LabelSelector::default()
    };
    let replicas = Some(1);
    match app.app.workload {
        portkey_model::app::Workload::Deployment => Deployment {
            metadata,
            spec: Some(DeploymentSpec {
                replicas,
                revision_history_limit: Some(3),
                selector,
                strategy: Some(DeploymentStrategy {
                    type_: Some(
                        if app.has_rwo_claim() {
                            "Recreate"
                        } else {
                            "RollingUpdate"
                        }
                        .into(),
                    ),
                    ..DeploymentStrategy::default()
                }),
                template,
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        }
        .into(),
        portkey_model::app::Workload::StatefulSet => StatefulSet {
            metadata,
            spec: Some(StatefulSetSpec {
                replicas,
                revision_history_limit: Some(3),
                selector,
                service_name: Some(name.clone()),
                template,
                ..StatefulSetSpec::default()
            }),
            ..StatefulSet::default()
        }
        .into(),
    }
}

pub(crate) fn pod_spec(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> PodSpec {
    let a = &app.app;
    let root = app.runs_as_root;
    let mut init_containers = Vec::new();
    for dep in a.dependencies.iter().filter(|d| d.wait_at_startup) {
        if let Some(other) = catalogue.apps.iter().find(|o| o.app.name == dep.app)
            && let Some(port) = other.app.ports.first()
        {
            let host = format!(
                "{}.{}.svc.cluster.local",
                other.app.name,
                other.app.namespace.name()
            );
            init_containers.push(Container {
                name: format!("wait-for-{}", other.app.name),
                image: Some(catalogue.cluster.defaults.wait_image.clone()),
                command: Some(vec![
                    "sh".into(),
                    "-c".into(),
                    format!(
                        "until nc -z -w 2 {host} {port}; do echo waiting for {host}:{port}; sleep 2; done",
                        port = port.port
                    ),
                ]),
                resources: Some(ResourceRequirements {
                    requests: Some(BTreeMap::from([
                        ("cpu".into(), Quantity("10m".into())),
                        ("memory".into(), Quantity("16Mi".into())),
                    ])),
                    limits: Some(BTreeMap::from([("memory".into(), Quantity("16Mi".into()))])),
                    ..ResourceRequirements::default()
                }),
                security_context: Some(container_security(a, false)),
                ..Container::default()
            });
        }
    }
    PodSpec {
        affinity: app.nodes.clone().map(hostname_affinity),
        automount_service_account_token: Some(false),
        enable_service_links: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(!root),
            run_as_user: (!root).then_some(app.uid),
            run_as_group: (!root).then_some(app.gid),
            fs_group: Some(app.gid),
            fs_group_change_policy: Some("OnRootMismatch".into()),
            supplemental_groups: (!app.supplemental_groups.is_empty())
                .then(|| app.supplemental_groups.clone()),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..SeccompProfile::default()
            }),
            ..PodSecurityContext::default()
        }),
        init_containers: (!init_containers.is_empty()).then_some(init_containers),
        containers: std::iter::once(container(catalogue, app))
            .chain(
                a.background_jobs
                    .iter()
                    .map(|job| background_job(catalogue, app, job)),
            )
            .collect(),
        volumes: volumes(catalogue, app),
        ..PodSpec::default()
    }
}

/// Required node affinity to these nodes, by `kubernetes.io/hostname`.
pub(crate) fn hostname_affinity(nodes: Vec<String>) -> Affinity {
    Affinity {
        node_affinity: Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: "kubernetes.io/hostname".into(),
                        operator: "In".into(),
                        values: Some(nodes),
                    }]),
                    ..NodeSelectorTerm::default()
                }],
            }),
            ..NodeAffinity::default()
        }),
        ..Affinity::default()
    }
}

fn container_security(a: &portkey_model::app::App, main: bool) -> SecurityContext {
    let allowed = |e: &Exception| main && a.security.exceptions.iter().any(|(x, _)| x == e);
    let caps: Vec<String> = if main {
        a.security
            .exceptions
            .iter()
            .filter_map(|(e, _)| match e {
                Exception::Capability(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    } else {
        Vec::new()
    };
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(!allowed(&Exception::WritableRootFilesystem)),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: (!caps.is_empty()).then_some(caps),
        }),
        ..SecurityContext::default()
    }
}

fn resources(app: &ResolvedApp) -> ResourceRequirements {
    let mut requests = BTreeMap::from([
        ("cpu".to_string(), Quantity(app.cpu_request.to_string())),
        (
            "memory".to_string(),
            Quantity(app.memory_request.to_string()),
        ),
    ]);
    let mut limits =
        BTreeMap::from([("memory".to_string(), Quantity(app.memory_limit.to_string()))]);
    if let Some(cpu) = app.cpu_limit {
        limits.insert("cpu".into(), Quantity(cpu.to_string()));
    }
    for r in &app.extended_resources {
        requests.insert(r.clone(), Quantity("1".into()));
        limits.insert(r.clone(), Quantity("1".into()));
    }
    ResourceRequirements {
        requests: Some(requests),
        limits: Some(limits),
        ..ResourceRequirements::default()
    }
}

/// The app's environment, then `TZ` from the cluster defaults unless the app sets it.
fn env_vars(catalogue: &Catalogue<'_>, a: &portkey_model::app::App) -> Vec<EnvVar> {
    let tz = portkey_model::app::Env {
        name: "TZ".into(),
        value: EnvValue::Plain(catalogue.cluster.defaults.timezone.clone()),
    };
    let default_tz = (!a.env.iter().any(|e| e.name == "TZ")).then_some(&tz);
    a.env
        .iter()
        .chain(default_tz)
        .map(|e| match &e.value {
            EnvValue::Plain(v) => EnvVar {
                name: e.name.clone(),
                value: Some(v.clone()),
                value_from: None,
            },
            EnvValue::Secret(s) => EnvVar {
                name: e.name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: s.secret.clone(),
                        key: s.key.clone(),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                }),
            },
        })
        .collect()
}

/// Volume name of the Secret `secret` mounted for the app's secret files.
fn secret_volume(secret: &str) -> String {
    format!("secret-{secret}")
}

/// The app's mounts: its volumes, its config files, then its secret files.
fn mounts(a: &portkey_model::app::App) -> Vec<VolumeMount> {
    let mut mounts: Vec<VolumeMount> = a
        .volumes
        .iter()
        .map(|v| VolumeMount {
            name: v.name.clone(),
            mount_path: v.mount_path.clone(),
            read_only: v.read_only.then_some(true),
            ..VolumeMount::default()
        })
        .collect();
    for f in &a.config_files {
        mounts.push(VolumeMount {
            name: CONFIG_VOLUME.into(),
            mount_path: f.path.clone(),
            sub_path: Some(file_name(&f.path).into()),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    for f in &a.secret_files {
        mounts.push(VolumeMount {
            name: secret_volume(&f.key.secret),
            mount_path: f.path.clone(),
            sub_path: Some(f.key.key.clone()),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    mounts
}

/// A background job's container: the app's image, environment and mounts, the job's loop
/// as its command, its own user (non-root) when it declares one, no capabilities.
fn background_job(
    catalogue: &Catalogue<'_>,
    app: &ResolvedApp,
    job: &portkey_model::app::BackgroundJob,
) -> Container {
    let a = &app.app;
    let env = env_vars(catalogue, a);
    let mounts = mounts(a);
    let check = Probe {
        exec: Some(ExecAction {
            command: Some(job.probe_command()),
        }),
        period_seconds: Some(60),
        ..Probe::default()
    };
    let mut security = container_security(a, false);
    if let Some((uid, gid)) = job.run_as {
        security.run_as_non_root = Some(true);
        security.run_as_user = Some(uid);
        security.run_as_group = Some(gid);
    }
    Container {
        name: job.name.clone(),
        image: Some(app.app.image.clone()),
        command: Some(vec!["sh".into(), "-c".into(), job.script()]),
        env: (!env.is_empty()).then_some(env),
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".into(), Quantity(job.cpu_request.to_string())),
                ("memory".into(), Quantity(job.memory_request.to_string())),
            ])),
            limits: Some(BTreeMap::from([(
                "memory".into(),
                Quantity(job.memory_limit.to_string()),
            )])),
            ..ResourceRequirements::default()
        }),
        liveness_probe: Some(check.clone()),
        readiness_probe: Some(check),
        security_context: Some(security),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        ..Container::default()
    }
}

fn container(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Container {
    let a = &app.app;
    let env = env_vars(catalogue, a);
    let mounts = mounts(a);
    let probes_on = a.probes.disabled.is_none();
    let default_probe = (probes_on && !a.ports.is_empty()).then(portkey_model::app::Probe::tcp);
    let liveness = a.probes.liveness.as_deref().or(default_probe.as_ref());
    let readiness = a.probes.readiness.as_deref().or(default_probe.as_ref());
    Container {
        name: a.name.clone(),
        image: Some(app.app.image.clone()),
        command: (!a.command.is_empty()).then(|| a.command.clone()),
        args: (!a.args.is_empty()).then(|| a.args.clone()),
        ports: (!a.ports.is_empty()).then(|| {
            a.ports
                .iter()
                .map(|p| ContainerPort {
                    name: Some(p.name.clone()),
                    container_port: i32::from(p.port),
                    protocol: (p.protocol == Protocol::Udp).then(|| "UDP".into()),
                    ..ContainerPort::default()
                })
                .collect()
        }),
        env: (!env.is_empty()).then_some(env),
        resources: Some(resources(app)),
        startup_probe: probes_on
            .then(|| a.probes.startup.as_ref().map(|p| probe(app, p)))
            .flatten(),
        liveness_probe: probes_on
            .then(|| liveness.as_ref().map(|p| probe(app, p)))
            .flatten(),
        readiness_probe: probes_on
            .then(|| readiness.as_ref().map(|p| probe(app, p)))
            .flatten(),
        security_context: Some(container_security(a, true)),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        ..Container::default()
    }
}

fn probe(app: &ResolvedApp, p: &portkey_model::app::Probe) -> Probe {
    let port = app
        .app
        .ports
        .first()
        .map_or(IntOrString::Int(0), |p| IntOrString::String(p.name.clone()));
    let mut out = Probe {
        failure_threshold: p
            .failure_threshold
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        period_seconds: p
            .period_seconds
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        ..Probe::default()
    };
    match &p.check {
        ProbeCheck::Http(path) => {
            out.http_get = Some(HTTPGetAction {
                path: Some(path.clone()),
                port,
                http_headers: p.host_header.as_ref().map(|h| {
                    vec![k8s_openapi::api::core::v1::HTTPHeader {
                        name: "Host".into(),
                        value: h.clone(),
                    }]
                }),
                ..HTTPGetAction::default()
            });
        }
        ProbeCheck::Tcp => {
            out.tcp_socket = Some(TCPSocketAction { port, host: None });
        }
        ProbeCheck::Exec(cmd) => {
            out.exec = Some(ExecAction {
                command: Some(cmd.clone()),
            });
        }
    }
    out
}

fn volumes(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Option<Vec<Volume>> {
    let cluster_claims = &app.claims;
    let mut out: Vec<Volume> = Vec::new();
    for v in &app.app.volumes {
        let mut vol = Volume {
            name: v.name.clone(),
            ..Volume::default()
        };
        match &v.source {
            VolumeSource::Claim(_) => {
                let claim = cluster_claims
                    .iter()
                    .find(|c| c.volume == v.name)
                    .map(|c| c.name.clone());
                vol.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim.unwrap_or_default(),
                    read_only: v.read_only.then_some(true),
                });
            }
            VolumeSource::Nfs(NfsMount { share, sub_path }) => {
                vol.nfs = Some(nfs(catalogue, *share, sub_path.as_deref(), v.read_only));
            }
            VolumeSource::EmptyDir(Scratch { memory, size_limit }) => {
                vol.empty_dir = Some(EmptyDirVolumeSource {
                    medium: memory.then(|| "Memory".into()),
                    size_limit: size_limit.map(|s| Quantity(s.to_string())),
                });
            }
        }
        out.push(vol);
    }
    if !app.app.config_files.is_empty() {
        out.push(Volume {
            name: CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: format!("{}-config", app.app.name),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    let secrets: std::collections::BTreeSet<&str> = app
        .app
        .secret_files
        .iter()
        .map(|f| f.key.secret.as_str())
        .collect();
    for secret in secrets {
        out.push(Volume {
            name: secret_volume(secret),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.into()),
                // 0440: the pod's fsGroup reads it, nobody else.
                default_mode: Some(0o440),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    (!out.is_empty()).then_some(out)
}

fn nfs(
    catalogue: &Catalogue<'_>,
    share: portkey_model::cluster::NfsShareRef,
    sub: Option<&str>,
    read_only: bool,
) -> NFSVolumeSource {
    // Invariant: resolution reports an unknown share, so a resolved app's share exists.
    let share = catalogue
        .cluster
        .nfs_share(share)
        .expect("resolved NFS share");
    let path = match sub {
        Some(sub) => format!("{}/{sub}", share.path.trim_end_matches('/')),
        None => share.path.clone(),
    };
    NFSVolumeSource {
        server: share.server.clone(),
        path,
        read_only: read_only.then_some(true),
    }
}
