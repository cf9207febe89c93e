//! Schemas derived from the types portkey serializes (k8s-openapi and the kube-derived CRD
//! types) through schemars, closed against unknown fields the way the API server's strict
//! field validation and kubeconform's `-strict` are.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Resource, api, apiextensions_apiserver};
use portkey_compile::crd;
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

/// The schema of a custom resource `K` whose `spec` is `S`.
fn crd_spec<K: kube::Resource<DynamicType = ()>, S: JsonSchema>() -> (String, String, Value) {
    let (v, k) = (K::api_version(&()), K::kind(&()));
    custom::<S>(&v, &k, Some("spec"))
}

/// One generator per kind portkey emits (each is independent, so they can run in
/// parallel).
pub fn generators() -> Vec<Generator> {
    use crd::{argocd, cert_manager, external_secrets, intel, monitoring, volsync};
    vec![
        core::<api::core::v1::Namespace>,
        core::<api::core::v1::ConfigMap>,
        core::<api::core::v1::PersistentVolumeClaim>,
        core::<api::core::v1::Service>,
        core::<api::apps::v1::Deployment>,
        core::<api::apps::v1::StatefulSet>,
        core::<api::apps::v1::DaemonSet>,
        core::<api::networking::v1::Ingress>,
        core::<api::storage::v1::StorageClass>,
        core::<apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>,
        crd_spec::<volsync::ReplicationSource, volsync::ReplicationSourceSpec>,
        crd_spec::<volsync::ReplicationDestination, volsync::ReplicationDestinationSpec>,
        crd_spec::<argocd::Application, argocd::ApplicationSpec>,
        crd_spec::<monitoring::PrometheusRule, monitoring::PrometheusRuleSpec>,
        crd_spec::<external_secrets::ExternalSecret, external_secrets::ExternalSecretSpec>,
        crd_spec::<intel::GpuDevicePlugin, intel::GpuDevicePluginSpec>,
        crd_spec::<cert_manager::ClusterIssuer, cert_manager::ClusterIssuerSpec>,
        crd_spec::<argocd::AppProject, argocd::AppProjectSpec>,
        || {
            custom::<crd::snapshot::VolumeSnapshotClass>(
                "snapshot.storage.k8s.io/v1",
                "VolumeSnapshotClass",
                None,
            )
        },
    ]
}
