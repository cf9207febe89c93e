//! `generated/RESTORE.md`: the restore runbook, written from the same model as the backups
//! so it can never name a Secret, schedule or claim that does not exist.

use std::fmt;

use portkey_compile::argocd::{CONFIRM_PRUNE, KEEP_DATA, SYNC_OPTIONS};
use portkey_compile::backup;
use portkey_compile::{ARGOCD_NAMESPACE, ROOT_APP};
use portkey_model::app::Workload;
use portkey_model::backup::empty_restore::{TRAP_DAYS, is_trap};
use portkey_model::backup::resolved::repository_url;
use portkey_model::backup::{RESTIC_KEYS, RESTORE_TRIGGER, ResolvedBackup};
use portkey_model::components::ClusterPart;
use portkey_model::resolve::{Catalogue, ResolvedApp, ResolvedClaim};

use crate::to_yaml;

/// Path of the runbook under `generated/`.
pub const PATH: &str = portkey_model::backup::RUNBOOK;

/// The restore runbook for every backed-up volume of the catalogue.
///
/// It is written twice: once only counting its bytes, then into a string of exactly that
/// size (and room for the header [`crate::document`] puts first). At N = 20,000 it is
/// 57 MB, and grown by doubling it held a 32 MB and a 64 MB buffer at once, the largest
/// single holder of a render's memory (README, "Memory").
pub fn restore_runbook(catalogue: &Catalogue<'_>) -> String {
    crate::sized_text("", HEADER_ROOM, &|out| {
        write_restore_runbook(out, catalogue);
    })
}

/// Writes the RESTORE.md [`restore_runbook`] returns into `out`, piece by piece: what a
/// render hands its sink ([`crate::Sink::accept_written`]), which compares it with the
/// file on disk or writes it as it goes instead of holding it.
pub fn write_restore_runbook(out: &mut dyn fmt::Write, catalogue: &Catalogue<'_>) {
    write_runbook(&mut &mut *out, catalogue);
}

/// Room left for the one-line header [`crate::document`] inserts (about 100 bytes).
const HEADER_ROOM: usize = 256;

fn write_runbook(s: &mut impl fmt::Write, catalogue: &Catalogue<'_>) {
    let store = catalogue.cluster.backup.secret_store.as_ref();
    let _ = writeln!(
        s,
        "# Restore runbook\n\n\
         Every backed-up volume has a Volsync restic `ReplicationSource` (the backups) and a \
         `ReplicationDestination` `<claim>-dst` that its claim names in `dataSourceRef`. On a \
         fresh cluster the claim therefore stays Pending until the newest backup is restored \
         into it, and the app starts on restored data: no manual step is needed.\n\n\
         Each repository Secret holds `{}` and `{}`; repositories are never shared between \
         volumes.{}\n",
        RESTIC_KEYS.repository,
        RESTIC_KEYS.password,
        match store {
            Some(st) => format!(
                " They are created by ExternalSecrets from the store `{}` (repository `{}`).",
                st.name,
                repository_url(st, "<namespace>", "<claim>")
            ),
            None => " No secret store is declared, so create each Secret by hand (command below) before the app's first sync.".into(),
        }
    );
    let _ = s.write_str(
        "| app | namespace | volume | claim | repository Secret | schedule | retention |\n",
    );
    let _ = s.write_str("|---|---|---|---|---|---|---|\n");
    for (app, claim, backup) in catalogue.backups() {
        let _ = writeln!(
            s,
            "| [{a}](#{a}) | {ns} | {v} | {c} | `{sec}` | {d} (`{cron}`) | {r} |",
            a = app.app.name,
            ns = app.app.namespace.name(),
            v = claim.volume,
            c = claim.name,
            sec = backup.repository_secret,
            d = backup.policy.schedule.describe(),
            cron = backup.cron,
            r = backup.policy.retention.describe(),
        );
    }
    protection(s, catalogue);
    recreate(s, catalogue);
    empty_restore(s, catalogue);
    let mut current = "";
    for (app, claim, backup) in catalogue.backups() {
        if current != app.app.name {
            current = &app.app.name;
            let _ = writeln!(s, "\n## {}\n", app.app.name);
            let _ = writeln!(
                s,
                "Declared in `{}`, namespace `{}`.",
                app.app.source,
                app.app.namespace.name()
            );
            if let Some(reason) = &app.app.critical {
                let _ = writeln!(
                    s,
                    "Critical: {reason}. Its claims are on a Retain storage class and carry `{KEEP_DATA}`, and so does \
                     its namespace `{}`: neither a render that drops the app nor the deletion of an Application \
                     deletes them (see [What Argo CD never deletes](#what-argo-cd-never-deletes)).",
                    app.app.namespace.name()
                );
            }
        }
        claim_section(s, app, claim, backup);
    }
}

fn claim_section(
    s: &mut impl fmt::Write,
    app: &ResolvedApp,
    claim: &ResolvedClaim,
    backup: &ResolvedBackup,
) {
    let ns = app.app.namespace.name();
    let name = &app.app.name;
    let rs = &claim.name;
    let secret = &backup.repository_secret;
    let [repository_key, password_key] = backup.keys.both();
    let manual_name = &backup.manual_restore;
    let trigger = &backup.restore_trigger;
    let workload = match app.app.workload {
        Workload::Deployment => "deployment",
        Workload::StatefulSet => "statefulset",
    };
    let _ = writeln!(s, "\n### Volume `{}` (claim `{rs}`)\n", claim.volume);
    if backup.repository_url.is_none() {
        let _ = writeln!(
            s,
            "Create the repository Secret once (the repository URL must be unique to this volume):\n\n\
             ```sh\n\
             kubectl -n {ns} create secret generic {secret} \\\n  \
             --from-literal={repository_key}='<restic repository URL for {ns}/{rs}>' \\\n  \
             --from-literal={password_key}='<password>'\n\
             ```\n"
        );
    }
    let _ = writeln!(
        s,
        "Take a backup now, then remove the manual trigger (Volsync ignores the schedule while one is set):\n\n\
         ```sh\n\
         now=manual-$(date +%Y%m%d%H%M%S)\n\
         kubectl -n {ns} patch replicationsource {rs} --type merge -p \"{{\\\"spec\\\":{{\\\"trigger\\\":{{\\\"manual\\\":\\\"$now\\\"}}}}}}\"\n\
         kubectl -n {ns} wait replicationsource/{rs} --for=jsonpath='{{.status.lastManualSync}}'=\"$now\" --timeout=60m\n\
         kubectl -n {ns} patch replicationsource {rs} --type merge -p '{{\"spec\":{{\"trigger\":{{\"manual\":null}}}}}}'\n\
         ```\n"
    );
    let manual = manual_restore(app, claim, backup);
    let argo = ARGOCD_NAMESPACE;
    let root = ROOT_APP;
    let _ = writeln!(
        s,
        "Restore an earlier backup into the live claim (`previous: 1` is the one before the newest; \
         or replace it with `restoreAsOf: \"2026-01-31T03:00:00Z\"`):\n\n\
         ```sh\n\
         # 1. stop Argo CD from undoing the next steps (the root app would restore the child's policy)\n\
         kubectl -n {argo} patch application {root} --type merge -p '{{\"spec\":{{\"syncPolicy\":{{\"automated\":null}}}}}}'\n\
         kubectl -n {argo} patch application {name} --type merge -p '{{\"spec\":{{\"syncPolicy\":{{\"automated\":null}}}}}}'\n\
         # 2. stop the app so nothing writes to the claim\n\
         kubectl -n {ns} scale {workload}/{name} --replicas 0\n\
         # 3. restore, wait, clean up\n\
         kubectl apply -f - <<'EOF'\n{manual}EOF\n\
         kubectl -n {ns} wait replicationdestination/{manual_name} --for=jsonpath='{{.status.lastManualSync}}'={trigger} --timeout=60m\n\
         kubectl -n {ns} delete replicationdestination {manual_name}\n\
         # 4. hand everything back to Argo CD (it re-enables the child's policy and scales the app up)\n\
         kubectl -n {argo} patch application {root} --type merge -p '{{\"spec\":{{\"syncPolicy\":{{\"automated\":{{\"prune\":true,\"selfHeal\":true}}}}}}}}'\n\
         ```"
    );
}

/// The runbook's restore object: `previous: 1` directly into the claim.
fn manual_restore(app: &ResolvedApp, claim: &ResolvedClaim, backup: &ResolvedBackup) -> String {
    to_yaml(&backup::manual_restore(app, claim, backup, 1)).unwrap_or_default()
}

/// What a render or a sync can never delete, from the same facts compile writes.
fn protection(s: &mut impl fmt::Write, catalogue: &Catalogue<'_>) {
    let namespaces: Vec<String> = portkey_compile::protected_namespaces(catalogue)
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect();
    let claims: Vec<String> = catalogue
        .apps
        .iter()
        .flat_map(|a| {
            a.claims
                .iter()
                .filter(|c| portkey_compile::keeps_claim(a, c))
                .map(move |c| format!("`{}/{}`", a.app.namespace.name(), c.name))
        })
        .collect();
    let root = ROOT_APP;
    let mut unfinalized: Vec<String> = vec![format!("`{root}` (every Application)")];
    unfinalized.extend(
        catalogue
            .charts
            .iter()
            .filter(|c| portkey_compile::argocd::is_argo_cd(c))
            .map(|c| format!("`{}` (Argo CD itself)", c.name)),
    );
    unfinalized.push(format!(
        "`{}` (the namespaces)",
        ClusterPart::Namespaces.app_name()
    ));
    // Invariant: the list holds the root and cluster-namespaces, pushed just above.
    let (last, rest) = unfinalized
        .split_last()
        .expect("the root and cluster-namespaces");
    let unfinalized = format!("{} and {last} have", rest.join(", "));
    let either = "one of these Applications";
    let _ = writeln!(
        s,
        "\n## What Argo CD never deletes\n\n\
         Argo CD judges an object that left Git by the `{SYNC_OPTIONS}` annotation on its live object, \
         so each protection below holds from the first sync that wrote it.\n\n\
         - Every namespace that holds a claim carries `{KEEP_DATA}`: {}. Deleting a namespace deletes every claim in it \
         (a Retain claim's own protection included), so neither a render that drops the app or the namespace file nor \
         the deletion of `cluster-namespaces` removes it; Argo CD shows it as needing a prune and leaves it. Delete it \
         by hand, once its data is safe elsewhere.\n\
         - Every claim on a Retain class or of a critical app carries `{KEEP_DATA}` too: {}.\n\
         - Every child Application of `{root}` carries `{CONFIRM_PRUNE}`: when a render drops one, the root stops in \
         `Syncing` instead of deleting the app (and, through its resources finalizer, the app's objects). Look at why \
         the file went, then confirm in the UI or with `argocd app confirm-deletion {root}`, or restore the file.\n\
         - {unfinalized} no resources finalizer: deleting {either} leaves what it deployed in place.\n\
         - Volsync's temporary claims (snapshot copies, caches, restored volumes) are on a class that deletes its \
         volumes, so backups leave no Released volume behind; only the app's own claim keeps Retain.",
        if namespaces.is_empty() {
            "none".into()
        } else {
            namespaces.join(", ")
        },
        if claims.is_empty() {
            "none".into()
        } else {
            claims.join(", ")
        },
    );
}

/// Re-creating a claim on a live cluster: bump the restore trigger first.
fn recreate(s: &mut impl fmt::Write, catalogue: &Catalogue<'_>) {
    let Some((app, claim, backup)) = example(catalogue) else {
        return;
    };
    let ns = app.app.namespace.name();
    let dst = &backup.destination;
    let _ = writeln!(
        s,
        "\n## Re-creating a claim on a live cluster\n\n\
         A claim's `ReplicationDestination` `<claim>-dst` restores once: its `spec.trigger.manual` is `{RESTORE_TRIGGER}`, \
         and Volsync runs it again only when that string changes. Its `status.latestImage` is the snapshot of that first \
         restore, which may be months old, and a claim deleted and re-created on a live cluster is filled from it. \
         So before re-creating a claim, make the destination restore the newest backup:\n\n\
         1. In the app's file, add `.restore_again(\"<today's date>\")` to the volume's `Backup`, e.g. \
         `.backup(Backup::daily().restore_again(\"2026-12-01\"))`. It compiles to `spec.trigger.manual: restore-2026-12-01` \
         on `ReplicationDestination <claim>-dst` (`ResolvedBackup::restore_trigger`). Use a new tag each time, and leave \
         it in place afterwards: removing it changes the trigger back, which runs the restore once more.\n\
         2. Render, commit and push; once Argo CD has synced, wait for the restore (for `{ns}/{c}`):\n\n   \
         ```sh\n   \
         kubectl -n {ns} wait replicationdestination/{dst} --for=jsonpath='{{.status.lastManualSync}}'=restore-2026-12-01 --timeout=60m\n   \
         ```\n\
         3. Only then scale the app to 0, delete the claim by hand (`{KEEP_DATA}` stops Argo CD, not you), and let \
         Argo CD re-create it: the populator fills it from the new snapshot. On a Retain class the old volume stays \
         `Released` until you delete its PersistentVolume.",
        c = claim.name,
    );
}

/// The backed-up claim the generic sections show their commands for: a critical app's
/// first, else the first.
fn example<'c>(
    catalogue: &'c Catalogue<'_>,
) -> Option<(&'c ResolvedApp, &'c ResolvedClaim, &'c ResolvedBackup)> {
    catalogue
        .backups()
        .find(|(a, _, _)| a.app.critical.is_some())
        .or_else(|| catalogue.backups().next())
}

/// The empty-restore trap and what to do when a claim comes up empty.
fn empty_restore(s: &mut impl fmt::Write, catalogue: &Catalogue<'_>) {
    let Some((app, claim, _)) = example(catalogue) else {
        return;
    };
    let traps: Vec<String> = catalogue
        .backups()
        .filter(|(_, _, b)| is_trap(&b.policy.retention))
        .map(|(_, c, b)| format!("`{}` ({})", c.name, b.policy.retention.describe()))
        .collect();
    let retention = if traps.is_empty() {
        format!(
            "Every retention here keeps snapshots older than {TRAP_DAYS} days, so good snapshots survive a week of \
             empty backups (`portkey render` warns about any retention that does not)."
        )
    } else {
        format!(
            "These retentions keep nothing older than {TRAP_DAYS} days, so a week of empty backups replaces every good \
             snapshot (`portkey render` warns about them): {}. Keep weekly or monthly snapshots too.",
            traps.join(", ")
        )
    };
    let ns = app.app.namespace.name();
    let rs = &claim.name;
    let _ = writeln!(
        s,
        "\n## If a claim comes up empty\n\n\
         Volsync's populator can hand an app an empty claim instead of failing, when the repository is unreachable or \
         no snapshot matches (backube/volsync#1211). The app starts fresh and its next backups are of the empty volume. \
         {retention} As soon as you notice, stop the backups, then restore an earlier snapshot with the app's restore steps below (raise `previous` \
         past the empty ones, or use `restoreAsOf`):\n\n\
         ```sh\n\
         kubectl -n {ns} patch replicationsource {rs} --type merge -p '{{\"spec\":{{\"paused\":true}}}}'\n\
         # ... restore, check the data, then:\n\
         kubectl -n {ns} patch replicationsource {rs} --type merge -p '{{\"spec\":{{\"paused\":null}}}}'\n\
         ```"
    );
}
