//! PostgreSQL: Nextcloud's database, a single-replica StatefulSet.
use crate::prelude::*;

pub fn app() -> App {
    let key = |k| secret("nextcloud-postgres", k);
    App::new("nextcloud-postgres", NEXTCLOUD)
        .describe("PostgreSQL for Nextcloud")
        .image("docker.io/library/postgres:17.11")
        .stateful()
        .port(Port::tcp("postgres", 5432))
        .env("POSTGRES_DB", "nextcloud")
        .env_secret("POSTGRES_USER", key("POSTGRES_USER"))
        .env_secret("POSTGRES_PASSWORD", key("POSTGRES_PASSWORD"))
        // A sub-directory: initdb refuses a volume root holding lost+found.
        .env("PGDATA", "/var/lib/postgresql/data/pgdata")
        // The image's `postgres` user.
        .run_as(999, 999)
        .probe(Probe::exec(&["pg_isready", "-h", "127.0.0.1"]))
        .requests(Cpu::m(50), Memory::mi(256))
        .memory_limit(Memory::gi(1))
        // A Volsync snapshot of the claim: one atomic RBD snapshot of the whole data
        // directory, WAL included, which PostgreSQL recovers from as from a crash
        // (https://www.postgresql.org/docs/current/backup-file.html, "consistent snapshot").
        .volume(
            Volume::claim("data", "/var/lib/postgresql/data", Memory::gi(5))
                .backup(Backup::daily()),
        )
        .volume(Volume::scratch("run", "/var/run/postgresql"))
        // The container runtime's 64Mi /dev/shm is too small for parallel queries.
        .volume(Volume::scratch("shm", "/dev/shm").in_memory(Memory::mi(256)))
}
