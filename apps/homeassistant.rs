//! Home Assistant: home automation hub. Pinned to metal0 with the rest of the stack and
//! backed up daily (seed: "Home Automation Stack").
//!
//! `configuration.yaml` is provisioned (read-only) so that the UI works behind traefik:
//! without `http.use_x_forwarded_for` and `trusted_proxies`, Home Assistant answers a
//! proxied request with 400 (<https://www.home-assistant.io/integrations/http/#reverse-proxies>).
//! Local configuration goes in `/config/packages/<name>.yaml` on the claim; the UI's
//! automations, scripts and scenes stay in their files there.
//!
//! LAN discovery: neither hostNetwork nor Multus. hostNetwork is forbidden by the
//! namespace's Pod Security level (baseline) and would put the pod on metal0's interfaces;
//! Multus, as the best-known home-ops repositories use it, attaches a second interface on
//! an IoT VLAN, which this flat LAN does not have, and needs a CNI meta-plugin the
//! inventory does not hold. So multicast discovery (mDNS, SSDP) does not reach Home
//! Assistant: Zigbee devices come through zigbee2mqtt, LAN IoT devices through mosquitto's
//! LAN address, and other integrations are added by IP address.
//!
//! No `.metrics(..)`: the provisioned configuration has no `prometheus:` integration, which
//! serves `/api/prometheus` with a long-lived access token made in the UI
//! (<https://home-assistant.io/integrations/prometheus>), on port 8123, which traefik also
//! publishes: a token outside Git, or the entities' states unauthenticated.
use crate::prelude::*;

/// The files the UI writes, which `configuration.yaml` includes. Home Assistant creates
/// them only with a default `configuration.yaml` of its own, and an `!include` of a missing
/// file fails the whole configuration, so they are created (empty) before it starts.
const UI_FILES: [&str; 3] = ["automations.yaml", "scripts.yaml", "scenes.yaml"];

/// The image's entrypoint (`ENTRYPOINT ["/usr/bin/catatonit", "--", "/entrypoint.sh"]`),
/// after creating the UI's files and the packages directory when they are missing
/// (`touch -a` leaves existing files as they are).
fn command() -> String {
    format!(
        "touch -a {} && mkdir -p /config/packages && exec /entrypoint.sh",
        UI_FILES.map(|f| format!("/config/{f}")).join(" ")
    )
}

/// The provisioned configuration: Home Assistant's default set, behind a reverse proxy.
fn configuration() -> String {
    format!(
        "\
# Provisioned by portkey from apps/homeassistant.rs; edits here are lost at the next
# start. Put local configuration in /config/packages/<name>.yaml.
default_config:

homeassistant:
  packages: !include_dir_named packages

# Behind traefik: trust X-Forwarded-For from the pod network only.
http:
  use_x_forwarded_for: true
  trusted_proxies:
    - {POD_NETWORK}

automation: !include {}
script: !include {}
scene: !include {}
",
        UI_FILES[0], UI_FILES[1], UI_FILES[2]
    )
}

pub fn app() -> App {
    App::new("homeassistant", HOME_AUTOMATION)
        .describe("Home automation hub")
        // home-operations build: rootless, read-only root filesystem, venv under /config.
        .image("ghcr.io/home-operations/home-assistant:2026.8.3")
        .command(&["/usr/bin/catatonit", "--", "/bin/bash", "-c", &command()])
        .port(Port::http(8123))
        // HA core has no health endpoint (`/healthz` needs a custom component): TCP probes.
        .startup(Probe::tcp().allow(30, 10))
        .requests(Cpu::m(100), Memory::mi(512))
        .memory_limit(Memory::gi(2))
        .volume(Volume::claim("config", "/config", Memory::gi(5)).backup(Backup::daily()))
        // Rebuilt by the entrypoint on start; keeps the Python venv out of the backup.
        .volume(Volume::scratch("venv", "/config/.venv"))
        .config_file("/config/configuration.yaml", &configuration())
        .annotation(
            "portkey.dev/lan-discovery",
            "none: no hostNetwork (Pod Security baseline) and no Multus (no IoT VLAN); \
             devices come through MQTT, integrations by IP address",
        )
        .pin(
            &[METAL0],
            "home automation stays with the Zigbee dongle on metal0",
        )
        .depends_on("mosquitto")
        .egress_internet("cloud integrations (weather, updates) and its integration downloads")
        .https("home")
}
