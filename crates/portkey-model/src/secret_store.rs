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
            sdk_server_url: "https://bitwarden-sdk-server.external-secrets.svc.cluster.local:9998"
                .into(),
            credential: BootstrapCredential {
                namespace: "external-secrets".into(),
                name: "bitwarden-access-token".into(),
                key: "token".into(),
            },
            sdk_server_ca: SdkServerCa {
                namespace: "external-secrets".into(),
                name: "bitwarden-tls-certs".into(),
                key: "ca.crt".into(),
            },
        }
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
        assert_eq!(
            remote_key("media", "app-secret", "TOKEN"),
            "media/app-secret/TOKEN"
        );
    }
}
