//! Comparing files with the directory one at a time, as they are rendered, keeping only
//! what the end of the run needs: every path once (to find the files on disk that were
//! never produced, and two objects at one path), the drift, and the texts asked for.
//!
//! [`Ledger::read`] lists the directory (paths only, no text). [`Ledger::arrive`] takes one
//! rendered file: it reads the one file on disk at that path, if any, and says whether it
//! is new, the same or changed. [`Ledger::finish`] turns what it saw into a
//! [`WriteReport`]. Both [`crate::Staging`] (`render`) and [`crate::Compare`]
//! (`render --check`) stream through one.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::{File, RenderError, Tree, WriteBody, WriteReport, io_err};

mod slots;

/// One path of the directory: on disk before the run, produced by it, or both.
#[derive(Clone, Copy)]
enum Slot {
    /// On disk and not produced (yet); `link`: a symbolic link.
    OnDisk { link: bool },
    /// Produced, from `sources[source]`; `was`: what the disk held at the path.
    Produced { source: u32, was: Was },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Was {
    Absent,
    Same,
    Differs,
}

/// What the disk held at a produced file's path.
pub(crate) enum Arrival {
    /// Nothing: the file is added.
    Added,
    /// The same text: the file can be hard-linked.
    Same,
    /// Another text (or a symbolic link): the file is changed.
    Changed,
    /// The path was produced before, by another object: the run fails at the end.
    Collision,
}

/// What [`Ledger::arrive_written`] found, and so what the sink does with the document.
pub(crate) enum Streamed {
    /// Nothing to write: the disk holds the same text (link it), or the path collides.
    Settled(Arrival),
    /// To be written as it is written: no file at the path and no need for its text (or
    /// the file on disk could not be read, which the run reports at the end).
    Absent,
    /// Another text is on disk, or the text is needed: the whole file, recorded as
    /// [`Ledger::arrive`] records one.
    Whole(File),
}

/// What a run keeps besides paths.
#[derive(Clone, Copy)]
pub(crate) struct Options {
    /// The files whose old and new texts to keep when they drift, for the caller to
    /// compare ([`WriteReport::kept`]).
    pub keep: fn(&str) -> bool,
    /// Whether to build the unified diff (`render --check`).
    pub diff: bool,
}

/// The drifted texts [`Options::keep`] asked for.
#[derive(Default)]
struct Kept {
    before: Tree,
    after: Tree,
}

#[derive(Default)]
struct Inner {
    slots: slots::Slots,
    /// The model files objects came from, each once (for a collision's message).
    sources: Vec<Box<str>>,
    source_ids: BTreeMap<Box<str>, u32>,
    /// Paths produced more than once, with every source that produced them.
    collisions: BTreeMap<String, BTreeSet<String>>,
    /// The diff of each added or changed file, by path.
    diffs: BTreeMap<String, String>,
    kept: Kept,
    /// The first error reading the directory.
    error: Option<RenderError>,
}

/// The comparison of one run's files with one directory.
pub(crate) struct Ledger {
    dir: PathBuf,
    options: Options,
    /// Whether the directory existed when listed.
    existed: bool,
    /// Whether the directory held any file to keep: if not, there is nothing to compare
    /// with, and nothing is kept.
    keep_active: bool,
    inner: Mutex<Inner>,
}

impl Ledger {
    /// Lists `dir` (a missing directory lists as empty); reads no file.
    pub(crate) fn read(dir: &Path, options: Options) -> Result<Ledger, RenderError> {
        let mut inner = Inner::default();
        let existed = dir.exists();
        let mut keep_active = false;
        let mut listing = Vec::new();
        if existed {
            for entry in walkdir::WalkDir::new(dir) {
                let entry = entry.map_err(|e| walk_error(dir, e))?;
                if entry.file_type().is_dir() {
                    continue;
                }
                let rel = relative(dir, entry.path());
                keep_active |= (options.keep)(&rel);
                let link = entry.path_is_symlink();
                listing.push((rel, Slot::OnDisk { link }));
            }
        }
        inner.slots = slots::Slots::listing(listing);
        Ok(Ledger {
            dir: dir.to_path_buf(),
            options,
            existed,
            keep_active,
            inner: Mutex::new(inner),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records one rendered file and compares it with the file on disk at its path
    /// (reading only that one).
    pub(crate) fn arrive(&self, file: &File) -> Arrival {
        match self.claim(&file.0, &file.2) {
            Ok(prior) => self.settle(file, prior),
            Err(collision) => collision,
        }
    }

    /// Records one document that `body` writes ([`crate::Sink::accept_written`]): compared
    /// with the file on disk as it is written, and made whole (and then recorded as
    /// [`Ledger::arrive`] records a file) only when it differs, or when its text is needed
    /// for the diff or the kept texts.
    pub(crate) fn arrive_written(&self, rel: &str, source: &str, body: &WriteBody<'_>) -> Streamed {
        let prior = match self.claim(rel, source) {
            Ok(prior) => prior,
            Err(collision) => return Streamed::Settled(collision),
        };
        let (keep, want_diff) = self.wants_text(rel);
        let text_needed = keep || want_diff;
        let whole = |prior| {
            let file = crate::written_document(rel, source, body);
            self.settle(&file, prior);
            Streamed::Whole(file)
        };
        match prior {
            None if !text_needed => Streamed::Absent,
            Some(Slot::OnDisk { link: false }) => {
                match same_as_written(&self.dir, rel, source, body) {
                    Ok(true) => Streamed::Settled(Arrival::Same),
                    Ok(false) => whole(prior),
                    Err(e) => {
                        // As `arrive` does: the run fails at the end, and the file is written.
                        self.lock().error.get_or_insert(e);
                        Streamed::Absent
                    }
                }
            }
            _ => whole(prior),
        }
    }

    /// Whether `rel`'s texts are kept when it drifts, and whether its diff is built.
    fn wants_text(&self, rel: &str) -> (bool, bool) {
        (
            self.keep_active && (self.options.keep)(rel),
            self.options.diff && self.existed,
        )
    }

    /// Takes `rel`'s slot for this run: what the disk held there, or a collision with an
    /// earlier file at the same path.
    fn claim(&self, rel: &str, source: &str) -> Result<Option<Slot>, Arrival> {
        let mut inner = self.lock();
        let id = inner.source_id(source);
        match inner.slots.get(rel) {
            Some(Slot::Produced { source: first, .. }) => {
                let first = inner.sources[first as usize].to_string();
                let all = inner.collisions.entry(rel.to_string()).or_default();
                all.insert(first);
                all.insert(source.to_string());
                Err(Arrival::Collision)
            }
            prior => {
                let was = if prior.is_some() {
                    Was::Same
                } else {
                    Was::Absent
                };
                inner.slots.produce(rel, id, was);
                Ok(prior)
            }
        }
    }

    /// Compares a file whose slot [`Ledger::claim`] took with what the disk held there.
    fn settle(&self, (rel, text, _): &File, prior: Option<Slot>) -> Arrival {
        let (keep, want_diff) = self.wants_text(rel);
        // The old text is read whole only when it is needed (a diff, a kept file), and only
        // once the file is known to differ; otherwise the file is compared in chunks.
        let old = match prior {
            None => None,
            Some(Slot::OnDisk { link }) => match compare(&self.dir, rel, link, text) {
                Ok(true) => return Arrival::Same,
                Ok(false) if want_diff || keep => match old_text(&self.dir, rel, link) {
                    Ok(old) => Some((old, link)),
                    Err(e) => {
                        self.lock().error.get_or_insert(e);
                        return Arrival::Changed;
                    }
                },
                Ok(false) => Some((String::new(), link)),
                Err(e) => {
                    self.lock().error.get_or_insert(e);
                    return Arrival::Changed;
                }
            },
            Some(Slot::Produced { .. }) => return Arrival::Collision,
        };
        // Built outside the lock: a diff is the costly part.
        let diff = want_diff.then(|| {
            let before = old.as_ref().map_or("", |(o, _)| o.as_str());
            crate::unified_diff(&self.label(), rel, before, text)
        });
        let mut inner = self.lock();
        if let Some(diff) = diff {
            inner.diffs.insert(rel.clone(), diff);
        }
        if keep {
            inner.kept.after.insert(rel.clone(), text.clone());
        }
        match old {
            None => Arrival::Added,
            Some((old, link)) => {
                if keep && !link {
                    inner.kept.before.insert(rel.clone(), old);
                }
                if let Some(Slot::Produced { was, .. }) = inner.slots.get_mut(rel) {
                    *was = Was::Differs;
                }
                Arrival::Changed
            }
        }
    }

    /// The directory's name in the diff headers.
    fn label(&self) -> String {
        self.dir
            .file_name()
            .map_or_else(|| "generated".into(), |n| n.to_string_lossy().into_owned())
    }

    /// What the run found: the drift (with its diff when asked), the files produced and
    /// the kept texts. A path produced twice, or a file that could not be read, fails it.
    pub(crate) fn finish(self) -> Result<WriteReport, RenderError> {
        let label = self.label();
        let mut inner = self
            .inner
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A new path produced twice is found only now, as the new paths are sorted.
        let slots = std::mem::take(&mut inner.slots).sorted();
        for (at, sources) in &slots.repeated {
            let names: BTreeSet<String> = sources
                .iter()
                .map(|&id| inner.sources[id as usize].to_string())
                .collect();
            inner
                .collisions
                .entry(slots.added_path(*at).to_string())
                .or_default()
                .extend(names);
        }
        if let Some((path, sources)) = inner.collisions.pop_first() {
            let mut sources = sources.into_iter();
            return Err(RenderError::Collision {
                path,
                first: sources.next().unwrap_or_default(),
                second: sources.next().unwrap_or_default(),
            });
        }
        if let Some(e) = inner.error.take() {
            return Err(e);
        }
        let mut report = WriteReport::default();
        let mut unchanged_kept = Vec::new();
        for (path, slot) in slots.iter() {
            match slot {
                Slot::Produced { was, .. } => {
                    report.files += 1;
                    match was {
                        Was::Absent => report.drift.added.push(path.into()),
                        Was::Differs => report.drift.changed.push(path.into()),
                        Was::Same if self.keep_active && (self.options.keep)(path) => {
                            unchanged_kept.push(path);
                        }
                        Was::Same => {}
                    }
                }
                Slot::OnDisk { link } => {
                    let keep = self.keep_active && !link && (self.options.keep)(path);
                    if self.options.diff || keep {
                        let old = old_text(&self.dir, path, link)?;
                        if self.options.diff {
                            let diff = crate::unified_diff(&label, path, &old, "");
                            inner.diffs.insert(path.to_string(), diff);
                        }
                        if keep {
                            inner.kept.before.insert(path.to_string(), old);
                        }
                    }
                    report.drift.removed.push(path.into());
                }
            }
        }
        // The unchanged kept files matter only beside a changed or removed one (a claim
        // removed, and the storage class that says whether its volume goes with it).
        if !inner.kept.before.is_empty() {
            for path in unchanged_kept {
                let text = old_text(&self.dir, path, false)?;
                inner.kept.before.insert(path.to_string(), text.clone());
                inner.kept.after.insert(path.into(), text);
            }
        }
        if self.options.diff {
            report.drift.diff = report
                .drift
                .added
                .iter()
                .chain(&report.drift.changed)
                .chain(&report.drift.removed)
                .filter_map(|p| inner.diffs.remove(p))
                .collect();
        }
        report.kept = crate::Kept {
            before: std::mem::take(&mut inner.kept.before),
            after: std::mem::take(&mut inner.kept.after),
        };
        Ok(report)
    }
}

impl Inner {
    fn source_id(&mut self, source: &str) -> u32 {
        if let Some(id) = self.source_ids.get(source) {
            return *id;
        }
        let id = u32::try_from(self.sources.len()).unwrap_or(u32::MAX);
        self.sources.push(source.into());
        self.source_ids.insert(source.into(), id);
        id
    }
}

/// The text of the file on disk at `rel`, as [`crate::read_tree`] reads it.
fn old_text(dir: &Path, rel: &str, link: bool) -> Result<String, RenderError> {
    let path = dir.join(rel);
    if link {
        let target = fs::read_link(&path).map_err(io_err("reading", &path))?;
        return Ok(link_text(&target));
    }
    let bytes = fs::read(&path).map_err(io_err("reading", &path))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether the file on disk at `rel` holds exactly `text` (a symbolic link reads as
/// [`link_text`]), compared in chunks: a large document is never read whole to find it
/// unchanged.
fn compare(dir: &Path, rel: &str, link: bool, text: &str) -> Result<bool, RenderError> {
    use std::io::Read;
    if link {
        return Ok(old_text(dir, rel, true)? == text);
    }
    let path = dir.join(rel);
    let mut file = fs::File::open(&path).map_err(io_err("reading", &path))?;
    let len = file.metadata().map_err(io_err("reading", &path))?.len();
    if len != text.len() as u64 {
        return Ok(false);
    }
    let mut buf = vec![0; text.len().clamp(1, 64 * 1024)];
    let mut rest = text.as_bytes();
    loop {
        let n = file.read(&mut buf).map_err(io_err("reading", &path))?;
        if n == 0 {
            return Ok(rest.is_empty());
        }
        if n > rest.len() || buf[..n] != rest[..n] {
            return Ok(false);
        }
        rest = &rest[n..];
    }
}

/// Whether the file at `rel` holds exactly the document `body` writes (headed as
/// [`crate::document`] heads it), read as it is written: nothing is held but a buffer of
/// the longest single write.
fn same_as_written(
    dir: &Path,
    rel: &str,
    source: &str,
    body: &WriteBody<'_>,
) -> Result<bool, RenderError> {
    use std::io::Read;
    /// Compares what it is given with the file's next bytes.
    struct SameAs {
        file: io::BufReader<fs::File>,
        same: bool,
        error: Option<io::Error>,
        buf: Vec<u8>,
    }
    impl std::fmt::Write for SameAs {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if !self.same {
                return Err(std::fmt::Error);
            }
            self.buf.resize(s.len(), 0);
            match self.file.read_exact(&mut self.buf) {
                Ok(()) => self.same = self.buf == s.as_bytes(),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => self.same = false,
                Err(e) => {
                    self.same = false;
                    self.error = Some(e);
                }
            }
            Ok(())
        }
    }
    let path = dir.join(rel);
    let file = fs::File::open(&path).map_err(io_err("reading", &path))?;
    let mut same_as = SameAs {
        file: io::BufReader::with_capacity(64 * 1024, file),
        same: true,
        error: None,
        buf: Vec::new(),
    };
    crate::write_document(&mut same_as, source, body);
    if let Some(e) = same_as.error {
        return Err(io_err("reading", &path)(e));
    }
    // Equal so far: the file must end there too.
    let mut more = [0u8; 1];
    let at_end = same_as.same
        && same_as
            .file
            .read(&mut more)
            .map_err(io_err("reading", &path))?
            == 0;
    Ok(at_end)
}

/// How a symbolic link reads: portkey writes none, so no rendering equals it.
pub(crate) fn link_text(target: &Path) -> String {
    format!("symbolic link to {}\n", target.display())
}

/// `path` relative to `dir`, `/`-separated.
pub(crate) fn relative(dir: &Path, path: &Path) -> String {
    // Invariant: walkdir yields paths under the root it walks.
    path.strip_prefix(dir)
        .expect("walkdir yields paths under its root")
        .to_string_lossy()
        .replace('\\', "/")
}

pub(crate) fn walk_error(dir: &Path, e: walkdir::Error) -> RenderError {
    RenderError::Io {
        action: "reading",
        path: e
            .path()
            .map_or_else(|| dir.to_path_buf(), Path::to_path_buf),
        source: e
            .into_io_error()
            .unwrap_or_else(|| io::Error::other("walk error")),
    }
}

/// A sink that compares each file with the directory as it arrives and writes nothing:
/// `render --check`. It holds the directory's paths and the drift, never the tree; files
/// on disk that were never produced are removed. [`Compare::finish`] gives the same
/// [`WriteReport`] as [`crate::check_tree`] of the whole tree would (its diff byte for
/// byte), except that when the directory is missing the diff of every file is not built.
pub struct Compare {
    ledger: Ledger,
}

impl Compare {
    /// Lists `dir` (a missing directory lists as empty); `keep` selects the files whose old
    /// and new texts to keep when one of them drifts ([`WriteReport::kept`]). Fails when
    /// `dir` is a file or cannot be listed.
    pub fn begin(dir: &Path, keep: fn(&str) -> bool) -> Result<Compare, RenderError> {
        if dir.exists() && !dir.is_dir() {
            return Err(RenderError::Io {
                action: "checking",
                path: dir.to_path_buf(),
                source: io::Error::other("it exists and is not a directory"),
            });
        }
        let ledger = Ledger::read(dir, Options { keep, diff: true })?;
        Ok(Compare { ledger })
    }

    /// The drift and its unified diff; a path produced twice or a file that could not be
    /// read is an error.
    pub fn finish(self) -> Result<WriteReport, RenderError> {
        self.ledger.finish()
    }
}

impl crate::Sink for Compare {
    fn accept(&self, files: Vec<File>) {
        for file in &files {
            self.ledger.arrive(file);
        }
    }

    /// Compared as it is written; whole only when it differs (for the diff).
    fn accept_written(&self, path: &str, source: &str, body: &WriteBody<'_>) {
        self.ledger.arrive_written(path, source, body);
    }
}
