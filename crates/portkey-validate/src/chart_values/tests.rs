//! The value-path and schema checks on hand-written defaults.

use super::{Defaults, Findings, check, parse_values};
use portkey_model::chart::Chart;
use serde_json::json;

const VALUES: &str = "\
service:
  annotations: {}
  spec:
    type: LoadBalancer
ports:
  web:
    port: 8000
    expose: true
podAnnotations: {}
resources: null
list: [1, 2]
";

const SCHEMA: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "service": { "type": "object" },
    "ports": { "type": "object", "additionalProperties": {
      "type": "object", "additionalProperties": false,
      "properties": { "port": { "type": "integer" }, "expose": { "type": "boolean" } } } },
    "podAnnotations": { "type": "object" },
    "resources": {},
    "list": { "type": "array" }
  }
}"#;

fn release(values: serde_json::Value) -> Chart {
    Chart::helm("https://charts.example.org", "demo", "1.2.3")
        .source("apps/infra/demo.rs")
        .values(values)
}

fn run(chart: &Chart, schema: Option<&str>) -> Findings {
    let mut out = Findings::default();
    let values = parse_values(VALUES);
    check(
        chart,
        Some(Defaults {
            values: &values,
            schema,
        }),
        &mut out,
    );
    out
}

#[test]
fn known_paths_and_free_form_maps_pass() {
    let chart = release(json!({
        "service": { "annotations": { "metallb.io/loadBalancerIPs": "10.0.0.1" }, "spec": { "type": "ClusterIP" } },
        "ports": { "web": { "port": 80 } },
        "podAnnotations": { "a": "b" },
        "resources": { "limits": { "memory": "1Gi" } },
        "list": [{ "any": "thing" }],
    }));
    let out = run(&chart, Some(SCHEMA));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn a_misspelt_key_fails_with_its_path() {
    let chart = release(json!({ "ports": { "web": { "prot": 80 } }, "servce": { "type": "x" } }));
    let out = run(&chart, None);
    let fields: Vec<&str> = out.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["values.ports.web.prot", "values.servce.type"],
        "{:?}",
        out.errors
    );
    assert!(
        out.errors[0]
            .problem
            .contains("charts/demo/1.2.3/values.yaml")
    );
    assert!(
        out.errors[0]
            .fix
            .contains(".new_value_path(\"ports.web.prot\""),
        "{:?}",
        out.errors
    );
    assert_eq!(out.errors[0].file, "apps/infra/demo.rs");
}

#[test]
fn a_declared_new_path_is_a_warning() {
    let chart = release(json!({ "extra": { "a": 1, "b": { "c": 2 } } }))
        .new_value_path("extra", "the templates read it; the defaults leave it out");
    let out = run(&chart, None);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.warnings.len(), 1);
    assert!(
        out.warnings[0].contains("`extra`") && out.warnings[0].contains("the templates read it")
    );
}

#[test]
fn a_declaration_covers_only_its_own_subtree() {
    let chart = release(json!({ "extra": { "a": 1, "b": 2 } })).new_value_path("extra.a", "why");
    let out = run(&chart, None);
    let fields: Vec<&str> = out.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["values.extra.b"]);
}

#[test]
fn stale_and_unused_declarations_fail() {
    let chart = release(json!({ "ports": { "web": { "port": 1 } } }))
        .new_value_path("ports.web.port", "stale")
        .new_value_path("never.set", "unused");
    let out = run(&chart, None);
    let problems: Vec<&str> = out.errors.iter().map(|e| e.problem.as_str()).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("have it"), "{problems:?}");
    assert!(problems[1].contains("do not set it"), "{problems:?}");
}

#[test]
fn a_map_over_a_scalar_default_is_unknown() {
    let chart = release(json!({ "ports": { "web": { "port": { "number": 1 } } } }));
    let out = run(&chart, None);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].field, "values.ports.web.port.number");
}

#[test]
fn a_schema_violation_of_the_merged_values_fails() {
    let chart = release(json!({ "ports": { "web": { "port": "eighty" } } }));
    let out = run(&chart, Some(SCHEMA));
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    let e = &out.errors[0];
    assert_eq!(e.field, "values.ports.web.port");
    assert!(
        e.problem.contains("values.schema.json") && e.problem.contains("eighty"),
        "{e:?}"
    );
}

#[test]
fn the_schema_sees_the_defaults_too() {
    // A null deletes a default; the schema then judges what is left. Here a key the
    // schema forbids is declared as new, so only the schema rejects it.
    let chart = release(json!({ "service": null, "redirectTo": { "port": "websecure" } }))
        .new_value_path("redirectTo", "an old key");
    let out = run(&chart, Some(SCHEMA));
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert_eq!(out.errors[0].field, "values");
    assert!(
        out.errors[0].problem.contains("redirectTo"),
        "{:?}",
        out.errors
    );
}

#[test]
fn missing_defaults_fail_with_the_pull_fix() {
    let chart = release(json!({}));
    let mut out = Findings::default();
    check(&chart, None, &mut out);
    assert_eq!(out.errors.len(), 1);
    let e = &out.errors[0];
    assert_eq!(e.field, "version");
    assert!(e.problem.contains("charts/demo/1.2.3/"), "{e:?}");
    assert!(
        e.fix.contains("portkey charts pull") && e.fix.contains("charts/demo/1.2.3/"),
        "{e:?}"
    );
}

#[test]
fn unparsable_defaults_are_an_error_not_a_panic() {
    let chart = release(json!({}));
    let mut out = Findings::default();
    let values = parse_values("a: [");
    check(
        &chart,
        Some(Defaults {
            values: &values,
            schema: None,
        }),
        &mut out,
    );
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].problem.contains("not valid YAML"));
}

#[test]
fn dotted_keys_display_quoted() {
    assert_eq!(
        super::paths::display(&["a", "metallb.io/x", "b"]),
        "a[\"metallb.io/x\"].b"
    );
    assert_eq!(
        super::paths::from_pointer("/ports/web/a~1b"),
        "ports.web[\"a/b\"]"
    );
}

#[test]
fn declared_paths_parse_quoted_keys() {
    assert_eq!(
        super::paths::parse("configs.cm[\"resource.exclusions\"].x"),
        ["configs", "cm", "resource.exclusions", "x"]
    );
    assert_eq!(super::paths::parse("a.b"), ["a", "b"]);
    let chart =
        release(json!({ "extra": { "a.b": 1, "c": 2 } })).new_value_path("extra[\"a.b\"]", "why");
    let out = run(&chart, None);
    let fields: Vec<&str> = out.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["values.extra.c"]);
}

#[test]
fn an_empty_values_file_is_no_defaults() {
    assert_eq!(parse_values("# only a comment\n"), Ok(json!({})));
}
