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

use crate::common::{root, tool};

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

/// Runs `tool` with `args`, requires it to succeed and returns its report.
fn accepts<I, S>(tool: &Path, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = run(tool, args);
    let report = text(&out);
    assert!(out.status.success(), "{}: {report}", tool.display());
    report
}

/// Runs `tool` with `args` and a file `name` holding `contents`, and requires it to reject
/// the file with `finding` in its report: the tool can fail.
fn rejects(tool: &Path, args: &[&str], name: &str, contents: &str, finding: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write");
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.push(path.as_os_str());
    let out = run(tool, all);
    let report = text(&out);
    let tool = tool.display();
    assert!(
        !out.status.success(),
        "{tool} accepted a broken {name}: {report}"
    );
    assert!(
        report.contains(finding),
        "{tool} did not report {finding}: {report}"
    );
}

/// A workflow whose job needs a job that does not exist.
const BROKEN_NEEDS: &str = "name: broken\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: no-such-job\n    steps:\n      - run: echo hi\n";

#[test]
#[ignore = "needs actionlint: run by .ci/run"]
fn actionlint_finds_nothing_in_the_workflows() {
    let actionlint = tool("PORTKEY_ACTIONLINT", "actionlint");
    accepts(&actionlint, workflows());

    rejects(&actionlint, &[], "broken.yaml", BROKEN_NEEDS, "no-such-job");
}

#[test]
#[ignore = "needs zizmor: run by .ci/run"]
fn zizmor_finds_nothing_in_the_workflows() {
    let zizmor = tool("PORTKEY_ZIZMOR", "zizmor");
    let report = accepts(&zizmor, ["--offline", "--color=never", ".github/workflows"]);
    // The one finding ignored in place (diff-comment.yaml's workflow_run trigger) is the
    // only one: the count moves when a finding is ignored without review.
    assert!(report.contains("No findings to report"), "{report}");
    assert!(report.contains("(1 ignored)"), "{report}");

    // The pitfall diff.yaml avoids: pull_request_target checking out the pull request.
    rejects(
        &zizmor,
        &["--offline", "--color=never"],
        "target.yaml",
        "name: pwn\non: pull_request_target\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make\n",
        "dangerous-triggers",
    );
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
    accepts(&check, &args);

    rejects(
        &check,
        &["--builtin-schema", "vendor.github-workflows"],
        "broken.yaml",
        "name: broken\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: not-a-list\n",
        "is not of type 'array'",
    );
}

#[test]
#[ignore = "needs renovate-config-validator: run by .ci/run"]
fn renovate_config_validates_strictly() {
    let validator = tool(
        "PORTKEY_RENOVATE_CONFIG_VALIDATOR",
        "renovate-config-validator",
    );
    let report = accepts(&validator, ["--strict", "--no-global", "renovate.json"]);
    assert!(report.contains("Config validated successfully"), "{report}");

    rejects(
        &validator,
        &["--strict", "--no-global"],
        "renovate.json",
        r#"{"automerge": "yes", "notAnOption": true}"#,
        "Invalid configuration option: notAnOption",
    );
}
