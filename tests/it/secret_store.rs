//! The inventory's secret store: an `ExternalSecret` per Secret kept outside Git with the
//! right keys, one `ClusterSecretStore` whose credential is the one hand-made Secret, and
//! BOOTSTRAP.md's section 2 with and without a store.

use std::collections::BTreeSet;

use portkey::portkey_model::chart::Chart;
use portkey::portkey_model::cluster::{Cluster, SecretStore};
use portkey::portkey_model::secret_store::{
    EXTERNAL_SECRETS_GROUP, EXTERNAL_SECRETS_RELEASE, SecretProvider, created_by_hand,
    created_by_hand_names, remote_key,
};
use portkey::portkey_model::secrets::{outside_git, outside_git_names};

use crate::common::*;

mod tls;

const STORE: &str = "bitwarden";

fn store() -> SecretStore {
    crate::common::test_secret_store()
}

/// The real inventory with a store.
fn real_with_store() -> Cluster {
    let mut c = portkey::cluster::portkey();
    c.backup.secret_store = Some(store());
    c
}

/// Section `n` of BOOTSTRAP.md.
fn section(doc: &str, n: u32) -> &str {
    let start = doc
        .find(&format!("\n## {n}. "))
        .unwrap_or_else(|| panic!("no section {n}:\n{doc}"));
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

fn bootstrap(cluster: &Cluster) -> String {
    let catalogue = portkey::portkey_model::resolve(cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    let (components, facts) =
        portkey::bootstrap_input(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let simulation = portkey::portkey_converge::simulate(&catalogue, &components, &facts);
    portkey::portkey_render::bootstrap::document(&catalogue, &components, &simulation)
}

#[test]
fn the_names_of_the_secrets_kept_outside_git_are_the_full_lists_keys() {
    // The real catalogue and charts (env and file Secrets, restic repositories, chart
    // Secrets, a chart's secret form), with a DNS-01 token, without and with a store.
    let mut dns01 = portkey::cluster::portkey();
    dns01.ingress.challenge = portkey::portkey_model::network::AcmeChallenge::Dns01Cloudflare {
        api_token_secret: "cf-token".into(),
        key: "token".into(),
    };
    for cluster in [portkey::cluster::portkey(), dns01, real_with_store()] {
        let catalogue = portkey::portkey_model::resolve_all(
            &cluster,
            portkey::catalogue(),
            charts_with_release(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let full = outside_git(&catalogue);
        assert!(full.values().any(|s| !s.files.is_empty()), "a secret file");
        assert!(full.values().any(|s| !s.forms.is_empty()), "a secret form");
        let names = |n: portkey::portkey_model::SecretNames| {
            n.iter()
                .map(|(ns, name)| (ns.to_string(), name.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(outside_git_names(&catalogue)),
            full.into_keys().collect::<Vec<_>>()
        );
        assert_eq!(
            names(created_by_hand_names(&catalogue)),
            created_by_hand(&catalogue).into_keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn every_secret_kept_outside_git_is_an_external_secret_with_its_keys() {
    // Apps and chart releases together: app env and file Secrets, chart Secrets.
    let cluster = real_with_store();
    let catalogue =
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), charts_with_release())
            .unwrap_or_else(|e| panic!("{e}"));
    let expected = outside_git(&catalogue);
    assert!(expected.len() > 5, "the real catalogue references Secrets");
    let store = cluster.backup.secret_store.as_ref().unwrap();
    let emitted = portkey::portkey_compile::secrets::external_secrets(&catalogue, store);
    assert_eq!(emitted.len(), expected.len(), "one per Secret");
    for es in &emitted {
        let es = serde_json::to_value(es).unwrap();
        let ns = es["metadata"]["namespace"].as_str().unwrap().to_string();
        let name = es["metadata"]["name"].as_str().unwrap().to_string();
        let want = &expected
            .get(&(ns.clone(), name.clone()))
            .unwrap_or_else(|| panic!("{ns}/{name} is not kept outside Git"))
            .keys;
        assert_eq!(es["kind"], "ExternalSecret");
        assert_eq!(es["spec"]["target"]["name"], name.as_str());
        assert_eq!(
            es["spec"]["secretStoreRef"],
            serde_json::json!({"kind": "ClusterSecretStore", "name": STORE})
        );
        let data = es["spec"]["data"].as_array().unwrap();
        let keys: portkey::portkey_model::SortedSet<String> = data
            .iter()
            .map(|d| d["secretKey"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&keys, want, "{ns}/{name}");
        for d in data {
            let key = d["secretKey"].as_str().unwrap();
            assert_eq!(
                d["remoteRef"]["key"],
                format!("{ns}/{name}/{key}").as_str(),
                "{ns}/{name}"
            );
        }
    }
    assert_eq!(remote_key("a", "b", "c"), "a/b/c");
}

#[test]
fn the_store_is_one_cluster_secret_store_on_the_hand_made_credential() {
    let cluster = real_with_store();
    let tree = portkey::render(&cluster, portkey::catalogue()).unwrap_or_else(|e| panic!("{e}"));
    let stores: Vec<(&String, &String)> = tree
        .iter()
        .filter(|(_, t)| t.contains("\nkind: ClusterSecretStore\n"))
        .collect();
    assert_eq!(
        stores.len(),
        1,
        "{:?}",
        stores.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    let (path, text) = stores[0];
    assert!(path.starts_with("cluster/secrets/"), "{path}");
    for line in [
        "bitwardensecretsmanager:",
        "organizationID: org-id",
        "projectID: project-id",
        "name: bitwarden-access-token",
        "namespace: external-secrets",
        "key: token",
        "caProvider:",
        "name: bitwarden-tls-certs",
    ] {
        assert!(text.contains(line), "{line} not in {path}:\n{text}");
    }
    // Every app Secret comes from the store, so the apps that use them sync after it.
    let catalogue = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    let hand = created_by_hand(&catalogue);
    assert_eq!(
        hand.keys().collect::<Vec<_>>(),
        [&(
            "external-secrets".to_string(),
            "bitwarden-access-token".to_string()
        )]
    );
    for (ns, name) in outside_git(&catalogue).keys() {
        assert!(
            tree.iter().any(|(p, t)| p.starts_with("cluster/secrets/")
                && t.contains("\nkind: ExternalSecret\n")
                && t.contains(&format!("  name: {name}\n  namespace: {ns}\n"))),
            "no ExternalSecret for {ns}/{name}"
        );
    }
}

#[test]
fn bootstrap_with_a_store_creates_only_its_credential() {
    let cluster = real_with_store();
    let doc = bootstrap(&cluster);
    let two = section(&doc, 2);
    let creates: Vec<&str> = two
        .lines()
        .filter(|l| l.contains("create secret generic"))
        .collect();
    assert_eq!(
        creates,
        ["kubectl -n external-secrets create secret generic bitwarden-access-token \\"],
        "{two}"
    );
    // What the store must hold: every key of every Secret kept outside Git.
    let catalogue = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    for ((ns, name), secret) in outside_git(&catalogue) {
        for key in &secret.keys {
            let row = format!(
                "| `{}` | `{ns}/{name}` | `{key}` |",
                remote_key(&ns, &name, key)
            );
            assert!(two.contains(&row), "{row} not in:\n{two}");
        }
    }
    assert!(two.contains("| `restic-password` |"), "{two}");
    // vaultwarden's restic credentials: in the store, outside the cluster and the vault.
    let line = doc
        .lines()
        .find(|l| l.contains("vaultwarden-volsync-secret"))
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(
        line.contains("outside the cluster and outside `vaultwarden`"),
        "{line}"
    );
    assert!(line.contains("Bitwarden Secrets Manager"), "{line}");
}

#[test]
fn bootstrap_without_a_store_lists_every_secret() {
    let cluster = portkey::cluster::portkey();
    let mut cluster = cluster;
    cluster.backup.secret_store = None;
    let doc = bootstrap(&cluster);
    let two = section(&doc, 2);
    let catalogue = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    let secrets = outside_git(&catalogue);
    let creates = two
        .lines()
        .filter(|l| l.contains("create secret generic"))
        .count();
    assert_eq!(creates, secrets.len(), "{two}");
    for (ns, name) in secrets.keys() {
        assert!(
            two.contains(&format!("kubectl -n {ns} create secret generic {name}")),
            "{ns}/{name}"
        );
    }
    assert!(!two.contains("ClusterSecretStore"));
    let line = doc
        .lines()
        .find(|l| l.contains("vaultwarden-volsync-secret") && l.contains("restic password"))
        .unwrap_or_else(|| panic!("{doc}"));
    assert!(line.contains("written down offline"), "{line}");
}

#[test]
fn a_store_served_by_vaultwarden_is_an_error() {
    let mut cluster = real_with_store();
    if let Some(SecretStore {
        provider: SecretProvider::BitwardenSecretsManager(b),
        ..
    }) = &mut cluster.backup.secret_store
    {
        b.api_url = format!("https://vault.{}/api", cluster.domain);
    }
    let errors = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .expect_err("a store inside the cluster is refused")
        .0;
    let e = find_problem(
        &errors,
        "cluster",
        "backup.secret_store.provider.api_url",
        &["vaultwarden", "restic credentials"],
    );
    assert!(e.fix.contains("outside the cluster"), "{}", e.fix);
    // Reached as a Service of the cluster: the same.
    if let Some(SecretStore {
        provider: SecretProvider::BitwardenSecretsManager(b),
        ..
    }) = &mut cluster.backup.secret_store
    {
        b.api_url = "https://api.bitwarden.svc.cluster.local".into();
        b.identity_url = "https://vaultwarden.vaultwarden.svc".into();
    }
    let errors = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .expect_err("a store inside the cluster is refused")
        .0;
    for field in ["api_url", "identity_url"] {
        find_problem(
            &errors,
            "cluster",
            &format!("backup.secret_store.provider.{field}"),
            &["a Service of this cluster"],
        );
    }
    // The default provider, Bitwarden's cloud, is outside the cluster.
    assert!(portkey::portkey_model::resolve(&real_with_store(), portkey::catalogue()).is_ok());
}

#[test]
fn a_namespaced_store_is_an_error() {
    let mut cluster = real_with_store();
    cluster.backup.secret_store.as_mut().unwrap().cluster_wide = false;
    let errors = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .expect_err("a namespaced store is refused")
        .0;
    find_problem(
        &errors,
        "cluster",
        "backup.secret_store.cluster_wide",
        &["namespaced", "by hand"],
    );
}

#[test]
fn the_credential_must_be_named() {
    let mut cluster = real_with_store();
    if let Some(SecretStore {
        provider: SecretProvider::BitwardenSecretsManager(b),
        ..
    }) = &mut cluster.backup.secret_store
    {
        b.credential.name = String::new();
    }
    let errors = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .expect_err("an unnamed credential is refused")
        .0;
    find_problem(
        &errors,
        "cluster",
        "backup.secret_store.provider.credential.name",
        &["empty"],
    );
}

#[test]
fn the_bootstrap_replay_has_the_store_s_secrets_before_their_apps() {
    let cluster = real_with_store();
    let catalogue = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("{e}"));
    let (components, facts) =
        portkey::bootstrap_input(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let simulation = portkey::portkey_converge::simulate(&catalogue, &components, &facts);
    assert!(simulation.converges(), "{:#?}", simulation.first_stall());
    let wave = |name: &str| {
        simulation
            .runs
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no run {name}"))
            .wave
    };
    let store_wave = wave("cluster-secrets");
    let users: BTreeSet<String> = outside_git(&catalogue)
        .into_values()
        .flat_map(|s| s.used_by)
        .filter(|u| catalogue.apps.iter().any(|a| a.app.name == *u))
        .collect();
    assert!(users.contains("vaultwarden"), "{users:?}");
    for user in &users {
        assert!(wave(user) > store_wave, "{user} syncs before its Secrets");
    }
}

#[test]
fn backend_keys_are_environment_variable_names() {
    for bad in ["aws-key", "RESTIC_PASSWORD", "1KEY"] {
        let mut cluster = real_with_store();
        cluster.backup.secret_store.as_mut().unwrap().backend_keys =
            vec![(bad.into(), "restic/x".into())];
        let errors = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
            .expect_err("a bad backend key is refused")
            .0;
        find_problem(
            &errors,
            "cluster",
            "backup.secret_store.backend_keys",
            &[bad],
        );
    }
}

#[test]
fn every_repository_secret_reads_the_backend_credentials_from_the_store() {
    let cluster = real_with_store();
    let store = cluster.backup.secret_store.as_ref().unwrap();
    let tree = portkey::render(&cluster, portkey::catalogue()).unwrap_or_else(|e| panic!("{e}"));
    let repositories: Vec<(&String, &String)> = tree
        .iter()
        .filter(|(p, _)| p.contains("/externalsecret-") && p.ends_with("-volsync-secret.yaml"))
        .collect();
    assert!(repositories.len() > 5);
    for (path, text) in repositories {
        for (key, remote) in &store.backend_keys {
            assert!(
                text.contains(&format!("{key}: '{{{{ .{key} }}}}'"))
                    || text.contains(&format!("{key}: \"{{{{ .{key} }}}}\"")),
                "{key} not templated in {path}:\n{text}"
            );
            assert!(
                text.contains(&format!("secretKey: {key}\n")) && text.contains(remote.as_str()),
                "{key} not fetched in {path}:\n{text}"
            );
        }
    }
    let doc = bootstrap(&cluster);
    for (key, remote) in &store.backend_keys {
        assert!(
            section(&doc, 2).contains(&format!(
                "| `{remote}` | every `<claim>-volsync-secret` | `{key}` |"
            )),
            "{key}"
        );
    }
}

/// The release `apps/infra/external-secrets.rs` would declare, as the missing-operator
/// fix spells it (its chart defaults are not in `charts/`).
fn external_secrets_release() -> Chart {
    Chart::helm(
        "https://charts.external-secrets.io",
        "external-secrets",
        "2.14.0",
    )
    .source("apps/infra/external-secrets.rs")
    .namespace("external-secrets")
    .no_network_policy("a test release")
    .provides_crds(portkey::portkey_compile::crd::external_secrets::GROUP)
    .values(serde_json::json!({ "bitwarden-sdk-server": { "enabled": true } }))
}

fn charts_with_release() -> Vec<Chart> {
    let mut charts = portkey::charts();
    charts.push(external_secrets_release());
    charts
}

#[test]
fn the_external_secrets_group_has_one_source() {
    assert_eq!(
        EXTERNAL_SECRETS_GROUP,
        portkey::portkey_compile::crd::external_secrets::GROUP
    );
    // The release the fix names is the one the synthetic release follows.
    let r = EXTERNAL_SECRETS_RELEASE;
    let c = external_secrets_release();
    assert_eq!(
        (r.repository, r.chart, r.version, r.namespace, r.file),
        (
            c.repo.as_str(),
            c.chart.as_str(),
            c.version.as_str(),
            c.namespace.as_str(),
            c.source.as_str()
        )
    );
}

/// `errors`, asserted to hold exactly one problem.
fn only_one(
    errors: Vec<portkey::portkey_model::ModelError>,
) -> Vec<portkey::portkey_model::ModelError> {
    assert_eq!(
        errors.len(),
        1,
        "{}",
        errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    errors
}

/// The store's objects need external-secrets' CRDs and controller: with the real chart
/// releases, a store and no external-secrets release fails the render with ONE problem on
/// `cluster.rs` that spells the release to add (no per-component "no chart release
/// provides" errors beside it).
#[test]
fn a_store_without_the_external_secrets_release_fails_naming_it() {
    let Err(portkey::Error::Model(errors)) =
        portkey::build_with(&real_with_store(), portkey::catalogue(), portkey::charts())
    else {
        panic!("no release provides external-secrets.io: expected model problems");
    };
    let errors = only_one(errors.0);
    let e = find_problem(
        &errors,
        "cluster",
        "backup.secret_store",
        &["external-secrets.io", "no chart release installs"],
    );
    assert_eq!(e.file, "cluster.rs");
    for needle in [
        "apps/infra/external-secrets.rs",
        "https://charts.external-secrets.io",
        "\"external-secrets\", \"2.14.0\"",
        ".namespace(\"external-secrets\")",
        ".provides_crds(crd::external_secrets::GROUP)",
        "bitwarden-sdk-server.enabled: true",
        "cargo run -- charts pull",
    ] {
        assert!(e.fix.contains(needle), "{needle} not in the fix: {}", e.fix);
    }
    // With the release, the model check is satisfied.
    assert!(
        portkey::portkey_model::resolve_all(
            &real_with_store(),
            portkey::catalogue(),
            charts_with_release()
        )
        .is_ok()
    );
}

/// With the release, the render fails only on the chart's missing defaults (`charts pull`
/// fetches them): the waves, the schemas, the lints and the API-server rules all pass.
#[test]
fn with_the_release_only_the_chart_defaults_are_missing() {
    let Err(portkey::Error::Model(errors)) = portkey::build_with(
        &real_with_store(),
        portkey::catalogue(),
        charts_with_release(),
    ) else {
        panic!("expected the missing chart defaults");
    };
    let errors = only_one(errors.0);
    let e = find_problem(
        &errors,
        "external-secrets",
        "version",
        &["no upstream defaults"],
    );
    assert_eq!(e.file, "apps/infra/external-secrets.rs");
}
