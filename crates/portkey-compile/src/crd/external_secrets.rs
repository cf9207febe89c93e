//! external-secrets (`external-secrets.io/v1`): Secrets synced from a store, so no secret
//! value is ever written to Git.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

super::custom_kinds! {
    group "external-secrets.io", version "v1";
    /// A `ExternalSecret`.
    ExternalSecret(ExternalSecretSpec): NamespaceResourceScope, plural "externalsecrets";
}

/// `ExternalSecret.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    /// The store to read from.
    pub secret_store_ref: SecretStoreRef,
    /// The Secret to write.
    pub target: Target,
    /// Keys to fetch.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub data: Vec<Data>,
    /// How often to refresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_interval: Option<String>,
}

/// `spec.secretStoreRef`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct SecretStoreRef {
    /// `ClusterSecretStore` or `SecretStore`.
    pub kind: String,
    /// Store name.
    pub name: String,
}

/// `spec.target`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Secret name.
    pub name: String,
    /// Template of the Secret's data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
}

/// `spec.target.template`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    /// Templated keys (Go templates over the fetched data).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub data: BTreeMap<String, String>,
}

/// One fetched key.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    /// Key in the template's data.
    pub secret_key: String,
    /// Where it comes from.
    pub remote_ref: RemoteRef,
}

/// `remoteRef`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct RemoteRef {
    /// Remote key.
    pub key: String,
}
