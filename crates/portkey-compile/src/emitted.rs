//! What each component emits, summarised as its objects are built: the groups and kinds of
//! its objects (read from the [`Object`] variant, never by serializing), the custom groups
//! whose CRDs they need, and the groups of the CRDs among them. Sync waves ([`waves`]) and
//! the AppProject whitelists are computed from these summaries, so no list of groups
//! predicts what compilation emits.

use portkey_model::chart::Capability;
use portkey_model::components::Component;
use portkey_model::resolve::Catalogue;
use portkey_model::{ModelErrors, SortedSet};

use crate::{KindId, Manifest, Object, Summaries};

/// An API group and kind; the core group is `""`.
pub type GroupKind = (&'static str, &'static str);

/// The groups and kinds one component's objects are of.
///
/// Sorted sets in `Vec`s ([`SortedSet`]) rather than `BTreeSet`s, because one is kept per
/// component until the waves are computed: at N = 20,000 apps the B-tree nodes (eleven
/// slots each, for the one namespace and the half dozen kinds of an app) held about 20 MB
/// at the render's peak (README, "Memory"). The kinds are [`KindId`]s, two bytes each
/// where a [`GroupKind`] takes 32; [`KindId::group_kind`] names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Emitted {
    /// Kinds of the cluster-scoped objects.
    pub cluster_scoped: SortedSet<KindId>,
    /// Kinds of the namespaced objects, by namespace (sorted by namespace).
    pub namespaced: Vec<(String, SortedSet<KindId>)>,
    /// Custom groups of the objects: their CRDs must exist before the objects apply.
    pub needs_crds: SortedSet<&'static str>,
    /// Groups of the CustomResourceDefinitions among the objects.
    pub defines_crds: SortedSet<String>,
}

impl Emitted {
    /// The summary of `manifests`.
    pub fn of(manifests: &[Manifest]) -> Self {
        let mut out = Self::default();
        for m in manifests {
            out.add(&m.object);
        }
        out
    }

    /// Adds one object.
    pub fn add(&mut self, object: &Object) {
        let kind = object.kind_id();
        match object.namespace() {
            Some(ns) => match self
                .namespaced
                .binary_search_by(|(n, _)| n.as_str().cmp(ns))
            {
                Ok(at) => {
                    self.namespaced[at].1.insert(kind);
                }
                Err(at) => self
                    .namespaced
                    .insert(at, (ns.to_string(), std::iter::once(kind).collect())),
            },
            None => {
                self.cluster_scoped.insert(kind);
            }
        }
        if let Some(group) = object.crd_group() {
            self.needs_crds.insert(group);
        }
        if let Object::CustomResourceDefinition(crd) = object {
            self.defines_crds.insert(crd.spec.group.clone());
        }
    }
}

impl Emitted {
    /// Adds what `other` summarises: a component compiled in several pieces (the alerts
    /// part, whose apps' rules are compiled app by app) is summarised as one.
    pub fn merge(&mut self, other: Emitted) {
        let Emitted {
            cluster_scoped,
            namespaced,
            needs_crds,
            defines_crds,
        } = other;
        self.cluster_scoped.extend(cluster_scoped);
        for (ns, kinds) in namespaced {
            match self
                .namespaced
                .binary_search_by(|(n, _)| n.as_str().cmp(&ns))
            {
                Ok(at) => self.namespaced[at].1.extend(kinds),
                Err(at) => self.namespaced.insert(at, (ns, kinds)),
            }
        }
        self.needs_crds.extend(needs_crds);
        self.defines_crds.extend(defines_crds);
    }
}

/// One component's objects and their summary.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The component (its Application name).
    pub component: String,
    /// Its objects.
    pub manifests: Vec<Manifest>,
    /// What they are.
    pub emitted: Emitted,
}

impl Compiled {
    /// `manifests` of `component`, summarised.
    pub fn new(component: String, manifests: Vec<Manifest>) -> Self {
        let emitted = Emitted::of(&manifests);
        Self {
            component,
            manifests,
            emitted,
        }
    }
}

impl Compiled {
    /// Adds `other`'s objects, of the same component, and what they emit.
    pub fn absorb(&mut self, other: Compiled) {
        debug_assert_eq!(self.component, other.component);
        self.manifests.extend(other.manifests);
        self.emitted.merge(other.emitted);
    }
}

/// The components with their dependencies and sync waves: the model's declared needs, plus
/// the CRDs each component's objects need and define ([`Emitted`]).
pub fn waves(
    catalogue: &Catalogue<'_>,
    summaries: &Summaries,
) -> Result<Vec<Component>, ModelErrors> {
    let mut all = portkey_model::components::components(catalogue);
    for c in &mut all {
        if let Some((needs, defines)) = summaries.crds(&c.name) {
            c.needs
                .extend(needs.iter().map(|g| Capability::Crds((*g).into())));
            c.provides
                .extend(defines.iter().cloned().map(Capability::Crds));
        }
    }
    portkey_model::components::waves(all, &catalogue.charts).map_err(ModelErrors)
}

#[cfg(test)]
pub(crate) mod tests {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::Emitted;
    use crate::Object;
    use crate::crd::monitoring::PrometheusRule;
    use crate::crd::volsync::ReplicationSource;

    /// `object` named `x` in namespace `ns` (a ConfigMap, a PrometheusRule or a
    /// ReplicationSource).
    pub(crate) fn in_ns(mut object: Object, ns: &str) -> Object {
        let meta = ObjectMeta {
            name: Some("x".into()),
            namespace: Some(ns.into()),
            ..ObjectMeta::default()
        };
        match &mut object {
            Object::ConfigMap(o) => o.metadata = meta,
            Object::PrometheusRule(o) => o.metadata = meta,
            Object::ReplicationSource(o) => o.metadata = meta,
            _ => unreachable!("the test's kinds"),
        }
        object
    }

    /// A kind's two-byte id names its own group and kind, and two kinds never share one.
    #[test]
    fn each_kind_id_names_its_group_and_kind() {
        let objects = [
            Object::from(CustomResourceDefinition::default()),
            ConfigMap::default().into(),
            Namespace::default().into(),
            PrometheusRule::default().into(),
            ReplicationSource::default().into(),
        ];
        for o in &objects {
            assert_eq!(o.kind_id().group_kind(), (o.group(), o.kind()));
        }
        let ids: std::collections::BTreeSet<_> = objects.iter().map(Object::kind_id).collect();
        assert_eq!(ids.len(), objects.len());
    }

    /// A component summarised in pieces is summarised as it is whole, however the objects
    /// are split: namespaces shared and new, kinds repeated, CRDs needed and defined.
    #[test]
    fn merged_pieces_summarise_as_the_whole() {
        let mut crd = CustomResourceDefinition::default();
        crd.spec.group = "example.com".into();
        let objects = vec![
            in_ns(ConfigMap::default().into(), "b"),
            Object::from(Namespace::default()),
            in_ns(PrometheusRule::default().into(), "m"),
            in_ns(ReplicationSource::default().into(), "b"),
            Object::from(crd),
            in_ns(PrometheusRule::default().into(), "a"),
            in_ns(ConfigMap::default().into(), "m"),
        ];
        let mut whole = Emitted::default();
        for o in &objects {
            whole.add(o);
        }
        assert_eq!(whole.namespaced.len(), 3, "{whole:?}");
        for split in 0..=objects.len() {
            let (first, second) = objects.split_at(split);
            let mut merged = Emitted::default();
            for piece in [first, second] {
                let mut part = Emitted::default();
                for o in piece {
                    part.add(o);
                }
                merged.merge(part);
            }
            assert_eq!(merged, whole, "split at {split}");
        }
    }
}
