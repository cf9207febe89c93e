//! Mosquitto: the MQTT broker for Zigbee2MQTT, Home Assistant and LAN IoT devices.
//! Pinned to metal0 with the rest of the home-automation stack.
//!
//! Authenticated: the broker is on the LAN, so no anonymous client may publish or
//! subscribe. The users and their hashed passwords are the Secret `mosquitto`, key
//! `passwords`, created by hand (BOOTSTRAP.md lists it), in mosquitto's `password_file`
//! format: one `user:hash` line per client, the hash made by `mosquitto_passwd`
//! (<https://mosquitto.org/man/mosquitto_passwd-1.html>):
//!
//! ```sh
//! mosquitto_passwd -c -b passwords zigbee2mqtt '<password>'   # the Secret zigbee2mqtt's MQTT_PASSWORD
//! mosquitto_passwd -b passwords homeassistant '<password>'    # entered in HA's MQTT integration
//! mosquitto_passwd -b passwords <device> '<password>'         # one per LAN IoT device
//! kubectl -n home-automation create secret generic mosquitto --from-file=passwords
//! ```
//!
//! Home Assistant's MQTT integration is set up in its UI (its broker settings are not
//! read from YAML since 2022.12): broker `mosquitto.home-automation.svc.cluster.local`,
//! port 1883, user `homeassistant`. The file is mounted with `subPath`, so a changed Secret
//! takes effect at the next restart of the pod.
use crate::prelude::*;

/// Where the password file is mounted.
const PASSWORDS: &str = "/mosquitto/config/passwords";

const CONFIG: &str = "\
listener 1883
allow_anonymous false
password_file /mosquitto/config/passwords
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
        .secret_file(PASSWORDS, secret("mosquitto", "passwords"))
        .volume(Volume::claim("data", "/mosquitto/data", Memory::gi(1)).backup(Backup::daily()))
        .pin(
            &[METAL0],
            "home automation stays with the Zigbee dongle on metal0",
        )
        .lan()
        // The Zigbee and IoT devices are configured with this address.
        .lan_address(MQTT_ADDRESS)
}
