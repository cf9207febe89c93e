//! Discovers the app files in `apps/` and writes a registry into `OUT_DIR`.
//!
//! Every `apps/**/*.rs` file becomes a module whose `pub fn app() -> App` is called by
//! `portkey::apps()`. Adding an app is adding a file. This script never writes `generated/`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let apps_dir = Path::new(&root).join("apps");
    println!("cargo:rerun-if-changed=apps");
    let mut files: Vec<_> = walkdir::WalkDir::new(&apps_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "rs"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    let mut modules = String::new();
    let mut calls = String::new();
    let mut chart_calls = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for path in &files {
        let rel = path.strip_prefix(&root).expect("under the manifest dir");
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let stem = rel
            .strip_prefix("apps")
            .expect("under apps/")
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\', '-', '.'], "_");
        let ident = format!("app_{stem}");
        assert!(
            ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{rel_str}: app file names may use only a-z, 0-9, '-' and '_'"
        );
        assert!(
            seen.insert(ident.clone()),
            "{rel_str}: two app files map to module `{ident}`; rename one"
        );
        let _ = writeln!(
            modules,
            "#[path = {:?}]\npub mod {ident};",
            path.display().to_string()
        );
        // A file declares an app (`pub fn app() -> App`) or a chart release
        // (`pub fn chart() -> Chart`).
        let text = std::fs::read_to_string(path).expect("read the app file");
        if text.contains("pub fn chart()") {
            let _ = writeln!(chart_calls, "        {ident}::chart().source({rel_str:?}),");
        } else {
            let _ = writeln!(calls, "        {ident}::app().source({rel_str:?}),");
        }
    }
    let registry = format!(
        "// Written by build.rs from the files in apps/.\n{modules}\n/// Every app in apps/, in file order.\npub fn all() -> Vec<portkey_model::app::App> {{\n    vec![\n{calls}    ]\n}}\n\n/// Every chart release in apps/, in file order.\npub fn charts() -> Vec<portkey_model::chart::Chart> {{\n    vec![\n{chart_calls}    ]\n}}\n"
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("apps.rs");
    std::fs::write(out, registry).expect("write the app registry");
}
