//! Embeds the committed upstream CRD schemas: every `schemas/crds/<group>/<file>.json`
//! becomes one `(relative path, include_str!)` row of `$OUT_DIR/upstream_crds.rs`, which
//! `src/upstream.rs` includes. Adding a file here is all it takes to embed it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let crds = manifest.join("schemas").join("crds");
    println!("cargo:rerun-if-changed={}", crds.display());
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for group in sorted_entries(&crds) {
        if !group.is_dir() {
            continue;
        }
        for file in sorted_entries(&group) {
            if file.extension().is_some_and(|x| x == "json") {
                let rel = file
                    .strip_prefix(manifest.join("schemas"))
                    .expect("under schemas/")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((rel, file));
            }
        }
    }
    let mut out =
        String::from("/// The committed upstream CRD schemas: (path under `schemas/`, text).\n");
    out.push_str("pub(crate) const CRDS: &[(&str, &str)] = &[\n");
    for (rel, path) in &files {
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("upstream_crds.rs");
    std::fs::write(dest, out).expect("write $OUT_DIR/upstream_crds.rs");
}

/// The entries of `dir`, sorted by name (none when it cannot be read).
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}
