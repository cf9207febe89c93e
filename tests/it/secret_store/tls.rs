//! The secret store's SDK server certificate: the self-signed CA chain `cluster-store-tls`
//! emits for `bitwarden-sdk-server`, the Secret and key the store trusts, and the bootstrap
//! replay through that chain: before the external-secrets release, whose SDK server
//! mounts it.

use portkey::portkey_converge::{Fact, Outcome};
use portkey::portkey_model::cluster::SecretStore;
use portkey::portkey_model::secret_store::{SecretProvider, created_by_hand};
use serde_json::{Value, json};

use super::{bootstrap, charts_with_release, real_with_store, section};
use crate::common::*;

/// The YAML of `cluster/<file>` in a render of the real apps with a store.
fn secrets_object(tree: &std::collections::BTreeMap<String, String>, file: &str) -> Value {
    let path = format!("cluster/{file}");
    let text = tree.get(&path).unwrap_or_else(|| {
        panic!(
            "no {path}: {:?}",
            tree.keys()
                .filter(|k| k.starts_with("cluster/"))
                .collect::<Vec<_>>()
        )
    });
    serde_saphyr::from_str(text).expect("YAML")
}

#[test]
fn the_sdk_server_gets_a_certificate_the_store_trusts() {
    let tree =
        portkey::render(&real_with_store(), portkey::catalogue()).unwrap_or_else(|e| panic!("{e}"));
    let self_signed = secrets_object(
        &tree,
        "store-tls/issuer-bitwarden-sdk-server-selfsigned.yaml",
    );
    let ca = secrets_object(&tree, "store-tls/certificate-bitwarden-sdk-server-ca.yaml");
    let ca_issuer = secrets_object(&tree, "store-tls/issuer-bitwarden-sdk-server-ca.yaml");
    let serving = secrets_object(&tree, "store-tls/certificate-bitwarden-sdk-server.yaml");
    let store = secrets_object(&tree, "secrets/clustersecretstore-bitwarden.yaml");
    for o in [&self_signed, &ca, &ca_issuer, &serving] {
        assert_eq!(o["apiVersion"], "cert-manager.io/v1");
        assert_eq!(o["metadata"]["namespace"], "external-secrets");
    }
    // selfSigned → CA (isCA) → CA Issuer → the serving certificate.
    assert_eq!(self_signed["spec"], json!({ "selfSigned": {} }));
    assert_eq!(ca["spec"]["isCA"], true);
    assert_eq!(
        ca["spec"]["issuerRef"]["name"],
        self_signed["metadata"]["name"]
    );
    assert_eq!(
        ca_issuer["spec"]["ca"]["secretName"],
        ca["spec"]["secretName"]
    );
    assert_eq!(
        serving["spec"]["issuerRef"],
        json!({ "name": ca_issuer["metadata"]["name"], "kind": "Issuer", "group": "cert-manager.io" })
    );
    // The SDK server's Service names, from the store's `sdk_server_url`.
    assert_eq!(
        serving["spec"]["dnsNames"],
        json!([
            "bitwarden-sdk-server",
            "bitwarden-sdk-server.external-secrets",
            "bitwarden-sdk-server.external-secrets.svc",
            "bitwarden-sdk-server.external-secrets.svc.cluster.local"
        ])
    );
    // The Secret the chart's SDK server mounts, and the one whose `ca.crt` the store trusts.
    assert_eq!(serving["spec"]["secretName"], "bitwarden-tls-certs");
    let ca_provider = &store["spec"]["provider"]["bitwardensecretsmanager"]["caProvider"];
    assert_eq!(ca_provider["name"], serving["spec"]["secretName"]);
    assert_eq!(ca_provider["namespace"], serving["metadata"]["namespace"]);
    assert_eq!(ca_provider["key"], "ca.crt");
    // BOOTSTRAP.md names the chain, and nothing of it is created by hand.
    let two = section(&bootstrap(&real_with_store()), 2).to_string();
    for name in [
        "`bitwarden-sdk-server-selfsigned`",
        "`bitwarden-sdk-server-ca`",
        "`bitwarden-sdk-server`",
        "`bitwarden-tls-certs`",
        "`bitwarden-sdk-server.external-secrets.svc.cluster.local`",
    ] {
        assert!(two.contains(name), "{name} not in:\n{two}");
    }
    assert!(!two.contains("create secret tls"), "{two}");
}

/// With the real releases and external-secrets: the replay converges; the chain's
/// component follows cert-manager (its Issuers and Certificates need cert-manager's CRDs)
/// and precedes external-secrets, whose SDK server starts on the serving Certificate's
/// Secret; the store's component follows external-secrets (its CRDs); and the only Secret
/// made by hand is the store's credential.
#[test]
fn the_bootstrap_with_the_release_converges_through_the_ca_chain() {
    let cluster = real_with_store();
    let sim = portkey::simulate_with(&cluster, portkey::catalogue(), charts_with_release())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(sim.converges(), "{:#?}", sim.first_stall());
    let run = |name: &str| {
        sim.runs
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no run {name}"))
    };
    let tls = run("cluster-store-tls");
    let release = run("external-secrets");
    assert!(tls.wave > run("cert-manager").wave);
    assert!(release.wave > tls.wave);
    assert!(run("cluster-secrets").wave > release.wave);
    let sdk = release
        .verdicts
        .iter()
        .find(|v| v.object.to_string() == "Deployment external-secrets/bitwarden-sdk-server")
        .unwrap_or_else(|| panic!("{:#?}", release.verdicts));
    let Outcome::Healthy(by) = &sdk.outcome else {
        panic!("{sdk:#?}");
    };
    assert_eq!(
        by[0].by,
        "Certificate external-secrets/bitwarden-sdk-server (cluster-store-tls), Secret external-secrets/bitwarden-tls-certs"
    );
    let serving = tls
        .verdicts
        .iter()
        .find(|v| v.object.to_string() == "Certificate external-secrets/bitwarden-sdk-server")
        .unwrap_or_else(|| panic!("{:#?}", tls.verdicts));
    let Outcome::Healthy(by) = &serving.outcome else {
        panic!("{serving:#?}");
    };
    assert_eq!(
        by[0].by,
        "Issuer external-secrets/bitwarden-sdk-server-ca (cluster-store-tls)"
    );
    let catalogue =
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), charts_with_release())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        created_by_hand(&catalogue).keys().collect::<Vec<_>>(),
        [&(
            "external-secrets".to_string(),
            "bitwarden-access-token".to_string()
        )]
    );
}

/// The bootstrap replay of the real apps with a store and the external-secrets release,
/// after `edit` has changed the compiled objects' facts.
fn replay_edited(
    edit: impl FnOnce(&mut portkey::portkey_converge::Facts),
) -> portkey::portkey_converge::Simulation {
    let cluster = real_with_store();
    let catalogue =
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), charts_with_release())
            .unwrap_or_else(|e| panic!("{e}"));
    let (components, mut facts) =
        portkey::bootstrap_input(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    edit(&mut facts);
    portkey::portkey_converge::simulate(&catalogue, &components, &facts)
}

/// A CA Issuer whose CA Secret no Certificate writes (and nobody creates) is never Ready,
/// and neither is the serving Certificate it would sign.
#[test]
fn a_ca_issuer_without_its_ca_certificate_never_becomes_ready() {
    let sim = replay_edited(|facts| {
        let secrets = facts
            .get_mut("cluster-store-tls")
            .expect("cluster-store-tls facts");
        let before = secrets.len();
        secrets.retain(|f| match f {
            Fact::Certificate { object, .. } => &*object.name != "bitwarden-sdk-server-ca",
            Fact::Secret(_, name) => &**name != "bitwarden-sdk-server-ca",
            _ => true,
        });
        assert_eq!(
            secrets.len(),
            before - 2,
            "the CA Certificate and its Secret"
        );
    });
    assert!(!sim.converges());
    let (_, v, _) = sim.first_stall().expect("a stall");
    assert_eq!(
        v.object.to_string(),
        "Issuer external-secrets/bitwarden-sdk-server-ca"
    );
    let Outcome::Never(stall) = &v.outcome else {
        panic!("{v:#?}");
    };
    assert!(stall.reason.contains("exists nowhere"), "{}", stall.reason);
}

/// The store trusts the `ca.crt` of the SDK server's serving Secret, in the SDK server's
/// namespace: another namespace or key names a CA nothing writes.
#[test]
fn the_sdk_server_ca_is_the_serving_secret_s_ca_crt() {
    let mut cluster = real_with_store();
    if let Some(SecretStore {
        provider: SecretProvider::BitwardenSecretsManager(b),
        ..
    }) = &mut cluster.backup.secret_store
    {
        b.sdk_server_ca.namespace = "cert-manager".into();
        b.sdk_server_ca.key = "tls.crt".into();
    }
    let errors = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .expect_err("a CA nothing writes is refused")
        .0;
    let e = find_problem(
        &errors,
        "cluster",
        "backup.secret_store.provider.sdk_server_ca.namespace",
        &["`cert-manager`", "runs in `external-secrets`"],
    );
    assert!(e.fix.contains("`external-secrets`"), "{}", e.fix);
    find_problem(
        &errors,
        "cluster",
        "backup.secret_store.provider.sdk_server_ca.key",
        &["`tls.crt`", "`ca.crt`"],
    );
}

/// The chain's facts moved into `cluster-secrets`, which needs external-secrets' CRDs and so
/// syncs after the release (the layout before `cluster-store-tls`): the SDK server waits
/// for its Secret forever, and the replay names the deadlock on the release.
#[test]
fn a_chain_that_syncs_after_the_release_is_a_deadlock() {
    let sim = replay_edited(|facts| {
        let chain = facts
            .remove("cluster-store-tls")
            .expect("the chain's facts");
        facts
            .get_mut("cluster-secrets")
            .expect("cluster-secrets facts")
            .extend(chain);
    });
    assert!(!sim.converges());
    let (run, v, _) = sim.first_stall().expect("a stall");
    assert_eq!(run.name, "external-secrets");
    assert_eq!(
        v.object.to_string(),
        "Deployment external-secrets/bitwarden-sdk-server"
    );
    let Outcome::Never(stall) = &v.outcome else {
        panic!("{v:#?}");
    };
    for needle in [
        "`external-secrets/bitwarden-tls-certs`",
        "cluster-secrets",
        "a deadlock",
    ] {
        assert!(stall.reason.contains(needle), "{needle}: {}", stall.reason);
    }
}

/// Without the chain (no Certificate writes the SDK server's Secret, nobody creates it),
/// the release never becomes Healthy.
#[test]
fn an_sdk_server_secret_nothing_writes_stalls_the_release() {
    let sim = replay_edited(|facts| {
        facts
            .remove("cluster-store-tls")
            .expect("the chain's facts");
    });
    let (run, v, _) = sim.first_stall().expect("a stall");
    assert_eq!(
        (run.name.as_str(), v.object.to_string().as_str()),
        (
            "external-secrets",
            "Deployment external-secrets/bitwarden-sdk-server"
        )
    );
    let Outcome::Never(stall) = &v.outcome else {
        panic!("{v:#?}");
    };
    assert!(
        stall.reason.contains("no Certificate writes"),
        "{}",
        stall.reason
    );
}

/// The SDK server's namespace is created by `cluster-namespaces` (Pod Security labels at
/// the release's level, kept on prune: it holds the hand-made credential), so the release
/// neither creates nor labels it, and comes after both that and the chain.
#[test]
fn the_release_s_namespace_is_created_before_it() {
    let cluster = real_with_store();
    let catalogue =
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), charts_with_release())
            .unwrap_or_else(|e| panic!("{e}"));
    let manifests = portkey::portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let object = |kind: &str, name: &str| object(&manifests, kind, name);
    let ns = object("Namespace", "external-secrets");
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "baseline"
    );
    assert_eq!(
        ns["metadata"]["annotations"]["argocd.argoproj.io/sync-options"],
        "Prune=false,Delete=false"
    );
    let app = object("Application", "external-secrets");
    let options = &app["spec"]["syncPolicy"]["syncOptions"];
    assert!(
        !options.to_string().contains("CreateNamespace"),
        "{options}"
    );
    assert!(
        app["spec"]["syncPolicy"]
            .get("managedNamespaceMetadata")
            .is_none(),
        "{app}"
    );
    let tls = object("Application", "cluster-store-tls");
    assert_eq!(tls["spec"]["destination"]["namespace"], "external-secrets");
    let components =
        portkey::portkey_compile::components(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let release = components
        .iter()
        .find(|c| c.name == "external-secrets")
        .expect("the release");
    assert!(!release.owns_namespace);
    assert_eq!(
        release.depends_on,
        ["cluster-namespaces", "cluster-store-tls"]
    );
}

/// The release that installs external-secrets must deploy the SDK server, in the store's
/// namespace: two problems on the release, each naming its field and the fix.
#[test]
fn the_release_must_deploy_the_sdk_server_where_the_store_points() {
    let mut charts = portkey::charts();
    charts.push(
        super::external_secrets_release()
            .namespace("secrets")
            .values(json!({})),
    );
    let errors =
        portkey::portkey_model::resolve_all(&real_with_store(), portkey::catalogue(), charts)
            .expect_err("a release without the SDK server is refused")
            .0;
    let e = find_problem(
        &errors,
        "external-secrets",
        "values",
        &["does not deploy", "bitwarden-sdk-server.enabled"],
    );
    assert!(
        e.fix.contains("`bitwarden-sdk-server.enabled: true`"),
        "{}",
        e.fix
    );
    let e = find_problem(
        &errors,
        "external-secrets",
        "namespace",
        &["`secrets`", "`external-secrets`"],
    );
    assert_eq!(e.file, "apps/infra/external-secrets.rs");
}
