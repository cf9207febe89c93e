//! Volumes: names and mount paths, claims against the storage classes (their backups are
//! resolved by [`crate::backup::resolved`]), NFS shares, config files, and the class a
//! critical app's claims must be on.

use std::collections::BTreeSet;

use super::ResolvedClaim;
use crate::app::{App, Claim, NfsMount, VolumeSource};
use crate::backup::BackupChoice;
use crate::backup::resolved::{Declared, Owner};
use crate::cluster::{Cluster, Reclaim, StorageClass};
use crate::error::Problems;
use crate::names;
use crate::quantity::Memory;

/// Every volume of the app; returns its claims, resolved.
pub(super) fn check_volumes(
    cluster: &Cluster,
    app: &App,
    p: &mut Problems<'_>,
) -> Vec<ResolvedClaim> {
    let mut claims: Vec<(ResolvedClaim, &BackupChoice, &StorageClass)> = Vec::new();
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
                if let Some((r, class)) = check_claim(cluster, app, &v.name, c, &field, p) {
                    claims.push((r, &c.backup, class));
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
    resolve_backups(cluster, app, claims, p)
}

/// The app's claims with their backups, checked and resolved in one pass by the backup
/// module.
fn resolve_backups(
    cluster: &Cluster,
    app: &App,
    claims: Vec<(ResolvedClaim, &BackupChoice, &StorageClass)>,
    p: &mut Problems<'_>,
) -> Vec<ResolvedClaim> {
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
        data_name: app.renamed_from.as_deref().unwrap_or(&app.name),
        namespace: app.namespace.name(),
        critical: app.critical.is_some(),
    };
    let backups = crate::backup::resolved::resolve(
        &cluster.backup,
        &cluster.storage_classes,
        &owner,
        &declared,
        p,
    );
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
    // A declared rename keeps the data's names: the app's former name and the volume's.
    let owner = app.renamed_from.as_deref().unwrap_or(&app.name);
    let name = format!("{owner}-{}", c.renamed_from.as_deref().unwrap_or(volume));
    if c.renamed_from.as_deref() == Some(volume) {
        p.add(
            format!("{field}.renamed_from"),
            format!("names the volume itself (`{volume}`)"),
            "name the volume's former name, or drop `.renamed_from(..)`",
        );
    }
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
    if c.size.too_large() {
        p.add(
            format!("{field}.size"),
            format!(
                "size {} is larger than Kubernetes can store (quantities are signed 64-bit)",
                c.size
            ),
            "request a size the storage has",
        );
    }
    if let Some(capacity) = class.capacity.filter(|cap| c.size > *cap) {
        p.add(
            format!("{field}.size"),
            format!(
                "{} is more than storage class `{}` has ({capacity}, as the inventory declares): the claim would never bind",
                c.size, class.name
            ),
            "request less, or raise the class's `capacity` in the inventory once the storage has grown",
        );
    }
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

/// Secret files: absolute paths that no volume, config file or other secret file mounts,
/// and keys the API server accepts in a Secret (they are the `subPath`).
pub(super) fn check_secret_files(app: &App, p: &mut Problems<'_>) {
    let mut taken: BTreeSet<&str> = app
        .volumes
        .iter()
        .map(|v| v.mount_path.trim_end_matches('/'))
        .chain(app.config_files.iter().map(|f| f.path.as_str()))
        .collect();
    for f in &app.secret_files {
        let field = format!("secret_file[{}]", f.path);
        if let Err(e) = names::check_abs_path(&f.path) {
            p.add(
                &field,
                format!("{:?} {e}", f.path),
                "mount secret files at absolute paths",
            );
        } else if !taken.insert(f.path.trim_end_matches('/')) {
            p.add(
                &field,
                format!(
                    "{} is already mounted (a volume, a config file or another secret file)",
                    f.path
                ),
                "mount each secret file at its own path",
            );
        }
        if let Err(e) = names::check_config_key(&f.key.key) {
            p.add(
                &field,
                format!("Secret key {:?} {e}", f.key.key),
                "name the key with letters, digits, `-`, `_` and `.`, e.g. `passwords`",
            );
        }
        if let Err(e) = names::check_subdomain(&f.key.secret) {
            p.add(
                &field,
                format!("Secret name {:?} {e}", f.key.secret),
                "name the Secret like an object: lower case, digits and `-`",
            );
        }
    }
}

/// A critical app's claims: on a Retain class, and the reason is given (that they are backed
/// up is checked with the backups).
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
        }
    }
}
