//! The real catalogue's apps as their images expect them: each fix of issue #13 (part 5,
//! and the image pins of part 3) checked on the compiled object or on its config file.

use portkey::portkey_compile::{self, Manifest};
use portkey::portkey_model;
use serde_json::Value;

use crate::common::{main_container, object};

/// The apps backed up beyond the seed's backup table (all daily, the seed's 7 days), by
/// issue #13: jellyfin's config holds the users and their watch state, which a library
/// rescan does not rebuild; Nextcloud's database and `config.php` (its instance secret and
/// the files' encryption keys) cannot be rebuilt from the NFS share.
pub const BACKED_UP_BEYOND_THE_SEED: [&str; 3] = ["jellyfin", "nextcloud", "nextcloud-postgres"];

/// The real inventory and catalogue, compiled.
fn real() -> Vec<Manifest> {
    let cluster = portkey::cluster::portkey();
    let catalogue = portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not resolve:\n{e}"));
    portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"))
}

/// The plain value of `name` in a container's environment.
fn env<'v>(container: &'v Value, name: &str) -> Option<&'v str> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)
        .and_then(|e| e["value"].as_str())
}

/// The pod volume named `name` of a workload.
fn volume<'v>(workload: &'v Value, name: &str) -> &'v Value {
    workload["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["name"] == name))
        .unwrap_or_else(|| panic!("no volume {name} in {workload}"))
}

/// The text of one file of a ConfigMap.
fn config_text(manifests: &[Manifest], config_map: &str, file: &str) -> String {
    let cm = object(manifests, "ConfigMap", config_map);
    cm["data"][file]
        .as_str()
        .unwrap_or_else(|| panic!("no {file} in ConfigMap {config_map}: {cm}"))
        .to_string()
}

#[test]
fn paperless_polls_the_nfs_inbox_under_its_v3_name() {
    let manifests = real();
    let c = main_container(&object(&manifests, "Deployment", "paperless")).clone();
    assert_eq!(
        env(&c, "PAPERLESS_CONSUMER_POLLING_INTERVAL"),
        Some("60"),
        "{c}"
    );
    assert_eq!(
        env(&c, "PAPERLESS_CONSUMER_POLLING"),
        None,
        "paperless-ngx 3 ignores the old name: {c}"
    );
}

#[test]
fn jellyfin_backs_up_its_config_and_caps_its_transcodes() {
    let manifests = real();
    let rs = object(&manifests, "ReplicationSource", "jellyfin-config");
    assert_eq!(rs["spec"]["sourcePVC"], "jellyfin-config", "{rs}");
    assert!(rs["spec"]["trigger"]["schedule"].is_string(), "{rs}");
    let deployment = object(&manifests, "Deployment", "jellyfin");
    let cache = volume(&deployment, "cache");
    assert_eq!(cache["emptyDir"]["sizeLimit"], "10Gi", "{cache}");
    assert!(cache["emptyDir"]["medium"].is_null(), "on disk: {cache}");
}

#[test]
fn intel_gpu_plugin_image_is_pinned_in_git() {
    let cluster = portkey::cluster::portkey();
    let manifests = real();
    let plugin = object(&manifests, "GpuDevicePlugin", "intel-gpu");
    let image = plugin["spec"]["image"].as_str().unwrap_or_default();
    assert_eq!(image, cluster.device_plugins.intel_gpu_plugin_image);
    // The operator's validating webhook: basename intel-gpu-plugin, tag at least its own
    // version (0.36.0).
    let (repo, tag) = image.rsplit_once(':').expect("a tag");
    assert!(repo.ends_with("/intel-gpu-plugin"), "{image}");
    let parts: Vec<u32> = tag.split('.').map(|p| p.parse().expect("semver")).collect();
    assert!(parts >= vec![0, 36, 0], "{image}");
    let text = std::fs::read_to_string(crate::common::root().join("cluster.rs")).expect("read");
    let line = text
        .lines()
        .position(|l| l.contains("intel_gpu_plugin_image:"))
        .expect("cluster.rs sets intel_gpu_plugin_image");
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("// renovate: image"),
        "the image line carries its renovate marker"
    );
}

/// The container named `name` of a workload's pod.
fn container<'v>(workload: &'v Value, name: &str) -> &'v Value {
    workload["spec"]["template"]["spec"]["containers"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no container {name} in {workload}"))
}

/// `(mountPath, volume name, subPath)` of a container's mounts.
fn mounts(container: &Value) -> Vec<(String, String, Option<String>)> {
    container["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["mountPath"].as_str().unwrap_or_default().to_string(),
                m["name"].as_str().unwrap_or_default().to_string(),
                m["subPath"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The Secret (name, key) an env var of a container reads.
fn env_secret(container: &Value, name: &str) -> Option<(String, String)> {
    let r = &container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)?["valueFrom"]["secretKeyRef"];
    Some((r["name"].as_str()?.into(), r["key"].as_str()?.into()))
}

#[test]
fn mosquitto_refuses_anonymous_clients_and_reads_its_password_file_from_a_secret() {
    let manifests = real();
    let conf = config_text(&manifests, "mosquitto-config", "mosquitto.conf");
    let lines: Vec<&str> = conf.lines().map(str::trim).collect();
    assert!(lines.contains(&"allow_anonymous false"), "{conf}");
    assert!(!lines.contains(&"allow_anonymous true"), "{conf}");
    let password_file = lines
        .iter()
        .find_map(|l| l.strip_prefix("password_file "))
        .unwrap_or_else(|| panic!("no password_file in {conf}"));

    let deployment = object(&manifests, "Deployment", "mosquitto");
    let (_, volume_name, sub_path) = mounts(main_container(&deployment))
        .into_iter()
        .find(|(path, ..)| path == password_file)
        .unwrap_or_else(|| panic!("{password_file} is not mounted: {deployment}"));
    let v = volume(&deployment, &volume_name);
    assert_eq!(v["secret"]["secretName"], "mosquitto", "{v}");
    assert_eq!(v["secret"]["defaultMode"], 0o440, "{v}");
    assert_eq!(sub_path.as_deref(), Some("passwords"));
    assert!(
        !manifests
            .iter()
            .any(|m| m.object.kind() == "Secret" && m.object.name() == "mosquitto"),
        "the password file is never written into generated/"
    );

    // BOOTSTRAP.md lists it, to be created from the file.
    let bootstrap = std::fs::read_to_string(crate::common::root().join("generated/BOOTSTRAP.md"))
        .expect("generated/BOOTSTRAP.md");
    assert!(
        bootstrap.contains("| home-automation | `mosquitto` | `passwords` | mosquitto |"),
        "BOOTSTRAP.md's table lists the password file's Secret"
    );
    assert!(
        bootstrap
            .contains("create secret generic mosquitto \\\n  --from-file=passwords=./passwords\n"),
        "BOOTSTRAP.md creates it from the file made by mosquitto_passwd"
    );
}

#[test]
fn zigbee2mqtt_logs_in_to_mosquitto() {
    let manifests = real();
    let c = main_container(&object(&manifests, "Deployment", "zigbee2mqtt")).clone();
    assert_eq!(env(&c, "ZIGBEE2MQTT_CONFIG_MQTT_USER"), Some("zigbee2mqtt"));
    assert_eq!(
        env_secret(&c, "ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD"),
        Some(("zigbee2mqtt".into(), "MQTT_PASSWORD".into()))
    );
    let header = std::fs::read_to_string(crate::common::root().join("apps/mosquitto.rs"))
        .expect("apps/mosquitto.rs");
    assert!(
        header.contains("mosquitto_passwd -c -b passwords zigbee2mqtt"),
        "mosquitto's file documents the user zigbee2mqtt logs in as"
    );
    assert!(
        header.contains("mosquitto_passwd -b passwords homeassistant"),
        "and Home Assistant's"
    );
}

#[test]
fn zigbee2mqtt_uses_the_inventory_coordinator_and_skips_onboarding() {
    let cluster = portkey::cluster::portkey();
    let dongle = cluster
        .nodes
        .iter()
        .flat_map(portkey::portkey_model::cluster::Node::devices)
        .find(|d| d.id == portkey::cluster::ZIGBEE_DONGLE.name())
        .expect("the inventory holds the Zigbee coordinator");
    assert!(
        dongle.host_path.starts_with("/dev/serial/by-id/"),
        "a stable path, not /dev/ttyUSB<n>: {}",
        dongle.host_path
    );
    let adapter = dongle
        .serial_adapter
        .expect("the coordinator's adapter type is an inventory fact");

    let manifests = real();
    let c = main_container(&object(&manifests, "Deployment", "zigbee2mqtt")).clone();
    assert_eq!(
        env(&c, "ZIGBEE2MQTT_CONFIG_SERIAL_PORT"),
        Some(dongle.host_path.as_str())
    );
    assert_eq!(
        env(&c, "ZIGBEE2MQTT_CONFIG_SERIAL_ADAPTER"),
        Some(adapter.as_str())
    );
    assert_eq!(env(&c, "Z2M_ONBOARD_NO_SERVER"), Some("1"), "{c}");
    // The device plugin advertises the same path it mounts into the container.
    let plugin = object(&manifests, "DaemonSet", "generic-device-plugin");
    let args = main_container(&plugin)["args"].to_string();
    assert!(args.contains(&dongle.host_path), "{args}");
}

#[test]
fn home_assistant_trusts_the_proxy_from_the_pod_network() {
    let manifests = real();
    let conf = config_text(&manifests, "homeassistant-config", "configuration.yaml");
    let http = conf
        .split("\nhttp:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no top-level http: in {conf}"));
    let block: Vec<&str> = http
        .lines()
        .take_while(|l| l.starts_with(' ') || l.is_empty())
        .map(str::trim)
        .collect();
    assert!(block.contains(&"use_x_forwarded_for: true"), "{conf}");
    let proxies = block
        .iter()
        .position(|l| *l == "trusted_proxies:")
        .unwrap_or_else(|| panic!("no trusted_proxies in {conf}"));
    assert_eq!(
        block.get(proxies + 1).copied(),
        Some(format!("- {}", portkey::cluster::POD_NETWORK).as_str()),
        "{conf}"
    );
    assert!(conf.starts_with("# Provisioned by portkey"), "{conf}");
    let deployment = object(&manifests, "Deployment", "homeassistant");
    assert!(
        mounts(main_container(&deployment)).contains(&(
            "/config/configuration.yaml".into(),
            "config-files".into(),
            Some("configuration.yaml".into())
        )),
        "{deployment}"
    );
    // Every file the configuration includes exists before Home Assistant reads it (a
    // missing include fails the whole configuration on a fresh claim).
    let command = main_container(&deployment)["command"].to_string();
    for line in conf.lines() {
        if let Some((_, file)) = line.split_once(": !include ") {
            assert!(
                command.contains(&format!("/config/{file}")),
                "{file} is not created by {command}"
            );
        }
    }
    assert!(command.contains("mkdir -p /config/packages"), "{command}");
    assert!(command.contains("exec /entrypoint.sh"), "{command}");
    // The LAN-discovery choice is declared on the object, with its reason.
    let why = deployment["metadata"]["annotations"]["portkey.dev/lan-discovery"]
        .as_str()
        .unwrap_or_default();
    assert!(
        why.contains("hostNetwork") && why.contains("Multus"),
        "{why}"
    );
    assert_eq!(
        deployment["spec"]["template"]["spec"]["hostNetwork"],
        Value::Null
    );
}

#[test]
fn nextcloud_runs_cron_php_every_five_minutes_beside_the_app() {
    let manifests = real();
    let deployment = object(&manifests, "Deployment", "nextcloud");
    let app = main_container(&deployment);
    let cron = container(&deployment, "cron");
    assert_eq!(cron["image"], app["image"], "the app's image");
    let script = cron["command"][2].as_str().unwrap_or_default();
    assert_eq!(
        (&cron["command"][0], &cron["command"][1]),
        (&Value::from("sh"), &Value::from("-c")),
        "{cron}"
    );
    assert!(
        script.contains("'php' '-f' '/var/www/html/cron.php'") && script.contains("sleep 300"),
        "{script}"
    );
    // As www-data, the owner of config.php, which cron.php requires.
    let sc = &cron["securityContext"];
    assert_eq!(sc["runAsUser"], 33, "{sc}");
    assert_eq!(sc["runAsGroup"], 33, "{sc}");
    assert_eq!(sc["runAsNonRoot"], true, "{sc}");
    assert!(sc["capabilities"]["add"].is_null(), "no capabilities: {sc}");
    // The same claim and share, in the same pod (so on the node holding the RWO claim).
    let cron_mounts = mounts(cron);
    for (path, name, _) in mounts(app) {
        if path == "/var/www/html" || path == "/var/www/data" {
            assert!(
                cron_mounts.iter().any(|(p, n, _)| *p == path && *n == name),
                "cron mounts {path} from {name}: {cron}"
            );
        }
    }
    assert!(
        cron["livenessProbe"]["exec"]["command"][2]
            .as_str()
            .is_some_and(|c| c.contains(portkey_model::app::HEARTBEAT)),
        "{cron}"
    );
}

#[test]
fn nextcloud_locks_files_in_redis() {
    let manifests = real();
    let app = main_container(&object(&manifests, "Deployment", "nextcloud")).clone();
    let host = env(&app, "REDIS_HOST").expect("REDIS_HOST");
    let (service, rest) = host.split_once('.').expect("a cluster DNS name");
    assert_eq!(rest, "nextcloud.svc.cluster.local");
    let svc = object(&manifests, "Service", service);
    assert_eq!(svc["spec"]["ports"][0]["port"], 6379, "{svc}");
    assert_eq!(env(&app, "REDIS_HOST_PORT"), Some("6379"));
    let redis = object(&manifests, "Deployment", service);
    assert!(
        main_container(&redis)["image"]
            .as_str()
            .is_some_and(|i| i.contains("/redis:")),
        "{redis}"
    );
}

#[test]
fn nextcloud_backs_up_its_database_and_config_php() {
    let manifests = real();
    for (claim, uid) in [("nextcloud-html", 33), ("nextcloud-postgres-data", 999)] {
        let rs = object(&manifests, "ReplicationSource", claim);
        assert_eq!(rs["spec"]["sourcePVC"], claim, "{rs}");
        // The mover reads the files as their owner: www-data's config.php is 0640,
        // postgres' data directory 0700.
        assert_eq!(
            rs["spec"]["restic"]["moverSecurityContext"]["runAsUser"], uid,
            "{rs}"
        );
    }
    let text = std::fs::read_to_string(crate::common::root().join("apps/nextcloud.rs"))
        .expect("apps/nextcloud.rs");
    assert!(
        text.contains("owned by 33:33"),
        "the NFS export's ownership is documented"
    );
}

// The builders these fixes added, on the test inventory.

#[test]
fn secret_file_is_a_secret_volume_listed_outside_git() {
    use portkey::portkey_model::app::secret;
    let a = crate::common::app("broker")
        .secret_file("/etc/broker/passwords", secret("broker-auth", "passwords"))
        .secret_file("/etc/broker/acl", secret("broker-auth", "acl"));
    let manifests = crate::common::compile(vec![a.clone()]);
    let deployment = object(&manifests, "Deployment", "broker");
    let v = volume(&deployment, "secret-broker-auth");
    assert_eq!(v["secret"]["secretName"], "broker-auth");
    let m = mounts(main_container(&deployment));
    for key in ["passwords", "acl"] {
        assert!(
            m.contains(&(
                format!("/etc/broker/{key}"),
                "secret-broker-auth".into(),
                Some(key.into())
            )),
            "{m:?}"
        );
    }
    let cluster = crate::common::test_cluster();
    let catalogue = portkey_model::resolve(&cluster, vec![a]).expect("resolves");
    let outside = portkey_model::secrets::outside_git(&catalogue);
    let s = &outside[&("lab".to_string(), "broker-auth".to_string())];
    assert_eq!(
        s.keys.iter().map(String::as_str).collect::<Vec<_>>(),
        ["acl", "passwords"]
    );
    assert_eq!(s.files, s.keys, "both are files");
    assert!(s.used_by.contains("broker"));
}

#[test]
fn background_job_shares_the_pod_and_runs_as_its_own_user() {
    use portkey::portkey_model::app::{BackgroundJob, Volume};
    use portkey::portkey_model::quantity::Memory;
    let a = crate::common::app("web")
        .volume(Volume::claim("data", "/data", Memory::gi(1)).no_backup("test"))
        .env("MODE", "prod")
        .background_job(BackgroundJob::every("sweep", 120, &["/bin/sweep", "it's"]).run_as(7, 8));
    let manifests = crate::common::compile(vec![a]);
    let deployment = object(&manifests, "Deployment", "web");
    let main = main_container(&deployment);
    let job = container(&deployment, "sweep");
    assert_eq!(job["image"], main["image"]);
    assert_eq!(mounts(job), mounts(main), "the app's mounts");
    assert_eq!(env(job, "MODE"), Some("prod"), "the app's environment");
    assert_eq!(
        job["command"][2],
        "while true; do touch /tmp/background-job-heartbeat; '/bin/sweep' 'it'\\''s' || echo \"sweep: exit $?\"; sleep 120; done"
    );
    assert_eq!(job["securityContext"]["runAsUser"], 7);
    assert_eq!(job["securityContext"]["runAsGroup"], 8);
    assert_eq!(job["securityContext"]["readOnlyRootFilesystem"], true);
    assert!(job["livenessProbe"]["exec"].is_object(), "{job}");
    assert!(job["resources"]["limits"]["memory"].is_string(), "{job}");
    // The job lives in the app's pod: no CronJob, no second workload.
    assert!(!manifests.iter().any(|m| m.object.kind() == "CronJob"));
}

#[test]
fn scratch_size_limit_stays_on_disk() {
    use portkey::portkey_model::app::Volume;
    use portkey::portkey_model::quantity::Memory;
    let a = crate::common::app("transcoder")
        .volume(Volume::scratch("work", "/work").size_limit(Memory::gi(3)));
    let manifests = crate::common::compile(vec![a]);
    let v = volume(&object(&manifests, "Deployment", "transcoder"), "work").clone();
    assert_eq!(v["emptyDir"], serde_json::json!({"sizeLimit": "3Gi"}));
}

#[test]
fn background_jobs_count_in_the_capacity_plan() {
    use portkey::portkey_model::app::BackgroundJob;
    use portkey::portkey_model::quantity::{Cpu, Memory};
    let web = || {
        crate::common::app("web")
            .requests(Cpu::m(100), Memory::mi(256))
            .memory_limit(Memory::mi(512))
            .pin(&[crate::common::NODE_A], "test")
    };
    let usage = |app| {
        let plan = portkey::plan(&crate::common::test_cluster(), vec![app])
            .unwrap_or_else(|e| panic!("{e}"));
        plan.nodes
            .into_iter()
            .find(|n| n.node == crate::common::NODE_A.name())
            .expect("node-a")
    };
    let alone = usage(web());
    let with_job = usage(web().background_job(
        BackgroundJob::every("sweep", 60, &["true"]).memory_limit(Memory::mi(256)),
    ));
    assert_eq!(with_job.cpu_requests, alone.cpu_requests + Cpu::m(10));
    assert_eq!(
        with_job.memory_requests,
        alone.memory_requests + Memory::mi(128)
    );
    assert_eq!(
        with_job.memory_limits,
        alone.memory_limits + Memory::mi(256)
    );
}
