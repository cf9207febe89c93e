//! `portkey schema [app|chart|cluster]`: the JSON Schema (draft 2020-12, through schemars)
//! of the model's configuration types, as their `Serialize` implementations write them:
//! an [`App`] (with its volumes, backups, probes, ...), a chart release ([`Chart`]) or the
//! inventory ([`Cluster`]). Field descriptions are the model's documentation.
//!
//! Quantities are integers: [`Cpu`](portkey_model::quantity::Cpu) in millicores,
//! [`Memory`](portkey_model::quantity::Memory) in bytes. Enums are externally tagged
//! (`"Deployment"`, `{"Claim": {...}}`), tuples are arrays, and objects are closed
//! against unknown fields. Exit 0.

use std::process::ExitCode;

use portkey_model::app::App;
use portkey_model::chart::Chart;
use portkey_model::cluster::Cluster;
use serde_json::Value;

use super::print_json;

/// A type `portkey schema` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Type {
    /// One app (`apps/*.rs`).
    App,
    /// One chart release (`apps/infra/*.rs`).
    Chart,
    /// The inventory (`cluster.rs`).
    Cluster,
}

/// The JSON Schema of `ty`. Objects are closed (`additionalProperties: false`): the model
/// serializes exactly its fields, so an unknown field is a mistake an editor should show.
pub fn schema(ty: Type) -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(close)
        .into_generator();
    let schema = match ty {
        Type::App => generator.into_root_schema_for::<App>(),
        Type::Chart => generator.into_root_schema_for::<Chart>(),
        Type::Cluster => generator.into_root_schema_for::<Cluster>(),
    };
    schema.to_value()
}

/// Adds `additionalProperties: false` to every object schema with declared properties.
fn close(schema: &mut schemars::Schema) {
    if let Some(object) = schema.as_object_mut()
        && object.contains_key("properties")
    {
        object
            .entry("additionalProperties")
            .or_insert(Value::Bool(false));
    }
    schemars::transform::transform_subschemas(&mut close, schema);
}

/// Runs `portkey schema`.
pub fn run(ty: Type) -> ExitCode {
    print_json(&schema(ty));
    ExitCode::SUCCESS
}
