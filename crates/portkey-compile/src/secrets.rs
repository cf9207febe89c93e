//! The inventory's secret store compiled: one `ClusterSecretStore` whose auth is the one
//! Secret a person creates, and one `ExternalSecret` per Secret kept outside Git
//! ([`portkey_model::secrets::outside_git`]), each key read from the remote key
//! [`portkey_model::secret_store::remote_key`] (`<namespace>/<secret>/<key>`).
//!
//! With Bitwarden Secrets Manager, also the certificate of the `bitwarden-sdk-server` the
//! external-secrets chart deploys ([`sdk_server_tls`]): the server speaks only HTTPS and
//! the chart ships no Certificate
//! (<https://external-secrets.io/latest/provider/bitwarden-secrets-manager/>).
//!
//! The restic repository Secrets are the apps' own (`backup::repository_secret`): with a
//! store, `outside_git` leaves them out.

use portkey_model::cluster::SecretStore;
use portkey_model::resolve::Catalogue;
use portkey_model::secret_store::{SecretProvider, remote_key};

use portkey_model::secret_store::BitwardenSecretsManager;

use crate::crd::cert_manager::{
    CaIssuer, Certificate, CertificateSpec, Issuer, IssuerRef, IssuerSpec, PrivateKey,
    SelfSignedIssuer,
};
use crate::crd::external_secrets::{
    BitwardenAuth, BitwardenProvider, BitwardenSecretRef, CaProvider, ClusterSecretStore,
    ClusterSecretStoreSpec, Data, ExternalSecret, ExternalSecretSpec, Provider, RemoteRef,
    SecretKeySelector, SecretStoreRef, Target,
};
use crate::{Object, meta};

/// How often external-secrets re-reads the store (the same as the restic Secrets').
pub const REFRESH_INTERVAL: &str = "1h";

/// The CA certificate's lifetime and renewal: ten years, renewed a year before.
pub const CA_DURATION: (&str, &str) = ("87600h", "8760h");
/// The SDK server's certificate's lifetime and renewal: cert-manager's defaults (90 days,
/// renewed 30 days before), written out.
pub const SERVING_DURATION: (&str, &str) = ("2160h", "720h");

/// The store and the ExternalSecrets, in `outside_git` order (`cluster-secrets`); none
/// without a store.
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

/// The SDK server's certificate chain (`cluster-store-tls`, [`sdk_server_tls`]): its own
/// Application, synced after cert-manager and before the external-secrets release, because
/// the release's SDK server mounts the Secret it writes and would never start without it
/// (while `cluster-secrets` needs the release's CRDs, so syncs after it). None without a
/// Bitwarden store.
pub fn store_tls(catalogue: &Catalogue<'_>) -> Vec<Object> {
    match catalogue
        .cluster
        .backup
        .secret_store
        .as_ref()
        .map(|s| &s.provider)
    {
        Some(SecretProvider::BitwardenSecretsManager(b)) => sdk_server_tls(b),
        None => Vec::new(),
    }
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

/// The names of the SDK server's certificate chain, all in the namespace of
/// [`BitwardenSecretsManager::sdk_server_ca`], prefixed with the SDK server's Service name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdkServerTls {
    /// The namespace of every object (the SDK server's).
    pub namespace: String,
    /// The `selfSigned` Issuer that signs the CA.
    pub self_signed_issuer: String,
    /// The CA Certificate, and the Secret it writes (the CA Issuer's key pair).
    pub ca: String,
    /// The CA Issuer that signs the serving certificate.
    pub ca_issuer: String,
    /// The serving Certificate.
    pub serving: String,
    /// The serving Certificate's Secret: the one the chart's SDK server mounts, whose
    /// `ca.crt` the store trusts.
    pub serving_secret: String,
}

/// The names of `b`'s certificate chain.
pub fn sdk_server_tls_names(b: &BitwardenSecretsManager) -> SdkServerTls {
    let service = b.sdk_server_service();
    SdkServerTls {
        namespace: b.sdk_server_ca.namespace.clone(),
        self_signed_issuer: format!("{service}-selfsigned"),
        ca: format!("{service}-ca"),
        ca_issuer: format!("{service}-ca"),
        serving: service.to_string(),
        serving_secret: b.sdk_server_ca.name.clone(),
    }
}

/// The usual self-signed CA chain that gives the SDK server a serving certificate
/// (<https://cert-manager.io/docs/configuration/selfsigned/#bootstrapping-ca-issuers>):
/// a `selfSigned` Issuer; a CA Certificate (`isCA`) it signs; a CA Issuer on the CA's
/// Secret; and the serving Certificate for the SDK server's Service names
/// ([`BitwardenSecretsManager::sdk_server_dns_names`]), signed by the CA Issuer.
///
/// The serving Secret is `sdk_server_ca.name`, `bitwarden-tls-certs` by default: the Secret
/// the `bitwarden-sdk-server` chart mounts at `/certs` (keys `tls.crt`, `tls.key`, `ca.crt`;
/// `image.tls.volumes` in `deploy/charts/bitwarden-sdk-server/values.yaml` of
/// external-secrets/bitwarden-sdk-server). cert-manager's CA issuer writes the CA that
/// signed the certificate into that Secret's `ca.crt`, so the store trusts
/// `sdk_server_ca.key` (`ca.crt`) of the same Secret: the CA there is always the one that
/// signed the certificate beside it, even while a renewed CA has not yet re-signed it (the
/// CA Secret's own `ca.crt` would already be the new one).
pub fn sdk_server_tls(b: &BitwardenSecretsManager) -> Vec<Object> {
    let n = sdk_server_tls_names(b);
    let ns = Some(n.namespace.as_str());
    let issuer_ref = |name: &str| IssuerRef {
        name: name.into(),
        kind: Some(<Issuer as k8s_openapi::Resource>::KIND.into()),
        group: Some(crate::crd::cert_manager::GROUP.into()),
    };
    let key = || {
        Some(PrivateKey {
            algorithm: Some("ECDSA".into()),
            size: Some(256),
            rotation_policy: Some("Always".into()),
        })
    };
    let mut self_signed = Issuer::new(
        &n.self_signed_issuer,
        IssuerSpec {
            self_signed: Some(SelfSignedIssuer {}),
            ca: None,
        },
    );
    self_signed.metadata = meta(&n.self_signed_issuer, ns, None);
    let mut ca = Certificate::new(
        &n.ca,
        CertificateSpec {
            secret_name: n.ca.clone(),
            issuer_ref: issuer_ref(&n.self_signed_issuer),
            common_name: Some(n.ca.clone()),
            is_ca: Some(true),
            duration: Some(CA_DURATION.0.into()),
            renew_before: Some(CA_DURATION.1.into()),
            private_key: key(),
            ..CertificateSpec::default()
        },
    );
    ca.metadata = meta(&n.ca, ns, None);
    let mut ca_issuer = Issuer::new(
        &n.ca_issuer,
        IssuerSpec {
            self_signed: None,
            ca: Some(CaIssuer {
                secret_name: n.ca.clone(),
            }),
        },
    );
    ca_issuer.metadata = meta(&n.ca_issuer, ns, None);
    let mut serving = Certificate::new(
        &n.serving,
        CertificateSpec {
            secret_name: n.serving_secret.clone(),
            issuer_ref: issuer_ref(&n.ca_issuer),
            dns_names: b.sdk_server_dns_names(),
            duration: Some(SERVING_DURATION.0.into()),
            renew_before: Some(SERVING_DURATION.1.into()),
            usages: vec!["server auth".into()],
            private_key: key(),
            ..CertificateSpec::default()
        },
    );
    serving.metadata = meta(&n.serving, ns, None);
    vec![
        self_signed.into(),
        ca.into(),
        ca_issuer.into(),
        serving.into(),
    ]
}
