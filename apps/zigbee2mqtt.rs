//! Zigbee2MQTT: bridges the Zigbee USB coordinator on metal0 to MQTT. Backed up daily
//! (seed: "Home Automation Stack").
//!
//! Configured entirely by `ZIGBEE2MQTT_CONFIG_*` variables, with the onboarding server off
//! (`Z2M_ONBOARD_NO_SERVER`): on a fresh claim, Zigbee2MQTT would otherwise serve its
//! setup page on the frontend's port and wait there, while the HTTP probe on `/` reports
//! the pod healthy; with it off, it bridges at once, or exits and restarts visibly on a bad
//! setting (<https://www.zigbee2mqtt.io/guide/getting-started/#onboarding>).
//!
//! The Secret `zigbee2mqtt` holds:
//! - `NETWORK_KEY`: the Zigbee network key, 16 bytes written as a JSON array of decimal
//!   numbers, `[1,3,5,7,9,11,13,15,0,2,4,6,8,10,12,13]` (Zigbee2MQTT parses the variable
//!   as YAML; `advanced.network_key`). Generate it once, keep it with the backup: a new key
//!   means re-pairing every device.
//! - `AUTH_TOKEN`: the frontend's token.
//! - `MQTT_PASSWORD`: the broker password of user `zigbee2mqtt` (see `apps/mosquitto.rs`).
use crate::prelude::*;

const MQTT_SERVER: &str = "mqtt://mosquitto.home-automation.svc.cluster.local:1883";

pub fn app() -> App {
    let url = format!("https://z2m.{DOMAIN}");
    let key = |k| secret("zigbee2mqtt", k);
    App::new("zigbee2mqtt", HOME_AUTOMATION)
        .describe("Zigbee to MQTT bridge")
        .image("ghcr.io/koenkk/zigbee2mqtt:2.13.0")
        .port(Port::http(8080))
        // The inventory's coordinator: its by-id path and its radio's driver.
        .env("ZIGBEE2MQTT_CONFIG_SERIAL_PORT", ZIGBEE_DONGLE_PATH)
        .env(
            "ZIGBEE2MQTT_CONFIG_SERIAL_ADAPTER",
            ZIGBEE_DONGLE_ADAPTER.as_str(),
        )
        .env("Z2M_ONBOARD_NO_SERVER", "1")
        .env("ZIGBEE2MQTT_CONFIG_MQTT_SERVER", MQTT_SERVER)
        .env("ZIGBEE2MQTT_CONFIG_MQTT_USER", "zigbee2mqtt")
        .env_secret("ZIGBEE2MQTT_CONFIG_MQTT_PASSWORD", key("MQTT_PASSWORD"))
        .env("ZIGBEE2MQTT_CONFIG_HOMEASSISTANT_ENABLED", "true")
        .env("ZIGBEE2MQTT_CONFIG_FRONTEND_ENABLED", "true")
        .env("ZIGBEE2MQTT_CONFIG_FRONTEND_URL", &url)
        .env("ZIGBEE2MQTT_CONFIG_ADVANCED_LOG_OUTPUT", r#"["console"]"#)
        // Restarts with back-off instead of exiting when the broker goes away (seed: issue 3).
        .env("Z2M_WATCHDOG", "default")
        .env_secret(
            "ZIGBEE2MQTT_CONFIG_ADVANCED_NETWORK_KEY",
            key("NETWORK_KEY"),
        )
        .env_secret("ZIGBEE2MQTT_CONFIG_FRONTEND_AUTH_TOKEN", key("AUTH_TOKEN"))
        .probe(Probe::http("/"))
        .requests(Cpu::m(50), Memory::mi(192))
        .memory_limit(Memory::mi(512))
        // dialout on the host: the serial device keeps its host group inside the container.
        .supplemental_groups(&[20])
        .volume(Volume::claim("data", "/app/data", Memory::gi(1)).backup(Backup::daily()))
        .needs(ZIGBEE_DONGLE)
        .waits_for("mosquitto")
        .https("z2m")
}
