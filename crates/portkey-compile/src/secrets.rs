//! The inventory's secret store compiled: one `ClusterSecretStore` whose auth is the one
//! Secret a person creates, and one `ExternalSecret` per Secret kept outside Git
//! ([`portkey_model::secrets::outside_git`]), each key read from the remote key
//! [`portkey_model::secret_store::remote_key`] (`<namespace>/<secret>/<key>`).
//!
//! The restic repository Secrets are the apps' own (`backup::repository_secret`): with a
//! store, `outside_git` leaves them out.

use portkey_model::cluster::SecretStore;
use portkey_model::resolve::Catalogue;
use portkey_model::secret_store::{SecretProvider, remote_key};

use crate::crd::external_secrets::{
    BitwardenAuth, BitwardenProvider, BitwardenSecretRef, CaProvider, ClusterSecretStore,
    ClusterSecretStoreSpec, Data, ExternalSecret, ExternalSecretSpec, Provider, RemoteRef,
    SecretKeySelector, SecretStoreRef, Target,
};
use crate::{Object, meta};

/// How often external-secrets re-reads the store (the same as the restic Secrets').
pub const REFRESH_INTERVAL: &str = "1h";

/// The store and the ExternalSecrets, in `outside_git` order; none without a store.
pub fn objects(catalogue: &Catalogue<'_>) -> Vec<Object> {
    let Some(store) = &catalogue.cluster.backup.secret_store else {
        return Vec::new();
    };
    let mut out: Vec<Object> = vec![cluster_secret_store(store).into()];
    out.extend(
        external_secrets(catalogue, store)
            .into_iter()
            .map(Object::from),
    );
    out
}

/// The `ClusterSecretStore` of the inventory's store.
pub fn cluster_secret_store(store: &SecretStore) -> ClusterSecretStore {
    let provider = match &store.provider {
        SecretProvider::BitwardenSecretsManager(b) => Provider {
            bitwardensecretsmanager: Some(BitwardenProvider {
                api_url: b.api_url.clone(),
                identity_url: b.identity_url.clone(),
                bitwarden_server_sdk_url: b.sdk_server_url.clone(),
                organization_id: b.organization_id.clone(),
                project_id: b.project_id.clone(),
                ca_provider: CaProvider {
                    kind: "Secret".into(),
                    name: b.sdk_server_ca.name.clone(),
                    namespace: b.sdk_server_ca.namespace.clone(),
                    key: b.sdk_server_ca.key.clone(),
                },
                auth: BitwardenAuth {
                    secret_ref: BitwardenSecretRef {
                        credentials: SecretKeySelector {
                            name: b.credential.name.clone(),
                            namespace: b.credential.namespace.clone(),
                            key: b.credential.key.clone(),
                        },
                    },
                },
            }),
        },
    };
    let mut s = ClusterSecretStore::new(&store.name, ClusterSecretStoreSpec { provider });
    s.metadata = meta(&store.name, None, None);
    s
}

/// One `ExternalSecret` per Secret kept outside Git: `target.name` is the Secret, and each
/// of its keys is a `data[]` entry read from `<namespace>/<secret>/<key>`.
pub fn external_secrets(catalogue: &Catalogue<'_>, store: &SecretStore) -> Vec<ExternalSecret> {
    portkey_model::secrets::outside_git(catalogue)
        .into_iter()
        .map(|((ns, name), secret)| {
            let mut es = ExternalSecret::new(
                &name,
                ExternalSecretSpec {
                    secret_store_ref: SecretStoreRef {
                        kind: <ClusterSecretStore as k8s_openapi::Resource>::KIND.into(),
                        name: store.name.clone(),
                    },
                    target: Target {
                        name: name.clone(),
                        template: None,
                    },
                    data: secret
                        .keys
                        .iter()
                        .map(|key| Data {
                            secret_key: key.clone(),
                            remote_ref: RemoteRef {
                                key: remote_key(&ns, &name, key),
                            },
                        })
                        .collect(),
                    refresh_interval: Some(REFRESH_INTERVAL.into()),
                },
            );
            es.metadata = meta(&name, Some(&ns), None);
            es
        })
        .collect()
}
