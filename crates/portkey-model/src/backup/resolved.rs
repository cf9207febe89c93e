//! Backups resolved once: each claim's declaration is checked here, and every name, schedule
//! and key the later stages need is worked out here, into a [`ResolvedBackup`].
//!
//! Compile builds the Volsync objects from a [`ResolvedBackup`] and nothing else; the
//! runbook, bootstrap and architecture documents print it. None of them derives a backup
//! fact of its own.

use super::{Backup, BackupChoice};
use crate::cluster::{BackupSettings, StorageClass};
use crate::error::Problems;

/// The keys of a restic repository Secret, as Volsync's movers read them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResticKeys {
    /// The key holding the repository URL.
    pub repository: &'static str,
    /// The key holding the repository password.
    pub password: &'static str,
}

impl ResticKeys {
    /// Both keys, the repository's first.
    pub fn both(self) -> [&'static str; 2] {
        [self.repository, self.password]
    }
}

/// The keys every restic repository Secret holds.
pub const RESTIC_KEYS: ResticKeys = ResticKeys {
    repository: "RESTIC_REPOSITORY",
    password: "RESTIC_PASSWORD",
};

/// The manual trigger of every restore destination: the restore runs once, and again only
/// when this string changes.
pub const RESTORE_TRIGGER: &str = "restore-once";

/// How one claim is backed up and restored, worked out once from its declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedBackup {
    /// The declared policy (schedule and retention).
    pub policy: Backup,
    /// The restic repository Secret: `<app>-volsync-secret`, or `<claim>-volsync-secret`
    /// when the app backs up several claims (repositories are never shared).
    pub repository_secret: String,
    /// The restic repository URL (`<prefix>/<namespace>/<claim>`) when the cluster's secret
    /// store fills the Secret; `None` when the Secret is created by hand, outside Git.
    pub repository_url: Option<String>,
    /// The `ReplicationDestination` the claim is populated from (`<claim>-dst`).
    pub destination: String,
    /// The one-off `ReplicationDestination` of the runbook's restore into the live claim
    /// (`<claim>-manual`).
    pub manual_restore: String,
    /// The cron schedule, with the minute spread from namespace and claim.
    pub cron: String,
    /// The keys the repository Secret holds.
    pub keys: ResticKeys,
    /// The manual trigger of the restore destinations.
    pub restore_trigger: &'static str,
}

/// The app that owns the claims being resolved.
pub(crate) struct Owner<'a> {
    /// App name.
    pub(crate) name: &'a str,
    /// Namespace.
    pub(crate) namespace: &'a str,
    /// Whether the app is critical (its claims must then be backed up).
    pub(crate) critical: bool,
}

/// One claim's backup declaration, with what it is checked against.
pub(crate) struct Declared<'a> {
    /// The volume name in the pod.
    pub(crate) volume: &'a str,
    /// The claim's name.
    pub(crate) claim: &'a str,
    /// The claim's storage class.
    pub(crate) class: &'a StorageClass,
    /// What the app file declared.
    pub(crate) choice: &'a BackupChoice,
}

/// Checks the backup declarations of one app's claims and resolves them, in the order
/// given; `None` for a claim that is not backed up.
pub(crate) fn resolve(
    settings: &BackupSettings,
    owner: &Owner<'_>,
    claims: &[Declared<'_>],
    p: &mut Problems<'_>,
) -> Vec<Option<ResolvedBackup>> {
    let several = claims
        .iter()
        .filter(|c| matches!(c.choice, BackupChoice::Backup(_)))
        .count()
        > 1;
    claims
        .iter()
        .map(|c| {
            check(owner, c, p);
            let BackupChoice::Backup(policy) = c.choice else {
                return None;
            };
            Some(resolve_one(settings, owner, c.claim, policy, several))
        })
        .collect()
}

fn resolve_one(
    settings: &BackupSettings,
    owner: &Owner<'_>,
    claim: &str,
    policy: &Backup,
    several: bool,
) -> ResolvedBackup {
    let ns = owner.namespace;
    ResolvedBackup {
        policy: policy.clone(),
        repository_secret: format!(
            "{}-volsync-secret",
            if several { claim } else { owner.name }
        ),
        repository_url: settings.secret_store.as_ref().map(|store| {
            format!(
                "{}/{ns}/{claim}",
                store.repository_prefix.trim_end_matches('/')
            )
        }),
        destination: format!("{claim}-dst"),
        manual_restore: format!("{claim}-manual"),
        cron: policy.schedule.to_cron(&format!("{ns}/{claim}")),
        keys: RESTIC_KEYS,
        restore_trigger: RESTORE_TRIGGER,
    }
}

/// Every claim is backed up (with a valid schedule, on a class with snapshots) or exempt
/// with a reason; a critical app's claims are backed up.
fn check(owner: &Owner<'_>, c: &Declared<'_>, p: &mut Problems<'_>) {
    let field = format!("volumes[{}].backup", c.volume);
    match c.choice {
        BackupChoice::Backup(b) => {
            if let Err(e) = b.schedule.check() {
                p.add(
                    format!("{field}.schedule"),
                    e,
                    "use `Backup::daily()`, `Backup::every_6_hours()` or a valid 5-field cron",
                );
            }
            if !c.class.snapshots {
                p.add(
                    &field,
                    format!("storage class `{}` has no snapshot support, which Volsync's copyMethod Snapshot needs", c.class.name),
                    "put the claim on a class with CSI snapshots",
                );
            }
        }
        BackupChoice::Undeclared => {
            p.add(
                &field,
                format!("claim `{}` is neither backed up nor exempt from backup", c.claim),
                "add `.backup(Backup::daily())` (or another policy), or `.no_backup(\"why the data can be lost\")`",
            );
        }
        BackupChoice::Exempt(reason) if reason.trim().is_empty() => {
            p.add(
                &field,
                "backup exemption without a reason",
                "say why the data need not be backed up",
            );
        }
        BackupChoice::Exempt(_) => {}
    }
    if owner.critical && !matches!(c.choice, BackupChoice::Backup(_)) {
        p.add(
            field,
            "critical app's claim is not backed up",
            "add `.backup(Backup::every_6_hours())` or another policy",
        );
    }
}
