//! Nextcloud: file sync, calendar and contacts (official apache image) on Postgres; user
//! files live on the NFS nextcloud share.
//!
//! No `.metrics(..)`: Nextcloud 33+ serves OpenMetrics at `/metrics`, but only to
//! `openmetrics_allowed_clients` (localhost by default), a `config.php` setting this app file
//! does not make (<https://docs.nextcloud.com/server/33/admin_manual/configuration_monitoring/index.html>).
//!
//! - **NFS ownership.** The image's `www-data` is UID/GID 33, and Apache's workers and the
//!   background job write the user files as 33. NFS ignores `fsGroup`, so the export
//!   `/nfs/nextcloud` must be owned by 33:33 on the NAS (`chown -R 33:33`), or mapped to it
//!   (`all_squash,anonuid=33,anongid=33`); Nextcloud refuses a data directory it cannot
//!   write.
//! - **Background jobs** run every 5 minutes as `php -f /var/www/html/cron.php` (the
//!   `cron` container, as www-data, the owner of `config.php`, which `cron.php` insists on);
//!   the first run switches Nextcloud's background mode to Cron.
//! - **File locking** is in Redis (`nextcloud-redis`), not in the database.
//! - **Backups.** `html` holds `config.php` (the instance secret, password salt and the
//!   encryption keys' settings), the installed apps and the themes: backed up daily. The
//!   database is `nextcloud-postgres`'s claim, backed up daily too. Where both claims
//!   already exist, their new `dataSourceRef` cannot be applied (`portkey diff` warns):
//!   take a first backup, then re-create each claim as RESTORE.md's "Re-creating a claim
//!   on a live cluster" says.
use crate::prelude::*;

const DB_HOST: &str = "nextcloud-postgres.nextcloud.svc.cluster.local";
const REDIS_HOST: &str = "nextcloud-redis.nextcloud.svc.cluster.local";
/// The image's `www-data`.
const WWW_DATA: i64 = 33;

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
        .env("REDIS_HOST", REDIS_HOST)
        .env("REDIS_HOST_PORT", "6379")
        // status.php answers only to a trusted domain, not the pod IP the kubelet uses.
        .probe(Probe::http("/status.php").host(&host))
        .startup(Probe::http("/status.php").host(&host).allow(30, 10))
        .requests(Cpu::m(200), Memory::mi(512))
        .memory_limit(Memory::gi(2))
        // config.php: without it the data and the database cannot be opened again.
        .volume(Volume::claim("html", "/var/www/html", Memory::gi(8)).backup(Backup::daily()))
        .volume(Volume::nfs("data", "/var/www/data", NFS_NEXTCLOUD))
        // apache2-foreground's pid and lock directories; the rest of / stays read-only.
        .volume(Volume::scratch("apache-run", "/var/run/apache2"))
        .volume(Volume::scratch("apache-lock", "/var/lock/apache2"))
        .allow(Exception::RunAsRoot, "entrypoint installs as root")
        // The entrypoint drops to www-data itself; this makes www-data the claims' fsGroup
        // and the backup mover's user, so that Volsync reads config.php (mode 0640).
        .run_as(WWW_DATA, WWW_DATA)
        .allow(
            Exception::WritableRootFilesystem,
            "with REDIS_HOST set, the entrypoint writes the PHP session handler to \
             /usr/local/etc/php/conf.d/redis-session.ini at every start",
        )
        .background_job(
            BackgroundJob::every("cron", 300, &["php", "-f", "/var/www/html/cron.php"])
                .run_as(WWW_DATA, WWW_DATA),
        )
        .waits_for("nextcloud-postgres")
        .waits_for("nextcloud-redis")
        .egress_internet("app store, update checks and federated shares")
        .https("cloud");
    CAPABILITIES.into_iter().fold(app, |app, (cap, why)| {
        app.allow(Exception::Capability(cap.into()), why)
    })
}
