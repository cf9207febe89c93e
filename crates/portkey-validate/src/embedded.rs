//! Schemas derived from the types portkey serializes (k8s-openapi and the CRD types of
//! [`portkey_compile::crd`]) through schemars, closed against unknown fields the way the API server's strict
//! field validation and kubeconform's `-strict` are.

use k8s_openapi::Resource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use portkey_compile::crd::CustomKind;
use portkey_compile::{KindVisitor, Object};
use schemars::JsonSchema;
use serde_json::{Map, Value, json};

/// Adds `additionalProperties: false` to every object schema that lists properties and says
/// nothing about others.
/// Also replaces `anyOf: [X, {type: null}]` (schemars' spelling of `Option<X>`) by `X`:
/// portkey omits empty fields rather than writing `null`, and the error then names the
/// field that is wrong instead of "not valid under any of the schemas".
fn close(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let nullable = map.get("anyOf").and_then(Value::as_array).and_then(|any| {
                (any.len() == 2)
                    .then(|| any.iter().position(|s| s == &json!({"type": "null"})))
                    .flatten()
                    .map(|null| any[1 - null].clone())
            });
            if let Some(Value::Object(inner)) = nullable {
                map.remove("anyOf");
                for (k, v) in inner {
                    map.entry(k).or_insert(v);
                }
            }
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for v in map.values_mut() {
                close(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(close),
        _ => {}
    }
}

/// Pins `apiVersion` and `kind` and requires them.
fn pin(schema: &mut Value, api_version: &str, kind: &str) {
    if let Some(map) = schema.as_object_mut() {
        let props = map
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        props["apiVersion"] = json!({"type": "string", "enum": [api_version]});
        props["kind"] = json!({"type": "string", "enum": [kind]});
        let required = map.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = required.as_array_mut() {
            for key in ["apiVersion", "kind", "metadata"] {
                if !list.iter().any(|k| k == key) {
                    list.push(json!(key));
                }
            }
        }
    }
}

fn core<T: JsonSchema + Resource>() -> (String, String, Value) {
    let mut schema = schemars::schema_for!(T).to_value();
    close(&mut schema);
    pin(&mut schema, T::API_VERSION, T::KIND);
    (T::API_VERSION.into(), T::KIND.into(), schema)
}

/// A custom resource: `apiVersion`, `kind`, `metadata` and the derived `spec` (or, for
/// `VolumeSnapshotClass`, its top-level fields).
fn custom<T: JsonSchema>(
    api_version: &str,
    kind: &str,
    field: Option<&str>,
) -> (String, String, Value) {
    let meta = schemars::schema_for!(ObjectMeta).to_value();
    let mut body = schemars::schema_for!(T).to_value();
    let mut defs = Map::new();
    for s in [&meta, &body] {
        if let Some(d) = s.get("$defs").and_then(Value::as_object) {
            defs.extend(d.clone());
        }
    }
    if let Some(o) = body.as_object_mut() {
        o.remove("$defs");
        o.remove("$schema");
    }
    let mut meta_inline = meta;
    if let Some(o) = meta_inline.as_object_mut() {
        o.remove("$defs");
        o.remove("$schema");
    }
    let mut schema = if let Some(field) = field {
        json!({
            "type": "object",
            "required": [field],
            "properties": {
                "apiVersion": {}, "kind": {}, "metadata": meta_inline, field: body,
            },
        })
    } else {
        body["properties"]["metadata"] = meta_inline;
        body
    };
    schema["$defs"] = Value::Object(defs);
    close(&mut schema);
    pin(&mut schema, api_version, kind);
    (api_version.into(), kind.into(), schema)
}

/// Builds one `(apiVersion, kind, schema)`.
pub type Generator = fn() -> (String, String, Value);

/// The schema of a custom kind: `apiVersion`, `kind`, `metadata` and its body.
fn custom_kind<T: CustomKind>() -> (String, String, Value) {
    custom::<T::Body>(T::API_VERSION, T::KIND, T::BODY_FIELD)
}

/// Collects one generator per kind.
struct Generators(Vec<Generator>);

impl KindVisitor for Generators {
    fn builtin<T: Resource + JsonSchema>(&mut self) {
        self.0.push(core::<T>);
    }
    fn custom<T: CustomKind>(&mut self) {
        self.0.push(custom_kind::<T>);
    }
}

/// One generator per kind portkey emits, from the one list of kinds ([`Object`]); each is
/// independent, so they can run in parallel.
pub fn generators() -> Vec<Generator> {
    let mut out = Generators(Vec::new());
    Object::each_kind(&mut out);
    out.0
}
