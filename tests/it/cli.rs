//! The `portkey` binary: `render --out`, `render --check`, and what a stale tree prints.
#![allow(clippy::case_sensitive_file_extension_comparisons)] // portkey writes lower-case `.yaml`

use std::fs;

use crate::common::text;
use std::path::Path;
use std::process::Output;

use portkey::portkey_render::{Tree, read_tree};

fn portkey(args: &[&str], cwd: &Path) -> Output {
    crate::common::run_cli(args, cwd)
}

fn expected() -> Tree {
    portkey::render_repository().expect("the real catalogue renders")
}

/// Renders into `<tmp>/generated` through the binary.
fn rendered_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let o = portkey(&["render", "--out", out.to_str().unwrap()], tmp.path());
    assert!(
        o.status.success(),
        "render failed:\nstdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    (tmp, out)
}

#[test]
fn render_writes_the_tree() {
    let (tmp, out) = rendered_site();
    let on_disk = read_tree(&out).unwrap();
    assert!(!on_disk.is_empty());
    // The binary runs in another process (other hash seeds): the same bytes as in-process.
    assert!(
        on_disk == expected(),
        "the binary wrote something other than portkey::render"
    );
    // Only the output directory was created.
    let entries: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec!["generated"]);
}

#[test]
fn render_with_relative_out_uses_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let o = portkey(&["render", "--out", "gen"], tmp.path());
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(read_tree(&tmp.path().join("gen")).unwrap(), expected());
}

#[test]
fn second_render_is_up_to_date() {
    let (_tmp, out) = rendered_site();
    let o = portkey(
        &["render", "--out", out.to_str().unwrap()],
        out.parent().unwrap(),
    );
    assert!(o.status.success());
    assert!(
        text(&o.stdout).contains("up to date"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn check_passes_on_a_fresh_tree() {
    let (_tmp, out) = rendered_site();
    let o = portkey(
        &["render", "--check", "--out", out.to_str().unwrap()],
        out.parent().unwrap(),
    );
    assert!(
        o.status.success(),
        "check failed on a fresh tree:\nstdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("up to date"));
}

#[test]
fn check_fails_on_a_hand_edit_prints_the_diff_and_changes_nothing() {
    let (_tmp, out) = rendered_site();
    // Edit one line of one file: the `kind:` line of the first YAML file.
    let before = read_tree(&out).unwrap();
    let (path, original) = before
        .iter()
        .find(|(p, _)| p.ends_with(".yaml"))
        .map(|(p, c)| (p.clone(), c.clone()))
        .unwrap();
    let kind_line = original
        .lines()
        .find(|l| l.starts_with("kind: "))
        .unwrap()
        .to_string();
    let edited_line = format!("{kind_line}Edited");
    let edited = original.replacen(&kind_line, &edited_line, 1);
    fs::write(out.join(&path), &edited).unwrap();

    let o = portkey(
        &["render", "--check", "--out", out.to_str().unwrap()],
        out.parent().unwrap(),
    );
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    let all = format!("{stdout}{stderr}");
    assert!(
        !o.status.success(),
        "check passed on an edited tree:\n{all}"
    );
    assert!(
        all.lines().any(|l| l == format!("-{edited_line}")),
        "diff lacks the edited line:\n{all}"
    );
    assert!(
        all.lines().any(|l| l == format!("+{kind_line}")),
        "diff lacks the rendered line:\n{all}"
    );
    assert!(all.contains(&path), "output does not name {path}:\n{all}");
    assert!(
        all.contains("cargo run -- render"),
        "output does not say how to fix it:\n{all}"
    );

    assert_eq!(
        fs::read_to_string(out.join(&path)).unwrap(),
        edited,
        "--check modified the file"
    );
    let mut after = before.clone();
    after.insert(path, edited);
    assert_eq!(read_tree(&out).unwrap(), after, "--check changed the tree");
    // Nothing staged beside it either.
    let entries: Vec<_> = fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec!["generated"]);
}

#[test]
fn check_fails_on_missing_and_foreign_files() {
    let (_tmp, out) = rendered_site();
    let victim = read_tree(&out).unwrap().into_keys().next().unwrap();
    fs::remove_file(out.join(&victim)).unwrap();
    fs::write(out.join("foreign.yaml"), "kind: Foreign\n").unwrap();
    let o = portkey(
        &["render", "--check", "--out", out.to_str().unwrap()],
        out.parent().unwrap(),
    );
    let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert!(!o.status.success(), "{all}");
    assert!(
        all.contains(&victim) && all.contains("foreign.yaml"),
        "{all}"
    );
    assert!(
        !out.join(&victim).exists() && out.join("foreign.yaml").exists(),
        "--check wrote"
    );

    // A plain render repairs both.
    let o = portkey(
        &["render", "--out", out.to_str().unwrap()],
        out.parent().unwrap(),
    );
    assert!(o.status.success());
    assert_eq!(read_tree(&out).unwrap(), expected());
}

#[test]
fn check_of_a_missing_directory_fails_without_creating_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let o = portkey(
        &["render", "--check", "--out", out.to_str().unwrap()],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(!out.exists());
}

/// A render killed half-way (fault injection aborts the process after a few files, as
/// `kill -9` would) leaves the previous tree intact; the next render removes the leftover
/// staging directory and succeeds.
/// The render [`render_killed_half_way_leaves_the_previous_tree`] kills: this test binary
/// itself, run again for that one test with `KILL_AFTER` set, renders into `KILL_OUT` with
/// [`portkey::portkey_render::abort_after_files`] (what `portkey render --out` runs). It
/// exits 0 if the render was not killed, which the parent test refuses.
const KILL_AFTER: &str = "PORTKEY_IT_KILL_AFTER_FILES";
/// See [`KILL_AFTER`].
const KILL_OUT: &str = "PORTKEY_IT_KILL_OUT";

#[test]
fn render_killed_half_way_leaves_the_previous_tree() {
    if let (Ok(after), Ok(out)) = (std::env::var(KILL_AFTER), std::env::var(KILL_OUT)) {
        portkey::portkey_render::abort_after_files(after.parse().expect("a file count"));
        let run = portkey::cli::render::execute(
            &portkey::cluster::portkey(),
            portkey::catalogue(),
            portkey::charts(),
            false,
            std::path::Path::new(&out),
        );
        eprintln!("not killed: {:?}", run.status());
        std::process::exit(0);
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("generated");
    let bin = env!("CARGO_BIN_EXE_portkey");
    let ok = std::process::Command::new(bin)
        .args(["render", "--out"])
        .arg(&out)
        .status()
        .expect("run portkey");
    assert!(ok.success());
    let victim = out.join("ARCHITECTURE.md");
    std::fs::write(&victim, "hand edit that a completed render would undo\n").expect("edit");
    let before = portkey::portkey_render::read_tree(&out).expect("read");
    let killed = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "cli::render_killed_half_way_leaves_the_previous_tree",
            "--test-threads=1",
        ])
        .env(KILL_AFTER, "7")
        .env(KILL_OUT, &out)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run the render to kill");
    assert!(!killed.success(), "the injected abort must kill the render");
    assert_eq!(
        portkey::portkey_render::read_tree(&out).expect("read"),
        before,
        "generated/ changed"
    );
    let leftovers = || {
        std::fs::read_dir(tmp.path())
            .expect("list")
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".generated.staging-")
            })
            .count()
    };
    assert_eq!(
        leftovers(),
        1,
        "the killed render leaves its staging directory"
    );
    let again = std::process::Command::new(bin)
        .args(["render", "--out"])
        .arg(&out)
        .status()
        .expect("run portkey");
    assert!(again.success());
    assert_eq!(leftovers(), 0, "the next render cleans up");
    assert_ne!(
        std::fs::read_to_string(&victim).expect("read"),
        "hand edit that a completed render would undo\n"
    );
}

/// `cargo tree` of `package`, one line per package with its features, for the edges of a
/// plain `cargo build` (`normal`: build scripts' dependencies resolve apart) or of a test
/// build (`normal,dev`).
fn resolved_features(edges: &str, package: &str) -> std::collections::BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let o = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--prefix",
            "none",
            "-f",
            "{p} {f}",
            "-p",
            package,
            "-e",
        ])
        .arg(edges)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(o.status.success(), "cargo tree: {}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .map(|l| l.trim_end_matches(" (*)").to_string())
        .collect()
}

/// The debug binary links `portkey_dylib`, one file for `cargo build` and `cargo test`
/// alike (a dylib's name carries no hash): if a dev-dependency turned on a feature of
/// anything inside it, each `cargo test` after a `cargo run` would rebuild it, and the
/// other way round. Every package of the dylib resolves the same features in both builds.
#[test]
fn the_dylib_resolves_the_same_features_for_build_and_test() {
    let name = |l: &str| l.split(' ').take(2).collect::<Vec<_>>().join(" ");
    let inside: std::collections::BTreeSet<String> = resolved_features("normal", "portkey-dylib")
        .iter()
        .map(|l| name(l))
        .collect();
    assert!(inside.contains("portkey-render v0.1.0"), "{inside:?}");
    let of = |edges: &str| -> std::collections::BTreeSet<String> {
        resolved_features(edges, "portkey")
            .into_iter()
            .filter(|l| inside.contains(&name(l)))
            .collect()
    };
    let (build, test) = (of("normal"), of("normal,dev"));
    assert!(build.len() >= inside.len(), "{build:?}");
    let differ: Vec<_> = build.symmetric_difference(&test).collect();
    assert!(
        differ.is_empty(),
        "a dev-dependency changes the features of packages inside portkey-dylib: declare them in crates/portkey-dylib/Cargo.toml: {differ:#?}"
    );
}

/// From `apps/`, `render --check` checks the repository's `generated/` (read-only) and
/// creates nothing under `apps/`.
#[test]
fn render_check_from_a_subdirectory_uses_the_project_root() {
    let root = crate::common::root();
    let o = portkey(&["render", "--check"], &root.join("apps"));
    let stdout = text(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", text(&o.stderr));
    assert!(
        stdout.contains(&format!(
            "{} is up to date",
            root.join("generated").display()
        )),
        "{stdout}"
    );
    assert!(!root.join("apps/generated").exists());
}

/// `render --check` of a missing directory says so, without a diff of every file; the
/// relative `--out` is the project root's, not the current directory's.
#[test]
fn render_check_of_a_missing_directory_says_it_is_missing() {
    let root = crate::common::root();
    let name = "target/no-such-generated-for-render-check";
    let o = portkey(&["render", "--check", "--out", name], &root.join("apps"));
    let stderr = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: {} is missing: a render would write all",
            root.join(name).display()
        )) && stderr.contains("fix: run `cargo run -- render`"),
        "{stderr}"
    );
    assert!(
        o.stdout.is_empty(),
        "a diff was printed: {} bytes",
        o.stdout.len()
    );
    assert!(!root.join(name).exists() && !root.join("apps/target").exists());
}
