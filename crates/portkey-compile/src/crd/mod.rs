//! Custom resource types portkey emits, declared with `kube`'s derive so each carries its
//! `apiVersion` and `kind`. Field names follow the upstream CRDs exactly (`sourcePVC`,
//! `repoURL`); empty fields are never printed.

pub mod argocd;
pub mod cert_manager;
pub mod external_secrets;
pub mod intel;
pub mod monitoring;
pub mod snapshot;
pub mod volsync;
