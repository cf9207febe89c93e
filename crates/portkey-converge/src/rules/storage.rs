//! PersistentVolumeClaims (gitops-engine's `health_pvc.go`: Healthy when `Bound`) and the
//! one-shot Volsync restores that fill them.

use portkey_model::chart::Capability;
use portkey_model::components::Component;

use crate::facts::{Fact, ObjectRef};
use crate::{Engine, Need, Provided, Stall, Verdict};

use super::stall;

/// A PersistentVolumeClaim: it binds once its class and provisioner exist (and, with
/// `WaitForFirstConsumer`, once a pod of the same Application uses it).
pub(super) fn claim(
    e: &Engine<'_, '_>,
    c: &Component,
    facts: &[Fact],
    object: &ObjectRef,
    class: Option<&str>,
    restore: Option<&str>,
) -> Verdict {
    let cluster = e.catalogue.cluster;
    let class = class
        .unwrap_or(cluster.default_storage_class.name())
        .to_string();
    let object = object.clone();
    let emitted = e.storage_classes.get(class.as_str()).copied();
    let mut provided = Vec::new();
    match emitted {
        Some((component, provisioner, waits)) => {
            match emitted_class(
                e,
                c,
                facts,
                &object,
                (&class, component, provisioner, waits),
            ) {
                Ok(p) => provided.push(p),
                Err(stall) => return Verdict::never(object, stall),
            }
        }
        None => match cluster.storage_classes.iter().find(|s| s.name == class) {
            Some(s) if !s.managed => provided.push(Provided {
                need: Need::Storage,
                what: format!("StorageClass {class}"),
                by: "rook's external-cluster import (BOOTSTRAP.md, before Argo CD)".into(),
            }),
            _ if !e.strict => {}
            _ => {
                return Verdict::never(
                    object,
                    stall(
                        Need::Storage,
                        "storage_class",
                        format!(
                            "its StorageClass `{class}` exists nowhere: no component writes it and the inventory does not declare it"
                        ),
                        "use a storage class of the inventory (cluster.rs)",
                    ),
                );
            }
        },
    }
    if let Some(rd) = restore {
        let here = facts
            .iter()
            .any(|f| matches!(f, Fact::Restore { object, .. } if *object.name == *rd));
        if !here {
            return Verdict::never(
                object,
                stall(
                    Need::Restore,
                    "backup",
                    format!(
                        "it is filled from ReplicationDestination `{rd}`, which this Application does not create, so it stays Pending"
                    ),
                    "declare the backup on the volume (portkey then creates the restore beside the claim)",
                ),
            );
        }
        provided.push(Provided {
            need: Need::Restore,
            what: "restored data".into(),
            by: format!("ReplicationDestination {rd}"),
        });
    }
    Verdict::healthy(object, provided)
}

/// Why what `component` writes (`what`) is not there by `wave`: it syncs later, or never
/// becomes healthy; `None` when it is there.
fn written_by(e: &Engine<'_, '_>, component: &str, wave: i32, what: &str) -> Option<Stall> {
    let writer = e.components.get(component)?;
    if writer.wave > wave {
        return Some(stall(
            Need::Storage,
            "needs",
            format!(
                "{what} comes from {component}, which syncs in wave {}, after this object's wave {wave}: the root waits for this wave first",
                writer.wave
            ),
            format!("declare the need so that it comes after {component}"),
        ));
    }
    let root = e.failure(component)?;
    Some(Stall {
        blocked_by: Some(Box::new(root.clone())),
        ..stall(
            Need::Storage,
            "needs",
            format!("{what} comes from {component}, which never becomes healthy ({root})"),
            format!("fix {root} first"),
        )
    })
}

/// A one-shot Volsync restore: it completes once its repository Secret exists.
pub(super) fn restore(
    e: &Engine<'_, '_>,
    c: &Component,
    object: &ObjectRef,
    repository: &str,
) -> Verdict {
    let ns = object.namespace.as_deref().unwrap_or_default();
    match e.secret(ns, repository, c.wave) {
        Some(by) => Verdict::healthy(
            object.clone(),
            vec![Provided {
                need: Need::Restore,
                what: format!("restic repository Secret {repository}"),
                by,
            }],
        ),
        None if !e.strict => Verdict::healthy(object.clone(), Vec::new()),
        None => Verdict::never(
            object.clone(),
            stall(
                Need::Restore,
                "backup",
                format!(
                    "its restic repository Secret `{ns}/{repository}` exists nowhere, so the restore never completes and the claim it fills stays Pending"
                ),
                "create the Secret before Argo CD (BOOTSTRAP.md lists it), or configure the inventory's secret store",
            ),
        ),
    }
}

/// A claim on StorageClass `class`, which `component` writes: the class and its
/// provisioner are there, and with `WaitForFirstConsumer` a pod of the same Application
/// mounts the claim.
fn emitted_class(
    e: &Engine<'_, '_>,
    c: &Component,
    facts: &[Fact],
    object: &ObjectRef,
    (class, component, provisioner, waits): (&str, &str, &str, bool),
) -> Result<Provided, Stall> {
    if let Some(stall) = written_by(e, component, c.wave, &format!("StorageClass {class}")) {
        return Err(stall);
    }
    let driver = e
        .provider(
            &Capability::Provisioner(provisioner.to_string()),
            c.wave,
            Need::Storage,
            || {
                stall(
                    Need::Storage,
                    "storage_classes",
                    format!("its StorageClass `{class}` names provisioner `{provisioner}`, which no component provides, so the claim stays Pending"),
                    format!("add the CSI driver's chart release with `.provides_csi_driver(\"{provisioner}\")`"),
                )
            },
        )
        .map_err(|s| *s)?;
    if waits
        && !facts
            .iter()
            .any(|f| matches!(f, Fact::Pods(p) if p.claims.contains(&*object.name)))
    {
        return Err(stall(
            Need::Storage,
            "storage_classes",
            format!(
                "its StorageClass `{class}` is WaitForFirstConsumer and no pod of the same Application mounts it, so it stays Pending and Argo CD waits forever"
            ),
            "mount the claim in a workload of the same app, or use a class with `volumeBindingMode: Immediate`",
        ));
    }
    Ok(Provided {
        need: Need::Storage,
        what: format!("StorageClass {class}"),
        by: format!(
            "{component}, provisioned by {}",
            driver.map_or("a driver outside the catalogue", |p| p.name.as_str())
        ),
    })
}
