//! Volumes: names and mount paths, claims against the storage classes, NFS shares, config
//! files, and what a critical app's claims must be.

use std::collections::BTreeSet;

use super::ResolvedClaim;
use crate::app::{App, BackupChoice, Claim, NfsMount, VolumeSource};
use crate::cluster::{Cluster, Reclaim};
use crate::error::Problems;
use crate::names;
use crate::quantity::Memory;

/// Every volume of the app; returns its claims, resolved.
pub(super) fn check_volumes(
    cluster: &Cluster,
    app: &App,
    p: &mut Problems<'_>,
) -> Vec<ResolvedClaim> {
    let mut claims = Vec::new();
    let mut volume_names = BTreeSet::new();
    let mut mounts = BTreeSet::new();
    for v in &app.volumes {
        let field = format!("volumes[{}]", v.name);
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
                if let Some(r) = check_claim(cluster, app, &v.name, c, &field, p) {
                    claims.push(r);
                }
            }
            VolumeSource::Nfs(NfsMount { share, sub_path }) => {
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
            VolumeSource::EmptyDir(_) => {}
        }
    }
    let backed_up = claims
        .iter()
        .filter(|c| c.backup_policy().is_some())
        .count();
    for c in &mut claims {
        if c.backup_policy().is_some() {
            c.repository_secret = Some(if backed_up == 1 {
                format!("{}-volsync-secret", app.name)
            } else {
                format!("{}-volsync-secret", c.name)
            });
        }
    }
    claims
}

fn check_claim(
    cluster: &Cluster,
    app: &App,
    volume: &str,
    c: &Claim,
    field: &str,
    p: &mut Problems<'_>,
) -> Option<ResolvedClaim> {
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
    match &c.backup {
        BackupChoice::Backup(b) => {
            if let Err(e) = b.schedule.check() {
                p.add(
                    format!("{field}.backup.schedule"),
                    e,
                    "use `Backup::daily()`, `Backup::every_6_hours()` or a valid 5-field cron",
                );
            }
            if !class.snapshots {
                p.add(
                    format!("{field}.backup"),
                    format!("storage class `{}` has no snapshot support, which Volsync's copyMethod Snapshot needs", class.name),
                    "put the claim on a class with CSI snapshots",
                );
            }
        }
        BackupChoice::Undeclared => {
            p.add(
                format!("{field}.backup"),
                format!("claim `{name}` is neither backed up nor exempt from backup"),
                "add `.backup(Backup::daily())` (or another policy), or `.no_backup(\"why the data can be lost\")`",
            );
        }
        BackupChoice::Exempt(reason) if reason.trim().is_empty() => {
            p.add(
                format!("{field}.backup"),
                "backup exemption without a reason",
                "say why the data need not be backed up",
            );
        }
        BackupChoice::Exempt(_) => {}
    }
    Some(ResolvedClaim {
        volume: volume.into(),
        name,
        size: c.size,
        storage_class: class.name.clone(),
        reclaim: class.reclaim,
        access: c.access,
        backup: c.backup.clone(),
        repository_secret: None,
    })
}

/// Config files: absolute paths with distinct file names.
pub(super) fn check_config_files(app: &App, p: &mut Problems<'_>) {
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

/// A critical app's claims: on a Retain class and backed up; the reason is given.
pub(super) fn check_critical(app: &App, claims: &[ResolvedClaim], p: &mut Problems<'_>) {
    if let Some(reason) = &app.critical {
        if reason.trim().is_empty() {
            p.add(
                "critical",
                "critical without a reason",
                "say why the data matters",
            );
        }
        for c in claims {
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
            if c.backup_policy().is_none() {
                p.add(
                    format!("volumes[{}].backup", c.volume),
                    "critical app's claim is not backed up",
                    "add `.backup(Backup::every_6_hours())` or another policy",
                );
            }
        }
    }
}
