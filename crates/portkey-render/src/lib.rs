//! Turns compiled manifests into the `generated/` tree and owns that directory.
//!
//! - [`write_yaml`] is the one place objects become YAML. The text is serde-saphyr's
//!   (YAML 1.1 look-alikes such as `yes`, `on`, `0700` or `1.10` are quoted; multi-line
//!   strings become block scalars); portkey's own emitter writes the structure and the plain
//!   ASCII scalars and leaves every other scalar to serde-saphyr, byte for byte the same.
//! - [`render_files`] serializes objects into files, one object per file, each headed by a
//!   comment naming its source and the command that regenerates it; [`assemble`] sorts
//!   them into a [`Tree`].
//! - [`Staging`] replaces `generated/` atomically: files are written beside it while the
//!   pipeline is still rendering, and the new tree is swapped in with one rename once it is
//!   complete and valid, so an error or a kill never leaves it half-written. Files portkey
//!   no longer produces disappear with the old tree; nothing outside is touched.
//!   [`write_tree`] does the same for a finished tree.
//! - [`check_tree`] compares without writing and returns a unified diff.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use portkey_compile::Manifest;

pub mod architecture;
pub mod bootstrap;
pub mod connectivity;
mod ledger;
pub mod operations;
pub mod prerequisites;
pub mod runbook;
mod staging;
pub mod store;
mod yaml;

pub use ledger::Compare;
pub use staging::{Collect, Sink, Staging, abort_after_files};

/// The command that regenerates `generated/`.
pub const RENDER_COMMAND: &str = "cargo run -- render";

/// File contents by path relative to `generated/` (`/`-separated), in sorted order.
pub type Tree = BTreeMap<String, String>;

/// Errors while rendering or writing.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Two objects would be written to the same file.
    #[error(
        "two objects would both be written to generated/{path}: {first} and {second}; rename one of them"
    )]
    Collision {
        /// The path.
        path: String,
        /// The first object's source.
        first: String,
        /// The second object's source.
        second: String,
    },
    /// An object could not be serialized.
    #[error("could not serialize {kind}/{name} from {source_file}: {message}")]
    Serialize {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// Source file.
        source_file: String,
        /// Serializer message.
        message: String,
    },
    /// Filesystem failure; `generated/` is left as it was.
    #[error("{action} {}: {source}; generated/ was left unchanged", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

pub(crate) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> RenderError {
    let path = path.to_path_buf();
    move |source| RenderError::Io {
        action,
        path,
        source,
    }
}

/// Serializes one value as YAML, appending to `out`. Every YAML byte portkey writes goes
/// through here.
///
/// The text is serde-saphyr's: YAML 1.1 look-alikes (`yes`, `on`, `0700`, `1.10`) are
/// quoted and multi-line strings are literal block scalars (`|`). Long single-line strings
/// (image references with digests, shell commands) stay on one line: folding them (`>-`)
/// is valid YAML but no one hand-writes it, and it hides the value from line-based tools
/// and diffs. The block structure and the plain ASCII scalars are written by portkey's own
/// emitter, which leaves every other scalar, and any shape it does not know, to
/// serde-saphyr (see [`saphyr_yaml`], the reference it is tested against).
pub fn write_yaml<T: serde::Serialize>(out: &mut String, value: &T) -> Result<(), String> {
    let start = out.len();
    if yaml::emit(out, value).is_ok() {
        return Ok(());
    }
    out.truncate(start);
    yaml::saphyr(out, value)
}

/// The YAML of portkey's own emitter, without falling back to serde-saphyr: `Err` names
/// the shape it leaves to serde-saphyr. For the tests that hold [`write_yaml`] to
/// [`saphyr_yaml`] and prove the fast path is taken.
#[doc(hidden)]
pub fn emitter_yaml<T: serde::Serialize>(value: &T) -> Result<String, String> {
    let mut out = String::new();
    yaml::emit(&mut out, value).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The same YAML written by serde-saphyr alone: the reference [`write_yaml`] must equal
/// byte for byte.
pub fn saphyr_yaml<T: serde::Serialize>(value: &T) -> Result<String, String> {
    let mut out = String::new();
    yaml::saphyr(&mut out, value)?;
    Ok(out)
}

/// [`write_yaml`] into a new string.
pub fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String, String> {
    let mut out = String::new();
    write_yaml(&mut out, value)?;
    Ok(out)
}

/// The comment at the top of every generated file.
pub fn header(source: &str) -> String {
    format!(
        "# Generated by portkey from {source}. Do not edit: change {source} and run `{RENDER_COMMAND}`.\n"
    )
}

/// A rendered file: its path under `generated/`, its text, and the model file it came from.
pub type File = (String, String, String);

/// Serializes manifests into files (sequentially; callers parallelise over apps).
pub fn render_files(manifests: &[Manifest]) -> Vec<Result<File, RenderError>> {
    manifests.iter().map(render_one).collect()
}

/// Builds the tree from rendered files (in any order), refusing two files at one path.
pub fn assemble(mut files: Vec<File>) -> Result<Tree, RenderError> {
    // Sorted by path, then source: the tree is built from sorted keys in one pass, and a
    // collision names its two sources in the same order whatever order files arrived in.
    files.sort_unstable_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    if let Some(pair) = files.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(RenderError::Collision {
            path: pair[0].0.clone(),
            first: pair[0].2.clone(),
            second: pair[1].2.clone(),
        });
    }
    Ok(files
        .into_iter()
        .map(|(path, text, _)| (path, text))
        .collect())
}

fn render_one(m: &Manifest) -> Result<File, RenderError> {
    // Header and YAML share one buffer, sized for a typical object.
    let mut text = header(&m.source);
    text.reserve(2048);
    write_yaml(&mut text, &m.object).map_err(|message| RenderError::Serialize {
        kind: m.object.kind().into(),
        name: m.object.name().into(),
        source_file: m.source.clone(),
        message,
    })?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok((m.path(), text, m.source.clone()))
}

/// A non-YAML document (Markdown) as a file, headed like the YAML files.
///
/// The header goes in front of `body` in place: a document of tens of megabytes (RESTORE.md
/// at N = 20,000) is not copied.
pub fn document(path: &str, source: &str, mut body: String) -> File {
    let header = document_header(source);
    // Exactly: a document sized for its header (RESTORE.md) never reallocates here, and
    // another one grows by the header, not by doubling.
    body.reserve_exact(header.len());
    body.insert_str(0, &header);
    (path.to_string(), body, source.to_string())
}

/// The first line of a document, and the blank line after it.
fn document_header(source: &str) -> String {
    format!("<!-- Generated by portkey from {source}. Do not edit: run `{RENDER_COMMAND}`. -->\n\n")
}

/// Writes a document's body into the writer it is given ([`Sink::accept_written`]). It may
/// be called more than once and must write the same text each time; what it writes is
/// only ever collected, so its write errors are the writer's to keep.
pub type WriteBody<'a> = dyn Fn(&mut dyn std::fmt::Write) + Sync + 'a;

/// The document `body` writes, headed as [`document`] heads it, as one file: written once
/// counting its bytes and then into a string of exactly that size.
pub fn written_document(path: &str, source: &str, body: &WriteBody<'_>) -> File {
    let text = sized_text(&document_header(source), 0, body);
    (path.to_string(), text, source.to_string())
}

/// `prefix`, then what `body` writes, in a string of exactly that size and `room` bytes
/// more: `body` is run once only counting its bytes, then into the string, which so never
/// grows by doubling (RESTORE.md is 57 MB at N = 20,000).
pub(crate) fn sized_text(prefix: &str, room: usize, body: &WriteBody<'_>) -> String {
    /// A writer that only counts what it is given.
    struct Counted(usize);
    impl std::fmt::Write for Counted {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut size = Counted(prefix.len() + room);
    body(&mut size);
    let mut text = String::with_capacity(size.0);
    text.push_str(prefix);
    body(&mut text);
    text
}

/// Writes the document `body` writes, headed as [`document`] heads it, into `out`.
pub(crate) fn write_document(out: &mut dyn std::fmt::Write, source: &str, body: &WriteBody<'_>) {
    // A writer's error is the writer's own to keep (see `WriteBody`).
    let _ = out.write_str(&document_header(source));
    body(out);
}

/// Reads the tree currently on disk. A missing directory reads as empty.
pub fn read_tree(dir: &Path) -> Result<Tree, RenderError> {
    let mut tree = Tree::new();
    if !dir.exists() {
        return Ok(tree);
    }
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| ledger::walk_error(dir, e))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = ledger::relative(dir, entry.path());
        if entry.path_is_symlink() {
            // Never followed: portkey writes no links, so any link is foreign and is pruned.
            let target = fs::read_link(entry.path()).map_err(io_err("reading", entry.path()))?;
            tree.insert(rel, ledger::link_text(&target));
            continue;
        }
        let bytes = fs::read(entry.path()).map_err(io_err("reading", entry.path()))?;
        tree.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(tree)
}

/// How the tree on disk differs from the rendered one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Files portkey would create.
    pub added: Vec<String>,
    /// Files whose content differs.
    pub changed: Vec<String>,
    /// Files portkey would delete (no longer produced, or never produced by portkey).
    pub removed: Vec<String>,
    /// Unified diff from the disk to the rendered tree (empty from [`write_tree`]).
    pub diff: String,
}

impl Drift {
    /// Whether disk and rendering agree.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
    /// One line per file: `+ path`, `~ path`, `- path`.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for (mark, list) in [
            ("+", &self.added),
            ("~", &self.changed),
            ("-", &self.removed),
        ] {
            for p in list {
                let _ = writeln!(s, "  {mark} {p}");
            }
        }
        s
    }
}

/// Compares two trees; `label` names the directory in the diff headers.
pub fn diff_trees(on_disk: &Tree, rendered: &Tree, label: &str) -> Drift {
    let mut drift = changes(on_disk, rendered);
    for path in drift
        .added
        .iter()
        .chain(&drift.changed)
        .chain(&drift.removed)
    {
        let old = on_disk.get(path).map_or("", String::as_str);
        let new = rendered.get(path).map_or("", String::as_str);
        drift.diff.push_str(&unified_diff(label, path, old, new));
    }
    drift
}

/// The unified diff of one file, from `old` (on disk) to `new` (rendered), with headers
/// `a/<label>/<path>` and `b/<label>/<path>` and three lines of context; empty when equal.
pub(crate) fn unified_diff(label: &str, path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{label}/{path}"), &format!("b/{label}/{path}"))
        .to_string()
}

/// The files that differ, without the diff text.
pub(crate) fn changes(on_disk: &Tree, rendered: &Tree) -> Drift {
    let mut drift = Drift::default();
    for (path, new) in rendered {
        match on_disk.get(path) {
            None => drift.added.push(path.clone()),
            Some(old) if old != new => drift.changed.push(path.clone()),
            Some(_) => {}
        }
    }
    drift.removed = on_disk
        .keys()
        .filter(|p| !rendered.contains_key(*p))
        .cloned()
        .collect();
    drift
}

/// Compares `tree` with `dir` without writing anything; the drift carries a unified diff.
pub fn check_tree(tree: &Tree, dir: &Path) -> Result<Drift, RenderError> {
    if dir.exists() && !dir.is_dir() {
        return Err(RenderError::Io {
            action: "checking",
            path: dir.to_path_buf(),
            source: io::Error::other("it exists and is not a directory"),
        });
    }
    let on_disk = read_tree(dir)?;
    let label = dir
        .file_name()
        .map_or_else(|| "generated".into(), |n| n.to_string_lossy().into_owned());
    Ok(diff_trees(&on_disk, tree, &label))
}

/// What [`write_tree`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files in the new tree.
    pub files: usize,
    /// The changes against the previous tree.
    pub drift: Drift,
    /// The texts of the files the caller asked to keep ([`Staging::keeping`],
    /// [`Compare::begin`]), when one of them changed or was removed.
    pub kept: Kept,
}

/// The old and new texts of the files a streaming run was asked to keep (the files that
/// hold data: `render` warns before one is dropped). Empty when none of them changed or
/// was removed; otherwise every such file, the unchanged ones included, so that the two
/// trees can be compared as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// On disk before the run.
    pub before: Tree,
    /// Produced by the run.
    pub after: Tree,
}

/// Replaces `dir` with exactly `tree`, atomically.
///
/// The new tree is written into a staging directory beside `dir` and swapped in with one
/// `rename` (Linux `RENAME_EXCHANGE` where the filesystem supports it). If anything fails,
/// `dir` is left as it was. Nothing outside `dir` is modified except the short-lived
/// staging directory, which is always removed. (The pipeline streams files into a
/// [`Staging`] as it renders them; this is the same path for a finished tree.)
pub fn write_tree(tree: &Tree, dir: &Path) -> Result<WriteReport, RenderError> {
    let staging = Staging::begin(dir)?;
    staging.accept(
        tree.iter()
            .map(|(path, text)| (path.clone(), text.clone(), String::new()))
            .collect(),
    );
    staging.commit()
}
