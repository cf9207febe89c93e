//! portkey: a typed model of a whole home-lab Kubernetes cluster, compiled into the
//! Kubernetes, Volsync and Argo CD YAML that Argo CD deploys from Git.
//!
//! This package is the catalogue, and only that: the inventory ([`cluster`], `cluster.rs`)
//! and the apps and chart releases of `apps/` ([`apps`], discovered by `build.rs`). The
//! pipeline and the commands are [`portkey_cli`], re-exported here whole, so `portkey::`
//! reaches everything; an app edit recompiles only this package (README, "The edit loop").

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
    pub use portkey_compile::argocd::{health_customization, health_customization_of};
    pub use portkey_compile::crd;
    pub use portkey_compile::crd::cert_manager::cluster_issuer_annotation;
    pub use portkey_model::prelude::*;
    pub use serde_json::json;
}

pub use portkey_cli::*;

use portkey_cli::portkey_render::Tree;
use portkey_model::app::App;
use portkey_model::chart::Chart;

/// This repository's catalogue, for the commands ([`portkey_cli::command::main`]).
pub const REPOSITORY: Repository = Repository {
    cluster: cluster::portkey,
    apps: catalogue,
    charts,
};

/// The Portkey catalogue: every app in `apps/`.
pub fn catalogue() -> Vec<App> {
    apps::all()
}

/// The infrastructure: every chart release in `apps/` (files with `pub fn chart()`).
pub fn charts() -> Vec<Chart> {
    apps::charts()
}

/// Exactly the tree `cargo run -- render` writes: the Portkey inventory, every app and every
/// chart release of `apps/`.
pub fn render_repository() -> Result<Tree, Error> {
    REPOSITORY.tree()
}
