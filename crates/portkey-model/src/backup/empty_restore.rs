//! Backup warnings: the empty-restore trap (a retention that keeps nothing older than a
//! week), and schedules on a cron macro.
//!
//! Volsync's volume populator can hand an app an empty claim instead of failing: when the
//! restic repository is unreachable, when `restoreAsOf` is malformed, or when no snapshot
//! is found (backube/volsync#1211, open; a maintainer confirms the populator does not fail
//! when it finds no snapshot). The app then starts on an empty volume (a fresh database,
//! default files), and its `ReplicationSource` backs that up on schedule. With a retention
//! such as `within: 7d` or `daily: 7`, a week of such backups pushes every good snapshot
//! out, and the next `restic prune` deletes them.
//!
//! A retention is safe when it also keeps snapshots older than [`TRAP_DAYS`] (weekly or
//! monthly keeps, or a longer `within`): a person then has weeks, not days, to notice.
//! [`warnings`] names every backed-up claim whose retention is not.

use super::Retention;
use crate::resolve::Catalogue;

/// How long the empty backups of a wrongly empty claim take to replace every good snapshot
/// under the retention the seed describes (7 days): a retention that reaches no further
/// back than this is a trap.
pub const TRAP_DAYS: u32 = 7;

/// How far back, in days, `retention` keeps a snapshot when one is taken at least daily:
/// the longest of `within`, the daily, hourly, weekly (7 days each) and monthly (30 days
/// each) keeps. `None` when it keeps nothing it can date (an unparsable `within` alone).
pub fn horizon_days(retention: &Retention) -> Option<u32> {
    [
        retention.within.as_deref().and_then(within_days),
        retention.daily,
        retention.hourly.map(|h| h.div_ceil(24)),
        retention.weekly.map(|w| w.saturating_mul(7)),
        retention.monthly.map(|m| m.saturating_mul(30)),
    ]
    .into_iter()
    .flatten()
    .max()
}

/// Days of a restic duration (units `y`, `m`, `d`, `h`, as in `1y2m3d4h`; a month counts
/// 30 days), rounded up; `None` when it is not one.
fn within_days(within: &str) -> Option<u32> {
    let mut hours: u32 = 0;
    let mut number = String::new();
    for c in within.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u32 = number.parse().ok()?;
        number.clear();
        let per = match c {
            'y' => 365 * 24,
            'm' => 30 * 24,
            'd' => 24,
            'h' => 1,
            _ => return None,
        };
        hours = hours.checked_add(n.checked_mul(per)?)?;
    }
    (number.is_empty() && hours > 0).then(|| hours.div_ceil(24))
}

/// Whether `retention` falls into the trap: it dates its snapshots and reaches no further
/// back than [`TRAP_DAYS`].
pub fn is_trap(retention: &Retention) -> bool {
    horizon_days(retention).is_some_and(|d| d <= TRAP_DAYS)
}

/// One warning per backed-up claim whose retention falls into the trap, naming the app,
/// the volume and the fix.
pub fn warnings(catalogue: &Catalogue<'_>) -> Vec<String> {
    catalogue
        .backups()
        .filter(|(_, _, b)| is_trap(&b.policy.retention))
        .map(|(app, claim, b)| {
            format!(
                "{} (`{}`), volumes[{}].backup: retention `{}` keeps nothing older than {} days; if the claim is ever restored empty \
                 (backube/volsync#1211), a week of backups of the empty volume replaces every good snapshot. \
                 Keep weekly or monthly snapshots too, as the default `Retention::default_policy()` does",
                app.app.name,
                app.app.source,
                claim.volume,
                b.policy.retention.describe(),
                horizon_days(&b.policy.retention).unwrap_or_default(),
            )
        })
        .collect()
}

/// One warning per backup on a cron macro (`@daily`, `@hourly`, …): a macro fires at
/// minute 0, so every such backup of the cluster starts at the same moment, where
/// [`super::Backup::daily`] and its kin spread the minute by the claim's name.
pub fn macro_warnings(catalogue: &Catalogue<'_>) -> Vec<String> {
    catalogue
        .backups()
        .filter_map(|(app, claim, b)| match &b.policy.schedule {
            super::Schedule::Cron(expr) if expr.trim().starts_with('@') => Some(format!(
                "{} (`{}`), volumes[{}].backup.schedule: the cron macro `{}` fires at minute 0, with every other \
                 backup on a macro; use `Backup::daily()` (or `Backup::every_6_hours()`), which spread the minute by the claim's name",
                app.app.name,
                app.app.source,
                claim.volume,
                expr.trim()
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_of_keeps_is_a_trap_and_weekly_or_monthly_keeps_are_not() {
        assert!(is_trap(&Retention::days(7)));
        assert!(is_trap(&Retention {
            hourly: Some(24),
            daily: Some(7),
            ..Retention::default()
        }));
        assert!(is_trap(&Retention {
            hourly: Some(168),
            ..Retention::default()
        }));
        assert!(!is_trap(&Retention::default_policy()));
        assert!(!is_trap(&Retention {
            daily: Some(7),
            weekly: Some(2),
            ..Retention::default()
        }));
        assert!(!is_trap(&Retention::days(30)));
        assert!(!is_trap(&Retention {
            within: Some("1m".into()),
            ..Retention::default()
        }));
        assert!(!is_trap(&Retention {
            within: Some("7x".into()),
            ..Retention::default()
        }));
        assert_eq!(within_days("1y2m3d4h"), Some(365 + 60 + 3 + 1));
        assert_eq!(within_days("7"), None);
        assert_eq!(within_days(""), None);
    }
}
