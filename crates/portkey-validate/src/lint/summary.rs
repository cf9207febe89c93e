//! The compact record each object leaves for the lints across objects
//! ([`super::check_catalogue`]): kept for every object of a render until those lints run.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

/// A label map, sorted by key: a boxed slice rather than a `BTreeMap`, whose smallest node
/// holds room for eleven entries (about 540 bytes for a map of one or two labels).
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Labels(Box<[(Box<str>, Box<str>)]>);

impl Labels {
    /// The value of label `key`.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .map(|i| &*self.0[i].1)
    }
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, &**v))
    }
}

/// As a map: `{"app": "web"}`, the way the findings have always printed a selector.
impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// What the cross-object lints need to know about one object, compactly: one is kept for
/// every object of a render until the lints across objects have run (16,054 of them at
/// N = 2,000), so it is three words and a box where most objects need no more.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The model file, shared by the objects of one work item ([`super::check_object_shared`]).
    pub(super) source: Arc<str>,
    /// `kind`, `namespace` and `name`, in one allocation.
    pub(super) id: Id,
    /// What only some objects have (selectors, pod templates, hosts, references, a produced
    /// Secret); `None` for the rest.
    pub(super) links: Option<Box<Links>>,
}

/// `kind`, `namespace` (empty when cluster-scoped) and `name`, concatenated, with where the
/// first two end.
#[derive(Clone, Debug)]
pub(super) struct Id {
    text: Box<str>,
    kind_end: u32,
    namespace_end: u32,
}

impl Id {
    pub(super) fn new(kind: &str, namespace: &str, name: &str) -> Self {
        // A length past u32::MAX saturates; `get` then keeps every slice in bounds.
        let end = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            text: [kind, namespace, name].concat().into_boxed_str(),
            kind_end: end(kind.len()),
            namespace_end: end(kind.len() + namespace.len()),
        }
    }
    pub(super) fn kind(&self) -> &str {
        self.text.get(..self.kind_end as usize).unwrap_or_default()
    }
    pub(super) fn namespace(&self) -> &str {
        self.text
            .get(self.kind_end as usize..self.namespace_end as usize)
            .unwrap_or_default()
    }
    pub(super) fn name(&self) -> &str {
        self.text
            .get(self.namespace_end as usize..)
            .unwrap_or_default()
    }
}

/// The parts of a [`Summary`] only some objects have.
#[derive(Clone, Debug, Default)]
pub(super) struct Links {
    pub(super) selector: Option<Labels>,
    pub(super) template_labels: Option<Labels>,
    pub(super) hosts: Vec<String>,
    pub(super) refs: Vec<(&'static str, String)>,
    pub(super) produces_secret: Option<String>,
}

impl Links {
    pub(super) fn is_empty(&self) -> bool {
        self.selector.is_none()
            && self.template_labels.is_none()
            && self.hosts.is_empty()
            && self.refs.is_empty()
            && self.produces_secret.is_none()
    }
}

/// No links, for the objects that have none.
static NO_LINKS: Links = Links {
    selector: None,
    template_labels: None,
    hosts: Vec::new(),
    refs: Vec::new(),
    produces_secret: None,
};

impl Summary {
    pub(super) fn kind(&self) -> &str {
        self.id.kind()
    }
    pub(super) fn namespace(&self) -> &str {
        self.id.namespace()
    }
    pub(super) fn name(&self) -> &str {
        self.id.name()
    }
    pub(super) fn links(&self) -> &Links {
        self.links.as_deref().unwrap_or(&NO_LINKS)
    }
}

pub(super) fn string_map(v: Option<&Value>) -> Option<Labels> {
    v.and_then(Value::as_object).map(|m| {
        let mut labels: Vec<(Box<str>, Box<str>)> = m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str().into(), s.into())))
            .collect();
        labels.sort();
        Labels(labels.into_boxed_slice())
    })
}
