//! The compact record each object leaves for the lints across objects
//! ([`super::check_catalogue`]): kept for every object of a render until those lints run.

use std::fmt;
use std::sync::Arc;

use portkey_model::{Packed, PackedBuilder};
use serde_json::Value;

/// A label map, sorted by key: a view of a run of [`Links`]' parts (keys and values
/// alternating).
#[derive(Clone, Copy)]
pub(super) struct Labels<'a> {
    links: &'a Links,
    /// The parts of the pairs: `parts[start..end]`.
    start: usize,
    end: usize,
}

impl<'a> Labels<'a> {
    /// The value of label `key`.
    pub(super) fn get(&self, key: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let links = self.links;
        (self.start..self.end)
            .step_by(2)
            .map(move |i| (links.text(i), links.text(i + 1)))
    }
}

/// As a map: `{"app": "web"}`, the way the findings have always printed a selector.
impl fmt::Debug for Labels<'_> {
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

/// The parts of a [`Summary`] only some objects have (selectors, pod template labels,
/// hosts, references, a produced Secret), in two allocations: every string of them
/// concatenated, and for each part what it is and where it ends. A struct of `Vec`s,
/// boxed label slices and a `String` per reference took about twice as much (README,
/// "Memory").
#[derive(Clone, Debug)]
pub(super) struct Links(Packed<Part>);

/// What one part of [`Links`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// Opens the Service's selector (no text): its pairs follow.
    Selector,
    /// Opens the pod template's labels (no text): its pairs follow.
    Template,
    /// A label key; its value is the next part.
    Key,
    /// A label value.
    Value,
    /// An Ingress rule's host.
    Host,
    /// The kind of a referenced object; its name is the next part.
    RefKind,
    /// The name of a referenced object.
    RefName,
    /// The Secret an ExternalSecret produces.
    ProducesSecret,
}

impl Links {
    /// The text of part `i`.
    fn text(&self, i: usize) -> &str {
        self.0.text(i)
    }

    /// The label map that part `open` opens, if there is one.
    fn labels(&self, open: Part) -> Option<Labels<'_>> {
        let at = (0..self.0.len()).position(|i| self.0.tag(i) == open)?;
        let start = at + 1;
        let end = start
            + (start..self.0.len())
                .take_while(|&i| matches!(self.0.tag(i), Part::Key | Part::Value))
                .count();
        Some(Labels {
            links: self,
            start,
            end,
        })
    }

    /// The texts of every part of kind `part`.
    fn each(&self, part: Part) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(p, _)| *p == part)
            .map(|(_, text)| text)
    }
}

/// Writes a [`Links`]: the parts in order, then [`LinksBuilder::finish`].
#[derive(Default)]
pub(super) struct LinksBuilder(PackedBuilder<Part>);

impl LinksBuilder {
    fn push(&mut self, part: Part, text: &str) {
        self.0.push(part, text);
    }

    /// A Service's selector.
    pub(super) fn selector(&mut self, labels: &[(&str, &str)]) {
        self.label_map(Part::Selector, labels);
    }

    /// A pod template's labels.
    pub(super) fn template_labels(&mut self, labels: &[(&str, &str)]) {
        self.label_map(Part::Template, labels);
    }

    fn label_map(&mut self, open: Part, labels: &[(&str, &str)]) {
        self.push(open, "");
        for (k, v) in labels {
            self.push(Part::Key, k);
            self.push(Part::Value, v);
        }
    }

    /// An Ingress rule's host.
    pub(super) fn host(&mut self, host: &str) {
        self.push(Part::Host, host);
    }

    /// A reference to the object `kind` `name` in the same namespace.
    pub(super) fn reference(&mut self, kind: &str, name: &str) {
        self.push(Part::RefKind, kind);
        self.push(Part::RefName, name);
    }

    /// The Secret an ExternalSecret produces.
    pub(super) fn produces_secret(&mut self, name: &str) {
        self.push(Part::ProducesSecret, name);
    }

    /// The links, or `None` when there are none.
    pub(super) fn finish(self) -> Option<Box<Links>> {
        (!self.0.is_empty()).then(|| Box::new(Links(self.0.finish())))
    }
}

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
    /// A Service's selector (`spec.selector`), if it has one.
    pub(super) fn selector(&self) -> Option<Labels<'_>> {
        self.links.as_deref()?.labels(Part::Selector)
    }
    /// A workload's pod template labels, if it has a pod template.
    pub(super) fn template_labels(&self) -> Option<Labels<'_>> {
        self.links.as_deref()?.labels(Part::Template)
    }
    /// An Ingress's hosts.
    pub(super) fn hosts(&self) -> impl Iterator<Item = &str> {
        self.links
            .as_deref()
            .into_iter()
            .flat_map(|l| l.each(Part::Host))
    }
    /// The objects this one refers to, `(kind, name)`, sorted and without repeats.
    pub(super) fn refs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.links.as_deref().into_iter().flat_map(|l| {
            (0..l.0.len())
                .filter(move |&i| l.0.tag(i) == Part::RefKind)
                .map(move |i| (l.text(i), l.text(i + 1)))
        })
    }
    /// The Secret an ExternalSecret produces.
    pub(super) fn produces_secret(&self) -> Option<&str> {
        self.links.as_deref()?.each(Part::ProducesSecret).next()
    }
}

/// The string values of a JSON map, sorted by key.
pub(super) fn string_map(v: Option<&Value>) -> Option<Vec<(&str, &str)>> {
    v.and_then(Value::as_object).map(|m| {
        let mut labels: Vec<(&str, &str)> = m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.as_str(), s)))
            .collect();
        labels.sort_unstable();
        labels
    })
}
