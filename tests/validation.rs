//! Strict validation, policy lints and the bad-input suite.
//!
//! 1. Schemas, three ways: the embedded schemas, the kubeconform-layout directory
//!    `../shared/schemas`, and the independent validator `../shared/tools/validate-manifests`
//!    each report an unknown field, a wrong type and misspelt CRD fields, and nothing on the
//!    real `generated/` tree; `portkey validate` prints `file: Kind/name: /pointer: message`.
//! 2. Policy lints: one violating object per lint id, each reported and each silenced by its
//!    suppression annotation (or declared exception), then end to end through the model.
//! 3. YAML 1.1 round trip: no plain scalar portkey writes changes type (or integer value) when
//!    read with the YAML 1.1 rules Kubernetes' YAML reader follows, and tricky strings come
//!    back exactly.
//! 4. The bad-input suite: 103 cases (counted by `bad_input_suite_has_at_least_40_cases`):
//!    53 in tests/errors.rs (model errors naming app, field and fix), 13 in tests/render_fs.rs
//!    (the output directory: foreign files, symlinks, a file in its place, a missing parent,
//!    read-only and failed writes), 3 in tests/cli.rs (`render --check` on hand-edited,
//!    foreign and missing trees) and 34 here (schemas, `portkey validate`, lints, gates).
//!    The names are listed in `BAD_INPUT_CASES`.
//! 5. Gates: a hand-edited tree fails `check_tree` and `render --check`; an invalid object in
//!    a copy of `generated/` fails `validate_path`. Only temporary copies are modified.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::*;
use granit_parser::{Event, Parser, ScalarStyle};
use portkey::portkey_model::app::{App, LINT_EXCEPTION_PREFIX, Lint};
use portkey::portkey_render::{Tree, check_tree, to_yaml, write_tree};
use portkey::portkey_validate::Problem;
use portkey::portkey_validate::lint::{Context, Finding, Summary, check_catalogue, check_object};
use regex::Regex;
use serde_json::{Value, json};

// =======================================================================================
// Helpers
// =======================================================================================

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generated() -> PathBuf {
    root().join("generated")
}

/// `../shared/schemas`, when this checkout has it.
fn shared_schemas() -> Option<PathBuf> {
    let dir = root().join("../shared/schemas");
    if dir.join("k8s").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: skipped: {} does not exist (no kubeconform-layout schemas)",
            dir.display()
        );
        None
    }
}

/// `python3 ../shared/tools/validate-manifests`, when the tool and its Python packages exist.
fn independent_validator() -> Option<PathBuf> {
    let tool = root().join("../shared/tools/validate-manifests");
    if !tool.is_file() {
        eprintln!("note: skipped: {} does not exist", tool.display());
        return None;
    }
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema, yaml, referencing"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: skipped: python3 with jsonschema, yaml and referencing is not available");
        return None;
    }
    Some(tool)
}

fn run_independent_validator(tool: &Path, path: &Path) -> Output {
    Command::new("python3")
        .arg(tool)
        .args(["-k", "1.35"])
        .arg(path)
        .output()
        .expect("run validate-manifests")
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

// =======================================================================================
// 1. Schema validation, three ways
// =======================================================================================

/// A problem planted in a file: which object, which field (dotted path), and a word the
/// message must contain.
#[derive(Debug)]
struct Planted {
    file: &'static str,
    object: String,
    path: &'static str,
    mention: &'static str,
}

impl Planted {
    fn pointer(&self) -> String {
        format!("/{}", self.path.replace('.', "/"))
    }
    fn parent_pointer(&self) -> String {
        let p = self.pointer();
        p[..p.rfind('/').unwrap()].to_string()
    }
    fn leaf(&self) -> &str {
        self.path.rsplit('.').next().unwrap()
    }
    /// Whether a portkey problem reports this: the field itself, or (unknown fields) its
    /// parent with the field's name in the message.
    fn matches(&self, p: &Problem) -> bool {
        p.file == self.file
            && p.object == self.object
            && p.message.contains(self.mention)
            && (p.pointer == self.pointer()
                || (p.pointer == self.parent_pointer()
                    && p.message.contains(&format!("'{}'", self.leaf()))))
    }
}

/// A tempdir holding a pristine copy of the jellyfin Deployment and four broken objects:
/// an unknown field, a wrong type, and a misspelt field in two CRDs.
fn broken_site() -> (tempfile::TempDir, Vec<Planted>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let deployment = read_value(&generated().join("media/jellyfin/deployment-jellyfin.yaml"));
    write_value(dir, "deployment-jellyfin.yaml", &deployment);

    let mut unknown = deployment.clone();
    unknown["spec"]["replicaz"] = json!(1);
    write_value(dir, "unknown-field.yaml", &unknown);

    let mut wrong = deployment.clone();
    wrong["spec"]["replicas"] = json!("one");
    write_value(dir, "wrong-type.yaml", &wrong);

    let (_, mut rs) = first_generated("replicationsource-");
    let restic = rs["spec"]["restic"].as_object_mut().unwrap();
    let method = restic.remove("copyMethod").expect("restic.copyMethod");
    restic.insert("copyMethd".into(), method);
    write_value(dir, "replicationsource-typo.yaml", &rs);

    let mut application = read_value(&generated().join("argocd/application-jellyfin.yaml"));
    let spec = application["spec"].as_object_mut().unwrap();
    let project = spec.remove("project").expect("spec.project");
    spec.insert("projec".into(), project);
    write_value(dir, "application-typo.yaml", &application);

    let planted = vec![
        Planted {
            file: "unknown-field.yaml",
            object: object_label(&unknown),
            path: "spec.replicaz",
            mention: "replicaz",
        },
        Planted {
            file: "wrong-type.yaml",
            object: object_label(&wrong),
            path: "spec.replicas",
            mention: "one",
        },
        Planted {
            file: "replicationsource-typo.yaml",
            object: object_label(&rs),
            path: "spec.restic.copyMethd",
            mention: "copyMethd",
        },
        Planted {
            file: "application-typo.yaml",
            object: object_label(&application),
            path: "spec.projec",
            mention: "projec",
        },
    ];
    (tmp, planted)
}

fn assert_reports_planted(report: &portkey::ValidationReport, planted: &[Planted]) {
    assert_eq!(report.objects, 5, "five objects were written: {report:#?}");
    for want in planted {
        assert!(
            report.problems.iter().any(|p| want.matches(p)),
            "{} schemas did not report {want:?}; problems:\n{}",
            report.origin,
            report
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for p in &report.problems {
        assert!(
            planted
                .iter()
                .any(|w| w.file == p.file && w.object == p.object),
            "a problem nobody planted (the pristine copy must pass): {p}"
        );
    }
}

#[test]
fn schema_problems_are_reported_by_the_embedded_schemas() {
    let (tmp, planted) = broken_site();
    let report = portkey::validate_path(None, tmp.path()).expect("validate");
    assert_eq!(report.origin, "embedded");
    assert_reports_planted(&report, &planted);
}

#[test]
fn schema_problems_are_reported_by_the_kubeconform_directory() {
    let Some(schemas) = shared_schemas() else {
        return;
    };
    let (tmp, planted) = broken_site();
    let report = portkey::validate_path(Some(&schemas), tmp.path()).expect("validate");
    assert_reports_planted(&report, &planted);
}

#[test]
fn schema_problems_are_reported_by_the_independent_validator() {
    let Some(tool) = independent_validator() else {
        return;
    };
    let (tmp, planted) = broken_site();
    let o = run_independent_validator(&tool, tmp.path());
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    for want in &planted {
        let line = format!("{}: {}: {}", want.file, want.object, want.path);
        assert!(
            out.lines()
                .any(|l| l.contains(&format!("/{line}")) && l.contains(want.mention)),
            "validate-manifests did not report `{line}`:\n{out}"
        );
    }
    assert!(
        !out.contains("deployment-jellyfin.yaml"),
        "the pristine copy must pass:\n{out}"
    );
    assert!(out.contains("1 passed, 4 failed"), "{out}");
}

#[test]
fn generated_tree_is_clean_for_the_embedded_schemas() {
    let report = portkey::validate_path(None, &generated()).expect("validate generated/");
    assert!(report.objects > 20, "{report:#?}");
    assert!(
        report.problems.is_empty(),
        "{:#?}",
        report
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
}

#[test]
fn generated_tree_is_clean_for_the_kubeconform_directory() {
    let Some(schemas) = shared_schemas() else {
        return;
    };
    let report = portkey::validate_path(Some(&schemas), &generated()).expect("validate");
    assert!(report.objects > 20, "{report:#?}");
    assert!(
        report.problems.is_empty(),
        "{:#?}",
        report
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
}

#[test]
fn generated_tree_is_clean_for_the_independent_validator() {
    let Some(tool) = independent_validator() else {
        return;
    };
    let o = run_independent_validator(&tool, &generated());
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");
}

#[test]
fn cli_validate_prints_one_line_per_problem_and_exits_1() {
    let (tmp, planted) = broken_site();
    let o = portkey_cli(&["validate", "."], tmp.path());
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    let line = Regex::new(r"^([^:]+\.yaml): ([A-Za-z]+/[a-z0-9.-]+): (/[^:]*): (.+)$").unwrap();
    let lines: Vec<_> = out.lines().filter_map(|l| line.captures(l)).collect();
    for want in &planted {
        assert!(
            lines.iter().any(|c| {
                c[1] == *want.file
                    && c[2] == want.object
                    && (c[3] == want.pointer() || c[3] == want.parent_pointer())
                    && c[4].contains(want.mention)
            }),
            "no `{}: {}: {}: ...` line:\n{out}",
            want.file,
            want.object,
            want.pointer()
        );
    }
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("5 objects checked against embedded schemas: ")
            && summary.ends_with(&format!(": {} problems", lines.len())),
        "the summary counts every problem line:\n{out}"
    );
}

#[test]
fn cli_validate_exits_0_on_the_generated_tree() {
    let o = portkey_cli(&["validate"], &root());
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    assert!(out.trim_end().ends_with(": 0 problems"), "{out}");
    assert_eq!(out.lines().count(), 1, "only the summary line: {out}");
}

#[test]
fn unknown_kind_is_a_problem() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    )
    .unwrap();
    let mut origins = vec![None];
    origins.extend(shared_schemas().map(Some));
    for schemas in origins {
        let report = portkey::validate_path(schemas.as_deref(), tmp.path()).unwrap();
        assert_eq!(report.objects, 1);
        assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
        let p = &report.problems[0];
        assert_eq!(
            (p.file.as_str(), p.object.as_str()),
            ("widget.yaml", "Widget/w")
        );
        assert!(
            p.message.contains("unknown kind") && p.message.contains("example.com/v1"),
            "{p}"
        );
    }
    let o = portkey_cli(&["validate", "widget.yaml"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).starts_with("widget.yaml: Widget/w: /: unknown kind"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn file_that_is_not_yaml_is_a_problem() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("broken.yaml"),
        "apiVersion: v1\nkind: [unclosed\n",
    )
    .unwrap();
    let report = portkey::validate_path(None, tmp.path()).unwrap();
    assert_eq!(report.objects, 0);
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    assert_eq!(report.problems[0].file, "broken.yaml");
    assert!(
        report.problems[0].message.contains("not valid YAML")
            && report.problems[0].message.contains("line 2"),
        "{}",
        report.problems[0]
    );
    let o = portkey_cli(&["validate", "."], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).starts_with("broken.yaml: -: /: not valid YAML"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn yaml_that_is_not_an_object_is_a_problem() {
    // A stray list or a duplicate key: YAML that is no Kubernetes object.
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("list.yaml"), "- a\n- b\n").unwrap();
    fs::write(
        tmp.path().join("dup.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n",
    )
    .unwrap();
    let report = portkey::validate_path(None, tmp.path()).unwrap();
    let shown: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|p| p.starts_with("dup.yaml: ") && p.contains("duplicate")),
        "{shown:#?}"
    );
    assert!(
        shown
            .iter()
            .any(|p| p.starts_with("list.yaml: ") && p.contains("unknown kind")),
        "{shown:#?}"
    );
}

#[test]
fn file_that_is_not_utf8_fails_validation_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("binary.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let o = portkey_cli(&["validate", "."], tmp.path());
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(!o.status.success(), "{all}");
    assert!(all.contains("binary.yaml"), "{all}");
}

#[test]
fn missing_schema_directory_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    write_value(
        tmp.path(),
        "ns.yaml",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}),
    );
    let missing = tmp.path().join("no-schemas");
    let err = portkey::validate_path(Some(&missing), tmp.path())
        .expect_err("schemas that do not exist cannot validate anything");
    assert!(err.to_string().contains("no-schemas"), "{err}");
    let o = portkey_cli(
        &["validate", "--schemas", "no-schemas", "ns.yaml"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("no-schemas"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn validate_of_a_missing_path_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("generatd");
    let result = portkey::validate_path(None, &missing);
    assert!(
        result
            .as_ref()
            .is_err_and(|e| e.to_string().contains("generatd"))
            || result.as_ref().is_ok_and(|r| !r.problems.is_empty()),
        "a misspelt path must not validate: {result:?}"
    );
    let o = portkey_cli(&["validate", "generatd"], tmp.path());
    assert!(!o.status.success(), "{}", text(&o.stdout));
}

// =======================================================================================
// 2. Policy lints
// =======================================================================================

const SOURCE: &str = "apps/test.rs";

fn container(name: &str, probes: bool) -> Value {
    let mut c = json!({
        "name": name,
        "image": IMAGE,
        "resources": {
            "requests": {"cpu": "10m", "memory": "64Mi"},
            "limits": {"memory": "128Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "capabilities": {"drop": ["ALL"]},
        },
    });
    if probes {
        c["livenessProbe"] = json!({"tcpSocket": {"port": "http"}});
        c["readinessProbe"] = json!({"tcpSocket": {"port": "http"}});
    }
    c
}

/// A Deployment that passes every per-object lint: pinned image, resources, probes, secure
/// context; its init container has no probes (init containers need none).
fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "lab",
            "labels": {"app.kubernetes.io/name": name},
        },
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {
                    "securityContext": {"runAsNonRoot": true},
                    "initContainers": [container("wait", false)],
                    "containers": [container(name, true)],
                },
            },
        },
    })
}

fn main_c(d: &mut Value) -> &mut Value {
    &mut d["spec"]["template"]["spec"]["containers"][0]
}

fn annotate(mut object: Value, key: &str, reason: &str) -> Value {
    object["metadata"]["annotations"][key] = json!(reason);
    object
}

fn findings(object: &Value) -> Vec<Finding> {
    check_object(SOURCE, object).0
}

/// Asserts that `object` is reported exactly once, by `lint`, with `mention` in the message,
/// naming the source and the object.
fn assert_lint(object: &Value, lint: &str, mention: &str) {
    let found = findings(object);
    assert_eq!(found.len(), 1, "exactly one finding expected: {found:#?}");
    let f = &found[0];
    assert_eq!(f.lint, lint, "{f}");
    assert_eq!(f.source, SOURCE);
    assert_eq!(
        f.object,
        format!(
            "{}/lab/{}",
            object["kind"].as_str().unwrap(),
            object["metadata"]["name"].as_str().unwrap()
        )
    );
    assert!(f.message.contains(mention), "{f}");
    assert!(f.to_string().contains(&format!("[{lint}]")), "{f}");
}

fn assert_clean(object: &Value) {
    let found = findings(object);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn compliant_deployment_has_no_findings() {
    assert_clean(&deployment("web"));
}

#[test]
fn lint_image_digest_tag_without_digest() {
    let mut d = deployment("web");
    main_c(&mut d)["image"] = json!("docker.io/library/nginx:1.27.0");
    assert_lint(&d, "image-digest", "not pinned by digest");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}image-digest"),
        "Renovate pins it",
    ));
}

#[test]
fn lint_image_digest_latest() {
    let mut d = deployment("web");
    // `latest` is refused even with a digest.
    main_c(&mut d)["image"] = json!(format!(
        "docker.io/library/nginx:latest@sha256:{}",
        "2".repeat(64)
    ));
    assert_lint(&d, "image-digest", "`latest`");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}image-digest"),
        "upstream only publishes latest",
    ));
}

#[test]
fn lint_image_digest_missing_tag() {
    let mut d = deployment("web");
    // The registry port is not a tag.
    main_c(&mut d)["image"] = json!("registry.lan:5000/nginx");
    assert_lint(&d, "image-digest", "has no tag");
    // The init container is linted too.
    let mut d = deployment("web");
    d["spec"]["template"]["spec"]["initContainers"][0]["image"] = json!("busybox");
    assert_lint(&d, "image-digest", "container wait");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}image-digest"),
        "why",
    ));
}

#[test]
fn lint_resources() {
    for (pointer, what) in [
        ("/resources/requests/cpu", "a CPU request"),
        ("/resources/requests/memory", "a memory request"),
        ("/resources/limits/memory", "a memory limit"),
    ] {
        let mut d = deployment("web");
        let (parent, leaf) = pointer.rsplit_once('/').unwrap();
        main_c(&mut d)
            .pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(leaf);
        assert_lint(&d, "resources", what);
        assert_clean(&annotate(
            d,
            &format!("{LINT_EXCEPTION_PREFIX}resources"),
            "why",
        ));
    }
}

#[test]
fn lint_probes() {
    let mut d = deployment("web");
    main_c(&mut d)
        .as_object_mut()
        .unwrap()
        .remove("readinessProbe");
    assert_lint(&d, "probes", "readinessProbe");
    let mut d = deployment("web");
    main_c(&mut d)
        .as_object_mut()
        .unwrap()
        .remove("livenessProbe");
    assert_lint(&d, "probes", "livenessProbe");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}probes"),
        "a batch worker has nothing to probe",
    ));
}

#[test]
fn lint_security_run_as_non_root() {
    let mut d = deployment("web");
    d["spec"]["template"]["spec"]["securityContext"] = json!({});
    assert_lint(&d, "security", "may run as root");
    assert_clean(&annotate(
        d.clone(),
        "portkey.dev/exception.run-as-root",
        "s6 init",
    ));
    assert_clean(&annotate(
        d.clone(),
        "portkey.dev/exception.privileged",
        "device plugin",
    ));
    // `security` is not a suppressible lint: its lint-exception annotation changes nothing.
    assert_lint(
        &annotate(d, &format!("{LINT_EXCEPTION_PREFIX}security"), "please"),
        "security",
        "may run as root",
    );
}

#[test]
fn lint_security_read_only_root_filesystem() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["readOnlyRootFilesystem"] = json!(false);
    assert_lint(&d, "security", "writable root filesystem");
    assert_clean(&annotate(
        d,
        "portkey.dev/exception.writable-root-filesystem",
        "writes to /app",
    ));
}

#[test]
fn lint_security_allow_privilege_escalation() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("allowPrivilegeEscalation");
    assert_lint(&d, "security", "allows privilege escalation");
    // Only the privileged exception covers it.
    assert_lint(
        &annotate(d.clone(), "portkey.dev/exception.run-as-root", "why"),
        "security",
        "allows privilege escalation",
    );
    assert_clean(&annotate(d, "portkey.dev/exception.privileged", "why"));
}

#[test]
fn lint_security_drop_all() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["capabilities"]["drop"] = json!(["NET_RAW"]);
    assert_lint(&d, "security", "does not drop ALL");
    assert_clean(&annotate(d, "portkey.dev/exception.privileged", "why"));
}

#[test]
fn lint_security_added_capability() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["capabilities"]["add"] = json!(["NET_ADMIN"]);
    assert_lint(&d, "security", "adds capability NET_ADMIN");
    // Another capability's exception does not cover it.
    assert_lint(
        &annotate(
            d.clone(),
            "portkey.dev/exception.capability-net_raw",
            "ping",
        ),
        "security",
        "NET_ADMIN",
    );
    assert_clean(&annotate(
        d,
        "portkey.dev/exception.capability-net_admin",
        "VPN routes",
    ));
}

#[test]
fn lint_security_privileged() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["privileged"] = json!(true);
    assert_lint(&d, "security", "is privileged");
    assert_clean(&annotate(
        d,
        "portkey.dev/exception.privileged",
        "device plugin",
    ));
}

#[test]
fn lint_names() {
    let mut d = deployment("web");
    d["metadata"]["name"] = json!("Web_App");
    assert_lint(&d, "names", "\"Web_App\"");
    let mut d = deployment("web");
    d["metadata"]["labels"]["example.com/long"] = json!("x".repeat(64));
    assert_lint(&d, "names", "label example.com/long");
    // A Service name is a DNS label: no dots, at most 63 characters.
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web.lab", "namespace": "lab"},
        "spec": {"selector": {"app.kubernetes.io/name": "web"}},
    });
    assert_lint(&service, "names", "at most 63");
    let mut long = service.clone();
    long["metadata"]["name"] = json!("s".repeat(64));
    assert_lint(&long, "names", "at most 63");
    // Not suppressible.
    assert_lint(
        &annotate(service, &format!("{LINT_EXCEPTION_PREFIX}names"), "please"),
        "names",
        "web.lab",
    );
}

#[test]
fn lint_exception_with_empty_reason_does_not_silence() {
    let mut d = deployment("web");
    main_c(&mut d)["image"] = json!("docker.io/library/nginx:1.27.0");
    let excused = annotate(d, &format!("{LINT_EXCEPTION_PREFIX}image-digest"), " ");
    assert_lint(&excused, "image-digest", "not pinned by digest");
}

// --- cross-object lints -------------------------------------------------------------------

fn context() -> Context {
    Context {
        domain: DOMAIN.into(),
        external_secrets: BTreeSet::new(),
    }
}

fn catalogue_findings(objects: &[(&str, Value)], ctx: &Context) -> Vec<Finding> {
    let summaries: Vec<Summary> = objects
        .iter()
        .map(|(source, o)| check_object(source, o).1)
        .collect();
    check_catalogue(&summaries, ctx)
}

fn assert_catalogue_lint(findings: &[Finding], lint: &str, object: &str, mention: &str) {
    assert!(
        findings
            .iter()
            .any(|f| f.lint == lint && f.object == object && f.message.contains(mention)),
        "no [{lint}] finding on {object} mentioning {mention:?}: {findings:#?}"
    );
}

fn service(name: &str, selects: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "lab"},
        "spec": {"selector": {"app.kubernetes.io/name": selects}},
    })
}

fn ingress(name: &str, host: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "lab"},
        "spec": {"rules": [{"host": host}]},
    })
}

fn named(kind: &str, api_version: &str, name: &str) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": "lab"},
    })
}

#[test]
fn lint_duplicates() {
    let found = catalogue_findings(
        &[
            ("apps/a.rs", deployment("web")),
            ("apps/b.rs", deployment("web")),
            ("apps/b.rs", service("web", "web")),
        ],
        &context(),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(&found, "duplicates", "Deployment/lab/web", "apps/a.rs");
    assert_eq!(found[0].source, "apps/b.rs", "the second one is at fault");
}

#[test]
fn lint_service_selector() {
    let found = catalogue_findings(
        &[
            ("apps/web.rs", deployment("web")),
            ("apps/web.rs", service("web", "web")),
            ("apps/ghost.rs", service("ghost", "ghost")),
        ],
        &context(),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "service-selector",
        "Service/lab/ghost",
        "matches no workload",
    );
    // A workload of the same name in another namespace does not count.
    let mut elsewhere = deployment("ghost");
    elsewhere["metadata"]["namespace"] = json!("tools");
    let found = catalogue_findings(
        &[
            ("apps/a.rs", elsewhere),
            ("apps/a.rs", service("ghost", "ghost")),
        ],
        &context(),
    );
    assert_catalogue_lint(&found, "service-selector", "Service/lab/ghost", "lab");
}

#[test]
fn lint_ingress_hosts_outside_the_domain() {
    let found = catalogue_findings(
        &[
            ("apps/web.rs", ingress("web", &format!("web.{DOMAIN}"))),
            ("apps/evil.rs", ingress("evil", "web.example.com")),
            // A suffix match without the dot is not inside the domain.
            ("apps/sly.rs", ingress("sly", &format!("sly{DOMAIN}"))),
        ],
        &context(),
    );
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "ingress-hosts",
        "Ingress/lab/evil",
        "outside the cluster domain",
    );
    assert_catalogue_lint(
        &found,
        "ingress-hosts",
        "Ingress/lab/sly",
        "outside the cluster domain",
    );
}

#[test]
fn lint_ingress_hosts_duplicate_host() {
    let host = format!("web.{DOMAIN}");
    let found = catalogue_findings(
        &[
            ("apps/web.rs", ingress("web", &host)),
            ("apps/copy.rs", ingress("copy", &host)),
        ],
        &context(),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "ingress-hosts",
        "Ingress/lab/copy",
        "Ingress/lab/web",
    );
}

#[test]
fn lint_references() {
    let mut d = deployment("web");
    let pod = &mut d["spec"]["template"]["spec"];
    pod["volumes"] = json!([
        {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
        {"name": "config", "configMap": {"name": "web-config"}},
        {"name": "certs", "secret": {"secretName": "web-certs"}},
    ]);
    pod["containers"][0]["env"] = json!([
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-token", "key": "t"}}},
    ]);
    let mut pvc = named("PersistentVolumeClaim", "v1", "web-restored");
    pvc["spec"] = json!({"dataSourceRef": {
        "apiGroup": "volsync.backube", "kind": "ReplicationDestination", "name": "web-dst",
    }});
    let objects = vec![("apps/web.rs", d.clone()), ("apps/web.rs", pvc.clone())];

    let found = catalogue_findings(&objects, &context());
    for (object, what) in [
        ("Deployment/lab/web", "PersistentVolumeClaim web-data"),
        ("Deployment/lab/web", "ConfigMap web-config"),
        ("Deployment/lab/web", "Secret web-certs"),
        ("Deployment/lab/web", "Secret web-token"),
        (
            "PersistentVolumeClaim/lab/web-restored",
            "ReplicationDestination web-dst",
        ),
    ] {
        assert_catalogue_lint(&found, "references", object, what);
    }
    assert_eq!(found.len(), 5, "{found:#?}");

    // Each reference resolves once something provides it: the objects themselves, an
    // ExternalSecret's target, or a Secret the model declares as created outside Git.
    let mut external = named("ExternalSecret", "external-secrets.io/v1", "web-token-es");
    external["spec"] = json!({"target": {"name": "web-token"}});
    let mut ctx = context();
    ctx.external_secrets
        .insert(("lab".into(), "web-certs".into()));
    let mut all = objects;
    all.extend([
        (
            "apps/web.rs",
            named("PersistentVolumeClaim", "v1", "web-data"),
        ),
        ("apps/web.rs", named("ConfigMap", "v1", "web-config")),
        ("apps/web.rs", external),
        (
            "apps/web.rs",
            named(
                "ReplicationDestination",
                "volsync.backube/v1alpha1",
                "web-dst",
            ),
        ),
    ]);
    let found = catalogue_findings(&all, &ctx);
    assert!(found.is_empty(), "{found:#?}");
    // ... in the same namespace only.
    let mut ctx = context();
    ctx.external_secrets
        .insert(("tools".into(), "web-certs".into()));
    let found = catalogue_findings(&all, &ctx);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "references",
        "Deployment/lab/web",
        "Secret web-certs",
    );
}

// --- lints end to end through the model ---------------------------------------------------

/// The annotations of the Deployment rendered for `app` in [`LAB`].
fn rendered_annotations(tree: &Tree, app: &str) -> BTreeMap<String, String> {
    let text = &tree[&format!("lab/{app}/deployment-{app}.yaml")];
    let d: Value = serde_saphyr::from_str(text).unwrap();
    serde_json::from_value(d["metadata"]["annotations"].clone()).unwrap_or_default()
}

#[test]
fn allow_lint_and_no_probes_render_with_their_reasons() {
    const WORKER_WHY: &str = "a queue worker serves nothing to probe";
    const QUIET_WHY: &str = "the health endpoint needs a login";
    // Without the suppression, a worker with no port (hence no probe) fails the probes lint.
    let cluster = test_cluster();
    let worker = || {
        App::new("worker", LAB)
            .source("apps/worker.rs")
            .image(IMAGE)
    };
    match portkey::render(&cluster, vec![worker()]) {
        Err(portkey::Error::Invalid(problems)) => assert!(
            problems
                .iter()
                .any(|p| p.contains("[probes]") && p.contains("apps/worker.rs")),
            "{problems:#?}"
        ),
        other => panic!("a worker without probes must fail the probes lint: {other:?}"),
    }

    let tree = render(vec![
        worker().allow_lint(Lint::Probes, WORKER_WHY),
        app("quiet").no_probes(QUIET_WHY),
    ]);
    let key = format!("{LINT_EXCEPTION_PREFIX}probes");
    assert_eq!(key, "portkey.dev/lint-exception.probes");
    assert_eq!(
        rendered_annotations(&tree, "worker")
            .get(&key)
            .map(String::as_str),
        Some(WORKER_WHY)
    );
    assert_eq!(
        rendered_annotations(&tree, "quiet")
            .get(&key)
            .map(String::as_str),
        Some(QUIET_WHY)
    );
    let quiet = &tree["lab/quiet/deployment-quiet.yaml"];
    assert!(
        !quiet.contains("livenessProbe") && !quiet.contains("readinessProbe"),
        "{quiet}"
    );
}

#[test]
fn allow_lint_with_empty_reason_is_a_model_error() {
    let all = problems(vec![app("web").allow_lint(Lint::ImageDigest, "  ")]);
    assert_eq!(all.len(), 1, "{all:#?}");
    let e = &all[0];
    assert_eq!(
        (e.app.as_str(), e.field.as_str()),
        ("web", "allow_lint(image-digest)")
    );
    assert!(e.problem.contains("without a reason"), "{e}");
    assert!(!e.fix.is_empty());
}

#[test]
fn no_probes_with_empty_reason_is_a_model_error() {
    let cluster = test_cluster();
    let result = portkey::render(&cluster, vec![app("web").no_probes("")]);
    assert!(
        matches!(&result, Err(e) if e.to_string().contains("web")),
        "probes switched off without a reason must be refused: {:?}",
        result.map(|t| t.len())
    );
}

#[test]
fn failing_lints_make_build_return_invalid_with_every_problem_and_write_nothing() {
    let cluster = test_cluster();
    let apps = vec![
        // image-digest: a tag without a digest.
        app("undigested").image("docker.io/library/nginx:1.27.0"),
        // probes: no port, so no default probe.
        App::new("worker", LAB)
            .source("apps/worker.rs")
            .image(IMAGE),
        // ingress-hosts: two apps serve one host.
        app("one").https("shared"),
        app("two").https("shared"),
        app("fine"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let problems = match portkey::build(&cluster, apps) {
        Err(portkey::Error::Invalid(problems)) => problems,
        Ok(o) => {
            // What the CLI would do next; this must never be reached.
            let _ = write_tree(&o.tree, &out);
            panic!("build accepted objects that fail the lints")
        }
        Err(e) => panic!("expected Error::Invalid, got: {e}"),
    };
    let expected = [
        (
            "apps/undigested.rs",
            "[image-digest]",
            "Deployment/lab/undigested",
        ),
        ("apps/worker.rs", "[probes]", "livenessProbe"),
        ("apps/worker.rs", "[probes]", "readinessProbe"),
        ("apps/two.rs", "[ingress-hosts]", "shared.lab.example.org"),
    ];
    for (source, lint, mention) in expected {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(source) && p.contains(lint) && p.contains(mention)),
            "missing {source} {lint} {mention}: {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    assert!(
        problems.iter().all(|p| !p.contains("apps/fine.rs")),
        "{problems:#?}"
    );
    let shown = portkey::Error::Invalid(problems.clone()).to_string();
    assert!(
        shown.starts_with("4 problem(s) in the compiled objects:"),
        "{shown}"
    );
    for p in &problems {
        assert!(shown.contains(&format!("- {p}")), "{shown}");
    }
    assert!(!out.exists(), "nothing may be written");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// `render` writes files while it compiles; the cross-object lints run only once every
/// file is out. Their failure must still leave the previous tree exactly as it was and
/// remove everything written meanwhile.
#[test]
fn failing_lints_during_a_streamed_render_keep_the_previous_tree() {
    let cluster = test_cluster();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let previous = portkey::build(&cluster, vec![app("one"), app("two")])
        .unwrap_or_else(|e| panic!("{e}"))
        .tree;
    write_tree(&previous, &out).unwrap();
    // ingress-hosts: two apps serve one host, which only the lints across objects see.
    let apps = vec![app("one").https("shared"), app("two").https("shared")];
    match portkey::render_into(&cluster, apps, Vec::new(), &out) {
        Err(portkey::Error::Invalid(problems)) => assert!(
            problems.iter().any(|p| p.contains("[ingress-hosts]")),
            "{problems:#?}"
        ),
        Err(e) => panic!("expected Error::Invalid, got: {e}"),
        Ok(_) => panic!("render accepted two apps serving one host"),
    }
    assert!(
        portkey::portkey_render::read_tree(&out).unwrap() == previous,
        "the previous tree was changed"
    );
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["generated"], "the staging directory was removed");
}

// =======================================================================================
// 3. YAML 1.1 round trip
// =======================================================================================

/// How a plain scalar resolves. Integers keep their value: `0700` is 448 under YAML 1.1
/// and 700 under YAML 1.2 — same type, different number.
#[derive(Clone, Debug, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    Int(i128),
    Float,
    Timestamp,
    Merge,
    Str,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap())
}

fn parse_int(digits: &str, radix: u32, negative: bool) -> Resolved {
    let v = i128::from_str_radix(&digits.replace('_', ""), radix).unwrap_or(i128::MAX);
    Resolved::Int(if negative { -v } else { v })
}

/// YAML 1.1 implicit types (yaml.org/type; as read by sigs.k8s.io/yaml's go-yaml and PyYAML).
fn yaml11(s: &str) -> Resolved {
    static FLOAT: OnceLock<Regex> = OnceLock::new();
    static FLOAT_EXP: OnceLock<Regex> = OnceLock::new();
    static SEXA_INT: OnceLock<Regex> = OnceLock::new();
    static SEXA_FLOAT: OnceLock<Regex> = OnceLock::new();
    static DATE: OnceLock<Regex> = OnceLock::new();
    static TIMESTAMP: OnceLock<Regex> = OnceLock::new();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "<<" => return Resolved::Merge,
        _ => {}
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let all = |t: &str, f: fn(char) -> bool| !t.is_empty() && t.chars().all(|c| f(c) || c == '_');
    if let Some(b) = body.strip_prefix("0b")
        && all(b, |c| c == '0' || c == '1')
    {
        return parse_int(b, 2, negative);
    }
    if let Some(h) = body.strip_prefix("0x")
        && all(h, |c| c.is_ascii_hexdigit())
    {
        return parse_int(h, 16, negative);
    }
    if body.len() > 1 && body.starts_with('0') && all(&body[1..], |c| ('0'..='7').contains(&c)) {
        return parse_int(&body[1..], 8, negative);
    }
    if body == "0"
        || (body.starts_with(|c: char| ('1'..='9').contains(&c))
            && all(body, |c| c.is_ascii_digit()))
    {
        return parse_int(body, 10, negative);
    }
    if re(&SEXA_INT, r"^[1-9][0-9_]*(:[0-5]?[0-9])+$").is_match(body) {
        let v = body.split(':').fold(0i128, |acc, part| {
            acc * 60 + part.replace('_', "").parse::<i128>().unwrap()
        });
        return Resolved::Int(if negative { -v } else { v });
    }
    let float = re(&FLOAT, r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$");
    // go-yaml also reads an exponent without a dot (`1e3`) as a float.
    let float_exp = re(&FLOAT_EXP, r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$");
    let sexa_float = re(&SEXA_FLOAT, r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$");
    if (float.is_match(s) && s.chars().any(|c| c.is_ascii_digit()))
        || float_exp.is_match(s)
        || sexa_float.is_match(s)
        || matches!(body, ".inf" | ".Inf" | ".INF")
        || matches!(s, ".nan" | ".NaN" | ".NAN")
    {
        return Resolved::Float;
    }
    let date = re(&DATE, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    let timestamp = re(
        &TIMESTAMP,
        r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?(([ \t]*)Z|[-+][0-9]{1,2}(:[0-9]{2})?)?$",
    );
    if date.is_match(s) || timestamp.is_match(s) {
        return Resolved::Timestamp;
    }
    Resolved::Str
}

/// The YAML 1.2 core schema.
fn yaml12(s: &str) -> Resolved {
    static FLOAT: OnceLock<Regex> = OnceLock::new();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()) {
        return parse_int(body, 10, negative);
    }
    if let Some(o) = s.strip_prefix("0o")
        && !o.is_empty()
        && o.chars().all(|c| ('0'..='7').contains(&c))
    {
        return parse_int(o, 8, false);
    }
    if let Some(h) = s.strip_prefix("0x")
        && !h.is_empty()
        && h.chars().all(|c| c.is_ascii_hexdigit())
    {
        return parse_int(h, 16, false);
    }
    if re(
        &FLOAT,
        r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
    )
    .is_match(s)
        || matches!(body, ".inf" | ".Inf" | ".INF")
        || matches!(s, ".nan" | ".NaN" | ".NAN")
    {
        return Resolved::Float;
    }
    Resolved::Str
}

/// One scalar of a YAML stream, with where it sits.
#[derive(Debug)]
struct Scalar {
    /// `/`-separated path of keys and indexes (`spec/template/.../env/0/value`); a key's own
    /// path ends in the key.
    path: String,
    value: String,
    style: ScalarStyle,
    tagged: bool,
    line: usize,
}

impl Scalar {
    /// How YAML 1.1 and YAML 1.2 read it: quoted, block and tagged scalars are what they say.
    fn resolved(&self) -> (Resolved, Resolved) {
        if self.style == ScalarStyle::Plain && !self.tagged {
            (yaml11(&self.value), yaml12(&self.value))
        } else {
            (Resolved::Str, Resolved::Str)
        }
    }
}

/// Every scalar of `text`, keys included, through granit-parser's events.
fn scalars(text: &str) -> Vec<Scalar> {
    enum Frame {
        Map { key: Option<String> },
        Seq { index: usize },
    }
    // After a node (value or collection) completes: the parent moves on.
    fn advance(frames: &mut [Frame]) {
        match frames.last_mut() {
            Some(Frame::Map { key }) => *key = None,
            Some(Frame::Seq { index }) => *index += 1,
            None => {}
        }
    }
    /// The path segment of the next node: its key, or its index.
    fn segment(frames: &[Frame]) -> Option<String> {
        match frames.last() {
            Some(Frame::Map { key: Some(k) }) => Some(k.clone()),
            Some(Frame::Map { key: None }) => Some("?".into()),
            Some(Frame::Seq { index }) => Some(index.to_string()),
            None => None,
        }
    }
    let mut frames: Vec<Frame> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
        match event {
            Event::DocumentStart(..) => {
                frames.clear();
                path.clear();
            }
            Event::Scalar(value, style, _, tag) => {
                let is_key = matches!(frames.last(), Some(Frame::Map { key: None }));
                let mut p = path.clone();
                if is_key {
                    p.push(value.to_string());
                } else if let Some(s) = segment(&frames) {
                    p.push(s);
                }
                out.push(Scalar {
                    path: p.join("/"),
                    value: value.to_string(),
                    style,
                    tagged: tag.is_some(),
                    line: span.start.line(),
                });
                if is_key {
                    if let Some(Frame::Map { key }) = frames.last_mut() {
                        *key = Some(value.to_string());
                    }
                } else {
                    advance(&mut frames);
                }
            }
            Event::Alias(_) => advance(&mut frames),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if let Some(s) = segment(&frames) {
                    path.push(s);
                }
                frames.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map { key: None }
                } else {
                    Frame::Seq { index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                frames.pop();
                if !frames.is_empty() {
                    path.pop();
                }
                advance(&mut frames);
            }
            _ => {}
        }
    }
    out
}

/// Plain scalars whose YAML 1.1 reading differs from their YAML 1.2 reading.
fn yaml11_changes(text: &str) -> Vec<String> {
    scalars(text)
        .into_iter()
        .filter_map(|s| {
            let (v11, v12) = s.resolved();
            (v11 != v12).then(|| {
                format!(
                    "line {}: {} = {:?} is {v11:?} under YAML 1.1 but {v12:?} under YAML 1.2",
                    s.line, s.path, s.value
                )
            })
        })
        .collect()
}

#[test]
fn yaml_type_check_catches_what_yaml_1_1_reads_differently() {
    // The checker itself: it must flag each of these plain scalars, and nothing quoted.
    let doc = "\
a: yes
b: '0700'
c: 0700
on: 1
d: 12:30
e: 2026-01-01
f: 1_000
<<: x
g: \"on\"
h: |
  yes
i: [y, n, Off]
j: 0b101
k: 2001-12-14t21:59:43.10-05:00
";
    let changes = yaml11_changes(doc);
    let flagged: BTreeSet<&str> = changes
        .iter()
        .map(|c| c.split(" = ").nth(1).unwrap().split(' ').next().unwrap())
        .collect();
    let expected: BTreeSet<&str> = [
        "\"yes\"",
        "\"0700\"",
        "\"on\"",
        "\"12:30\"",
        "\"2026-01-01\"",
        "\"1_000\"",
        "\"<<\"",
        "\"y\"",
        "\"n\"",
        "\"Off\"",
        "\"0b101\"",
        "\"2001-12-14t21:59:43.10-05:00\"",
    ]
    .into();
    assert_eq!(flagged, expected, "{changes:#?}");
    assert!(
        changes.iter().any(|c| c.starts_with("line 3: c = ")),
        "{changes:#?}"
    );
    assert!(
        changes.iter().any(|c| c.contains(": i/2 = \"Off\"")),
        "{changes:#?}"
    );
    // Same type under both: not flagged.
    let same = "a: true\nb: 1\nc: 1.5\nd: null\ne: ~\nf: hello\ng: 0x1F\nh: +1\ni: .5\nj: 1e3\nk: -7\nl:\nm: 1.10\n";
    assert_eq!(yaml11_changes(same), Vec::<String>::new());
}

#[test]
fn generated_tree_reads_the_same_under_yaml_1_1() {
    let mut files = 0;
    let mut changes = Vec::new();
    for entry in walkdir::WalkDir::new(generated()).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if !path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            continue;
        }
        files += 1;
        let text = fs::read_to_string(path).unwrap();
        for c in yaml11_changes(&text) {
            changes.push(format!("{}: {c}", path.display()));
        }
    }
    assert!(files > 20, "only {files} YAML files under generated/");
    assert!(changes.is_empty(), "{changes:#?}");
}

/// Strings YAML 1.1 (or 1.2) would read as something else when unquoted.
const TRICKY: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "0700",
    "1.10",
    "1e3",
    "0x1F",
    "~",
    "null",
    "12:30",
    "2026-01-01",
    "+1",
    ".5",
    "true",
    "Yes",
    "NO",
    "False",
    "Off",
    "0b101",
    "0o17",
    "1_000",
    "190:20:30",
    "-.inf",
    ".NaN",
    "<<",
    "2001-12-14t21:59:43.10-05:00",
    "",
    "-1",
    "0",
    "007",
    "1:2",
    "=",
];

/// Names that make valid ConfigMap keys (config file names).
const TRICKY_KEYS: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "0700",
    "1.10",
    "1e3",
    "0x1F",
    "null",
    "true",
    "2026-01-01",
    ".5",
    "1_000",
    "0b101",
];

/// Names that make valid environment variable names.
const TRICKY_ENV_NAMES: &[&str] = &["on", "off", "yes", "no", "y", "n", "null", "true", "NO"];

fn tricky_app() -> App {
    let mut a = app("tricky").args(TRICKY);
    for (i, v) in TRICKY.iter().enumerate() {
        a = a.env(&format!("V{i}"), v);
    }
    for name in TRICKY_ENV_NAMES {
        a = a.env(name, name);
    }
    for key in TRICKY_KEYS {
        a = a.config_file(&format!("/etc/tricky/{key}"), key);
    }
    a.config_file("/etc/tricky/lines.conf", "yes\n0700\n~\n")
        .annotation("on", "off")
        .annotation("y", "n")
        .annotation("example.com/when", "12:30")
}

fn tricky_tree() -> Tree {
    render(vec![tricky_app()])
}

#[test]
fn tricky_strings_read_the_same_under_yaml_1_1() {
    let tree = tricky_tree();
    let mut changes = Vec::new();
    for (path, text) in &tree {
        if Path::new(path).extension().is_some_and(|x| x == "yaml") {
            changes.extend(
                yaml11_changes(text)
                    .into_iter()
                    .map(|c| format!("{path}: {c}")),
            );
        }
    }
    assert!(changes.is_empty(), "{changes:#?}");

    // And every tricky string is a string to both readers where it was written.
    let deployment = &tree["lab/tricky/deployment-tricky.yaml"];
    let config = &tree["lab/tricky/configmap-tricky-config.yaml"];
    let container =
        Regex::new(r"^spec/template/spec/containers/0/(env/[0-9]+/(name|value)|args/[0-9]+)$")
            .unwrap();
    let mut seen = BTreeSet::new();
    let mut check = |s: &Scalar| {
        let (v11, v12) = s.resolved();
        assert!(
            v11 == Resolved::Str && v12 == Resolved::Str,
            "{} = {:?} ({:?}) is {v11:?} / {v12:?}, not a string",
            s.path,
            s.value,
            s.style
        );
        seen.insert(s.value.clone());
    };
    for s in scalars(deployment) {
        if container.is_match(&s.path)
            || s.path.starts_with("metadata/annotations/")
            || (s
                .path
                .starts_with("spec/template/spec/containers/0/volumeMounts/")
                && (s.path.ends_with("/mountPath") || s.path.ends_with("/subPath")))
        {
            check(&s);
        }
    }
    for s in scalars(config) {
        if s.path.starts_with("data/") {
            check(&s);
        }
    }
    for t in TRICKY.iter().chain(TRICKY_KEYS).chain(TRICKY_ENV_NAMES) {
        assert!(
            seen.contains(*t),
            "{t:?} was not found where it was written"
        );
    }
}

#[test]
fn tricky_strings_round_trip_exactly() {
    let tree = tricky_tree();
    let d: Value = serde_saphyr::from_str(&tree["lab/tricky/deployment-tricky.yaml"]).unwrap();
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    let env: BTreeMap<&str, &Value> = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), &e["value"]))
        .collect();
    for (i, v) in TRICKY.iter().enumerate() {
        assert_eq!(
            env.get(format!("V{i}").as_str()),
            Some(&&json!(v)),
            "env V{i}"
        );
    }
    for name in TRICKY_ENV_NAMES {
        assert_eq!(env.get(name), Some(&&json!(name)), "env {name}");
    }
    assert_eq!(c["args"], json!(TRICKY));
    assert_eq!(d["metadata"]["annotations"]["on"], json!("off"));
    assert_eq!(d["metadata"]["annotations"]["y"], json!("n"));
    assert_eq!(
        d["metadata"]["annotations"]["example.com/when"],
        json!("12:30")
    );

    let cm: Value =
        serde_saphyr::from_str(&tree["lab/tricky/configmap-tricky-config.yaml"]).unwrap();
    for key in TRICKY_KEYS {
        assert_eq!(cm["data"][key], json!(key), "ConfigMap data[{key}]");
    }
    assert_eq!(cm["data"]["lines.conf"], json!("yes\n0700\n~\n"));
}

#[test]
fn tricky_strings_round_trip_through_pyyaml() {
    // An independent YAML 1.1 reader, when there is one.
    let ok = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: skipped: python3 with PyYAML is not available");
        return;
    }
    let tree = tricky_tree();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("d.yaml");
    fs::write(&file, &tree["lab/tricky/deployment-tricky.yaml"]).unwrap();
    let o = Command::new("python3")
        .args([
            "-c",
            "import sys, yaml, json; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=repr))",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["args"],
        json!(TRICKY),
        "PyYAML reads the args differently"
    );
    for (i, v) in TRICKY.iter().enumerate() {
        let e = c["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == format!("V{i}"))
            .unwrap();
        assert_eq!(e["value"], json!(v), "PyYAML reads env V{i} differently");
    }
}

// =======================================================================================
// 4. The bad-input suite, counted
// =======================================================================================

/// Bad-input cases: `(file under tests/, test function)`. Each must exist as a `#[test]`.
const BAD_INPUT_CASES: &[(&str, &str)] = &[
    // tests/errors.rs: invalid model input.
    ("errors.rs", "app_name_with_upper_case"),
    ("errors.rs", "app_name_with_underscore"),
    ("errors.rs", "app_name_too_long"),
    ("errors.rs", "invalid_namespace"),
    ("errors.rs", "unknown_dependency"),
    ("errors.rs", "duplicate_app"),
    ("errors.rs", "missing_nfs_share"),
    ("errors.rs", "unknown_storage_class"),
    ("errors.rs", "gpu_no_node_has"),
    ("errors.rs", "device_not_in_inventory"),
    ("errors.rs", "pin_to_unknown_node"),
    ("errors.rs", "unsatisfiable_placement_gpu_and_pin"),
    ("errors.rs", "unsatisfiable_placement_gpu_and_device"),
    ("errors.rs", "malformed_cron_schedule"),
    ("errors.rs", "image_without_tag"),
    ("errors.rs", "memory_limit_below_request"),
    ("errors.rs", "critical_app_on_delete_class"),
    ("errors.rs", "critical_app_without_backup"),
    ("errors.rs", "claim_without_backup_or_exemption"),
    ("errors.rs", "all_problems_of_all_apps_are_reported_at_once"),
    (
        "errors.rs",
        "reserved_argocd_application_names_are_rejected_cluster",
    ),
    (
        "errors.rs",
        "reserved_argocd_application_names_are_rejected_root",
    ),
    ("errors.rs", "waits_for_cycle_is_rejected"),
    ("errors.rs", "waits_for_udp_port_is_rejected"),
    ("errors.rs", "env_var_name_invalid"),
    ("errors.rs", "env_var_set_twice"),
    ("errors.rs", "duplicate_port_number"),
    ("errors.rs", "duplicate_port_name"),
    ("errors.rs", "port_name_too_long"),
    ("errors.rs", "port_zero"),
    ("errors.rs", "mount_path_relative"),
    ("errors.rs", "duplicate_mount_path"),
    ("errors.rs", "duplicate_volume_name"),
    ("errors.rs", "https_host_with_a_dot"),
    ("errors.rs", "https_without_a_port"),
    ("errors.rs", "ingress_annotation_before_https"),
    ("errors.rs", "probe_path_without_slash"),
    ("errors.rs", "probe_without_a_port"),
    ("errors.rs", "zero_size_claim"),
    ("errors.rs", "claim_name_too_long"),
    ("errors.rs", "access_mode_the_class_does_not_support"),
    ("errors.rs", "critical_with_empty_reason"),
    ("errors.rs", "pin_with_empty_reason"),
    ("errors.rs", "pin_to_no_node"),
    ("errors.rs", "exception_with_empty_reason"),
    ("errors.rs", "duplicate_config_file_names"),
    ("errors.rs", "config_file_relative_path"),
    ("errors.rs", "secret_ref_with_invalid_name"),
    ("errors.rs", "secret_ref_with_empty_key"),
    ("errors.rs", "dependency_on_itself"),
    ("errors.rs", "waits_for_an_app_without_a_port"),
    ("errors.rs", "reserved_name_portkey_cluster_names_the_field"),
    ("errors.rs", "nfs_sub_path_absolute"),
    // tests/render_fs.rs: broken output directories.
    (
        "render_fs.rs",
        "foreign_file_in_output_is_reported_and_removed",
    ),
    ("render_fs.rs", "pruning_removes_a_symlink_not_its_target"),
    (
        "render_fs.rs",
        "pruning_never_deletes_through_a_directory_symlink",
    ),
    (
        "render_fs.rs",
        "output_path_that_is_a_file_is_refused_and_left_unchanged",
    ),
    ("render_fs.rs", "failed_write_keeps_the_previous_tree"),
    ("render_fs.rs", "read_only_parent_keeps_the_previous_tree"),
    ("render_fs.rs", "check_reports_a_hand_edit_with_a_diff"),
    (
        "render_fs.rs",
        "check_of_a_missing_directory_reports_everything_added",
    ),
    ("render_fs.rs", "tree_paths_cannot_escape_the_output"),
    (
        "render_fs.rs",
        "write_into_a_missing_parent_fails_and_creates_nothing",
    ),
    (
        "render_fs.rs",
        "output_symlink_to_a_directory_leaves_the_target_untouched",
    ),
    (
        "render_fs.rs",
        "check_reports_a_foreign_symlink_without_following_it",
    ),
    (
        "render_fs.rs",
        "check_reports_a_foreign_directory_and_a_deleted_file",
    ),
    // tests/cli.rs: `render --check` on broken trees.
    (
        "cli.rs",
        "check_fails_on_a_hand_edit_prints_the_diff_and_changes_nothing",
    ),
    ("cli.rs", "check_fails_on_missing_and_foreign_files"),
    (
        "cli.rs",
        "check_of_a_missing_directory_fails_without_creating_it",
    ),
    // tests/validation.rs: invalid objects, files and trees; lints; gates.
    (
        "validation.rs",
        "schema_problems_are_reported_by_the_embedded_schemas",
    ),
    (
        "validation.rs",
        "schema_problems_are_reported_by_the_kubeconform_directory",
    ),
    (
        "validation.rs",
        "schema_problems_are_reported_by_the_independent_validator",
    ),
    (
        "validation.rs",
        "cli_validate_prints_one_line_per_problem_and_exits_1",
    ),
    ("validation.rs", "unknown_kind_is_a_problem"),
    ("validation.rs", "file_that_is_not_yaml_is_a_problem"),
    ("validation.rs", "yaml_that_is_not_an_object_is_a_problem"),
    (
        "validation.rs",
        "file_that_is_not_utf8_fails_validation_naming_it",
    ),
    (
        "validation.rs",
        "missing_schema_directory_is_an_error_naming_it",
    ),
    ("validation.rs", "lint_image_digest_tag_without_digest"),
    ("validation.rs", "lint_image_digest_latest"),
    ("validation.rs", "lint_image_digest_missing_tag"),
    ("validation.rs", "lint_resources"),
    ("validation.rs", "lint_probes"),
    ("validation.rs", "lint_security_run_as_non_root"),
    ("validation.rs", "lint_security_read_only_root_filesystem"),
    ("validation.rs", "lint_security_allow_privilege_escalation"),
    ("validation.rs", "lint_security_drop_all"),
    ("validation.rs", "lint_security_added_capability"),
    ("validation.rs", "lint_security_privileged"),
    ("validation.rs", "lint_names"),
    ("validation.rs", "lint_duplicates"),
    ("validation.rs", "lint_service_selector"),
    ("validation.rs", "lint_ingress_hosts_outside_the_domain"),
    ("validation.rs", "lint_ingress_hosts_duplicate_host"),
    ("validation.rs", "lint_references"),
    (
        "validation.rs",
        "allow_lint_with_empty_reason_is_a_model_error",
    ),
    (
        "validation.rs",
        "failing_lints_make_build_return_invalid_with_every_problem_and_write_nothing",
    ),
    (
        "validation.rs",
        "hand_edited_tree_fails_check_tree_and_render_check",
    ),
    ("validation.rs", "hand_edited_copy_of_generated_is_stale"),
    (
        "validation.rs",
        "invalid_object_in_a_copy_of_generated_is_reported",
    ),
    (
        "validation.rs",
        "foreign_file_in_a_copy_of_generated_is_reported",
    ),
    (
        "validation.rs",
        "cli_render_into_a_file_fails_and_leaves_it",
    ),
    (
        "validation.rs",
        "cli_render_into_a_missing_parent_fails_and_creates_nothing",
    ),
];

#[test]
fn bad_input_suite_has_at_least_40_cases() {
    let test_fn = Regex::new(r"#\[test\](?:\s*#\[[^\n]*\])*\s*fn\s+(\w+)").unwrap();
    let mut tests: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for file in ["errors.rs", "render_fs.rs", "cli.rs", "validation.rs"] {
        let source = fs::read_to_string(root().join("tests").join(file)).unwrap();
        tests.insert(
            file,
            test_fn
                .captures_iter(&source)
                .map(|c| c[1].to_string())
                .collect(),
        );
    }
    let mut unique = BTreeSet::new();
    let mut missing = Vec::new();
    for (file, name) in BAD_INPUT_CASES {
        assert!(unique.insert((file, name)), "listed twice: {file} {name}");
        if !tests.get(file).is_some_and(|t| t.contains(*name)) {
            missing.push(format!("{file}: {name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "listed bad-input cases that are not #[test] functions: {missing:#?}"
    );
    let count = BAD_INPUT_CASES.len();
    assert!(count >= 40, "only {count} bad-input cases");
    // The count in this file's header comment is the real one.
    let header = fs::read_to_string(root().join("tests/validation.rs")).unwrap();
    let per_file = |file: &str| BAD_INPUT_CASES.iter().filter(|(f, _)| *f == file).count();
    let stated = format!(
        "The bad-input suite: {count} cases (counted by `bad_input_suite_has_at_least_40_cases`):\n//!    {} in tests/errors.rs",
        per_file("errors.rs")
    );
    assert!(
        header.contains(&stated),
        "update the header comment: {stated}"
    );
    for (file, n) in [
        ("render_fs.rs", per_file("render_fs.rs")),
        ("cli.rs", per_file("cli.rs")),
    ] {
        assert!(
            header.contains(&format!("{n} in tests/{file}")),
            "update the header comment: {n} in tests/{file}"
        );
    }
    assert!(
        header.contains(&format!("and {} here", per_file("validation.rs"))),
        "update the header comment: {} here",
        per_file("validation.rs")
    );
}

// =======================================================================================
// 5. Gates, on temporary copies
// =======================================================================================

fn real_tree() -> Tree {
    portkey::render_repository().expect("the real catalogue renders")
}

const JELLYFIN: &str = "media/jellyfin/deployment-jellyfin.yaml";

#[test]
fn hand_edited_tree_fails_check_tree_and_render_check() {
    let expected = real_tree();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    write_tree(&expected, &out).unwrap();
    assert!(check_tree(&expected, &out).unwrap().is_empty());
    let o = portkey_cli(&["render", "--check", "--out", "generated"], tmp.path());
    assert!(
        o.status.success(),
        "a fresh tree passes: {}",
        text(&o.stderr)
    );

    let original = &expected[JELLYFIN];
    assert!(original.contains("\n  replicas: 1\n"), "{original}");
    let edited = original.replacen("\n  replicas: 1\n", "\n  replicas: 3\n", 1);
    fs::write(out.join(JELLYFIN), &edited).unwrap();

    let drift = check_tree(&expected, &out).unwrap();
    assert_eq!(drift.changed, vec![JELLYFIN]);
    assert!(
        drift.added.is_empty() && drift.removed.is_empty(),
        "{drift:?}"
    );
    let lines: Vec<&str> = drift.diff.lines().collect();
    assert!(
        lines.contains(&"-  replicas: 3") && lines.contains(&"+  replicas: 1"),
        "{}",
        drift.diff
    );

    let o = portkey_cli(&["render", "--check", "--out", "generated"], tmp.path());
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.lines().any(|l| l == "-  replicas: 3"), "{stdout}");
    assert!(
        stderr.contains("is stale") && stderr.contains(JELLYFIN),
        "{stderr}"
    );
    assert!(stderr.contains("cargo run -- render"), "{stderr}");
    assert_eq!(
        fs::read_to_string(out.join(JELLYFIN)).unwrap(),
        edited,
        "--check wrote"
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "nothing staged beside it"
    );
}

#[test]
fn hand_edited_copy_of_generated_is_stale() {
    // The committed tree itself, copied (another change may be mid-way: only the edit is
    // asserted, not that the rest is fresh).
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("generated");
    copy_tree(&generated(), &copy);
    let file = copy.join(JELLYFIN);
    let edited = fs::read_to_string(&file).unwrap() + "# hand edit\n";
    fs::write(&file, &edited).unwrap();
    let drift = check_tree(&real_tree(), &copy).unwrap();
    assert!(drift.changed.contains(&JELLYFIN.to_string()), "{drift:?}");
    assert!(
        drift.diff.lines().any(|l| l == "-# hand edit"),
        "{}",
        drift.diff
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), edited, "check wrote");
}

#[test]
fn invalid_object_in_a_copy_of_generated_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("generated");
    copy_tree(&generated(), &copy);
    let before = portkey::validate_path(None, &copy).unwrap();
    assert!(before.problems.is_empty(), "{:#?}", before.problems);

    let mut d = read_value(&copy.join(JELLYFIN));
    d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!(7);
    d["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] = json!("yes");
    fs::write(copy.join(JELLYFIN), to_yaml(&d).unwrap()).unwrap();

    let mut origins = vec![None];
    origins.extend(shared_schemas().map(Some));
    for schemas in origins {
        let report = portkey::validate_path(schemas.as_deref(), &copy).unwrap();
        assert_eq!(report.objects, before.objects);
        let pointers: BTreeSet<&str> = report
            .problems
            .iter()
            .map(|p| {
                assert_eq!(
                    (p.file.as_str(), p.object.as_str()),
                    (JELLYFIN, "Deployment/jellyfin")
                );
                p.pointer.as_str()
            })
            .collect();
        assert_eq!(
            pointers,
            BTreeSet::from([
                "/spec/template/spec/containers/0/imagePullPolicy",
                "/spec/template/spec/securityContext/runAsNonRoot",
            ]),
            "{}: {:#?}",
            report.origin,
            report.problems
        );
    }
    let o = portkey_cli(&["validate", "generated"], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).contains(&format!(
            "{JELLYFIN}: Deployment/jellyfin: /spec/template/spec/securityContext/runAsNonRoot: "
        )),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn foreign_file_in_a_copy_of_generated_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("generated");
    copy_tree(&generated(), &copy);
    fs::write(
        copy.join("media/notes.yaml"),
        "# my notes\ntodo:\n- upgrade jellyfin\n",
    )
    .unwrap();
    let report = portkey::validate_path(None, &copy).unwrap();
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    assert_eq!(report.problems[0].file, "media/notes.yaml");
    assert!(
        report.problems[0].message.contains("unknown kind"),
        "{}",
        report.problems[0]
    );
    let drift = check_tree(&real_tree(), &copy).unwrap();
    assert!(
        drift.removed.contains(&"media/notes.yaml".to_string()),
        "{drift:?}"
    );
    assert!(copy.join("media/notes.yaml").exists(), "check removed it");
}

#[test]
fn cli_render_into_a_file_fails_and_leaves_it() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("generated"), "not a directory\n").unwrap();
    let o = portkey_cli(&["render", "--out", "generated"], tmp.path());
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("generated") && stderr.contains("not a directory"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("generated")).unwrap(),
        "not a directory\n"
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "nothing else created"
    );
}

#[test]
fn cli_render_into_a_missing_parent_fails_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let o = portkey_cli(&["render", "--out", "no/such/generated"], tmp.path());
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no/such"), "{stderr}");
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn cli_render_check_of_a_file_says_it_is_not_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("generated"), "not a directory\n").unwrap();
    let o = portkey_cli(&["render", "--check", "--out", "generated"], tmp.path());
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");
}
