//! [`Summaries`]: what every component emits, kept as the sync waves and the AppProjects
//! read it, from compilation until the AppProjects are built.
//!
//! A cluster part or a chart release is kept whole ([`Emitted`]). An app is folded in as it
//! is added: its namespaced kinds join its namespace's (the whitelist of that namespace's
//! AppProject, which is all the projects read of an app), and only the CRDs its objects
//! need and define are kept by name (all the waves read). At N = 20,000 apps, what each app
//! emitted was held whole, one `Emitted` and its lists per app, at the render's peak (README,
//! "Memory").

use std::collections::BTreeMap;

use portkey_model::SortedSet;

use crate::{Emitted, KindId};

/// What every component emits, by component: see the module's documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summaries {
    /// Each cluster part's and chart release's, whole, by component name.
    parts: BTreeMap<String, Emitted>,
    /// Each app's CRDs, by app name: the custom groups its objects need, and the groups
    /// of the CRDs among them.
    apps: BTreeMap<String, Crds>,
    /// The kinds of every app's namespaced objects, by namespace.
    stacks: BTreeMap<String, SortedSet<KindId>>,
}

/// The CRDs one app's objects need and define.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Crds {
    needs: SortedSet<&'static str>,
    defines: SortedSet<String>,
}

impl Crds {
    fn extend(&mut self, other: Crds) {
        self.needs.extend(other.needs);
        self.defines.extend(other.defines);
    }
}

impl Summaries {
    /// No component's.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds what a cluster part or chart release `component` emits, merged into what is
    /// there already: a component compiled in pieces (the alerts part, app by app) is
    /// summarised as one.
    pub fn add_part(&mut self, component: String, emitted: Emitted) {
        self.parts.entry(component).or_default().merge(emitted);
    }

    /// Adds what the app `app` emits: its namespaced kinds into their namespaces', its
    /// CRDs by its name. Its cluster-scoped kinds are not kept: an app's AppProject allows
    /// none (`argocd`'s projects never read them).
    pub fn add_app(&mut self, app: String, emitted: Emitted) {
        let Emitted {
            cluster_scoped: _,
            namespaced,
            needs_crds,
            defines_crds,
        } = emitted;
        for (namespace, kinds) in namespaced {
            self.stacks.entry(namespace).or_default().extend(kinds);
        }
        // An app that needs and defines none is not kept: its waves follow from its model.
        if !needs_crds.is_empty() || !defines_crds.is_empty() {
            self.apps.entry(app).or_default().extend(Crds {
                needs: needs_crds,
                defines: defines_crds,
            });
        }
    }

    /// Adds everything `other` holds, as if each of its components had been added here.
    pub fn merge(&mut self, other: Summaries) {
        let Summaries {
            parts,
            apps,
            stacks,
        } = other;
        for (component, emitted) in parts {
            self.add_part(component, emitted);
        }
        for (app, crds) in apps {
            self.apps.entry(app).or_default().extend(crds);
        }
        for (namespace, kinds) in stacks {
            self.stacks.entry(namespace).or_default().extend(kinds);
        }
    }

    /// What the cluster part or chart release `component` emits, if it was added.
    pub fn part(&self, component: &str) -> Option<&Emitted> {
        self.parts.get(component)
    }

    /// The custom groups whose CRDs `component`'s objects need, and the groups of the CRDs
    /// among them; `None` if nothing was added for it.
    pub fn crds(&self, component: &str) -> Option<(&SortedSet<&'static str>, &SortedSet<String>)> {
        match self.parts.get(component) {
            Some(e) => Some((&e.needs_crds, &e.defines_crds)),
            None => self.apps.get(component).map(|c| (&c.needs, &c.defines)),
        }
    }

    /// The kinds of every app's namespaced objects, by namespace, in namespace order.
    pub fn app_kinds(&self) -> impl Iterator<Item = (&str, &SortedSet<KindId>)> {
        self.stacks.iter().map(|(ns, kinds)| (ns.as_str(), kinds))
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace};

    use super::Summaries;
    use crate::crd::volsync::ReplicationSource;
    use crate::emitted::tests::in_ns;
    use crate::{Emitted, Object};

    fn emitted(objects: &[Object]) -> Emitted {
        let mut e = Emitted::default();
        for o in objects {
            e.add(o);
        }
        e
    }

    /// An app keeps its CRDs by name and its kinds in its namespace's, a part is kept
    /// whole, and adding in blocks merged later gives what adding one by one gives.
    #[test]
    fn apps_fold_into_their_namespaces_and_blocks_merge_as_one() {
        let a = emitted(&[
            in_ns(ConfigMap::default().into(), "media"),
            in_ns(ReplicationSource::default().into(), "media"),
        ]);
        let b = emitted(&[in_ns(ConfigMap::default().into(), "home")]);
        let part = emitted(&[Namespace::default().into()]);
        let mut one = Summaries::new();
        one.add_app("a".into(), a.clone());
        one.add_part("cluster-namespaces".into(), part.clone());
        one.add_app("b".into(), b.clone());
        let (needs, defines) = one.crds("a").expect("a was added");
        assert_eq!(
            needs.iter().copied().collect::<Vec<_>>(),
            ["volsync.backube"]
        );
        assert!(defines.is_empty());
        // `b` needs no CRD: nothing is kept of it but its kinds.
        assert!(one.crds("b").is_none() && one.crds("c").is_none());
        assert_eq!(one.part("cluster-namespaces"), Some(&part));
        assert!(one.part("a").is_none());
        let stacks: Vec<(&str, usize)> = one.app_kinds().map(|(ns, k)| (ns, k.len())).collect();
        assert_eq!(stacks, [("home", 1), ("media", 2)]);

        let mut first = Summaries::new();
        first.add_app("a".into(), a);
        let mut second = Summaries::new();
        second.add_part("cluster-namespaces".into(), part);
        second.add_app("b".into(), b);
        first.merge(second);
        assert_eq!(first, one);
    }
}
