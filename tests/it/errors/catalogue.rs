//! Bad input across the catalogue and the inventory: names, namespaces, dependencies,
//! shares, classes, placement, schedules, images, limits, critical apps, backup coverage,
//! reserved names, and every problem of the catalogue reported at once.

use super::*;

#[test]
fn app_name_with_upper_case() {
    let e = expect(vec![app("Web")], "Web", "name", &["'W'"]);
    assert_eq!(e.file, "apps/Web.rs", "the error names the declaring file");
}

#[test]
fn app_name_with_underscore() {
    expect(vec![app("my_app")], "my_app", "name", &["'_'"]);
}

#[test]
fn app_name_too_long() {
    let name = "a".repeat(64);
    expect(vec![app(&name)], &name, "name", &["64", "63"]);
}

#[test]
fn app_name_boundaries_are_accepted() {
    // The longest valid name, and digits and dashes inside: no false positives.
    let name = format!("a{}", "-9".repeat(31));
    assert_eq!(name.len(), 63);
    let tree = render(vec![app(&name)]);
    assert!(tree.contains_key(&format!("lab/{name}/deployment-{name}.yaml")));
}

#[test]
fn invalid_namespace() {
    let bad = App::new("web", Namespace::new("Media"))
        .source("apps/web.rs")
        .image(IMAGE);
    expect(vec![bad], "web", "namespace", &["Media"]);
    let bad = App::new("web", Namespace::new("home_lab")).image(IMAGE);
    expect(vec![bad], "web", "namespace", &["home_lab"]);
}

#[test]
fn unknown_dependency() {
    expect(
        vec![app("web").depends_on("ghost")],
        "web",
        "depends_on",
        &["ghost"],
    );
    let e = expect(
        vec![app("web").waits_for("ghost")],
        "web",
        "waits_for",
        &["ghost"],
    );
    assert!(!e.fix.contains("did you mean"), "{e:#?}");
}

#[test]
fn waits_for_typo_is_reported_as_waits_for_with_the_nearest_name() {
    let e = expect(
        vec![app("web").waits_for("postgress"), app("postgres")],
        "web",
        "waits_for",
        &["postgress"],
    );
    assert!(e.fix.contains("did you mean `postgres`?"), "{e:#?}");
}

#[test]
fn duplicate_app() {
    let e = expect(
        vec![app("web"), app("web").source("apps/web-copy.rs")],
        "web",
        "name",
        &["duplicate", "apps/web.rs"],
    );
    assert_eq!(
        e.file, "apps/web-copy.rs",
        "the second declaration is the one at fault"
    );
}

#[test]
fn missing_nfs_share() {
    let bad = app("library").volume(Volume::nfs("media", "/media", MISSING_SHARE));
    // Names the unknown share and the ones that exist.
    expect(
        vec![bad],
        "library",
        "volumes[media].share",
        &["missing-share", "media"],
    );
}

#[test]
fn unknown_storage_class() {
    let bad = app("notes").volume(
        Volume::claim("data", "/data", Memory::gi(1))
            .class(NO_SUCH_CLASS)
            .no_backup("test"),
    );
    expect(
        vec![bad],
        "notes",
        "volumes[data].class",
        &["no-such-class", "fast-rwo", "keep-rwo"],
    );
}

#[test]
fn gpu_no_node_has() {
    expect(
        vec![app("miner").gpu(GpuVendor::Amd)],
        "miner",
        "gpu",
        &["AMD", "Intel GPU on node-b"],
    );
}

#[test]
fn device_not_in_inventory() {
    expect(
        vec![app("zigbee").needs(MISSING_DEVICE)],
        "zigbee",
        "needs(missing-device)",
        &["missing-device"],
    );
}

#[test]
fn pin_to_unknown_node() {
    expect(
        vec![app("web").pin(&[NODE_GHOST], "close to the disk")],
        "web",
        "pin",
        &["node-ghost"],
    );
}

#[test]
fn unsatisfiable_placement_gpu_and_pin() {
    expect(
        vec![
            app("transcoder")
                .gpu(GpuVendor::Intel)
                .pin(&[NODE_A], "fast disk"),
        ],
        "transcoder",
        "placement",
        &["GPU", "pinned"],
    );
}

#[test]
fn unsatisfiable_placement_gpu_and_device() {
    // The GPU is on node-b, the dongle on node-c.
    expect(
        vec![app("frigate").gpu(GpuVendor::Intel).needs(DONGLE)],
        "frigate",
        "placement",
        &["GPU", "usb-dongle", "node-c"],
    );
}

#[test]
fn malformed_cron_schedule() {
    let bad = app("notes")
        .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron("0 3 * *")));
    expect(
        vec![bad],
        "notes",
        "volumes[data].backup.schedule",
        &["0 3 * *", "5"],
    );
    let bad = app("notes")
        .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron("0 25 * * *")));
    expect(
        vec![bad],
        "notes",
        "volumes[data].backup.schedule",
        &["hour", "25"],
    );
}

#[test]
fn image_without_tag() {
    expect(
        vec![app("web").image("docker.io/library/nginx")],
        "web",
        "image",
        &["docker.io/library/nginx", "tag"],
    );
    // A registry port is not a tag.
    expect(
        vec![app("web").image("registry.lan:5000/nginx")],
        "web",
        "image",
        &["tag"],
    );
    // No image at all.
    let bare = App::new("web", LAB).port(Port::http(80));
    expect(vec![bare], "web", "image", &["tag"]);
}

#[test]
fn memory_limit_below_request() {
    let bad = app("web")
        .requests(Cpu::m(100), Memory::gi(1))
        .memory_limit(Memory::mi(256));
    expect(vec![bad], "web", "memory_limit", &["256Mi", "1Gi"]);
    // Against the cluster default limit (512Mi) when only the request is raised.
    let bad = app("web").requests(Cpu::m(100), Memory::gi(1));
    expect(vec![bad], "web", "memory_limit", &["512Mi", "1Gi"]);
}

#[test]
fn critical_app_on_delete_class() {
    let bad = app("vault")
        .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::every_6_hours()))
        .critical("passwords");
    expect(
        vec![bad],
        "vault",
        "volumes[data].class",
        &["fast-rwo", "Delete"],
    );
}

#[test]
fn critical_app_without_backup() {
    let bad = app("vault")
        .volume(
            Volume::claim("data", "/data", Memory::gi(1))
                .class(KEEP)
                .no_backup("trust me"),
        )
        .critical("passwords");
    expect(
        vec![bad],
        "vault",
        "volumes[data].backup",
        &["not backed up"],
    );
    let undeclared = app("vault")
        .volume(Volume::claim("data", "/data", Memory::gi(1)).class(KEEP))
        .critical("passwords");
    expect(
        vec![undeclared],
        "vault",
        "volumes[data].backup",
        &["neither backed up nor exempt"],
    );
}

#[test]
fn claim_without_backup_or_exemption() {
    // The backup-coverage rule: every claim is backed up or exempt with a reason.
    let bad = app("notes").volume(Volume::claim("db", "/db", Memory::gi(1)));
    let e = expect(
        vec![bad],
        "notes",
        "volumes[db].backup",
        &["notes-db", "neither backed up nor exempt"],
    );
    assert!(
        e.fix.contains(".backup(") && e.fix.contains(".no_backup("),
        "{e:#?}"
    );
    let empty_reason =
        app("notes").volume(Volume::claim("db", "/db", Memory::gi(1)).no_backup(" "));
    expect(
        vec![empty_reason],
        "notes",
        "volumes[db].backup",
        &["without a reason"],
    );
}

#[test]
fn all_problems_of_all_apps_are_reported_at_once() {
    let apps = vec![
        app("alpha")
            .image("nginx")
            .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron("0 3 * *"))),
        app("good"),
        app("beta").depends_on("ghost").gpu(GpuVendor::Amd),
        app("Gamma"),
    ];
    let all = problems(apps.clone());
    let found: Vec<(&str, &str)> = all
        .iter()
        .map(|e| (e.app.as_str(), e.field.as_str()))
        .collect();
    let expected = [
        ("alpha", "image"),
        ("alpha", "volumes[data].backup.schedule"),
        ("beta", "gpu"),
        ("beta", "depends_on"),
        ("Gamma", "name"),
    ];
    for want in expected {
        assert!(found.contains(&want), "missing {want:?} in {found:?}");
    }
    assert_eq!(
        all.len(),
        expected.len(),
        "no other, no repeated problems: {all:#?}"
    );
    assert!(
        all.iter().all(|e| e.app != "good"),
        "the valid app has no problem"
    );

    let cluster = test_cluster();
    let shown = portkey::render(&cluster, apps).unwrap_err().to_string();
    assert!(shown.starts_with("5 problems in the model"), "{shown}");
    for e in &all {
        assert!(shown.contains(&e.to_string()), "{e} not in:\n{shown}");
    }
}

#[test]
fn reserved_argocd_application_names_are_rejected_cluster() {
    // `portkey-cluster` is the Application that syncs generated/cluster.
    let cluster = test_cluster();
    let err = portkey::render(&cluster, vec![app("portkey-cluster")])
        .expect_err("an app may not take the cluster Application's name");
    assert!(err.to_string().contains("portkey-cluster"), "{err}");
}

#[test]
fn reserved_argocd_application_names_are_rejected_root() {
    expect(
        vec![app("portkey-root")],
        "portkey-root",
        "name",
        &["portkey-root"],
    );
}

#[test]
fn waits_for_cycle_is_rejected() {
    let apps = vec![app("a").waits_for("b"), app("b").waits_for("a")];
    let all = problems(apps);
    assert!(
        all.iter().any(|e| e.field == "depends_on"
            && e.problem.contains("cycle")
            && e.problem.contains("a → b → a")),
        "{all:#?}"
    );
}

#[test]
fn waits_for_udp_port_is_rejected() {
    let dns = App::new("dns", LAB).image(IMAGE).port(Port::udp("dns", 53));
    expect(
        vec![app("web").waits_for("dns"), dns],
        "web",
        "waits_for",
        &["dns", "UDP"],
    );
}

#[test]
fn duplicate_host_is_reported_on_the_app_that_added_it() {
    let e = expect(
        vec![app("blog").https("web"), app("wiki").https("web")],
        "wiki",
        "https",
        &["host `web`", "app `blog`"],
    );
    assert!(e.fix.contains("choose another host for `wiki`"), "{e:#?}");
    // The app that had the host first is not blamed.
    assert!(
        problems(vec![app("blog").https("web"), app("wiki").https("web")])
            .iter()
            .all(|p| p.app != "blog"),
    );
}

#[test]
fn app_named_like_a_release_is_reported_on_the_app() {
    let mut apps = portkey::catalogue();
    apps.push(
        App::new("traefik", Namespace::new("web"))
            .source("apps/traefik.rs")
            .image(IMAGE)
            .port(Port::http(80)),
    );
    let err = portkey::build_with(&portkey::cluster::portkey(), apps, portkey::charts())
        .expect_err("an app named like a release");
    let portkey::Error::Model(all) = &err else {
        panic!("expected model errors: {err}")
    };
    let e = find_problem(
        &all.0,
        "traefik",
        "name",
        &["chart release declared in apps/infra/traefik.rs"],
    );
    assert_eq!(e.file, "apps/traefik.rs", "{e:#?}");
    assert!(e.fix.contains("rename the app"), "{e:#?}");
    assert!(
        all.0.iter().all(|p| p.file != "apps/infra/traefik.rs"),
        "{all:#?}"
    );
}

/// One mistake per stage (the model, placement, a lint) in one run: every one is reported,
/// as the README promises, and nothing is written.
#[test]
fn model_placement_and_lint_problems_are_reported_together() {
    let apps = vec![
        // The model: an invalid variable name.
        app("typo").env("1X", "v"),
        // Placement: bigger than any node.
        app("huge")
            .requests(Cpu::cores(64), Memory::gi(1))
            .memory_limit(Memory::gi(2)),
        // A lint: a tag without a digest.
        app("undigested").image("docker.io/library/nginx:1.27.0"),
        app("fine"),
    ];
    let err = portkey::render(&test_cluster(), apps).expect_err("three mistakes");
    let portkey::Error::Both(model, invalid) = &err else {
        panic!("expected model and object problems together, got: {err}")
    };
    assert!(
        model
            .0
            .iter()
            .any(|e| e.app == "typo" && e.field == "env[1X]"),
        "{model:#?}"
    );
    assert!(
        model
            .0
            .iter()
            .any(|e| e.app == "huge" && e.field == "requests"),
        "{model:#?}"
    );
    assert!(
        invalid
            .iter()
            .any(|p| p.to_string().contains("[image-digest]")
                && p.to_string().contains("undigested")),
        "{invalid:#?}"
    );
    let text = err.to_string();
    for needle in ["typo", "huge", "undigested"] {
        assert!(text.contains(needle), "{needle} is not in:\n{text}");
    }
    assert!(!text.contains("apps/fine.rs"), "{text}");
}

#[test]
fn retain_class_without_a_delete_sibling_for_volsync_s_temporary_claims() {
    // The inventory's only Delete class is of another provisioner: Volsync's temporary
    // claims for a backed-up claim on the Retain class would each leave a Released volume.
    let mut cluster = test_cluster();
    for class in &mut cluster.storage_classes {
        if class.name == FAST.name() {
            class.provisioner = "nfs.csi.example.com".into();
        }
    }
    let vault = app("vault").volume(
        Volume::claim("data", "/data", Memory::gi(1))
            .class(KEEP)
            .backup(Backup::every_6_hours()),
    );
    let errors = portkey::portkey_model::resolve(&cluster, vec![vault])
        .map(|_| ())
        .expect_err("a Retain claim's temporary claims need a Delete class");
    let e = errors
        .0
        .iter()
        .find(|e| e.field == "volumes[data].backup")
        .unwrap_or_else(|| panic!("{errors}"));
    assert_eq!(e.app, "vault");
    assert!(
        e.problem.contains("keep-rwo") && e.problem.contains("Released"),
        "{e}"
    );
    assert!(
        e.fix.contains("rbd.csi.example.com") && e.fix.contains("Reclaim::Delete"),
        "{e}"
    );
}
