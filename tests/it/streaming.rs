//! `render` and `render --check` stream: each file is compared with the disk as it is
//! rendered, and only the drift is kept. What they report must be exactly what comparing
//! the whole in-memory tree reports ([`check_tree`]), the diff byte for byte, and the data
//! files they keep exactly the ones `cli::data_loss` compared when it read the whole tree.

use std::path::Path;

use portkey::cli::data_loss;
use portkey::portkey_render::{
    Compare, Kept, RenderError, Sink, Staging, Tree, check_tree, read_tree, write_tree,
};

fn real_tree() -> Tree {
    portkey::render_repository().unwrap_or_else(|e| panic!("{e}"))
}

fn check(dir: &Path) -> portkey::portkey_render::WriteReport {
    portkey::check_into(
        &portkey::cluster::portkey(),
        portkey::catalogue(),
        portkey::charts(),
        dir,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .1
}

fn render(dir: &Path) -> portkey::portkey_render::WriteReport {
    portkey::render_into(
        &portkey::cluster::portkey(),
        portkey::catalogue(),
        portkey::charts(),
        dir,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .1
}

/// The first path of `tree` whose file name starts with `prefix`.
fn first(tree: &Tree, prefix: &str) -> String {
    tree.keys()
        .find(|p| p.rsplit('/').next().is_some_and(|n| n.starts_with(prefix)))
        .unwrap_or_else(|| panic!("no {prefix}* file"))
        .clone()
}

#[test]
fn streamed_check_and_render_find_exactly_the_drift_of_the_whole_tree() {
    let tree = real_tree();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("generated");
    write_tree(&tree, &dir).unwrap();

    // An unchanged tree: nothing to report, no diff, nothing kept.
    let clean = check(&dir);
    assert_eq!(clean.files, tree.len());
    assert!(clean.drift.is_empty(), "{}", clean.drift.summary());
    assert!(clean.drift.diff.is_empty());
    assert_eq!(clean.kept, Kept::default());

    // A file edited (a claim: a data file), one deleted (a render adds it back), a foreign
    // one (a render removes it), and a changed document.
    let claim = first(&tree, "persistentvolumeclaim-");
    let edited = tree[&claim].replace("storage: ", "storage: 9");
    assert_ne!(edited, tree[&claim]);
    std::fs::write(dir.join(&claim), &edited).unwrap();
    let deployment = first(&tree, "deployment-");
    std::fs::remove_file(dir.join(&deployment)).unwrap();
    std::fs::write(dir.join("media/stray.yaml"), "kind: Stray\n").unwrap();
    std::fs::write(dir.join("ARCHITECTURE.md"), "# hand-edited\n").unwrap();
    // RESTORE.md goes to the sinks as it is written (`Sink::accept_written`): a copy with
    // one line more matches every byte it writes, and must still count as changed.
    std::fs::write(
        dir.join("RESTORE.md"),
        format!("{}extra\n", tree["RESTORE.md"]),
    )
    .unwrap();
    let on_disk = read_tree(&dir).unwrap();

    let expected = check_tree(&tree, &dir).unwrap();
    assert_eq!(expected.added, std::slice::from_ref(&deployment));
    assert_eq!(expected.removed, ["media/stray.yaml"]);
    assert_eq!(
        expected.changed,
        [
            "ARCHITECTURE.md".to_string(),
            "RESTORE.md".to_string(),
            claim.clone()
        ]
    );
    let streamed = check(&dir);
    assert_eq!(streamed.files, tree.len());
    assert_eq!(streamed.drift, expected, "the streamed check differs");
    // The data files, old and new, as the whole trees held them.
    assert_eq!(streamed.kept.before, data_loss::of_tree(&on_disk));
    assert_eq!(streamed.kept.after, data_loss::of_tree(&tree));
    assert_eq!(read_tree(&dir).unwrap(), on_disk, "--check wrote");

    // `render` finds the same drift (without the diff), keeps the same, and writes the tree.
    let written = render(&dir);
    assert_eq!(written.files, tree.len());
    assert_eq!(
        (
            written.drift.added,
            written.drift.changed,
            written.drift.removed
        ),
        (expected.added, expected.changed, expected.removed)
    );
    assert!(written.drift.diff.is_empty());
    assert_eq!(written.kept, streamed.kept);
    assert!(
        read_tree(&dir).unwrap() == tree,
        "render wrote another tree"
    );
}

#[test]
fn streamed_check_of_a_missing_directory_adds_every_file_and_builds_no_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("generated");
    let report = check(&dir);
    let tree = real_tree();
    assert_eq!(report.files, tree.len());
    assert_eq!(report.drift.added, tree.keys().cloned().collect::<Vec<_>>());
    assert!(report.drift.changed.is_empty() && report.drift.removed.is_empty());
    assert!(report.drift.diff.is_empty());
    assert!(!dir.exists(), "--check created the directory");
}

fn file(path: &str, text: &str, source: &str) -> (String, String, String) {
    (path.into(), text.into(), source.into())
}

/// Two objects at one path: both sinks fail naming the two sources in sorted order,
/// whichever arrived first, and `render` leaves the directory as it was.
#[test]
fn streamed_sinks_refuse_two_files_at_one_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("generated");
    let before: Tree = [("a.yaml".to_string(), "kind: A\n".to_string())].into();
    write_tree(&before, &dir).unwrap();
    let files = vec![
        file("b.yaml", "kind: B\n", "apps/zeta.rs"),
        file("a.yaml", "kind: A\n", "apps/one.rs"),
        file("b.yaml", "kind: C\n", "apps/alpha.rs"),
    ];
    let collision = |e: RenderError| match e {
        RenderError::Collision {
            path,
            first,
            second,
        } => (path, first, second),
        other => panic!("not a collision: {other}"),
    };
    let expected = (
        "b.yaml".to_string(),
        "apps/alpha.rs".to_string(),
        "apps/zeta.rs".to_string(),
    );
    let compare = Compare::begin(&dir, |_| false).unwrap();
    compare.accept(files.clone());
    assert_eq!(collision(compare.finish().unwrap_err()), expected);
    let staging = Staging::begin(&dir).unwrap();
    staging.accept(files);
    assert_eq!(collision(staging.commit().unwrap_err()), expected);
    assert_eq!(
        read_tree(&dir).unwrap(),
        before,
        "a failed render changed the tree"
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "the staging directory was left behind");
}

/// A document handed over as it is written (`Sink::accept_written`, what RESTORE.md takes)
/// arrives exactly as the same text handed over whole would: added, unchanged (and then
/// hard-linked from the current tree), or changed when the disk holds a prefix of it, with
/// the same diff.
#[test]
fn a_document_written_piece_by_piece_arrives_as_the_whole_text_would() {
    use std::os::unix::fs::MetadataExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("generated");
    let lines = |n: usize| {
        move |out: &mut dyn std::fmt::Write| {
            for i in 0..n {
                let _ = writeln!(out, "line {i} of a long document");
            }
        }
    };
    let whole = portkey::portkey_render::written_document("DOC.md", "apps/", &lines(3000));
    assert!(
        whole.1.starts_with("<!-- Generated by portkey from apps/."),
        "{}",
        &whole.1[..80]
    );
    let render = |body: &portkey::portkey_render::WriteBody<'_>, other: &str| {
        let staging = Staging::begin(&dir).unwrap();
        staging.accept(vec![file("other.yaml", other, "apps/a.rs")]);
        staging.accept_written("DOC.md", "apps/", body);
        staging.commit().unwrap()
    };

    // Added, straight into its file.
    let first = render(&lines(3000), "kind: A\n");
    assert_eq!(first.drift.added, ["DOC.md", "other.yaml"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("DOC.md")).unwrap(),
        whole.1
    );
    let inode = std::fs::metadata(dir.join("DOC.md")).unwrap().ino();

    // Unchanged beside a change: linked from the tree it replaces.
    let second = render(&lines(3000), "kind: B\n");
    assert_eq!(second.drift.changed, ["other.yaml"]);
    assert_eq!(
        std::fs::metadata(dir.join("DOC.md")).unwrap().ino(),
        inode,
        "not linked"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("DOC.md")).unwrap(),
        whole.1
    );

    // The disk holds a prefix of it: changed, with the diff of the whole texts.
    let longer = portkey::portkey_render::written_document("DOC.md", "apps/", &lines(3001));
    let tree: Tree = [
        ("DOC.md".to_string(), longer.1.clone()),
        ("other.yaml".to_string(), "kind: B\n".to_string()),
    ]
    .into();
    let expected = check_tree(&tree, &dir).unwrap();
    assert_eq!(expected.changed, ["DOC.md"]);
    let compare = Compare::begin(&dir, |_| false).unwrap();
    compare.accept(vec![file("other.yaml", "kind: B\n", "apps/a.rs")]);
    compare.accept_written("DOC.md", "apps/", &lines(3001));
    assert_eq!(compare.finish().unwrap().drift, expected);
    let third = render(&lines(3001), "kind: B\n");
    assert_eq!(third.drift.changed, ["DOC.md"]);
    assert_eq!(read_tree(&dir).unwrap(), tree);
}
