//! The linters of the GitHub Actions workflows (actionlint, zizmor, check-jsonschema's
//! workflow schema) and Renovate's own config validator, run on the repository's files.
//!
//! Each needs a tool from outside the repository, so each is ignored by a plain `cargo
//! test`; `.ci/run` installs the tools into `target/ci-tools` and names them in
//! `PORTKEY_ACTIONLINT`, `PORTKEY_ZIZMOR`, `PORTKEY_CHECK_JSONSCHEMA` and
//! `PORTKEY_RENOVATE_CONFIG_VALIDATOR` (without the variable, the tool's name is looked up
//! on PATH). A missing tool fails the test. Every test also feeds its tool a broken file and
//! requires a finding, so a tool that accepts everything cannot pass.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::root;

/// The tool the variable names, or `name` found on PATH; panics when there is neither.
fn tool(var: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{var}={} is not a file", path.display());
        return path;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("needs {name}: set {var} or put it on PATH (.ci/run does)"))
}

fn run<I, S>(tool: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(tool)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()))
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The repository's workflow files, relative to the root.
fn workflows() -> Vec<PathBuf> {
    let dir = root().join(".github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect(".github/workflows")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .map(|p| p.strip_prefix(root()).expect("under root").to_path_buf())
        .collect();
    files.sort();
    assert!(
        files.len() >= 4,
        "expected ci, diff, diff-comment and renovate-regenerate, found {files:?}"
    );
    files
}

/// A temporary directory holding one file with `contents`.
fn broken(name: &str, contents: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write");
    (dir, path)
}

/// A workflow whose job needs a job that does not exist.
const BROKEN_NEEDS: &str = "name: broken\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: no-such-job\n    steps:\n      - run: echo hi\n";

#[test]
#[ignore = "needs actionlint: run by .ci/run"]
fn actionlint_finds_nothing_in_the_workflows() {
    let actionlint = tool("PORTKEY_ACTIONLINT", "actionlint");
    let out = run(&actionlint, workflows());
    assert!(out.status.success(), "actionlint: {}", text(&out));

    let (_dir, bad) = broken("broken.yaml", BROKEN_NEEDS);
    let out = run(&actionlint, [&bad]);
    assert!(
        !out.status.success(),
        "actionlint accepted a broken workflow: {}",
        text(&out)
    );
    assert!(text(&out).contains("no-such-job"), "{}", text(&out));
}

#[test]
#[ignore = "needs zizmor: run by .ci/run"]
fn zizmor_finds_nothing_in_the_workflows() {
    let zizmor = tool("PORTKEY_ZIZMOR", "zizmor");
    let out = run(&zizmor, ["--offline", "--color=never", ".github/workflows"]);
    assert!(out.status.success(), "zizmor: {}", text(&out));
    // The one finding ignored in place (diff-comment.yaml's workflow_run trigger) is the
    // only one: the count moves when a finding is ignored without review.
    assert!(
        text(&out).contains("No findings to report"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("(1 ignored)"), "{}", text(&out));

    // The pitfall diff.yaml avoids: pull_request_target checking out the pull request.
    let (_dir, bad) = broken(
        "target.yaml",
        "name: pwn\non: pull_request_target\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make\n",
    );
    let out = run(
        &zizmor,
        [
            "--offline".as_ref(),
            "--color=never".as_ref(),
            bad.as_os_str(),
        ],
    );
    assert!(
        !out.status.success(),
        "zizmor accepted pull_request_target: {}",
        text(&out)
    );
    assert!(text(&out).contains("dangerous-triggers"), "{}", text(&out));
}

#[test]
#[ignore = "needs check-jsonschema: run by .ci/run"]
fn workflows_match_the_github_workflow_schema() {
    let check = tool("PORTKEY_CHECK_JSONSCHEMA", "check-jsonschema");
    let mut args = vec![
        PathBuf::from("--builtin-schema"),
        PathBuf::from("vendor.github-workflows"),
    ];
    args.extend(workflows());
    let out = run(&check, &args);
    assert!(out.status.success(), "check-jsonschema: {}", text(&out));

    let (_dir, bad) = broken(
        "broken.yaml",
        "name: broken\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: not-a-list\n",
    );
    let out = run(
        &check,
        [
            "--builtin-schema".as_ref(),
            "vendor.github-workflows".as_ref(),
            bad.as_os_str(),
        ],
    );
    assert!(
        !out.status.success(),
        "check-jsonschema accepted a broken workflow: {}",
        text(&out)
    );
}

#[test]
#[ignore = "needs renovate-config-validator: run by .ci/run"]
fn renovate_config_validates_strictly() {
    let validator = tool(
        "PORTKEY_RENOVATE_CONFIG_VALIDATOR",
        "renovate-config-validator",
    );
    let out = run(&validator, ["--strict", "--no-global", "renovate.json"]);
    assert!(
        out.status.success(),
        "renovate-config-validator: {}",
        text(&out)
    );
    assert!(
        text(&out).contains("Config validated successfully"),
        "{}",
        text(&out)
    );

    let (_dir, bad) = broken(
        "renovate.json",
        r#"{"automerge": "yes", "notAnOption": true}"#,
    );
    let out = run(
        &validator,
        ["--strict".as_ref(), "--no-global".as_ref(), bad.as_os_str()],
    );
    assert!(
        !out.status.success(),
        "the validator accepted a broken config: {}",
        text(&out)
    );
    assert!(text(&out).contains("notAnOption"), "{}", text(&out));
}
