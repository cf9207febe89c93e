//! Policy lints over the objects portkey is about to write.
//!
//! Per-object lints ([`check_object`]) run where each object is compiled; cross-object lints
//! ([`check_catalogue`]) run over small [`Summary`] records, so the whole catalogue never has
//! to sit in memory as JSON. A lint is suppressed by an annotation on the object carrying
//! the reason (`portkey.dev/lint-exception.<id>`, written from the app's
//! `.allow_lint(..)` or the cluster's `lint_exceptions`); security checks are satisfied by the
//! declared exceptions (`portkey.dev/exception.<key>`). Either way the reason is in the output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use portkey_model::app::{EXCEPTION_PREFIX, LINT_EXCEPTION_PREFIX, Lint};
use portkey_model::json::{at, str_at};
use serde_json::Value;

/// A lint finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Lint id (`image-digest`, `security`, ...).
    pub lint: &'static str,
    /// The model file the object came from.
    pub source: String,
    /// `Kind/name` (with namespace when it has one).
    pub object: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: [{}] {}",
            self.source, self.object, self.lint, self.message
        )
    }
}

/// Facts from the model the lints check against.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The cluster domain every Ingress host must sit in.
    pub domain: String,
    /// Secrets that exist outside Git (`(namespace, name)`), which references may name.
    pub external_secrets: portkey_model::SecretNames,
}

fn label(v: &Value) -> String {
    let kind = str_at(v, "/kind").unwrap_or("?");
    let name = str_at(v, "/metadata/name").unwrap_or("?");
    match str_at(v, "/metadata/namespace") {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// An annotation's value; a blank value counts as absent (a suppression needs a reason).
fn annotation<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    at(v, "/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
        .filter(|reason| !reason.trim().is_empty())
}

/// Runs the per-object lints on `object` (from `source`) and returns its summary.
pub fn check_object(source: &str, object: &Value) -> (Vec<Finding>, Summary) {
    check_object_shared(&Arc::from(source), object)
}

/// [`check_object`], with the summary holding `source` shared: the pipeline passes one
/// `Arc` for all the objects of a work item, so that their summaries hold the file name once.
pub fn check_object_shared(source: &Arc<str>, object: &Value) -> (Vec<Finding>, Summary) {
    let mut findings = Vec::new();
    let mut find = |lint: &'static str, message: String| {
        let excused = Lint::ALL.iter().any(|l| l.id() == lint)
            && annotation(object, &format!("{LINT_EXCEPTION_PREFIX}{lint}")).is_some();
        if !excused {
            findings.push(Finding {
                lint,
                source: source.to_string(),
                object: label(object),
                message,
            });
        }
    };
    names(object, &mut find);
    let template = at(object, "/spec/template/spec");
    if let Some(pod) = template {
        pod_lints(object, pod, &mut find);
    }
    let kind = str_at(object, "/kind").unwrap_or_default();
    let namespace = str_at(object, "/metadata/namespace").unwrap_or_default();
    let mut links = LinksBuilder::default();
    if kind == "Service"
        && let Some(selector) = string_map(at(object, "/spec/selector"))
    {
        links.selector(&selector);
    }
    if template.is_some()
        && let Some(labels) = string_map(at(object, "/spec/template/metadata/labels"))
    {
        links.template_labels(&labels);
    }
    for rule in at(object, "/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(host) = str_at(rule, "/host") {
            links.host(host);
        }
    }
    if kind == "ExternalSecret"
        && let Some(name) = str_at(object, "/spec/target/name")
    {
        links.produces_secret(name);
    }
    let mut refs = references(object, template);
    refs.sort_unstable();
    refs.dedup();
    for (kind, name) in refs {
        links.reference(kind, name);
    }
    let summary = Summary {
        source: source.clone(),
        id: Id::new(
            kind,
            namespace,
            str_at(object, "/metadata/name").unwrap_or_default(),
        ),
        links: links.finish(),
    };
    (findings, summary)
}

fn names(object: &Value, find: &mut impl FnMut(&'static str, String)) {
    let kind = str_at(object, "/kind").unwrap_or_default();
    let name = str_at(object, "/metadata/name").unwrap_or_default();
    let limit = if matches!(kind, "Service" | "Namespace") {
        63
    } else {
        253
    };
    let valid = !name.is_empty()
        && name.len() <= limit
        && name.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !p.starts_with('-')
                && !p.ends_with('-')
        })
        && (limit == 253 || !name.contains('.'));
    if !valid {
        find(
            "names",
            format!("name {name:?} is not a valid {kind} name (DNS, at most {limit} characters)"),
        );
    }
    if let Some(labels) = at(object, "/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            if v.as_str().is_some_and(|v| v.len() > 63) {
                find("names", format!("label {k} is longer than 63 characters"));
            }
        }
    }
}

fn containers(pod: &Value) -> impl Iterator<Item = (bool, &Value)> {
    let list = |key: &str, init: bool| {
        pod.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(move |c| (init, c))
    };
    list("containers", false).chain(list("initContainers", true))
}

fn pod_lints(object: &Value, pod: &Value, find: &mut impl FnMut(&'static str, String)) {
    let excepted = |key: &str| annotation(object, &format!("{EXCEPTION_PREFIX}{key}")).is_some();
    if at(pod, "/securityContext/runAsNonRoot") != Some(&Value::Bool(true))
        && !excepted("run-as-root")
        && !excepted("privileged")
    {
        find("security", "the pod may run as root: set runAsNonRoot, or declare `.allow(Exception::RunAsRoot, why)`".into());
    }
    // Pod Security `restricted` asks for a seccomp profile; portkey sets the runtime's
    // default on every pod it writes, device plugins included.
    if !matches!(
        str_at(pod, "/securityContext/seccompProfile/type"),
        Some("RuntimeDefault" | "Localhost")
    ) {
        find(
            "security",
            "the pod sets no seccomp profile: set `securityContext.seccompProfile.type: RuntimeDefault`".into(),
        );
    }
    for (init, c) in containers(pod) {
        let name = str_at(c, "/name").unwrap_or("?");
        let image = str_at(c, "/image").unwrap_or_default();
        image_lint(name, image, find);
        for (pointer, what) in [
            ("/resources/requests/cpu", "a CPU request"),
            ("/resources/requests/memory", "a memory request"),
            ("/resources/limits/memory", "a memory limit"),
        ] {
            if at(c, pointer).is_none() {
                find("resources", format!("container {name} has no {what}"));
            }
        }
        if !init {
            for probe in ["livenessProbe", "readinessProbe"] {
                if c.get(probe).is_none() {
                    find(
                        "probes",
                        format!(
                            "container {name} has no {probe}; declare one, or `.no_probes(why)`"
                        ),
                    );
                }
            }
        }
        let sc = c.get("securityContext");
        let sc_at = |p: &str| sc.and_then(|s| at(s, p));
        if sc_at("/privileged") == Some(&Value::Bool(true)) && !excepted("privileged") {
            find(
                "security",
                format!("container {name} is privileged without a declared exception"),
            );
        }
        if sc_at("/readOnlyRootFilesystem") != Some(&Value::Bool(true))
            && !excepted("writable-root-filesystem")
            && !excepted("privileged")
        {
            find(
                "security",
                format!(
                    "container {name} has a writable root filesystem without a declared exception"
                ),
            );
        }
        if sc_at("/allowPrivilegeEscalation") != Some(&Value::Bool(false))
            && !excepted("privileged")
        {
            find(
                "security",
                format!("container {name} allows privilege escalation"),
            );
        }
        let drops_all = sc_at("/capabilities/drop")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|c| c == "ALL"));
        if !drops_all && !excepted("privileged") {
            find(
                "security",
                format!("container {name} does not drop ALL capabilities"),
            );
        }
        for cap in sc_at("/capabilities/add")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let cap = cap.as_str().unwrap_or_default();
            if !excepted(&format!("capability-{}", cap.to_ascii_lowercase())) {
                find(
                    "security",
                    format!("container {name} adds capability {cap} without a declared exception"),
                );
            }
        }
    }
}

fn image_lint(container: &str, image: &str, find: &mut impl FnMut(&'static str, String)) {
    let (name, digest) = image
        .split_once('@')
        .map_or((image, None), |(n, d)| (n, Some(d)));
    let tag = name
        .rsplit('/')
        .next()
        .and_then(|last| last.split_once(':'))
        .map(|(_, t)| t);
    match tag {
        None => find(
            "image-digest",
            format!("container {container}: image {image:?} has no tag"),
        ),
        Some("latest") => find(
            "image-digest",
            format!("container {container}: image {image:?} uses `latest`"),
        ),
        Some(_) if !digest.is_some_and(|d| d.starts_with("sha256:")) => find(
            "image-digest",
            format!(
                "container {container}: image {image:?} is not pinned by digest (`@sha256:...`)"
            ),
        ),
        Some(_) => {}
    }
}

fn references<'a>(object: &'a Value, pod: Option<&'a Value>) -> Vec<(&'static str, &'a str)> {
    let mut refs = Vec::new();
    if let Some(pod) = pod {
        for v in pod
            .get("volumes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(c) = str_at(v, "/persistentVolumeClaim/claimName") {
                refs.push(("PersistentVolumeClaim", c));
            }
            if let Some(c) = str_at(v, "/configMap/name") {
                refs.push(("ConfigMap", c));
            }
            if let Some(s) = str_at(v, "/secret/secretName") {
                refs.push(("Secret", s));
            }
        }
        for (_, c) in containers(pod) {
            for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                if let Some(s) = str_at(e, "/valueFrom/secretKeyRef/name") {
                    refs.push(("Secret", s));
                }
                if let Some(s) = str_at(e, "/valueFrom/configMapKeyRef/name") {
                    refs.push(("ConfigMap", s));
                }
            }
        }
    }
    if let Some(pvc) = str_at(object, "/spec/sourcePVC") {
        refs.push(("PersistentVolumeClaim", pvc));
    }
    if let Some(repo) = str_at(object, "/spec/restic/repository") {
        refs.push(("Secret", repo));
    }
    if let Some(kind) = str_at(object, "/spec/dataSourceRef/kind")
        && kind == "ReplicationDestination"
    {
        refs.push((
            "ReplicationDestination",
            str_at(object, "/spec/dataSourceRef/name").unwrap_or_default(),
        ));
    }
    refs
}

/// Pod template labels by (namespace, label key, label value): sorted by key, each template
/// once per label it carries.
///
/// A sorted `Vec`, not a map of lists: it is built once, then only searched, and at
/// N = 20,000 a `BTreeMap` of a `Vec` per label took about three times as much at the
/// lints' peak (README, "Memory").
struct Templates<'a>(Vec<(Key<'a>, Labels<'a>)>);

/// A namespace with a label's key and value; or an object's name, namespace and kind.
type Key<'a> = (&'a str, &'a str, &'a str);

impl<'a> Templates<'a> {
    /// The templates of `summaries`, indexed by each of their labels.
    fn of(summaries: impl Iterator<Item = &'a Summary>) -> Self {
        let mut all = Vec::new();
        for s in summaries {
            if let Some(labels) = s.template_labels() {
                all.extend(labels.iter().map(|(k, v)| ((s.namespace(), k, v), labels)));
            }
        }
        // Stable: templates of one key stay in catalogue order.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        Self(all)
    }

    /// The templates in `namespace` labelled `key: value`.
    fn labelled(&self, namespace: &str, key: &str, value: &str) -> &[(Key<'a>, Labels<'a>)] {
        let at = (namespace, key, value);
        let start = self.0.partition_point(|(k, _)| *k < at);
        let end = start + self.0[start..].partition_point(|(k, _)| *k == at);
        &self.0[start..end]
    }
}

/// Whether `selector` matches a pod template in `namespace`. Only templates sharing the
/// selector's first label are compared.
fn selects_a_template(templates: &Templates<'_>, namespace: &str, selector: &Labels<'_>) -> bool {
    selector.iter().next().is_some_and(|(k, v)| {
        templates
            .labelled(namespace, k, v)
            .iter()
            .any(|(_, l)| selector.iter().all(|(k, v)| l.get(k) == Some(v)))
    })
}

/// The objects of `summaries`, as indices sorted by a hash of their key (kind, namespace,
/// name), then by the key itself, then in catalogue order: the objects of one key are
/// together, and each key's first object comes first.
///
/// Only grouping is asked of the order, never an order of names, so comparisons end at the
/// hash held beside each index, with no visit to the summary's own text (at N = 20,000,
/// sorting 180,000 indices by their names had been most of the lints' half second). Eight
/// bytes an object, where a `BTreeMap` of the keys took about 94.
struct Objects<'a, S> {
    summaries: &'a [S],
    sorted: Vec<(u32, u32)>,
    /// [`key_hash`]; a test gives every key the same hash, to hold the keys' own
    /// comparison to the same answers.
    hash: fn(&str, &str, &str) -> u32,
}

/// A hash of an object's key, the same for a summary and for a reference to look up. The
/// order it gives is never shown: findings come in catalogue order.
fn key_hash(kind: &str, namespace: &str, name: &str) -> u32 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    (kind, namespace, name).hash(&mut hasher);
    let bytes = hasher.finish().to_be_bytes();
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

impl<'a, S: std::borrow::Borrow<Summary>> Objects<'a, S> {
    fn of(summaries: &'a [S]) -> Self {
        Self::hashed_by(summaries, key_hash)
    }

    fn hashed_by(summaries: &'a [S], hash: fn(&str, &str, &str) -> u32) -> Self {
        // More than u32::MAX objects would not fit any machine this runs on; saturating
        // keeps the index in bounds all the same.
        let n = u32::try_from(summaries.len()).unwrap_or(u32::MAX);
        let mut sorted: Vec<(u32, u32)> = (0..n)
            .map(|i| {
                let (name, namespace, kind) = Self::key_of(summaries, i);
                (hash(kind, namespace, name), i)
            })
            .collect();
        // The index last: among equal keys the first in catalogue order comes first.
        sorted.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| Self::key_of(summaries, a.1).cmp(&Self::key_of(summaries, b.1)))
                .then(a.1.cmp(&b.1))
        });
        Self {
            summaries,
            sorted,
            hash,
        }
    }

    fn key_of(summaries: &'a [S], i: u32) -> Key<'a> {
        let s: &'a Summary = summaries[i as usize].borrow();
        (s.name(), s.namespace(), s.kind())
    }

    /// Whether an object `kind` `name` is in `namespace`.
    fn contains(&self, kind: &str, name: &str, namespace: &str) -> bool {
        let hash = (self.hash)(kind, namespace, name);
        self.sorted
            .binary_search_by(|&(h, i)| {
                h.cmp(&hash)
                    .then_with(|| Self::key_of(self.summaries, i).cmp(&(name, namespace, kind)))
            })
            .is_ok()
    }

    /// Every object whose key an earlier object already has, with that first one, in
    /// catalogue order of the later one.
    fn duplicates(&self) -> Vec<(&'a Summary, &'a Summary)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        let mut first = None;
        for pair in self.sorted.windows(2) {
            let ((ha, a), (hb, b)) = (pair[0], pair[1]);
            if ha == hb && Self::key_of(self.summaries, a) == Self::key_of(self.summaries, b) {
                let f = *first.get_or_insert(a);
                out.push((b, f));
            } else {
                first = None;
            }
        }
        out.sort_unstable();
        out.into_iter()
            .map(|(later, first)| {
                (
                    self.summaries[later as usize].borrow(),
                    self.summaries[first as usize].borrow(),
                )
            })
            .collect()
    }
}

/// Lints across objects: duplicates, Services that select nothing, Ingress hosts, and
/// references that do not resolve. Takes the summaries or references to them.
pub fn check_catalogue<S: std::borrow::Borrow<Summary>>(
    summaries: &[S],
    ctx: &Context,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let object = |s: &Summary| {
        if s.namespace().is_empty() {
            format!("{}/{}", s.kind(), s.name())
        } else {
            format!("{}/{}/{}", s.kind(), s.namespace(), s.name())
        }
    };
    let objects = Objects::of(summaries);
    // The first object at a key is kept; a later one is a duplicate.
    for (later, first) in objects.duplicates() {
        out.push(Finding {
            lint: "duplicates",
            source: later.source.to_string(),
            object: object(later),
            message: format!(
                "also produced by {}; kind, namespace and name must be unique",
                first.source
            ),
        });
    }
    // Secrets that exist without an object of their own: produced by an ExternalSecret, or
    // created outside Git (asked of the context, not copied: at N = 20,000 they are 40,000).
    let produced: BTreeSet<(&str, &str)> = summaries
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter_map(|s: &Summary| Some((s.produces_secret()?, s.namespace())))
        .collect();
    // Pod template labels by namespace and (selector label) key/value, so that each Service
    // looks only at workloads sharing one of its labels.
    let templates = Templates::of(summaries.iter().map(std::borrow::Borrow::borrow));
    let exists = |kind: &str, name: &str, ns: &str| {
        objects.contains(kind, name, ns)
            || (kind == "Secret"
                && (produced.contains(&(name, ns)) || ctx.external_secrets.contains(ns, name)))
    };
    let domain_suffix = format!(".{}", ctx.domain);
    let mut hosts: BTreeMap<&str, &Summary> = BTreeMap::new();
    for s in summaries {
        let s = s.borrow();
        let mut push = |lint: &'static str, message: String| {
            out.push(Finding {
                lint,
                source: s.source.to_string(),
                object: object(s),
                message,
            });
        };
        if let Some(selector) = s.selector()
            && !selects_a_template(&templates, s.namespace(), &selector)
        {
            push(
                "service-selector",
                format!(
                    "selector {selector:?} matches no workload in {}",
                    s.namespace()
                ),
            );
        }
        for h in s.hosts() {
            if !h.ends_with(&domain_suffix) {
                push(
                    "ingress-hosts",
                    format!("host {h} is outside the cluster domain {}", ctx.domain),
                );
            }
            if let Some(first) = hosts.insert(h, s) {
                hosts.insert(h, first);
                push(
                    "ingress-hosts",
                    format!("host {h} is also served by {}", object(first)),
                );
            }
        }
        for (kind, name) in s.refs() {
            if !exists(kind, name, s.namespace()) {
                push(
                    "references",
                    format!(
                        "refers to {kind} {name}, which nothing in {} provides",
                        s.namespace()
                    ),
                );
            }
        }
    }
    out
}

mod summary;
#[cfg(test)]
mod tests;

pub use summary::Summary;
use summary::{Id, Labels, LinksBuilder, string_map};
