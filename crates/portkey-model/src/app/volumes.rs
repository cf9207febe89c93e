//! Volumes: claims, NFS shares, scratch space, and config files.
//!
//! A volume is declared through its kind — [`Volume::claim`] gives a [`ClaimVolume`],
//! [`Volume::nfs`] an [`NfsVolume`], [`Volume::scratch`] a [`ScratchVolume`] — and each kind
//! has only the methods that apply to it, so applying one to the wrong kind does not compile.
//! [`App::volume`] takes any of them.
//!
//! ```
//! use portkey_model::prelude::*;
//! const SHARE: NfsShareRef = NfsShareRef::new("media");
//! const RETAIN: StorageClassRef = StorageClassRef::new("ceph-block-retain");
//! let ns = Namespace::new("media");
//! App::new("jellyfin", ns)
//!     .volume(Volume::claim("config", "/config", Memory::gi(1)).class(RETAIN).backup(Backup::daily()))
//!     .volume(Volume::claim("cache", "/cache", Memory::gi(1)).access(AccessMode::ReadWriteMany).no_backup("a cache"))
//!     .volume(Volume::nfs("media", "/media", SHARE).sub_path("films").read_only())
//!     .volume(Volume::scratch("shm", "/dev/shm").in_memory(Memory::mi(64)));
//! ```
//!
//! NFS data is backed up on the NFS server, and a scratch volume holds nothing that
//! survives a restart; `.backup(..)` on either fails to compile with a message that says so
//! ([`NfsIsBackedUpOnItsServer`], [`ScratchVolumesHoldNoData`]):
//!
//! ```compile_fail,E0277
//! use portkey_model::prelude::*;
//! const SHARE: NfsShareRef = NfsShareRef::new("media");
//! let _ = Volume::nfs("media", "/media", SHARE).backup(Backup::daily());
//! ```
//!
//! ```compile_fail,E0277
//! use portkey_model::prelude::*;
//! let _ = Volume::scratch("cache", "/cache").backup(Backup::daily());
//! ```
//!
//! Only claims have a storage class, an access mode or a backup exemption:
//!
//! ```compile_fail,E0599
//! use portkey_model::prelude::*;
//! const RETAIN: StorageClassRef = StorageClassRef::new("ceph-block-retain");
//! let _ = Volume::scratch("tmp", "/tmp").class(RETAIN);
//! ```
//!
//! ```compile_fail,E0599
//! use portkey_model::prelude::*;
//! const SHARE: NfsShareRef = NfsShareRef::new("media");
//! let _ = Volume::nfs("media", "/media", SHARE).access(AccessMode::ReadWriteMany);
//! ```
//!
//! ```compile_fail,E0599
//! use portkey_model::prelude::*;
//! let _ = Volume::scratch("tmp", "/tmp").no_backup("scratch");
//! ```
//!
//! Only NFS volumes have a sub-path, and only scratch volumes live in memory:
//!
//! ```compile_fail,E0599
//! use portkey_model::prelude::*;
//! let _ = Volume::claim("data", "/data", Memory::gi(1)).sub_path("x");
//! ```
//!
//! ```compile_fail,E0599
//! use portkey_model::prelude::*;
//! let _ = Volume::claim("data", "/data", Memory::gi(1)).in_memory(Memory::mi(64));
//! ```

use super::{App, SecretKey};
use crate::backup::{Backup, BackupChoice};
use crate::cluster::{AccessMode, NfsShareRef, StorageClassRef};
use crate::quantity::Memory;

/// A volume mounted into the app's container, of kind `K`: a [`Volume`] (any kind), or
/// while it is being declared a [`ClaimVolume`], [`NfsVolume`] or [`ScratchVolume`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct VolumeOf<K> {
    /// Volume name; a claim is named `<app>-<name>`.
    pub name: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Where the data lives.
    pub source: K,
}

/// A volume of any kind, as the app holds it.
pub type Volume = VolumeOf<VolumeSource>;
/// A PersistentVolumeClaim being declared ([`Volume::claim`]).
pub type ClaimVolume = VolumeOf<Claim>;
/// An NFS export being declared ([`Volume::nfs`]).
pub type NfsVolume = VolumeOf<NfsMount>;
/// Scratch space being declared ([`Volume::scratch`]).
pub type ScratchVolume = VolumeOf<Scratch>;

/// Where a volume's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum VolumeSource {
    /// A PersistentVolumeClaim the app owns.
    Claim(Claim),
    /// An NFS export, optionally a sub-directory of it.
    Nfs(NfsMount),
    /// Scratch space that lives as long as the pod (`emptyDir`).
    EmptyDir(Scratch),
}

/// A PersistentVolumeClaim.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Claim {
    /// Requested size.
    pub size: Memory,
    /// Storage class (`None`: the cluster default).
    pub class: Option<StorageClassRef>,
    /// Access mode.
    pub access: AccessMode,
    /// Backed up, or why not.
    pub backup: BackupChoice,
    /// The volume's former name: the claim keeps the name it had (see
    /// [`ClaimVolume::renamed_from`]).
    pub renamed_from: Option<String>,
}

/// An NFS export mounted inline.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct NfsMount {
    /// The share.
    pub share: NfsShareRef,
    /// Sub-directory of the export.
    pub sub_path: Option<String>,
}

/// An `emptyDir`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Scratch {
    /// Backed by memory (tmpfs).
    pub memory: bool,
    /// Size limit.
    pub size_limit: Option<Memory>,
}

impl Volume {
    /// A PersistentVolumeClaim `<app>-<name>` of `size` on the cluster's default storage
    /// class, ReadWriteOnce, mounted at `mount_path`.
    pub fn claim(name: &str, mount_path: &str, size: Memory) -> ClaimVolume {
        VolumeOf::of(
            name,
            mount_path,
            Claim {
                size,
                class: None,
                access: AccessMode::ReadWriteOnce,
                backup: BackupChoice::Undeclared,
                renamed_from: None,
            },
        )
    }
    /// An NFS export mounted at `mount_path` (an inline `nfs` volume: no PV, no claim).
    pub fn nfs(name: &str, mount_path: &str, share: NfsShareRef) -> NfsVolume {
        VolumeOf::of(
            name,
            mount_path,
            NfsMount {
                share,
                sub_path: None,
            },
        )
    }
    /// An `emptyDir` scratch volume.
    pub fn scratch(name: &str, mount_path: &str) -> ScratchVolume {
        VolumeOf::of(name, mount_path, Scratch::default())
    }
}

impl<K> VolumeOf<K> {
    fn of(name: &str, mount_path: &str, source: K) -> Self {
        Self {
            name: name.into(),
            mount_path: mount_path.into(),
            read_only: false,
            source,
        }
    }
    /// Mounts read-only (`readOnly: true`).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
    /// The volume with its kind widened to [`VolumeSource`].
    fn widen(self, source: impl FnOnce(K) -> VolumeSource) -> Volume {
        VolumeOf {
            name: self.name,
            mount_path: self.mount_path,
            read_only: self.read_only,
            source: source(self.source),
        }
    }
}

impl ClaimVolume {
    /// Puts the claim on another storage class (e.g. the Retain class for critical data).
    pub fn class(mut self, class: StorageClassRef) -> Self {
        self.source.class = Some(class);
        self
    }
    /// Sets the claim's access mode.
    pub fn access(mut self, mode: AccessMode) -> Self {
        self.source.access = mode;
        self
    }
    /// Backs the claim up with Volsync/restic: a ReplicationSource on the policy's schedule
    /// into the repository named by the `<app>-volsync-secret` Secret.
    pub fn backup(mut self, backup: Backup) -> Self {
        self.source.backup = BackupChoice::Backup(backup);
        self
    }
    /// Declares that the volume was called `old` before: the claim keeps its name
    /// (`<app>-<old>`), and with it its volume, its backups and their repository; only the
    /// name in the pod (and the mount) changes. Without it, the rename makes a new, empty
    /// claim and the sync deletes the old one (render warns).
    pub fn renamed_from(mut self, old: &str) -> Self {
        self.source.renamed_from = Some(old.into());
        self
    }
    /// Declares that the claim is deliberately not backed up, and why.
    pub fn no_backup(mut self, reason: &str) -> Self {
        self.source.backup = BackupChoice::Exempt(reason.into());
        self
    }
}

/// Never implemented: it makes `.backup(..)` on an NFS volume a compile error that says why.
#[diagnostic::on_unimplemented(
    message = "an NFS volume can't be backed up by portkey: its data lives on the NFS server",
    label = "back up the export on the NFS server itself",
    note = "portkey's backups (Volsync) snapshot claims; for app data that must be backed up here, declare `Volume::claim(name, path, size)`"
)]
pub trait NfsIsBackedUpOnItsServer {}

/// Never implemented: it makes `.backup(..)` on a scratch volume a compile error that says
/// why.
#[diagnostic::on_unimplemented(
    message = "a scratch volume can't be backed up: it is an `emptyDir`, empty at every start",
    label = "scratch volumes hold nothing that survives a restart",
    note = "for data that must survive, declare `Volume::claim(name, path, size)` and back that up"
)]
pub trait ScratchVolumesHoldNoData {}

impl NfsVolume {
    /// Not available: NFS data is backed up on the NFS server. Calling it does not compile,
    /// and the compiler says so.
    #[must_use]
    pub fn backup<B: NfsIsBackedUpOnItsServer>(self, _backup: B) -> Self {
        self
    }
    /// Mounts a sub-directory of the export (appended to the export path).
    pub fn sub_path(mut self, path: &str) -> Self {
        self.source.sub_path = Some(path.into());
        self
    }
}

impl ScratchVolume {
    /// Not available: a scratch volume is empty at every start. Calling it does not compile,
    /// and the compiler says so.
    #[must_use]
    pub fn backup<B: ScratchVolumesHoldNoData>(self, _backup: B) -> Self {
        self
    }
    /// Caps the `emptyDir` on the node's disk (`sizeLimit`): the kubelet evicts the pod when
    /// it grows past `limit`, instead of letting it fill the node's ephemeral storage.
    pub fn size_limit(mut self, limit: Memory) -> Self {
        self.source.size_limit = Some(limit);
        self
    }
    /// Backs the `emptyDir` with memory (`medium: Memory`) and caps it.
    pub fn in_memory(mut self, limit: Memory) -> Self {
        self.source = Scratch {
            memory: true,
            size_limit: Some(limit),
        };
        self
    }
}

impl From<ClaimVolume> for Volume {
    fn from(v: ClaimVolume) -> Self {
        v.widen(VolumeSource::Claim)
    }
}

impl From<NfsVolume> for Volume {
    fn from(v: NfsVolume) -> Self {
        v.widen(VolumeSource::Nfs)
    }
}

impl From<ScratchVolume> for Volume {
    fn from(v: ScratchVolume) -> Self {
        v.widen(VolumeSource::EmptyDir)
    }
}

/// A file mounted from the app's ConfigMap `<app>-config`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct ConfigFile {
    /// Absolute path in the container; its file name is the ConfigMap key.
    pub path: String,
    /// File content (not secret).
    pub content: String,
}

/// A file mounted from one key of a Secret created outside Git (listed in BOOTSTRAP.md):
/// a password file, whose content never enters the model or `generated/`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct SecretFile {
    /// Absolute path in the container.
    pub path: String,
    /// The Secret and key holding the file's content.
    pub key: SecretKey,
}

impl App {
    /// Mounts the Secret key `key` as the file `path`: a `secret` volume
    /// `secret-<secret>` (mode 0440, so readable by the pod's fsGroup and nobody else) and a
    /// read-only `subPath` mount. The Secret is created by hand, and BOOTSTRAP.md lists it
    /// with the key.
    pub fn secret_file(mut self, path: &str, key: SecretKey) -> Self {
        self.secret_files.push(SecretFile {
            path: path.into(),
            key,
        });
        self
    }
    /// Adds a volume of any kind.
    pub fn volume(mut self, volume: impl Into<Volume>) -> Self {
        self.volumes.push(volume.into());
        self
    }
    /// Removes the default `/tmp` scratch volume.
    pub fn no_tmp(mut self) -> Self {
        self.volumes
            .retain(|v| !(v.name == "tmp" && v.mount_path == "/tmp"));
        self
    }
    /// Mounts `content` at `path` from the generated ConfigMap `<app>-config`.
    pub fn config_file(mut self, path: &str, content: &str) -> Self {
        self.config_files.push(ConfigFile {
            path: path.into(),
            content: content.into(),
        });
        self
    }
}
