//! Reading `generated/` at a git ref through the `git` command: `git ls-tree` lists the
//! files, one `git cat-file --batch` reads them all. No checkout, nothing written.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use portkey_render::Tree;

/// Why git could not give the tree.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `git` could not be started.
    #[error("could not run git in {}: {source}; fix: install git and put it on PATH", root.display())]
    Spawn {
        /// Where.
        root: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A git command failed.
    #[error("`git {args}` failed in {}: {message}; fix: {fix}", root.display())]
    Failed {
        /// The arguments.
        args: String,
        /// Where.
        root: PathBuf,
        /// git's own message.
        message: String,
        /// What to do.
        fix: String,
    },
    /// A file at the ref is not UTF-8 text.
    #[error(
        "generated/{path} at {commit} is not UTF-8 text; fix: generated/ holds only what portkey writes, so regenerate it at that ref"
    )]
    NotText {
        /// The file under `generated/`.
        path: String,
        /// The commit.
        commit: String,
    },
    /// `git cat-file --batch` answered something unexpected.
    #[error("unexpected output from git in {}: {what}; fix: check the repository with `git fsck`", root.display())]
    Protocol {
        /// What came.
        what: String,
        /// Where.
        root: PathBuf,
    },
}

/// `git -C root args...`.
fn command(root: &Path, args: &[&str]) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(root).args(args);
    c
}

fn spawn_error(root: &Path) -> impl FnOnce(std::io::Error) -> GitError {
    let root = root.to_path_buf();
    move |source| GitError::Spawn { root, source }
}

fn git(root: &Path, args: &[&str], fix: &str) -> Result<Vec<u8>, GitError> {
    let out = command(root, args)
        .stdin(Stdio::null())
        .output()
        .map_err(spawn_error(root))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(GitError::Failed {
            args: args.join(" "),
            root: root.to_path_buf(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            fix: fix.to_string(),
        })
    }
}

fn commit_of(root: &Path, rev: &str) -> Option<String> {
    let spec = format!("{rev}^{{commit}}");
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
        "",
    )
    .ok()
    .map(|o| String::from_utf8_lossy(&o).trim().to_string())
}

/// The commit to compare with, and how to name it: `rev` if given; else the merge base of
/// `HEAD` with `origin/main` when that branch exists; else `HEAD`.
pub fn base_commit(root: &Path, rev: Option<&str>) -> Result<(String, String), GitError> {
    let not_a_repo = "run portkey diff inside a git checkout of the project";
    git(root, &["rev-parse", "--git-dir"], not_a_repo)?;
    if let Some(rev) = rev {
        return match commit_of(root, rev) {
            Some(c) => Ok((c, rev.to_string())),
            None => Err(GitError::Failed {
                args: format!("rev-parse {rev}"),
                root: root.to_path_buf(),
                message: format!("`{rev}` is not a commit"),
                fix: "pass --base a branch, tag or commit that exists here (`git log --oneline` lists them; fetch it first if it is remote)".into(),
            }),
        };
    }
    let head = commit_of(root, "HEAD").ok_or_else(|| GitError::Failed {
        args: "rev-parse HEAD".into(),
        root: root.to_path_buf(),
        message: "the repository has no commit yet".into(),
        fix: "commit generated/ once, or pass --base".into(),
    })?;
    if commit_of(root, "origin/main").is_some() {
        let out = git(
            root,
            &["merge-base", "HEAD", "origin/main"],
            "pass --base explicitly (HEAD and origin/main share no history)",
        )?;
        let base = String::from_utf8_lossy(&out).trim().to_string();
        let label = format!("merge-base(HEAD, origin/main) {}", short(&base));
        return Ok((base, label));
    }
    Ok((head.clone(), format!("HEAD {}", short(&head))))
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}

/// The files under `generated/` (relative to `root`, which may be below the repository's
/// top) at `commit`, by path relative to `generated/`. Empty when `generated/` did not
/// exist there.
pub fn generated_at(root: &Path, commit: &str) -> Result<Tree, GitError> {
    let listing = git(
        root,
        &["ls-tree", "-r", "-z", commit, "--", "generated/"],
        "pass --base a commit of this repository",
    )?;
    let mut blobs = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            return Err(GitError::Protocol {
                what: entry.into_owned(),
                root: root.to_path_buf(),
            });
        };
        let mut meta = meta.split(' ');
        let (_mode, kind, id) = (meta.next(), meta.next(), meta.next());
        if kind != Some("blob") {
            continue; // a submodule: nothing portkey writes
        }
        let Some(rel) = path.strip_prefix("generated/") else {
            continue;
        };
        blobs.push((rel.to_string(), id.unwrap_or_default().to_string()));
    }
    read_blobs(root, commit, blobs)
}

/// Reads every blob with one `git cat-file --batch`: ids are written from a thread while
/// the answers are read, so neither pipe fills up.
fn read_blobs(root: &Path, commit: &str, blobs: Vec<(String, String)>) -> Result<Tree, GitError> {
    let mut tree = Tree::new();
    if blobs.is_empty() {
        return Ok(tree);
    }
    let mut child = command(root, &["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error(root))?;
    // Invariant: spawned with `Stdio::piped()` just above.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let ids: Vec<String> = blobs.iter().map(|(_, id)| id.clone()).collect();
    let writer = std::thread::spawn(move || {
        let mut text = String::with_capacity(ids.len() * 41);
        for id in ids {
            text.push_str(&id);
            text.push('\n');
        }
        // A failed write shows as missing answers below.
        let _ = stdin.write_all(text.as_bytes());
    });
    // Invariant: spawned with `Stdio::piped()` above.
    let mut reader = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let protocol = |what: String| GitError::Protocol {
        what,
        root: root.to_path_buf(),
    };
    let mut failure = None;
    for (path, id) in blobs {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            failure = Some(protocol(format!("no answer for {id} (generated/{path})")));
            break;
        }
        let size = match line.trim_end().split(' ').collect::<Vec<_>>().as_slice() {
            [got, "blob", size] if *got == id => size.parse::<usize>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            failure = Some(protocol(line.trim_end().to_string()));
            break;
        };
        let mut body = vec![0; size + 1];
        if reader.read_exact(&mut body).is_err() {
            failure = Some(protocol(format!("short read of generated/{path}")));
            break;
        }
        body.pop(); // the newline after each object
        let Ok(text) = String::from_utf8(body) else {
            failure = Some(GitError::NotText {
                path,
                commit: short(commit).to_string(),
            });
            break;
        };
        tree.insert(path, text);
    }
    drop(reader);
    if failure.is_some() {
        let _ = child.kill();
    }
    let _ = writer.join();
    let status = child.wait();
    if let Some(e) = failure {
        return Err(e);
    }
    match status {
        Ok(s) if s.success() => Ok(tree),
        _ => {
            let mut message = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut message);
            }
            Err(GitError::Failed {
                args: "cat-file --batch".into(),
                root: root.to_path_buf(),
                message: message.trim().to_string(),
                fix: "check the repository with `git fsck`".into(),
            })
        }
    }
}

/// The project root at or above `start`: the first directory holding `Cargo.toml` and
/// `apps/`.
pub fn project_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join("Cargo.toml").is_file() && d.join("apps").is_dir())
        .map(Path::to_path_buf)
}
