//! Tests of the upstream CRD schemas: every custom kind of `Object` has one, and only those
//! are embedded, byte for byte the committed files, all strict; and portkey's CRD types
//! against them, field by field, including the fields the real catalogue never sets (which
//! no check of `generated/` can reach): every field of a Rust type exists upstream with a
//! compatible type, and every field upstream requires is in the Rust type and not optional.

use std::path::Path;

use super::{CRDS, crd_path, text};
use portkey_compile::crd::CustomKind;
use portkey_compile::{KindVisitor, Object};
use serde_json::{Map, Value};

/// The custom kinds of [`Object`], as (`apiVersion`, `kind`).
struct CustomKinds(Vec<(&'static str, &'static str)>);

impl KindVisitor for CustomKinds {
    fn builtin<T: k8s_openapi::Resource + schemars::JsonSchema>(&mut self) {}
    fn custom<T: CustomKind>(&mut self) {
        self.0.push((T::API_VERSION, T::KIND));
    }
}

fn custom_kinds() -> Vec<(&'static str, &'static str)> {
    let mut kinds = CustomKinds(Vec::new());
    Object::each_kind(&mut kinds);
    kinds.0
}

#[test]
fn every_custom_kind_has_an_upstream_schema() {
    let kinds = custom_kinds();
    assert!(kinds.len() >= 10, "too few custom kinds: {kinds:?}");
    let missing: Vec<String> = kinds
        .iter()
        .filter(|(api_version, kind)| text(api_version, kind).is_none())
        .map(|(api_version, kind)| {
            format!(
                "{api_version}/{kind}: add crates/portkey-validate/schemas/{} (copied from \
                 ../shared/schemas, or converted with ../shared/tools/crd2jsonschema) and \
                 its row in schemas/PROVENANCE.md",
                crd_path(api_version, kind)
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "custom kinds without an upstream schema:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_embedded_schema_is_a_custom_kind_portkey_emits() {
    let used: Vec<String> = custom_kinds()
        .iter()
        .map(|(api_version, kind)| crd_path(api_version, kind))
        .collect();
    for (path, _) in CRDS {
        assert!(
            used.contains(&(*path).to_string()),
            "{path} is embedded but no kind of `Object` uses it: delete it and its PROVENANCE.md row"
        );
    }
}

#[test]
fn embedded_schemas_are_the_committed_upstream_files_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let committed: Vec<String> = walkdir::WalkDir::new(dir.join("crds"))
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let embedded: Vec<String> = CRDS.iter().map(|(p, _)| (*p).to_string()).collect();
    assert_eq!(
        embedded, committed,
        "every committed CRD schema is embedded, and only those"
    );
    let provenance = std::fs::read_to_string(dir.join("PROVENANCE.md")).unwrap();
    for (path, text) in CRDS {
        let bytes = std::fs::read(dir.join(path)).unwrap();
        assert_eq!(
            text.as_bytes(),
            bytes.as_slice(),
            "{path}: embedded bytes differ"
        );
        assert!(
            provenance.contains(&format!("| `{path}` |")),
            "{path} has no row in PROVENANCE.md"
        );
        let value: serde_json::Value = serde_json::from_str(text).expect(path);
        assert_strict(path, "", &value);
    }
}

/// Every object schema that lists `properties` closes them (`additionalProperties:
/// false`), unless upstream keeps unknown fields there on purpose
/// (`x-kubernetes-preserve-unknown-fields`).
fn assert_strict(path: &str, pointer: &str, schema: &serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            if map.contains_key("properties")
                && map.get("x-kubernetes-preserve-unknown-fields") != Some(&true.into())
            {
                assert_eq!(
                    map.get("additionalProperties"),
                    Some(&false.into()),
                    "{path}: {pointer} lists properties but does not close them"
                );
            }
            for (k, v) in map {
                match (k.as_str(), v) {
                    // A `properties` map's values are schemas; its keys are field names,
                    // which may be `properties` themselves (external-secrets' CRD provider
                    // whitelist rules), not keywords.
                    ("properties", serde_json::Value::Object(fields)) => {
                        for (field, schema) in fields {
                            assert_strict(path, &format!("{pointer}/properties/{field}"), schema);
                        }
                    }
                    _ => assert_strict(path, &format!("{pointer}/{k}"), v),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                assert_strict(path, &format!("{pointer}/{i}"), v);
            }
        }
        _ => {}
    }
}

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
