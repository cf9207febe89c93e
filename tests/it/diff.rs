//! `portkey diff`: the CLI against temporary git repositories holding a copy of the real
//! `generated/`, and the library on the real render of a modified catalogue.

use std::path::{Path, PathBuf};
use std::process::Command;

use portkey::portkey_diff::{self, Category, markdown};
use serde_json::Value;

use crate::common::{root, run_cli, text};

/// A temporary project: `Cargo.toml`, `apps/` and a copy of the real `generated/`, in a
/// git repository with that copy committed.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        std::fs::create_dir(dir.path().join("apps")).unwrap();
        let from = root().join("generated");
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let to = dir
                .path()
                .join("generated")
                .join(entry.path().strip_prefix(&from).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("the real generated/");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=portkey-test",
                "-c",
                "user.email=test@example.org",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .arg("-C")
            .arg(self.path())
            .args(args)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.path().join("generated").join(rel)
    }

    /// Replaces `from` (which must be there, once) with `to` in `generated/<rel>`.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.file(rel);
        let old = std::fs::read_to_string(&path).unwrap();
        assert_eq!(old.matches(from).count(), 1, "{from:?} once in {rel}");
        std::fs::write(&path, old.replace(from, to)).unwrap();
    }

    fn diff(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let mut all = vec!["diff"];
        all.extend_from_slice(args);
        let out = run_cli(&all, self.path());
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    }

    /// `portkey diff --base HEAD~1 --head worktree ARGS`: what the last commit changed.
    fn last_commit(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let mut all = vec!["--base", "HEAD~1", "--head", "worktree"];
        all.extend_from_slice(args);
        self.diff(&all)
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let (_, out, err) = self.diff(&all);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON: {e}\n{out}\n{err}"))
    }
}

const SONARR_PVC: &str = "media/sonarr/persistentvolumeclaim-sonarr-config.yaml";
const CLASS: &str = "storageClassName: ceph-block\n";
const RETAIN: &str = "storageClassName: ceph-block-retain\n";

/// `(category, object name, field)` of every warning in a JSON diff.
fn warnings(json: &Value) -> Vec<(String, String, String)> {
    json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["category"].as_str().unwrap().to_string(),
                w["object"]["name"].as_str().unwrap().to_string(),
                w["field"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn w(category: &str, name: &str, field: &str) -> (String, String, String) {
    (category.into(), name.into(), field.into())
}

/// One commit of edits: immutable fields, a downgrade, a sync wave, a lost backup, a plain
/// change, and a move.
fn edit_objects(repo: &Repo) {
    repo.edit(SONARR_PVC, CLASS, RETAIN);
    repo.edit(
        "media/sonarr/deployment-sonarr.yaml",
        "  selector:\n    matchLabels:\n      app.kubernetes.io/name: sonarr\n",
        "  selector:\n    matchLabels:\n      app.kubernetes.io/name: sonarr\n      tier: web\n",
    );
    repo.edit(
        "nextcloud/nextcloud-postgres/statefulset-nextcloud-postgres.yaml",
        "serviceName: nextcloud-postgres\n",
        "serviceName: postgres\n",
    );
    repo.edit(
        "media/jellyfin/deployment-jellyfin.yaml",
        "replicas: 1\n",
        "replicas: 2\n",
    );
    repo.edit(
        "argocd/application-volsync.yaml",
        "targetRevision: \"0.16.0\"",
        "targetRevision: \"0.9.1\"",
    );
    repo.edit(
        "argocd/application-sonarr.yaml",
        "sync-wave: \"4\"",
        "sync-wave: \"1\"",
    );
    repo.git(&[
        "rm",
        "-q",
        "generated/home/babybuddy/replicationsource-babybuddy-config.yaml",
    ]);
    // A moved file is not a change; the header comment is noise.
    repo.git(&[
        "mv",
        "generated/home/grocy/service-grocy.yaml",
        "generated/home/grocy/moved.yaml",
    ]);
    repo.edit(
        "home/grocy/moved.yaml",
        "# Generated by portkey",
        "# Moved by hand",
    );
    repo.commit("edit objects");
}

#[test]
fn a_commit_that_edits_objects_is_classified() {
    let repo = Repo::new();
    edit_objects(&repo);
    let json = repo.json(&["--base", "HEAD~1", "--head", "worktree"]);
    assert_eq!(json["status"], "warnings");
    assert_eq!(json["error"], Value::Null);
    let mut got = warnings(&json);
    got.sort();
    let mut want = vec![
        w("immutable", "sonarr-config", "spec.storageClassName"),
        w("immutable", "sonarr", "spec.selector"),
        w("immutable", "nextcloud-postgres", "spec.serviceName"),
        w("downgrade", "volsync", "spec.source.targetRevision"),
        w(
            "sync-wave",
            "sonarr",
            "metadata.annotations[\"argocd.argoproj.io/sync-wave\"]",
        ),
        w("destructive", "babybuddy-config", ""),
    ];
    want.sort();
    assert_eq!(got, want, "{json:#}");
    // The loss of babybuddy's only backup names the consequence.
    let lost = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["app"] == "babybuddy")
        .unwrap();
    assert!(
        lost["change"]
            .as_str()
            .unwrap()
            .contains("loses its backup"),
        "{lost:#}"
    );
    assert_eq!(json["totals"]["changed"], 6, "{json:#}");
    assert_eq!(json["totals"]["removed"], 1);
    assert_eq!(json["totals"]["added"], 0);
    assert_eq!(json["moved"][0]["to"], "home/grocy/moved.yaml");
    let jellyfin = &json["apps"]["jellyfin"]["changed"][0]["fields"];
    assert_eq!(
        jellyfin,
        &serde_json::json!([{"path": "spec.replicas", "old": 1, "new": 2}])
    );

    // Exit codes: 1 on changes; 3 with --fail-on warning when there are warnings.
    let (code, _, _) = repo.last_commit(&[]);
    assert_eq!(code, Some(1));
    let (code, _, _) = repo.last_commit(&["--fail-on", "warning"]);
    assert_eq!(code, Some(3));
    markdown_reads_back(&repo, &json);
}

/// The Markdown: the marker, under the cap, every warning, and a table that reads back as
/// the JSON's counts.
fn markdown_reads_back(repo: &Repo, json: &Value) {
    let (code, md, err) = repo.last_commit(&["--format", "markdown"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(md.starts_with(&format!("{}\n", markdown::MARKER)), "{md}");
    assert!(md.len() < markdown::LIMIT);
    assert!(!md.contains("Cut to stay"), "{md}");
    for warning in json["warnings"].as_array().unwrap() {
        let change = warning["change"].as_str().unwrap();
        assert!(md.contains(change), "{change} not in\n{md}");
    }
    let rows: Vec<Vec<String>> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| app |"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), json["apps"].as_object().unwrap().len(), "{md}");
    for row in &rows {
        let app = &json["apps"][&row[0]];
        for (i, what) in ["added", "changed", "removed"].iter().enumerate() {
            assert_eq!(
                row[i + 1],
                app[what].as_array().unwrap().len().to_string(),
                "{row:?}"
            );
        }
        let warned = json["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["app"] == row[0].as_str())
            .count();
        assert_eq!(row[4], warned.to_string(), "{row:?}");
    }
    // Apps with warnings first.
    assert_eq!(rows.last().unwrap()[0], "jellyfin", "{rows:?}");
    assert_eq!(md.matches("<details>").count(), rows.len());
    assert_eq!(md.matches("</details>").count(), rows.len());
}

#[test]
fn a_storage_class_change_warns_and_a_no_op_commit_exits_0() {
    let repo = Repo::new();
    repo.edit(SONARR_PVC, CLASS, RETAIN);
    repo.commit("sonarr's config on the Retain class");
    let (code, out, err) = repo.last_commit(&[]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains(
            "warning: [immutable] PersistentVolumeClaim media/sonarr-config (v1) spec.storageClassName: \"ceph-block\" → \"ceph-block-retain\": a claim's spec cannot change"
        ),
        "{out}"
    );
    let (code, _, _) = repo.last_commit(&["--fail-on", "warning"]);
    assert_eq!(code, Some(3));

    std::fs::write(repo.path().join("apps/notes.txt"), "not generated").unwrap();
    repo.commit("a no-op for generated/");
    let (code, out, err) = repo.last_commit(&[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("No changes."), "{out}");
    let (code, _, _) = repo.last_commit(&["--fail-on", "warning"]);
    assert_eq!(code, Some(0));
    let json = repo.json(&["--base", "HEAD~1", "--head", "worktree"]);
    assert_eq!(json["status"], "unchanged", "{json:#}");
    assert_eq!(json["totals"]["changed"], 0);
}

#[test]
fn the_render_is_compared_with_the_default_base() {
    let repo = Repo::new();
    // generated/ at HEAD is what render writes: nothing to report.
    let (code, out, err) = repo.diff(&[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.starts_with("portkey diff: generated/ at HEAD "),
        "{out}"
    );
    // With origin/main, the default base is the merge base with it.
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.edit(SONARR_PVC, CLASS, RETAIN);
    repo.commit("on a branch");
    let (code, out, _) = repo.diff(&[]);
    assert_eq!(
        code,
        Some(1),
        "HEAD holds the edit, the render does not: {out}"
    );
    repo.git(&["update-ref", "refs/remotes/origin/main", first.trim()]);
    let (code, out, _) = repo.diff(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("merge-base(HEAD, origin/main)"), "{out}");
}

#[test]
fn a_project_below_the_repository_top_is_found_from_a_subfolder() {
    let repo = Repo::new();
    let project = repo.path().join("deploy");
    std::fs::create_dir(&project).unwrap();
    for entry in ["Cargo.toml", "apps", "generated"] {
        std::fs::rename(repo.path().join(entry), project.join(entry)).unwrap();
    }
    repo.commit("the project moves into deploy/");
    let edited = project.join("generated").join(SONARR_PVC);
    let yaml = std::fs::read_to_string(&edited)
        .unwrap()
        .replace(CLASS, RETAIN);
    std::fs::write(&edited, yaml).unwrap();
    repo.commit("sonarr's claim on Retain");
    let out = run_cli(
        &["diff", "--base", "HEAD~1", "--head", "worktree"],
        &project.join("generated/media"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("1 object differs in 1 app (0 added, 1 changed, 0 removed); 1 warning.")
            && shown.contains("spec.storageClassName"),
        "{shown}"
    );
}

#[test]
fn bad_refs_and_places_are_errors_that_name_the_fix() {
    let repo = Repo::new();
    let (code, out, err) = repo.diff(&["--base", "no-such-branch"]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("`no-such-branch` is not a commit") && err.contains("fix:"),
        "{err}"
    );
    let json = repo.json(&["--base", "no-such-branch"]);
    assert_eq!(json["status"], "error");
    assert!(
        json["error"].as_str().unwrap().contains("no-such-branch"),
        "{json:#}"
    );

    repo.edit(SONARR_PVC, "kind: PersistentVolumeClaim\n", "kind: [\n");
    let (code, _, err) = repo.diff(&["--head", "worktree"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains(&format!("generated/{SONARR_PVC} is not valid YAML")),
        "{err}"
    );

    let outside = tempfile::tempdir().unwrap();
    let out = run_cli(&["diff"], outside.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no project root"),
        "{}",
        text(&out.stderr)
    );
}

/// A Renovate-style bump of one image in `apps/`, through the real pipeline: the diff names
/// exactly that image, in exactly that app's Deployment.
#[test]
fn a_renovate_bump_is_one_image_in_one_app() {
    let before = portkey::render_repository().expect("the repository renders");
    let bump = |to: &str| {
        let mut apps = portkey::catalogue();
        let sonarr = apps.iter_mut().find(|a| a.name == "sonarr").unwrap();
        let old = sonarr.image.clone();
        sonarr.image = to.to_string();
        let out = portkey::build_with(&portkey::cluster::portkey(), apps, portkey::charts())
            .expect("the bumped catalogue renders");
        (old, portkey_diff::diff(&before, &out.tree).unwrap())
    };
    let (old, diff) = bump("ghcr.io/home-operations/sonarr:4.0.20.1");
    assert_eq!(
        diff.apps.keys().collect::<Vec<_>>(),
        ["sonarr"],
        "{diff:#?}"
    );
    let sonarr = &diff.apps["sonarr"];
    assert!(sonarr.added.is_empty() && sonarr.removed.is_empty());
    assert_eq!(sonarr.changed.len(), 1, "{sonarr:#?}");
    let changed = &sonarr.changed[0];
    assert_eq!(
        (changed.object.kind.as_str(), changed.object.name.as_str()),
        ("Deployment", "sonarr")
    );
    assert_eq!(changed.fields.len(), 1, "{changed:#?}");
    let field = &changed.fields[0];
    assert_eq!(
        field.path,
        "spec.template.spec.containers[name=sonarr].image"
    );
    assert_eq!(field.old, Some(Value::String(old.clone())));
    assert_eq!(
        field.new,
        Some(Value::String(
            "ghcr.io/home-operations/sonarr:4.0.20.1".into()
        ))
    );
    assert!(diff.warnings.is_empty(), "{:#?}", diff.warnings);

    // The same bump backwards is a downgrade.
    let (_, diff) = bump("ghcr.io/home-operations/sonarr:4.0.9.1");
    assert_eq!(diff.warnings.len(), 1, "{:#?}", diff.warnings);
    assert_eq!(diff.warnings[0].category, Category::Downgrade);
    assert_eq!(
        diff.warnings[0].change,
        "ghcr.io/home-operations/sonarr 4.0.19.3001 → 4.0.9.1"
    );
}
