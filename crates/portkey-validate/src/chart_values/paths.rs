//! The value paths a release sets that its chart's defaults lack.

use std::fmt::Write as _;

use portkey_model::ModelError;
use portkey_model::chart::Chart;
use serde_json::Value;

use super::Findings;

/// Reports every leaf path of `chart.values` missing from `defaults` (an error, or a
/// warning when declared with `Chart::new_value_path`), and every declaration of a path
/// the defaults do have.
pub(super) fn check(chart: &Chart, defaults: &Value, out: &mut Findings) {
    let mut unknown = Vec::new();
    walk(&chart.values, defaults, &mut Vec::new(), &mut unknown);
    let declared: Vec<(Vec<String>, &str, &str)> = chart
        .new_value_paths
        .iter()
        .map(|(path, reason)| (parse(path), path.as_str(), reason.as_str()))
        .collect();
    let at = |field: String| ModelError::at(&chart.source, &chart.name, field);
    let mut used = vec![0_usize; declared.len()];
    for leaf in &unknown {
        let covered = declared.iter().position(|(segments, _, _)| {
            leaf.len() >= segments.len() && leaf.iter().zip(segments).all(|(a, b)| a == b)
        });
        if let Some(i) = covered {
            used[i] += 1;
            continue;
        }
        let path = display(leaf);
        out.errors.push(
            at(format!("values.{path}"))
                .problem(format!(
                    "value path `{path}` does not exist in the defaults of {} {} (`charts/{}/{}/values.yaml`): a misspelt or removed key is ignored by the chart",
                    chart.chart, chart.version, chart.chart, chart.version
                ))
                .fix(format!(
                    "spell it as the chart's values.yaml does, or, if the chart reads it although its defaults leave it out, declare it: `.new_value_path({path:?}, \"<why>\")`"
                )),
        );
    }
    for ((segments, path, reason), used) in declared.iter().zip(used) {
        if used > 0 {
            out.warnings.push(format!(
                "{}: {used} value path(s) at or under `{path}` are not in the defaults of {} {}, declared on purpose: {reason}",
                chart.name, chart.chart, chart.version
            ));
        } else if exists(defaults, segments) {
            out.errors.push(
                at(format!("new_value_path({path})"))
                    .problem(format!(
                        "`{path}` is declared as a new value path, but the defaults of {} {} have it",
                        chart.chart, chart.version
                    ))
                    .fix("remove the `.new_value_path(..)` declaration: the path is known"),
            );
        } else {
            out.errors.push(
                at(format!("new_value_path({path})"))
                    .problem(format!(
                        "`{path}` is declared as a new value path, but the values do not set it"
                    ))
                    .fix("remove the `.new_value_path(..)` declaration, or set the value"),
            );
        }
    }
}

/// Collects into `out` the leaf paths of `over` that `defaults` lacks.
fn walk(over: &Value, defaults: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Value::Object(over) = over else {
        // A scalar or a list: the key exists (lists replace, so items are not walked).
        return;
    };
    match defaults {
        // A free-form map (`podAnnotations: {}`) or a key without a default shape.
        Value::Null => {}
        Value::Object(d) if d.is_empty() => {}
        Value::Object(d) => {
            for (key, value) in over {
                path.push(key.clone());
                match d.get(key) {
                    Some(dv) => walk(value, dv, path, out),
                    None => leaves(value, path, out),
                }
                path.pop();
            }
        }
        // A map where the chart expects a scalar or a list: none of its keys are known.
        _ => {
            for (key, value) in over {
                path.push(key.clone());
                leaves(value, path, out);
                path.pop();
            }
        }
    }
}

/// Every leaf path of `value` under `path` (a map's own path when it is empty).
fn leaves(value: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(m) if !m.is_empty() => {
            for (key, v) in m {
                path.push(key.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

/// A declared path's segments: dot-separated, a key with dots in `["..."]`
/// (`configs.cm["resource.exclusions"]`), the way [`display`] writes it.
pub(super) fn parse(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix("[\"") {
            let end = quoted.find("\"]").unwrap_or(quoted.len());
            out.push(quoted[..end].to_string());
            rest = quoted.get(end + 2..).unwrap_or_default();
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    out
}

/// Whether `defaults` has every segment of `segments`.
fn exists(defaults: &Value, segments: &[String]) -> bool {
    let mut at = defaults;
    for s in segments {
        match at.get(s.as_str()) {
            Some(v) => at = v,
            None => return false,
        }
    }
    true
}

/// A path as the user reads it: `a.b["metallb.io/loadBalancerIPs"]`.
pub(super) fn display<S: AsRef<str>>(segments: &[S]) -> String {
    let mut out = String::new();
    for s in segments {
        let s = s.as_ref();
        if s.contains(['.', '/', '[', ' ']) || s.is_empty() {
            let _ = write!(out, "[{s:?}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(s);
        }
    }
    out
}

/// A JSON pointer (`/ports/web/redirectTo`) as a dotted path.
pub(super) fn from_pointer(pointer: &str) -> String {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    display(&segments)
}
