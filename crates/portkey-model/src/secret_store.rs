//! The inventory's one secret store: the service external-secrets reads every Secret kept
//! outside Git from, so that a rebuild needs one hand-made Secret (the store's credential)
//! instead of re-typing every value.
//!
//! The typed provider is Bitwarden Secrets Manager: a home lab often already pays for (or
//! uses the free tier of) Bitwarden, the service runs outside the cluster, and it is a
//! separate product from the password vault, so it is also outside the cluster's own
//! vaultwarden, whose backup it must be able to restore
//! (<https://external-secrets.io/latest/provider/bitwarden-secrets-manager/>).
//!
//! Remote keys follow one convention, [`remote_key`]: `<namespace>/<secret>/<key>`.

/// The API group of external-secrets' CRDs (`ClusterSecretStore`, `ExternalSecret`): what
/// the release that installs external-secrets provides. The model's missing-operator check
/// names it; `portkey_compile::crd::external_secrets::GROUP` is the same string (the CRD
/// macro takes a literal), held equal by `tests/it/secret_store.rs`.
pub const EXTERNAL_SECRETS_GROUP: &str = "external-secrets.io";

/// The release that installs external-secrets, as the missing-operator check's fix spells
/// it: its file, Helm repository, chart, version and namespace. 2.14.0 is the newest chart
/// in <https://charts.external-secrets.io/index.yaml> (published 2026-10-23); it depends on
/// the `bitwarden-sdk-server` chart under the condition `bitwarden-sdk-server.enabled`.
pub const EXTERNAL_SECRETS_RELEASE: ExternalSecretsRelease = ExternalSecretsRelease {
    file: "apps/infra/external-secrets.rs",
    repository: "https://charts.external-secrets.io",
    chart: "external-secrets",
    version: "2.14.0",
    namespace: "external-secrets",
    sdk_server_condition: "bitwarden-sdk-server.enabled",
};

/// The SDK server's Deployment and Service: the `bitwarden-sdk-server` chart's
/// `fullnameOverride` (`deploy/charts/bitwarden-sdk-server/values.yaml` of
/// external-secrets/bitwarden-sdk-server), also the key of its values in the
/// external-secrets chart's.
pub const SDK_SERVER: &str = "bitwarden-sdk-server";
/// The SDK server's port (its chart's `service.port`).
pub const SDK_SERVER_PORT: u16 = 9998;
/// The Secret the SDK server mounts at `/certs` by default (its chart's
/// `image.tls.volumes[0].secret.secretName`, keys `tls.crt`, `tls.key`, `ca.crt`).
pub const SDK_SERVER_TLS_SECRET: &str = "bitwarden-tls-certs";

/// See [`EXTERNAL_SECRETS_RELEASE`].
#[derive(Clone, Copy, Debug)]
pub struct ExternalSecretsRelease {
    /// The release file to add.
    pub file: &'static str,
    /// The chart's Helm repository.
    pub repository: &'static str,
    /// The chart.
    pub chart: &'static str,
    /// Its newest version.
    pub version: &'static str,
    /// The namespace the release (and its SDK server) runs in.
    pub namespace: &'static str,
    /// The value that deploys `bitwarden-sdk-server` (the chart dependency's condition).
    pub sdk_server_condition: &'static str,
}

/// Where the store's provider lives and how external-secrets authenticates to it.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum SecretProvider {
    /// Bitwarden Secrets Manager, through external-secrets' `bitwardensecretsmanager`
    /// provider and the `bitwarden-sdk-server` it ships.
    BitwardenSecretsManager(BitwardenSecretsManager),
}

/// A Bitwarden Secrets Manager project that holds the cluster's secrets.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct BitwardenSecretsManager {
    /// Organisation id (`organizationID`).
    pub organization_id: String,
    /// Project id (`projectID`): secrets are looked up by name inside it.
    pub project_id: String,
    /// API URL (`apiURL`), `https://api.bitwarden.com` for the US cloud.
    pub api_url: String,
    /// Identity URL (`identityURL`), `https://identity.bitwarden.com` for the US cloud.
    pub identity_url: String,
    /// URL of the `bitwarden-sdk-server` the external-secrets chart deploys
    /// (`bitwardenServerSDKURL`).
    pub sdk_server_url: String,
    /// The machine account's access token: the one Secret a person creates by hand.
    pub credential: BootstrapCredential,
    /// The CA that signed the SDK server's certificate (`caProvider`): the server only
    /// speaks HTTPS, and its certificate comes from cert-manager, not from a person.
    pub sdk_server_ca: SdkServerCa,
}

/// A key of a Secret that holds a CA certificate.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct SdkServerCa {
    /// Its namespace.
    pub namespace: String,
    /// The Secret (cert-manager's Certificate writes it).
    pub name: String,
    /// The key holding the CA certificate.
    pub key: String,
}

impl BitwardenSecretsManager {
    /// A project in Bitwarden's US cloud, with the SDK server at its chart default address
    /// in the `external-secrets` namespace, its CA in `external-secrets/bitwarden-tls-certs`
    /// (key `ca.crt`) and the access token in `external-secrets/bitwarden-access-token`
    /// (key `token`).
    pub fn cloud(organization_id: &str, project_id: &str) -> Self {
        Self {
            organization_id: organization_id.into(),
            project_id: project_id.into(),
            api_url: "https://api.bitwarden.com".into(),
            identity_url: "https://identity.bitwarden.com".into(),
            sdk_server_url: format!(
                "https://{SDK_SERVER}.{}.svc.cluster.local:{SDK_SERVER_PORT}",
                EXTERNAL_SECRETS_RELEASE.namespace
            ),
            credential: BootstrapCredential {
                namespace: EXTERNAL_SECRETS_RELEASE.namespace.into(),
                name: "bitwarden-access-token".into(),
                key: "token".into(),
            },
            sdk_server_ca: SdkServerCa {
                namespace: EXTERNAL_SECRETS_RELEASE.namespace.into(),
                name: SDK_SERVER_TLS_SECRET.into(),
                key: "ca.crt".into(),
            },
        }
    }
}

impl BitwardenSecretsManager {
    /// The DNS names of the SDK server's serving certificate, from
    /// [`BitwardenSecretsManager::sdk_server_url`]: for a cluster Service
    /// (`<service>.<namespace>.svc.cluster.local`) every name a client in the cluster may
    /// use (`<service>`, `<service>.<namespace>`, `<service>.<namespace>.svc` and the full
    /// name), otherwise the URL's host alone.
    pub fn sdk_server_dns_names(&self) -> Vec<String> {
        let host = url_host(&self.sdk_server_url).to_ascii_lowercase();
        let labels: Vec<&str> = host.split('.').collect();
        match labels.as_slice() {
            [service, namespace, "svc", rest @ ..] if !service.is_empty() => {
                let mut names = vec![
                    (*service).to_string(),
                    format!("{service}.{namespace}"),
                    format!("{service}.{namespace}.svc"),
                ];
                if !rest.is_empty() {
                    names.push(host.clone());
                }
                names
            }
            _ => vec![host.clone()],
        }
    }
    /// The SDK server's Service name (the first label of its URL's host): the prefix of the
    /// cert-manager objects that give it a certificate.
    pub fn sdk_server_service(&self) -> &str {
        let host = url_host(&self.sdk_server_url);
        host.split('.').next().unwrap_or(host)
    }
}

impl SecretProvider {
    /// The provider's bootstrap credential.
    pub fn credential(&self) -> &BootstrapCredential {
        match self {
            SecretProvider::BitwardenSecretsManager(b) => &b.credential,
        }
    }
    /// The URLs external-secrets reaches the provider at, with the model field of each.
    pub fn urls(&self) -> Vec<(&'static str, &str)> {
        match self {
            SecretProvider::BitwardenSecretsManager(b) => vec![
                ("api_url", b.api_url.as_str()),
                ("identity_url", b.identity_url.as_str()),
            ],
        }
    }
    /// The provider's name, for documents.
    pub fn title(&self) -> &'static str {
        match self {
            SecretProvider::BitwardenSecretsManager(_) => "Bitwarden Secrets Manager",
        }
    }
}

/// The Secret a person creates by hand, from which the store reads everything else.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct BootstrapCredential {
    /// Its namespace (a `ClusterSecretStore` names it).
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The key that holds the credential.
    pub key: String,
}

/// The Secrets a person creates by hand, by `(namespace, name)`: with a store, only its
/// credential (external-secrets creates the rest); without one, every Secret kept outside
/// Git ([`crate::secrets::outside_git`]).
pub fn created_by_hand(
    catalogue: &crate::resolve::Catalogue<'_>,
) -> std::collections::BTreeMap<(String, String), crate::secrets::OutsideSecret> {
    match &catalogue.cluster.backup.secret_store {
        None => crate::secrets::outside_git(catalogue),
        Some(store) => {
            let c = store.provider.credential();
            std::collections::BTreeMap::from([(
                (c.namespace.clone(), c.name.clone()),
                crate::secrets::OutsideSecret {
                    keys: std::iter::once(c.key.clone()).collect(),
                    used_by: std::iter::once(format!("ClusterSecretStore {}", store.name))
                        .collect(),
                    ..crate::secrets::OutsideSecret::default()
                },
            )])
        }
    }
}

/// The names alone of [`created_by_hand`]'s Secrets (what the bootstrap replay checks
/// Secret references against), without building their keys and users.
pub fn created_by_hand_names(catalogue: &crate::resolve::Catalogue<'_>) -> crate::SecretNames {
    match &catalogue.cluster.backup.secret_store {
        None => crate::secrets::outside_git_names(catalogue),
        // One Secret, the store's credential: the map is as small as its names.
        Some(_) => crate::SecretNames::from_pairs(
            created_by_hand(catalogue)
                .keys()
                .map(|(ns, name)| (ns.as_str(), name.as_str())),
        ),
    }
}

/// The remote key in the store of one key of a Secret kept outside Git:
/// `<namespace>/<secret>/<key>`.
pub fn remote_key(namespace: &str, secret: &str, key: &str) -> String {
    format!("{namespace}/{secret}/{key}")
}

/// The host of a URL (`https://vault.example.org:443/x` → `vault.example.org`).
pub fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    authority.split(':').next().unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_host_strips_scheme_port_and_path() {
        assert_eq!(
            url_host("https://vault.example.org:8443/api"),
            "vault.example.org"
        );
        assert_eq!(url_host("https://api.bitwarden.com"), "api.bitwarden.com");
        let b = BitwardenSecretsManager::cloud("o", "p");
        assert_eq!(
            b.sdk_server_dns_names(),
            [
                "bitwarden-sdk-server",
                "bitwarden-sdk-server.external-secrets",
                "bitwarden-sdk-server.external-secrets.svc",
                "bitwarden-sdk-server.external-secrets.svc.cluster.local",
            ]
        );
        assert_eq!(b.sdk_server_service(), "bitwarden-sdk-server");
        let outside = BitwardenSecretsManager {
            sdk_server_url: "https://sdk.example.org:9998".into(),
            ..b
        };
        assert_eq!(outside.sdk_server_dns_names(), ["sdk.example.org"]);
        assert_eq!(
            remote_key("media", "app-secret", "TOKEN"),
            "media/app-secret/TOKEN"
        );
    }
}
