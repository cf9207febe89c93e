//! external-secrets (`external-secrets.io/v1`): Secrets synced from a store, so no secret
//! value is ever written to Git.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

super::custom_kinds! {
    group "external-secrets.io", version "v1";
    /// A `ExternalSecret`.
    ExternalSecret(ExternalSecretSpec): NamespaceResourceScope, plural "externalsecrets";
    /// A `ClusterSecretStore`: the store every namespace's ExternalSecrets read from.
    ClusterSecretStore(ClusterSecretStoreSpec): ClusterResourceScope, plural "clustersecretstores";
}

/// `ClusterSecretStore.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ClusterSecretStoreSpec {
    /// The provider.
    pub provider: Provider,
}

/// `spec.provider`: one provider's settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Provider {
    /// Bitwarden Secrets Manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitwardensecretsmanager: Option<BitwardenProvider>,
}

/// `spec.provider.bitwardensecretsmanager`
/// (<https://external-secrets.io/latest/provider/bitwarden-secrets-manager/>).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct BitwardenProvider {
    /// Bitwarden API URL.
    #[serde(rename = "apiURL")]
    pub api_url: String,
    /// Bitwarden identity URL.
    #[serde(rename = "identityURL")]
    pub identity_url: String,
    /// URL of the `bitwarden-sdk-server`.
    #[serde(rename = "bitwardenServerSDKURL")]
    pub bitwarden_server_sdk_url: String,
    /// Organisation id.
    #[serde(rename = "organizationID")]
    pub organization_id: String,
    /// Project id.
    #[serde(rename = "projectID")]
    pub project_id: String,
    /// The machine account's access token.
    pub auth: BitwardenAuth,
    /// The CA of the SDK server's certificate.
    #[serde(rename = "caProvider")]
    pub ca_provider: CaProvider,
}

/// `bitwardensecretsmanager.caProvider`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct CaProvider {
    /// `Secret` or `ConfigMap`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The key holding the certificate.
    pub key: String,
}

/// `bitwardensecretsmanager.auth`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BitwardenAuth {
    /// Where the token is.
    pub secret_ref: BitwardenSecretRef,
}

/// `bitwardensecretsmanager.auth.secretRef`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct BitwardenSecretRef {
    /// The access token's Secret key.
    pub credentials: SecretKeySelector,
}

/// A key of a Secret in a named namespace.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct SecretKeySelector {
    /// Secret name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The key.
    pub key: String,
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
