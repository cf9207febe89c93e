//! Validation end to end: strict schemas (`schemas`), the API server's own rules
//! (`apiserver`; each rule unit-tested in `crates/portkey-validate/src/apiserver/tests/`),
//! the policy lints through the model
//! and the pipeline (`lints`; the lint rules themselves are unit-tested beside them in
//! `crates/portkey-validate/src/lint/tests.rs`), the YAML 1.1 round trip (`yaml`), the
//! gates on temporary copies of `generated/` (`gates`), the chart releases' values against
//! the defaults of `charts/` and `portkey charts pull` (`chart_values`), and the bad-input
//! suite, counted (`bad_input`). Only temporary copies are modified.

mod apiserver;
mod bad_input;
mod chart_values;
mod gates;
mod lints;
mod schemas;
mod yaml;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;
use portkey::portkey_render::to_yaml;
use serde_json::Value;

fn generated() -> PathBuf {
    root().join("generated")
}

/// The committed copy of the upstream schemas, in kubeconform layout
/// (`crates/portkey-validate/schemas/`, see its `PROVENANCE.md`).
fn committed_schemas() -> PathBuf {
    root().join("crates/portkey-validate/schemas")
}

/// The independent validator: `$PORTKEY_VALIDATE_MANIFESTS`, by default
/// `../shared/tools/validate-manifests`, run from the copy `.ci/validator-overlay` makes in
/// `target/validate-manifests/` so that it also knows the schemas portkey converts itself
/// (`metallb.io`). Panics when it is missing: the tests that use it are ignored unless asked
/// for, and asked for they must run.
fn independent_validator() -> PathBuf {
    static OVERLAY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    OVERLAY
        .get_or_init(|| {
            let tool = std::env::var_os("PORTKEY_VALIDATE_MANIFESTS").map_or_else(
                || root().join("../shared/tools/validate-manifests"),
                PathBuf::from,
            );
            assert!(
                tool.is_file(),
                "validate-manifests not found at {}: set PORTKEY_VALIDATE_MANIFESTS to its path",
                tool.display()
            );
            let o = Command::new("bash")
                .arg(root().join(".ci/validator-overlay"))
                .arg(&tool)
                .arg(root().join("target/validate-manifests"))
                .output()
                .expect("run bash .ci/validator-overlay");
            assert!(
                o.status.success(),
                "validator-overlay failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            PathBuf::from(String::from_utf8(o.stdout).unwrap().trim())
        })
        .clone()
}

fn run_independent_validator(tool: &Path, path: &Path) -> Output {
    Command::new("python3")
        .arg(tool)
        .args(["-k", "1.35"])
        .arg(path)
        .output()
        .expect("run python3 validate-manifests (needs python3 with jsonschema, yaml, referencing)")
}

fn portkey_cli(args: &[&str], cwd: &Path) -> Output {
    run_cli(args, cwd)
}

/// Parses one YAML file (portkey's header comment included) into JSON.
fn read_value(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write_value(dir: &Path, name: &str, value: &Value) {
    fs::write(
        dir.join(name),
        to_yaml(value).expect("JSON values serialize"),
    )
    .unwrap();
}

/// The first generated file whose name starts with `prefix` (sorted walk), as JSON.
fn first_generated(prefix: &str) -> (String, Value) {
    let path = walkdir::WalkDir::new(generated())
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no generated file starts with {prefix}"));
    (path.display().to_string(), read_value(&path))
}

/// Copies a directory tree (files and directories only).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().map(Result::unwrap) {
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_file() {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn object_label(v: &Value) -> String {
    format!(
        "{}/{}",
        v["kind"].as_str().unwrap(),
        v["metadata"]["name"].as_str().unwrap()
    )
}
