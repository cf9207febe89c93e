//! No `unwrap()`, `expect(..)`, `panic!` or `unreachable!` on the path from an app file to
//! `generated/` unless it is an invariant, said so in a comment (`Invariant: …`) on one of
//! the five lines before it (the start of its statement). Bad input must come back as an error naming the app, the
//! field and the fix, never as a panic.

use std::fs;

use crate::common::root;

/// The crates an app file passes through on its way to `generated/`, and the build script.
const PATHS: [&str; 8] = [
    "crates/portkey-model/src",
    "crates/portkey-compile/src",
    "crates/portkey-validate/src",
    "crates/portkey-render/src",
    "crates/portkey-cli/src",
    "crates/portkey-cli/build.rs",
    "src",
    "build.rs",
];

const PANICKING: [&str; 4] = [".unwrap()", ".expect(", "panic!(", "unreachable!("];

#[test]
fn every_panic_on_the_render_path_is_a_commented_invariant() {
    let mut files = Vec::new();
    for p in PATHS {
        let path = root().join(p);
        if path.is_file() {
            files.push(path);
            continue;
        }
        for entry in walkdir::WalkDir::new(&path) {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy();
            // Unit tests: `tests.rs` files and `tests/` folders beside the code.
            let in_tests = entry
                .path()
                .strip_prefix(&path)
                .is_ok_and(|rel| rel.components().any(|c| c.as_os_str() == "tests"));
            if entry.file_type().is_file()
                && name.ends_with(".rs")
                && name != "tests.rs"
                && !in_tests
            {
                files.push(entry.into_path());
            }
        }
    }
    assert!(files.len() > 40, "too few files found: {files:?}");
    let mut bare = Vec::new();
    let mut seen = 0;
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        // Unit tests sit in a `#[cfg(test)]` module at the end of a file.
        let code = text.split("\n#[cfg(test)]").next().unwrap_or_default();
        let lines: Vec<&str> = code.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || !PANICKING.iter().any(|p| line.contains(p)) {
                continue;
            }
            seen += 1;
            let context = &lines[i.saturating_sub(5)..=i];
            if !context.iter().any(|l| l.contains("Invariant:")) {
                let rel = file.strip_prefix(root()).unwrap_or(file);
                bare.push(format!("{}:{}: {}", rel.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        seen > 0,
        "the scan found no panicking call at all; is it reading the code?"
    );
    assert!(
        bare.is_empty(),
        "panicking calls without an `Invariant:` comment (return an error naming the app, the field and the fix instead, or say why it can't happen):\n{}",
        bare.join("\n")
    );
}
