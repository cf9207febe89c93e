//! Jellyfin: media server with Intel Quick Sync transcoding on the N100 nodes; reads the
//! library from the NFS media share.
//!
//! No `.metrics(..)`: Jellyfin serves `/metrics` only with `<EnableMetrics>true` in its
//! `system.xml`, a file on the config claim that portkey does not write
//! (<https://jellyfin.org/docs/general/networking/monitoring>), and on port 8096, which
//! traefik also publishes.
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
        // The users, their passwords, watch state and playback progress live in the SQLite
        // database under /config/data; a library rescan rebuilds only the metadata, so the
        // claim is backed up. On a cluster where the claim already exists, its new
        // `dataSourceRef` cannot be applied (`portkey diff` warns: immutable): sync, take a
        // first backup, then re-create the claim as RESTORE.md's "Re-creating a claim on a
        // live cluster" says.
        .volume(Volume::claim("config", "/config", Memory::gi(20)).backup(Backup::daily()))
        // The image's JELLYFIN_CACHE_DIR: the image cache and, by default
        // (`<cache>/transcodes`), the transcoder's segments. Capped on the node's disk: a
        // transcode that outgrows it gets the pod evicted instead of filling the node.
        .volume(Volume::scratch("cache", "/cache").size_limit(Memory::gi(10)))
        .volume(Volume::nfs("media", "/media", NFS_PLEX).read_only())
        .gpu(GpuVendor::Intel)
        .egress_internet("fetches metadata and artwork (TMDB, MusicBrainz)")
        .https("jellyfin")
}
