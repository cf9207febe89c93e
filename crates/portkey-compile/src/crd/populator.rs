//! Volume populators (`populator.storage.k8s.io`): portkey emits no object of this group,
//! only the `VolumePopulator` CRD itself (see [`crate::backup::volume_populator_crd`]),
//! which Volsync needs before it registers as a populator.

/// The API group of the `VolumePopulator` CRD.
pub const GROUP: &str = "populator.storage.k8s.io";
/// The kind the CRD defines.
pub const KIND: &str = "VolumePopulator";
