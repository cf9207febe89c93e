//! The typed objects compilation produces, and where each is written.

use k8s_openapi::Resource;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, PersistentVolumeClaim, Service};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::Serialize;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use crate::crd::CustomKind;
use crate::crd::argocd::{AppProject, Application};
use crate::crd::cert_manager::ClusterIssuer;
use crate::crd::external_secrets::ExternalSecret;
use crate::crd::intel::GpuDevicePlugin;
use crate::crd::monitoring::PrometheusRule;
use crate::crd::snapshot::VolumeSnapshotClass;
use crate::crd::volsync::{ReplicationDestination, ReplicationSource};

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
            /// The object's `apiVersion`.
            pub fn api_version(&self) -> &'static str {
                match self {
                    $(Object::$builtin(_) => <$bty>::API_VERSION,)*
                    $(Object::$custom(_) => <$cty>::API_VERSION,)*
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

/// Something done once per kind of [`Object`] (the embedded schemas are built this way).
pub trait KindVisitor {
    /// A kind every cluster serves (k8s-openapi's types).
    fn builtin<T: Resource + JsonSchema>(&mut self);
    /// A custom kind of [`crate::crd`].
    fn custom<T: CustomKind>(&mut self);
}

objects! {
    builtin {
        CustomResourceDefinition(CustomResourceDefinition),
        Namespace(Namespace),
        StorageClass(StorageClass),
        ConfigMap(ConfigMap),
        PersistentVolumeClaim(PersistentVolumeClaim),
        Deployment(Deployment),
        StatefulSet(StatefulSet),
        DaemonSet(DaemonSet),
        Service(Service),
        Ingress(Ingress),
    }
    custom {
        VolumeSnapshotClass(VolumeSnapshotClass),
        ReplicationSource(ReplicationSource),
        ReplicationDestination(ReplicationDestination),
        ExternalSecret(ExternalSecret),
        GpuDevicePlugin(GpuDevicePlugin),
        ClusterIssuer(ClusterIssuer),
        AppProject(AppProject),
        PrometheusRule(PrometheusRule),
        Application(Application),
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
