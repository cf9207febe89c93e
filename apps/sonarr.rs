//! Sonarr: TV series collection manager. Finds releases through Prowlarr, sends them to
//! Transmission and hardlinks finished downloads into the library (one NFS mount for both).
use crate::prelude::*;

pub fn app() -> App {
    App::new("sonarr", MEDIA)
        .describe("TV series collection manager")
        .image("ghcr.io/home-operations/sonarr:4.0.19.3001")
        .port(Port::http(8989))
        .env("SONARR__AUTH__METHOD", "Forms")
        .env("SONARR__AUTH__REQUIRED", "Enabled")
        .env("SONARR__LOG__DBENABLED", "False")
        .env_secret("SONARR__AUTH__APIKEY", secret("sonarr", "API_KEY"))
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
        .https("sonarr")
}
