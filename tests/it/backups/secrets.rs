//! Repository secrets: an `ExternalSecret` per repository when the cluster has a store,
//! and no `Secret` object ever.

use super::*;

#[test]
fn external_secret_per_repository_with_a_store() {
    let tree = render_on(&store_cluster(true), synthetic());
    insta::assert_snapshot!(files(
        &tree,
        &["lab/notes/externalsecret-notes-volsync-secret.yaml"]
    ));

    let m = compile_on(&store_cluster(true), synthetic());
    let sources = all(&m, "ReplicationSource");
    assert_eq!(
        all(&m, "ExternalSecret").len(),
        sources.len(),
        "one per repository"
    );
    let mut repositories = BTreeSet::new();
    for rs in &sources {
        let (ns, claim) = ns_name(rs);
        let secret = s(&rs["spec"]["restic"]["repository"]);
        let es = find(&m, "ExternalSecret", &ns, secret)
            .unwrap_or_else(|| panic!("no ExternalSecret {ns}/{secret} for {claim}"));
        assert_eq!(es["apiVersion"], "external-secrets.io/v1");
        assert_eq!(
            es["spec"]["secretStoreRef"],
            json!({"kind": "ClusterSecretStore", "name": STORE})
        );
        assert_eq!(es["spec"]["target"]["name"], secret);
        let data = &es["spec"]["target"]["template"]["data"];
        let repository = format!("{PREFIX_TRIMMED}/{ns}/{claim}");
        assert_eq!(data["RESTIC_REPOSITORY"], repository.as_str(), "{es:#}");
        assert!(
            repositories.insert(repository.clone()),
            "{repository} shared"
        );
        assert_eq!(
            es["spec"]["data"],
            json!([{"secretKey": "password", "remoteRef": {"key": PASSWORD_KEY}}])
        );
        // The password template reads the key fetched from the store.
        let fetched = s(&es["spec"]["data"][0]["secretKey"]);
        assert_eq!(
            data["RESTIC_PASSWORD"],
            format!("{{{{ .{fetched} }}}}").as_str()
        );
        assert_eq!(
            data.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["RESTIC_PASSWORD", "RESTIC_REPOSITORY"]
        );
        assert_eq!(
            es["metadata"]["labels"][NAME_LABEL],
            rs["metadata"]["labels"][NAME_LABEL]
        );
    }
    let notes = object(&m, "ExternalSecret", "notes-volsync-secret");
    assert_eq!(notes["metadata"]["namespace"], "lab");
    assert_eq!(
        notes["spec"]["target"]["template"]["data"]["RESTIC_REPOSITORY"],
        "s3:https://s3.example.org/restic/lab/notes-data"
    );
    for name in ["media-config-volsync-secret", "media-db-volsync-secret"] {
        assert!(has_object(&m, "ExternalSecret", name), "{name}");
    }
    assert!(!has_object(&m, "ExternalSecret", "media-volsync-secret"));

    // A namespaced store is refused: it would need a hand-made store per namespace.
    let err = portkey_model::resolve(&store_cluster(false), synthetic())
        .expect_err("a namespaced store is an error")
        .to_string();
    assert!(err.contains("backup.secret_store.cluster_wide"), "{err}");

    // The runbook says where the Secrets come from instead of asking to create them.
    let runbook = &tree["RESTORE.md"];
    assert!(runbook.contains(&format!("ExternalSecrets from the store `{STORE}`")));
    check_runbook(
        runbook,
        &compile_on(&store_cluster(true), synthetic()),
        true,
    );
}

#[test]
fn no_secret_objects_without_a_store() {
    let m = compile(synthetic());
    assert!(all(&m, "ExternalSecret").is_empty());
    assert!(all(&m, "Secret").is_empty());
    let cluster = portkey::cluster::portkey();
    if cluster.backup.secret_store.is_none() {
        let m = real_manifests();
        assert!(
            all(&m, "ExternalSecret").is_empty(),
            "the real cluster has no store"
        );
        assert!(all(&m, "Secret").is_empty());
    }
}

#[test]
fn no_rendered_file_is_a_secret() {
    assert!(has_secret_kind("  kind: Secret\n"), "the detector works");
    assert!(!has_secret_kind("    kind: SecretStore\n"));
    let trees = [
        ("real", real_tree()),
        ("synthetic", render(synthetic())),
        (
            "cluster store",
            render_on(&store_cluster(true), synthetic()),
        ),
    ];
    for (what, tree) in &trees {
        for (path, text) in tree {
            assert!(
                !has_secret_kind(text),
                "{what}: {path} holds a Secret; secrets are referenced, never written"
            );
        }
    }
}
