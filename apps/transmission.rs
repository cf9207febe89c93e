//! Transmission: BitTorrent client. Downloads land in `downloads/` on the media share, the
//! mount the *arrs share, so their imports are hardlinks rather than copies.
use crate::prelude::*;

pub fn app() -> App {
    let rpc = |k| secret("transmission", k);
    App::new("transmission", MEDIA)
        .describe("BitTorrent client")
        .image("ghcr.io/home-operations/transmission:4.1.3")
        .port(Port::http(9091))
        .port(Port::tcp("peer-tcp", 51413).lan())
        .port(Port::udp("peer-udp", 51413).lan())
        // The router forwards the peer port to this address.
        .lan_address(TORRENT_ADDRESS)
        .env("TRANSMISSION__DOWNLOAD_DIR", "/media/downloads/complete")
        .env(
            "TRANSMISSION__INCOMPLETE_DIR",
            "/media/downloads/incomplete",
        )
        .env("TRANSMISSION__PEER_PORT", "51413")
        // Reached through the ingress: authenticate, don't whitelist.
        .env("TRANSMISSION__RPC_WHITELIST_ENABLED", "false")
        .env("TRANSMISSION__RPC_HOST_WHITELIST_ENABLED", "false")
        .env("TRANSMISSION__RPC_AUTHENTICATION_REQUIRED", "true")
        .env_secret("TRANSMISSION__RPC_USERNAME", rpc("RPC_USERNAME"))
        .env_secret("TRANSMISSION__RPC_PASSWORD", rpc("RPC_PASSWORD"))
        .requests(Cpu::m(100), Memory::mi(256))
        .memory_limit(Memory::gi(1))
        .volume(
            Volume::claim("config", "/config", Memory::gi(1))
                .no_backup("not in the backup table: settings and resume files only"),
        )
        .volume(Volume::nfs("media", "/media", NFS_PLEX))
        .egress_internet("connects to torrent peers and trackers")
        .ingress_internet("torrent peers, through the router's forward of the peer port")
        .https("transmission")
}
