//! Jellyseerr: media requests for Jellyfin users. Runs Seerr, the maintained successor
//! that Jellyseerr merged into (same config layout).
use crate::prelude::*;

pub fn app() -> App {
    App::new("jellyseerr", MEDIA)
        .describe("Media request portal (Seerr)")
        .image("ghcr.io/seerr-team/seerr:v3.4.1")
        .port(Port::http(5055))
        .env("LOG_LEVEL", "info")
        .probe(Probe::http("/api/v1/status"))
        .requests(Cpu::m(50), Memory::mi(256))
        .memory_limit(Memory::gi(1))
        .volume(
            Volume::claim("config", "/app/config", Memory::gi(2))
                .no_backup("not in the backup table: request history only"),
        )
        .depends_on("jellyfin")
        .depends_on("radarr")
        .depends_on("sonarr")
        .egress_internet("looks titles up on TMDB")
        .https("requests")
}
