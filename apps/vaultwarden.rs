//! Vaultwarden: the password manager. Critical: its data is on the Retain class and backed
//! up every 6 hours (seed: "Password Manager").
//!
//! No `.metrics(..)`: the released image serves no Prometheus metrics (the proposals,
//! dani-garcia/vaultwarden#3634 and #6202, were closed unmerged).
use crate::prelude::*;

pub fn app() -> App {
    App::new("vaultwarden", VAULTWARDEN)
        .describe("Password manager (Bitwarden-compatible)")
        .image("docker.io/vaultwarden/server:1.37.2")
        .port(Port::http(8080))
        .env("ROCKET_PORT", "8080")
        .env("DOMAIN", "https://vault.themainfreak.com")
        .env("SIGNUPS_ALLOWED", "false")
        .env_secret("ADMIN_TOKEN", secret("vaultwarden", "ADMIN_TOKEN"))
        .probe(Probe::http("/alive"))
        .requests(Cpu::m(20), Memory::mi(128))
        .memory_limit(Memory::mi(512))
        .volume(
            Volume::claim("data", "/data", Memory::mi(512))
                .class(CEPH_BLOCK_RETAIN)
                .backup(Backup::every_6_hours()),
        )
        .https("vault")
        .critical("every other account's recovery depends on the vault")
}
