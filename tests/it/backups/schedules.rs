//! Schedules (spread, valid for Volsync, malformed crons rejected) and the restore runbook
//! of the real catalogue.

use super::*;

#[test]
fn spread_minutes_are_deterministic_and_spread() {
    let first = schedules(&real_manifests());
    assert_eq!(first, schedules(&real_manifests()), "two compiles differ");
    // Same app, same minute, whatever else is in the catalogue.
    let alone = compile_on(
        &portkey::cluster::portkey(),
        portkey::catalogue()
            .into_iter()
            .filter(|a| a.name == "vaultwarden")
            .collect(),
    );
    let key = ("vaultwarden".to_string(), "vaultwarden-data".to_string());
    assert_eq!(schedules(&alone)[&key], first[&key]);
    let synthetic_alone = compile(vec![synthetic().remove(0)]);
    let key = ("lab".to_string(), "notes-data".to_string());
    assert_eq!(
        schedules(&synthetic_alone)[&key],
        schedules(&compile(synthetic()))[&key]
    );

    let minutes: BTreeSet<&str> = first
        .values()
        .map(|c| c.split(' ').next().unwrap())
        .collect();
    assert!(
        minutes.len() > 1,
        "every real backup starts at the same minute: {first:#?}"
    );
    let daily: Vec<&String> = first.values().filter(|c| c.ends_with(" 3 * * *")).collect();
    let distinct: BTreeSet<&str> = daily.iter().map(|c| c.split(' ').next().unwrap()).collect();
    assert!(
        distinct.len() > 1,
        "the daily backups all start together: {daily:?}"
    );
}

#[test]
fn schedules_are_valid_for_volsync() {
    let pattern = volsync_schedule_pattern();
    assert!(
        !pattern.is_match("0 3 * *"),
        "the pattern rejects what Volsync rejects"
    );
    for (key, cron) in schedules(&real_manifests())
        .into_iter()
        .chain(schedules(&compile(synthetic())))
    {
        assert!(
            pattern.is_match(&cron),
            "{key:?}: {cron:?} fails Volsync's CRD"
        );
    }
    for h in [1, 2, 3, 4, 6, 8, 12, 24] {
        let s = Schedule::EveryHours(h);
        assert!(s.check().is_ok());
        assert!(pattern.is_match(&s.to_cron("x/y")), "{}", s.to_cron("x/y"));
    }
    for hour in 0..24 {
        let s = Schedule::Daily { hour };
        assert!(s.check().is_ok());
        assert!(pattern.is_match(&s.to_cron("x/y")));
    }
}

fn cron_problem(expr: &str) -> ModelError {
    let bad = || {
        vec![
            app("notes")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron(expr))),
        ]
    };
    let all = problems(bad());
    assert_eq!(all.len(), 1, "{expr:?}: {all:#?}");
    let e = all[0].clone();
    assert_eq!(e.app, "notes");
    assert_eq!(e.field, "volumes[data].backup.schedule");
    let shown = portkey::render(&test_cluster(), bad())
        .expect_err("a malformed cron must not render")
        .to_string();
    assert!(
        shown.contains("app `notes`") && shown.contains("volumes[data].backup.schedule"),
        "{shown}"
    );
    assert!(shown.contains(&e.fix), "{shown}");
    e
}

#[test]
fn malformed_cron_fails_with_app_and_field() {
    // (errors/catalogue.rs covers a missing field and an hour out of range.)
    for (expr, mentions) in [
        ("60 3 * * *", "minute"),
        ("*/0 * * * *", "step"),
        ("0 3 32 * *", "day of month"),
        ("0 3 * 13 *", "month"),
        ("0 3 * * 8", "day of week"),
        ("0 3 * * * *", "6 fields"),
        ("a 3 * * *", "minute"),
        ("", "0 fields"),
    ] {
        let e = cron_problem(expr);
        assert!(e.problem.contains(mentions), "{expr:?}: {e:#?}");
    }
    // Valid forms are accepted.
    for expr in ["0 3 * * *", "*/15 1-5 * * 1,3", "15 2 * * 0"] {
        render(vec![app("notes").volume(
            Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron(expr)),
        )]);
    }
}

#[test]
fn accepted_crons_pass_volsync_validation() {
    let pattern = volsync_schedule_pattern();
    for expr in ["0 1-5/2 * * *", "0 3 * * 1-5,7", "0 1,2-4 * * *"] {
        assert!(
            !pattern.is_match(expr),
            "{expr:?} is valid for Volsync after all"
        );
        let apps = vec![
            app("notes")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron(expr))),
        ];
        assert!(
            portkey_model::resolve(&test_cluster(), apps).is_err(),
            "{expr:?} is accepted, but Volsync's CRD rejects it"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The runbook of the real catalogue
// ---------------------------------------------------------------------------------------

#[test]
fn real_runbook_covers_every_backed_up_claim() {
    let tree = real_tree();
    let m = real_manifests();
    let store = portkey::cluster::portkey().backup.secret_store.is_some();
    let n = check_runbook(&tree["RESTORE.md"], &m, store);
    assert!(n >= BACKUP_TABLE.len());
    // Every alert links to a heading of the runbook: one per backed-up claim.
    let mut links = 0;
    for rule in all(&m, "PrometheusRule") {
        for r in rule["spec"]["groups"][0]["rules"].as_array().unwrap() {
            if let Some(link) = r["annotations"]["runbook"].as_str() {
                let anchor = link.strip_prefix("generated/RESTORE.md#").expect(link);
                assert!(
                    tree["RESTORE.md"].contains(&format!("\n## {anchor}\n")),
                    "{link}"
                );
                links += 1;
            }
        }
    }
    assert_eq!(
        links,
        all(&m, "ReplicationSource").len(),
        "an alert per backup"
    );
}

#[test]
fn snapshot_now_gives_the_schedule_back() {
    let tree = real_tree();
    for sec in tree["RESTORE.md"].split("\n### Volume `").skip(1) {
        let claim = sec
            .split("(claim `")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap();
        let block = sec
            .split("Take a backup now")
            .nth(1)
            .and_then(|r| r.split("```").nth(1))
            .unwrap_or_else(|| panic!("{claim}: no snapshot-now block"));
        assert!(
            block.contains(r#""manual":null"#) || block.contains(r#"\"manual\":null"#),
            "{claim}: the manual trigger is never removed:\n{block}"
        );
    }
}

#[test]
fn runbook_shows_a_raw_cron_once() {
    let tree = render(synthetic());
    let row = tree["RESTORE.md"]
        .lines()
        .find(|l| l.contains(" | legacy-config | "))
        .expect("legacy-config is listed");
    assert_eq!(row.matches("15 2 * * 0").count(), 1, "{row}");
}
