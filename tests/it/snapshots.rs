//! Exact rendered output of small synthetic apps, one feature per test.
//!
//! Each snapshot is the concatenation of the files of one app directory (a `=== path` line,
//! then the file), so it reads as a review artifact. Every test also asserts the facts the
//! feature is about on the typed objects, so accepting a wrong snapshot still fails.

use crate::common::*;
use portkey::portkey_model::app::{App, Port, Volume};
use portkey::portkey_model::backup::Backup;
use portkey::portkey_model::cluster::GpuVendor;
use portkey::portkey_model::quantity::Memory;
use serde_json::{Value, json};

fn volume<'v>(workload: &'v Value, name: &str) -> &'v Value {
    workload["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .expect("pod volumes")
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no pod volume {name} in {workload:#}"))
}

fn mount<'v>(container: &'v Value, mount_path: &str) -> &'v Value {
    container["volumeMounts"]
        .as_array()
        .expect("volume mounts")
        .iter()
        .find(|m| m["mountPath"] == mount_path)
        .unwrap_or_else(|| panic!("no mount at {mount_path} in {container:#}"))
}

#[test]
fn minimal_app() {
    let apps = || vec![app("hello")];
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "hello"));

    let m = compile(apps());
    let d = object(&m, "Deployment", "hello");
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 1000);
    assert_eq!(pod["automountServiceAccountToken"], false);
    let c = main_container(&d);
    assert_eq!(c["image"], IMAGE);
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(c["securityContext"]["capabilities"]["drop"], json!(["ALL"]));
    assert_eq!(
        c["resources"]["requests"],
        json!({"cpu": "10m", "memory": "128Mi"})
    );
    assert_eq!(c["resources"]["limits"], json!({"memory": "512Mi"}));
    // Default probes: TCP on the primary port.
    assert_eq!(c["livenessProbe"]["tcpSocket"]["port"], "http");
    assert!(
        affinity_nodes(&d).is_none(),
        "an unconstrained app has no node affinity"
    );
    let svc = object(&m, "Service", "hello");
    assert_eq!(svc["spec"]["ports"][0]["port"], 8080);
    assert_eq!(svc["spec"]["selector"]["app.kubernetes.io/name"], "hello");
}

#[test]
fn gpu() {
    let apps = || vec![app("transcoder").gpu(GpuVendor::Intel)];
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "transcoder"));

    let m = compile(apps());
    let d = object(&m, "Deployment", "transcoder");
    let res = &main_container(&d)["resources"];
    assert_eq!(res["limits"][GPU_RESOURCE], "1", "GPU limit: {res:#}");
    assert_eq!(
        affinity_nodes(&d).as_deref(),
        Some(&["node-b".to_string()][..]),
        "only the GPU node"
    );
    let groups = &d["spec"]["template"]["spec"]["securityContext"]["supplementalGroups"];
    assert_eq!(*groups, json!([RENDER_GID]), "render group of the GPU node");
}

#[test]
fn device_pinning() {
    let apps = || vec![app("zigbee").needs(DONGLE)];
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "zigbee"));

    let m = compile(apps());
    let d = object(&m, "Deployment", "zigbee");
    let res = &main_container(&d)["resources"];
    assert_eq!(res["requests"][DONGLE_RESOURCE], "1", "{res:#}");
    assert_eq!(res["limits"][DONGLE_RESOURCE], "1", "{res:#}");
    assert!(res["limits"].get(GPU_RESOURCE).is_none());
    assert_eq!(affinity_nodes(&d), Some(vec!["node-c".to_string()]));
    // No privilege is needed for a plugin-granted device.
    assert_eq!(
        main_container(&d)["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert!(
        main_container(&d)["securityContext"]
            .get("privileged")
            .is_none()
    );
}

#[test]
fn nfs() {
    let apps = || {
        vec![
            app("library")
                .volume(
                    Volume::nfs("movies", "/movies", MEDIA_SHARE)
                        .sub_path("movies")
                        .read_only(),
                )
                .volume(Volume::nfs("inbox", "/inbox", MEDIA_SHARE)),
        ]
    };
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "library"));

    let m = compile(apps());
    let d = object(&m, "Deployment", "library");
    assert_eq!(
        volume(&d, "movies")["nfs"],
        json!({"server": NFS_SERVER, "path": "/export/media/movies", "readOnly": true})
    );
    assert_eq!(
        volume(&d, "inbox")["nfs"],
        json!({"server": NFS_SERVER, "path": NFS_PATH})
    );
    let c = main_container(&d);
    assert_eq!(mount(c, "/movies")["readOnly"], true);
    assert!(mount(c, "/inbox").get("readOnly").is_none());
    assert!(
        !m.iter().any(|m| matches!(
            m.object.kind(),
            "PersistentVolumeClaim" | "PersistentVolume"
        )),
        "NFS volumes are inline: no PV or PVC"
    );
    // No claim: nothing forces the Recreate strategy.
    assert_eq!(d["spec"]["strategy"]["type"], "RollingUpdate");
}

#[test]
fn backup() {
    let apps = || {
        vec![
            app("notes")
                .volume(Volume::claim("data", "/data", Memory::gi(2)).backup(Backup::daily())),
        ]
    };
    let tree = render(apps());
    insta::assert_snapshot!(app_files(&tree, LAB, "notes"));

    let m = compile(apps());
    let rs = object(&m, "ReplicationSource", "notes-data");
    assert_eq!(rs["apiVersion"], "volsync.backube/v1alpha1");
    assert_eq!(rs["metadata"]["namespace"], "lab");
    assert_eq!(rs["spec"]["sourcePVC"], "notes-data");
    let schedule = rs["spec"]["trigger"]["schedule"]
        .as_str()
        .expect("a schedule");
    assert!(
        regex::Regex::new(r"^([0-9]|[1-5][0-9]) 3 \* \* \*$")
            .unwrap()
            .is_match(schedule),
        "daily at 03:MM: {schedule}"
    );
    let restic = &rs["spec"]["restic"];
    assert_eq!(restic["repository"], "notes-volsync-secret");
    assert_eq!(restic["copyMethod"], "Snapshot");
    assert_eq!(restic["volumeSnapshotClassName"], "test-snapclass");
    assert_eq!(restic["storageClassName"], FAST.name());
    assert_eq!(restic["retain"]["within"], "7d");
    assert_eq!(restic["moverSecurityContext"]["runAsUser"], 1000);
    let pvc = object(&m, "PersistentVolumeClaim", "notes-data");
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "2Gi");
    // The minute is spread deterministically: same app, same minute.
    assert_eq!(tree, render(apps()));
}

#[test]
fn retain_class() {
    let apps = || {
        vec![
            app("ledger")
                .volume(
                    Volume::claim("data", "/data", Memory::gi(1))
                        .class(KEEP)
                        .backup(Backup::every_6_hours()),
                )
                .volume(
                    Volume::claim("cache", "/cache", Memory::gi(1)).no_backup("rebuilt on start"),
                ),
        ]
    };
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "ledger"));

    let m = compile(apps());
    let data = object(&m, "PersistentVolumeClaim", "ledger-data");
    assert_eq!(data["spec"]["storageClassName"], KEEP.name());
    assert_eq!(
        data["metadata"]["annotations"]["argocd.argoproj.io/sync-options"],
        "Prune=false,Delete=false"
    );
    let cache = object(&m, "PersistentVolumeClaim", "ledger-cache");
    assert_eq!(cache["spec"]["storageClassName"], FAST.name());
    assert!(
        cache["metadata"].get("annotations").is_none(),
        "a Delete-class claim is not protected from pruning: {cache:#}"
    );
    assert!(has_object(&m, "ReplicationSource", "ledger-data"));
    assert!(
        !has_object(&m, "ReplicationSource", "ledger-cache"),
        "exempt from backup"
    );
}

#[test]
fn critical_app_on_retain_class() {
    let apps = || {
        vec![
            app("vault")
                .volume(
                    Volume::claim("data", "/data", Memory::gi(1))
                        .class(KEEP)
                        .backup(Backup::every_6_hours()),
                )
                .critical("holds every password"),
        ]
    };
    let m = compile(apps());
    let pvc = object(&m, "PersistentVolumeClaim", "vault-data");
    assert_eq!(
        pvc["metadata"]["annotations"]["argocd.argoproj.io/sync-options"],
        "Prune=false,Delete=false"
    );
    let rs = object(&m, "ReplicationSource", "vault-data");
    let schedule = rs["spec"]["trigger"]["schedule"].as_str().unwrap();
    assert!(schedule.ends_with(" */6 * * *"), "{schedule}");
    assert_eq!(pvc["spec"]["storageClassName"], KEEP.name());
    // Volsync's temporary claims are on the Delete class of the same provisioner: on KEEP,
    // every backup would leave a Released volume behind.
    assert_eq!(rs["spec"]["restic"]["storageClassName"], FAST.name());
    assert_eq!(rs["spec"]["restic"]["cacheStorageClassName"], FAST.name());
    let rd = object(&m, "ReplicationDestination", "vault-data-dst");
    assert_eq!(rd["spec"]["restic"]["storageClassName"], FAST.name());
    assert_eq!(rd["spec"]["restic"]["cacheStorageClassName"], FAST.name());
}

#[test]
fn recreate_strategy() {
    let apps = || {
        vec![
            app("stateful-web")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).no_backup("scratch")),
            app("stateless-web"),
        ]
    };
    let tree = render(apps());
    let both = format!(
        "{}{}",
        app_files(&tree, LAB, "stateful-web"),
        app_files(&tree, LAB, "stateless-web")
    );
    insta::assert_snapshot!(both);

    let m = compile(apps());
    let with = object(&m, "Deployment", "stateful-web");
    assert_eq!(
        with["spec"]["strategy"]["type"], "Recreate",
        "an RWO claim cannot attach to two pods"
    );
    assert!(with["spec"]["strategy"].get("rollingUpdate").is_none());
    let without = object(&m, "Deployment", "stateless-web");
    assert_eq!(without["spec"]["strategy"]["type"], "RollingUpdate");
}

#[test]
fn ingress() {
    let apps = || {
        vec![app("wiki").https("docs").ingress_annotation(
            "traefik.ingress.kubernetes.io/router.middlewares",
            "auth@kubernetescrd",
        )]
    };
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "wiki"));

    let m = compile(apps());
    let ing = object(&m, "Ingress", "wiki");
    let host = format!("docs.{DOMAIN}");
    assert_eq!(
        ing["metadata"]["annotations"]["cert-manager.io/cluster-issuer"],
        CLUSTER_ISSUER
    );
    assert_eq!(
        ing["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.middlewares"],
        "auth@kubernetescrd"
    );
    assert_eq!(ing["spec"]["ingressClassName"], "traefik");
    assert_eq!(
        ing["spec"]["tls"],
        json!([{"hosts": [host], "secretName": "wiki-tls"}])
    );
    let rules = ing["spec"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["host"], host);
    let backend = &rules[0]["http"]["paths"][0]["backend"]["service"];
    assert_eq!(*backend, json!({"name": "wiki", "port": {"name": "http"}}));
    assert!(
        has_object(&m, "Service", "wiki"),
        "the Ingress points at the app's Service"
    );
}

#[test]
fn config_file() {
    let content = "listen = 8080\n# comment\nname = \"lab\"\n";
    let apps = || vec![app("web").config_file("/etc/web/web.conf", content)];
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "web"));

    let m = compile(apps());
    let cm = object(&m, "ConfigMap", "web-config");
    assert_eq!(cm["data"], json!({"web.conf": content}));
    let d = object(&m, "Deployment", "web");
    let c = main_container(&d);
    let mnt = mount(c, "/etc/web/web.conf");
    assert_eq!(
        mnt["subPath"], "web.conf",
        "mounted as one file, not over /etc/web"
    );
    assert_eq!(mnt["readOnly"], true);
    let vol = volume(&d, mnt["name"].as_str().unwrap());
    assert_eq!(vol["configMap"]["name"], "web-config");
}

#[test]
fn waits_for() {
    let apps = || {
        vec![
            app("api").waits_for("db"),
            App::new("db", TOOLS)
                .source("apps/db.rs")
                .image(&format!(
                    "docker.io/library/postgres:17.2@sha256:{}",
                    "4".repeat(64)
                ))
                .port(Port::tcp("postgres", 5432))
                .port(Port::tcp("metrics", 9187)),
        ]
    };
    insta::assert_snapshot!(app_files(&render(apps()), LAB, "api"));

    let m = compile(apps());
    let d = object(&m, "Deployment", "api");
    let init = d["spec"]["template"]["spec"]["initContainers"]
        .as_array()
        .expect("init containers");
    assert_eq!(init.len(), 1);
    assert_eq!(init[0]["name"], "wait-for-db");
    assert_eq!(init[0]["image"], WAIT_IMAGE);
    let script = init[0]["command"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_str()
        .unwrap();
    assert!(
        script.contains("db.tools.svc.cluster.local 5432"),
        "waits on the dependency's primary port, in its namespace: {script}"
    );
    assert_eq!(
        init[0]["securityContext"]["allowPrivilegeEscalation"],
        false
    );
    assert!(init[0]["resources"]["limits"]["memory"].is_string());
    // The dependency itself waits for nothing.
    let db = object(&m, "Deployment", "db");
    assert!(
        db["spec"]["template"]["spec"]
            .get("initContainers")
            .is_none()
    );
}

#[test]
fn config_file_change_rolls_the_pod() {
    let with = |content: &str| compile(vec![app("web").config_file("/etc/web/web.conf", content)]);
    let (a, b) = (with("a = 1\n"), with("a = 2\n"));
    assert_ne!(
        object(&a, "ConfigMap", "web-config"),
        object(&b, "ConfigMap", "web-config")
    );
    assert_ne!(
        object(&a, "Deployment", "web")["spec"]["template"],
        object(&b, "Deployment", "web")["spec"]["template"],
        "changing a config file must change the pod template so the pod restarts with it"
    );
}

#[test]
fn default_timezone_is_passed_as_tz() {
    let m = compile(vec![app("clock"), app("local").env("TZ", "Europe/Paris")]);
    let tz = |name: &str| -> Vec<Value> {
        let d = object(&m, "Deployment", name);
        main_container(&d)["env"]
            .as_array()
            .map(|env| {
                env.iter()
                    .filter(|e| e["name"] == "TZ")
                    .map(|e| e["value"].clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(tz("clock"), vec![json!("Etc/UTC")], "the cluster default");
    assert_eq!(
        tz("local"),
        vec![json!("Europe/Paris")],
        "the app's own TZ wins, once"
    );
}

#[test]
fn lan_ports_get_their_own_load_balancer() {
    use portkey::portkey_model::app::Port;
    let tree = render(vec![
        // The test app already serves `http`.
        app("torrent")
            .port(Port::tcp("peer", 51413).lan())
            .port(Port::udp("peer-udp", 51413).lan()),
    ]);
    let main: Value = serde_saphyr::from_str(&tree["lab/torrent/service-torrent.yaml"]).unwrap();
    assert!(
        main["spec"]["type"].is_null(),
        "the web UI stays inside the cluster"
    );
    assert_eq!(main["spec"]["ports"].as_array().unwrap().len(), 3);
    let lan: Value = serde_saphyr::from_str(&tree["lab/torrent/service-torrent-lan.yaml"]).unwrap();
    assert_eq!(lan["spec"]["type"], "LoadBalancer");
    assert_eq!(lan["spec"]["externalTrafficPolicy"], "Local");
    let names: Vec<&str> = lan["spec"]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["peer", "peer-udp"], "only the LAN ports");
    assert_eq!(lan["spec"]["selector"], main["spec"]["selector"]);
}

#[test]
fn http_probe_can_send_a_host_header() {
    use portkey::portkey_model::app::Probe;
    let m = compile(vec![
        app("cloud").probe(Probe::http("/status.php").host("cloud.example.org")),
    ]);
    let d = object(&m, "Deployment", "cloud");
    let get = &main_container(&d)["livenessProbe"]["httpGet"];
    assert_eq!(get["path"], "/status.php");
    assert_eq!(get["httpHeaders"][0]["name"], "Host");
    assert_eq!(get["httpHeaders"][0]["value"], "cloud.example.org");
}
