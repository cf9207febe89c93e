//! Mistakes that used to pass silently: zero requests, a CPU limit below its request, IDs
//! the API server rejects, root without the exception, floating tags, claims larger than
//! their storage, overflowing quantities, keys the API server rejects, inventory paths.
//! Each names the app and the field, and all of them are reported at once.

use super::*;
use portkey::portkey_model::app::{Exception, Lint, secret};

/// `image` with another tag (the test image is pinned by digest).
fn tagged(tag: &str) -> String {
    let repository = IMAGE.split(':').next().expect("the test image has a tag");
    format!("{repository}:{tag}")
}

#[test]
fn zero_requests() {
    expect(
        vec![app("web").requests(Cpu::m(0), Memory::mi(64))],
        "web",
        "requests",
        &["CPU request is zero"],
    );
    expect(
        vec![app("web").requests(Cpu::m(10), Memory::mi(0))],
        "web",
        "requests",
        &["memory request is zero"],
    );
}

#[test]
fn cpu_limit_below_request() {
    expect(
        vec![
            app("web")
                .requests(Cpu::m(500), Memory::mi(64))
                .cpu_limit(Cpu::m(200)),
        ],
        "web",
        "cpu_limit",
        &["200m", "below the request 500m"],
    );
}

#[test]
fn negative_and_out_of_range_ids() {
    expect(
        vec![app("web").run_as(-1, 1000)],
        "web",
        "run_as",
        &["UID -1"],
    );
    expect(
        vec![app("web").run_as(1000, 2_147_483_648)],
        "web",
        "run_as",
        &["GID 2147483648"],
    );
    expect(
        vec![app("web").supplemental_groups(&[-5])],
        "web",
        "supplemental_groups",
        &["group -5"],
    );
}

#[test]
fn run_as_root_without_the_exception() {
    expect(
        vec![app("web").run_as(0, 0)],
        "web",
        "run_as",
        &["UID 0", "runAsNonRoot"],
    );
    // With the exception declared it renders, and the pod says so.
    let tree = render(vec![
        app("web")
            .run_as(0, 0)
            .allow(Exception::RunAsRoot, "s6-overlay starts as root"),
    ]);
    let deployment = tree
        .iter()
        .find(|(k, _)| k.ends_with("deployment-web.yaml"))
        .map(|(_, v)| v)
        .expect("a deployment");
    assert!(deployment.contains("runAsNonRoot: false"), "{deployment}");
}

#[test]
fn floating_tags_are_refused_even_with_the_digest_lint_suppressed() {
    for tag in ["latest", "main", "stable", "edge", "Nightly"] {
        let e = expect(
            vec![
                app("web")
                    .image(&tagged(tag))
                    .allow_lint(Lint::ImageDigest, "pinned by tag on purpose"),
            ],
            "web",
            "image",
            &[&format!("tag `{tag}`"), "floats"],
        );
        assert!(e.fix.contains("release tag"), "{e:#?}");
    }
    // A release tag is fine.
    render(vec![
        app("web")
            .image(&tagged("1.2.3"))
            .allow_lint(Lint::ImageDigest, "test"),
    ]);
}

#[test]
fn floating_inventory_image() {
    let mut cluster = test_cluster();
    cluster.defaults.wait_image = "docker.io/library/busybox:latest".into();
    let err = portkey::render(&cluster, vec![app("web")]).expect_err("a floating wait image");
    let text = err.to_string();
    assert!(text.contains("defaults.wait_image"), "{text}");
    assert!(text.contains("`latest` floats"), "{text}");
}

#[test]
fn claim_larger_than_its_storage() {
    // The test classes declare 1Ti.
    expect(
        vec![app("web").volume(Volume::claim("data", "/data", Memory::ti(2)).no_backup("test"))],
        "web",
        "volumes[data].size",
        &["2Ti", "1Ti", "never bind"],
    );
}

#[test]
fn overflowing_quantities_are_errors_not_panics() {
    // Memory::ti(2^60) saturates instead of wrapping; resolution reports it.
    expect(
        vec![app("web").memory_limit(Memory::ti(1 << 60))],
        "web",
        "memory_limit",
        &["larger than Kubernetes can store"],
    );
    expect(
        vec![app("web").requests(Cpu::cores(u64::MAX), Memory::mi(64))],
        "web",
        "requests",
        &["larger than Kubernetes can store"],
    );
    expect(
        vec![
            app("web")
                .volume(Volume::claim("data", "/data", Memory::ti(u64::MAX)).no_backup("test")),
        ],
        "web",
        "volumes[data].size",
        &["larger than Kubernetes can store"],
    );
}

#[test]
fn secret_key_the_api_server_rejects() {
    expect(
        vec![app("web").env_secret("TOKEN", secret("web", "api token"))],
        "web",
        "env[TOKEN]",
        &["\"api token\"", "' '"],
    );
}

#[test]
fn annotation_keys_the_api_server_rejects() {
    expect(
        vec![app("web").annotation("Example.com/x", "v")],
        "web",
        "annotation[Example.com/x]",
        &["prefix"],
    );
    expect(
        vec![app("web").annotation("example.com/-x", "v")],
        "web",
        "annotation[example.com/-x]",
        &["start and end"],
    );
    expect(
        vec![app("web").https("web").ingress_annotation("a b", "v")],
        "web",
        "ingress_annotation[a b]",
        &["' '"],
    );
    let big = "x".repeat(256 * 1024);
    expect(
        vec![app("web").annotation("example.com/big", &big)],
        "web",
        "annotation",
        &["262144"],
    );
}

#[test]
fn empty_or_relative_nfs_path_in_the_inventory() {
    for path in ["", "nfs/media"] {
        let mut cluster = test_cluster();
        cluster.nfs_shares[0].path = path.into();
        let err = portkey::render(&cluster, vec![app("web")]).expect_err("a bad NFS path");
        let text = err.to_string();
        assert!(text.contains(".path"), "{text}");
        assert!(text.contains("absolute"), "{text}");
    }
}

/// The acceptance case: one app with five mistakes gets one message per mistake,
/// each naming the app and the field, in one run.
#[test]
fn one_app_with_five_mistakes_gets_five_messages() {
    let bad = app("web")
        .image(&tagged("latest"))
        .requests(Cpu::m(500), Memory::mi(64))
        .cpu_limit(Cpu::m(100))
        .run_as(-1, -1)
        .env_secret("TOKEN", secret("web", "bad key!"))
        .annotation("bad key", "v");
    let all = problems(vec![bad.clone()]);
    for (field, mention) in [
        ("image", "floats"),
        ("cpu_limit", "below the request"),
        ("run_as", "UID -1"),
        ("run_as", "GID -1"),
        ("env[TOKEN]", "bad key!"),
        ("annotation[bad key]", "' '"),
    ] {
        assert!(
            all.iter()
                .any(|e| e.app == "web" && e.field == field && e.problem.contains(mention)),
            "no {field} problem mentioning {mention:?}: {all:#?}"
        );
    }
    let err = portkey::render(&test_cluster(), vec![bad]).expect_err("five mistakes");
    let text = err.to_string();
    for e in &all {
        assert!(text.contains(&e.to_string()), "{e} is not in:\n{text}");
    }
}

#[test]
fn retention_that_keeps_nothing() {
    use portkey::portkey_model::backup::Retention;
    expect(
        vec![
            app("web").volume(
                Volume::claim("data", "/data", Memory::gi(1))
                    .backup(Backup::daily().retain(Retention::days(0))),
            ),
        ],
        "web",
        "volumes[data].backup.retention",
        &["keeps no snapshot"],
    );
}

#[test]
fn a_backup_on_a_cron_macro_warns_and_offers_the_spread_schedule() {
    let plan =
        portkey::plan(
            &test_cluster(),
            vec![app("web").volume(
                Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::cron("@daily")),
            )],
        )
        .unwrap_or_else(|e| panic!("a macro is valid: {e}"));
    let w = plan
        .warnings
        .iter()
        .find(|w| w.contains("@daily"))
        .unwrap_or_else(|| panic!("no warning: {:#?}", plan.warnings));
    assert!(
        w.contains("web") && w.contains("volumes[data].backup.schedule"),
        "{w}"
    );
    assert!(w.contains("Backup::daily()"), "{w}");
    // The spread schedule does not warn.
    let plan = portkey::plan(
        &test_cluster(),
        vec![
            app("web")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily())),
        ],
    )
    .unwrap();
    assert!(
        plan.warnings.iter().all(|w| !w.contains("macro")),
        "{:#?}",
        plan.warnings
    );
}

#[test]
fn an_app_alone_in_an_undeclared_namespace_warns_naming_the_declared_ones() {
    let mut apps = portkey::catalogue();
    apps.push(
        App::new("radar", Namespace::new("medai"))
            .source("apps/radar.rs")
            .image(IMAGE)
            .port(Port::http(8080)),
    );
    let plan = portkey::plan(&portkey::cluster::portkey(), apps).unwrap_or_else(|e| panic!("{e}"));
    let w = plan
        .warnings
        .iter()
        .find(|w| w.contains("`medai`"))
        .unwrap_or_else(|| panic!("no warning: {:#?}", plan.warnings));
    assert!(w.contains("radar") && w.contains("media, "), "{w}");
    // The real catalogue's namespaces are all declared.
    let real = portkey::plan(&portkey::cluster::portkey(), portkey::catalogue()).unwrap();
    assert!(
        real.warnings
            .iter()
            .all(|w| !w.contains("no inventory constant")),
        "{:#?}",
        real.warnings
    );
}
