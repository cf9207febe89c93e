//! Compares two `generated/` trees object by object, field by field, and warns about the
//! changes Argo CD cannot apply in place or that lose data.
//!
//! This crate comes after rendering in the pipeline and knows nothing of the model: it
//! reads two trees of YAML text ([`Tree`], paths relative to `generated/`) and
//!
//! - keys every object by (apiVersion, kind, namespace, name), not by file, so a moved file
//!   is not a change, and `---`-separated documents are objects of their own;
//! - compares the parsed values, so comments (the file header) and key order are noise it
//!   never sees; each changed field is reported with its path and both values
//!   ([`fields`]);
//! - warns, naming the consequence, about immutable fields, destructive changes, sync-wave
//!   changes, version downgrades and likely claim renames ([`warnings`]);
//! - writes the result as text ([`text`]), as a Markdown PR comment capped under GitHub's
//!   limit ([`markdown`]) or as JSON (the [`Diff`] serializes).
//!
//! Files that are not YAML (`ARCHITECTURE.md`, `RESTORE.md`, ...) are compared as whole
//! files ([`Diff::documents`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

mod backup;
pub mod fields;
pub mod markdown;
mod parse;
pub mod text;
pub mod version;
pub mod warnings;

pub use fields::FieldChange;
pub use parse::{app_of, is_yaml, objects};
pub use warnings::{Category, Warning};

/// File contents by path relative to `generated/` (`/`-separated).
pub type Tree = BTreeMap<String, String>;

/// Why two trees could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A YAML file does not parse.
    #[error(
        "{side}: generated/{path} is not valid YAML: {message}; fix: repair or regenerate it (`cargo run -- render`)"
    )]
    Yaml {
        /// Which tree (`base` or `head`).
        side: &'static str,
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// A document is not a Kubernetes object.
    #[error(
        "{side}: document {index} of generated/{path} is not a Kubernetes object ({problem}); fix: every YAML document under generated/ needs apiVersion, kind and metadata.name"
    )]
    NotAnObject {
        /// Which tree.
        side: &'static str,
        /// The file.
        path: String,
        /// The document's position in the file, from 1.
        index: usize,
        /// What is missing.
        problem: String,
    },
    /// Two documents of one tree are the same object.
    #[error(
        "{side}: generated/{first} and generated/{second} both hold {key}; fix: an object must be written once (rename one of them)"
    )]
    Duplicate {
        /// Which tree.
        side: &'static str,
        /// The object.
        key: Box<ObjectKey>,
        /// The first file.
        first: String,
        /// The second file.
        second: String,
    },
}

/// What identifies an object in the cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectKey {
    /// `apps/v1`, `v1`, ...
    pub api_version: String,
    /// `Deployment`, ...
    pub kind: String,
    /// Empty for cluster-scoped objects.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl fmt::Display for ObjectKey {
    /// `Deployment media/sonarr (apps/v1)`, or `Namespace home (v1)` when cluster-scoped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {} ({})", self.kind, self.name, self.api_version)
        } else {
            write!(
                f,
                "{} {}/{} ({})",
                self.kind, self.namespace, self.name, self.api_version
            )
        }
    }
}

/// One object of a tree: where it was and what it is.
#[derive(Clone, Debug)]
pub struct Object {
    /// The file under `generated/`.
    pub path: String,
    /// The app it belongs to (see [`app_of`]).
    pub app: String,
    /// The parsed document.
    pub value: Value,
}

/// Every object of a tree by key.
pub type Objects = BTreeMap<ObjectKey, Object>;

/// An object in both trees whose value differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    /// The object.
    pub object: ObjectKey,
    /// Each changed field.
    pub fields: Vec<FieldChange>,
}

/// The changes of one app's objects.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AppDiff {
    /// Objects only in the new tree.
    pub added: Vec<ObjectKey>,
    /// Objects in both whose value differs.
    pub changed: Vec<Changed>,
    /// Objects only in the base tree.
    pub removed: Vec<ObjectKey>,
}

impl AppDiff {
    /// Added, changed and removed objects.
    pub fn len(&self) -> usize {
        self.added.len() + self.changed.len() + self.removed.len()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How a file that is not YAML changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    /// Only in the new tree.
    Added,
    /// In both, with other text.
    Changed,
    /// Only in the base tree.
    Removed,
}

/// An object whose file moved while its value stayed the same (not a change).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// The object.
    pub object: ObjectKey,
    /// Its file in the base tree.
    pub from: String,
    /// Its file in the new tree.
    pub to: String,
}

/// Everything that differs between two trees.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Diff {
    /// The changed apps, by app name (only apps with changes).
    pub apps: BTreeMap<String, AppDiff>,
    /// What a reviewer must look at, in app then object order.
    pub warnings: Vec<Warning>,
    /// Files that are not YAML, by path.
    pub documents: BTreeMap<String, FileChange>,
    /// Objects whose file moved, unchanged.
    pub moved: Vec<Moved>,
}

/// Counts over all apps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Apps with changed objects.
    pub apps: usize,
    /// Objects added.
    pub added: usize,
    /// Objects changed.
    pub changed: usize,
    /// Objects removed.
    pub removed: usize,
    /// Documents (non-YAML files) added, changed or removed.
    pub documents: usize,
    /// Warnings.
    pub warnings: usize,
}

impl Diff {
    /// Whether the trees hold the same objects and documents (moves aside).
    pub fn is_empty(&self) -> bool {
        self.apps.is_empty() && self.documents.is_empty()
    }

    /// The counts of the summary line.
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            apps: self.apps.len(),
            documents: self.documents.len(),
            warnings: self.warnings.len(),
            ..Totals::default()
        };
        for app in self.apps.values() {
            t.added += app.added.len();
            t.changed += app.changed.len();
            t.removed += app.removed.len();
        }
        t
    }

    /// The warnings of `app`.
    pub fn warnings_of<'a>(&'a self, app: &'a str) -> impl Iterator<Item = &'a Warning> + 'a {
        self.warnings.iter().filter(move |w| w.app == app)
    }

    /// The app names, apps with warnings first, each group by name.
    pub fn apps_in_review_order(&self) -> Vec<&str> {
        let warned: BTreeSet<&str> = self.warnings.iter().map(|w| w.app.as_str()).collect();
        let mut names: BTreeSet<&str> = self.apps.keys().map(String::as_str).collect();
        names.extend(&warned);
        let (first, rest): (Vec<&str>, Vec<&str>) =
            names.into_iter().partition(|n| warned.contains(n));
        first.into_iter().chain(rest).collect()
    }
}

impl Totals {
    /// `3 objects changed in 2 apps (1 added, 1 changed, 1 removed), 1 document; 2 warnings`.
    pub fn sentence(&self) -> String {
        let objects = self.added + self.changed + self.removed;
        let mut s = format!(
            "{objects} object{} differ{} in {} app{} ({} added, {} changed, {} removed)",
            plural(objects),
            if objects == 1 { "s" } else { "" },
            self.apps,
            plural(self.apps),
            self.added,
            self.changed,
            self.removed
        );
        if self.documents > 0 {
            let _ = write!(s, ", {} document{}", self.documents, plural(self.documents));
        }
        let _ = write!(s, "; {} warning{}", self.warnings, plural(self.warnings));
        s
    }
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Compares the base tree with the new one.
///
/// A file with the same text at the same path in both trees holds the same objects, so it
/// is parsed only when the warnings about removed claims, Namespaces and
/// ReplicationSources need the whole trees (a one-image bump parses two files).
pub fn diff(base: &Tree, head: &Tree) -> Result<Diff, Error> {
    let old_files: Vec<(&String, &String)> = base
        .iter()
        .filter(|(p, t)| head.get(*p) != Some(*t))
        .collect();
    let new_files: Vec<(&String, &String)> = head
        .iter()
        .filter(|(p, t)| base.get(*p) != Some(*t))
        .collect();
    let mut old = parse::parse(old_files, "base")?;
    let mut new = parse::parse(new_files, "head")?;
    let mut diff = Diff::default();
    for (key, o) in &new {
        match old.get(key) {
            None => app_entry(&mut diff, &o.app).added.push(key.clone()),
            Some(b) if b.value == o.value => {
                if b.path != o.path {
                    diff.moved.push(Moved {
                        object: key.clone(),
                        from: b.path.clone(),
                        to: o.path.clone(),
                    });
                }
            }
            Some(b) => {
                let fields = fields::changes(&b.value, &o.value);
                diff.warnings
                    .extend(warnings::changed(key, &o.app, &b.value, &o.value, &fields));
                app_entry(&mut diff, &o.app).changed.push(Changed {
                    object: key.clone(),
                    fields,
                });
            }
        }
    }
    for (key, b) in &old {
        if !new.contains_key(key) {
            app_entry(&mut diff, &b.app).removed.push(key.clone());
        }
    }
    if old
        .keys()
        .any(|k| !new.contains_key(k) && warnings::REMOVAL_KINDS.contains(&k.kind.as_str()))
    {
        let same: Vec<(&String, &String)> = base
            .iter()
            .filter(|(p, t)| head.get(*p) == Some(*t))
            .collect();
        let same = parse::parse(same, "base")?;
        parse::insert_all(&mut old, same.clone(), "base")?;
        parse::insert_all(&mut new, same, "head")?;
        diff.warnings.extend(warnings::across(&old, &new));
    }
    diff.warnings
        .sort_by(|a, b| (&a.app, &a.object, &a.field).cmp(&(&b.app, &b.object, &b.field)));
    for (path, text) in head.iter().filter(|(p, _)| !is_yaml(p)) {
        match base.get(path) {
            None => {
                diff.documents.insert(path.clone(), FileChange::Added);
            }
            Some(t) if t != text => {
                diff.documents.insert(path.clone(), FileChange::Changed);
            }
            Some(_) => {}
        }
    }
    for path in base
        .keys()
        .filter(|p| !is_yaml(p) && !head.contains_key(*p))
    {
        diff.documents.insert(path.clone(), FileChange::Removed);
    }
    Ok(diff)
}

fn app_entry<'a>(diff: &'a mut Diff, app: &str) -> &'a mut AppDiff {
    diff.apps.entry(app.to_string()).or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        files
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect()
    }

    const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: lab\n  labels:\n    app.kubernetes.io/name: web\nspec:\n  ports:\n  - port: 80\n    name: http\n";

    #[test]
    fn header_comments_key_order_and_moves_are_not_changes() {
        let reordered = "# another header\nkind: Service\napiVersion: v1\nspec:\n  ports:\n  - name: http\n    port: 80\nmetadata:\n  namespace: lab\n  labels:\n    app.kubernetes.io/name: web\n  name: web\n";
        let d = diff(
            &tree(&[("lab/web/service-web.yaml", &format!("# header\n{SVC}"))]),
            &tree(&[("lab/moved/svc.yaml", reordered)]),
        )
        .unwrap();
        assert!(d.is_empty(), "{d:#?}");
        assert_eq!(d.moved.len(), 1);
        assert_eq!(d.moved[0].to, "lab/moved/svc.yaml");
    }

    #[test]
    fn multi_document_files_are_split_into_objects() {
        let two = format!(
            "{SVC}---\n{}",
            SVC.replace("name: web\n  namespace", "name: api\n  namespace")
        );
        let d = diff(&tree(&[("a.yaml", SVC)]), &tree(&[("a.yaml", &two)])).unwrap();
        assert_eq!(d.apps["web"].added.len(), 1, "{d:#?}");
        assert_eq!(d.apps["web"].added[0].name, "api");
        assert!(d.apps["web"].changed.is_empty());
    }

    #[test]
    fn bad_input_is_an_error_naming_the_file() {
        let e = diff(&tree(&[("x/bad.yaml", "a: [")]), &Tree::new()).unwrap_err();
        assert!(e.to_string().contains("generated/x/bad.yaml"), "{e}");
        let e = diff(&Tree::new(), &tree(&[("x/n.yaml", "kind: Service\n")])).unwrap_err();
        assert!(e.to_string().contains("apiVersion"), "{e}");
        let e = diff(&Tree::new(), &tree(&[("a.yaml", SVC), ("b.yaml", SVC)])).unwrap_err();
        assert!(e.to_string().contains("both hold Service lab/web"), "{e}");
    }

    #[test]
    fn files_unchanged_at_the_same_path_are_not_read() {
        // An identical file is not parsed (a bad one would be an error) unless a removal
        // needs the whole trees.
        let bad = ("x/bad.yaml", "a: [");
        let changed = SVC.replace("port: 80", "port: 81");
        let d = diff(
            &tree(&[bad, ("s.yaml", SVC)]),
            &tree(&[bad, ("s.yaml", &changed)]),
        )
        .unwrap();
        assert_eq!(d.apps["web"].changed.len(), 1);
        let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\n";
        let e = diff(&tree(&[bad, ("c.yaml", claim)]), &tree(&[bad])).unwrap_err();
        assert!(e.to_string().contains("x/bad.yaml"), "{e}");
    }

    #[test]
    fn documents_are_compared_as_files() {
        let d = diff(
            &tree(&[("RESTORE.md", "a"), ("OLD.md", "x")]),
            &tree(&[("RESTORE.md", "b"), ("NEW.md", "y")]),
        )
        .unwrap();
        let want: BTreeMap<String, FileChange> = [
            ("NEW.md".to_string(), FileChange::Added),
            ("OLD.md".to_string(), FileChange::Removed),
            ("RESTORE.md".to_string(), FileChange::Changed),
        ]
        .into();
        assert_eq!(d.documents, want);
        assert!(!d.is_empty());
    }

    #[test]
    fn objects_belong_to_their_app_label_application_or_directory() {
        let app = serde_json::json!({"kind": "Application", "metadata": {"name": "sonarr"}});
        assert_eq!(app_of("argocd/application-sonarr.yaml", &app), "sonarr");
        let ns = serde_json::json!({"kind": "Namespace", "metadata": {"name": "home"}});
        assert_eq!(
            app_of("cluster/namespaces/namespace-home.yaml", &ns),
            "cluster/namespaces"
        );
        let part = serde_json::json!({"metadata": {"labels": {"app.kubernetes.io/part-of": "x"}}});
        assert_eq!(app_of("a/b.yaml", &part), "x");
    }
}
