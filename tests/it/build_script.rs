//! `build.rs` on bad app files: `cargo build` of a copy of the repository (no `target/`,
//! no `.git`), one file added at a time, fails with a message naming the file and the fix.
//! The copy keeps the sources' modification times and lives at one place under the
//! test's target directory, so a warm run rebuilds nothing but the build script's run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::root;

/// Copies `from` into `to`, leaving out `target/` and `.git`, keeping modification times.
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || (e.file_name() != "target" && e.file_name() != ".git"))
    {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_file() {
            fs::copy(entry.path(), &dest).unwrap();
            let modified = entry.metadata().unwrap().modified().unwrap();
            fs::File::options()
                .write(true)
                .open(&dest)
                .unwrap()
                .set_modified(modified)
                .unwrap();
        }
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// `cargo check` of the copy (it runs the build script, without code generation); its stderr.
fn build_fails(copy: &Path, target: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet"])
        .current_dir(copy)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "the build passed:\n{stderr}");
    assert!(!stderr.contains("panicked"), "a panic:\n{stderr}");
    assert!(
        !stderr.contains("OUT_DIR") && !stderr.contains("/out/apps.rs"),
        "{stderr}"
    );
    stderr
}

#[test]
#[ignore = "needs a cargo build of a copy: run by .ci/run"]
fn bad_app_files_fail_the_build_naming_the_file() {
    let base = target_dir().join("build-script-copy");
    let copy = base.join("repo");
    let target = base.join("target");
    let _ = fs::remove_dir_all(&copy);
    copy_tree(&root(), &copy);
    let apps = copy.join("apps");
    let duplicate = fs::read(apps.join("nextcloud-postgres.rs")).unwrap();
    // (file added, its bytes, what the build must say)
    let cases: [(&str, &[u8], &[&str]); 4] = [
        // Non-UTF-8 content names the file and the byte.
        (
            "not-utf8.rs",
            b"pub fn app() -> App { todo!() } // caf\xe9\n",
            &[
                "apps/not-utf8.rs: not UTF-8 text (invalid byte at offset 38)",
                "fix: save the file as UTF-8",
            ],
        ),
        // Two files that map to one module: both are named.
        (
            "nextcloud_postgres.rs",
            &duplicate,
            &[
                "apps/nextcloud_postgres.rs and apps/nextcloud-postgres.rs both map to module `app_nextcloud_postgres`",
                "fix: rename one of them",
            ],
        ),
        // Neither `app()` nor `chart()`: what the file must contain.
        (
            "neither.rs",
            b"//! Nothing here.\nfn helper() {}\n",
            &[
                "apps/neither.rs: declares neither `pub fn app()` nor `pub fn chart()`",
                "fix: an app file holds `pub fn app() -> App`",
            ],
        ),
        // A backup on a scratch volume: the compiler explains scratch volumes.
        (
            "scratch-backup.rs",
            b"use crate::prelude::*;\npub fn app() -> App {\n    App::new(\"scratch-backup\", HOME)\n        .image(\"docker.io/library/nginx:1.27.0\")\n        .volume(Volume::scratch(\"cache\", \"/cache\").backup(Backup::daily()))\n}\n",
            &[
                "a scratch volume can't be backed up: it is an `emptyDir`, empty at every start",
                "declare `Volume::claim(name, path, size)`",
            ],
        ),
    ];
    for (name, bytes, wanted) in cases {
        fs::write(apps.join(name), bytes).unwrap();
        let e = build_fails(&copy, &target);
        for w in wanted {
            assert!(e.contains(w), "{name}: no {w:?} in:\n{e}");
        }
        fs::remove_file(apps.join(name)).unwrap();
    }
    // 4. `pub fn chart()` in a comment or a string is no chart: an app file that says it
    // still builds as an app (a chart would call a `chart()` it does not have).
    let grocy = fs::read_to_string(apps.join("grocy.rs")).unwrap();
    fs::write(
        apps.join("grocy-commented.rs"),
        format!("// Not a chart: pub fn chart() -> Chart\n{grocy}\nconst _S: &str = \"pub fn chart()\";\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet", "--lib"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "an app whose comment mentions `pub fn chart()` does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 5. The script keeps what each file declared by its bytes (`OUT_DIR/kinds`), not by
    // its path: the same file, edited after that build, is parsed again.
    fs::write(
        apps.join("grocy-commented.rs"),
        "//! Edited.\nfn helper() {}\n",
    )
    .unwrap();
    let e = build_fails(&copy, &target);
    assert!(
        e.contains("apps/grocy-commented.rs: declares neither `pub fn app()` nor `pub fn chart()`"),
        "an edited file was trusted from the last run:\n{e}"
    );
    fs::remove_file(apps.join("grocy-commented.rs")).unwrap();
}
