//! More bad input: names, ports, mounts, exposure, probes, claims, reasons, config files,
//! secret files, background jobs, secret references, dependencies. Each problem names the app and the field (`expect`).

use super::*;

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

#[test]
fn restore_again_with_a_tag_that_changes_nothing() {
    for tag in ["once", " "] {
        expect(
            vec![
                app("notes").volume(
                    Volume::claim("data", "/data", Memory::gi(1))
                        .backup(Backup::daily().restore_again(tag)),
                ),
            ],
            "notes",
            "volumes[data].backup.restore_again",
            &["restore-once", "run again"],
        );
    }
}

#[test]
fn secret_file_mounted_over_a_volume() {
    use portkey::portkey_model::app::secret;
    // app() mounts the default scratch volume at /tmp.
    expect(
        vec![app("web").secret_file("/tmp", secret("web-auth", "passwords"))],
        "web",
        "secret_file[/tmp]",
        &["already mounted"],
    );
}

#[test]
fn secret_file_with_a_bad_key_or_path() {
    use portkey::portkey_model::app::secret;
    expect(
        vec![app("web").secret_file("/etc/pw", secret("web-auth", "pass words"))],
        "web",
        "secret_file[/etc/pw]",
        &["pass words"],
    );
    expect(
        vec![app("web").secret_file("etc/pw", secret("web-auth", "pw"))],
        "web",
        "secret_file[etc/pw]",
        &["absolute"],
    );
}

#[test]
fn background_job_named_like_the_app() {
    use portkey::portkey_model::app::BackgroundJob;
    expect(
        vec![app("web").background_job(BackgroundJob::every("web", 60, &["true"]))],
        "web",
        "background_job[web]",
        &["already has a container named web"],
    );
}

#[test]
fn background_job_busy_loop_without_command_as_root() {
    use portkey::portkey_model::app::BackgroundJob;
    let job = |j: BackgroundJob| vec![app("web").background_job(j)];
    expect(
        job(BackgroundJob::every("cron", 0, &["true"])),
        "web",
        "background_job[cron]",
        &["0 seconds"],
    );
    expect(
        job(BackgroundJob::every("cron", 60, &[])),
        "web",
        "background_job[cron]",
        &["no command"],
    );
    expect(
        job(BackgroundJob::every("cron", 60, &["true"]).run_as(0, 0)),
        "web",
        "background_job[cron]",
        &["non-root"],
    );
}
