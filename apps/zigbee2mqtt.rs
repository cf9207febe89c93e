//! Zigbee2MQTT: bridges the Zigbee USB coordinator on metal0 to MQTT. Backed up daily
//! (seed: "Home Automation Stack").
use crate::prelude::*;

const MQTT_SERVER: &str = "mqtt://mosquitto.home-automation.svc.cluster.local:1883";

pub fn app() -> App {
    let url = format!("https://z2m.{DOMAIN}");
    let key = |k| secret("zigbee2mqtt", k);
    App::new("zigbee2mqtt", HOME_AUTOMATION)
        .describe("Zigbee to MQTT bridge")
        .image("ghcr.io/koenkk/zigbee2mqtt:2.13.0")
        .port(Port::http(8080))
        .env("ZIGBEE2MQTT_CONFIG_SERIAL_PORT", "/dev/ttyUSB0")
        .env("ZIGBEE2MQTT_CONFIG_MQTT_SERVER", MQTT_SERVER)
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
