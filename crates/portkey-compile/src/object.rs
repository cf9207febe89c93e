//! The typed objects compilation produces, and where each is written.
//!
//! [`Object`] is the one list of the kinds portkey emits. Everything that depends on the set
//! of kinds is derived from it: each kind's `apiVersion`, group and kind (its type's
//! [`k8s_openapi::Resource`] consts, never a string here), the embedded schemas
//! ([`Object::each_kind`]), the CRDs an object needs before it applies
//! ([`Object::crd_group`]), and from those the sync waves and the AppProject whitelists
//! ([`crate::emitted`]).
//!
//! # Adding a custom kind
//!
//! 1. Its CRD type file, `crd/<group>.rs` (and `pub mod <group>;` in `crd/mod.rs`): the
//!    spec types, deriving `Clone`, `Debug`, `Default`, `Serialize` and `JsonSchema`, fields
//!    named as upstream; and one `custom_kinds!` call that spells the group and version once
//!    and lists the kind: `Kind(KindSpec): NamespaceResourceScope, plural "kinds";`
//!    (`ClusterResourceScope` for a cluster-scoped kind). A kind without a `spec` is a
//!    struct declared by hand with a `metadata` field, listed bare (`crd/snapshot.rs`).
//! 2. One line in the `custom` list of [`Object`] below:
//!    `Kind(crate::crd::<group>::Kind),`.
//! 3. The code that emits it: `Kind::new(name, spec)`, pushed `.into()` an app's or a
//!    cluster part's objects.
//! 4. Its upstream schema, `crates/portkey-validate/schemas/crds/<group>/<kind>_<version>.json`
//!    with its provenance row (that folder's `PROVENANCE.md`): the kind's default schema.
//!    A test of `portkey-validate` fails, naming the file, until it is there.
//!
//! The chart release that installs its CRDs declares `.provides_crds(crd::<group>::GROUP)`
//! (the prelude re-exports [`crate::crd`]). Then the component that emits the kind waits for
//! that release, its AppProject allows the kind, and the upstream schema validates it:
//! nothing else changes.

use k8s_openapi::Resource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::Serialize;

use crate::crd::CustomKind;

macro_rules! objects {
    (
        builtin { $($builtin:ident($bty:ty)),* $(,)? }
        custom { $($custom:ident($cty:ty)),* $(,)? }
    ) => {
        /// Every kind of object portkey emits. Each variant carries its own `apiVersion` and
        /// `kind`, and serializes them first.
        #[derive(Clone, Debug)]
        #[allow(clippy::large_enum_variant)]
        pub enum Object {
            $(
                #[doc = concat!("A `", stringify!($builtin), "`.")]
                $builtin($bty),
            )*
            $(
                #[doc = concat!("A `", stringify!($custom), "` (a custom kind).")]
                $custom($cty),
            )*
        }

        impl Object {
            /// The object's `kind`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Object::$builtin(_) => <$bty>::KIND,)*
                    $(Object::$custom(_) => <$cty>::KIND,)*
                }
            }
            /// The object's API group (`""` for the core group).
            pub fn group(&self) -> &'static str {
                match self {
                    $(Object::$builtin(_) => <$bty>::GROUP,)*
                    $(Object::$custom(_) => <$cty>::GROUP,)*
                }
            }
            /// The object's group and kind as a [`KindId`].
            pub fn kind_id(&self) -> KindId {
                match self {
                    $(Object::$builtin(_) => KindId(KindIndex::$builtin as u16),)*
                    $(Object::$custom(_) => KindId(KindIndex::$custom as u16),)*
                }
            }
            /// For a custom kind, the API group whose CRDs must exist before the object
            /// applies; `None` for the kinds every cluster serves.
            pub fn crd_group(&self) -> Option<&'static str> {
                match self {
                    $(Object::$builtin(_) => None,)*
                    $(Object::$custom(_) => Some(<$cty>::GROUP),)*
                }
            }
            /// The object's metadata.
            pub fn metadata(&self) -> &ObjectMeta {
                match self {
                    $(Object::$builtin(o) => &o.metadata,)*
                    $(Object::$custom(o) => &o.metadata,)*
                }
            }
            /// Calls `visitor` once per kind, in list order.
            pub fn each_kind(visitor: &mut impl KindVisitor) {
                $(visitor.builtin::<$bty>();)*
                $(visitor.custom::<$cty>();)*
            }
        }

        /// The position of each variant of [`Object`], for [`KindId`].
        #[repr(u16)]
        enum KindIndex {
            $($builtin,)*
            $($custom,)*
        }

        /// The API group and kind of each variant of [`Object`], in variant order.
        const GROUP_KINDS: &[(&str, &str)] = &[
            $((<$bty>::GROUP, <$bty>::KIND),)*
            $((<$cty>::GROUP, <$cty>::KIND),)*
        ];

        impl Serialize for Object {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #[allow(unreachable_patterns)]
                match self {
                    // Kinds whose fields sit at the top level (no `spec`) are serialized
                    // alphabetically by k8s-openapi; put metadata before them.
                    Object::StorageClass(o) => metadata_first(o, s),
                    Object::ConfigMap(o) => metadata_first(o, s),
                    $(Object::$builtin(o) => o.serialize(s),)*
                    $(Object::$custom(o) => o.serialize(s),)*
                }
            }
        }

        $(
            impl From<$bty> for Object {
                fn from(o: $bty) -> Self {
                    Object::$builtin(o)
                }
            }
        )*
        $(
            impl From<$cty> for Object {
                fn from(o: $cty) -> Self {
                    Object::$custom(o)
                }
            }
        )*
    };
}

/// One of the kinds [`Object`] has, as two bytes (its variant's position): what the
/// summaries kept for every component until the waves ([`crate::Emitted`]) hold, where an
/// API group and kind are two `&'static str`s of 16 bytes each. Ordered by position, not
/// by name: [`KindId::group_kind`] gives the names, to sort by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindId(u16);

impl KindId {
    /// The API group (`""` for the core group) and kind.
    pub fn group_kind(self) -> crate::emitted::GroupKind {
        // Invariant: a `KindId` is made only by `Object::kind_id`, from a variant's position.
        GROUP_KINDS[usize::from(self.0)]
    }
}

/// Something done once per kind of [`Object`] (the embedded schemas are built this way).
pub trait KindVisitor {
    /// A kind every cluster serves (k8s-openapi's types).
    fn builtin<T: Resource + JsonSchema>(&mut self);
    /// A custom kind of [`crate::crd`].
    fn custom<T: CustomKind>(&mut self);
}

objects! {
    builtin {
        CustomResourceDefinition(
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition
        ),
        Namespace(k8s_openapi::api::core::v1::Namespace),
        StorageClass(k8s_openapi::api::storage::v1::StorageClass),
        ConfigMap(k8s_openapi::api::core::v1::ConfigMap),
        PersistentVolumeClaim(k8s_openapi::api::core::v1::PersistentVolumeClaim),
        Deployment(k8s_openapi::api::apps::v1::Deployment),
        StatefulSet(k8s_openapi::api::apps::v1::StatefulSet),
        DaemonSet(k8s_openapi::api::apps::v1::DaemonSet),
        Service(k8s_openapi::api::core::v1::Service),
        Ingress(k8s_openapi::api::networking::v1::Ingress),
        NetworkPolicy(k8s_openapi::api::networking::v1::NetworkPolicy),
    }
    custom {
        VolumeSnapshotClass(crate::crd::snapshot::VolumeSnapshotClass),
        ReplicationSource(crate::crd::volsync::ReplicationSource),
        ReplicationDestination(crate::crd::volsync::ReplicationDestination),
        ExternalSecret(crate::crd::external_secrets::ExternalSecret),
        ClusterSecretStore(crate::crd::external_secrets::ClusterSecretStore),
        GpuDevicePlugin(crate::crd::intel::GpuDevicePlugin),
        ClusterIssuer(crate::crd::cert_manager::ClusterIssuer),
        Issuer(crate::crd::cert_manager::Issuer),
        Certificate(crate::crd::cert_manager::Certificate),
        IPAddressPool(crate::crd::metallb::IPAddressPool),
        L2Advertisement(crate::crd::metallb::L2Advertisement),
        AppProject(crate::crd::argocd::AppProject),
        PrometheusRule(crate::crd::monitoring::PrometheusRule),
        ServiceMonitor(crate::crd::monitoring::ServiceMonitor),
        Application(crate::crd::argocd::Application),
    }
}

/// Serializes `o` with `apiVersion`, `kind` and `metadata` first, the rest in its own order.
fn metadata_first<T: Serialize, S: serde::Serializer>(o: &T, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::{Error as _, SerializeMap as _};
    let serde_json::Value::Object(map) = serde_json::to_value(o).map_err(S::Error::custom)? else {
        return Err(S::Error::custom("a Kubernetes object serializes to a map"));
    };
    let first = ["apiVersion", "kind", "metadata"];
    let mut out = s.serialize_map(Some(map.len()))?;
    for key in first {
        if let Some(v) = map.get(key) {
            out.serialize_entry(key, v)?;
        }
    }
    for (k, v) in &map {
        if !first.contains(&k.as_str()) {
            out.serialize_entry(k, v)?;
        }
    }
    out.end()
}

impl Object {
    /// The object's name.
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or_default()
    }
    /// The object's namespace, for namespaced objects.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata().namespace.as_deref()
    }
}

/// A compiled object and where it goes.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// Directory under `generated/` (`media/jellyfin`, `argocd`, `cluster`).
    pub dir: String,
    /// The model file it came from (`apps/jellyfin.rs`, `cluster.rs`).
    pub source: String,
    /// The object.
    pub object: Object,
}

impl Manifest {
    /// Path relative to `generated/`: `<dir>/<kind>-<name>.yaml`, kind lower-cased.
    pub fn path(&self) -> String {
        format!(
            "{}/{}-{}.yaml",
            self.dir,
            self.object.kind().to_ascii_lowercase(),
            self.object.name()
        )
    }
}
