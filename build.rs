//! Discovers the app files in `apps/` and writes a registry into `OUT_DIR`. (The chart
//! defaults of `charts/` are embedded by `crates/portkey-cli/build.rs`, so that an app edit
//! recompiles only this package: see README's edit loop.)
//!
//! Every `apps/**/*.rs` file becomes a module whose `pub fn app() -> App` (or
//! `pub fn chart() -> Chart`) is called by `portkey::apps()`. Adding an app is adding a
//! file. This script never writes `generated/`.
//!
//! A bad app file is a `cargo::error=` naming the file and the fix, and no registry, so
//! the build stops there and never at an error inside `OUT_DIR`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// What an app file declares, found by parsing its items (never its comments).
enum Kind {
    App,
    Chart,
}

fn main() {
    dylib_rpath();
    // Invariant: cargo sets CARGO_MANIFEST_DIR and OUT_DIR for every build script.
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let apps_dir = Path::new(&root).join("apps");
    println!("cargo::rerun-if-changed=apps");
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
    let mut errors = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    // Invariant: cargo sets OUT_DIR for every build script.
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let known = Kinds::load(&out_dir);
    let mut kinds = Kinds::default();
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let stem = rel
            .strip_prefix("apps")
            .unwrap_or(rel)
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\', '-', '.'], "_");
        let ident = format!("app_{stem}");
        if !ident.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            errors.push(format!(
                "{rel_str}: app file names may use only a-z, 0-9, '-' and '_'; fix: rename the file"
            ));
            continue;
        }
        if let Some(first) = seen.get(&ident) {
            errors.push(format!(
                "{rel_str} and {first} both map to module `{ident}` ('-' reads as '_'); fix: rename one of them"
            ));
            continue;
        }
        seen.insert(ident.clone(), rel_str.clone());
        let kind = match kind(path, &rel_str, &known, &mut kinds) {
            Ok(kind) => kind,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let _ = writeln!(
            modules,
            "#[path = {:?}]\npub mod {ident};",
            path.display().to_string()
        );
        match kind {
            Kind::Chart => {
                let _ = writeln!(chart_calls, "        {ident}::chart().source({rel_str:?}),");
            }
            Kind::App => {
                let _ = writeln!(calls, "        {ident}::app().source({rel_str:?}),");
            }
        }
    }
    if !errors.is_empty() {
        // cargo fails the build after the script and shows each message; no registry is
        // written, so nothing is compiled against a half one.
        for e in errors {
            println!("cargo::error={}", e.replace('\n', " "));
        }
        return;
    }
    let registry = format!(
        "// Written by build.rs from the files in apps/.\n{modules}\n/// Every app in apps/, in file order.\npub fn all() -> Vec<portkey_model::app::App> {{\n    vec![\n{calls}    ]\n}}\n\n/// Every chart release in apps/, in file order.\npub fn charts() -> Vec<portkey_model::chart::Chart> {{\n    vec![\n{chart_calls}    ]\n}}\n"
    );
    // Invariant: a failed write into OUT_DIR is cargo's environment, not an app file.
    std::fs::write(out_dir.join("apps.rs"), registry).expect("write the app registry");
    kinds.store(&out_dir);
}

/// What each app file declared at the last run, by the hash of its bytes, in
/// `OUT_DIR/kinds`: an edit to one file then parses that file only, instead of every file
/// with a debug-built syn (about 30 ms of an edit's 40 ms build-script run for 29 files;
/// README, "The edit loop"). Only files that parsed and declared one kind are kept, so
/// every error is found afresh. A wrong entry (a hash collision) could only call the
/// other function, which rustc then reports.
#[derive(Default)]
struct Kinds(BTreeMap<u128, bool>);

impl Kinds {
    fn load(out_dir: &Path) -> Kinds {
        let text = std::fs::read_to_string(out_dir.join("kinds")).unwrap_or_default();
        Kinds(
            text.lines()
                .filter_map(|line| {
                    let (key, kind) = line.split_once(' ')?;
                    Some((u128::from_str_radix(key, 16).ok()?, kind == "chart"))
                })
                .collect(),
        )
    }

    fn store(&self, out_dir: &Path) {
        let mut text = String::new();
        for (key, chart) in &self.0 {
            let _ = writeln!(text, "{key:032x} {}", if *chart { "chart" } else { "app" });
        }
        // A cache: a failed write only means the next run parses every file.
        let _ = std::fs::write(out_dir.join("kinds"), text);
    }

    /// Two SipHash passes with different prefixes over the file's bytes.
    fn key(bytes: &[u8]) -> u128 {
        use std::hash::{DefaultHasher, Hasher};
        let half = |salt: u8| {
            let mut h = DefaultHasher::new();
            h.write_u8(salt);
            h.write(bytes);
            h.finish()
        };
        (u128::from(half(0)) << 64) | u128::from(half(1))
    }
}

/// Reads one app file and tells what it declares: a top-level `pub fn app()` or `pub fn
/// chart()`, not both, and not one named only in a comment or a string. Its bytes are
/// parsed only if the last run did not see them ([`Kinds`]).
fn kind(path: &Path, rel: &str, known: &Kinds, kinds: &mut Kinds) -> Result<Kind, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{rel}: cannot read it: {e}"))?;
    let key = Kinds::key(&bytes);
    let chart = match known.0.get(&key) {
        Some(&chart) => chart,
        None => matches!(parse_kind(bytes, rel)?, Kind::Chart),
    };
    kinds.0.insert(key, chart);
    Ok(if chart { Kind::Chart } else { Kind::App })
}

/// Parses one app file's bytes (see [`kind`]).
fn parse_kind(bytes: Vec<u8>, rel: &str) -> Result<Kind, String> {
    const FIX: &str =
        "an app file holds `pub fn app() -> App`, a chart release file `pub fn chart() -> Chart`";
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{rel}: not UTF-8 text (invalid byte at offset {}); fix: save the file as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })?;
    let file = syn::parse_file(&text).map_err(|e| {
        let at = e.span().start();
        format!(
            "{rel}:{}:{}: not Rust that parses: {e}; fix: correct the syntax",
            at.line,
            at.column + 1
        )
    })?;
    let declares = |name: &str| {
        file.items.iter().any(|item| {
            matches!(item, syn::Item::Fn(f)
                if f.sig.ident == name
                    && matches!(f.vis, syn::Visibility::Public(_))
                    && f.sig.inputs.is_empty())
        })
    };
    match (declares("app"), declares("chart")) {
        (true, false) => Ok(Kind::App),
        (false, true) => Ok(Kind::Chart),
        (true, true) => Err(format!(
            "{rel}: declares both `pub fn app()` and `pub fn chart()`; fix: one file per release: {FIX}"
        )),
        (false, false) => Err(format!(
            "{rel}: declares neither `pub fn app()` nor `pub fn chart()`; fix: {FIX}"
        )),
    }
}

/// The debug binary links the pipeline as a shared library, `libportkey_dylib.so` in
/// `target/debug/deps/`, and so the standard library as `libstd-*.so` of the toolchain
/// (src/main.rs). `cargo run` and `cargo test` put both on the library path; the run-path
/// written into the binary lets `target/debug/portkey` run on its own too. Only where the
/// binary links them (debug assertions on) and on Linux (ELF run-paths).
fn dylib_rpath() {
    let debug = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some();
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if !(debug && linux) {
        return;
    }
    println!("cargo::rustc-link-arg-bins=-Wl,-rpath,$ORIGIN/deps:$ORIGIN");
    // The toolchain's target library directory (`rustc --print target-libdir`), under the
    // sysroot whose `bin/rustc` cargo runs: where the standard library's shared object is.
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Path::new(&rustc)
        .parent()
        .filter(|bin| bin.ends_with("bin"))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .or_else(|| {
            let out = std::process::Command::new(&rustc)
                .args(["--print", "sysroot"])
                .output()
                .ok()?;
            Some(String::from_utf8(out.stdout).ok()?.trim().into())
        });
    // Invariant: cargo sets TARGET for every build script.
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    if let Some(sysroot) = sysroot {
        let libdir = sysroot.join("lib/rustlib").join(target).join("lib");
        println!("cargo::rustc-link-arg-bins=-Wl,-rpath,{}", libdir.display());
    }
}
