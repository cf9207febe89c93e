//! cert-manager (`cert-manager.io/v1`): the ClusterIssuer that signs every Ingress's
//! certificate.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

super::custom_kinds! {
    group "cert-manager.io", version "v1";
    /// A `ClusterIssuer`.
    ClusterIssuer(ClusterIssuerSpec): ClusterResourceScope, plural "clusterissuers";
}

/// The annotation by which an Ingress names the ClusterIssuer that signs its certificate
/// (`cert-manager.io/cluster-issuer`).
pub fn cluster_issuer_annotation() -> String {
    format!("{GROUP}/cluster-issuer")
}

/// `ClusterIssuer.spec` (cluster-scoped), ACME only.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ClusterIssuerSpec {
    /// The ACME account and how challenges are solved.
    pub acme: Acme,
}

/// `spec.acme`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Acme {
    /// Directory URL (Let's Encrypt production).
    pub server: String,
    /// Account e-mail.
    pub email: String,
    /// Secret the account key is stored in (cert-manager creates it).
    pub private_key_secret_ref: SecretRef,
    /// Challenge solvers.
    pub solvers: Vec<Solver>,
}

/// A Secret by name.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct SecretRef {
    /// Secret name.
    pub name: String,
}

/// One solver: HTTP-01 through the cluster's ingress class, or DNS-01 through a DNS
/// provider's API (<https://cert-manager.io/docs/configuration/acme/>).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Solver {
    /// HTTP-01 challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http01: Option<Http01>,
    /// DNS-01 challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns01: Option<Dns01>,
}

/// `http01`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Http01 {
    /// Solve through an Ingress.
    pub ingress: Http01Ingress,
}

/// `http01.ingress`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Http01Ingress {
    /// IngressClass of the solver's Ingress.
    pub ingress_class_name: String,
}

/// `dns01`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Dns01 {
    /// Cloudflare's API.
    pub cloudflare: Dns01Cloudflare,
}

/// `dns01.cloudflare`: an API token (`Zone:DNS:Edit`) in a Secret of cert-manager's
/// cluster resource namespace
/// (<https://cert-manager.io/docs/configuration/acme/dns01/cloudflare/>).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dns01Cloudflare {
    /// The Secret and key holding the token.
    pub api_token_secret_ref: SecretKeyRef,
}

/// A key of a Secret.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct SecretKeyRef {
    /// Secret name.
    pub name: String,
    /// Key.
    pub key: String,
}
