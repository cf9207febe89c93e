//! Redis: Nextcloud's transactional file locking and distributed cache (the image's
//! `redis.config.php` sets `memcache.locking` and `memcache.distributed` to Redis when
//! `REDIS_HOST` is set). Lock and cache state only, so no claim.
use crate::prelude::*;

pub fn app() -> App {
    App::new("nextcloud-redis", NEXTCLOUD)
        .describe("Redis for Nextcloud's file locking")
        .image("docker.io/library/redis:8.6.4-alpine")
        .port(Port::tcp("redis", 6379))
        // The image's `redis` user (alpine: 999, group 1000).
        .run_as(999, 1000)
        .probe(Probe::exec(&["redis-cli", "ping"]))
        .requests(Cpu::m(10), Memory::mi(32))
        .memory_limit(Memory::mi(128))
        .volume(Volume::scratch("data", "/data"))
}
