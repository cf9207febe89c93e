//! The subcommands of the `portkey` binary, each in its own module, and the conventions
//! they share: `--format text|json` ([`Format`]), JSON printed pretty on stdout, and one
//! scheme of exit codes:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success: rendered, up to date, valid |
//! | 1 ([`PROBLEMS`]) | problems found: a model error, an invalid object, a stale tree |
//! | 2 ([`CANNOT_RUN`]) | the command could not run: bad arguments (clap), unreadable files |
//!
//! A JSON problem is one of (told apart by `kind`):
//!
//! - `{"kind": "model", "app", "file", "field", "problem", "fix"}`: a [`ModelError`];
//! - `{"kind": "object", "file", "object", "pointer", "message"}`: an object that fails its
//!   schema, an API-server rule, or does not parse ([`portkey_validate::Problem`]; `pointer`
//!   is a JSON pointer, `""` for the whole object). From `validate`, `file` is the YAML
//!   file; from `render`, a compiled object's model source ([`crate::Invalid::Schema`],
//!   [`crate::Invalid::ApiServer`], whose message starts with the app and model field);
//! - `{"kind": "lint", "lint", "file", "object", "message"}`: a compiled object that fails a
//!   policy lint (`lint` is its id, `image-digest`; [`crate::Invalid::Lint`]).

pub mod bootstrap;
pub mod charts;
pub mod data_loss;
pub mod diff;
pub mod images;
pub mod render;
pub mod schema;
pub mod validate;

use std::process::ExitCode;

use portkey_model::ModelError;
use serde_json::{Value, json};

/// Exit code: problems found.
pub const PROBLEMS: u8 = 1;
/// Exit code: the command could not run.
pub const CANNOT_RUN: u8 = 2;

/// Output format of the commands that print reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people.
    Text,
    /// JSON for tools.
    Json,
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &Value) {
    // Invariant: a `serde_json::Value` always serializes.
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}

/// A model error as a JSON problem.
pub fn model_problem(e: &ModelError) -> Value {
    json!({
        "kind": "model",
        "app": e.app,
        "file": e.file,
        "field": e.field,
        "problem": e.problem,
        "fix": e.fix,
    })
}

/// An object problem (schema or parse) as a JSON problem.
pub fn object_problem(p: &portkey_validate::Problem) -> Value {
    json!({
        "kind": "object",
        "file": p.file,
        "object": p.object,
        "pointer": p.pointer,
        "message": p.message,
    })
}

/// A compiled object's schema problem or lint finding as a JSON problem.
fn invalid_problem(p: &crate::Invalid) -> Value {
    match p {
        crate::Invalid::Schema(p) | crate::Invalid::ApiServer(p) => object_problem(p),
        crate::Invalid::Lint(l) => json!({
            "kind": "lint",
            "lint": l.lint,
            "file": l.source,
            "object": l.object,
            "message": l.message,
        }),
    }
}

/// The problems of a failed pipeline run as JSON problems (none for an IO error).
pub fn error_problems(e: &crate::Error) -> Vec<Value> {
    match e {
        crate::Error::Model(errors) => errors.0.iter().map(model_problem).collect(),
        crate::Error::Invalid(problems) => problems.iter().map(invalid_problem).collect(),
        crate::Error::Both(errors, problems) => errors
            .0
            .iter()
            .map(model_problem)
            .chain(problems.iter().map(invalid_problem))
            .collect(),
        crate::Error::Render(_) => Vec::new(),
    }
}

/// The project root (the directory holding `Cargo.toml` and `apps/`) at or above the
/// current directory, found as cargo finds a manifest; an error naming the fix if there is
/// none.
pub fn project_root() -> Result<std::path::PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    crate::git::project_root(&cwd).ok_or_else(|| {
        format!(
            "no project root (a directory holding Cargo.toml and apps/) at or above {}; fix: run portkey inside the project, or give an absolute path",
            cwd.display()
        )
    })
}

/// `path` as given if it is absolute; else taken relative to [`project_root`], so that
/// `generated` means the repository's `generated/` from any subdirectory. Outside any
/// project (a copy of a tree elsewhere) a relative path is the current directory's.
pub fn from_root(path: &std::path::Path) -> std::path::PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    match project_root() {
        Ok(root) => root.join(path),
        Err(_) => path.to_path_buf(),
    }
}

/// `portkey completions <shell>`: the completion script of `command` on stdout.
pub fn completions(shell: clap_complete::Shell, command: &mut clap::Command) -> ExitCode {
    let name = command.get_name().to_string();
    clap_complete::generate(shell, command, name, &mut std::io::stdout());
    ExitCode::SUCCESS
}
