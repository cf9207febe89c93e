// The catalogue, compiled twice from this one file: into the library (`src/lib.rs`, over
// the static `portkey_cli`) and into the debug binary (`src/main.rs`, over the
// `portkey_dylib` shared library). Its paths name the pipeline's crates through the crate
// root (`crate::portkey_model`), which each of the two points at its own link of them.

#[path = "../cluster.rs"]
pub mod cluster;

/// The apps of `apps/`, one module per file, discovered by `build.rs`.
#[allow(missing_docs, clippy::pedantic)]
pub mod apps {
    include!(concat!(env!("OUT_DIR"), "/apps.rs"));
}

/// What app files import: the model's vocabulary and the inventory's constants, and for
/// chart releases the kinds portkey emits: `crd::volsync::GROUP` for the CRDs a release
/// installs or needs, and the config keys and annotations named after a kind or group.
pub mod prelude {
    pub use crate::cluster::*;
    pub use crate::portkey_compile::argocd::{health_customization, health_customization_of};
    pub use crate::portkey_compile::crd;
    pub use crate::portkey_compile::crd::cert_manager::cluster_issuer_annotation;
    pub use crate::portkey_model::prelude::*;
    pub use crate::serde_json::json;
}

/// This repository's catalogue, for the commands ([`command::main`]).
pub const REPOSITORY: Repository = Repository {
    cluster: cluster::portkey,
    apps: catalogue,
    charts,
};

/// The Portkey catalogue: every app in `apps/`.
pub fn catalogue() -> Vec<crate::portkey_model::app::App> {
    apps::all()
}

/// The infrastructure: every chart release in `apps/` (files with `pub fn chart()`).
pub fn charts() -> Vec<crate::portkey_model::chart::Chart> {
    apps::charts()
}
