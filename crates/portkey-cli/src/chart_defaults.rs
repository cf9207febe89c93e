//! The chart defaults of `charts/<chart>/<version>/`, embedded by `build.rs`, and the
//! check of each release's values against them
//! ([`portkey_validate::chart_values`]).

use std::sync::OnceLock;

use portkey_model::chart::Chart;
use portkey_validate::Known;
use portkey_validate::chart_values::{Defaults, Findings};
use serde_json::Value;

mod table {
    use super::Values;
    include!(concat!(env!("OUT_DIR"), "/chart_defaults.rs"));
}

/// A chart's embedded `values.yaml`: as JSON, converted by `build.rs` (a render parses
/// JSON several times faster than YAML), or as the YAML itself when it did not parse
/// there, so that the render reports its error.
#[derive(Clone, Copy, Debug)]
pub enum Values {
    /// The value serde-saphyr read from `values.yaml`, as JSON text.
    Json(&'static str),
    /// `values.yaml` itself.
    Yaml(&'static str),
}

impl Values {
    fn parse(self) -> Result<Value, String> {
        match self {
            Values::Json(text) => serde_json::from_str(text)
                .map(portkey_validate::chart_values::no_defaults_is_empty)
                .map_err(|e| e.to_string()),
            Values::Yaml(text) => portkey_validate::chart_values::parse_values(text),
        }
    }
}

/// The embedded defaults of `chart` at `version`, if `charts/` holds them. Each
/// `values.yaml` is parsed once per process (the largest take a while), on first use.
pub fn defaults(chart: &str, version: &str) -> Option<Defaults<'static>> {
    static PARSED: OnceLock<Vec<OnceLock<Result<Value, String>>>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        std::iter::repeat_with(OnceLock::new)
            .take(table::CHART_DEFAULTS.len())
            .collect()
    });
    let (i, values, schema) = entry(chart, version)?;
    Some(Defaults {
        values: parsed[i].get_or_init(|| values.parse()),
        schema,
    })
}

/// Where `chart` at `version` is in the embedded table, its `values.yaml` and its
/// `values.schema.json`.
fn entry(chart: &str, version: &str) -> Option<(usize, Values, Option<&'static str>)> {
    table::CHART_DEFAULTS
        .iter()
        .enumerate()
        .find(|(_, (c, v, _, _))| *c == chart && *v == version)
        .map(|(i, (_, _, values, schema))| (i, *values, *schema))
}

/// Every `(chart, version)` whose defaults are embedded.
pub fn embedded() -> impl Iterator<Item = (&'static str, &'static str)> {
    table::CHART_DEFAULTS.iter().map(|(c, v, _, _)| (*c, *v))
}

/// What [`check_timed`] found, and how long it took.
pub(crate) struct Timed(Findings, std::time::Duration);

/// [`check_known`], timed: the render runs it on a thread of its own, alongside
/// compilation.
pub(crate) fn check_timed(charts: &[Chart], known: &Known) -> Timed {
    let start = std::time::Instant::now();
    Timed(check_known(charts, known), start.elapsed())
}

impl Timed {
    /// Its time goes to `timings`, its errors to `errors`, its warnings to the plan's.
    pub(crate) fn report(
        self,
        timings: &mut crate::Timings,
        errors: &mut Vec<portkey_model::ModelError>,
        plan: &mut Result<crate::Plan, crate::Error>,
    ) {
        let Timed(findings, took) = self;
        timings.stages.push(("chart values", took, true));
        errors.extend(findings.errors);
        if let Ok(plan) = plan {
            plan.warnings.extend(findings.warnings);
        }
    }
}

/// Checks every release's values against the embedded defaults, and the configuration
/// the merged values render where portkey knows how the chart renders it (Alertmanager's,
/// [`portkey_model::alertmanager::check_release`]).
pub fn check(charts: &[Chart]) -> Findings {
    check_known(charts, &Known::none())
}

/// [`check`], trusting the `values.schema.json` passes `known` holds
/// ([`portkey_validate::chart_values::check_all_known`]).
///
/// Each release's defaults are parsed for its check and dropped after it, not kept for the
/// process as [`defaults`] keeps them: a render checks each once, and kept they were about
/// 0.9 MB of its peak (README, "Memory").
pub fn check_known(charts: &[Chart], known: &Known) -> Findings {
    let mut findings = Findings::default();
    let mut alertmanager = Vec::new();
    for chart in charts {
        let parsed =
            entry(&chart.chart, &chart.version).map(|(_, values, schema)| (values.parse(), schema));
        let defaults = parsed.as_ref().map(|(values, schema)| Defaults {
            values,
            schema: *schema,
        });
        portkey_validate::chart_values::check_known(chart, defaults, known, &mut findings);
        if let Some((Ok(d), _)) = &parsed {
            alertmanager.extend(portkey_model::alertmanager::check_release(chart, d));
        }
    }
    findings.errors.extend(alertmanager);
    findings
}

/// The releases whose `charts/<chart>/<version>/values.yaml` is missing under `dir` (the
/// repository's `charts/`): what `portkey charts pull` fetches, each chart version once.
pub fn missing<'c>(charts: &'c [Chart], dir: &std::path::Path) -> Vec<&'c Chart> {
    let mut seen = std::collections::BTreeSet::new();
    charts
        .iter()
        .filter(|c| {
            !dir.join(&c.chart)
                .join(&c.version)
                .join("values.yaml")
                .is_file()
                && seen.insert((c.chart.as_str(), c.version.as_str()))
        })
        .collect()
}
