//! Writing a tree while it is still being rendered, and swapping it in only when it is
//! complete and valid.
//!
//! [`Staging::begin`] creates a staging directory beside the output and starts writer
//! threads. The pipeline hands them files as each app is serialized ([`Sink::accept`]), so
//! the filesystem work overlaps compilation. [`Staging::commit`] waits for the writers and
//! replaces the output directory with the staging directory in one rename. Dropping a
//! `Staging` without committing (the pipeline found an error) removes the staging directory:
//! the output is never half-written.
//!
//! Renders into one parent directory run one at a time: [`Staging::begin`] waits for an
//! exclusive `flock` on the parent directory and holds it until the render is committed or
//! dropped. A render that compared its files with the tree on disk while another render
//! swapped that tree would otherwise hard-link files whose text it never saw.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread::JoinHandle;
use std::{fs, io};

use crate::ledger::Streamed;
use crate::ledger::{Arrival, Ledger, Options};
use crate::{File, RenderError, WriteBody, WriteReport, io_err};

/// Where rendered files go: memory ([`Collect`]) or a staging directory ([`Staging`]).
pub trait Sink: Sync {
    /// Takes rendered files. Called from any thread, in any order: the tree is sorted by
    /// path at the end.
    fn accept(&self, files: Vec<File>);

    /// Takes one document, headed as [`crate::document`] heads it, whose body `body`
    /// writes: for the largest (RESTORE.md, 57 MB at N = 20,000). [`Staging`] and
    /// [`crate::Compare`] compare it with the file on disk as it is written, and write a
    /// new one straight into its file, so that its text is held whole only when it
    /// differs from the disk (for the diff and the kept texts). This default collects it
    /// ([`crate::written_document`]) and hands it to [`Sink::accept`].
    fn accept_written(&self, path: &str, source: &str, body: &WriteBody<'_>) {
        self.accept(vec![crate::written_document(path, source, body)]);
    }
}

/// A sink that keeps the files in memory.
#[derive(Debug, Default)]
pub struct Collect(Mutex<Vec<File>>);

impl Collect {
    /// The files received, in arrival order.
    pub fn into_files(self) -> Vec<File> {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for Collect {
    fn accept(&self, files: Vec<File>) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(files);
    }
}

/// What every writer thread shares.
struct Shared {
    /// The staging tree being written (`<staging>/new`).
    root: PathBuf,
    /// The output directory, whose unchanged files are hard-linked instead of rewritten.
    dir: PathBuf,
    /// The listing of `dir` (paths, no text), read on its own thread while the pipeline
    /// starts; each file is compared with the one on disk as it is written.
    on_disk: OnceLock<Result<Ledger, RenderError>>,
    /// Batches of files to write: a bounded queue, so that a slow disk holds back the
    /// pipeline instead of letting rendered text pile up in memory.
    queue: Mutex<mpsc::Receiver<Vec<File>>>,
    /// Set when a writer fails or the render is abandoned: the others stop writing.
    stop: AtomicBool,
    /// Files written so far (for [`abort_after_files`]).
    written: AtomicUsize,
    /// The first error writing a document on the pipeline's own thread
    /// ([`Sink::accept_written`]), reported with the writers' own.
    streamed: Mutex<Written>,
    abort_after: Option<usize>,
}

impl Shared {
    /// Counts one file written, and aborts the process at the count
    /// [`abort_after_files`] set.
    fn count_written(&self) {
        if let Some(n) = self.abort_after
            && self.written.fetch_add(1, Ordering::Relaxed) + 1 >= n
        {
            std::process::abort();
        }
    }
}

/// A writer thread's first error.
type Written = Option<RenderError>;

/// Batches the queue holds per writer before [`Sink::accept`] waits.
const QUEUED_PER_WRITER: usize = 16;

/// A render in progress into a staging directory beside the output directory.
pub struct Staging {
    dir: PathBuf,
    new: PathBuf,
    temp: Option<tempfile::TempDir>,
    sender: Option<mpsc::SyncSender<Vec<File>>>,
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
    writers: Vec<JoinHandle<Written>>,
    /// The parent directory's lock: one render at a time per parent. Declared last, so it
    /// is released only after the staging directory is gone.
    _serial: Option<Lock>,
}

/// Writer threads. Creating files is system-call bound, so as many writers as cores keep
/// the kernel busy while the pipeline computes.
fn writer_count() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

impl Staging {
    /// Waits until no other render into `dir`'s parent is running, creates the staging
    /// directory beside `dir` (removing any a killed render left) and starts the writers.
    /// Fails, touching nothing, when `dir` is a file or its parent directory is missing or
    /// read-only.
    pub fn begin(dir: &Path) -> Result<Staging, RenderError> {
        Staging::keeping(dir, |_| false)
    }

    /// [`Staging::begin`], keeping the old and new texts of the files `keep` selects when
    /// one of them changes or goes ([`WriteReport::kept`]).
    pub fn keeping(dir: &Path, keep: fn(&str) -> bool) -> Result<Staging, RenderError> {
        // The new tree replaces `dir` by a rename, which would replace a symbolic link with
        // a directory: refuse, and name the target to render into instead.
        if fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            let target = fs::read_link(dir)
                .map_or_else(|_| "its target".into(), |t| t.display().to_string());
            return Err(RenderError::Io {
                action: "replacing",
                path: dir.to_path_buf(),
                source: io::Error::other(format!(
                    "it is a symbolic link to {target}, which the new tree would replace with a directory; \
                     fix: render into the target (`--out {target}`), or remove the link"
                )),
            });
        }
        if dir.exists() && !dir.is_dir() {
            return Err(RenderError::Io {
                action: "replacing",
                path: dir.to_path_buf(),
                source: io::Error::other("it exists and is not a directory"),
            });
        }
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dir
            .file_name()
            .map_or_else(|| "generated".into(), |n| n.to_string_lossy().into_owned());
        let serial = lock_waiting(&parent);
        remove_stale_staging(&parent, &name);
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.staging-"))
            .tempdir_in(&parent)
            .map_err(io_err("creating a staging directory in", &parent))?;
        let new = staging.path().join("new");
        fs::create_dir(&new).map_err(io_err("creating", &new))?;
        let (sender, receiver) = mpsc::sync_channel(writer_count() * QUEUED_PER_WRITER);
        let shared = Arc::new(Shared {
            root: new.clone(),
            dir: dir.to_path_buf(),
            on_disk: OnceLock::new(),
            queue: Mutex::new(receiver),
            stop: AtomicBool::new(false),
            written: AtomicUsize::new(0),
            streamed: Mutex::new(None),
            abort_after: abort_after(),
        });
        let reader = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                // Always set, even if reading panics: the writers wait for it.
                let dir = shared.dir.clone();
                let options = Options { keep, diff: false };
                let read = std::panic::catch_unwind(move || Ledger::read(&dir, options))
                    .unwrap_or_else(|_| Err(thread_failed("reading", &shared.dir)));
                let _ = shared.on_disk.set(read);
            })
        };
        let writers = (0..writer_count())
            .map(|_| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || write_batches(&shared))
            })
            .collect();
        Ok(Staging {
            dir: dir.to_path_buf(),
            new,
            temp: Some(staging),
            sender: Some(sender),
            shared,
            reader: Some(reader),
            writers,
            _serial: serial,
        })
    }

    /// Waits for the writers, checks the tree and swaps it in for the output directory.
    /// When nothing changed, the output directory is left untouched. On any error the
    /// staging directory is removed and the output directory is left as it was.
    pub fn commit(mut self) -> Result<WriteReport, RenderError> {
        if let Some(e) = self.finish_writing() {
            return Err(e);
        }
        let ledger = Arc::get_mut(&mut self.shared)
            .and_then(|s| s.on_disk.take())
            .unwrap_or_else(|| Err(thread_failed("reading", &self.dir)))?;
        let report = ledger.finish()?;
        if report.drift.is_empty() && self.dir.is_dir() {
            return Ok(report);
        }
        swap_in(&self.new, &self.dir)?;
        // The staging directory now holds the previous tree (or nothing); dropping it
        // removes it.
        drop(self.temp.take());
        Ok(report)
    }

    /// Closes the queue and joins every thread; returns the first error (a thread that
    /// panicked counts as one).
    fn finish_writing(&mut self) -> Written {
        drop(self.sender.take());
        let mut error = None;
        if let Some(reader) = self.reader.take()
            && reader.join().is_err()
        {
            error = Some(thread_failed("reading", &self.dir));
        }
        for w in self.writers.drain(..) {
            match w.join() {
                Ok(e) => error = error.or(e),
                Err(_) => error = error.or(Some(thread_failed("writing", &self.new))),
            }
        }
        let streamed = self
            .shared
            .streamed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        error.or(streamed)
    }
}

impl Sink for Staging {
    fn accept(&self, files: Vec<File>) {
        if let Some(sender) = &self.sender {
            // The writers only hang up after a failure, which `commit` reports.
            let _ = sender.send(files);
        }
    }

    /// Written on the calling thread, straight into its file: linked from the output
    /// directory when the disk holds the same text, and held whole only when it differs.
    fn accept_written(&self, path: &str, source: &str, body: &WriteBody<'_>) {
        if self.shared.stop.load(Ordering::Relaxed) {
            return;
        }
        if let Err(e) = write_streamed(&self.shared, path, source, body) {
            self.shared.stop.store(true, Ordering::Relaxed);
            self.shared
                .streamed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_or_insert(e);
        }
    }
}

/// [`Staging::accept_written`]: the document compared with the disk as it is written
/// ([`Ledger::arrive_written`]), then linked, streamed into its file, or written whole.
fn write_streamed(
    shared: &Shared,
    rel: &str,
    source: &str,
    body: &WriteBody<'_>,
) -> Result<(), RenderError> {
    check_path(rel)?;
    // Without a listing (which `commit` reports) the document is written.
    let ledger = shared.on_disk.wait().as_ref().ok();
    let streamed = ledger.map_or(Streamed::Absent, |l| l.arrive_written(rel, source, body));
    let path = shared.root.join(rel);
    if let Some(p) = Path::new(rel).parent() {
        let d = shared.root.join(p);
        fs::create_dir_all(&d).map_err(io_err("creating", &d))?;
    }
    match streamed {
        Streamed::Settled(Arrival::Collision) => return Ok(()),
        Streamed::Settled(_) if fs::hard_link(shared.dir.join(rel), &path).is_ok() => {}
        Streamed::Settled(_) | Streamed::Absent => write_into(&path, source, body)?,
        Streamed::Whole(file) => {
            fs::write(&path, file.1.as_bytes()).map_err(io_err("writing", &path))?;
        }
    }
    shared.count_written();
    Ok(())
}

/// Writes the document `body` writes into a new file at `path`, as it is written.
fn write_into(path: &Path, source: &str, body: &WriteBody<'_>) -> Result<(), RenderError> {
    use std::io::Write as _;
    /// Hands what it is given to the file, keeping the first error.
    struct Into {
        file: io::BufWriter<fs::File>,
        error: Option<io::Error>,
    }
    impl std::fmt::Write for Into {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            if self.error.is_some() {
                return Err(std::fmt::Error);
            }
            self.file.write_all(s.as_bytes()).map_err(|e| {
                self.error = Some(e);
                std::fmt::Error
            })
        }
    }
    let file = fs::File::create(path).map_err(io_err("writing", path))?;
    let mut into = Into {
        file: io::BufWriter::with_capacity(256 * 1024, file),
        error: None,
    };
    crate::write_document(&mut into, source, body);
    match into.error {
        Some(e) => Err(io_err("writing", path)(e)),
        None => into.file.flush().map_err(io_err("writing", path)),
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Abandoned (or committed): stop the writers; the TempDir removes what they wrote.
        self.shared.stop.store(true, Ordering::Relaxed);
        let _ = self.finish_writing();
    }
}

fn thread_failed(action: &'static str, path: &Path) -> RenderError {
    RenderError::Io {
        action,
        path: path.to_path_buf(),
        source: io::Error::other("a render thread panicked"),
    }
}

/// One writer thread: takes batches until the queue closes, writing each file into the
/// staging tree, or hard-linking it from the output directory when its text is unchanged.
/// Once a writer has failed, the batches are only drained.
fn write_batches(shared: &Shared) -> Written {
    let ledger = shared.on_disk.wait().as_ref().ok();
    let mut error = None;
    let mut made = Recent::default();
    loop {
        let batch = {
            let queue = shared
                .queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            queue.recv()
        };
        let Ok(batch) = batch else {
            return error;
        };
        if !shared.stop.load(Ordering::Relaxed)
            && let Err(e) = write_batch(shared, ledger, &batch, &mut made)
        {
            shared.stop.store(true, Ordering::Relaxed);
            error = error.or(Some(e));
        }
    }
}

/// The directories a writer created last: each work item's batch also holds files in
/// directories other work items' batches share (`cluster/alerts/`, `argocd/`), and creating
/// one again costs two failed system calls (`mkdir`, then `statx` to see it is a
/// directory).
#[derive(Default)]
struct Recent(std::collections::VecDeque<PathBuf>);

impl Recent {
    /// How many directories a writer remembers.
    const KEPT: usize = 8;

    /// Creates `dir` (and its parents) unless this writer created it lately.
    fn create(&mut self, dir: &Path) -> Result<(), RenderError> {
        if self.0.iter().any(|d| d == dir) {
            return Ok(());
        }
        fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        if self.0.len() == Self::KEPT {
            self.0.pop_front();
        }
        self.0.push_back(dir.to_path_buf());
        Ok(())
    }
}

fn write_batch(
    shared: &Shared,
    ledger: Option<&Ledger>,
    batch: &[File],
    made: &mut Recent,
) -> Result<(), RenderError> {
    for file in batch {
        let rel = &file.0;
        check_path(rel)?;
        // Compared with the one file on disk at its path; without a listing (it could not
        // be read, which `commit` reports) every file is written.
        let arrival = ledger.map_or(Arrival::Added, |l| l.arrive(file));
        if matches!(arrival, Arrival::Collision) {
            // `commit` fails naming both objects.
            continue;
        }
        let path = shared.root.join(rel);
        if let Some(p) = path.parent() {
            made.create(p)?;
        }
        // An unchanged file is hard-linked from the current tree instead of rewritten: far
        // fewer new inodes on a large re-render, and the old tree's removal then only drops
        // names. A symbolic link never qualifies: it reads as a description, which no
        // rendering equals.
        let linked =
            matches!(arrival, Arrival::Same) && fs::hard_link(shared.dir.join(rel), &path).is_ok();
        if !linked {
            fs::write(&path, file.1.as_bytes()).map_err(io_err("writing", &path))?;
        }
        shared.count_written();
    }
    Ok(())
}

/// Refuses a path that would land outside the output directory.
fn check_path(rel: &str) -> Result<(), RenderError> {
    use std::path::Component;
    let inside = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if inside {
        Ok(())
    } else {
        Err(RenderError::Io {
            action: "refusing to write",
            path: PathBuf::from(rel),
            source: io::Error::other(
                "the path is not a plain relative path inside the output directory",
            ),
        })
    }
}

/// Removes staging directories a killed render left beside `dir` (`.<name>.staging-*`:
/// portkey's own, never anything else). Called while holding the parent directory's lock,
/// so no other render into this parent is running: every such directory is a leftover.
/// (Where the parent cannot be opened to lock it, it cannot be listed either, and nothing
/// is removed.)
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_ours = file_name.to_string_lossy().starts_with(&prefix)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_ours {
            continue;
        }
        let _ = fs::remove_dir_all(entry.path());
    }
}

/// An exclusive advisory lock on a directory, released when dropped, or by the kernel when
/// the process dies.
struct Lock {
    _handle: fs::File,
}

/// Takes the lock (`flock`) on a directory, waiting while another render holds it. `None`
/// when the directory cannot be opened, or where `flock` is unavailable: the render then
/// runs unserialized, as before locks existed.
#[cfg(target_os = "linux")]
fn lock_waiting(dir: &Path) -> Option<Lock> {
    let handle = fs::File::open(dir).ok()?;
    rustix::fs::flock(&handle, rustix::fs::FlockOperation::LockExclusive).ok()?;
    Some(Lock { _handle: handle })
}

#[cfg(not(target_os = "linux"))]
fn lock_waiting(_dir: &Path) -> Option<Lock> {
    None
}

/// After how many staged files the process aborts; 0, the default, never.
static ABORT_AFTER_FILES: AtomicUsize = AtomicUsize::new(0);

/// Fault injection, for the tests that kill a render half-way: every later [`Staging`] of
/// this process aborts it (as a `kill -9` would) once it has written `files` files into its
/// staging directory. Nothing in portkey's commands calls it; the tests run it in a child
/// process of their own (`tests/it/cli.rs`).
pub fn abort_after_files(files: usize) {
    ABORT_AFTER_FILES.store(files, Ordering::Relaxed);
}

fn abort_after() -> Option<usize> {
    match ABORT_AFTER_FILES.load(Ordering::Relaxed) {
        0 => None,
        n => Some(n),
    }
}

/// Puts `new` in place of `dir`. Afterwards the previous tree, if any, sits inside `new`'s
/// parent (the staging directory), which the caller removes.
fn swap_in(new: &Path, dir: &Path) -> Result<(), RenderError> {
    if !dir.exists() {
        return fs::rename(new, dir).map_err(io_err("moving the new tree into", dir));
    }
    if !dir.is_dir() {
        return Err(RenderError::Io {
            action: "replacing",
            path: dir.to_path_buf(),
            source: io::Error::other("it exists and is not a directory"),
        });
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, new, CWD, dir, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(io_err("swapping the new tree into", dir)(e.into())),
        }
    }
    // Fallback: two renames. Between them `dir` is briefly missing, never half-written.
    let previous = new.with_file_name("previous");
    fs::rename(dir, &previous).map_err(io_err("moving aside", dir))?;
    if let Err(e) = fs::rename(new, dir) {
        let _ = fs::rename(&previous, dir);
        return Err(io_err("moving the new tree into", dir)(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Recent;

    /// A directory the writer created lately is not created again (removed behind its back,
    /// it stays missing); one it has forgotten, past `KEPT` others, is.
    #[test]
    fn a_writer_creates_each_recent_directory_once() {
        let root = tempfile::tempdir().unwrap();
        let mut made = Recent::default();
        let alerts = root.path().join("cluster/alerts");
        made.create(&alerts).unwrap();
        assert!(alerts.is_dir());
        std::fs::remove_dir(&alerts).unwrap();
        made.create(&alerts).unwrap();
        assert!(!alerts.exists(), "created again though it was made lately");
        for i in 0..Recent::KEPT {
            made.create(&root.path().join(format!("app-{i}"))).unwrap();
        }
        made.create(&alerts).unwrap();
        assert!(alerts.is_dir(), "forgotten, so created");
    }
}
