//! Jobs and CronJobs (`k8s.io/kubernetes/pkg/apis/batch/validation/validation.go`).
//! portkey emits neither today; `portkey validate` checks them in any directory.
//!
//! - `ValidateJobSpec`: the template's `restartPolicy` is OnFailure or Never;
//! - `ValidateCronJobCreate`: a CronJob's name is at most 52 characters (each Job it
//!   creates is named with 11 more, and a Job's name is at most 63);
//! - `validateScheduleFormat`: `schedule` parses as the standard cron format
//!   (`cron.ParseStandard` of robfig/cron v3: five fields, or `@yearly`, `@annually`,
//!   `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <duration>`), and
//!   carries no `TZ=` or `CRON_TZ=` ("cannot use TZ or CRON_TZ in schedule, use timeZone
//!   field instead");
//! - `validateTimeZone`: not empty, not `Local`, and a name from the IANA database. The
//!   API server loads it (`time.LoadLocation`); without a time-zone database this checks
//!   its form only (`Area/Location` of letters, digits, `_`, `-`, `+`), so a well-formed
//!   unknown name still passes;
//! - `concurrencyPolicy` is Allow, Forbid or Replace; `startingDeadlineSeconds` and the
//!   history limits are 0 or more.

use portkey_model::json::at;
use serde_json::Value;

use super::{Out, meta, str_of, workload};

pub(super) fn job(out: &mut Out<'_>, object: &Value, lint_exempt: bool) {
    if let Some(spec) = object.get("spec") {
        workload::template(
            out,
            spec,
            "/spec",
            &["OnFailure", "Never"],
            false,
            lint_exempt,
        );
    }
}

/// The longest CronJob name: the controller names each Job `<name>-<11 characters>` (a
/// hyphen and the scheduled time in minutes), and a Job's name is at most 63.
const CRON_JOB_NAME_MAX: usize = 63 - 11;

pub(super) fn cron_job(out: &mut Out<'_>, object: &Value, lint_exempt: bool) {
    meta::name_at_most(
        out,
        object,
        CRON_JOB_NAME_MAX,
        (
            "CronJob name",
            "batch validation.ValidateCronJobCreate",
            "the controller appends 11 characters to name each Job, whose name may not exceed 63",
        ),
    );
    let Some(spec) = object.get("spec") else {
        return;
    };
    let schedule = str_of(spec, "schedule").unwrap_or_default();
    if schedule.contains("TZ=") {
        out.add(
            "/spec/schedule".into(),
            &format!("schedule {schedule:?} is not valid"),
            "batch validation.validateScheduleFormat",
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        );
    } else if let Err(e) = cron(schedule) {
        out.add(
            "/spec/schedule".into(),
            &format!("schedule {schedule:?} is not valid"),
            "batch validation.validateScheduleFormat: cron.ParseStandard",
            &e,
        );
    }
    if let Some(tz) = str_of(spec, "timeZone")
        && let Err(e) = time_zone(tz)
    {
        out.add(
            "/spec/timeZone".into(),
            &format!("timeZone {tz:?} is not valid"),
            "batch validation.validateTimeZone",
            &e,
        );
    }
    if let Some(policy) = str_of(spec, "concurrencyPolicy")
        && !matches!(policy, "Allow" | "Forbid" | "Replace")
    {
        out.add(
            "/spec/concurrencyPolicy".into(),
            &format!("concurrencyPolicy {policy:?} is not valid"),
            "batch validation.ValidateCronJobSpec",
            "Unsupported value: supported values: \"Allow\", \"Forbid\", \"Replace\"",
        );
    }
    for field in [
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ] {
        if let Some(n) = spec.get(field).and_then(Value::as_i64)
            && n < 0
        {
            out.add(
                format!("/spec/{field}"),
                &format!("{field} {n} is not valid"),
                "batch validation.ValidateCronJobSpec: ValidateNonnegativeField",
                "must be greater than or equal to 0",
            );
        }
    }
    if let Some(job) = at(spec, "/jobTemplate/spec") {
        workload::template(
            out,
            job,
            "/spec/jobTemplate/spec",
            &["OnFailure", "Never"],
            false,
            lint_exempt,
        );
    }
}

/// `(low, high, names)` of the five standard fields.
const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (
        "day of week",
        0,
        6,
        &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    ),
];

/// robfig/cron v3's standard parser: five fields, or a descriptor.
pub(super) fn cron(schedule: &str) -> Result<(), String> {
    if let Some(descriptor) = schedule.strip_prefix('@') {
        return match descriptor.split_once(' ') {
            Some(("every", duration)) if go_duration(duration.trim()) => Ok(()),
            None if matches!(
                descriptor,
                "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly"
            ) =>
            {
                Ok(())
            }
            _ => Err(format!("unrecognized descriptor: @{descriptor}")),
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected exactly 5 fields, found {}: {schedule:?}",
            fields.len()
        ));
    }
    for (field, (what, low, high, names)) in fields.iter().zip(FIELDS) {
        for part in field.split(',') {
            range(part, low, high, names).map_err(|e| format!("{what} {part:?}: {e}"))?;
        }
    }
    Ok(())
}

fn range(part: &str, low: u32, high: u32, names: &[&str]) -> Result<(), String> {
    let (span, step) = match part.split_once('/') {
        Some((span, step)) => (span, Some(step)),
        None => (part, None),
    };
    let value = |s: &str| -> Result<u32, String> {
        let n = match names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
            Some(i) => u32::try_from(i).unwrap_or(0) + low,
            None => s
                .parse::<u32>()
                .map_err(|_| format!("failed to parse int from {s}"))?,
        };
        if n < low || n > high {
            return Err(format!("{n} is out of the range {low}-{high}"));
        }
        Ok(n)
    };
    let (start, end) = match span {
        "*" | "?" => (low, high),
        _ => {
            if let Some((a, b)) = span.split_once('-') {
                (value(a)?, value(b)?)
            } else {
                let n = value(span)?;
                (n, if step.is_some() { high } else { n })
            }
        }
    };
    if start > end {
        return Err(format!(
            "beginning of range ({start}) beyond end of range ({end})"
        ));
    }
    if let Some(step) = step
        && step.parse::<u32>().ok().is_none_or(|s| s == 0)
    {
        return Err(format!("step of range should be a positive number: {step}"));
    }
    Ok(())
}

/// A Go `time.ParseDuration` string such as `1h30m` or `90s`.
fn go_duration(s: &str) -> bool {
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .bytes()
            .position(|b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = ["ns", "us", "µs", "ms", "s", "m", "h"]
            .iter()
            .find(|u| rest.starts_with(**u))
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

/// `validateTimeZone`'s form: an IANA name, never `Local`.
pub(super) fn time_zone(tz: &str) -> Result<(), String> {
    if tz.is_empty() {
        return Err("unknown time zone: it is empty".into());
    }
    if tz.eq_ignore_ascii_case("local") {
        return Err(
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
                .into(),
        );
    }
    let well_formed = !tz.starts_with('/')
        && tz.split('/').all(|part| {
            !part.is_empty()
                && part != ".."
                && part != "."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        });
    if well_formed {
        Ok(())
    } else {
        Err(format!("unknown time zone {tz}"))
    }
}
