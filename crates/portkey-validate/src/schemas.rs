//! Schemas per `apiVersion`/`kind`: embedded (core kinds derived from k8s-openapi, custom
//! kinds the committed upstream CRD schemas) or read from a kubeconform-layout directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};

use jsonschema::{Registry, Validator};
use serde_json::{Value, json};

/// Base URI the local-strict core schemas' `$ref`s resolve against.
const DEFS_URI: &str = "https://kubernetes.io/api/_definitions.json";
/// Directory of the core schemas inside a kubeconform-layout root.
pub const CORE_DIR: &str = "k8s/v1.35.0-local-strict";

/// Problems loading schemas.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A schema file could not be read or parsed.
    #[error("schema {path}: {message}")]
    Load {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// Validators, keyed by (`apiVersion`, `kind`): built when first needed.
pub struct Schemas {
    validators: BTreeMap<(String, String), Slot>,
    origin: String,
    /// How many validators were built, a released one built again counted again.
    builds: AtomicUsize,
}

/// One kind's validator: already built (a directory's), or built on first use from its
/// generator (the embedded ones), and built again if it was released
/// ([`Schemas::release`]).
struct Slot {
    generate: Option<crate::embedded::Generator>,
    built: RwLock<Built>,
}

/// What a [`Slot`] holds.
enum Built {
    /// Not built yet, or released.
    Not,
    /// Built, and there is none: a custom kind with no committed upstream schema, reported
    /// as unknown.
    Missing,
    /// The validator.
    Ready(Validator),
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas")
            .field("origin", &self.origin)
            .field("kinds", &self.validators.keys().collect::<Vec<_>>())
            .field("builds", &self.builds)
            .finish()
    }
}

/// One regex per distinct pattern, shared by every embedded validator: the upstream CRD
/// schemas repeat a few (the quantity pattern of every int-or-string field, dozens of
/// times).
fn patterns() -> &'static jsonschema::PatternCache {
    static PATTERNS: OnceLock<jsonschema::PatternCache> = OnceLock::new();
    PATTERNS.get_or_init(jsonschema::PatternCache::new)
}

impl Slot {
    /// `f` of the validator, built first if it is not (or no longer) built; `None` for a
    /// kind without one. The validator is read under the slot's read lock, so a release
    /// waits for the checks in progress.
    fn with<R>(&self, builds: &AtomicUsize, f: impl FnOnce(Option<&Validator>) -> R) -> R {
        loop {
            {
                let read = self.built.read().unwrap_or_else(PoisonError::into_inner);
                match &*read {
                    Built::Not => {}
                    Built::Missing => return f(None),
                    Built::Ready(v) => return f(Some(v)),
                }
            }
            // Not built: built now, unless another thread did it meanwhile; then read.
            let mut write = self.built.write().unwrap_or_else(PoisonError::into_inner);
            if matches!(*write, Built::Not) {
                *write = match self.build() {
                    Some(v) => {
                        builds.fetch_add(1, Ordering::Relaxed);
                        Built::Ready(v)
                    }
                    None => Built::Missing,
                };
            }
        }
    }

    /// Whether a validator is built now.
    fn is_built(&self) -> bool {
        matches!(
            *self.built.read().unwrap_or_else(PoisonError::into_inner),
            Built::Ready(_)
        )
    }

    fn build(&self) -> Option<Validator> {
        let (api_version, kind, schema) = self.generate?();
        let schema = schema?;
        Some(
            jsonschema::options()
                .should_validate_formats(false)
                .with_pattern_cache(patterns().clone())
                .build(&schema)
                // Invariant: embedded schemas are built into the binary and tested
                // (`every_embedded_schema_compiles`); one that doesn't compile is a
                // bug, not bad input.
                .unwrap_or_else(|e| {
                    panic!("embedded schema of {api_version}/{kind} compiles: {e}")
                }),
        )
    }
}

impl Schemas {
    /// The embedded schemas of every kind portkey emits. Each kind's validator is built the
    /// first time an object of that kind is checked, on the thread that checks it: a
    /// render builds only the kinds its catalogue emits (building is most of a small
    /// render's time, and the largest upstream schemas, such as `ClusterSecretStore`'s
    /// every provider, belong to kinds a catalogue may never emit).
    pub fn embedded() -> &'static Schemas {
        static EMBEDDED: OnceLock<Schemas> = OnceLock::new();
        EMBEDDED.get_or_init(Schemas::embedded_unbuilt)
    }

    /// The embedded schemas, none built yet: [`Schemas::embedded`]'s one instance, or a
    /// test's own.
    fn embedded_unbuilt() -> Schemas {
        Schemas {
            validators: crate::embedded::kinds()
                .into_iter()
                .map(|(api_version, kind, generate)| {
                    (
                        (api_version.to_string(), kind.to_string()),
                        Slot {
                            generate: Some(generate),
                            built: RwLock::new(Built::Not),
                        },
                    )
                })
                .collect(),
            origin: "embedded".into(),
            builds: AtomicUsize::new(0),
        }
    }

    /// Builds every kind's validator now (a test, or a caller that wants the cost up front).
    /// Returns the kinds that have one.
    pub fn build_all(&self) -> Vec<(String, String)> {
        self.validators
            .iter()
            .filter(|(_, slot)| slot.with(&self.builds, |v| v.is_some()))
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Builds the validator of `api_version`/`kind` now, unless it is built: whether the
    /// kind has one (an unknown kind, or a custom kind without a committed schema, has
    /// none). [`Schemas::check`] would build it on first use; this picks the moment.
    pub fn build(&self, api_version: &str, kind: &str) -> bool {
        self.validators
            .get(&(api_version.to_string(), kind.to_string()))
            .is_some_and(|slot| slot.with(&self.builds, |v| v.is_some()))
    }

    /// How many kinds' validators exist now (built, or read from a directory).
    pub fn built(&self) -> usize {
        self.validators
            .values()
            .filter(|slot| slot.is_built())
            .count()
    }

    /// How many validators have been built, one released and built again counted twice
    /// (a directory's, read when the `Schemas` was made, are not counted).
    pub fn builds(&self) -> usize {
        self.builds.load(Ordering::Relaxed)
    }

    /// Drops the built validators of every kind but those `keep` names: what a render does
    /// once its last object of those kinds is checked, since at N = 2,000 the validators
    /// were a fifth of its heap at the peak, which comes after (README, "Memory"). A
    /// released kind keeps its slot, and an object of it checked later builds it again; a
    /// release waits for the checks in progress. A directory's validators, which could not
    /// be built again, are kept. Returns how many were dropped.
    pub fn release(&self, keep: &[(&str, &str)]) -> usize {
        let mut released = 0;
        for ((api_version, kind), slot) in &self.validators {
            if slot.generate.is_none() || keep.iter().any(|(a, k)| a == api_version && k == kind) {
                continue;
            }
            let mut write = slot.built.write().unwrap_or_else(PoisonError::into_inner);
            if matches!(*write, Built::Ready(_)) {
                released += 1;
            }
            *write = Built::Not;
        }
        released
    }

    /// Schemas from a kubeconform-layout directory, for the given kinds (unknown kinds are
    /// simply absent and reported when checked).
    pub fn from_dir(dir: &Path, kinds: &[(String, String)]) -> Result<Schemas, SchemaError> {
        let read = |path: &Path| -> Result<Value, SchemaError> {
            let text = std::fs::read_to_string(path).map_err(|e| SchemaError::Load {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            serde_json::from_str(&text).map_err(|e| SchemaError::Load {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
        };
        let defs_path = dir.join(CORE_DIR).join("_definitions.json");
        let defs = read(&defs_path)?;
        let registry = Registry::new()
            .add(DEFS_URI, defs)
            .and_then(jsonschema::RegistryBuilder::prepare)
            .map_err(|e| SchemaError::Load {
                path: defs_path.clone(),
                message: e.to_string(),
            })?;
        let mut validators = BTreeMap::new();
        for (api_version, kind) in kinds {
            let path = schema_path(dir, api_version, kind);
            if !path.is_file() {
                continue;
            }
            let mut schema = read(&path)?;
            if let Some(o) = schema.as_object_mut() {
                o.remove("$schema");
                o.entry("$id").or_insert_with(|| {
                    json!(format!(
                        "https://kubernetes.io/api/{}",
                        path.file_name().unwrap_or_default().to_string_lossy()
                    ))
                });
            }
            let validator = jsonschema::options()
                .with_registry(&registry)
                .should_validate_formats(false)
                .build(&schema)
                .map_err(|e| SchemaError::Load {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            validators.insert(
                (api_version.clone(), kind.clone()),
                Slot {
                    generate: None,
                    built: RwLock::new(Built::Ready(validator)),
                },
            );
        }
        Ok(Schemas {
            validators,
            origin: dir.display().to_string(),
            builds: AtomicUsize::new(0),
        })
    }

    /// Where the schemas come from (`embedded` or a directory).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Checks `value`: `(json pointer, message)` per problem; an unknown kind is a problem.
    pub fn check(&self, value: &Value) -> Vec<(String, String)> {
        let api_version = value["apiVersion"].as_str().unwrap_or_default();
        let kind = value["kind"].as_str().unwrap_or_default();
        let unknown = || {
            vec![(
                String::new(),
                format!(
                    "unknown kind: no schema for {api_version}/{kind} in {}",
                    self.origin
                ),
            )]
        };
        let Some(slot) = self
            .validators
            .get(&(api_version.to_string(), kind.to_string()))
        else {
            return unknown();
        };
        slot.with(&self.builds, |validator| {
            let Some(validator) = validator else {
                return unknown();
            };
            // The fast path (no error collection) is what almost every object takes.
            if validator.is_valid(value) {
                return Vec::new();
            }
            validator
                .iter_errors(value)
                .map(|e| (e.instance_path().to_string(), e.to_string()))
                .collect()
        })
    }
}

/// Where a kubeconform-layout directory keeps the schema of `apiVersion`/`kind`.
pub fn schema_path(dir: &Path, api_version: &str, kind: &str) -> PathBuf {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let kind = kind.to_ascii_lowercase();
    let core_group = group.is_empty() || group.ends_with(".k8s.io") || !group.contains('.');
    if core_group {
        let file = if group.is_empty() {
            format!("{kind}-{version}.json")
        } else {
            let short = group.split('.').next().unwrap_or(group);
            format!("{kind}-{short}-{version}.json")
        };
        let core = dir.join(CORE_DIR).join(&file);
        if core.is_file() {
            return core;
        }
    }
    dir.join("crds")
        .join(group)
        .join(format!("{kind}_{version}.json"))
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Every kind of the one list has an embedded validator that compiles, though a render
    /// builds only the kinds it meets.
    #[test]
    fn every_embedded_schema_compiles() {
        let schemas = super::Schemas::embedded();
        let built = schemas.build_all();
        let all: Vec<(String, String)> = schemas.validators.keys().cloned().collect();
        assert!(all.len() >= 20, "too few kinds: {all:?}");
        assert_eq!(built, all, "kinds without a validator");
        // The lazy slot serves what it built: a known kind validates, an unknown one is
        // reported as such.
        let ns =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}});
        assert_eq!(schemas.check(&ns), Vec::<(String, String)>::new());
        let unknown = serde_json::json!({"apiVersion": "x.example/v1", "kind": "Nope"});
        assert!(schemas.check(&unknown)[0].1.contains("unknown kind"));
    }

    /// `build` builds a kind's validator ahead of its first object, and says when a kind
    /// has none.
    #[test]
    fn build_picks_the_moment_and_reports_kinds_without_a_validator() {
        let schemas = super::Schemas::embedded();
        assert!(schemas.build("argoproj.io/v1alpha1", "Application"));
        assert!(schemas.build("v1", "ConfigMap"));
        // Built once: a second call finds it built.
        assert!(schemas.build("v1", "ConfigMap"));
        assert!(schemas.built() >= 2);
        assert!(!schemas.build("x.example/v1", "Nope"));
        assert!(!schemas.build("v1", "Application"));
    }

    /// A released validator is dropped, its kind kept: the next object of it builds it
    /// again, and finds the same problems. The kinds named are kept.
    #[test]
    fn a_released_validator_is_built_again_when_needed() {
        let schemas = super::Schemas::embedded_unbuilt();
        let bad =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": 1}});
        let problems = schemas.check(&bad);
        assert!(!problems.is_empty());
        assert!(schemas.build("argoproj.io/v1alpha1", "Application"));
        assert_eq!((schemas.built(), schemas.builds()), (2, 2));
        assert_eq!(
            schemas.release(&[("argoproj.io/v1alpha1", "Application")]),
            1
        );
        assert_eq!((schemas.built(), schemas.builds()), (1, 2));
        assert_eq!(schemas.check(&bad), problems);
        assert_eq!((schemas.built(), schemas.builds()), (2, 3));
        assert_eq!(schemas.release(&[]), 2);
        assert_eq!(schemas.built(), 0);
    }

    /// The committed copy of the upstream schemas (kubeconform layout).
    fn committed() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas")
    }

    #[test]
    fn committed_schemas_have_provenance() {
        let dir = committed();
        let provenance = std::fs::read_to_string(dir.join("PROVENANCE.md")).unwrap();
        let files: Vec<String> = walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file() && e.path().extension() == Some("json".as_ref()))
            .map(|e| {
                let rel = e.path().strip_prefix(&dir).unwrap();
                rel.to_string_lossy().replace('\\', "/")
            })
            .collect();
        assert!(files.len() > 10, "too few committed schemas: {files:?}");
        for file in &files {
            assert!(
                provenance.contains(&format!("| `{file}` |")),
                "{file} has no row in schemas/PROVENANCE.md"
            );
        }
        let rows = provenance.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(
            rows,
            files.len(),
            "PROVENANCE.md lists a file that is not here"
        );
    }
}
