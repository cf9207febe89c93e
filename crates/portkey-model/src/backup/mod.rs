//! Backup policy: when a volume is backed up, how long snapshots are kept.
//!
//! A policy compiles to a Volsync restic `ReplicationSource`. Schedules are typed
//! (`every_6_hours`, `daily`) or a cron expression checked at resolution, so a malformed
//! schedule is reported with the app and volume that declared it.
//!
//! This module is the one place backups are worked out: [`resolved`] checks each claim's
//! declaration and derives everything the later stages read (repository Secret, restore
//! destination, cron, keys, restore trigger) as a [`ResolvedBackup`]. Compile builds the
//! Volsync objects from it, and the runbook, bootstrap and architecture documents print it.

mod cron;
pub mod empty_restore;
pub mod resolved;

pub use cron::check_cron;
pub use resolved::{RESTIC_KEYS, RESTORE_TRIGGER, RUNBOOK, ResolvedBackup, ResticKeys};

/// A backup declaration on one volume.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Backup {
    /// When to back up.
    pub schedule: Schedule,
    /// Which snapshots to keep.
    pub retention: Retention,
    /// Set by [`Backup::restore_again`]: the restore destination runs again.
    pub restore_again: Option<String>,
}

impl Backup {
    /// Every 6 hours, at a minute spread from the app's name: `M */6 * * *`.
    pub fn every_6_hours() -> Self {
        Self::with(Schedule::EveryHours(6))
    }
    /// Daily at 03:M, the minute spread from the app's name: `M 3 * * *`.
    pub fn daily() -> Self {
        Self::with(Schedule::Daily { hour: 3 })
    }
    /// A cron expression (five fields), checked when the model is resolved.
    pub fn cron(expr: &str) -> Self {
        Self::with(Schedule::Cron(expr.to_string()))
    }
    fn with(schedule: Schedule) -> Self {
        Self {
            schedule,
            retention: Retention::default_policy(),
            restore_again: None,
        }
    }
    /// Replaces the default retention ([`Retention::default_policy`]).
    pub fn retain(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }
    /// Runs the claim's restore destination (`<claim>-dst`) again, from the newest backup:
    /// its `spec.trigger.manual` becomes `restore-<tag>` instead of `restore-once`. Needed
    /// before a claim is deleted and re-created on a live cluster, which would otherwise be
    /// filled from the snapshot of the destination's first restore, however old. Use a new
    /// tag (a date, `2026-12-01`) each time; see RESTORE.md.
    pub fn restore_again(mut self, tag: &str) -> Self {
        self.restore_again = Some(tag.to_string());
        self
    }
}

/// Whether a claim is backed up.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum BackupChoice {
    /// Backed up with this policy.
    Backup(Backup),
    /// Not backed up, for this reason.
    Exempt(String),
    /// Nothing declared: a render error (every claim is backed up or exempt with a reason).
    Undeclared,
}

/// When a backup runs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Schedule {
    /// Every N hours (N divides 24).
    EveryHours(u8),
    /// Once a day at this hour.
    Daily {
        /// Hour of day, 0–23.
        hour: u8,
    },
    /// A raw cron expression.
    Cron(String),
}

impl Schedule {
    /// Human wording for documents (`Every 6 hours`, `Daily`).
    pub fn describe(&self) -> String {
        match self {
            Schedule::EveryHours(h) => format!("Every {h} hours"),
            Schedule::Daily { .. } => "Daily".into(),
            Schedule::Cron(_) => "Custom".into(),
        }
    }

    /// The cron expression, with the minute spread deterministically from `seed`
    /// (the same seed always gives the same minute) so backups do not all hit Ceph at once.
    pub fn to_cron(&self, seed: &str) -> String {
        let minute = spread_minute(seed);
        match self {
            Schedule::EveryHours(h) => format!("{minute} */{h} * * *"),
            Schedule::Daily { hour } => format!("{minute} {hour} * * *"),
            Schedule::Cron(c) => c.clone(),
        }
    }

    /// Checks the schedule; returns the reason it is invalid.
    pub fn check(&self) -> Result<(), String> {
        match self {
            Schedule::EveryHours(h) if *h == 0 || 24 % h != 0 => Err(format!(
                "every {h} hours does not divide a day; use 1, 2, 3, 4, 6, 8, 12 or 24"
            )),
            Schedule::Daily { hour } if *hour > 23 => Err(format!("hour {hour} is not 0–23")),
            Schedule::Cron(c) => check_cron(c),
            _ => Ok(()),
        }
    }
}

/// A minute of the hour derived from the seed.
fn spread_minute(seed: &str) -> u64 {
    fnv1a(seed.as_bytes()) % 60
}

/// 64-bit FNV-1a: a small, stable, platform-independent hash (never used for names).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Which restic snapshots to keep (`spec.restic.retain`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Retention {
    /// Keep the last N hourly snapshots.
    pub hourly: Option<u32>,
    /// Keep the last N daily snapshots.
    pub daily: Option<u32>,
    /// Keep the last N weekly snapshots.
    pub weekly: Option<u32>,
    /// Keep the last N monthly snapshots.
    pub monthly: Option<u32>,
    /// Keep every snapshot within this restic duration of the newest (`7d`).
    pub within: Option<String>,
}

impl Retention {
    /// The retention of [`Backup::daily`] and [`Backup::every_6_hours`]: every snapshot of
    /// the last 7 days (the seed's backup table), plus the last snapshot of each of 4 weeks
    /// and of 3 months. The older keeps defend against the empty-restore trap
    /// ([`empty_restore`]): a week of backups of a wrongly empty volume would otherwise
    /// push every good snapshot out of `within: 7d`.
    pub fn default_policy() -> Self {
        Self {
            weekly: Some(4),
            monthly: Some(3),
            ..Self::days(7)
        }
    }
    /// Every snapshot of the last `n` days (`retain.within: <n>d`).
    pub fn days(n: u32) -> Self {
        Self {
            within: Some(format!("{n}d")),
            ..Self::default()
        }
    }
    /// Human wording for documents (`7 days`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(w) = &self.within {
            parts.push(match w.strip_suffix('d') {
                Some(n) => format!("{n} days"),
                None => w.clone(),
            });
        }
        for (n, unit) in [
            (self.hourly, "hourly"),
            (self.daily, "daily"),
            (self.weekly, "weekly"),
            (self.monthly, "monthly"),
        ] {
            if let Some(n) = n {
                parts.push(format!("{n} {unit}"));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_stable_and_in_range() {
        let a = Schedule::Daily { hour: 3 }.to_cron("vaultwarden/data");
        assert_eq!(a, Schedule::Daily { hour: 3 }.to_cron("vaultwarden/data"));
        let minute: u32 = a.split(' ').next().unwrap().parse().unwrap();
        assert!(minute < 60);
        assert!(a.ends_with(" 3 * * *"));
        assert!(Schedule::EveryHours(6).to_cron("x").ends_with(" */6 * * *"));
        assert!(Schedule::EveryHours(5).check().is_err());
    }

    #[test]
    fn retention_wording() {
        assert_eq!(Retention::days(7).describe(), "7 days");
        assert_eq!(
            Backup::daily().retention.describe(),
            "7 days, 4 weekly, 3 monthly"
        );
    }
}
