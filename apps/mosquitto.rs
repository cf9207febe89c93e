//! Mosquitto: the MQTT broker for Zigbee2MQTT, Home Assistant and LAN IoT devices.
//! Pinned to metal0 with the rest of the home-automation stack.
use crate::prelude::*;

const CONFIG: &str = "\
listener 1883
allow_anonymous true
persistence true
persistence_location /mosquitto/data/
autosave_interval 60
log_dest stdout
";

pub fn app() -> App {
    App::new("mosquitto", HOME_AUTOMATION)
        .describe("MQTT broker")
        .image("docker.io/library/eclipse-mosquitto:2.0.22")
        .port(Port::tcp("mqtt", 1883))
        // The image's `mosquitto` user.
        .run_as(1883, 1883)
        .requests(Cpu::m(10), Memory::mi(32))
        .memory_limit(Memory::mi(128))
        .config_file("/mosquitto/config/mosquitto.conf", CONFIG)
        .volume(Volume::claim("data", "/mosquitto/data", Memory::gi(1)).backup(Backup::daily()))
        .pin(
            &[METAL0],
            "home automation stays with the Zigbee dongle on metal0",
        )
        .lan()
        // The Zigbee and IoT devices are configured with this address.
        .lan_address(MQTT_ADDRESS)
}
