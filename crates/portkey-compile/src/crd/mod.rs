//! Custom resource types portkey emits. Each file declares the kinds of one API group with
//! `custom_kinds!`, which spells the group and version once and implements
//! [`k8s_openapi::Resource`] for every kind, so custom kinds expose `T::GROUP`, `T::KIND` and
//! `T::API_VERSION` as constants exactly as the core kinds do. Field names follow the
//! upstream CRDs exactly (`sourcePVC`, `repoURL`); empty fields are never printed.

pub mod argocd;
pub mod cert_manager;
pub mod external_secrets;
pub mod intel;
pub mod metallb;
pub mod monitoring;
pub mod populator;
pub mod snapshot;
pub mod volsync;

/// A custom kind: what comparing its Rust type with the upstream CRD schema needs beyond
/// [`k8s_openapi::Resource`] (`portkey-validate`'s `rust_crd_types_match_the_upstream_schemas`;
/// the objects themselves are validated against the upstream schema, never this type's).
pub trait CustomKind: k8s_openapi::Resource {
    /// The type whose schema describes the object's fields besides `apiVersion`, `kind`
    /// and `metadata`: the spec, or the object itself for kinds without one.
    type Body: schemars::JsonSchema;
    /// The field [`CustomKind::Body`] sits under (`spec`), or `None` when its fields sit at
    /// the top level (`VolumeSnapshotClass`).
    const BODY_FIELD: Option<&'static str>;
}

/// Declares the kinds of one API group: the group and version are spelled once, here, and
/// become the module's `GROUP` constant and every kind's [`k8s_openapi::Resource`] consts.
///
/// `Kind(Spec)` declares the object type `Kind { metadata, spec: Spec }` (serialized as
/// `apiVersion`, `kind`, `metadata`, `spec`) with `Kind::new(name, spec)`. A bare `Kind`
/// is a type declared by hand beside the call whose fields sit at the top level; it must
/// have a `metadata` field.
macro_rules! custom_kinds {
    (
        group $group:literal, version $version:literal;
        $($(#[$doc:meta])* $kind:ident $(($spec:ty))?: $scope:ident, plural $plural:literal;)+
    ) => {
        /// The API group of this module's kinds.
        pub const GROUP: &str = $group;
        $(
            $crate::crd::custom_kinds!(@object $(#[$doc])* $kind $(($spec))?);
            impl k8s_openapi::Resource for $kind {
                const API_VERSION: &'static str = concat!($group, "/", $version);
                const GROUP: &'static str = $group;
                const KIND: &'static str = stringify!($kind);
                const VERSION: &'static str = $version;
                const URL_PATH_SEGMENT: &'static str = $plural;
                type Scope = k8s_openapi::$scope;
            }
            impl k8s_openapi::Metadata for $kind {
                type Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
                fn metadata(&self) -> &Self::Ty {
                    &self.metadata
                }
                fn metadata_mut(&mut self) -> &mut Self::Ty {
                    &mut self.metadata
                }
            }
        )+
    };
    (@object $(#[$doc:meta])* $kind:ident($spec:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default)]
        pub struct $kind {
            /// Metadata.
            pub metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            /// What the object declares.
            pub spec: $spec,
        }
        impl $kind {
            #[doc = concat!("A `", stringify!($kind), "` named `name`.")]
            pub fn new(name: &str, spec: $spec) -> Self {
                Self {
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(name.to_string()),
                        ..Default::default()
                    },
                    spec,
                }
            }
        }
        impl serde::Serialize for $kind {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct as _;
                use k8s_openapi::Resource as _;
                let mut o = s.serialize_struct(stringify!($kind), 4)?;
                o.serialize_field("apiVersion", Self::API_VERSION)?;
                o.serialize_field("kind", Self::KIND)?;
                o.serialize_field("metadata", &self.metadata)?;
                o.serialize_field("spec", &self.spec)?;
                o.end()
            }
        }
        impl $crate::crd::CustomKind for $kind {
            type Body = $spec;
            const BODY_FIELD: Option<&'static str> = Some("spec");
        }
    };
    (@object $(#[$doc:meta])* $kind:ident) => {
        impl $crate::crd::CustomKind for $kind {
            type Body = $kind;
            const BODY_FIELD: Option<&'static str> = None;
        }
    };
}
pub(crate) use custom_kinds;
