//! Bad input: every problem names the app and the field at fault and says how to fix it,
//! and every problem of the catalogue is reported at once.

mod common;

use common::*;
use portkey::portkey_model::ModelError;
use portkey::portkey_model::app::{App, Namespace, Port, Volume};
use portkey::portkey_model::backup::Backup;
use portkey::portkey_model::cluster::GpuVendor;
use portkey::portkey_model::quantity::{Cpu, Memory};

/// Renders `apps` expecting a model error on `app`'s `field` whose problem mentions every
/// string of `mentions`. Checks the structured error and what the user reads.
fn expect(apps: Vec<App>, app: &str, field: &str, mentions: &[&str]) -> ModelError {
    let e = find_problem(&problems(apps.clone()), app, field, mentions);
    let shown = e.to_string();

    // The top-level pipeline reports the same message, and writes nothing.
    let cluster = test_cluster();
    let err = portkey::render(&cluster, apps).expect_err("the pipeline must refuse bad input");
    let top = err.to_string();
    assert!(
        top.contains(&shown),
        "pipeline error does not include {shown:?}:\n{top}"
    );
    e
}

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
    expect(
        vec![app("web").waits_for("ghost")],
        "web",
        "depends_on",
        &["ghost"],
    );
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

// ---------------------------------------------------------------------------------------
// More bad input: names, ports, mounts, exposure, probes, claims, reasons, config files,
// secret references, dependencies. Each problem names the app and the field (`expect`).

#[test]
fn env_var_name_invalid() {
    expect(vec![app("web").env("1X", "v")], "web", "env[1X]", &["'1'"]);
    expect(
        vec![app("web").env("A B", "v")],
        "web",
        "env[A B]",
        &["' '"],
    );
    expect(vec![app("web").env("", "v")], "web", "env[]", &["empty"]);
}

#[test]
fn env_var_set_twice() {
    expect(
        vec![app("web").env("MODE", "a").env("MODE", "b")],
        "web",
        "env[MODE]",
        &["twice"],
    );
}

#[test]
fn duplicate_port_number() {
    // app() already declares `http` on 8080.
    expect(
        vec![app("web").port(Port::tcp("alt", 8080))],
        "web",
        "ports[alt]",
        &["8080", "repeated"],
    );
}

#[test]
fn duplicate_port_name() {
    expect(
        vec![app("web").port(Port::http(9090))],
        "web",
        "ports[http]",
        &["duplicate port name"],
    );
}

#[test]
fn port_name_too_long() {
    // Kubernetes allows 15 characters in a port name; this one has 16.
    expect(
        vec![app("web").port(Port::tcp("metrics-exporter", 9100))],
        "web",
        "ports[metrics-exporter]",
        &["16", "15"],
    );
}

#[test]
fn port_zero() {
    expect(
        vec![app("web").port(Port::tcp("zero", 0))],
        "web",
        "ports[zero]",
        &["port 0"],
    );
}

#[test]
fn mount_path_relative() {
    expect(
        vec![app("web").volume(Volume::scratch("cache", "cache"))],
        "web",
        "volumes[cache]",
        &["\"cache\"", "absolute"],
    );
    expect(
        vec![app("web").volume(Volume::scratch("cache", "/var/../etc"))],
        "web",
        "volumes[cache]",
        &["'..'"],
    );
}

#[test]
fn duplicate_mount_path() {
    // The default `/tmp` scratch volume counts; a trailing '/' is the same path.
    expect(
        vec![app("web").volume(Volume::scratch("scratch", "/tmp/"))],
        "web",
        "volumes[scratch]",
        &["/tmp", "twice"],
    );
}

#[test]
fn duplicate_volume_name() {
    expect(
        vec![
            app("web")
                .volume(Volume::scratch("cache", "/cache"))
                .volume(Volume::scratch("cache", "/cache2")),
        ],
        "web",
        "volumes[cache]",
        &["duplicate volume name"],
    );
}

#[test]
fn https_host_with_a_dot() {
    // The host is one label; the cluster domain is appended.
    expect(
        vec![app("web").https("web.lab")],
        "web",
        "https",
        &["web.lab", "'.'"],
    );
}

#[test]
fn https_without_a_port() {
    let bare = App::new("web", LAB).image(IMAGE).https("web");
    expect(vec![bare], "web", "https", &["no port"]);
}

#[test]
fn ingress_annotation_before_https() {
    expect(
        vec![
            app("web")
                .ingress_annotation("example.com/body-size", "0")
                .https("web"),
        ],
        "web",
        "ingress_annotation",
        &["before", "https"],
    );
}

#[test]
fn probe_path_without_slash() {
    use portkey::portkey_model::app::Probe;
    expect(
        vec![app("web").probe(Probe::http("health"))],
        "web",
        "probe",
        &["\"health\"", "'/'"],
    );
}

#[test]
fn probe_without_a_port() {
    use portkey::portkey_model::app::Probe;
    let bare = App::new("web", LAB)
        .image(IMAGE)
        .probe(Probe::http("/health"));
    expect(vec![bare], "web", "probe", &["no port"]);
}

#[test]
fn zero_size_claim() {
    expect(
        vec![app("notes").volume(Volume::claim("data", "/data", Memory::mi(0)).no_backup("cache"))],
        "notes",
        "volumes[data].size",
        &["zero"],
    );
}

#[test]
fn claim_name_too_long() {
    let volume = "v".repeat(40);
    let name = "a".repeat(30);
    expect(
        vec![app(&name).volume(Volume::claim(&volume, "/data", Memory::gi(1)).no_backup("cache"))],
        &name,
        &format!("volumes[{volume}]"),
        &["longer than 63"],
    );
}

#[test]
fn access_mode_the_class_does_not_support() {
    use portkey::portkey_model::cluster::AccessMode;
    expect(
        vec![
            app("notes").volume(
                Volume::claim("data", "/data", Memory::gi(1))
                    .access(AccessMode::ReadWriteMany)
                    .no_backup("cache"),
            ),
        ],
        "notes",
        "volumes[data].access",
        &["fast-rwo", "ReadWriteMany"],
    );
}

#[test]
fn critical_with_empty_reason() {
    let bad = app("vault")
        .volume(
            Volume::claim("data", "/data", Memory::gi(1))
                .class(KEEP)
                .backup(Backup::every_6_hours()),
        )
        .critical("  ");
    expect(vec![bad], "vault", "critical", &["without a reason"]);
}

#[test]
fn pin_with_empty_reason() {
    expect(
        vec![app("web").pin(&[NODE_A], "")],
        "web",
        "pin",
        &["without a reason"],
    );
}

#[test]
fn pin_to_no_node() {
    expect(
        vec![app("web").pin(&[], "nowhere")],
        "web",
        "pin",
        &["no node"],
    );
}

#[test]
fn exception_with_empty_reason() {
    use portkey::portkey_model::app::Exception;
    expect(
        vec![app("web").allow(Exception::RunAsRoot, "")],
        "web",
        "allow(run-as-root)",
        &["without a reason"],
    );
    expect(
        vec![app("web").allow(Exception::Capability("NET_ADMIN".into()), " ")],
        "web",
        "allow(capability-net_admin)",
        &["without a reason"],
    );
}

#[test]
fn duplicate_config_file_names() {
    // Both files would be the ConfigMap key `app.conf`.
    expect(
        vec![
            app("web")
                .config_file("/etc/a/app.conf", "a = 1\n")
                .config_file("/etc/b/app.conf", "b = 2\n"),
        ],
        "web",
        "config_file",
        &["app.conf", "twice"],
    );
}

#[test]
fn config_file_relative_path() {
    expect(
        vec![app("web").config_file("etc/app.conf", "a = 1\n")],
        "web",
        "config_file",
        &["etc/app.conf", "absolute"],
    );
}

#[test]
fn secret_ref_with_invalid_name() {
    use portkey::portkey_model::app::secret;
    expect(
        vec![app("web").env_secret("TOKEN", secret("Bad_Secret", "KEY"))],
        "web",
        "env[TOKEN]",
        &["Bad_Secret"],
    );
}

#[test]
fn secret_ref_with_empty_key() {
    use portkey::portkey_model::app::secret;
    expect(
        vec![app("web").env_secret("TOKEN", secret("web-secret", ""))],
        "web",
        "env[TOKEN]",
        &["key is empty"],
    );
}

#[test]
fn dependency_on_itself() {
    expect(
        vec![app("web").depends_on("web")],
        "web",
        "depends_on",
        &["itself"],
    );
}

#[test]
fn waits_for_an_app_without_a_port() {
    let worker = App::new("worker", LAB).image(IMAGE);
    expect(
        vec![app("web").waits_for("worker"), worker],
        "web",
        "waits_for",
        &["worker", "no port"],
    );
}

#[test]
fn reserved_name_portkey_cluster_names_the_field() {
    // Stricter than `reserved_argocd_application_names_are_rejected_cluster`: the problem is
    // on the app's `name`, says why and how to fix it.
    expect(
        vec![app("portkey-cluster")],
        "portkey-cluster",
        "name",
        &["reserved", "portkey-cluster"],
    );
}

#[test]
fn nfs_sub_path_absolute() {
    expect(
        vec![app("library").volume(Volume::nfs("media", "/media", MEDIA_SHARE).sub_path("/music"))],
        "library",
        "volumes[media].sub_path",
        &["/music", "relative"],
    );
}

#[test]
fn app_in_a_reserved_namespace_is_rejected() {
    for ns in ["default", "infrastructure", "cluster", "kube-system"] {
        let bad = portkey::portkey_model::app::App::new("web", Namespace::new(ns)).image(IMAGE);
        expect(vec![bad], "web", "namespace", &["reserved", ns]);
    }
}

#[test]
fn lan_service_name_clashing_with_an_app_is_rejected() {
    let apps = vec![
        app("web").port(Port::tcp("peer", 6881).lan()),
        app("web-lan"),
    ];
    expect(apps, "web", "ports", &["web-lan"]);
}

#[test]
fn host_header_on_a_tcp_probe_is_rejected() {
    use portkey::portkey_model::app::Probe;
    expect(
        vec![app("web").probe(Probe::tcp().host("web.example.org"))],
        "web",
        "probe",
        &["Host header"],
    );
}
