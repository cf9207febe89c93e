//! portkey: a typed model of a whole home-lab Kubernetes cluster, compiled into the
//! Kubernetes, Volsync and Argo CD YAML that Argo CD deploys from Git.
//!
//! This package is the catalogue, and only that: the inventory ([`cluster`], `cluster.rs`)
//! and the apps and chart releases of `apps/` ([`apps`], discovered by `build.rs`). The
//! pipeline and the commands are [`portkey_cli`], re-exported here whole, so `portkey::`
//! reaches everything; an app edit recompiles only this package (README, "The edit loop").

pub use portkey_cli::*;

include!("catalogue.rs");

/// Exactly the tree `cargo run -- render` writes: the Portkey inventory, every app and every
/// chart release of `apps/`.
pub fn render_repository() -> Result<portkey_render::Tree, Error> {
    REPOSITORY.tree()
}
