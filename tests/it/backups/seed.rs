//! The real catalogue follows the seed's backup table.

use super::*;

/// How often the seed backs an app up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Frequency {
    Every6Hours,
    Daily,
}

/// The seed's "Backup Strategy" table: app, frequency, retention (days). All Volsync/Restic.
pub(super) const BACKUP_TABLE: [(&str, Frequency, u32); 7] = [
    ("vaultwarden", Frequency::Every6Hours, 7),
    ("homeassistant", Frequency::Daily, 7),
    ("paperless", Frequency::Daily, 7),
    ("zigbee2mqtt", Frequency::Daily, 7),
    ("mosquitto", Frequency::Daily, 7),
    ("grocy", Frequency::Daily, 7),
    ("babybuddy", Frequency::Daily, 7),
];

#[test]
fn real_backups_follow_the_seed_table() {
    let m = real_manifests();
    let tree = real_tree();
    let runbook = &tree["RESTORE.md"];
    let sources = all(&m, "ReplicationSource");
    let apps = portkey::catalogue();
    for (name, frequency, days) in BACKUP_TABLE {
        assert!(
            apps.iter().any(|a| a.name == name),
            "{name} is not in apps/"
        );
        let mine: Vec<&Value> = sources
            .iter()
            .filter(|rs| rs["metadata"]["labels"][NAME_LABEL] == name)
            .collect();
        assert!(
            !mine.is_empty(),
            "{name} is in the backup table but backs nothing up"
        );
        for rs in mine {
            let (_, claim) = ns_name(rs);
            let schedule = s(&rs["spec"]["trigger"]["schedule"]);
            let (cron_rest, words) = match frequency {
                Frequency::Every6Hours => ("*/6 * * *", "Every 6 hours"),
                Frequency::Daily => ("3 * * *", "Daily"),
            };
            minute_of(schedule, cron_rest);
            assert_eq!(
                rs["spec"]["restic"]["retain"],
                json!({"within": format!("{days}d"), "weekly": 4, "monthly": 3}),
                "{claim}: retention is the seed's {days} days, plus the weekly and monthly keeps \
                 that survive a week of empty backups"
            );
            assert_eq!(rs["spec"]["restic"]["copyMethod"], "Snapshot");
            let row = runbook
                .lines()
                .find(|l| l.contains(&format!(" | {claim} | ")))
                .unwrap_or_else(|| panic!("{claim} not in the runbook table"));
            assert!(row.contains(&format!("{words} (`{schedule}`)")), "{row}");
            assert!(
                row.ends_with(&format!("| {days} days, 4 weekly, 3 monthly |")),
                "{row}"
            );
        }
    }
}

#[test]
fn only_the_apps_of_the_seed_table_and_issue_13_are_backed_up() {
    let m = real_manifests();
    let backed_up: BTreeSet<String> = all(&m, "ReplicationSource")
        .iter()
        .map(|rs| s(&rs["metadata"]["labels"][NAME_LABEL]).to_string())
        .collect();
    let table: BTreeSet<String> = BACKUP_TABLE
        .iter()
        .map(|(n, ..)| *n)
        .chain(crate::apps::BACKED_UP_BEYOND_THE_SEED)
        .map(str::to_string)
        .collect();
    assert_eq!(backed_up, table);
}

#[test]
fn vaultwarden_repository_secret() {
    let m = real_manifests();
    let rs = find(&m, "ReplicationSource", "vaultwarden", "vaultwarden-data")
        .expect("vaultwarden's data is backed up");
    assert_eq!(
        rs["spec"]["restic"]["repository"],
        "vaultwarden-volsync-secret"
    );
    let rd = find(
        &m,
        "ReplicationDestination",
        "vaultwarden",
        "vaultwarden-data-dst",
    )
    .expect("and restored from");
    assert_eq!(
        rd["spec"]["restic"]["repository"],
        "vaultwarden-volsync-secret"
    );
    minute_of(s(&rs["spec"]["trigger"]["schedule"]), "*/6 * * *");
}
