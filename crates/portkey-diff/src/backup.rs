//! How often a Volsync schedule runs and how much a restic retention keeps, to tell a
//! relaxed backup from a tightened one.

use serde_json::Value;

/// About how many times a week a cron schedule (5 fields, or `@daily`-style, or
/// `@every 6h`) fires; `None` when it does not parse.
pub(crate) fn runs_per_week(schedule: &str) -> Option<f64> {
    let schedule = schedule.trim();
    let week = 7.0 * 24.0;
    match schedule {
        "@yearly" | "@annually" => return Some(1.0 / 52.0),
        "@monthly" => return Some(12.0 / 52.0),
        "@weekly" => return Some(1.0),
        "@daily" | "@midnight" => return Some(7.0),
        "@hourly" => return Some(week),
        _ => {}
    }
    if let Some(every) = schedule.strip_prefix("@every ") {
        let hours = duration_hours(
            every.trim(),
            &[('h', 1.0), ('m', 1.0 / 60.0), ('s', 1.0 / 3600.0)],
        )?;
        return (hours > 0.0).then(|| week / hours);
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields.as_slice() else {
        return None;
    };
    let minutes = count(minute, 0, 59)?;
    let hours = count(hour, 0, 23)?;
    let month_days = count(dom, 1, 31)?;
    let months = count(month, 1, 12)?;
    let week_days = count(dow, 0, 6)?.min(7.0);
    let any = |field: &str| field == "*" || field == "?";
    let days = match (any(dom), any(dow)) {
        (true, true) => 7.0,
        (true, false) => week_days,
        (false, true) => month_days * 7.0 / 30.44,
        // Cron fires when either matches.
        (false, false) => week_days + month_days * 7.0 / 30.44,
    };
    Some(minutes * hours * days * months / 12.0)
}

/// How many values a cron field matches: `*`, `*/n`, `a`, `a-b`, `a-b/n`, `a/n`, lists
/// of these; names (`MON`, `JAN`) count one each.
fn count(field: &str, min: u32, max: u32) -> Option<f64> {
    let mut total = 0u32;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0)?),
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (a.parse().ok()?, b.parse().ok()?)
        } else if let Ok(a) = range.parse::<u32>() {
            (a, if part.contains('/') { max } else { a })
        } else if range.chars().all(|c| c.is_ascii_alphabetic()) && !range.is_empty() {
            (0, 0)
        } else {
            return None;
        };
        if hi < lo {
            return None;
        }
        total += (hi - lo) / step + 1;
    }
    Some(f64::from(total))
}

/// A duration such as restic's `1y2m7d` or Go's `1h30m`, in hours, with the given units.
fn duration_hours(s: &str, units: &[(char, f64)]) -> Option<f64> {
    let mut hours = 0.0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
        } else {
            let (_, per) = units.iter().find(|(u, _)| *u == c)?;
            hours += number.parse::<f64>().ok()? * per;
            number.clear();
        }
    }
    number.is_empty().then_some(hours)
}

/// restic's `--keep-within` units: years, months, days, hours.
const RESTIC_UNITS: [(char, f64); 4] = [('y', 8766.0), ('m', 730.5), ('d', 24.0), ('h', 1.0)];

/// The retention rules of `old` (a Volsync `restic.retain`) that `new` keeps less of: a
/// count lowered or dropped (`daily: 7 → 3`), a `within` duration shortened or dropped.
/// Without a `retain` at all restic forgets nothing, which keeps more.
pub(crate) fn relaxed_retention(old: &Value, new: &Value) -> Vec<String> {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (rule, was) in old {
        let now = new.get(rule);
        let weaker = match (was, now) {
            (_, None) => true,
            (Value::Number(a), Some(Value::Number(b))) => b.as_f64() < a.as_f64(),
            (Value::String(a), Some(Value::String(b))) => {
                match (
                    duration_hours(a, &RESTIC_UNITS),
                    duration_hours(b, &RESTIC_UNITS),
                ) {
                    (Some(a), Some(b)) => b < a,
                    _ => false,
                }
            }
            _ => false,
        };
        if weaker {
            let now = now.map_or_else(|| "(none)".to_string(), ToString::to_string);
            out.push(format!("{rule}: {was} → {now}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schedules_per_week() {
        assert_eq!(runs_per_week("46 3 * * *"), Some(7.0));
        assert_eq!(runs_per_week("0 */6 * * *"), Some(28.0));
        assert_eq!(runs_per_week("0 3 * * 0"), Some(1.0));
        assert_eq!(runs_per_week("0 3 * * MON"), Some(1.0));
        assert_eq!(runs_per_week("0,30 * * * *"), Some(2.0 * 24.0 * 7.0));
        assert_eq!(runs_per_week("0 1-5 * * 1-5"), Some(25.0));
        assert_eq!(runs_per_week("@daily"), Some(7.0));
        assert_eq!(runs_per_week("@every 12h"), Some(14.0));
        let monthly = runs_per_week("0 3 1 * *").unwrap();
        assert!(monthly < 1.0 && monthly > 0.2, "{monthly}");
        assert_eq!(runs_per_week("not a schedule"), None);
        assert_eq!(runs_per_week("0 5-1 * * *"), None);
        assert_eq!(runs_per_week("*/0 * * * *"), None);
    }

    #[test]
    fn retention_that_keeps_less() {
        let old = json!({"within": "7d", "daily": 7, "weekly": 4});
        assert!(relaxed_retention(&old, &old).is_empty());
        let more = json!({"within": "1m", "daily": 14, "weekly": 4});
        assert!(relaxed_retention(&old, &more).is_empty());
        let less = json!({"within": "3d", "daily": 7});
        assert_eq!(
            relaxed_retention(&old, &less),
            ["weekly: 4 → (none)", "within: \"7d\" → \"3d\""]
        );
        assert_eq!(
            relaxed_retention(&json!({"within": "1y"}), &json!({"within": "11m"})),
            ["within: \"1y\" → \"11m\""]
        );
        assert!(relaxed_retention(&old, &Value::Null).is_empty());
    }
}
