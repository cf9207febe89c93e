//! Cron expressions as Volsync accepts them.

/// Checks a cron expression the way Volsync's CRD does: a macro (`@daily`, `@hourly`, …) or
/// five fields (minute hour day-of-month month day-of-week), each a number, a comma list of
/// numbers, a range `a-b`, a step `a/n`, `*` or `*/n` (the CRD's pattern allows nothing
/// else: no ranges inside lists, no steps on ranges), with every number in range.
pub fn check_cron(expr: &str) -> Result<(), String> {
    const MACROS: [&str; 6] = [
        "@annually",
        "@yearly",
        "@monthly",
        "@weekly",
        "@daily",
        "@hourly",
    ];
    const FIELDS: [(&str, u32, u32); 5] = [
        ("minute", 0, 59),
        ("hour", 0, 23),
        ("day of month", 1, 31),
        ("month", 1, 12),
        ("day of week", 0, 7),
    ];
    if MACROS.contains(&expr.trim()) {
        return Ok(());
    }
    let parts: Vec<&str> = expr.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(format!(
            "{expr:?} has {} fields; a cron schedule has 5 (minute hour day month weekday), e.g. \"0 3 * * *\"",
            parts.len()
        ));
    }
    let number = |field: &str, lo: u32, hi: u32, text: &str| -> Result<(), String> {
        match text.parse::<u32>() {
            Ok(n) if (lo..=hi).contains(&n) && text.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            _ => Err(format!(
                "{field} value {text:?} is not a number in {lo}–{hi}"
            )),
        }
    };
    for (part, (field, lo, hi)) in parts.iter().zip(FIELDS) {
        if *part == "*" {
            continue;
        }
        if let Some(step) = part.strip_prefix("*/") {
            match step.parse::<u32>() {
                Ok(n) if n > 0 => continue,
                _ => return Err(format!("{field} step {step:?} is not a positive number")),
            }
        }
        if let Some((a, b)) = part.split_once(['-', '/']) {
            if b.contains(['-', '/', ',']) || a.contains(',') {
                return Err(format!(
                    "{field} {part:?}: Volsync accepts a single range or step per field (no ranges in lists, no steps on ranges)"
                ));
            }
            number(field, lo, hi, a)?;
            if part.contains('/') {
                match b.parse::<u32>() {
                    Ok(n) if n > 0 => {}
                    _ => return Err(format!("{field} step {b:?} is not a positive number")),
                }
            } else {
                number(field, lo, hi, b)?;
            }
            continue;
        }
        for item in part.split(',') {
            number(field, lo, hi, item)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_checks() {
        assert!(check_cron("0 3 * * *").is_ok());
        assert!(check_cron("*/15 1-5 * * 1,3").is_ok());
        assert!(check_cron("@daily").is_ok());
        assert!(check_cron("0 1-5/2 * * *").is_err());
        assert!(check_cron("0 1,2-4 * * *").is_err());
        assert!(check_cron("0 3 * *").unwrap_err().contains("4 fields"));
        assert!(check_cron("61 3 * * *").unwrap_err().contains("minute"));
        assert!(check_cron("0 24 * * *").unwrap_err().contains("hour"));
        assert!(check_cron("*/0 * * * *").unwrap_err().contains("step"));
    }
}
