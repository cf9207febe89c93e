//! cert-manager (`cert-manager.io/v1`): the ClusterIssuer that signs every Ingress's
//! certificate, and the Issuers and Certificates of the secret store's self-signed CA
//! (`crate::secrets::sdk_server_tls`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

super::custom_kinds! {
    group "cert-manager.io", version "v1";
    /// A `ClusterIssuer`.
    ClusterIssuer(ClusterIssuerSpec): ClusterResourceScope, plural "clusterissuers";
    /// An `Issuer`: signs the Certificates of its namespace.
    Issuer(IssuerSpec): NamespaceResourceScope, plural "issuers";
    /// A `Certificate`: a key pair and certificate cert-manager keeps in a Secret.
    Certificate(CertificateSpec): NamespaceResourceScope, plural "certificates";
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

/// `Issuer.spec` (namespaced): self-signed, or a CA whose key pair is a Secret of the
/// Issuer's namespace (<https://cert-manager.io/docs/configuration/selfsigned/>,
/// <https://cert-manager.io/docs/configuration/ca/>). Exactly one is set.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IssuerSpec {
    /// Signs each certificate with its own key: Ready at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_signed: Option<SelfSignedIssuer>,
    /// Signs with the CA key pair in a Secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<CaIssuer>,
}

/// `spec.selfSigned`: no settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct SelfSignedIssuer {}

/// `spec.ca`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaIssuer {
    /// The Secret holding the CA's `tls.crt` and `tls.key` (a CA Certificate writes it).
    pub secret_name: String,
}

/// `Certificate.spec`: cert-manager keeps the Secret `secret_name` holding `tls.crt`,
/// `tls.key` and `ca.crt` (for a CA issuer, the CA's certificate).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CertificateSpec {
    /// The Secret cert-manager writes.
    pub secret_name: String,
    /// The Issuer that signs it.
    pub issuer_ref: IssuerRef,
    /// Common name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// Subject alternative names.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dns_names: Vec<String>,
    /// Whether it is a CA (may sign others).
    #[serde(rename = "isCA", skip_serializing_if = "Option::is_none")]
    pub is_ca: Option<bool>,
    /// Lifetime (Go duration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// Renew this long before expiry (Go duration).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<String>,
    /// Key usages.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub usages: Vec<String>,
    /// The private key's algorithm and rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<PrivateKey>,
}

/// `spec.issuerRef`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct IssuerRef {
    /// Issuer name.
    pub name: String,
    /// `Issuer` or `ClusterIssuer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `cert-manager.io`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// `spec.privateKey`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrivateKey {
    /// `RSA`, `ECDSA` or `Ed25519`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// Key size in bits (ECDSA: 256, 384 or 521).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// `Always` (a new key at each renewal) or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_policy: Option<String>,
}
