//! The render crate's ownership of the output directory, on a real filesystem: atomic
//! replacement, pruning, drift reports, failures that leave the previous tree intact, and
//! nothing touched outside the output directory. No apps needed: trees are built by hand.
//!
//! (These live in the root package so that a plain `cargo test` runs them.)

use std::fs;
use std::path::PathBuf;

use portkey::portkey_render::{RENDER_COMMAND, Tree, check_tree, read_tree, write_tree};

fn tree(files: &[(&str, &str)]) -> Tree {
    files
        .iter()
        .map(|(p, c)| ((*p).to_string(), (*c).to_string()))
        .collect()
}

fn v1() -> Tree {
    tree(&[
        ("a.yaml", "kind: A\nvalue: 1\n"),
        ("sub/b.yaml", "kind: B\nline: one\nvalue: 1\nline: three\n"),
        ("old/c.yaml", "kind: C\n"),
    ])
}

fn v2() -> Tree {
    tree(&[
        ("a.yaml", "kind: A\nvalue: 1\n"),
        ("sub/b.yaml", "kind: B\nline: one\nvalue: 2\nline: three\n"),
    ])
}

/// A parent directory with an output path inside it, plus things that must never be
/// touched: a file in the parent, a sibling directory and a sibling file sharing the
/// output's name as a prefix.
struct Site {
    tmp: tempfile::TempDir,
    parent: PathBuf,
    out: PathBuf,
}

const OUTSIDE: [(&str, &str); 3] = [
    ("notes.txt", "my notes\n"),
    ("generated.bak/keep.yaml", "kind: Keep\n"),
    ("generated-old.yaml", "kind: Old\n"),
];

impl Site {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let parent = tmp.path().join("repo");
        fs::create_dir(&parent).unwrap();
        for (p, c) in OUTSIDE {
            let path = parent.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, c).unwrap();
        }
        let out = parent.join("generated");
        Self { tmp, parent, out }
    }

    fn assert_outside_untouched(&self) {
        for (p, c) in OUTSIDE {
            let path = self.parent.join(p);
            assert_eq!(
                fs::read_to_string(&path).unwrap_or_default(),
                c,
                "{} was modified",
                path.display()
            );
        }
        self.assert_no_staging();
    }

    fn assert_no_staging(&self) {
        let mut names: Vec<String> = fs::read_dir(&self.parent)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let expected_max = [
            "generated",
            "generated-old.yaml",
            "generated.bak",
            "notes.txt",
        ];
        for n in &names {
            assert!(
                expected_max.contains(&n.as_str()),
                "left behind in the parent directory: {n} (all: {names:?})"
            );
        }
    }
}

#[test]
fn write_creates_the_tree() {
    let site = Site::new();
    let report = write_tree(&v1(), &site.out).expect("write");
    assert_eq!(report.files, 3);
    assert_eq!(
        report.drift.added,
        vec!["a.yaml", "old/c.yaml", "sub/b.yaml"]
    );
    assert!(report.drift.changed.is_empty() && report.drift.removed.is_empty());
    assert_eq!(read_tree(&site.out).unwrap(), v1());
    assert_eq!(
        fs::read_to_string(site.out.join("sub/b.yaml")).unwrap(),
        v1()["sub/b.yaml"]
    );
    site.assert_outside_untouched();
}

#[test]
fn second_write_prunes_stale_files_and_touches_nothing_outside() {
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    let report = write_tree(&v2(), &site.out).expect("second write");
    assert_eq!(report.files, 2);
    assert_eq!(report.drift.removed, vec!["old/c.yaml"]);
    assert_eq!(report.drift.changed, vec!["sub/b.yaml"]);
    assert!(report.drift.added.is_empty());
    assert!(
        !site.out.join("old/c.yaml").exists(),
        "stale file not pruned"
    );
    assert!(!site.out.join("old").exists(), "stale directory not pruned");
    assert_eq!(
        read_tree(&site.out).unwrap(),
        v2(),
        "the directory holds exactly the new tree"
    );
    site.assert_outside_untouched();
}

#[test]
fn unchanged_write_reports_no_drift() {
    let site = Site::new();
    write_tree(&v2(), &site.out).unwrap();
    let report = write_tree(&v2(), &site.out).unwrap();
    assert!(report.drift.is_empty(), "{:?}", report.drift);
    assert!(report.drift.diff.is_empty());
    assert_eq!(read_tree(&site.out).unwrap(), v2());
    site.assert_outside_untouched();
}

#[test]
fn foreign_file_in_output_is_reported_and_removed() {
    let site = Site::new();
    write_tree(&v2(), &site.out).unwrap();
    fs::write(site.out.join("hand-made.yaml"), "kind: Foreign\n").unwrap();
    fs::create_dir_all(site.out.join("extra")).unwrap();
    fs::write(site.out.join("extra/stray.txt"), "stray\n").unwrap();

    let drift = check_tree(&v2(), &site.out).unwrap();
    assert_eq!(drift.removed, vec!["extra/stray.txt", "hand-made.yaml"]);
    assert!(drift.diff.contains("-kind: Foreign"), "{}", drift.diff);
    assert!(
        site.out.join("hand-made.yaml").exists(),
        "check_tree must not write"
    );

    let report = write_tree(&v2(), &site.out).unwrap();
    assert_eq!(
        report.drift.removed,
        vec!["extra/stray.txt", "hand-made.yaml"]
    );
    assert!(!site.out.join("hand-made.yaml").exists());
    assert!(!site.out.join("extra").exists());
    assert_eq!(read_tree(&site.out).unwrap(), v2());
    site.assert_outside_untouched();
}

#[cfg(unix)]
#[test]
fn pruning_removes_a_symlink_not_its_target() {
    let site = Site::new();
    let precious = site.tmp.path().join("precious.txt");
    fs::write(&precious, "precious\n").unwrap();
    write_tree(&v1(), &site.out).unwrap();
    std::os::unix::fs::symlink(&precious, site.out.join("sub/link.txt")).unwrap();

    let report = write_tree(&v2(), &site.out).expect("write");
    assert!(
        report.drift.removed.contains(&"sub/link.txt".to_string()),
        "{:?}",
        report.drift
    );
    assert!(
        fs::symlink_metadata(site.out.join("sub/link.txt")).is_err(),
        "the link is pruned"
    );
    assert_eq!(
        fs::read_to_string(&precious).unwrap(),
        "precious\n",
        "its target is not"
    );
    assert_eq!(read_tree(&site.out).unwrap(), v2());
    site.assert_outside_untouched();
}

#[cfg(unix)]
#[test]
fn pruning_never_deletes_through_a_directory_symlink() {
    let site = Site::new();
    let elsewhere = site.tmp.path().join("elsewhere");
    fs::create_dir_all(&elsewhere).unwrap();
    fs::write(elsewhere.join("inner.txt"), "inner\n").unwrap();
    write_tree(&v1(), &site.out).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.out.join("old/linkdir")).unwrap();

    // Today this write fails (read_tree cannot read a symlinked directory) and leaves the
    // tree as it was; either way, what the link points at must survive.
    let result = write_tree(&v2(), &site.out);
    assert_eq!(
        fs::read_to_string(elsewhere.join("inner.txt")).unwrap(),
        "inner\n"
    );
    match result {
        Ok(_) => assert_eq!(read_tree(&site.out).unwrap(), v2()),
        Err(e) => assert!(
            site.out.join("old/c.yaml").exists(),
            "a failed write changed the tree: {e}"
        ),
    }
    site.assert_outside_untouched();
}

#[test]
fn output_path_that_is_a_file_is_refused_and_left_unchanged() {
    let site = Site::new();
    fs::write(&site.out, "I am a file\n").unwrap();
    let err = write_tree(&v1(), &site.out).expect_err("cannot replace a regular file");
    let shown = err.to_string();
    assert!(
        shown.contains("generated"),
        "the error names the path: {shown}"
    );
    assert!(site.out.is_file());
    assert_eq!(fs::read_to_string(&site.out).unwrap(), "I am a file\n");
    site.assert_outside_untouched();
}

#[test]
fn failed_write_keeps_the_previous_tree() {
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    // `x.yaml` is both a file and a directory: writing the new tree fails part-way.
    let impossible = tree(&[
        ("a.yaml", "kind: A\nvalue: 9\n"),
        ("x.yaml", "kind: X\n"),
        ("x.yaml/y.yaml", "kind: Y\n"),
    ]);
    let err =
        write_tree(&impossible, &site.out).expect_err("a path cannot be a file and a directory");
    assert!(err.to_string().contains("left unchanged"), "{err}");
    assert_eq!(
        read_tree(&site.out).unwrap(),
        v1(),
        "the previous tree must stay intact"
    );
    site.assert_outside_untouched();
}

/// The user the read-only test drops to when permissions do not bind (root: CI runs so).
#[cfg(unix)]
const NOBODY: &str = "65534";

/// A command that runs `portkey` without the privilege to write where permissions forbid
/// it: as is for an ordinary user, and as [`NOBODY`] through `setpriv` when `privileged`
/// (root, or CAP_DAC_OVERRIDE). The binary is copied into `site` when that user cannot
/// execute it where cargo built it.
#[cfg(unix)]
fn unprivileged_portkey(privileged: bool, site: &std::path::Path) -> std::process::Command {
    use std::process::Command;
    let built = PathBuf::from(env!("CARGO_BIN_EXE_portkey"));
    if !privileged {
        return Command::new(built);
    }
    let as_nobody = |program: &std::path::Path| {
        let mut c = Command::new("setpriv");
        c.args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
        ])
        .arg(program);
        c
    };
    let reachable = as_nobody(&built)
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("run setpriv (util-linux) to drop root for this test: {e}"))
        .status
        .success();
    if reachable {
        return as_nobody(&built);
    }
    let copy = site.join("portkey");
    fs::copy(&built, &copy).unwrap();
    // The debug binary's shared libraries (the pipeline's and the standard library's, in
    // target/ and the toolchain, which that user may not reach either) go beside it: its
    // run-path has `$ORIGIN` (build.rs).
    let ldd = Command::new("ldd").arg(&built).output().expect("run ldd");
    for line in String::from_utf8_lossy(&ldd.stdout).lines() {
        if let Some((_, path)) = line.split_once("=> ")
            && let Some(path) = path.split(" (").next().map(std::path::Path::new)
            && !path.starts_with("/lib")
            && !path.starts_with("/usr")
            && let Some(name) = path.file_name()
        {
            fs::copy(path, site.join(name)).unwrap();
        }
    }
    as_nobody(&copy)
}

#[cfg(unix)]
#[test]
fn read_only_parent_keeps_the_previous_tree() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    // The unprivileged user must reach the site (tempdir makes it 0700).
    fs::set_permissions(site.tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&site.parent, fs::Permissions::from_mode(0o555)).unwrap();
    let probe = site.parent.join("probe");
    let privileged = fs::write(&probe, "").is_ok();
    if privileged {
        fs::remove_file(&probe).unwrap();
    }
    let o = unprivileged_portkey(privileged, site.tmp.path())
        .args(["render", "--out"])
        .arg(&site.out)
        .current_dir(site.tmp.path())
        .output()
        .expect("run the portkey binary");
    fs::set_permissions(&site.parent, fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "rendered into a read-only directory (privileged: {privileged}): {err}"
    );
    assert!(
        err.contains("creating a staging directory in") && err.contains("left unchanged"),
        "cannot stage beside the output in a read-only directory: {err}"
    );
    assert_eq!(read_tree(&site.out).unwrap(), v1());
    site.assert_outside_untouched();
}

#[test]
fn check_reports_a_hand_edit_with_a_diff() {
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    let edited = v1()["sub/b.yaml"].replace("value: 1", "value: 42");
    fs::write(site.out.join("sub/b.yaml"), &edited).unwrap();

    let drift = check_tree(&v1(), &site.out).unwrap();
    assert!(!drift.is_empty());
    assert_eq!(drift.changed, vec!["sub/b.yaml"]);
    assert!(
        drift.added.is_empty() && drift.removed.is_empty(),
        "{drift:?}"
    );
    let lines: Vec<&str> = drift.diff.lines().collect();
    assert!(
        lines.contains(&"-value: 42"),
        "the edited line, as on disk:\n{}",
        drift.diff
    );
    assert!(
        lines.contains(&"+value: 1"),
        "the line render would write:\n{}",
        drift.diff
    );
    assert!(
        drift.diff.contains("generated/sub/b.yaml"),
        "the diff names the file:\n{}",
        drift.diff
    );
    assert!(
        !drift.diff.contains("a.yaml\n"),
        "unchanged files are not in the diff:\n{}",
        drift.diff
    );
    assert!(drift.summary().contains("~ sub/b.yaml"));
    assert_eq!(
        fs::read_to_string(site.out.join("sub/b.yaml")).unwrap(),
        edited,
        "check must not write"
    );
}

#[test]
fn check_of_a_missing_directory_reports_everything_added() {
    let site = Site::new();
    let drift = check_tree(&v2(), &site.out).unwrap();
    assert_eq!(drift.added, vec!["a.yaml", "sub/b.yaml"]);
    assert!(drift.diff.contains("+kind: A"));
    assert!(!site.out.exists(), "check must not create the directory");
    assert!(read_tree(&site.out).unwrap().is_empty());
}

#[test]
fn render_command_is_the_documented_one() {
    assert_eq!(RENDER_COMMAND, "cargo run -- render");
}

#[test]
fn tree_paths_cannot_escape_the_output() {
    let site = Site::new();
    let escape = site.tmp.path().join("escaped.yaml");
    let bad: Tree = [(
        escape.to_string_lossy().into_owned(),
        "kind: Escaped\n".to_string(),
    )]
    .into();
    let _ = write_tree(&bad, &site.out);
    assert!(
        !escape.exists(),
        "write_tree wrote {} outside {}",
        escape.display(),
        site.out.display()
    );
}

#[test]
fn write_into_a_missing_parent_fails_and_creates_nothing() {
    let site = Site::new();
    let out = site.parent.join("no/such/generated");
    let err = write_tree(&v1(), &out).expect_err("the parent directory does not exist");
    let shown = err.to_string();
    assert!(
        shown.contains("no/such"),
        "the error names the path: {shown}"
    );
    assert!(shown.contains("left unchanged"), "{shown}");
    assert!(!site.parent.join("no").exists(), "nothing was created");
    assert!(!site.out.exists());
    site.assert_outside_untouched();
}

#[cfg(unix)]
#[test]
fn output_symlink_to_a_directory_leaves_the_target_untouched() {
    // `generated` is a link to a directory elsewhere: render refuses (it would replace the
    // link with a directory), names the target, and writes or deletes nothing through it.
    let site = Site::new();
    let elsewhere = site.tmp.path().join("elsewhere");
    fs::create_dir_all(elsewhere.join("sub")).unwrap();
    fs::write(elsewhere.join("sub/b.yaml"), "kind: Elsewhere\n").unwrap();
    fs::write(elsewhere.join("keep.txt"), "keep\n").unwrap();
    std::os::unix::fs::symlink(&elsewhere, &site.out).unwrap();
    let before = read_tree(&elsewhere).unwrap();

    let result = write_tree(&v2(), &site.out);
    assert_eq!(
        read_tree(&elsewhere).unwrap(),
        before,
        "the link's target was modified"
    );
    let e = result.expect_err("a symlinked output directory is refused");
    let shown = e.to_string();
    assert!(shown.contains("symbolic link"), "{shown}");
    assert!(shown.contains(&elsewhere.display().to_string()), "{shown}");
    assert!(
        fs::symlink_metadata(&site.out)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    site.assert_outside_untouched();
}

#[cfg(unix)]
#[test]
fn check_reports_a_foreign_symlink_without_following_it() {
    let site = Site::new();
    let secret = site.tmp.path().join("secret.txt");
    fs::write(&secret, "password=hunter2\n").unwrap();
    write_tree(&v2(), &site.out).unwrap();
    std::os::unix::fs::symlink(&secret, site.out.join("sub/link.yaml")).unwrap();

    let drift = check_tree(&v2(), &site.out).unwrap();
    assert_eq!(drift.removed, vec!["sub/link.yaml"]);
    assert!(
        drift.added.is_empty() && drift.changed.is_empty(),
        "{drift:?}"
    );
    assert!(
        drift.diff.contains("symbolic link to"),
        "the diff says what the file is:\n{}",
        drift.diff
    );
    assert!(
        !drift.diff.contains("hunter2"),
        "the link was followed:\n{}",
        drift.diff
    );
    assert!(
        fs::symlink_metadata(site.out.join("sub/link.yaml")).is_ok(),
        "check must not write"
    );
    assert_eq!(fs::read_to_string(&secret).unwrap(), "password=hunter2\n");
    site.assert_outside_untouched();
}

#[test]
fn check_reports_a_foreign_directory_and_a_deleted_file() {
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    fs::remove_file(site.out.join("a.yaml")).unwrap();
    fs::create_dir_all(site.out.join("mine/deeper")).unwrap();
    fs::write(site.out.join("mine/deeper/x.yaml"), "kind: Mine\n").unwrap();

    let drift = check_tree(&v1(), &site.out).unwrap();
    assert_eq!(drift.added, vec!["a.yaml"]);
    assert_eq!(drift.removed, vec!["mine/deeper/x.yaml"]);
    assert!(drift.changed.is_empty(), "{drift:?}");
    assert!(drift.summary().contains("+ a.yaml"), "{}", drift.summary());
    assert!(
        drift.summary().contains("- mine/deeper/x.yaml"),
        "{}",
        drift.summary()
    );
    assert!(!site.out.join("a.yaml").exists(), "check must not write");
    assert!(site.out.join("mine/deeper/x.yaml").exists());

    let report = write_tree(&v1(), &site.out).unwrap();
    assert_eq!(report.drift.removed, vec!["mine/deeper/x.yaml"]);
    assert!(
        !site.out.join("mine").exists(),
        "the foreign directory is pruned"
    );
    assert_eq!(read_tree(&site.out).unwrap(), v1());
    site.assert_outside_untouched();
}

/// A re-render links unchanged files from the previous tree instead of rewriting them (same
/// inode), writes changed files afresh, and leaves each file with one name once the old tree
/// is gone.
#[cfg(unix)]
#[test]
fn rewrite_links_unchanged_files_and_rewrites_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    let inode = |p: &str| fs::metadata(site.out.join(p)).unwrap().ino();
    let (a, b) = (inode("a.yaml"), inode("sub/b.yaml"));
    write_tree(&v2(), &site.out).unwrap();
    assert_eq!(
        inode("a.yaml"),
        a,
        "unchanged a.yaml is the same file, linked"
    );
    assert_ne!(
        inode("sub/b.yaml"),
        b,
        "changed sub/b.yaml is written afresh"
    );
    assert_eq!(read_tree(&site.out).unwrap(), v2());
    for p in ["a.yaml", "sub/b.yaml"] {
        assert_eq!(
            fs::metadata(site.out.join(p)).unwrap().nlink(),
            1,
            "{p} keeps one name"
        );
    }
    // A hand edit is not carried over by a link: the file is rewritten to the rendering.
    fs::write(site.out.join("a.yaml"), "kind: Edited\n").unwrap();
    write_tree(&v2(), &site.out).unwrap();
    assert_eq!(read_tree(&site.out).unwrap(), v2());
}

/// Files as the pipeline hands them to a sink: `(path, text, source)`.
fn files(t: &Tree) -> Vec<portkey::portkey_render::File> {
    t.iter()
        .map(|(p, c)| (p.clone(), c.clone(), "test".to_string()))
        .collect()
}

/// Two renders into one directory at once (an editor's render-on-save and a manual run)
/// run one after the other: the second waits for the first to commit (the parent
/// directory's `flock`, taken on Linux), so it never compares its files with a tree that
/// is being swapped, nor takes the first's staging directory for a killed render's
/// leftover. Both complete, the later swap wins, and nothing is left behind.
#[cfg(target_os = "linux")]
#[test]
fn concurrent_renders_run_one_after_the_other_and_the_later_one_wins() {
    use portkey::portkey_render::{Sink, Staging};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};
    let site = Site::new();
    write_tree(&v1(), &site.out).unwrap();
    let first = Staging::begin(&site.out).unwrap();
    first.accept(files(&v2()));
    let second_tree = tree(&[("a.yaml", "kind: A\nvalue: 3\n")]);
    let second_began = Arc::new(AtomicBool::new(false));
    let (done, finished) = mpsc::channel();
    let second = {
        let (out, second_tree, began) = (
            site.out.clone(),
            second_tree.clone(),
            Arc::clone(&second_began),
        );
        std::thread::spawn(move || {
            let second = Staging::begin(&out).expect("the second render begins");
            began.store(true, Ordering::SeqCst);
            second.accept(files(&second_tree));
            let result = second.commit();
            let _ = done.send(());
            result
        })
    };
    // The second render waits while the first is open.
    assert!(
        finished
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_err(),
        "the second render finished while the first was still open"
    );
    assert!(
        !second_began.load(Ordering::SeqCst),
        "the second render began while the first was still open"
    );
    let first = first.commit().expect("the first render completes");
    assert_eq!(first.files, v2().len());
    assert_eq!(
        (first.drift.changed, first.drift.removed),
        (
            vec!["sub/b.yaml".to_string()],
            vec!["old/c.yaml".to_string()]
        )
    );
    let second = second
        .join()
        .expect("the second render's thread")
        .expect("the second render completes");
    // The second compared its files with the first's tree, the one it waited for.
    assert_eq!(second.files, second_tree.len());
    assert_eq!(
        (second.drift.changed, second.drift.removed),
        (vec!["a.yaml".to_string()], vec!["sub/b.yaml".to_string()])
    );
    assert_eq!(read_tree(&site.out).unwrap(), second_tree);
    site.assert_outside_untouched();
}
