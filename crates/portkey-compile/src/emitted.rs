//! What each component emits, summarised as its objects are built: the groups and kinds of
//! its objects (read from the [`Object`] variant, never by serializing), the custom groups
//! whose CRDs they need, and the groups of the CRDs among them. Sync waves ([`waves`]) and
//! the AppProject whitelists are computed from these summaries, so no list of groups
//! predicts what compilation emits.

use std::collections::BTreeMap;

use portkey_model::chart::Capability;
use portkey_model::components::Component;
use portkey_model::resolve::Catalogue;
use portkey_model::{ModelErrors, SortedSet};

use crate::{Manifest, Object};

/// An API group and kind; the core group is `""`.
pub type GroupKind = (&'static str, &'static str);

/// The groups and kinds one component's objects are of.
///
/// Sorted sets in `Vec`s ([`SortedSet`]) rather than `BTreeSet`s, because one is kept per
/// component until the waves are computed: at N = 20,000 apps the B-tree nodes (eleven
/// slots each, for the one namespace and the half dozen kinds of an app) held about 20 MB
/// at the render's peak (README, "Memory").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Emitted {
    /// Kinds of the cluster-scoped objects.
    pub cluster_scoped: SortedSet<GroupKind>,
    /// Kinds of the namespaced objects, by namespace (sorted by namespace).
    pub namespaced: Vec<(String, SortedSet<GroupKind>)>,
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
        let kind = (object.group(), object.kind());
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

/// What every component emits, by component name.
pub type Summaries = BTreeMap<String, Emitted>;

/// The components with their dependencies and sync waves: the model's declared needs, plus
/// the CRDs each component's objects need and define ([`Emitted`]).
pub fn waves(
    catalogue: &Catalogue<'_>,
    summaries: &Summaries,
) -> Result<Vec<Component>, ModelErrors> {
    let mut all = portkey_model::components::components(catalogue);
    for c in &mut all {
        if let Some(e) = summaries.get(&c.name) {
            c.needs
                .extend(e.needs_crds.iter().map(|g| Capability::Crds((*g).into())));
            c.provides
                .extend(e.defines_crds.iter().cloned().map(Capability::Crds));
        }
    }
    portkey_model::components::waves(all, &catalogue.charts).map_err(ModelErrors)
}
