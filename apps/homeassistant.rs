//! Home Assistant: home automation hub. Pinned to metal0 with the rest of the stack and
//! backed up daily (seed: "Home Automation Stack").
use crate::prelude::*;

pub fn app() -> App {
    App::new("homeassistant", HOME_AUTOMATION)
        .describe("Home automation hub")
        // home-operations build: rootless, read-only root filesystem, venv under /config.
        .image("ghcr.io/home-operations/home-assistant:2026.8.3")
        .port(Port::http(8123))
        // HA core has no health endpoint (`/healthz` needs a custom component): TCP probes.
        .startup(Probe::tcp().allow(30, 10))
        .requests(Cpu::m(100), Memory::mi(512))
        .memory_limit(Memory::gi(2))
        .volume(Volume::claim("config", "/config", Memory::gi(5)).backup(Backup::daily()))
        // Rebuilt by the entrypoint on start; keeps the Python venv out of the backup.
        .volume(Volume::scratch("venv", "/config/.venv"))
        .pin(
            &[METAL0],
            "home automation stays with the Zigbee dongle on metal0",
        )
        .depends_on("mosquitto")
        .https("home")
}
