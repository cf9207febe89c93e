//! `generated/RESTORE.md`: the restore runbook, written from the same model as the backups
//! so it can never name a Secret, schedule or claim that does not exist.

use std::fmt::Write as _;

use portkey_compile::backup;
use portkey_compile::{ARGOCD_NAMESPACE, ROOT_APP};
use portkey_model::app::Workload;
use portkey_model::backup::resolved::repository_url;
use portkey_model::backup::{RESTIC_KEYS, ResolvedBackup};
use portkey_model::resolve::{Catalogue, ResolvedApp, ResolvedClaim};

use crate::to_yaml;

/// Path of the runbook under `generated/`.
pub const PATH: &str = portkey_model::backup::RUNBOOK;

/// The restore runbook for every backed-up volume of the catalogue.
pub fn restore_runbook(catalogue: &Catalogue<'_>) -> String {
    let mut s = String::new();
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
    s.push_str("| app | namespace | volume | claim | repository Secret | schedule | retention |\n");
    s.push_str("|---|---|---|---|---|---|---|\n");
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
                    "Critical: {reason}. Its claims are on a Retain storage class and Argo CD never prunes or deletes them."
                );
            }
        }
        claim_section(&mut s, app, claim, backup);
    }
    s
}

fn claim_section(
    s: &mut String,
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
