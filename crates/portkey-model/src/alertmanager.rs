//! The Alertmanager configuration kube-prometheus-stack renders, and the routing checks
//! Alertmanager makes when it loads it.
//!
//! kube-prometheus-stack writes `toYaml .Values.alertmanager.config` verbatim into the
//! Secret `alertmanager-<name>` (key `alertmanager.yaml`); it does no fix-up of receivers
//! or routes
//! (<https://github.com/prometheus-community/helm-charts/blob/54199b5bd7cdc3e6f27457791d744dd2761d378e/charts/kube-prometheus-stack/templates/alertmanager/secret.yaml>).
//! So the configuration Alertmanager loads is the chart's default `alertmanager.config`
//! with the release's values merged over it by Helm's rules: maps merge, lists and scalars
//! replace, `null` deletes.
//!
//! The classic mistake this catches: a release that sets its own `receivers` list replaces
//! the default one, which drops the `'null'` receiver, while the default Watchdog child
//! route (`route.routes[0]`, a map inside a list the release did not set) survives and
//! still names `'null'`. Alertmanager refuses to start on it (`undefined receiver "null"
//! used in route`, `checkReceiver` in
//! <https://github.com/prometheus/alertmanager/blob/5dffb69c5206fec1a59cdb52279b35c3c63ffe4d/config/config.go>),
//! so no alert is ever delivered.

use serde_json::Value;

use crate::chart::Chart;
use crate::chart::values::merge;
use crate::error::{ModelError, Problems};

/// Where kube-prometheus-stack reads the Alertmanager configuration in its values.
pub const CONFIG_PATH: [&str; 2] = ["alertmanager", "config"];

/// The Alertmanager configuration the chart renders from its **merged** values (defaults
/// with the release's values over them), or `None` when the chart renders none: Alertmanager
/// disabled, `alertmanagerSpec.useExistingSecret`, or a config passed through `tpl`
/// (`tplConfig`), which only Helm can evaluate.
pub fn rendered_config(merged_values: &Value) -> Option<&Value> {
    let alertmanager = merged_values.get(CONFIG_PATH[0])?;
    let flag = |v: Option<&Value>| v.and_then(Value::as_bool).unwrap_or(false);
    if alertmanager.get("enabled").and_then(Value::as_bool) == Some(false)
        || flag(alertmanager.pointer("/alertmanagerSpec/useExistingSecret"))
        || flag(alertmanager.get("tplConfig"))
    {
        return None;
    }
    alertmanager.get(CONFIG_PATH[1]).filter(|c| c.is_object())
}

/// One routing problem Alertmanager would refuse to load the configuration for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteProblem {
    /// The value path inside the configuration (`route.routes[0].receiver`).
    pub path: String,
    /// Alertmanager's own message for it (`undefined receiver "null" used in route`).
    pub problem: String,
}

/// The routing problems Alertmanager's config loader reports, all of them: the root route
/// has no receiver (`root route must specify a default receiver`), a receiver name is
/// declared twice (`notification config name %q is not unique`), a route anywhere in the
/// tree names a receiver that is not declared (`undefined receiver %q used in route`).
/// A child route without `receiver` inherits its parent's and is fine.
pub fn route_problems(config: &Value) -> Vec<RouteProblem> {
    let mut out = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    if let Some(receivers) = config.get("receivers").and_then(Value::as_array) {
        for (i, r) in receivers.iter().enumerate() {
            let Some(name) = r.get("name").and_then(Value::as_str) else {
                out.push(RouteProblem {
                    path: format!("receivers[{i}].name"),
                    problem: "missing name in receiver".into(),
                });
                continue;
            };
            if names.contains(&name) {
                out.push(RouteProblem {
                    path: format!("receivers[{i}].name"),
                    problem: format!("notification config name {name:?} is not unique"),
                });
            }
            names.push(name);
        }
    }
    match config.get("route") {
        Some(route) if route.get("receiver").and_then(Value::as_str).is_some() => {
            walk(route, "route", &names, &mut out);
        }
        _ => out.push(RouteProblem {
            path: "route.receiver".into(),
            problem: "root route must specify a default receiver".into(),
        }),
    }
    out
}

fn walk(route: &Value, path: &str, names: &[&str], out: &mut Vec<RouteProblem>) {
    if let Some(receiver) = route.get("receiver").and_then(Value::as_str)
        && !names.contains(&receiver)
    {
        out.push(RouteProblem {
            path: format!("{path}.receiver"),
            problem: format!("undefined receiver {receiver:?} used in route"),
        });
    }
    if let Some(children) = route.get("routes").and_then(Value::as_array) {
        for (i, child) in children.iter().enumerate() {
            walk(child, &format!("{path}.routes[{i}]"), names, out);
        }
    }
}

/// The chart whose values hold an Alertmanager configuration at [`CONFIG_PATH`].
pub const CHART: &str = "kube-prometheus-stack";

/// Checks the Alertmanager configuration a kube-prometheus-stack release renders: its
/// values merged over `defaults` (the chart's `values.yaml` of the pinned version, as JSON),
/// then [`route_problems`]. Each problem names the release file, the release and the value
/// path (`values.alertmanager.config.route.routes[0].receiver`). Any other chart, or a
/// release that renders no configuration, has none.
pub fn check_release(chart: &Chart, defaults: &Value) -> Vec<ModelError> {
    let mut out = Vec::new();
    if chart.chart != CHART {
        return out;
    }
    let merged = merge(defaults, &chart.values);
    let Some(config) = rendered_config(&merged) else {
        return out;
    };
    let mut problems = Problems::new(&chart.source, &chart.name, &mut out);
    for p in route_problems(config) {
        problems.add(
            format!("values.{}.{}.{}", CONFIG_PATH[0], CONFIG_PATH[1], p.path),
            format!(
                "Alertmanager would refuse the configuration the chart renders from the merged values ({}), so no alert would ever be delivered; Helm merges maps but replaces lists, so a `receivers` list of your own drops the chart's default `'null'` receiver while its default Watchdog route survives",
                p.problem
            ),
            "declare every receiver a route names in `alertmanager.config.receivers` (the chart's default routes name `'null'`), or set `alertmanager.config.route.routes` yourself",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chart_default() -> Value {
        json!({
            "route": { "receiver": "null", "routes": [
                { "receiver": "null", "matchers": ["alertname = \"Watchdog\""] },
            ] },
            "receivers": [{ "name": "null" }],
        })
    }

    #[test]
    fn the_chart_default_routes_to_defined_receivers() {
        assert_eq!(route_problems(&chart_default()), vec![]);
    }

    #[test]
    fn a_child_route_to_an_undefined_receiver_is_found_at_its_path() {
        let config = json!({
            "route": { "receiver": "ntfy", "routes": [
                { "matchers": ["a = b"], "routes": [{ "receiver": "null" }] },
            ] },
            "receivers": [{ "name": "ntfy" }],
        });
        assert_eq!(
            route_problems(&config),
            vec![RouteProblem {
                path: "route.routes[0].routes[0].receiver".into(),
                problem: "undefined receiver \"null\" used in route".into(),
            }]
        );
    }

    #[test]
    fn no_root_receiver_and_duplicate_names_are_found() {
        let config = json!({ "route": {}, "receivers": [{ "name": "a" }, { "name": "a" }] });
        let problems: Vec<String> = route_problems(&config)
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.problem))
            .collect();
        assert_eq!(
            problems,
            [
                "receivers[1].name: notification config name \"a\" is not unique",
                "route.receiver: root route must specify a default receiver",
            ]
        );
    }

    #[test]
    fn no_config_is_rendered_when_alertmanager_is_off_or_templated() {
        let on = json!({ "alertmanager": { "config": chart_default() } });
        assert_eq!(rendered_config(&on), Some(&chart_default()));
        for off in [
            json!({ "alertmanager": { "enabled": false, "config": chart_default() } }),
            json!({ "alertmanager": { "tplConfig": true, "config": chart_default() } }),
            json!({ "alertmanager": { "alertmanagerSpec": { "useExistingSecret": true }, "config": chart_default() } }),
        ] {
            assert_eq!(rendered_config(&off), None, "{off}");
        }
    }
}
