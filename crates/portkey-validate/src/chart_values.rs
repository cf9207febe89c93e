//! A chart release's values, checked the way Helm will use them.
//!
//! Each release in `apps/infra/` hands its values to an upstream chart, which then writes
//! most of the cluster's objects. portkey keeps the chart's upstream defaults for the
//! pinned version in `charts/<chart>/<version>/` (`values.yaml`, and `values.schema.json`
//! where the chart ships one) and, per release:
//! 1. fails when the pinned version has no defaults there (a Renovate bump without them),
//!    with the command that fetches them ([`PULL_FIX`]);
//! 2. fails for every value path portkey sets that the defaults lack, unless the release
//!    declares it with [`Chart::new_value_path`] (then it is a warning). This catches a
//!    misspelt key in a chart that ships no schema. A path under a map that is empty (`{}`)
//!    or `null` in the defaults is known: such maps are free-form (`podAnnotations`,
//!    argo-cd's `configs.cm`, `extraArgs`). Lists replace wholesale, so their items are not
//!    walked;
//! 3. merges the values over the defaults with Helm's rules
//!    ([`portkey_model::chart::values::merge`]) and validates the result against the
//!    chart's `values.schema.json`, which is what `helm template` (and so Argo CD) does
//!    before rendering (helm v4.2.4 `pkg/chart/common/util/jsonschema.go`, `ValidateAgainstSchema`).
//!
//! Every problem is a [`ModelError`] naming the release file, the value path and the fix.

use portkey_model::ModelError;
use portkey_model::chart::Chart;
use portkey_model::chart::values::merge;
use serde_json::Value;

use crate::Known;

/// One chart version's upstream defaults: its `values.yaml` parsed (with
/// [`parse_values`]), and the text of its `values.schema.json`.
#[derive(Clone, Copy, Debug)]
pub struct Defaults<'a> {
    /// `values.yaml`, parsed, or why it does not parse.
    pub values: &'a Result<Value, String>,
    /// `values.schema.json`, when the chart ships one.
    pub schema: Option<&'a str>,
}

/// What the check found for the releases.
#[derive(Debug, Default)]
pub struct Findings {
    /// Problems that fail the render.
    pub errors: Vec<ModelError>,
    /// Declared new value paths, one line each (shown with the plan's warnings).
    pub warnings: Vec<String>,
}

/// How to get a chart version's missing defaults.
pub const PULL_FIX: &str = "run `portkey charts pull` (needs `helm` and a network), or copy `values.yaml` (and `values.schema.json`, if the chart has one) from the chart's source at that version into `charts/<chart>/<version>/`, with a row in `charts/PROVENANCE.md`";

/// Checks every release against the defaults `lookup(chart, version)` finds.
pub fn check_all<'a>(
    charts: &[Chart],
    lookup: impl Fn(&str, &str) -> Option<Defaults<'a>>,
) -> Findings {
    check_all_known(charts, lookup, &Known::none())
}

/// [`check_all`], trusting the schema passes `known` holds: merged values that passed a
/// chart's `values.schema.json` at the last run of this build skip building its validator
/// (the largest schemas, traefik's and cert-manager's, were most of a warm render's time).
pub fn check_all_known<'a>(
    charts: &[Chart],
    lookup: impl Fn(&str, &str) -> Option<Defaults<'a>>,
    known: &Known,
) -> Findings {
    let mut out = Findings::default();
    for chart in charts {
        check_known(chart, lookup(&chart.chart, &chart.version), known, &mut out);
    }
    out
}

/// Checks one release against its chart's defaults (`None`: there are none).
pub fn check(chart: &Chart, defaults: Option<Defaults<'_>>, out: &mut Findings) {
    check_known(chart, defaults, &Known::none(), out);
}

/// [`check`], trusting the schema passes `known` holds (see [`check_all_known`]).
pub fn check_known(
    chart: &Chart,
    defaults: Option<Defaults<'_>>,
    known: &Known,
    out: &mut Findings,
) {
    let folder = format!("charts/{}/{}/", chart.chart, chart.version);
    let at = |field: &str| ModelError::at(&chart.source, &chart.name, field);
    let Some(defaults) = defaults else {
        out.errors.push(
            at("version")
                .problem(format!(
                    "chart {} {} has no upstream defaults in `{folder}`, so its values cannot be checked",
                    chart.chart, chart.version
                ))
                .fix(
                    PULL_FIX
                        .replace("<chart>", &chart.chart)
                        .replace("<version>", &chart.version),
                ),
        );
        return;
    };
    let parsed = match defaults.values {
        Ok(v) => v,
        Err(e) => {
            out.errors.push(
                at("version")
                    .problem(format!("`{folder}values.yaml` is not valid YAML: {e}"))
                    .fix(format!("copy the upstream file again: {PULL_FIX}")),
            );
            return;
        }
    };
    paths::check(chart, parsed, out);
    if let Some(schema) = defaults.schema {
        let merged = merge(parsed, &chart.values);
        let problems = known.check_with(
            || crate::known::key_with(schema.as_bytes(), &merged),
            || schema_problems(chart, &folder, &merged, schema),
        );
        out.errors.extend(problems);
    }
}

/// A chart's `values.yaml` as a value (an empty file is no defaults, `{}`), or the YAML
/// error.
pub fn parse_values(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str::<Value>(text)
        .map(no_defaults_is_empty)
        .map_err(|e| e.to_string())
}

/// An empty `values.yaml` (null) is no defaults: `{}`.
pub fn no_defaults_is_empty(value: Value) -> Value {
    match value {
        Value::Null => Value::Object(serde_json::Map::new()),
        v => v,
    }
}

/// The values merged over the defaults against `values.schema.json`.
fn schema_problems(chart: &Chart, folder: &str, merged: &Value, schema: &str) -> Vec<ModelError> {
    let at = |field: String| ModelError::at(&chart.source, &chart.name, field);
    let validator = serde_json::from_str::<Value>(schema)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            jsonschema::options()
                .should_validate_formats(false)
                .build(&s)
                .map_err(|e| e.to_string())
        });
    let validator = match validator {
        Ok(v) => v,
        Err(e) => {
            return vec![
                at("version".into())
                    .problem(format!(
                        "`{folder}values.schema.json` is not a usable JSON schema: {e}"
                    ))
                    .fix(format!("copy the upstream file again: {PULL_FIX}")),
            ];
        }
    };
    let mut out = Vec::new();
    for e in validator.iter_errors(merged) {
        let pointer = e.instance_path().to_string();
        let path = paths::from_pointer(&pointer);
        out.push(
            at(format!("values.{path}").trim_end_matches('.').to_string())
                .problem(format!(
                    "the values merged over the chart's defaults break `{folder}values.schema.json` at `{}`: {e}",
                    if path.is_empty() { "(root)" } else { &path }
                ))
                .fix(format!(
                    "set the value as {} {} expects it (see `{folder}values.yaml`), or remove it",
                    chart.chart, chart.version
                )),
        );
    }
    out
}

mod paths;

#[cfg(test)]
mod tests;
