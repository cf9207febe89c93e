//! `portkey render` remembers which objects passed the embedded schemas, for the same build
//! only (`portkey::cache`): a second run builds no validator, and what it writes is the same.

use std::path::Path;
use std::process::Output;

use crate::common::text;

/// `portkey render --timings ARGS` in the repository, with its cache under `target`.
fn render(target: &Path, args: &[&str]) -> Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(["render", "--timings"])
        .args(args)
        .current_dir(crate::common::root())
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("run the portkey binary");
    assert!(
        out.status.success(),
        "render failed:\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

/// The `schemas:` line of `--timings`: (known valid, objects, validators built).
fn schemas_line(out: &Output) -> (usize, usize, usize) {
    let stderr = text(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("schemas: "))
        .unwrap_or_else(|| panic!("no schemas line in:\n{stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    match (line.contains("known valid"), numbers.as_slice()) {
        (true, [hits, objects, .., built]) => (*hits, *objects, *built),
        (false, [objects, built]) => (0, *objects, *built),
        _ => panic!("unexpected schemas line: {line}"),
    }
}

#[test]
fn a_second_render_of_the_same_build_trusts_the_first_one_s_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("target");
    std::fs::create_dir(&target).unwrap();
    let out = tmp.path().join("generated");
    let out_arg = ["--out", out.to_str().unwrap()];

    let first = render(&target, &out_arg);
    let (hits, objects, built) = schemas_line(&first);
    assert!(
        objects > 100,
        "the real catalogue has every object checked: {objects}"
    );
    assert_eq!(hits, 0, "nothing known yet");
    assert!(built > 10, "the kinds of the catalogue were built: {built}");
    let cache = target.join("portkey").join("validated");
    let stored = std::fs::read(&cache).expect("the first render stores its passes");
    assert!(stored.starts_with(b"portkey validated objects v1\n"));
    let tree = portkey::portkey_render::read_tree(&out).unwrap();

    let second = render(&target, &["--check", out_arg[0], out_arg[1]]);
    assert_eq!(schemas_line(&second), (objects, objects, 0));
    assert_eq!(std::fs::read(&cache).unwrap(), stored, "the same passes");

    // `--fresh` checks everything and leaves the cache alone.
    let fresh = render(&target, &["--fresh", out_arg[0], out_arg[1]]);
    assert_eq!(schemas_line(&fresh), (0, objects, built));
    assert_eq!(std::fs::read(&cache).unwrap(), stored);

    // A damaged cache, or another build's, is ignored and replaced.
    std::fs::write(
        &cache,
        b"portkey validated objects v1\nanother build\n0123456789abcdef",
    )
    .unwrap();
    let other = render(&target, &out_arg);
    assert_eq!(schemas_line(&other), (0, objects, built));
    assert_eq!(std::fs::read(&cache).unwrap(), stored);

    assert_eq!(
        portkey::portkey_render::read_tree(&out).unwrap(),
        tree,
        "the cache never changes what render writes"
    );
}

#[test]
fn without_a_target_directory_nothing_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("no-such-target");
    let out = tmp.path().join("generated");
    let run = render(&target, &["--out", out.to_str().unwrap()]);
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("objects checked") && !stderr.contains("known valid"),
        "{stderr}"
    );
    assert!(!target.exists(), "no target directory is created");
}

/// Set in the child process of [`a_render_drops_the_validators_it_is_done_with`].
const RELEASE_CHILD: &str = "PORTKEY_IT_RELEASE_VALIDATORS";

/// With [`portkey::release_validators_when_done`] (what `portkey` sets), a render drops the
/// app kinds' validators once the apps are compiled, and the Argo CD kinds' once their
/// objects are checked: it ends with none built, having built more than the Argo CD
/// kinds', and writes `generated/` as committed. The
/// flag is the process's, so this test binary runs the render again in a child process of
/// its own, where nothing else renders.
#[test]
fn a_render_drops_the_validators_it_is_done_with() {
    if std::env::var_os(RELEASE_CHILD).is_some() {
        render_releasing_validators();
    } else {
        run_in_a_child_process();
    }
}

/// The child's side: the render, with the flag set, and what it leaves built.
fn render_releasing_validators() {
    portkey::release_validators_when_done();
    let tree = portkey::REPOSITORY.tree().expect("the catalogue renders");
    let committed = portkey::portkey_render::read_tree(&crate::common::root().join("generated"))
        .expect("read generated/");
    assert!(tree == committed, "the render differs from generated/");
    let schemas = portkey::portkey_validate::Schemas::embedded();
    let argocd = portkey::portkey_compile::argocd::KINDS.len();
    assert!(
        schemas.builds() > argocd && schemas.built() == 0,
        "validators built {} times, {} still held",
        schemas.builds(),
        schemas.built()
    );
}

/// The parent's side: this test binary again, for this one test, with [`RELEASE_CHILD`]
/// set; it must pass, and must have run.
fn run_in_a_child_process() {
    let child = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "render_cache::a_render_drops_the_validators_it_is_done_with",
            "--test-threads=1",
        ])
        .env(RELEASE_CHILD, "1")
        .output()
        .expect("run the child render");
    assert!(
        child.status.success(),
        "the child render failed:\n{}{}",
        text(&child.stdout),
        text(&child.stderr)
    );
    // The child ran the test (not zero tests, which also succeeds).
    assert!(
        text(&child.stdout).contains("1 passed"),
        "{}",
        text(&child.stdout)
    );
}
