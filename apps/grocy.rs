//! Grocy: groceries and household management. linuxserver.io image (s6 init as root),
//! backed up daily.
use crate::prelude::*;

/// What the s6 init and the root nginx/php-fpm masters need once ALL is dropped.
const CAPABILITIES: [(&str, &str); 7] = [
    ("CHOWN", "init chowns /config to PUID/PGID"),
    ("DAC_OVERRIDE", "root init writes abc-owned /config"),
    ("FOWNER", "init sets modes on abc-owned files"),
    ("SETUID", "s6, nginx, php-fpm drop to abc"),
    ("SETGID", "s6, nginx, php-fpm drop to abc"),
    ("KILL", "root masters signal abc workers"),
    ("NET_BIND_SERVICE", "nginx listens on port 80"),
];

pub fn app() -> App {
    let app = App::new("grocy", HOME)
        .describe("Groceries and household management")
        .image("lscr.io/linuxserver/grocy:v4.6.0-ls334")
        .port(Port::http(80))
        .env("PUID", "1000")
        .env("PGID", "1000")
        .requests(Cpu::m(20), Memory::mi(128))
        .memory_limit(Memory::mi(512))
        .volume(Volume::claim("config", "/config", Memory::gi(1)).backup(Backup::daily()))
        .allow(Exception::RunAsRoot, "s6 init runs as root, drops to PUID")
        .allow(Exception::WritableRootFilesystem, "init edits /etc, /app")
        .https("grocy");
    CAPABILITIES.into_iter().fold(app, |app, (cap, why)| {
        app.allow(Exception::Capability(cap.into()), why)
    })
}
