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
