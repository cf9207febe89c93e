//! Backups and restores from one declaration per volume (Volsync restic), built from the
//! model's [`ResolvedBackup`] and nothing else:
//!
//! - a `ReplicationSource` `<claim>` on the policy's schedule;
//! - every temporary claim Volsync makes (the source's snapshot copy, the restic caches,
//!   the destination's restored volume) on [`ResolvedBackup::temporary_class`], a class
//!   that deletes its volumes: `storageClassName` and `cacheStorageClassName` are always
//!   set, since Volsync's defaults fall back to the source claim's class, which may be
//!   Retain (field-reference b1);
//! - a `ReplicationDestination` `<claim>-dst` (`trigger.manual: restore-once`,
//!   `copyMethod: Snapshot`) that the claim names in `dataSourceRef`, so on a fresh cluster
//!   the claim is populated from the newest backup before the app starts;
//! - an `ExternalSecret` for the repository Secret when the cluster declares a store;
//! - cluster pieces: the Ceph `VolumeSnapshotClass`, the `VolumePopulator` CRD Volsync needs
//!   to register as a populator, and the alerts.

use std::collections::BTreeMap;

use k8s_openapi::Resource as _;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec,
    SeccompProfile, SecurityContext, TypedLocalObjectReference, TypedObjectReference, Volume,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceColumnDefinition, CustomResourceDefinition, CustomResourceDefinitionNames,
    CustomResourceDefinitionSpec, CustomResourceDefinitionVersion, CustomResourceValidation,
    JSONSchemaProps,
};
use portkey_model::backup::ResolvedBackup;
use portkey_model::resolve::{Catalogue, ResolvedApp, ResolvedClaim};

use crate::crd::external_secrets::{
    Data, ExternalSecret, ExternalSecretSpec, RemoteRef, SecretStoreRef, Target, Template,
};
use crate::crd::monitoring::{PrometheusRule, PrometheusRuleSpec, Rule, RuleGroup};
use crate::crd::populator;
use crate::crd::snapshot::VolumeSnapshotClass;
use crate::crd::volsync::{
    MoverSecurityContext, ReplicationDestination, ReplicationDestinationSpec, ReplicationSource,
    ReplicationSourceSpec, ResticDestination, ResticSource, Retain, Trigger,
};
use crate::{GENERATED_PATH, meta};

/// The mover pods' security context: the UID/GID that owns the app's data (also for apps
/// whose image starts as root and drops to that user), non-root and with the runtime's
/// default seccomp profile, so that the movers pass the namespace's Pod Security level
/// (see [`mover_pod`]).
pub fn mover(app: &ResolvedApp) -> MoverSecurityContext {
    MoverSecurityContext {
        run_as_user: Some(app.uid),
        run_as_group: Some(app.gid),
        fs_group: Some(app.gid),
        run_as_non_root: (app.uid != 0).then_some(true),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..SeccompProfile::default()
        }),
    }
}

/// The pod spec of the restic mover Job Volsync starts in the app's namespace for `claim`,
/// as far as Pod Security looks at it, so that the namespace's level is derived from it too
/// (a level the mover fails would stop the backups).
///
/// Volsync sets the pod's `securityContext` to `moverSecurityContext`
/// (`utils.UpdatePodTemplateSpecFromMoverConfig`), and gives its unprivileged movers (no
/// `volsync.backube/privileged-movers` annotation on the namespace, which portkey never
/// sets) a container that drops ALL capabilities, with `allowPrivilegeEscalation: false`,
/// `privileged: false` and a read-only root filesystem (`controllers/mover/restic/
/// mover.go`, `ensureJob`); its volumes are the data and cache claims.
pub fn mover_pod(app: &ResolvedApp, claim: &str) -> PodSpec {
    let m = mover(app);
    let claim_volume = |name: &str, claim: String| Volume {
        name: name.into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: claim,
            read_only: None,
        }),
        ..Volume::default()
    };
    PodSpec {
        security_context: Some(PodSecurityContext {
            run_as_user: m.run_as_user,
            run_as_group: m.run_as_group,
            fs_group: m.fs_group,
            run_as_non_root: m.run_as_non_root,
            seccomp_profile: m.seccomp_profile,
            ..PodSecurityContext::default()
        }),
        containers: vec![Container {
            name: "restic".into(),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                privileged: Some(false),
                read_only_root_filesystem: Some(true),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    add: None,
                }),
                ..SecurityContext::default()
            }),
            ..Container::default()
        }],
        volumes: Some(vec![
            claim_volume("data", claim.to_string()),
            claim_volume("cache", format!("volsync-{claim}-cache")),
        ]),
        ..PodSpec::default()
    }
}

/// The `dataSourceRef` (and its mirror `dataSource`, which the API server would otherwise
/// add and Argo CD report as drift) of a backed-up claim.
pub fn data_source(
    claim: &ResolvedClaim,
) -> Option<(TypedLocalObjectReference, TypedObjectReference)> {
    let name = claim.backup.as_ref()?.destination.clone();
    Some((
        TypedLocalObjectReference {
            api_group: Some(ReplicationDestination::GROUP.into()),
            kind: ReplicationDestination::KIND.into(),
            name: name.clone(),
        },
        TypedObjectReference {
            api_group: Some(ReplicationDestination::GROUP.into()),
            kind: ReplicationDestination::KIND.into(),
            name,
            namespace: None,
        },
    ))
}

/// The `ReplicationSource` that backs `claim` up.
pub fn replication_source(
    catalogue: &Catalogue<'_>,
    app: &ResolvedApp,
    claim: &ResolvedClaim,
) -> Option<ReplicationSource> {
    let backup = claim.backup.as_ref()?;
    let settings = &catalogue.cluster.backup;
    let r = &backup.policy.retention;
    let as_i32 = |v: Option<u32>| v.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    let mut rs = ReplicationSource::new(
        &claim.name,
        ReplicationSourceSpec {
            source_pvc: claim.name.clone(),
            trigger: Some(Trigger {
                schedule: Some(backup.cron.clone()),
                manual: None,
            }),
            restic: Some(ResticSource {
                repository: backup.repository_secret.clone(),
                copy_method: "Snapshot".into(),
                volume_snapshot_class_name: Some(settings.volume_snapshot_class.clone()),
                storage_class_name: Some(backup.temporary_class.clone()),
                access_modes: Some(vec![claim.access.as_str().into()]),
                cache_capacity: Some(settings.cache_capacity.to_string()),
                cache_storage_class_name: Some(backup.temporary_class.clone()),
                prune_interval_days: Some(
                    i32::try_from(settings.prune_interval_days).unwrap_or(i32::MAX),
                ),
                retain: Some(Retain {
                    hourly: as_i32(r.hourly),
                    daily: as_i32(r.daily),
                    weekly: as_i32(r.weekly),
                    monthly: as_i32(r.monthly),
                    within: r.within.clone(),
                }),
                mover_security_context: Some(mover(app)),
            }),
        },
    );
    rs.metadata = meta(
        &claim.name,
        Some(app.app.namespace.name()),
        Some(&app.app.name),
    );
    Some(rs)
}

/// A one-shot restore of `backup`'s repository with `restic` settings, named `name`.
fn restore(
    app: &ResolvedApp,
    backup: &ResolvedBackup,
    name: &str,
    restic: ResticDestination,
) -> ReplicationDestination {
    let mut rd = ReplicationDestination::new(
        name,
        ReplicationDestinationSpec {
            trigger: Some(Trigger {
                schedule: None,
                manual: Some(backup.restore_trigger.clone()),
            }),
            restic: Some(ResticDestination {
                repository: backup.repository_secret.clone(),
                mover_security_context: Some(mover(app)),
                enable_file_deletion: Some(true),
                cleanup_cache_pvc: Some(true),
                cleanup_temp_pvc: Some(true),
                ..restic
            }),
        },
    );
    rd.metadata = meta(name, Some(app.app.namespace.name()), Some(&app.app.name));
    rd
}

/// The `ReplicationDestination` `<claim>-dst` that populates `claim` from its newest backup.
pub fn replication_destination(
    catalogue: &Catalogue<'_>,
    app: &ResolvedApp,
    claim: &ResolvedClaim,
) -> Option<ReplicationDestination> {
    let backup = claim.backup.as_ref()?;
    let settings = &catalogue.cluster.backup;
    Some(restore(
        app,
        backup,
        &backup.destination,
        ResticDestination {
            copy_method: "Snapshot".into(),
            volume_snapshot_class_name: Some(settings.volume_snapshot_class.clone()),
            storage_class_name: Some(backup.temporary_class.clone()),
            access_modes: Some(vec![claim.access.as_str().into()]),
            capacity: Some(claim.size.to_string()),
            cache_capacity: Some(settings.cache_capacity.to_string()),
            cache_storage_class_name: Some(backup.temporary_class.clone()),
            ..ResticDestination::default()
        },
    ))
}

/// The one-off `ReplicationDestination` `<claim>-manual` that restores the backup `previous`
/// snapshots before the newest directly into the live claim (the runbook's restore step).
pub fn manual_restore(
    app: &ResolvedApp,
    claim: &ResolvedClaim,
    backup: &ResolvedBackup,
    previous: i32,
) -> ReplicationDestination {
    restore(
        app,
        backup,
        &backup.manual_restore,
        ResticDestination {
            copy_method: "Direct".into(),
            destination_pvc: Some(claim.name.clone()),
            cache_storage_class_name: Some(backup.temporary_class.clone()),
            previous: Some(previous),
            ..ResticDestination::default()
        },
    )
}

/// The `ExternalSecret` that materialises a claim's repository Secret, when the cluster has a
/// secret store.
pub fn repository_secret(
    catalogue: &Catalogue<'_>,
    app: &ResolvedApp,
    claim: &ResolvedClaim,
) -> Option<ExternalSecret> {
    let store = catalogue.cluster.backup.secret_store.as_ref()?;
    let backup = claim.backup.as_ref()?;
    let secret = backup.repository_secret.clone();
    let ns = app.app.namespace.name();
    let mut es = ExternalSecret::new(
        &secret,
        ExternalSecretSpec {
            secret_store_ref: SecretStoreRef {
                kind: if store.cluster_wide {
                    "ClusterSecretStore"
                } else {
                    "SecretStore"
                }
                .into(),
                name: store.name.clone(),
            },
            target: Target {
                name: secret.clone(),
                template: Some(Template {
                    data: BTreeMap::from([
                        (
                            backup.keys.repository.to_string(),
                            backup.repository_url.clone()?,
                        ),
                        (
                            backup.keys.password.to_string(),
                            "{{ .password }}".to_string(),
                        ),
                    ])
                    .into_iter()
                    .chain(
                        store
                            .backend_keys
                            .iter()
                            .map(|(key, _)| (key.clone(), format!("{{{{ .{key} }}}}"))),
                    )
                    .collect(),
                }),
            },
            data: std::iter::once(Data {
                secret_key: "password".into(),
                remote_ref: RemoteRef {
                    key: store.password_key.clone(),
                },
            })
            .chain(store.backend_keys.iter().map(|(key, remote)| Data {
                secret_key: key.clone(),
                remote_ref: RemoteRef {
                    key: remote.clone(),
                },
            }))
            .collect(),
            refresh_interval: Some("1h".into()),
        },
    );
    es.metadata = meta(&secret, Some(ns), Some(&app.app.name));
    Some(es)
}

/// Whether any app backs anything up (cluster pieces are emitted only then).
pub fn any_backups(catalogue: &Catalogue<'_>) -> bool {
    catalogue.backups().next().is_some()
}

/// The Ceph RBD `VolumeSnapshotClass` the movers snapshot with.
pub fn snapshot_class(catalogue: &Catalogue<'_>) -> VolumeSnapshotClass {
    let s = &catalogue.cluster.backup;
    VolumeSnapshotClass::new(
        meta(&s.volume_snapshot_class, None, None),
        &s.snapshot_driver,
        s.snapshot_parameters.iter().cloned().collect(),
    )
}

/// The `VolumePopulator` CRD (kubernetes-csi volume-data-source-validator). Volsync registers
/// itself as the populator of `ReplicationDestination` only when this CRD exists; without
/// it, claims with a `dataSourceRef` stay Pending.
pub fn volume_populator_crd() -> CustomResourceDefinition {
    let string = || JSONSchemaProps {
        type_: Some("string".into()),
        ..JSONSchemaProps::default()
    };
    let source_kind = JSONSchemaProps {
        type_: Some("object".into()),
        required: Some(vec!["group".into(), "kind".into()]),
        properties: Some(BTreeMap::from([
            ("group".into(), string()),
            ("kind".into(), string()),
        ])),
        ..JSONSchemaProps::default()
    };
    let schema = JSONSchemaProps {
        type_: Some("object".into()),
        required: Some(vec!["sourceKind".into()]),
        properties: Some(BTreeMap::from([
            ("apiVersion".into(), string()),
            ("kind".into(), string()),
            (
                "metadata".into(),
                JSONSchemaProps {
                    type_: Some("object".into()),
                    ..JSONSchemaProps::default()
                },
            ),
            ("sourceKind".into(), source_kind),
        ])),
        ..JSONSchemaProps::default()
    };
    let mut metadata = meta(
        &format!("volumepopulators.{}", populator::GROUP),
        None,
        None,
    );
    metadata.annotations = Some(BTreeMap::from([(
        "api-approved.kubernetes.io".to_string(),
        "https://github.com/kubernetes/enhancements/pull/2934".to_string(),
    )]));
    CustomResourceDefinition {
        metadata,
        spec: CustomResourceDefinitionSpec {
            group: populator::GROUP.into(),
            names: CustomResourceDefinitionNames {
                kind: populator::KIND.into(),
                list_kind: Some(format!("{}List", populator::KIND)),
                plural: "volumepopulators".into(),
                singular: Some("volumepopulator".into()),
                ..CustomResourceDefinitionNames::default()
            },
            scope: "Cluster".into(),
            versions: vec![CustomResourceDefinitionVersion {
                name: "v1beta1".into(),
                served: true,
                storage: true,
                additional_printer_columns: Some(vec![CustomResourceColumnDefinition {
                    name: "SourceKind".into(),
                    type_: "string".into(),
                    json_path: ".sourceKind".into(),
                    ..CustomResourceColumnDefinition::default()
                }]),
                schema: Some(CustomResourceValidation {
                    open_api_v3_schema: Some(schema),
                }),
                ..CustomResourceDefinitionVersion::default()
            }],
            ..CustomResourceDefinitionSpec::default()
        },
        status: None,
    }
}

/// The labels of a backup alert of `severity`: it and the inventory's routing label.
fn alert_labels(catalogue: &Catalogue<'_>, severity: &str) -> BTreeMap<String, String> {
    let route = &catalogue.cluster.alerts.route_label;
    BTreeMap::from([
        ("severity".to_string(), severity.to_string()),
        (route.0.clone(), route.1.clone()),
    ])
}

/// A PrometheusRule `name` in the alerts namespace, of one group `name`.
fn alert_rule(catalogue: &Catalogue<'_>, name: &str, rules: Vec<Rule>) -> PrometheusRule {
    let mut rule = PrometheusRule::new(
        name,
        PrometheusRuleSpec {
            groups: vec![RuleGroup {
                name: name.into(),
                rules,
            }],
        },
    );
    rule.metadata = meta(name, Some(&catalogue.cluster.alerts.namespace), None);
    rule
}

/// `volsync-backups`: Volsync's metrics are absent (severity `critical`).
///
/// The backups' alerts are in the inventory's alerts namespace, labelled with its routing
/// label (ntfy): this one, and each app's own ([`app_alerts`]). One object per app, never
/// one for the cluster: client-side apply stores each object whole in an annotation of at
/// most 262,144 bytes, which one rule for every volume of a large catalogue outgrows (at
/// about 600 volumes), and a new app then adds a file instead of changing a shared one.
pub fn volsync_alerts(catalogue: &Catalogue<'_>) -> PrometheusRule {
    alert_rule(
        catalogue,
        "volsync-backups",
        vec![Rule {
            alert: "VolSyncComponentAbsent".into(),
            expr: r#"absent(up{job="volsync-metrics"})"#.into(),
            for_: Some("15m".into()),
            labels: alert_labels(catalogue, "critical"),
            annotations: BTreeMap::from([(
                "summary".to_string(),
                "Volsync's metrics are absent: no backup is being watched".to_string(),
            )]),
        }],
    )
}

/// `backups-<app>`: one out-of-sync alert per backed-up volume of `app`, severity
/// `critical` for a critical app and `warning` otherwise, linking to its section of the
/// restore runbook; `None` for an app without backups.
pub fn app_alerts(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Option<PrometheusRule> {
    let ns = app.app.namespace.name();
    let severity = if app.app.critical.is_some() {
        "critical"
    } else {
        "warning"
    };
    let rules: Vec<Rule> = app
        .backups()
        .map(|(claim, backup)| Rule {
            alert: "VolSyncVolumeOutOfSync".into(),
            expr: format!(
                r#"volsync_volume_out_of_sync{{obj_namespace="{ns}", obj_name="{}", role="source"}} == 1"#,
                claim.name
            ),
            for_: Some("15m".into()),
            // The series' own `obj_namespace` and `obj_name`, as static labels too: they
            // change no alert's labels, and they make each rule's name and labels unique,
            // which `promtool check rules` requires (its `duplicate-rules` lint fails
            // rules that share the alert name and labels,
            // https://github.com/prometheus/prometheus/blob/main/cmd/promtool/main.go).
            labels: {
                let mut l = alert_labels(catalogue, severity);
                l.insert("obj_namespace".into(), ns.to_string());
                l.insert("obj_name".into(), claim.name.clone());
                l
            },
            annotations: BTreeMap::from([
                (
                    "summary".to_string(),
                    format!("Backup of {ns}/{} is out of sync", claim.name),
                ),
                (
                    "runbook".to_string(),
                    format!("{GENERATED_PATH}/{}", backup.runbook),
                ),
            ]),
        })
        .collect();
    (!rules.is_empty()).then(|| alert_rule(catalogue, &format!("backups-{}", app.app.name), rules))
}
