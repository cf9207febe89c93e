//! The policy lints end to end through the model: suppressions render with their reasons,
//! an empty reason is a model error, and failing lints fail the build and keep the
//! previous tree. The rules themselves are unit-tested in the validate crate.

use std::collections::BTreeMap;
use std::fs;

use crate::common::*;
use portkey::portkey_model::app::{App, LINT_EXCEPTION_PREFIX, Lint};
use portkey::portkey_render::{Tree, write_tree};
use serde_json::Value;

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
                .map(ToString::to_string)
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
        // Two apps serve one host: a model problem now, reported in the same run.
        app("one").https("shared"),
        app("two").https("shared"),
        app("fine"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let (model, problems) = match portkey::build(&cluster, apps) {
        Err(portkey::Error::Both(model, problems)) => (model, problems),
        Ok(o) => {
            // What the CLI would do next; this must never be reached.
            let _ = write_tree(&o.tree, &out);
            panic!("build accepted objects that fail the lints")
        }
        Err(e) => panic!("expected Error::Both, got: {e}"),
    };
    assert!(
        model
            .0
            .iter()
            .any(|e| e.app == "two" && e.field == "https" && e.problem.contains("`shared`")),
        "{model:#?}"
    );
    let expected = [
        (
            "apps/undigested.rs",
            "[image-digest]",
            "Deployment/lab/undigested",
        ),
        ("apps/worker.rs", "[probes]", "livenessProbe"),
        ("apps/worker.rs", "[probes]", "readinessProbe"),
    ];
    for (source, lint, mention) in expected {
        assert!(
            problems
                .iter()
                .map(ToString::to_string)
                .any(|p| p.starts_with(source) && p.contains(lint) && p.contains(mention)),
            "missing {source} {lint} {mention}: {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    assert!(
        problems
            .iter()
            .all(|p| !p.to_string().contains("apps/fine.rs")),
        "{problems:#?}"
    );
    let shown = portkey::Error::Invalid(problems.clone()).to_string();
    assert!(
        shown.starts_with("3 problem(s) in the compiled objects:"),
        "{shown}"
    );
    for p in &problems {
        assert!(shown.contains(&format!("- {p}")), "{shown}");
    }
    assert!(!out.exists(), "nothing may be written");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// `render` writes files while it compiles, and with a problem found across apps (two apps
/// on one host) it still compiles and streams the rest, to report every stage's problems.
/// The failure must leave the previous tree exactly as it was and remove everything
/// written meanwhile.
#[test]
fn failing_lints_during_a_streamed_render_keep_the_previous_tree() {
    let cluster = test_cluster();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let previous = portkey::build(&cluster, vec![app("one"), app("two")])
        .unwrap_or_else(|e| panic!("{e}"))
        .tree;
    write_tree(&previous, &out).unwrap();
    let apps = vec![app("one").https("shared"), app("two").https("shared")];
    match portkey::render_into(&cluster, apps, Vec::new(), &out) {
        Err(portkey::Error::Model(problems)) => assert!(
            problems.0.iter().any(|p| p.field == "https"),
            "{problems:#?}"
        ),
        Err(e) => panic!("expected Error::Model, got: {e}"),
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
