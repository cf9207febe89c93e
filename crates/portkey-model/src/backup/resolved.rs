//! Backups resolved once: each claim's declaration is checked here, and every name, schedule
//! and key the later stages need is worked out here, into a [`ResolvedBackup`].
//!
//! Compile builds the Volsync objects from a [`ResolvedBackup`] and nothing else; the
//! runbook, bootstrap and architecture documents print it. None of them derives a backup
//! fact of its own.

use super::{Backup, BackupChoice};
use crate::cluster::{BackupSettings, Reclaim, SecretStore, StorageClass};
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

/// The restore runbook, under `generated/`; each app with backups has a section `#<app>`.
pub const RUNBOOK: &str = "RESTORE.md";

/// The manual trigger of every restore destination: the restore runs once, and again only
/// when this string changes.
pub const RESTORE_TRIGGER: &str = "restore-once";

/// The restic repository of `claim` in `namespace` under the store's prefix:
/// `<prefix>/<namespace>/<claim>`, so no two volumes share one.
pub fn repository_url(store: &SecretStore, namespace: &str, claim: &str) -> String {
    format!(
        "{}/{namespace}/{claim}",
        store.repository_prefix.trim_end_matches('/')
    )
}

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
    /// The StorageClass of Volsync's temporary claims (the source's snapshot copy, the
    /// restic caches, the destination's restored volume before it is snapshotted): the
    /// claim's own class when it deletes its volumes, otherwise the inventory's Delete class
    /// of the same provisioner with snapshots ([`temporary_class`]). On a Retain class,
    /// every run would leave a Released volume behind; only the app's own claim keeps
    /// Retain.
    pub temporary_class: String,
    /// The keys the repository Secret holds.
    pub keys: ResticKeys,
    /// The manual trigger of the restore destinations: [`RESTORE_TRIGGER`], or
    /// `restore-<tag>` after [`Backup::restore_again`].
    pub restore_trigger: String,
    /// The runbook section that restores this claim (`RESTORE.md#<app>`), relative to
    /// `generated/`.
    pub runbook: String,
}

/// The restore destinations' manual trigger for `policy`.
pub fn restore_trigger(policy: &Backup) -> String {
    policy.restore_again.as_ref().map_or_else(
        || RESTORE_TRIGGER.to_string(),
        |tag| format!("restore-{tag}"),
    )
}

/// The app that owns the claims being resolved.
pub(crate) struct Owner<'a> {
    /// App name.
    pub(crate) name: &'a str,
    /// The name the app's data is kept under: its former name when it was renamed with
    /// `.renamed_from(..)`, else its name.
    pub(crate) data_name: &'a str,
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

/// The class Volsync's temporary claims for a claim on `class` use: `class` itself when it
/// deletes its volumes, otherwise the first class in `classes` of the same provisioner that
/// deletes its volumes and has snapshots (the destination snapshots its temporary volume).
/// `None` when the inventory has no such class.
pub fn temporary_class<'c>(
    class: &'c StorageClass,
    classes: &'c [StorageClass],
) -> Option<&'c StorageClass> {
    if class.reclaim == Reclaim::Delete {
        return Some(class);
    }
    classes
        .iter()
        .find(|c| c.reclaim == Reclaim::Delete && c.provisioner == class.provisioner && c.snapshots)
}

/// Checks the backup declarations of one app's claims and resolves them, in the order
/// given; `None` for a claim that is not backed up. `classes` are the inventory's storage
/// classes, where the temporary claims' class is found.
pub(crate) fn resolve(
    settings: &BackupSettings,
    classes: &[StorageClass],
    owner: &Owner<'_>,
    claims: &[Declared<'_>],
    p: &mut Problems<'_>,
) -> Vec<Option<Box<ResolvedBackup>>> {
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
            let temporary = if let Some(t) = temporary_class(c.class, classes) {
                t.name.clone()
            } else {
                p.add(
                    format!("volumes[{}].backup", c.volume),
                    format!(
                        "storage class `{}` retains its volumes and the inventory has no class of provisioner `{}` that deletes them (with snapshots), so Volsync's temporary copy and cache claims would each leave a Released volume behind",
                        c.class.name, c.class.provisioner
                    ),
                    format!(
                        "add a StorageClass with provisioner `{}`, `reclaim: Reclaim::Delete` and `snapshots: true` to the inventory",
                        c.class.provisioner
                    ),
                );
                c.class.name.clone()
            };
            Some(Box::new(resolve_one(
                settings, owner, c.claim, policy, several, temporary,
            )))
        })
        .collect()
}

fn resolve_one(
    settings: &BackupSettings,
    owner: &Owner<'_>,
    claim: &str,
    policy: &Backup,
    several: bool,
    temporary_class: String,
) -> ResolvedBackup {
    let ns = owner.namespace;
    ResolvedBackup {
        policy: policy.clone(),
        repository_secret: format!(
            "{}-volsync-secret",
            if several { claim } else { owner.data_name }
        ),
        repository_url: settings
            .secret_store
            .as_ref()
            .map(|store| repository_url(store, ns, claim)),
        destination: format!("{claim}-dst"),
        manual_restore: format!("{claim}-manual"),
        cron: policy.schedule.to_cron(&format!("{ns}/{claim}")),
        temporary_class,
        keys: RESTIC_KEYS,
        restore_trigger: restore_trigger(policy),
        runbook: format!("{RUNBOOK}#{}", owner.name),
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
            let r = &b.retention;
            let keeps_nothing = [r.hourly, r.daily, r.weekly, r.monthly]
                .iter()
                .all(|n| n.unwrap_or(0) == 0)
                && r.within.as_deref().is_none_or(|w| {
                    w.trim_end_matches(|c: char| c.is_ascii_alphabetic())
                        .chars()
                        .all(|c| c == '0')
                });
            if keeps_nothing {
                p.add(
                    format!("{field}.retention"),
                    format!(
                        "retention `{}` keeps no snapshot: restic's forget would drop every backup, and prune delete it",
                        r.describe()
                    ),
                    "keep at least a day, e.g. `Retention::days(7)`, or the default `Retention::default_policy()`",
                );
            }
            if let Some(tag) = &b.restore_again
                && (tag.trim().is_empty() || format!("restore-{tag}") == RESTORE_TRIGGER)
            {
                p.add(
                    format!("{field}.restore_again"),
                    format!("restore tag {tag:?} is blank or `once`: the trigger must be a new string for the restore to run again (`{RESTORE_TRIGGER}` is the first restore's)"),
                    "use a new tag each time, such as today's date: `.restore_again(\"2026-12-01\")`",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{AccessMode, Reclaim, SecretStore};
    use crate::error::ModelError;
    use crate::quantity::Memory;

    fn settings(store: bool) -> BackupSettings {
        BackupSettings {
            volume_snapshot_class: "snap".into(),
            snapshot_driver: "rbd.csi.ceph.com".into(),
            snapshot_parameters: Vec::new(),
            cache_capacity: Memory::gi(1),
            prune_interval_days: 7,
            secret_store: store.then(|| SecretStore {
                name: "vault".into(),
                cluster_wide: true,
                password_key: "restic".into(),
                repository_prefix: "s3:https://s3.example.org/restic/".into(),
                backend_keys: Vec::new(),
                provider: crate::secret_store::SecretProvider::BitwardenSecretsManager(
                    crate::secret_store::BitwardenSecretsManager::cloud("org", "project"),
                ),
            }),
        }
    }

    fn class(snapshots: bool) -> StorageClass {
        StorageClass {
            name: if snapshots { "ceph-block" } else { "local" }.into(),
            provisioner: "rbd.csi.ceph.com".into(),
            reclaim: Reclaim::Delete,
            access_modes: vec![AccessMode::ReadWriteOnce],
            snapshots,
            managed: true,
            parameters: Vec::new(),
            capacity: None,
        }
    }

    /// Resolves `(volume, choice)` claims of app `notes` on `class`, with the problems found.
    fn run(
        store: bool,
        critical: bool,
        class: &StorageClass,
        claims: &[(&str, BackupChoice)],
    ) -> (Vec<Option<Box<ResolvedBackup>>>, Vec<ModelError>) {
        let names: Vec<String> = claims.iter().map(|(v, _)| format!("notes-{v}")).collect();
        let declared: Vec<Declared<'_>> = claims
            .iter()
            .zip(&names)
            .map(|((volume, choice), claim)| Declared {
                volume,
                claim,
                class,
                choice,
            })
            .collect();
        let mut out = Vec::new();
        let mut p = Problems::new("apps/notes.rs", "notes", &mut out);
        let owner = Owner {
            name: "notes",
            data_name: "notes",
            namespace: "lab",
            critical,
        };
        let classes = [class.clone()];
        let backups = resolve(&settings(store), &classes, &owner, &declared, &mut p);
        (backups, out)
    }

    #[test]
    fn one_backed_up_claim_takes_the_app_s_secret_and_every_name_follows_the_claim() {
        let (backups, problems) = run(
            false,
            false,
            &class(true),
            &[
                ("data", BackupChoice::Backup(Backup::daily())),
                ("cache", BackupChoice::Exempt("rebuilt on start".into())),
            ],
        );
        assert_eq!(problems, Vec::new());
        let b = backups[0].as_ref().expect("backed up");
        assert_eq!(b.repository_secret, "notes-volsync-secret");
        assert_eq!(b.repository_url, None);
        assert_eq!(b.destination, "notes-data-dst");
        assert_eq!(b.manual_restore, "notes-data-manual");
        assert_eq!(b.cron, Backup::daily().schedule.to_cron("lab/notes-data"));
        assert_eq!(b.keys.both(), ["RESTIC_REPOSITORY", "RESTIC_PASSWORD"]);
        assert_eq!(b.restore_trigger, RESTORE_TRIGGER);
        assert_eq!(b.runbook, "RESTORE.md#notes");
        assert_eq!(backups[1], None);
    }

    #[test]
    fn temporary_claims_use_a_delete_class_of_the_same_provisioner() {
        let delete = class(true);
        let retain = StorageClass {
            name: "ceph-retain".into(),
            reclaim: Reclaim::Retain,
            ..class(true)
        };
        let other = StorageClass {
            name: "nfs".into(),
            provisioner: "nfs.csi.k8s.io".into(),
            ..class(true)
        };
        let all = [retain.clone(), other.clone(), delete.clone()];
        assert_eq!(
            temporary_class(&delete, &all).map(|c| &c.name),
            Some(&delete.name)
        );
        assert_eq!(
            temporary_class(&retain, &all).map(|c| &c.name),
            Some(&delete.name)
        );
        assert!(temporary_class(&retain, &[retain.clone(), other]).is_none());

        let choice = BackupChoice::Backup(Backup::daily());
        let declared = [Declared {
            volume: "data",
            claim: "notes-data",
            class: &retain,
            choice: &choice,
        }];
        let owner = Owner {
            name: "notes",
            data_name: "notes",
            namespace: "lab",
            critical: false,
        };
        let mut out = Vec::new();
        let mut p = Problems::new("apps/notes.rs", "notes", &mut out);
        let backups = resolve(&settings(false), &all, &owner, &declared, &mut p);
        assert_eq!(
            backups[0].as_ref().map(|b| b.temporary_class.as_str()),
            Some("ceph-block")
        );
        let mut p = Problems::new("apps/notes.rs", "notes", &mut out);
        resolve(
            &settings(false),
            std::slice::from_ref(&retain),
            &owner,
            &declared,
            &mut p,
        );
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].field, "volumes[data].backup");
        assert!(out[0].problem.contains("Released volume"), "{out:#?}");
        assert!(out[0].fix.contains("reclaim: Reclaim::Delete"), "{out:#?}");
    }

    #[test]
    fn several_backed_up_claims_never_share_a_repository() {
        let (backups, _) = run(
            true,
            false,
            &class(true),
            &[
                ("data", BackupChoice::Backup(Backup::daily())),
                ("db", BackupChoice::Backup(Backup::every_6_hours())),
            ],
        );
        let secrets: Vec<&str> = backups
            .iter()
            .flatten()
            .map(|b| b.repository_secret.as_str())
            .collect();
        assert_eq!(
            secrets,
            ["notes-data-volsync-secret", "notes-db-volsync-secret"]
        );
        assert_eq!(
            backups[1]
                .as_ref()
                .and_then(|b| b.repository_url.as_deref()),
            Some("s3:https://s3.example.org/restic/lab/notes-db")
        );
    }

    #[test]
    fn every_bad_declaration_is_reported_at_its_volume_with_a_fix() {
        let (_, problems) = run(
            false,
            true,
            &class(false),
            &[
                ("data", BackupChoice::Backup(Backup::cron("0 3 * *"))),
                ("cache", BackupChoice::Undeclared),
                ("tmp", BackupChoice::Exempt("  ".into())),
            ],
        );
        let seen: Vec<(&str, &str)> = problems
            .iter()
            .map(|e| (e.field.as_str(), e.problem.as_str()))
            .collect();
        assert_eq!(seen.len(), 6, "{seen:#?}");
        assert_eq!(seen[0].0, "volumes[data].backup.schedule");
        assert!(seen[1].1.contains("no snapshot support"), "{seen:#?}");
        assert!(
            seen[2].1.contains("neither backed up nor exempt"),
            "{seen:#?}"
        );
        assert_eq!(
            seen[3],
            (
                "volumes[cache].backup",
                "critical app's claim is not backed up"
            )
        );
        assert_eq!(
            seen[4],
            ("volumes[tmp].backup", "backup exemption without a reason")
        );
        assert_eq!(
            seen[5],
            (
                "volumes[tmp].backup",
                "critical app's claim is not backed up"
            )
        );
        assert!(
            problems
                .iter()
                .all(|e| e.app == "notes" && e.file == "apps/notes.rs" && !e.fix.is_empty())
        );
    }
}
