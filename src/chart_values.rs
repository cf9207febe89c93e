//! The checks of a release's values merged over its chart's defaults, the values the chart's
//! templates see: today the Alertmanager configuration kube-prometheus-stack renders
//! ([`portkey_model::alertmanager::check_release`]).
//!
//! The defaults are the committed upstream files in `charts/<chart>/<version>/values.yaml`
//! (`charts/PROVENANCE.md`), embedded at build time; a release whose pinned version has no
//! committed defaults is not checked here.

use portkey_model::ModelError;
use portkey_model::alertmanager;
use portkey_model::chart::Chart;
use serde_json::Value;

/// The embedded defaults: chart, version, the text of its `values.yaml`.
const DEFAULTS: &[(&str, &str, &str)] = &[(
    alertmanager::CHART,
    "88.5.3",
    include_str!("../charts/kube-prometheus-stack/88.5.3/values.yaml"),
)];

/// The top-level section `key` of a `values.yaml` (block style, as every chart's is): from
/// the line `key:` to the next line that starts a top-level key. Only the section a check
/// reads is parsed: all of kube-prometheus-stack's 6,000 lines take about 440 ms in a debug
/// build, its `alertmanager` section a sixth of that.
fn section<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let head = format!("{key}:");
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let top = line.starts_with(|c: char| !c.is_whitespace() && c != '#');
        match start {
            None if top && line.trim_end() == head => start = Some(offset),
            Some(s) if top => return Some(&text[s..offset]),
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| &text[s..])
}

/// The `alertmanager` section of the chart's defaults for `chart`'s pinned version, parsed,
/// when they are embedded. An embedded file that does not parse is an error of the release.
fn defaults(chart: &Chart) -> Option<Result<Value, ModelError>> {
    let (_, version, text) = DEFAULTS
        .iter()
        .find(|(name, version, _)| *name == chart.chart && *version == chart.version)?;
    let text = section(text, alertmanager::CONFIG_PATH[0])?;
    Some(serde_saphyr::from_str(text).map_err(|e| {
        ModelError::at(&chart.source, &chart.name, "version")
            .problem(format!(
                "the committed defaults charts/{}/{version}/values.yaml do not parse: {e}",
                chart.chart
            ))
            .fix("copy the chart's values.yaml again, byte for byte (charts/PROVENANCE.md)")
    }))
}

/// Every problem of the releases' merged values.
pub fn check(charts: &[Chart]) -> Vec<ModelError> {
    let mut out = Vec::new();
    for chart in charts {
        match defaults(chart) {
            Some(Ok(d)) => out.extend(alertmanager::check_release(chart, &d)),
            Some(Err(e)) => out.push(e),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::section;

    #[test]
    fn a_section_runs_to_the_next_top_level_key() {
        let text = "a:\n  x: 1\n# a comment\nalertmanager:\n  config:\n    k: v\n\n  # indented\nnext:\n  y: 2\n";
        assert_eq!(
            section(text, "alertmanager"),
            Some("alertmanager:\n  config:\n    k: v\n\n  # indented\n")
        );
        assert_eq!(section(text, "next"), Some("next:\n  y: 2\n"));
        assert_eq!(section(text, "missing"), None);
    }
}
