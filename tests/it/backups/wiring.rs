//! Every backed-up claim is restorable from its own repository, critical apps are
//! retained, protected and backed up, and every claim is backed up or exempt.

use super::*;

// ---------------------------------------------------------------------------------------
// Every backed-up claim is restorable, from its own repository
// ---------------------------------------------------------------------------------------

#[test]
fn real_backups_are_wired_to_their_restores() {
    let n = check_wiring(&real_manifests());
    assert!(n >= BACKUP_TABLE.len(), "{n} backups");
}

#[test]
fn synthetic_backups_are_wired_to_their_restores() {
    assert_eq!(check_wiring(&compile(synthetic())), 5);
    assert_eq!(
        check_wiring(&compile_on(&store_cluster(true), synthetic())),
        5
    );
}

#[test]
fn wiring_check_catches_a_shared_repository() {
    // The checker itself must be able to fail: two sources on one Secret.
    let mut m = compile(synthetic());
    for man in &mut m {
        if let portkey_compile::Object::ReplicationSource(rs) = &mut man.object
            && rs.metadata.name.as_deref() == Some("media-db")
        {
            rs.spec.restic.as_mut().unwrap().repository = "media-config-volsync-secret".into();
        }
    }
    let caught = std::panic::catch_unwind(|| check_wiring(&m));
    assert!(caught.is_err(), "a shared repository went unnoticed");
}

#[test]
fn repository_secrets_never_collide_across_apps() {
    // `notes` backs up two claims (Secrets `notes-data-volsync-secret`,
    // `notes-db-volsync-secret`); `notes-data` backs up one (`notes-data-volsync-secret`).
    let apps = vec![
        app("notes")
            .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily()))
            .volume(Volume::claim("db", "/db", Memory::gi(1)).backup(Backup::daily())),
        app("notes-data").volume(Volume::claim("x", "/x", Memory::gi(1)).backup(Backup::daily())),
    ];
    match portkey_model::resolve(&test_cluster(), apps) {
        // Refusing the model is fine, if it names the conflict.
        Err(e) => assert!(e.to_string().contains("notes-data-volsync-secret"), "{e}"),
        Ok(catalogue) => {
            check_wiring(&portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}")));
        }
    }
}

#[test]
fn claim_names_never_collide_across_apps() {
    let apps = vec![
        app("notes").volume(Volume::claim("data-x", "/x", Memory::gi(1)).backup(Backup::daily())),
        app("notes-data").volume(Volume::claim("x", "/x", Memory::gi(1)).backup(Backup::daily())),
    ];
    match portkey_model::resolve(&test_cluster(), apps) {
        Err(e) => assert!(e.to_string().contains("notes-data-x"), "{e}"),
        Ok(catalogue) => {
            check_wiring(&portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}")));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Critical apps
// ---------------------------------------------------------------------------------------

#[test]
fn real_critical_apps_are_retained_protected_and_backed_up() {
    let cluster = portkey::cluster::portkey();
    let apps = portkey::catalogue();
    assert!(
        apps.iter()
            .any(|a| a.name == "vaultwarden" && a.critical.is_some()),
        "the seed's password manager is critical"
    );
    let n = check_critical(&cluster, &apps, &real_manifests());
    assert!(n >= 1);
}

#[test]
fn synthetic_critical_app_is_retained_protected_and_backed_up() {
    let cluster = test_cluster();
    assert_eq!(
        check_critical(&cluster, &synthetic(), &compile(synthetic())),
        1
    );
}

// Critical without a Retain class or without a backup: tests/it/errors/catalogue.rs
// (`critical_app_on_delete_class`, `critical_app_without_backup`) checks both through
// `portkey::render`, naming app and field.

// ---------------------------------------------------------------------------------------
// Coverage rule
// ---------------------------------------------------------------------------------------

#[test]
fn claim_without_backup_or_exemption_fails_end_to_end() {
    let apps = vec![
        app("notes")
            .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily()))
            .volume(Volume::claim("index", "/index", Memory::gi(1))),
        app("wiki").volume(Volume::claim("uploads", "/uploads", Memory::gi(1))),
    ];
    let err = portkey::render(&test_cluster(), apps)
        .expect_err("a claim that is neither backed up nor exempt must not render");
    let shown = err.to_string();
    for (app, volume) in [("notes", "index"), ("wiki", "uploads")] {
        let line = shown
            .lines()
            .position(|l| l.contains(&format!("app `{app}`")))
            .unwrap_or_else(|| panic!("{app} not named:\n{shown}"));
        let text = shown
            .lines()
            .skip(line)
            .take(2)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains(&format!("apps/{app}.rs")), "{text}");
        assert!(
            text.contains(&format!("volumes[{volume}].backup")),
            "{text}"
        );
        assert!(
            text.contains(&format!("{app}-{volume}")),
            "names the claim: {text}"
        );
        assert!(text.contains("neither backed up nor exempt"), "{text}");
        assert!(
            text.contains("fix:")
                && text.contains(".backup(Backup::daily())")
                && text.contains(".no_backup("),
            "says how to fix it: {text}"
        );
    }
    assert!(shown.starts_with("2 problems in the model"), "{shown}");
    assert!(
        !shown.contains("volumes[data]"),
        "the backed-up claim is fine:\n{shown}"
    );
}

/// Compile only builds objects from the model's `ResolvedBackup`: every name, schedule, key
/// and trigger of the Volsync objects is the one the model resolved, with and without a
/// store.
#[test]
fn compiled_backups_are_the_resolved_ones() {
    for cluster in [test_cluster(), store_cluster(true)] {
        let catalogue = portkey_model::resolve(&cluster, synthetic())
            .unwrap_or_else(|e| panic!("resolving failed:\n{e}"));
        let m = portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"));
        let mut seen = 0;
        for (app, claim, backup) in catalogue.backups() {
            let ns = app.app.namespace.name();
            let what = format!("{ns}/{}", claim.name);
            let rs = find(&m, "ReplicationSource", ns, &claim.name)
                .unwrap_or_else(|| panic!("no ReplicationSource for {what}"));
            assert_eq!(
                rs["spec"]["trigger"]["schedule"],
                backup.cron.as_str(),
                "{what}"
            );
            assert_eq!(
                rs["spec"]["restic"]["repository"],
                backup.repository_secret.as_str(),
                "{what}"
            );
            let rd = find(&m, "ReplicationDestination", ns, &backup.destination)
                .unwrap_or_else(|| panic!("no ReplicationDestination for {what}"));
            assert_eq!(
                rd["spec"]["trigger"]["manual"], backup.restore_trigger,
                "{what}"
            );
            let pvc = find(&m, "PersistentVolumeClaim", ns, &claim.name)
                .unwrap_or_else(|| panic!("no claim {what}"));
            assert_eq!(
                pvc["spec"]["dataSourceRef"]["name"],
                backup.destination.as_str(),
                "{what}"
            );
            let es = find(&m, "ExternalSecret", ns, &backup.repository_secret);
            match (&backup.repository_url, es) {
                (Some(url), Some(es)) => {
                    let data = &es["spec"]["target"]["template"]["data"];
                    assert_eq!(data[backup.keys.repository], url.as_str(), "{what}");
                    assert!(data[backup.keys.password].is_string(), "{what}");
                }
                (None, None) => {}
                (url, es) => panic!("{what}: repository URL {url:?} but ExternalSecret {es:?}"),
            }
            seen += 1;
        }
        assert_eq!(seen, all(&m, "ReplicationSource").len());
        assert!(seen >= 4, "the synthetic catalogue backs up {seen} claims");
    }
}
