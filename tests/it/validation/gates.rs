//! Gates: a hand-edited tree fails `check_tree` and `render --check`; an invalid object in
//! a copy of `generated/` fails `validate_path`. Only temporary copies are modified.

use std::collections::BTreeSet;
use std::fs;

use super::{committed_schemas, copy_tree, generated, portkey_cli, read_value};
use crate::common::*;
use portkey::portkey_render::{Tree, check_tree, to_yaml, write_tree};
use serde_json::json;

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

    for schemas in [None, Some(committed_schemas())] {
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
        report.problems[0].message.contains("no `kind`"),
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
    assert_eq!(o.status.code(), Some(2), "{stderr}"); // could not run: exit 2
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
    assert_eq!(o.status.code(), Some(2), "{stderr}"); // could not run: exit 2
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
    assert_eq!(o.status.code(), Some(2), "{stderr}"); // could not run: exit 2
    assert!(stderr.contains("not a directory"), "{stderr}");
}
