//! portkey's model of a home-lab cluster: the inventory (nodes, hardware, storage) and the
//! apps that run on it, plus [`resolve()`], which checks the whole catalogue against the
//! inventory and works out placement, storage and backups.
//!
//! This crate does no IO and knows nothing about Kubernetes object types; the compile crate
//! turns a [`resolve::Catalogue`] into objects.

pub mod alertmanager;
pub mod analysis;
pub mod apimachinery;
pub mod app;
pub mod backup;
pub mod chart;
pub mod cluster;
pub mod components;
pub mod error;
pub mod json;
pub mod lint;
pub mod names;
pub mod network;
pub mod packed;
pub mod quantity;
pub mod resolve;
pub mod secret_names;
pub mod secret_store;
pub mod secrets;
pub mod sorted_set;

pub use error::{ModelError, ModelErrors};
pub use packed::{Packed, PackedBuilder};
pub use resolve::{Catalogue, resolve, resolve_all, resolve_partial};
pub use secret_names::{SecretNames, SecretNamesBuilder};
pub use sorted_set::SortedSet;

/// Everything an app file needs: `use portkey_model::prelude::*;`.
pub mod prelude {
    pub use crate::app::{App, BackgroundJob, Exception, Namespace, Port, Probe, Volume, secret};
    pub use crate::backup::{Backup, Retention};
    pub use crate::chart::{Chart, PodSecurity};
    pub use crate::cluster::{
        AccessMode, DeviceRef, GpuVendor, NfsShareRef, NodeRef, SerialAdapter, StorageClassRef,
    };
    pub use crate::lint::Lint;
    pub use crate::quantity::{Cpu, Memory};
}
