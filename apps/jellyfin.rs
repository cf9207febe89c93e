//! Jellyfin: media server with Intel Quick Sync transcoding on the N100 nodes; reads the
//! library from the NFS media share.
use crate::prelude::*;

pub fn app() -> App {
    let url = format!("https://jellyfin.{DOMAIN}");
    App::new("jellyfin", MEDIA)
        .describe("Media server (Intel GPU transcoding)")
        .image("ghcr.io/jellyfin/jellyfin:10.11.11")
        .port(Port::http(8096))
        .env("JELLYFIN_PublishedServerUrl", &url)
        .probe(Probe::http("/health"))
        .startup(Probe::http("/health").allow(30, 10))
        .requests(Cpu::m(500), Memory::gi(1))
        .memory_limit(Memory::gi(4))
        .volume(
            Volume::claim("config", "/config", Memory::gi(20))
                .no_backup("not in the backup table: a library rescan rebuilds it"),
        )
        // The image's JELLYFIN_CACHE_DIR: artwork cache and transcodes.
        .volume(Volume::scratch("cache", "/cache"))
        .volume(Volume::nfs("media", "/media", NFS_PLEX).read_only())
        .gpu(GpuVendor::Intel)
        .https("jellyfin")
}
