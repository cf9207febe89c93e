//! Prowlarr: indexer manager; syncs indexers to Radarr, Sonarr and Lidarr.
use crate::prelude::*;

pub fn app() -> App {
    App::new("prowlarr", MEDIA)
        .describe("Indexer manager for the *arr apps")
        .image("ghcr.io/home-operations/prowlarr:2.6.1.5509")
        .port(Port::http(9696))
        .env("PROWLARR__AUTH__METHOD", "Forms")
        .env("PROWLARR__AUTH__REQUIRED", "Enabled")
        .env("PROWLARR__LOG__DBENABLED", "False")
        .env_secret("PROWLARR__AUTH__APIKEY", secret("prowlarr", "API_KEY"))
        .probe(Probe::http("/ping"))
        .requests(Cpu::m(50), Memory::mi(192))
        .memory_limit(Memory::mi(512))
        .volume(
            Volume::claim("config", "/config", Memory::gi(1))
                .no_backup("not in the backup table: indexers are quick to re-add"),
        )
        // Prowlarr pushes its indexers to the *arrs through their APIs (Settings → Apps):
        // it opens these connections, no dependency implies them.
        .talks_to("radarr", "http")
        .talks_to("sonarr", "http")
        .talks_to("lidarr", "http")
        .egress_internet("queries the torrent indexers")
        .https("prowlarr")
}
