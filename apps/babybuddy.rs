//! Baby Buddy: tracks a baby's sleep, feedings and changes. linuxserver.io image (s6 init
//! as root), backed up daily.
use crate::prelude::*;

/// What the s6 init and the root nginx master need once ALL is dropped.
const CAPABILITIES: [(&str, &str); 7] = [
    ("CHOWN", "init chowns /config to PUID/PGID"),
    ("DAC_OVERRIDE", "root init writes abc-owned /config"),
    ("FOWNER", "init sets modes on abc-owned files"),
    ("SETUID", "s6 and nginx drop to abc"),
    ("SETGID", "s6 and nginx drop to abc"),
    ("KILL", "root masters signal abc workers"),
    ("NET_BIND_SERVICE", "nginx also binds 80 and 443"),
];

pub fn app() -> App {
    let url = format!("https://babybuddy.{DOMAIN}");
    let app = App::new("babybuddy", HOME)
        .describe("Baby care tracker")
        .image("lscr.io/linuxserver/babybuddy:2.8.0")
        .port(Port::http(8000))
        .env("PUID", "1000")
        .env("PGID", "1000")
        .env("CSRF_TRUSTED_ORIGINS", &url)
        .env("SECURE_PROXY_SSL_HEADER", "True")
        .requests(Cpu::m(20), Memory::mi(192))
        .memory_limit(Memory::mi(512))
        .volume(Volume::claim("config", "/config", Memory::gi(1)).backup(Backup::daily()))
        .allow(Exception::RunAsRoot, "s6 init runs as root, drops to PUID")
        .allow(Exception::WritableRootFilesystem, "init edits /etc, /app")
        .https("babybuddy");
    CAPABILITIES.into_iter().fold(app, |app, (cap, why)| {
        app.allow(Exception::Capability(cap.into()), why)
    })
}
