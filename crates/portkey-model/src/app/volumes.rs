//! Volumes: claims, NFS shares, scratch space, and config files.

use super::App;
use crate::backup::Backup;
use crate::cluster::{AccessMode, NfsShareRef, StorageClassRef};
use crate::quantity::Memory;

/// A volume mounted into the app's container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Volume {
    /// Volume name; a claim is named `<app>-<name>`.
    pub name: String,
    /// Where it is mounted.
    pub mount_path: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Where the data lives.
    pub source: VolumeSource,
    /// Builder methods applied to the wrong kind of volume (reported at resolution).
    pub misuse: Vec<String>,
}

/// Where a volume's data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VolumeSource {
    /// A PersistentVolumeClaim the app owns.
    Claim(Claim),
    /// An NFS export, optionally a sub-directory of it.
    Nfs {
        /// The share.
        share: NfsShareRef,
        /// Sub-directory of the export.
        sub_path: Option<String>,
    },
    /// Scratch space that lives as long as the pod.
    EmptyDir {
        /// Backed by memory (tmpfs).
        memory: bool,
        /// Size limit.
        size_limit: Option<Memory>,
    },
}

/// A PersistentVolumeClaim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// Requested size.
    pub size: Memory,
    /// Storage class (`None`: the cluster default).
    pub class: Option<StorageClassRef>,
    /// Access mode.
    pub access: AccessMode,
    /// Backed up, or why not.
    pub backup: BackupChoice,
}

/// Whether a claim is backed up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupChoice {
    /// Backed up with this policy.
    Backup(Backup),
    /// Not backed up, for this reason.
    Exempt(String),
    /// Nothing declared: a render error (every claim is backed up or exempt with a reason).
    Undeclared,
}

impl Volume {
    /// A PersistentVolumeClaim `<app>-<name>` of `size` on the cluster's default storage
    /// class, ReadWriteOnce, mounted at `mount_path`.
    pub fn claim(name: &str, mount_path: &str, size: Memory) -> Self {
        Self::of(
            name,
            mount_path,
            VolumeSource::Claim(Claim {
                size,
                class: None,
                access: AccessMode::ReadWriteOnce,
                backup: BackupChoice::Undeclared,
            }),
        )
    }
    /// An NFS export mounted at `mount_path` (an inline `nfs` volume: no PV, no claim).
    pub fn nfs(name: &str, mount_path: &str, share: NfsShareRef) -> Self {
        Self::of(
            name,
            mount_path,
            VolumeSource::Nfs {
                share,
                sub_path: None,
            },
        )
    }
    /// An `emptyDir` scratch volume.
    pub fn scratch(name: &str, mount_path: &str) -> Self {
        Self::of(
            name,
            mount_path,
            VolumeSource::EmptyDir {
                memory: false,
                size_limit: None,
            },
        )
    }
    fn of(name: &str, mount_path: &str, source: VolumeSource) -> Self {
        Self {
            name: name.into(),
            mount_path: mount_path.into(),
            read_only: false,
            source,
            misuse: Vec::new(),
        }
    }
    /// Mounts read-only (`readOnly: true`).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
    /// Mounts a sub-directory of an NFS export (appended to the export path).
    pub fn sub_path(mut self, path: &str) -> Self {
        if let VolumeSource::Nfs { sub_path, .. } = &mut self.source {
            *sub_path = Some(path.into());
        } else {
            self.misuse
                .push("`.sub_path(..)` applies to NFS volumes only".into());
        }
        self
    }
    /// Puts a claim on another storage class (e.g. the Retain class for critical data).
    pub fn class(mut self, class: StorageClassRef) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.class = Some(class);
        } else {
            self.misuse
                .push("`.class(..)` applies to claims only".into());
        }
        self
    }
    /// Sets a claim's access mode.
    pub fn access(mut self, mode: AccessMode) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.access = mode;
        } else {
            self.misuse
                .push("`.access(..)` applies to claims only".into());
        }
        self
    }
    /// Backs the claim up with Volsync/restic: a ReplicationSource on the policy's schedule
    /// into the repository named by the `<app>-volsync-secret` Secret.
    pub fn backup(mut self, backup: Backup) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.backup = BackupChoice::Backup(backup);
        } else {
            self.misuse.push(
                "`.backup(..)` applies to claims only (NFS data is backed up on the NFS server)"
                    .into(),
            );
        }
        self
    }
    /// Declares that the claim is deliberately not backed up, and why.
    pub fn no_backup(mut self, reason: &str) -> Self {
        if let VolumeSource::Claim(c) = &mut self.source {
            c.backup = BackupChoice::Exempt(reason.into());
        } else {
            self.misuse
                .push("`.no_backup(..)` applies to claims only".into());
        }
        self
    }
    /// Backs an `emptyDir` with memory (`medium: Memory`) and caps it.
    pub fn in_memory(mut self, limit: Memory) -> Self {
        if let VolumeSource::EmptyDir { memory, size_limit } = &mut self.source {
            *memory = true;
            *size_limit = Some(limit);
        } else {
            self.misuse
                .push("`.in_memory(..)` applies to scratch volumes only".into());
        }
        self
    }
}

/// A file mounted from the app's ConfigMap `<app>-config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigFile {
    /// Absolute path in the container; its file name is the ConfigMap key.
    pub path: String,
    /// File content (not secret).
    pub content: String,
}

impl App {
    /// Adds a volume.
    pub fn volume(mut self, volume: Volume) -> Self {
        self.volumes.push(volume);
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
