//! Nextcloud: file sync, calendar and contacts (official apache image) on Postgres; user
//! files live on the NFS nextcloud share.
use crate::prelude::*;

const DB_HOST: &str = "nextcloud-postgres.nextcloud.svc.cluster.local";

/// What the root entrypoint and apache's root master need once ALL is dropped.
const CAPABILITIES: [(&str, &str); 7] = [
    ("CHOWN", "rsyncs the release as www-data"),
    ("DAC_OVERRIDE", "root writes www-data's html dir"),
    ("FOWNER", "rsync sets modes on www-data files"),
    ("SETUID", "su www-data; apache workers"),
    ("SETGID", "su www-data; apache workers"),
    ("KILL", "apache master signals its workers"),
    ("NET_BIND_SERVICE", "apache listens on port 80"),
];

pub fn app() -> App {
    let host = format!("cloud.{DOMAIN}");
    let db = |k| secret("nextcloud-postgres", k);
    let admin = |k| secret("nextcloud", k);
    let app = App::new("nextcloud", NEXTCLOUD)
        .describe("File sync, calendar and contacts")
        .image("docker.io/library/nextcloud:34.0.3-apache")
        .port(Port::http(80))
        .env("POSTGRES_HOST", DB_HOST)
        .env("POSTGRES_DB", "nextcloud")
        .env_secret("POSTGRES_USER", db("POSTGRES_USER"))
        .env_secret("POSTGRES_PASSWORD", db("POSTGRES_PASSWORD"))
        .env_secret("NEXTCLOUD_ADMIN_USER", admin("ADMIN_USER"))
        .env_secret("NEXTCLOUD_ADMIN_PASSWORD", admin("ADMIN_PASSWORD"))
        .env("NEXTCLOUD_DATA_DIR", "/var/www/data")
        .env("NEXTCLOUD_TRUSTED_DOMAINS", &host)
        .env("OVERWRITEPROTOCOL", "https")
        .env("OVERWRITECLIURL", &format!("https://{host}"))
        // Traefik's pod addresses; the inventory does not record the pod CIDR.
        .env("TRUSTED_PROXIES", "10.0.0.0/8")
        .env("PHP_UPLOAD_LIMIT", "16G")
        // status.php answers only to a trusted domain, not the pod IP the kubelet uses.
        .probe(Probe::http("/status.php").host(&host))
        .startup(Probe::http("/status.php").host(&host).allow(30, 10))
        .requests(Cpu::m(200), Memory::mi(512))
        .memory_limit(Memory::gi(2))
        .volume(
            Volume::claim("html", "/var/www/html", Memory::gi(8))
                .no_backup("not in the backup table; the image re-syncs the code"),
        )
        .volume(Volume::nfs("data", "/var/www/data", NFS_NEXTCLOUD))
        // apache2-foreground's pid and lock directories; the rest of / stays read-only.
        .volume(Volume::scratch("apache-run", "/var/run/apache2"))
        .volume(Volume::scratch("apache-lock", "/var/lock/apache2"))
        .allow(Exception::RunAsRoot, "entrypoint installs as root")
        .waits_for("nextcloud-postgres")
        .https("cloud");
    CAPABILITIES.into_iter().fold(app, |app, (cap, why)| {
        app.allow(Exception::Capability(cap.into()), why)
    })
}
