//! Strict validation of what portkey writes.
//!
//! - [`Schemas`]: JSON schemas per `apiVersion`/`kind`, either embedded (the core kinds'
//!   derived from k8s-openapi through schemars, then closed against unknown fields; the
//!   custom kinds' the upstream CRD schemas committed in `schemas/crds/`, so that a field
//!   portkey's own CRD types get wrong is caught) or read from a kubeconform-layout directory (`k8s/v1.35.0-local-strict/`,
//!   `crds/<group>/<kind>_<version>.json`), and checked with the `jsonschema` crate.
//! - [`lint`]: policy lints over the compiled objects (pinned images, resources, probes,
//!   security context, selectors, hosts, references, name lengths, duplicates), each
//!   suppressible per app with a reason.
//! - [`apiserver`]: the API server's own validation rules, which no OpenAPI schema can
//!   express (names per kind, label and annotation syntax, Secret and ConfigMap keys, env
//!   var names, quantities, IDs, ports, volumes and mounts, probes, Service ports, Ingress
//!   paths, claims, cron schedules), each message naming its upstream rule.

pub mod apiserver;
pub mod chart_values;
mod embedded;
pub mod known;
pub mod lint;
mod schemas;
mod upstream;

pub use known::Known;
pub use schemas::{SchemaError, Schemas};

use std::fmt;
use std::path::Path;

use serde_json::Value;

/// One problem with one object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// File (relative to the validated root) or model source.
    pub file: String,
    /// `Kind/name`.
    pub object: String,
    /// JSON pointer into the object (`/spec/replicaz`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{}: {}: {}: {}",
            self.file, self.object, pointer, self.message
        )
    }
}

/// `Kind/name` of a JSON object.
pub fn object_label(value: &Value) -> String {
    format!(
        "{}/{}",
        value["kind"].as_str().unwrap_or("<no kind>"),
        value["metadata"]["name"].as_str().unwrap_or("<no name>")
    )
}

/// Validates one object against `schemas`.
pub fn validate_value(schemas: &Schemas, file: &str, value: &Value) -> Vec<Problem> {
    problems(schemas.check(value), file, value)
}

/// Validates one object against `schemas`, unless `known` says a previous run of the same
/// build found it valid ([`Known::check`]).
pub fn validate_known(schemas: &Schemas, known: &Known, file: &str, value: &Value) -> Vec<Problem> {
    problems(known.check(schemas, value), file, value)
}

fn problems(found: Vec<(String, String)>, file: &str, value: &Value) -> Vec<Problem> {
    found
        .into_iter()
        .map(|(pointer, message)| Problem {
            file: file.into(),
            object: object_label(value),
            pointer,
            message,
        })
        .collect()
}

/// Errors reading what is to be validated.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Objects read from files (`(file, object)`), and the files that did not parse.
pub type Objects = (Vec<(String, Value)>, Vec<Problem>);

/// Reads every `*.yaml`/`*.yml` file under `root` (sorted), parsing each YAML document.
/// A file's bad input is one problem naming it, never an abort: non-UTF-8 text (with the
/// byte offset), YAML that does not parse (a duplicate key by name and line), an object
/// with no `kind`, and a file with no object ("empty manifest file"). Only a file that
/// cannot be read is an error.
pub fn read_objects(root: &Path) -> Result<Objects, ReadError> {
    let mut objects = Vec::new();
    let mut problems = Vec::new();
    if !root.exists() {
        return Err(ReadError::Io {
            path: root.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    let files: Vec<_> = if root.is_file() {
        vec![root.to_path_buf()]
    } else {
        walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect()
    };
    for path in files {
        let label = path
            .strip_prefix(root)
            .ok()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&path).map_err(|source| ReadError::Io {
            path: label.clone(),
            source,
        })?;
        let file_problem = |message: String| Problem {
            file: label.clone(),
            object: "-".into(),
            pointer: String::new(),
            message,
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                problems.push(file_problem(format!(
                    "not UTF-8 text: invalid byte at offset {}; fix: save the file as UTF-8",
                    e.utf8_error().valid_up_to()
                )));
                continue;
            }
        };
        let docs = match serde_saphyr::from_multiple::<Value>(&text) {
            Ok(docs) => docs,
            Err(e) => {
                problems.push(file_problem(yaml_error(&e)));
                continue;
            }
        };
        let mut any = false;
        for doc in docs.into_iter().filter(|d| !d.is_null()) {
            any = true;
            if doc
                .get("kind")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                problems.push(Problem {
                    file: label.clone(),
                    object: object_label(&doc),
                    pointer: String::new(),
                    message:
                        "no `kind`: every object names its kind (`kind: Deployment`); fix: add it"
                            .into(),
                });
            } else {
                objects.push((label.clone(), doc));
            }
        }
        if !any {
            problems.push(file_problem(
                "empty manifest file: it holds no object; fix: delete it or add the object".into(),
            ));
        }
    }
    Ok((objects, problems))
}

/// A YAML parse error as the user reads it: a duplicate key by name and line, without the
/// library's advice to allow duplicates; anything else as the library words it.
fn yaml_error(e: &serde_saphyr::Error) -> String {
    match e.without_snippet() {
        serde_saphyr::Error::DuplicateMappingKey { key, location } => {
            let key = key
                .as_deref()
                .map_or_else(String::new, |k| format!(" `{k}`"));
            format!("duplicate key{key} at line {}", location.line())
        }
        _ => format!("not valid YAML: {e}"),
    }
}
