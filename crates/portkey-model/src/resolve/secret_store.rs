//! The secret store's own checks: it must not live inside the cluster it restores.
//!
//! The restic credentials that restore vaultwarden (and every other app) come from the
//! store; a store served by an app of this cluster (vaultwarden itself, say) is gone after
//! a rebuild, and its backup can't be restored without the credentials it holds.

use crate::app::App;
use crate::chart::{Capability, Chart};
use crate::cluster::Cluster;
use crate::error::{ModelError, Problems};
use crate::secret_store::{
    BootstrapCredential, EXTERNAL_SECRETS_GROUP, EXTERNAL_SECRETS_RELEASE, url_host,
};

/// Checks the inventory's secret store against the apps and chart releases.
pub(crate) fn check(cluster: &Cluster, apps: &[App], charts: &[Chart]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let Some(store) = &cluster.backup.secret_store else {
        return out;
    };
    let mut p = Problems::new(&cluster.source, "cluster", &mut out);
    // The catalogue declares its infrastructure, and nothing installs external-secrets: one
    // problem here, instead of one "no chart release provides" per component that emits an
    // ExternalSecret (the waves report nothing once the model has a problem).
    let operator = Capability::Crds(EXTERNAL_SECRETS_GROUP.into());
    if !charts.is_empty() && !charts.iter().any(|c| c.provides.contains(&operator)) {
        let r = EXTERNAL_SECRETS_RELEASE;
        p.add(
            "backup.secret_store",
            format!(
                "the secret store `{}` needs external-secrets (the CRDs of {EXTERNAL_SECRETS_GROUP} and its controller), which no chart release installs: no ExternalSecret would ever apply",
                store.name
            ),
            format!(
                "add `{file}`: `Chart::helm(\"{repo}\", \"{chart}\", \"{version}\").namespace(\"{ns}\").provides_crds(crd::external_secrets::GROUP)` with the value `{cond}: true` (the chart's dependency condition that deploys the SDK server the store talks to), then `cargo run -- charts pull` to fetch its defaults",
                file = r.file,
                repo = r.repository,
                chart = r.chart,
                version = r.version,
                ns = r.namespace,
                cond = r.sdk_server_condition,
            ),
        );
    }
    if !store.cluster_wide {
        p.add(
            "backup.secret_store.cluster_wide",
            format!(
                "the store `{}` is namespaced: every namespace would need its own SecretStore and credential, created by hand",
                store.name
            ),
            "set `cluster_wide: true`: portkey emits one ClusterSecretStore whose credential is the one Secret created by hand",
        );
    }
    for (field, url) in store.provider.urls() {
        let host = url_host(url);
        let labels: Vec<String> = host.split('.').map(str::to_ascii_lowercase).collect();
        let in_cluster = labels.last().is_some_and(|l| l == "svc")
            || labels.ends_with(&["svc".into(), "cluster".into(), "local".into()]);
        if in_cluster {
            p.add(
                format!("backup.secret_store.provider.{field}"),
                format!(
                    "the secret store is served by a Service of this cluster (`{url}`): after a rebuild it is gone, and the restic credentials that restore it are inside it"
                ),
                "use a store outside the cluster (Bitwarden Secrets Manager is a separate service from a vault), or no store and keep the restic credentials written down offline",
            );
        }
        for app in apps {
            let Some(https) = &app.https else { continue };
            if host == format!("{}.{}", https.host, cluster.domain) {
                p.add(
                    format!("backup.secret_store.provider.{field}"),
                    format!(
                        "the secret store is served by `{}`, an app of this cluster (`{url}`): after a rebuild it is gone, and the restic credentials that restore it are inside it",
                        app.name
                    ),
                    "use a store outside the cluster (Bitwarden Secrets Manager is a separate service from a vault), or no store and keep the restic credentials written down offline",
                );
            }
        }
    }
    backend_keys(store, &mut p);
    let crate::secret_store::SecretProvider::BitwardenSecretsManager(b) = &store.provider;
    sdk_server_ca(b, &mut p);
    let BootstrapCredential {
        namespace,
        name,
        key,
    } = store.provider.credential();
    for (field, value) in [("namespace", namespace), ("name", name), ("key", key)] {
        if value.is_empty() {
            p.add(
                format!("backup.secret_store.provider.credential.{field}"),
                "the store's bootstrap credential has an empty name",
                "name the credential's namespace, Secret and key",
            );
        }
    }
    for release in charts.iter().filter(|c| c.provides.contains(&operator)) {
        sdk_server_release(b, release, &mut out);
    }
    out
}

/// restic reads the backend keys as environment variables, and the template names them
/// `{{ .KEY }}`.
fn backend_keys(store: &crate::cluster::SecretStore, p: &mut Problems<'_>) {
    let env_name = |k: &str| {
        k.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    for (key, remote) in &store.backend_keys {
        if !env_name(key) || key.starts_with("RESTIC_") || remote.is_empty() {
            p.add(
                "backup.secret_store.backend_keys",
                format!(
                    "backend key `{key}` (remote key `{remote}`) is not an environment variable name outside RESTIC_*, with a remote key"
                ),
                "name each backend credential as restic reads it (`AWS_ACCESS_KEY_ID`), with the remote key that holds it",
            );
        }
    }
}

/// The release that installs external-secrets must deploy the SDK server the store talks
/// to (the chart leaves it off), in the namespace of the store's `sdk_server_url`.
fn sdk_server_release(
    b: &crate::secret_store::BitwardenSecretsManager,
    release: &Chart,
    out: &mut Vec<ModelError>,
) {
    let mut p = Problems::new(&release.source, &release.name, out);
    let condition = EXTERNAL_SECRETS_RELEASE.sdk_server_condition;
    let enabled = release
        .values
        .get(crate::secret_store::SDK_SERVER)
        .and_then(|v| v.get("enabled"));
    if enabled != Some(&serde_json::Value::Bool(true)) {
        p.add(
            "values",
            format!(
                "the secret store reaches Bitwarden through the SDK server at `{}`, which this release does not deploy (`{condition}` is off by default): the ClusterSecretStore would never be Ready",
                b.sdk_server_url
            ),
            format!("set `{condition}: true` in the release's values"),
        );
    }
    if release.namespace != b.sdk_server_ca.namespace {
        p.add(
            "namespace",
            format!(
                "the release installs the SDK server into `{}`, but the store's `sdk_server_url` (`{}`) and its certificate chain are in `{}`",
                release.namespace, b.sdk_server_url, b.sdk_server_ca.namespace
            ),
            format!(
                "install the release into `{}`, or point `sdk_server_url` and `sdk_server_ca` at `{}`",
                b.sdk_server_ca.namespace, release.namespace
            ),
        );
    }
}

/// The SDK server's CA must be the `ca.crt` of its serving Secret, in its own namespace:
/// portkey's Certificate writes that Secret there (where the chart's pod mounts it), and
/// cert-manager's CA issuer puts the signing CA in its `ca.crt`.
fn sdk_server_ca(b: &crate::secret_store::BitwardenSecretsManager, p: &mut Problems<'_>) {
    let names = b.sdk_server_dns_names();
    // `<service>.<namespace>`: a Service of the cluster.
    let namespace = names
        .get(1)
        .filter(|_| names.len() > 1)
        .and_then(|n| n.split_once('.'))
        .map(|(_, ns)| ns);
    if let Some(ns) = namespace
        && b.sdk_server_ca.namespace != ns
    {
        p.add(
            "backup.secret_store.provider.sdk_server_ca.namespace",
            format!(
                "the SDK server's CA Secret is in namespace `{}`, but the SDK server (`{}`) runs in `{ns}`: its certificate's Secret, which holds the CA, is written there",
                b.sdk_server_ca.namespace, b.sdk_server_url
            ),
            format!("set `sdk_server_ca.namespace` to `{ns}`"),
        );
    }
    if b.sdk_server_ca.key != "ca.crt" {
        p.add(
            "backup.secret_store.provider.sdk_server_ca.key",
            format!(
                "the SDK server's CA is read from key `{}`, but cert-manager writes the CA that signed the certificate into `ca.crt`",
                b.sdk_server_ca.key
            ),
            "set `sdk_server_ca.key` to `ca.crt`",
        );
    }
}
