//! The embedded schemas, one per kind of [`Object`]: for the core kinds, derived from their
//! k8s-openapi types through schemars and closed against unknown fields the way the API
//! server's strict field validation and kubeconform's `-strict` are; for the custom kinds,
//! the upstream CRD schemas ([`crate::upstream`]), never portkey's own CRD types.

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

/// Removes every `description` keyword (one whose value is a string: a property named
/// `description` is an object, and stays). No validation reads them, and the validator keeps
/// the schema it was built from: the k8s-openapi and upstream CRD descriptions are most of
/// a schema's text (README, "Memory").
fn drop_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("description").is_some_and(Value::is_string) {
                map.remove("description");
            }
            map.values_mut().for_each(drop_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_descriptions),
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

/// A core kind's schema, derived from its k8s-openapi type (itself generated from the
/// Kubernetes OpenAPI document) and closed.
fn core<T: JsonSchema + Resource>() -> (String, String, Option<Value>) {
    let mut schema = schemars::schema_for!(T).to_value();
    close(&mut schema);
    pin(&mut schema, T::API_VERSION, T::KIND);
    drop_descriptions(&mut schema);
    (T::API_VERSION.into(), T::KIND.into(), Some(schema))
}

/// A custom kind's upstream schema ([`crate::upstream`]), as committed, except `metadata`:
/// upstream says only `type: object` there (the API server checks it as `ObjectMeta`), so it
/// becomes the closed k8s-openapi `ObjectMeta` schema, as for the core kinds (and as
/// `validate-manifests` does). `None` when no upstream schema is committed.
fn upstream_kind<T: CustomKind>() -> (String, String, Option<Value>) {
    let schema = crate::upstream::schema(T::API_VERSION, T::KIND).map(|mut schema| {
        let mut meta = schemars::schema_for!(ObjectMeta).to_value();
        close(&mut meta);
        if let Some(o) = meta.as_object_mut() {
            o.remove("$schema");
            if let Some(defs) = o.remove("$defs") {
                schema["$defs"] = defs;
            }
        }
        schema["properties"]["metadata"] = meta;
        pin(&mut schema, T::API_VERSION, T::KIND);
        drop_descriptions(&mut schema);
        schema
    });
    (T::API_VERSION.into(), T::KIND.into(), schema)
}

/// Builds one `(apiVersion, kind, schema)`; no schema for a custom kind whose upstream
/// schema is not committed (the kind is then reported as unknown).
pub type Generator = fn() -> (String, String, Option<Value>);

/// Collects one generator per kind, with the kind's key.
struct Generators(Vec<(&'static str, &'static str, Generator)>);

impl KindVisitor for Generators {
    fn builtin<T: Resource + JsonSchema>(&mut self) {
        self.0.push((T::API_VERSION, T::KIND, core::<T>));
    }
    fn custom<T: CustomKind>(&mut self) {
        self.0.push((T::API_VERSION, T::KIND, upstream_kind::<T>));
    }
}

/// Each kind portkey emits, `(apiVersion, kind, generator)`, from the one list of kinds
/// ([`Object`]): the key comes from the type's constants, so nothing is generated until
/// the kind's validator is needed.
pub fn kinds() -> Vec<(&'static str, &'static str, Generator)> {
    let mut out = Generators(Vec::new());
    Object::each_kind(&mut out);
    out.0
}

#[cfg(test)]
mod tests {
    use super::{drop_descriptions, kinds};
    use serde_json::{Value, json};

    /// Whether any `description` keyword (a string value) is left in `value`.
    fn has_description(value: &Value) -> bool {
        match value {
            Value::Object(map) => {
                map.get("description").is_some_and(Value::is_string)
                    || map.values().any(has_description)
            }
            Value::Array(items) => items.iter().any(has_description),
            _ => false,
        }
    }

    #[test]
    fn descriptions_go_and_a_property_named_description_stays() {
        let mut schema = json!({
            "description": "an AppProject",
            "properties": {
                "description": {"type": "string", "description": "the project's"},
                "sources": {"type": "array", "items": {"description": "one", "type": "string"}},
            },
        });
        drop_descriptions(&mut schema);
        assert_eq!(
            schema,
            json!({
                "properties": {
                    "description": {"type": "string"},
                    "sources": {"type": "array", "items": {"type": "string"}},
                },
            })
        );
    }

    #[test]
    fn no_embedded_schema_keeps_a_description() {
        let mut with_schema = 0;
        for (api_version, kind, generate) in kinds() {
            let (_, _, schema) = generate();
            let Some(schema) = schema else { continue };
            with_schema += 1;
            assert!(
                !has_description(&schema),
                "{api_version}/{kind} keeps a description"
            );
        }
        assert!(with_schema > 20, "only {with_schema} kinds have a schema");
    }
}
