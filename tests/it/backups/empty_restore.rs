//! The empty-restore trap (backube/volsync#1211): a retention that keeps nothing older
//! than a week warns, naming the app, the volume and the fix; the default does not.

use super::*;
use portkey::portkey_model::backup::Retention;

fn warnings_of(apps: Vec<App>) -> Vec<String> {
    portkey::plan(&test_cluster(), apps)
        .unwrap_or_else(|e| panic!("{e}"))
        .warnings
}

#[test]
fn a_week_of_retention_warns_and_the_default_does_not() {
    let claim = |name: &str, backup: Backup| {
        app(name).volume(Volume::claim("data", "/data", Memory::gi(1)).backup(backup))
    };
    let w = warnings_of(vec![
        claim("weekly", Backup::daily().retain(Retention::days(7))),
        claim(
            "hourly",
            Backup::every_6_hours().retain(Retention {
                hourly: Some(24),
                daily: Some(7),
                ..Retention::default()
            }),
        ),
        claim("safe", Backup::daily()),
        claim(
            "monthly",
            Backup::daily().retain(Retention {
                daily: Some(7),
                monthly: Some(2),
                ..Retention::default()
            }),
        ),
    ]);
    assert_eq!(w.len(), 2, "{w:#?}");
    for (app, retention) in [("weekly", "7 days"), ("hourly", "24 hourly, 7 daily")] {
        let one = w
            .iter()
            .find(|w| w.starts_with(&format!("{app} (`apps/{app}.rs`), volumes[data].backup")))
            .unwrap_or_else(|| panic!("no warning for {app}: {w:#?}"));
        assert!(one.contains(&format!("`{retention}`")), "{one}");
        assert!(
            one.contains("volsync#1211") && one.contains("weekly or monthly"),
            "{one}"
        );
    }
}

#[test]
fn the_real_catalogue_keeps_weeks_of_snapshots() {
    let plan = portkey::plan_with(
        &portkey::cluster::portkey(),
        portkey::catalogue(),
        portkey::charts(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !plan.warnings.iter().any(|w| w.contains("volsync#1211")),
        "{:#?}",
        plan.warnings
    );
    // And it backs up with a retention the check would flag, if it were the seed's alone.
    assert!(portkey_model::backup::empty_restore::is_trap(
        &Retention::days(7)
    ));
}
