//! BOOTSTRAP.md's section 2 when the inventory declares a secret store: the one Secret a
//! person creates (the store's credential), and what the store must hold, from the same
//! derivation as the ExternalSecrets ([`portkey_model::secrets::outside_git`] and
//! [`portkey_model::secret_store::remote_key`]).

use std::fmt::Write as _;

use portkey_model::cluster::SecretStore;
use portkey_model::resolve::Catalogue;
use portkey_model::secret_store::{SecretProvider, remote_key};
use portkey_model::secrets;

/// Section 2 with a store.
pub fn section(catalogue: &Catalogue<'_>, store: &SecretStore) -> String {
    let c = store.provider.credential();
    let mut s = String::from("## 2. Secrets Git never holds\n\n");
    let _ = write!(
        s,
        "`cluster.rs` declares the secret store `{}` ({}): external-secrets creates every Secret the \
         catalogue references from it (`generated/cluster/secrets/`). The one Secret to create by hand is \
         the store's credential:\n\n",
        store.name,
        store.provider.title()
    );
    match &store.provider {
        SecretProvider::BitwardenSecretsManager(b) => {
            let tls = portkey_compile::secrets::sdk_server_tls_names(b);
            let _ = write!(
                s,
                "```sh\nkubectl create namespace {ns} --dry-run=client -o yaml | kubectl apply -f -\n\
                 kubectl -n {ns} create secret generic {name} \\\n  --from-literal={key}='<machine account access token>'\n```\n\n\
                 The token is a Bitwarden Secrets Manager machine account's, with read access to project `{project}` \
                 of organisation `{org}` ({api}). Keep it where the cluster is not needed to read it: offline, or in \
                 a password manager outside this cluster. external-secrets reaches Bitwarden through its \
                 `bitwarden-sdk-server` ({sdk}), which speaks only HTTPS: the external-secrets release enables it, \
                 and `cluster-store-tls` gives it a certificate from a self-signed CA, in namespace `{ca_ns}`, \
                 before the release syncs (`cluster-namespaces` creates the namespace, so the command above may come first): \
                 the Issuer `{self_signed}` (`selfSigned`) signs the CA Certificate `{ca}` (isCA, Secret `{ca}`), \
                 the CA Issuer `{ca_issuer}` signs the Certificate `{serving}` for {dns}, and cert-manager writes it \
                 into the Secret `{ca_name}` the SDK server mounts. The store trusts that Secret's `{ca_key}`, the CA \
                 that signed it (`{ca_ns}/{ca_name}`, key `{ca_key}`): nothing to create by hand.\n\n",
                self_signed = tls.self_signed_issuer,
                ca = tls.ca,
                ca_issuer = tls.ca_issuer,
                serving = tls.serving,
                dns = b
                    .sdk_server_dns_names()
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                sdk = b.sdk_server_url,
                ca_ns = b.sdk_server_ca.namespace,
                ca_name = b.sdk_server_ca.name,
                ca_key = b.sdk_server_ca.key,
                ns = c.namespace,
                name = c.name,
                key = c.key,
                project = b.project_id,
                org = b.organization_id,
                api = b.api_url,
            );
        }
    }
    let _ = write!(
        s,
        "What the store must hold, one secret per row, named `<namespace>/<secret>/<key>`:\n\n\
         | remote key | Secret | key | used by |\n|---|---|---|---|\n"
    );
    for ((ns, name), secret) in secrets::outside_git(catalogue) {
        let users: Vec<&str> = secret.used_by.iter().map(String::as_str).collect();
        for key in &secret.keys {
            let _ = writeln!(
                s,
                "| `{}` | `{ns}/{name}` | `{key}` | {} |",
                remote_key(&ns, &name, key),
                users.join(", ")
            );
        }
    }
    if catalogue.backups().next().is_some() {
        let _ = writeln!(
            s,
            "| `{}` | every `<claim>-volsync-secret` | `RESTIC_PASSWORD` | the backups |",
            store.password_key
        );
        for (key, remote) in &store.backend_keys {
            let _ = writeln!(
                s,
                "| `{remote}` | every `<claim>-volsync-secret` | `{key}` | the backups (the restic backend) |"
            );
        }
    }
    s.push('\n');
    s
}
