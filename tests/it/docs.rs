//! The code map (`CONTRIBUTING.md`) stays true: every path it names in backticks exists,
//! and every crate in `crates/` is named in it.

use std::collections::BTreeSet;
use std::fs;

use crate::common::root;

/// The repository paths `text` names in backticks: tokens that start at a top-level entry
/// of the repository and hold no placeholder (`<name>`) or code.
fn named_paths(text: &str) -> BTreeSet<String> {
    const TOP: [&str; 8] = [
        "crates/",
        "src/",
        "tests/",
        "apps/",
        "benches/",
        "cluster.rs",
        "build.rs",
        "generated/",
    ];
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| TOP.iter().any(|top| t.starts_with(top)))
        .filter(|t| !t.contains(['<', ' ', '(', '*']))
        .map(str::to_string)
        .collect()
}

#[test]
fn contributing_names_only_paths_that_exist() {
    let root = root();
    let text = fs::read_to_string(root.join("CONTRIBUTING.md")).expect("CONTRIBUTING.md");
    let named = named_paths(&text);
    assert!(named.len() > 20, "too few paths found: {named:?}");
    let missing: Vec<_> = named.iter().filter(|p| !root.join(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "CONTRIBUTING.md names paths that do not exist (update the code map): {missing:?}"
    );
}

#[test]
fn contributing_names_every_crate() {
    let root = root();
    let text = fs::read_to_string(root.join("CONTRIBUTING.md")).expect("CONTRIBUTING.md");
    let named = named_paths(&text);
    let crates: Vec<String> = fs::read_dir(root.join("crates"))
        .expect("crates/")
        .map(|e| format!("crates/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    assert!(crates.len() >= 4, "{crates:?}");
    let unnamed: Vec<_> = crates.iter().filter(|c| !named.contains(*c)).collect();
    assert!(
        unnamed.is_empty(),
        "crates missing from CONTRIBUTING.md's pipeline table: {unnamed:?}"
    );
}

#[test]
fn named_paths_skip_placeholders_and_code() {
    let found = named_paths("`crates/a` and `apps/<name>.rs` and `cargo run` and `src/x.rs`");
    assert_eq!(
        found,
        BTreeSet::from(["crates/a".to_string(), "src/x.rs".to_string()])
    );
}
