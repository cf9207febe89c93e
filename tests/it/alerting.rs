//! Alerting as upstream runs it: the Alertmanager configuration kube-prometheus-stack
//! renders from the merged values (the chart's committed defaults in
//! `charts/kube-prometheus-stack/<version>/values.yaml`, with the release's values over them
//! by Helm's rules), the PrometheusRules portkey emits, and the release's settings for a
//! kubeadm home lab (ntfy, Grafana's admin, which components are scraped).
//!
//! The tests marked `#[ignore = "needs amtool: run by .ci/run"]` and `needs promtool` run
//! the real checkers, Alertmanager's `amtool check-config` (Debian package
//! `prometheus-alertmanager`) and Prometheus' `promtool check rules` (Debian package
//! `prometheus`); `.ci/run` and the CI workflow install both and name them in
//! `PORTKEY_AMTOOL` and `PORTKEY_PROMTOOL` (without the variable, the tool is looked up on
//! PATH). A missing tool fails the test, never skips it.

use std::path::Path;
use std::process::Command;

use portkey::portkey_model::alertmanager::{self, RouteProblem};
use portkey::portkey_model::chart::Chart;
use portkey::portkey_model::chart::values::merge;
use serde_json::{Value, json};

use crate::common::{root, tool};

/// The chart's defaults of the pinned version, as render embeds them
/// (`charts/kube-prometheus-stack/<version>/values.yaml`).
fn defaults() -> Value {
    let release = release();
    let embedded = portkey::chart_defaults::defaults(&release.chart, &release.version)
        .expect("the pinned version's defaults are committed in charts/");
    embedded
        .values
        .clone()
        .expect("the chart's values.yaml parses")
}

/// The kube-prometheus-stack release of `apps/infra/`.
fn release() -> Chart {
    portkey::charts()
        .into_iter()
        .find(|c| c.chart == alertmanager::CHART)
        .expect("apps/infra/kube-prometheus-stack.rs")
}

/// The values Helm hands the chart: the release's over the defaults.
fn merged() -> Value {
    merge(&defaults(), &release().values)
}

/// The release's `alertmanager.config` before the fix (git history: `git show
/// d110723:apps/infra/kube-prometheus-stack.rs`): its own `receivers` list, without
/// `'null'`, and a route map that leaves the chart's default child routes in place.
fn old_alertmanager_values() -> Value {
    json!({ "alertmanager": { "config": {
        "route": { "receiver": "ntfy", "group_by": ["alertname", "namespace"] },
        "receivers": [{
            "name": "ntfy",
            "webhook_configs": [{ "url_file": "/etc/alertmanager/secrets/alertmanager-ntfy/url", "send_resolved": true }],
        }],
    } } })
}

/// The rendered Alertmanager configuration of `values` merged over the defaults.
fn config_of(values: &Value) -> Value {
    let merged = merge(&defaults(), values);
    alertmanager::rendered_config(&merged)
        .expect("the chart renders an Alertmanager config")
        .clone()
}

#[test]
fn the_old_values_leave_the_watchdog_route_on_an_undefined_receiver() {
    let config = config_of(&old_alertmanager_values());
    // The merge kept the chart's Watchdog route (a map the values did not replace) and
    // replaced its receivers list.
    assert_eq!(config["route"]["routes"][0]["receiver"], "null");
    assert_eq!(config["receivers"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        alertmanager::route_problems(&config),
        vec![RouteProblem {
            path: "route.routes[0].receiver".into(),
            problem: "undefined receiver \"null\" used in route".into(),
        }]
    );

    // And the model check names the release file and the value path.
    let mut old = release();
    old.values = merge(&old.values, &json!({ "alertmanager": { "config": null } }));
    old.values = merge(&old.values, &old_alertmanager_values());
    let errors = alertmanager::check_release(&old, &defaults());
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.file, "apps/infra/kube-prometheus-stack.rs");
    assert_eq!(
        e.field,
        "values.alertmanager.config.route.routes[0].receiver"
    );
    assert!(
        e.problem
            .contains("undefined receiver \"null\" used in route"),
        "{e}"
    );
    assert!(e.fix.contains("alertmanager.config.receivers"), "{e}");
}

#[test]
fn the_release_routes_every_alert_to_a_defined_receiver() {
    let release = release();
    assert_eq!(alertmanager::check_release(&release, &defaults()), vec![]);
    let merged = merged();
    let config = alertmanager::rendered_config(&merged).expect("a config");
    assert_eq!(alertmanager::route_problems(config), vec![]);
    assert_eq!(config["route"]["receiver"], "ntfy");
    // The chart's always-firing alerts stay off ntfy.
    let quiet: Vec<(&str, &str)> = config["route"]["routes"]
        .as_array()
        .expect("routes")
        .iter()
        .map(|r| {
            (
                r["matchers"][0].as_str().unwrap_or_default(),
                r["receiver"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        quiet,
        [
            ("alertname = \"Watchdog\"", "null"),
            ("alertname = \"InfoInhibitor\"", "null"),
        ]
    );
    // The chart's other defaults survive the merge: its inhibit rules and templates.
    assert_eq!(config["inhibit_rules"].as_array().map(Vec::len), Some(4));
    assert_eq!(config["global"]["resolve_timeout"], "5m");
}

#[test]
fn alertmanager_reads_the_ntfy_url_from_the_declared_secret_with_ntfys_template() {
    let release = release();
    let merged = merged();
    let config = alertmanager::rendered_config(&merged).expect("a config");
    let ntfy = config["receivers"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "ntfy"))
        .expect("the ntfy receiver");
    let url_file = ntfy["webhook_configs"][0]["url_file"]
        .as_str()
        .expect("url_file: the URL stays out of Git");
    assert_eq!(ntfy["webhook_configs"][0]["send_resolved"], true);
    assert!(ntfy["webhook_configs"][0].get("url").is_none());
    // The operator mounts each of alertmanagerSpec.secrets at
    // /etc/alertmanager/secrets/<name>/<key>.
    let (secret, key) = url_file
        .strip_prefix("/etc/alertmanager/secrets/")
        .and_then(|rest| rest.split_once('/'))
        .expect("under /etc/alertmanager/secrets/");
    let mounted = &merged["alertmanager"]["alertmanagerSpec"]["secrets"];
    assert!(
        mounted
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == secret)),
        "{secret} is not in alertmanagerSpec.secrets: {mounted}"
    );
    assert!(
        release
            .secrets
            .iter()
            .any(|(n, keys)| n == secret && keys.iter().any(|k| k == key)),
        "{secret}/{key} is not declared with needs_secret"
    );
    // BOOTSTRAP.md prints the URL's form: ntfy renders Alertmanager's JSON with its
    // built-in `alertmanager` template only when the URL asks for it.
    let form = release
        .secret_forms
        .iter()
        .find(|(n, k, _)| n == secret && k == key)
        .map(|(_, _, f)| f.as_str())
        .expect("the URL's form is documented");
    assert!(form.ends_with("?template=alertmanager"), "{form}");
    let bootstrap = std::fs::read_to_string(root().join("generated/BOOTSTRAP.md")).unwrap();
    assert!(
        bootstrap.contains(&format!("--from-literal={key}='{form}'")),
        "BOOTSTRAP.md does not print the URL's form"
    );
}

#[test]
fn grafanas_admin_login_comes_from_the_declared_secret() {
    let release = release();
    let grafana = &merged()["grafana"];
    let admin = &grafana["admin"];
    let secret = admin["existingSecret"].as_str().unwrap_or_default();
    assert!(!secret.is_empty(), "grafana.admin.existingSecret is unset");
    let keys = [
        admin["userKey"].as_str().unwrap_or_default(),
        admin["passwordKey"].as_str().unwrap_or_default(),
    ];
    let declared = release
        .secrets
        .iter()
        .find(|(n, _)| n == secret)
        .map(|(_, k)| k.clone())
        .unwrap_or_default();
    for key in keys {
        assert!(
            declared.iter().any(|k| k == key),
            "{secret} lacks {key}: {declared:?}"
        );
    }
    // No password in the values: the subchart would render it into a Secret of its own.
    assert!(grafana.get("adminPassword").is_none());
}

#[test]
fn only_what_kubeadm_exposes_is_scraped() {
    let merged = merged();
    let enabled = |component: &str| merged[component]["enabled"].as_bool();
    // Bound to 127.0.0.1 by kubeadm (and kube-proxy's metrics by default): off.
    for component in [
        "kubeControllerManager",
        "kubeScheduler",
        "kubeEtcd",
        "kubeProxy",
    ] {
        assert_eq!(enabled(component), Some(false), "{component}");
    }
    // Reachable from the Prometheus pod: the chart's default, on.
    for component in ["kubeApiServer", "kubelet", "coreDns"] {
        assert_eq!(enabled(component), Some(true), "{component}");
    }
}

/// Runs `tool check-<what>` on a file `name` holding `contents`: success and the report.
fn check(tool: &Path, args: &[&str], name: &str, contents: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write");
    let out = Command::new(tool)
        .args(args)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let report = format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

/// The configuration as amtool 0.25 (Debian's) can read it: every `url_file` replaced by
/// a `url` under `http://ntfy.invalid/`.
///
/// The Alertmanager the chart runs reads `webhook_configs[].url_file` (a field newer than
/// 0.25), but Debian 12's amtool is 0.25, whose strict parser rejects the unknown field
/// (`field url_file not found in type config.plain`) before it looks at the routing tree:
/// checking the file as rendered would prove nothing about the routes. The substitution keeps every other field as it is, so amtool still checks
/// what this test is about: the routes, the receivers, the inhibit rules and the templates.
/// The substitute is in the reserved `.invalid` domain (RFC 2606): never a real address.
fn with_url_for_url_file(config: &Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(file)) = map.remove("url_file") {
                    let name = file.rsplit('/').nth(1).unwrap_or("secret").to_string();
                    map.insert("url".into(), format!("http://ntfy.invalid/{name}").into());
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut copy = config.clone();
    walk(&mut copy);
    copy
}

fn yaml(v: &Value) -> String {
    serde_saphyr::to_string(v).expect("YAML")
}

/// `amtool check-config` accepts the configuration the chart renders from the release's
/// values, and refuses the old values with its own message: `undefined receiver "null"
/// used in route`.
#[test]
#[ignore = "needs amtool: run by .ci/run"]
fn amtool_accepts_the_rendered_alertmanager_config() {
    let amtool = tool("PORTKEY_AMTOOL", "amtool");
    let merged = merged();
    let config = alertmanager::rendered_config(&merged).expect("a config");
    let checked = with_url_for_url_file(config);
    assert!(
        checked
            .to_string()
            .contains("http://ntfy.invalid/alertmanager-ntfy")
    );
    let (ok, report) = check(
        &amtool,
        &["check-config"],
        "alertmanager.yaml",
        &yaml(&checked),
    );
    assert!(ok, "amtool refused the rendered config: {report}");
    assert!(report.contains("SUCCESS"), "{report}");

    let old = with_url_for_url_file(&config_of(&old_alertmanager_values()));
    let (ok, report) = check(&amtool, &["check-config"], "alertmanager.yaml", &yaml(&old));
    assert!(!ok, "amtool accepted the old values: {report}");
    assert!(
        report.contains("undefined receiver \"null\" used in route"),
        "{report}"
    );
}

/// The `spec` (the `groups`) of every PrometheusRule portkey emits, as Prometheus rule files.
fn prometheus_rules() -> Vec<(String, Value)> {
    let tree = portkey::render_repository().expect("the repository renders");
    tree.iter()
        .filter(|(_, text)| text.contains("\nkind: PrometheusRule\n"))
        .map(|(path, text)| {
            let object: Value = serde_saphyr::from_str(text).expect("YAML");
            (path.clone(), object["spec"].clone())
        })
        .collect()
}

/// `promtool check rules` accepts the groups of every PrometheusRule portkey emits (the
/// operator hands `spec` to Prometheus as a rule file), and refuses a planted bad rule.
#[test]
#[ignore = "needs promtool: run by .ci/run"]
fn promtool_accepts_every_generated_prometheus_rule() {
    let promtool = tool("PORTKEY_PROMTOOL", "promtool");
    let rules = prometheus_rules();
    assert!(
        rules
            .iter()
            .any(|(p, _)| p == "cluster/alerts/prometheusrule-volsync-backups.yaml"),
        "no PrometheusRule found: {:?}",
        rules.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for (path, spec) in &rules {
        let (ok, report) = check(&promtool, &["check", "rules"], "rules.yaml", &yaml(spec));
        assert!(ok, "promtool refused {path}: {report}");
        assert!(report.contains("SUCCESS"), "{path}: {report}");
    }

    let broken = json!({ "groups": [{ "name": "broken", "rules": [
        { "alert": "Broken", "expr": "sum(up{job=\"x\"}", "for": "5m" },
    ] }] });
    let (ok, report) = check(&promtool, &["check", "rules"], "rules.yaml", &yaml(&broken));
    assert!(!ok, "promtool accepted a broken expression: {report}");
    assert!(
        report.contains("Broken") || report.contains("parse error"),
        "{report}"
    );
}

#[test]
fn a_secret_form_for_an_undeclared_key_is_an_error() {
    let chart = Chart::helm("https://charts.example.org", "alerts", "1.0.0")
        .source("apps/infra/alerts.rs")
        .needs_secret("hook", &["url"])
        .secret_form("hook", "token", "<token>");
    let cluster = crate::common::test_cluster();
    let Err(errors) = portkey::portkey_model::resolve_all(&cluster, vec![], vec![chart]) else {
        panic!("a form for an undeclared key must be refused");
    };
    let e = crate::common::find_problem(&errors.0, "alerts", "secret_form", &["`token`", "`hook`"]);
    assert_eq!(e.file, "apps/infra/alerts.rs");
    assert!(e.fix.contains(".needs_secret(\"hook\""), "{e}");
}

#[test]
fn render_refuses_values_that_leave_a_route_on_an_undefined_receiver() {
    let mut charts = portkey::charts();
    let stack = charts
        .iter_mut()
        .find(|c| c.chart == alertmanager::CHART)
        .expect("the release");
    stack.values = merge(
        &merge(
            &stack.values,
            &json!({ "alertmanager": { "config": null } }),
        ),
        &old_alertmanager_values(),
    );
    let Err(err) = portkey::build_with(&portkey::cluster::portkey(), portkey::catalogue(), charts)
    else {
        panic!("render must refuse a config Alertmanager refuses");
    };
    let errors = match &err {
        portkey::Error::Model(e) | portkey::Error::Both(e, _) => &e.0,
        other => panic!("expected model problems, got {other}"),
    };
    let e = crate::common::find_problem(
        errors,
        "kube-prometheus-stack",
        "values.alertmanager.config.route.routes[0].receiver",
        &["undefined receiver \"null\" used in route"],
    );
    assert_eq!(e.file, "apps/infra/kube-prometheus-stack.rs");
    assert_eq!(errors.len(), 1, "{errors:?}");
}
