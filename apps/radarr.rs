//! Radarr: movie collection manager. Finds releases through Prowlarr, sends them to
//! Transmission and hardlinks finished downloads into the library (one NFS mount for both).
use crate::prelude::*;

pub fn app() -> App {
    App::new("radarr", MEDIA)
        .describe("Movie collection manager")
        .image("ghcr.io/home-operations/radarr:6.4.1.10545")
        .port(Port::http(7878))
        .env("RADARR__AUTH__METHOD", "Forms")
        .env("RADARR__AUTH__REQUIRED", "Enabled")
        .env("RADARR__LOG__DBENABLED", "False")
        .env_secret("RADARR__AUTH__APIKEY", secret("radarr", "API_KEY"))
        .probe(Probe::http("/ping"))
        .requests(Cpu::m(100), Memory::mi(256))
        .memory_limit(Memory::gi(1))
        .volume(
            Volume::claim("config", "/config", Memory::gi(5))
                .no_backup("not in the backup table: re-imported from /media"),
        )
        .volume(Volume::nfs("media", "/media", NFS_PLEX))
        .depends_on("prowlarr")
        .depends_on("transmission")
        .egress_internet("fetches metadata and artwork from its metadata servers")
        .https("radarr")
}
