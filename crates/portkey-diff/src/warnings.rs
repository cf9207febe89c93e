//! The changes a reviewer must not miss, each with what it will do.
//!
//! - [`Category::Immutable`]: fields Kubernetes refuses to change in place, so Argo CD's
//!   sync fails: a workload's `spec.selector`; a StatefulSet's `volumeClaimTemplates`,
//!   `serviceName`, `podManagementPolicy`; anything in a claim's spec but a growing size; a
//!   Job's template; a StorageClass's provisioner, parameters, reclaim policy and binding
//!   mode; a Service's `clusterIP(s)`, and a `type` change (which re-creates the address).
//! - [`Category::Destructive`]: a claim, Namespace or ReplicationSource removed, an app
//!   losing its last backup, a backup schedule that runs less often, a retention that keeps
//!   less.
//! - [`Category::SyncWave`]: a changed `argocd.argoproj.io/sync-wave`.
//! - [`Category::Downgrade`]: an image tag or chart version that went down
//!   ([`crate::version`]).
//! - [`Category::Rename`]: a backed-up claim gone while a new claim appears in the same
//!   namespace.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::backup;
use crate::fields::{self, FieldChange};
use crate::version;
use crate::{ObjectKey, Objects};

/// What kind of risk a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The sync will fail: the field cannot change in place.
    Immutable,
    /// Data or backups are lost or weakened.
    Destructive,
    /// The order Argo CD applies the object in changed.
    SyncWave,
    /// An image or chart version went down.
    Downgrade,
    /// A claim looks renamed; its data does not follow.
    Rename,
}

impl Category {
    /// `immutable`, `destructive`, `sync-wave`, `downgrade`, `rename`.
    pub fn label(self) -> &'static str {
        match self {
            Category::Immutable => "immutable",
            Category::Destructive => "destructive",
            Category::SyncWave => "sync-wave",
            Category::Downgrade => "downgrade",
            Category::Rename => "rename",
        }
    }
}

/// One warning.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Warning {
    /// The kind of risk.
    pub category: Category,
    /// The app of the object.
    pub app: String,
    /// The object.
    pub object: ObjectKey,
    /// The field (a [`FieldChange::path`]), when one field is the cause.
    pub field: Option<String>,
    /// What changed, e.g. `"ceph-block" → "ceph-block-retain"`.
    pub change: String,
    /// What it will do, and what to do about it.
    pub consequence: String,
}

impl fmt::Display for Warning {
    /// `[immutable] PersistentVolumeClaim media/x (v1) spec.storageClassName: "a" → "b": ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.category.label(), self.object)?;
        if let Some(field) = &self.field {
            write!(f, " {field}")?;
        }
        write!(f, ": {}: {}", self.change, self.consequence)
    }
}

const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
const VALUE_WIDTH: usize = 80;

struct Ctx<'a> {
    key: &'a ObjectKey,
    app: &'a str,
    out: Vec<Warning>,
}

impl Ctx<'_> {
    fn warn(&mut self, category: Category, field: Option<&str>, change: String, why: String) {
        self.out.push(Warning {
            category,
            app: self.app.to_string(),
            object: self.key.clone(),
            field: field.map(str::to_string),
            change,
            consequence: why,
        });
    }
}

fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, k| v.get(k))
}

fn arrow(old: Option<&Value>, new: Option<&Value>) -> String {
    format!(
        "{} → {}",
        fields::show(old, VALUE_WIDTH),
        fields::show(new, VALUE_WIDTH)
    )
}

/// The warnings about one object that is in both trees: `fields` are its changes.
pub fn changed(
    key: &ObjectKey,
    app: &str,
    old: &Value,
    new: &Value,
    fields: &[FieldChange],
) -> Vec<Warning> {
    let mut cx = Ctx {
        key,
        app,
        out: Vec::new(),
    };
    immutable(&mut cx, old, new);
    let wave = |v: &Value| v["metadata"]["annotations"][SYNC_WAVE].clone();
    let (w0, w1) = (wave(old), wave(new));
    if w0 != w1 {
        let n = |w: &Value| w.as_str().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
        let order = match n(&w1).cmp(&n(&w0)) {
            Ordering::Less => "earlier, before objects it used to follow",
            _ => "later, after objects it used to precede",
        };
        cx.warn(
            Category::SyncWave,
            Some(&format!("metadata.annotations[\"{SYNC_WAVE}\"]")),
            format!("wave {} → {}", n(&w0), n(&w1)),
            format!("Argo CD now applies it {order}; check that everything it needs (CRDs, namespaces, storage classes) is in an earlier wave"),
        );
    }
    for f in fields.iter().filter(|f| f.leaf() == "image") {
        let (Some(Value::String(a)), Some(Value::String(b))) = (&f.old, &f.new) else {
            continue;
        };
        let (a, b) = (version::image(a), version::image(b));
        if let (true, Some(ta), Some(tb)) = (a.repository == b.repository, a.tag, b.tag)
            && version::compare(tb, ta) == Some(Ordering::Less)
        {
            cx.warn(
                Category::Downgrade,
                Some(&f.path),
                format!("{} {ta} → {tb}", a.repository),
                "the image goes down a version: the app runs older code, possibly against data a newer version has migrated; make sure this is meant (Renovate only upgrades)".into(),
            );
        }
    }
    if key.kind == "Application" {
        chart_downgrades(&mut cx, old, new);
    }
    if key.kind == "ReplicationSource" {
        backup_relaxed(&mut cx, old, new);
    }
    cx.out
}

fn immutable(cx: &mut Ctx<'_>, old: &Value, new: &Value) {
    let kind = cx.key.kind.clone();
    let recreate = format!(
        "Kubernetes rejects the change, so Argo CD's sync fails until the {kind} is deleted and re-created (sync with Replace=true, or delete it first)"
    );
    let mut fixed: Vec<&str> = match kind.as_str() {
        "Deployment" | "DaemonSet" | "ReplicaSet" => vec!["spec.selector"],
        "StatefulSet" => vec![
            "spec.selector",
            "spec.volumeClaimTemplates",
            "spec.serviceName",
            "spec.podManagementPolicy",
        ],
        "Job" => vec!["spec.selector", "spec.template"],
        "StorageClass" => vec![
            "provisioner",
            "parameters",
            "reclaimPolicy",
            "volumeBindingMode",
        ],
        "Service" => vec!["spec.clusterIP", "spec.clusterIPs"],
        _ => vec![],
    };
    let spec_keys: Vec<String>;
    if kind == "PersistentVolumeClaim" {
        // A claim's spec is immutable but for its size (which may only grow).
        let mut keys: Vec<String> = [old, new]
            .iter()
            .filter_map(|v| v["spec"].as_object())
            .flat_map(|m| m.keys().cloned())
            .filter(|k| k != "resources" && k != "volumeAttributesClassName")
            .collect();
        keys.sort();
        keys.dedup();
        spec_keys = keys.into_iter().map(|k| format!("spec.{k}")).collect();
        fixed.extend(spec_keys.iter().map(String::as_str));
        let size = "spec.resources.requests.storage";
        let (a, b) = (at(old, size), at(new, size));
        if let (Some(x), Some(y)) = (a.and_then(quantity), b.and_then(quantity))
            && y < x
        {
            cx.warn(
                Category::Immutable,
                Some(size),
                arrow(a, b),
                "a claim can only grow: Kubernetes rejects the smaller size and the sync fails; to shrink, restore into a new, smaller claim".into(),
            );
        }
    }
    for field in fixed {
        let (a, b) = (at(old, field), at(new, field));
        if a == b {
            continue;
        }
        let why = match kind.as_str() {
            "PersistentVolumeClaim" => format!(
                "a claim's spec cannot change after it is created (only its size can grow): the sync fails; a different {} means a new claim, so migrate the data (back up, then restore into the new claim) instead of editing this one",
                field.trim_start_matches("spec.")
            ),
            "StatefulSet" if field != "spec.selector" => format!(
                "{recreate}; `kubectl delete statefulset --cascade=orphan` keeps its pods and claims while it is re-created"
            ),
            "Service" => "the cluster IP cannot change in place: the sync fails until the Service is re-created, and every client holding the old address loses it".into(),
            "StorageClass" => format!("{recreate}; claims made from it keep the old settings"),
            _ => recreate.clone(),
        };
        cx.warn(Category::Immutable, Some(field), arrow(a, b), why);
    }
    if kind == "Service" {
        let (a, b) = (at(old, "spec.type"), at(new, "spec.type"));
        let t = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("ClusterIP").to_string();
        let (ta, tb) = (t(a), t(b));
        if ta != tb {
            let why = if ta == "ExternalName" || tb == "ExternalName" {
                "a Service cannot switch to or from ExternalName in place: it is re-created, its cluster IP is released or a new one allocated, and clients holding the old address break"
            } else if ta == "LoadBalancer" || tb == "LoadBalancer" {
                "the load-balancer address is released or a new one allocated: clients of the old external IP break"
            } else {
                "node ports are allocated or released: clients of the old node port break"
            };
            cx.warn(
                Category::Immutable,
                Some("spec.type"),
                format!("{ta} → {tb}"),
                why.into(),
            );
        }
    }
}

/// A Kubernetes quantity (`5Gi`, `500M`, `1.5`) as a number.
fn quantity(v: &Value) -> Option<f64> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Number(n) => return n.as_f64(),
        _ => return None,
    };
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let k: f64 = match unit {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    Some(n.parse::<f64>().ok()? * k)
}

/// Every helm source of an Application: chart → (path, version).
fn charts(app: &Value) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    let mut add = |path: String, source: &Value| {
        if let (Some(chart), Some(v)) =
            (source["chart"].as_str(), source["targetRevision"].as_str())
        {
            let repo = source["repoURL"].as_str().unwrap_or_default();
            out.insert(format!("{repo} {chart}"), (path, v.to_string()));
        }
    };
    add("spec.source.targetRevision".into(), &app["spec"]["source"]);
    for (i, s) in app["spec"]["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        add(format!("spec.sources[{i}].targetRevision"), s);
    }
    out
}

fn chart_downgrades(cx: &mut Ctx<'_>, old: &Value, new: &Value) {
    let before = charts(old);
    for (chart, (path, b)) in charts(new) {
        if let Some((_, a)) = before.get(&chart)
            && version::compare(&b, a) == Some(Ordering::Less)
        {
            let name = chart.rsplit(' ').next().unwrap_or(&chart);
            cx.warn(
                Category::Downgrade,
                Some(&path),
                format!("chart {name} {a} → {b}"),
                "the chart goes down a version: its CRDs and defaults may not fit what the newer release left in the cluster; make sure this is meant".into(),
            );
        }
    }
}

fn backup_relaxed(cx: &mut Ctx<'_>, old: &Value, new: &Value) {
    let path = "spec.trigger.schedule";
    let (a, b) = (at(old, path), at(new, path));
    if let Some(sa) = a.and_then(Value::as_str)
        && a != b
    {
        let per = |s: Option<&str>| s.map_or(Some(0.0), backup::runs_per_week);
        if let (Some(x), Some(y)) = (per(Some(sa)), per(b.and_then(Value::as_str)))
            && y < x
        {
            cx.warn(
                Category::Destructive,
                Some(path),
                format!("{} ({x:.1}/week → {y:.1}/week)", arrow(a, b)),
                "backups run less often: more data is lost if the claim fails between two of them"
                    .into(),
            );
        }
    }
    let retain = "spec.restic.retain";
    let (a, b) = (at(old, retain), at(new, retain));
    let weaker = backup::relaxed_retention(a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null));
    if !weaker.is_empty() {
        cx.warn(
            Category::Destructive,
            Some(retain),
            weaker.join(", "),
            "fewer snapshots are kept: restic forgets the older ones at its next prune, and they cannot be restored after that".into(),
        );
    }
}

fn claim_of_source(source: &Value) -> Option<&str> {
    source["spec"]["sourcePVC"].as_str()
}

fn repository_of(source: &Value) -> String {
    source["spec"]["restic"]["repository"].as_str().map_or_else(
        || "its restic repository".into(),
        |r| format!("restic repository `{r}`"),
    )
}

/// The kinds whose removal [`across`] warns about: when none is removed, the files that
/// did not change need not be read.
pub const REMOVAL_KINDS: [&str; 3] = ["PersistentVolumeClaim", "Namespace", "ReplicationSource"];

/// The warnings that need both trees: removed claims, Namespaces and ReplicationSources,
/// apps losing their last backup, and claims that look renamed.
pub fn across(old: &Objects, new: &Objects) -> Vec<Warning> {
    let mut out = Vec::new();
    let removed = || old.iter().filter(|(k, _)| !new.contains_key(*k));
    let sources = |objects: &'_ Objects, app: &str| {
        objects
            .iter()
            .filter(|(k, o)| k.kind == "ReplicationSource" && o.app == app)
            .count()
    };
    let backed_up = |key: &ObjectKey| {
        old.iter().find(|(k, o)| {
            k.kind == "ReplicationSource"
                && k.namespace == key.namespace
                && claim_of_source(&o.value) == Some(key.name.as_str())
        })
    };
    let mut lost_backup_apps = Vec::new();
    for (key, o) in removed() {
        let mut cx = Ctx {
            key,
            app: &o.app,
            out: Vec::new(),
        };
        match key.kind.as_str() {
            "PersistentVolumeClaim" => {
                let mut why = claim_removed(old, &o.value);
                if let Some((_, source)) = backed_up(key) {
                    let _ = write!(
                        why,
                        "; its backups stay in the {}, from which RESTORE.md restores them",
                        repository_of(&source.value)
                    );
                }
                cx.warn(Category::Destructive, None, "removed".into(), why);
                if let Some((_, source)) = backed_up(key) {
                    let (appeared, hint) = renamed_to(old, new, key, &o.app);
                    if !appeared.is_empty() {
                        cx.warn(
                            Category::Rename,
                            None,
                            format!("removed while {} appear{} in {}", appeared.join(", "), if appeared.len() == 1 { "s" } else { "" }, key.namespace),
                            format!(
                                "if this is a rename, declare it with {hint}: it keeps the claim's name and its data; as it is, the old {} keeps the data and the new claim starts empty",
                                repository_of(&source.value)
                            ),
                        );
                    }
                }
            }
            "Namespace" => cx.warn(
                Category::Destructive,
                None,
                "removed".into(),
                namespace_removed(&o.value),
            ),
            "ReplicationSource" => {
                let app_stays = new.values().any(|n| n.app == o.app);
                if app_stays && sources(new, &o.app) == 0 {
                    if !lost_backup_apps.contains(&o.app) {
                        lost_backup_apps.push(o.app.clone());
                        let claims: Vec<String> = old
                            .iter()
                            .filter(|(k, s)| k.kind == "ReplicationSource" && s.app == o.app)
                            .filter_map(|(_, s)| claim_of_source(&s.value))
                            .map(|c| format!("`{c}`"))
                            .collect();
                        cx.warn(
                            Category::Destructive,
                            None,
                            format!("the app `{}` loses its backup", o.app),
                            format!(
                                "no ReplicationSource is left for it: {} {} no longer backed up; the restic repository keeps the snapshots already taken",
                                claims.join(", "),
                                if claims.len() == 1 { "is" } else { "are" }
                            ),
                        );
                    }
                } else {
                    let claim = claim_of_source(&o.value).unwrap_or("its claim");
                    cx.warn(
                        Category::Destructive,
                        None,
                        "removed".into(),
                        format!(
                            "the backups of claim `{claim}` stop; the {} keeps the snapshots already taken",
                            repository_of(&o.value)
                        ),
                    );
                }
            }
            _ => {}
        }
        out.extend(cx.out);
    }
    out
}

/// What removing a Namespace does. Argo CD judges a resource that left Git by the
/// annotation on its live object, which is the base tree's: a Namespace that carried
/// `Prune=false` stays.
fn namespace_removed(namespace: &Value) -> String {
    if sync_options(namespace).contains("Prune=false") {
        return "it carries Prune=false, so Argo CD leaves it and everything in it (claims and their volumes) in the cluster, \
                and `cluster-namespaces` shows it as needing a prune: delete it by hand once its data is safe elsewhere"
            .into();
    }
    "Argo CD prunes it, and deleting a Namespace deletes everything in it, claims and their volumes included".into()
}

/// The object's `argocd.argoproj.io/sync-options` annotation, or "".
fn sync_options(object: &Value) -> &str {
    object["metadata"]["annotations"]["argocd.argoproj.io/sync-options"]
        .as_str()
        .unwrap_or_default()
}

/// What removing a claim does: Argo CD prunes it unless it carries `Prune=false`, and the
/// volume goes with it unless its StorageClass (in the base tree) retains volumes.
/// The claims that appeared in the namespace of the removed claim `key` (of app `app`), and
/// the `.renamed_from(..)` that would have kept it: on the app when the new claims are
/// another app's (`<app>-<volume>`: the app was renamed), else on the volume.
fn renamed_to(old: &Objects, new: &Objects, key: &ObjectKey, app: &str) -> (Vec<String>, String) {
    let appeared_objects: Vec<(&ObjectKey, &str)> = new
        .iter()
        .filter(|(k, _)| {
            k.kind == "PersistentVolumeClaim"
                && k.namespace == key.namespace
                && !old.contains_key(*k)
        })
        .map(|(k, n)| (k, n.app.as_str()))
        .collect();
    let appeared = appeared_objects
        .iter()
        .map(|(k, _)| format!("`{}`", k.name))
        .collect();
    let hint = match appeared_objects.first() {
        Some((_, other)) if *other != app => {
            format!("`.renamed_from(\"{app}\")` on the app `{other}`")
        }
        _ => format!(
            "`.renamed_from(\"{}\")` on the new volume",
            key.name
                .strip_prefix(&format!("{app}-"))
                .unwrap_or(&key.name)
        ),
    };
    (appeared, hint)
}

fn claim_removed(old: &Objects, claim: &Value) -> String {
    if sync_options(claim).contains("Prune=false") {
        return "it carries Prune=false, so Argo CD leaves it in the cluster, no longer managed: delete it by hand once its data is safe elsewhere".into();
    }
    let class = claim["spec"]["storageClassName"]
        .as_str()
        .unwrap_or_default();
    let retains = old.iter().any(|(k, o)| {
        k.kind == "StorageClass" && k.name == class && o.value["reclaimPolicy"] == "Retain"
    });
    if retains {
        format!(
            "Argo CD prunes the claim; its volume stays (class `{class}` retains volumes) but must be re-bound by hand"
        )
    } else {
        "Argo CD prunes the claim and its volume is deleted with the data on it".into()
    }
}

#[cfg(test)]
mod tests;
