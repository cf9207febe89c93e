//! portkey's CRD types against the upstream schemas, field by field, including the fields
//! the real catalogue never sets (which no check of `generated/` can reach): every field of
//! a Rust type exists upstream with a compatible type, and every field upstream requires is
//! in the Rust type and not optional.

use portkey_compile::crd::CustomKind;
use portkey_compile::{KindVisitor, Object};
use serde_json::{Map, Value};

/// Follows `$ref`s into `defs` and unwraps `anyOf: [X, {type: null}]` (schemars' `Option<X>`).
fn resolve<'a>(mut schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    loop {
        if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
            schema = &defs[name.trim_start_matches("#/$defs/")];
            continue;
        }
        if let Some([a, b]) = schema
            .get("anyOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            let null = serde_json::json!({"type": "null"});
            if *b == null {
                schema = a;
                continue;
            }
            if *a == null {
                schema = b;
                continue;
            }
        }
        return schema;
    }
}

/// The JSON types a schema admits, `null` left out (an omitted field is never `null`).
fn types(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => schema
            .get("anyOf")
            .and_then(Value::as_array)
            .map(|any| any.iter().flat_map(types).collect())
            .unwrap_or_default(),
    };
    out.retain(|t| t != "null");
    out
}

/// Compares the Rust type's schema `rust` with the upstream schema `upstream` at `path`.
fn compare(
    path: &str,
    rust: &Value,
    upstream: &Value,
    defs: &Map<String, Value>,
    out: &mut Vec<String>,
) {
    let rust = resolve(rust, defs);
    let (rust_types, upstream_types) = (types(rust), types(upstream));
    let compatible = |t: &String| {
        upstream_types.contains(t)
            || (t == "integer" && upstream_types.iter().any(|u| u == "number"))
    };
    if !upstream_types.is_empty() && !rust_types.is_empty() && !rust_types.iter().all(compatible) {
        out.push(format!(
            "{path}: the Rust type is {rust_types:?}, upstream {upstream_types:?}"
        ));
        return;
    }
    if let Some(rust_props) = rust.get("properties").and_then(Value::as_object) {
        let rust_required: Vec<&str> = rust
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(upstream_props) = upstream.get("properties").and_then(Value::as_object) {
            for (name, field) in rust_props {
                match upstream_props.get(name) {
                    Some(up) => compare(&format!("{path}.{name}"), field, up, defs, out),
                    None => out.push(format!("{path}.{name}: in the Rust type, unknown upstream")),
                }
            }
        }
        for name in upstream
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !rust_props.contains_key(name) {
                out.push(format!(
                    "{path}.{name}: required upstream, not in the Rust type"
                ));
            } else if !rust_required.contains(&name) {
                out.push(format!(
                    "{path}.{name}: required upstream, optional in the Rust type"
                ));
            }
        }
    }
    if let (Some(r), Some(u)) = (rust.get("items"), upstream.get("items")) {
        compare(&format!("{path}[]"), r, u, defs, out);
    }
    if let (Some(r @ Value::Object(_)), Some(u @ Value::Object(_))) = (
        rust.get("additionalProperties"),
        upstream.get("additionalProperties"),
    ) {
        compare(&format!("{path}.*"), r, u, defs, out);
    }
}

/// Every custom kind's mismatches, as `Kind path: what`.
struct Mismatches(Vec<String>);

impl KindVisitor for Mismatches {
    fn builtin<T: k8s_openapi::Resource + schemars::JsonSchema>(&mut self) {}
    fn custom<T: CustomKind>(&mut self) {
        let Some(upstream) = super::schema(T::API_VERSION, T::KIND) else {
            // `every_custom_kind_has_an_upstream_schema` names the missing file.
            return;
        };
        let rust = schemars::schema_for!(T::Body).to_value();
        let defs = rust
            .get("$defs")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let (path, upstream) = match T::BODY_FIELD {
            Some(field) => (field.to_string(), &upstream["properties"][field]),
            None => (String::new(), &upstream),
        };
        let mut found = Vec::new();
        compare(&path, &rust, upstream, &defs, &mut found);
        // A kind without a spec is serialized with its `Resource` consts first; its Rust type
        // has no such fields.
        found.retain(|m| !m.starts_with(".apiVersion: ") && !m.starts_with(".kind: "));
        self.0
            .extend(found.into_iter().map(|m| format!("{} {m}", T::KIND)));
    }
}

#[test]
fn rust_crd_types_match_the_upstream_schemas() {
    let mut mismatches = Mismatches(Vec::new());
    Object::each_kind(&mut mismatches);
    assert!(
        mismatches.0.is_empty(),
        "portkey's CRD types (crates/portkey-compile/src/crd/) differ from upstream:\n{}",
        mismatches.0.join("\n")
    );
}

#[test]
fn a_field_unknown_upstream_and_a_required_one_missing_are_reported() {
    let upstream = serde_json::json!({
        "type": "object",
        "required": ["repository", "copyMethod"],
        "properties": {
            "repository": {"type": "string"},
            "copyMethod": {"type": "string"},
            "retain": {"type": "object", "properties": {"daily": {"type": "integer"}}},
        },
    });
    let rust = serde_json::json!({
        "type": "object",
        "required": ["repository"],
        "properties": {
            "repository": {"type": "string"},
            "copyMethod": {"type": ["string", "null"]},
            "retain": {"$ref": "#/$defs/Retain"},
            "pruneEvery": {"type": "string"},
        },
    });
    let defs = serde_json::json!({
        "Retain": {"type": "object", "properties": {"daily": {"type": "string"}, "weekly": {}}},
    });
    let mut found = Vec::new();
    compare(
        "spec",
        &rust,
        &upstream,
        defs.as_object().unwrap(),
        &mut found,
    );
    found.sort();
    assert_eq!(
        found,
        [
            "spec.copyMethod: required upstream, optional in the Rust type",
            "spec.pruneEvery: in the Rust type, unknown upstream",
            "spec.retain.daily: the Rust type is [\"string\"], upstream [\"integer\"]",
            "spec.retain.weekly: in the Rust type, unknown upstream",
        ]
    );
}
