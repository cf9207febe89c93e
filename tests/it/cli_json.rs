//! `--format json` of `validate` and `render` (`--check` and not), and the exit codes the
//! README documents: 0 success, 1 problems found, 2 the command could not run.
#![allow(clippy::case_sensitive_file_extension_comparisons)] // portkey writes lower-case `.yaml`

use std::fs;
use std::path::Path;

use portkey::cli::render::execute;
use portkey::portkey_render::{read_tree, write_tree};
use serde_json::Value;

use crate::common::{run_cli, test_cluster, text};

/// Runs the binary and parses its stdout as JSON; returns the exit code too.
fn json_of(args: &[&str], cwd: &Path) -> (i32, Value) {
    let o = run_cli(args, cwd);
    let stdout = text(&o.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "`portkey {}` printed no JSON ({e}):\n{stdout}\nstderr: {}",
            args.join(" "),
            text(&o.stderr)
        )
    });
    (o.status.code().expect("an exit code"), value)
}

/// A copy of the committed `generated/` in `<tmp>/generated`.
fn copy_of_generated() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let committed = read_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("generated")).unwrap();
    write_tree(&committed, &out).unwrap();
    (tmp, out)
}

/// The first file under `dir` whose path starts with `prefix` and ends with `.yaml`.
fn file_starting(dir: &Path, prefix: &str) -> String {
    read_tree(dir)
        .unwrap()
        .into_keys()
        .find(|p| p.starts_with(prefix) && p.ends_with(".yaml"))
        .unwrap_or_else(|| panic!("no {prefix}*.yaml in {}", dir.display()))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string"))
        .collect()
}

#[test]
fn validate_json_of_a_clean_tree_is_valid_and_exits_0() {
    let (tmp, _) = copy_of_generated();
    let (code, v) = json_of(&["validate", "--format", "json", "generated"], tmp.path());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["status"], "valid");
    assert_eq!(v["problems"], Value::Array(Vec::new()));
    assert_eq!(v["error"], Value::Null);
    assert_eq!(v["schemas"], "embedded");
    let files = read_tree(&tmp.path().join("generated")).unwrap();
    let yaml_files = files.keys().filter(|p| p.ends_with(".yaml")).count() as u64;
    assert!(v["objects"].as_u64().unwrap() >= yaml_files, "{v:#}");
}

#[test]
fn validate_json_carries_each_planted_problem_and_exits_1() {
    let (tmp, out) = copy_of_generated();
    // An unknown field, a wrong type and a file that is not YAML.
    let deployment = file_starting(&out, "home-automation/homeassistant/deployment-");
    let path = out.join(&deployment);
    let original = fs::read_to_string(&path).unwrap();
    let broken = original.replacen("\nspec:\n", "\nspec:\n  replicaz: 2\n  paused: maybe\n", 1);
    assert_ne!(broken, original, "the planted fields went nowhere");
    fs::write(&path, broken).unwrap();
    fs::write(out.join("broken.yaml"), "kind: [unclosed\n").unwrap();

    let (code, v) = json_of(&["validate", "--format", "json", "generated"], tmp.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["status"], "invalid");
    let problems = v["problems"].as_array().unwrap();
    let find = |file: &str, pointer: &str, mentions: &str| {
        problems
            .iter()
            .find(|p| {
                p["file"] == file
                    && p["pointer"] == pointer
                    && p["message"].as_str().unwrap().contains(mentions)
            })
            .unwrap_or_else(|| panic!("no problem {file} {pointer} `{mentions}` in {v:#}"))
    };
    let unknown = find(&deployment, "/spec", "replicaz");
    assert_eq!(unknown["kind"], "object");
    assert_eq!(unknown["object"], "Deployment/homeassistant");
    find(&deployment, "/spec/paused", "boolean");
    let parse = find("broken.yaml", "", "YAML");
    assert_eq!(parse["object"], "-");
    for p in problems {
        let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["file", "kind", "message", "object", "pointer"],
            "{p}"
        );
    }
    assert_eq!(problems.len(), 3, "{v:#}");

    // Text stays the default: the same problems, one line each.
    let o = run_cli(&["validate", "generated"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains(&format!(
            "{deployment}: Deployment/homeassistant: /spec/paused: "
        )),
        "{stdout}"
    );
    assert!(serde_json::from_str::<Value>(&stdout).is_err());
}

#[test]
fn validate_json_of_a_missing_path_is_an_error_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, v) = json_of(&["validate", "--format", "json", "nowhere"], tmp.path());
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["status"], "error");
    assert!(v["error"].as_str().unwrap().contains("nowhere"), "{v:#}");
    let o = run_cli(&["validate", "nowhere"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn render_check_json_of_a_fresh_tree_is_up_to_date_and_exits_0() {
    let (tmp, _) = copy_of_generated();
    let (code, v) = json_of(&["render", "--check", "--format", "json"], tmp.path());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["status"], "up-to-date");
    assert_eq!(v["check"], true);
    assert_eq!(v["fix"], Value::Null);
    for list in ["added", "changed", "removed"] {
        assert_eq!(v["files"][list], Value::Array(Vec::new()), "{v:#}");
    }
}

#[test]
fn render_check_json_lists_every_stale_file_and_exits_1() {
    let (tmp, out) = copy_of_generated();
    let changed = file_starting(&out, "argocd/");
    let deleted = file_starting(&out, "home/");
    let text_before = fs::read_to_string(out.join(&changed)).unwrap();
    fs::write(out.join(&changed), format!("{text_before}# hand edit\n")).unwrap();
    fs::remove_file(out.join(&deleted)).unwrap();
    fs::write(out.join("foreign.yaml"), "kind: Foreign\n").unwrap();
    let before = read_tree(&out).unwrap();

    let (code, v) = json_of(&["render", "--check", "--format", "json"], tmp.path());
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["status"], "stale");
    assert_eq!(v["check"], true);
    assert_eq!(v["directory"], "generated");
    assert_eq!(strings(&v["files"]["added"]), [deleted.as_str()]);
    assert_eq!(strings(&v["files"]["changed"]), [changed.as_str()]);
    assert_eq!(strings(&v["files"]["removed"]), ["foreign.yaml"]);
    assert_eq!(v["fix"], "cargo run -- render");
    assert_eq!(v["problems"], Value::Array(Vec::new()));
    assert_eq!(read_tree(&out).unwrap(), before, "--check wrote");

    // A render in JSON reports what it wrote, then the tree is up to date.
    let (code, v) = json_of(&["render", "--format", "json"], tmp.path());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["status"], "rendered");
    assert_eq!(v["check"], false);
    assert_eq!(strings(&v["files"]["removed"]), ["foreign.yaml"]);
    let (code, v) = json_of(&["render", "--format", "json"], tmp.path());
    assert_eq!(
        (code, v["status"].as_str()),
        (0, Some("up-to-date")),
        "{v:#}"
    );
}

#[test]
fn render_json_when_the_directory_cannot_be_read_is_an_error_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("generated"), "a file, not a directory\n").unwrap();
    let (code, v) = json_of(&["render", "--check", "--format", "json"], tmp.path());
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["status"], "error");
    assert!(
        v["error"].as_str().unwrap().contains("not a directory"),
        "{v:#}"
    );
    let o = run_cli(&["render", "--check"], tmp.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

/// Renders `apps` on the test inventory into `out`, expecting `invalid` with exit 1 and
/// nothing written; returns the JSON report.
fn invalid_run(apps: Vec<portkey::prelude::App>, check: bool, out: &Path) -> Value {
    let run = execute(&test_cluster(), apps, Vec::new(), check, out);
    assert_eq!(run.exit_code(), 1);
    let v = run.json(out);
    assert_eq!(v["status"], "invalid", "{v:#}");
    assert_eq!(v["check"], check);
    assert!(!out.exists(), "an invalid model was written");
    v
}

#[test]
fn a_bad_app_comes_out_as_json_model_problems_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let bad = crate::common::app("broken")
        .source("apps/broken.rs")
        .pin(&[crate::common::NODE_GHOST], "test");
    for check in [true, false] {
        let v = invalid_run(vec![bad.clone()], check, &out);
        let problem = v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["field"].as_str().unwrap().contains("pin"))
            .unwrap_or_else(|| panic!("no problem on the pin: {v:#}"));
        assert_eq!(problem["kind"], "model");
        assert_eq!(problem["app"], "broken");
        assert_eq!(problem["file"], "apps/broken.rs");
        assert!(
            problem["problem"].as_str().unwrap().contains("node-ghost"),
            "{problem}"
        );
        assert!(!problem["fix"].as_str().unwrap().is_empty(), "{problem}");
    }
}

#[test]
fn a_compiled_object_that_fails_a_lint_comes_out_as_a_json_lint_problem_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let undigested = crate::common::app("undigested").image("docker.io/library/nginx:1.27.0");
    let v = invalid_run(vec![undigested], true, &out);
    let problems = v["problems"].as_array().unwrap();
    let lint = problems
        .iter()
        .find(|p| p["lint"] == "image-digest")
        .unwrap_or_else(|| panic!("no image-digest problem: {v:#}"));
    assert_eq!(lint["kind"], "lint");
    assert_eq!(lint["file"], "apps/undigested.rs");
    assert_eq!(lint["object"], "Deployment/lab/undigested");
    assert!(
        lint["message"].as_str().unwrap().contains("digest"),
        "{lint}"
    );
    let keys: Vec<&str> = lint
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["file", "kind", "lint", "message", "object"]);
}

#[test]
fn bad_arguments_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["validate", "--format", "yaml"][..],
        &["render", "--chek"],
        &["no-such-command"],
    ] {
        let o = run_cli(args, tmp.path());
        assert_eq!(o.status.code(), Some(2), "portkey {}", args.join(" "));
    }
}
