//! Schemas, three ways: the embedded schemas, the committed kubeconform-layout copy of the
//! upstream schemas (`crates/portkey-validate/schemas/`), and the independent validator
//! `../shared/tools/validate-manifests` (ignored: run by `.ci/run`) each report an unknown
//! field, a wrong type and misspelt CRD fields, and nothing on the real `generated/` tree;
//! `portkey validate` prints `file: Kind/name: /pointer: message`.

use std::fs;

use super::{
    committed_schemas, first_generated, generated, independent_validator, object_label,
    portkey_cli, read_value, root, run_independent_validator, write_value,
};
use crate::common::*;
use portkey::portkey_validate::Problem;
use regex::Regex;
use serde_json::json;

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
    let (tmp, planted) = broken_site();
    let report = portkey::validate_path(Some(&committed_schemas()), tmp.path()).expect("validate");
    assert_reports_planted(&report, &planted);
}

#[test]
#[ignore = "needs validate-manifests (python3, ../shared/tools): run by .ci/run"]
fn schema_problems_are_reported_by_the_independent_validator() {
    let tool = independent_validator();
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

/// Validates the real `generated/` tree with `schemas` (embedded when `None`): many
/// objects, no problem.
fn assert_generated_tree_is_clean(schemas: Option<&std::path::Path>) {
    let report = portkey::validate_path(schemas, &generated()).expect("validate generated/");
    assert!(report.objects > 20, "{report:#?}");
    assert!(
        report.problems.is_empty(),
        "{}: {:#?}",
        report.origin,
        report
            .problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
}

#[test]
fn generated_tree_is_clean_for_the_embedded_schemas() {
    assert_generated_tree_is_clean(None);
}

#[test]
fn generated_tree_is_clean_for_the_kubeconform_directory() {
    assert_generated_tree_is_clean(Some(&committed_schemas()));
}

#[test]
#[ignore = "needs validate-manifests (python3, ../shared/tools): run by .ci/run"]
fn generated_tree_is_clean_for_the_independent_validator() {
    let tool = independent_validator();
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
    for schemas in [None, Some(committed_schemas())] {
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
            .any(|p| p.starts_with("list.yaml: ") && p.contains("no `kind`")),
        "{shown:#?}"
    );
}

#[test]
fn file_that_is_not_utf8_fails_validation_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("binary.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let o = portkey_cli(&["validate", "."], tmp.path());
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "one problem, not an abort: {all}");
    assert!(
        text(&o.stdout).starts_with("binary.yaml: -: /: not UTF-8 text: invalid byte at offset 0"),
        "{all}"
    );
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

/// The problems `portkey validate` reports for the files of `files` (`(name, bytes)`).
fn problems_of(files: &[(&str, &[u8])]) -> (usize, Vec<portkey::portkey_validate::Problem>) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        fs::write(tmp.path().join(name), bytes).unwrap();
    }
    let report = portkey::validate_path(None, tmp.path()).unwrap();
    (report.objects, report.problems)
}

const CONFIG_MAP: &[u8] = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n";

#[test]
fn non_utf8_file_is_one_problem_with_its_offset() {
    let (objects, problems) = problems_of(&[
        (
            "a.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
        ),
        ("b.yaml", CONFIG_MAP),
    ]);
    assert_eq!(objects, 1, "the other file is still validated");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, "a.yaml");
    assert!(
        problems[0]
            .message
            .contains("not UTF-8 text: invalid byte at offset 52"),
        "{}",
        problems[0]
    );
}

#[test]
fn duplicate_key_names_the_key_and_line_without_advice() {
    let (_, problems) = problems_of(&[(
        "dup.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n",
    )]);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(
        problems[0].message, "duplicate key `name` at line 5",
        "{}",
        problems[0]
    );
}

#[test]
fn object_without_kind_says_so() {
    let (objects, problems) =
        problems_of(&[("nokind.yaml", b"apiVersion: v1\nmetadata:\n  name: a\n")]);
    assert_eq!(objects, 0);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, "nokind.yaml");
    assert!(problems[0].message.contains("no `kind`"), "{}", problems[0]);
}

#[test]
fn empty_yaml_file_is_an_error() {
    for body in [&b""[..], b"\n", b"# only a comment\n", b"---\n"] {
        let (objects, problems) = problems_of(&[("empty.yaml", body), ("b.yaml", CONFIG_MAP)]);
        assert_eq!(objects, 1);
        assert_eq!(problems.len(), 1, "{body:?}: {problems:#?}");
        assert_eq!(problems[0].file, "empty.yaml");
        assert!(
            problems[0].message.starts_with("empty manifest file"),
            "{}",
            problems[0]
        );
    }
}

/// `tree` written into a temporary directory.
fn written(tree: &portkey::portkey_render::Tree) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in tree {
        let file = tmp.path().join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    tmp
}

/// `portkey validate .` in `dir` passes with 0 problems.
fn assert_cli_validates(dir: &std::path::Path) {
    let o = portkey_cli(&["validate", "."], dir);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    assert!(out.trim_end().ends_with(": 0 problems"), "{out}");
}

/// The independent validator passes `dir` with 0 failed and no unknown kind.
fn assert_independent_validator_passes(dir: &std::path::Path) {
    let tool = independent_validator();
    let o = run_independent_validator(&tool, dir);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");
    assert!(!out.contains("unknown"), "{out}");
}

/// The real apps on the inventory with a Bitwarden Secrets Manager store, written to a
/// temporary directory: the `ClusterSecretStore` and the `ExternalSecret`s included.
fn store_tree() -> tempfile::TempDir {
    let mut cluster = portkey::cluster::portkey();
    cluster.backup.secret_store = Some(crate::common::test_secret_store());
    let tree = portkey::render(&cluster, portkey::catalogue()).unwrap_or_else(|e| panic!("{e}"));
    assert!(tree.contains_key("cluster/secrets/clustersecretstore-bitwarden.yaml"));
    // With the SDK server's certificate chain (cert-manager Issuers and Certificates), and
    // its namespace, which cluster-namespaces creates.
    assert!(tree.contains_key("cluster/store-tls/certificate-bitwarden-sdk-server.yaml"));
    assert!(tree.contains_key("cluster/store-tls/issuer-bitwarden-sdk-server-ca.yaml"));
    assert!(tree.contains_key("cluster/namespaces/namespace-external-secrets.yaml"));
    written(&tree)
}

#[test]
fn cli_validate_accepts_the_secret_store_objects() {
    assert_cli_validates(store_tree().path());
}

#[test]
#[ignore = "needs validate-manifests (python3, ../shared/tools): run by .ci/run"]
fn secret_store_tree_is_clean_for_the_independent_validator() {
    assert_independent_validator_passes(store_tree().path());
}

/// The real catalogue with `paperless-redis` serving metrics, written to a temporary
/// directory: a `ServiceMonitor` included (no app of `apps/` declares `.metrics(..)`).
fn metrics_tree() -> tempfile::TempDir {
    let mut apps = portkey::catalogue();
    let redis = apps
        .iter_mut()
        .find(|a| a.name == "paperless-redis")
        .expect("paperless-redis");
    *redis = redis
        .clone()
        .port(portkey::portkey_model::app::Port::tcp("metrics", 9121))
        .metrics("metrics", "/metrics");
    let tree = portkey::build_with(&portkey::cluster::portkey(), apps, portkey::charts())
        .unwrap_or_else(|e| panic!("{e}"))
        .tree;
    assert!(tree.contains_key("paperless/paperless-redis/servicemonitor-paperless-redis.yaml"));
    written(&tree)
}

#[test]
fn cli_validate_accepts_a_service_monitor() {
    assert_cli_validates(metrics_tree().path());
}

#[test]
#[ignore = "needs validate-manifests (python3, ../shared/tools): run by .ci/run"]
fn service_monitor_tree_is_clean_for_the_independent_validator() {
    assert_independent_validator_passes(metrics_tree().path());
}
