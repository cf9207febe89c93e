//! Paperless-ngx: document archive with OCR. Documents and its SQLite database are backed
//! up daily; the scanner inbox and exports are on the NFS k8s share.
use crate::prelude::*;

const REDIS: &str = "redis://paperless-redis.paperless.svc.cluster.local:6379";

pub fn app() -> App {
    let url = format!("https://paperless.{DOMAIN}");
    App::new("paperless", PAPERLESS)
        .describe("Document management with OCR")
        .image("ghcr.io/paperless-ngx/paperless-ngx:3.0.5")
        .port(Port::http(8000))
        .env("PAPERLESS_TIME_ZONE", TIMEZONE)
        .env("PAPERLESS_URL", &url)
        .env("PAPERLESS_REDIS", REDIS)
        .env("PAPERLESS_DATA_DIR", "/data/data")
        .env("PAPERLESS_MEDIA_ROOT", "/data/media")
        // inotify does not fire for files written to the NFS share by another client, so
        // the consumer polls the inbox every 60 s. paperless-ngx 3 renamed the setting from
        // PAPERLESS_CONSUMER_POLLING and reads only the new name, defaulting to 0 (no
        // polling): src/paperless/settings (`CONSUMER_POLLING_INTERVAL`), and the v3
        // migration guide's table of renamed settings.
        .env("PAPERLESS_CONSUMER_POLLING_INTERVAL", "60")
        .env("PAPERLESS_TASK_WORKERS", "1")
        // Runs as the image's `paperless` user (1000); its s6 init then writes only to /run.
        .env("S6_READ_ONLY_ROOT", "1")
        .env_secret("PAPERLESS_SECRET_KEY", secret("paperless", "SECRET_KEY"))
        .probe(Probe::http("/"))
        .startup(Probe::http("/").allow(30, 10))
        .requests(Cpu::m(250), Memory::mi(768))
        .memory_limit(Memory::gi(2))
        .volume(Volume::scratch("run", "/run"))
        .volume(Volume::claim("data", "/data", Memory::gi(10)).backup(Backup::daily()))
        .volume(
            Volume::nfs("consume", "/usr/src/paperless/consume", NFS_K8S)
                .sub_path("paperless/consume"),
        )
        .volume(
            Volume::nfs("export", "/usr/src/paperless/export", NFS_K8S)
                .sub_path("paperless/export"),
        )
        .waits_for("paperless-redis")
        .https("paperless")
}
