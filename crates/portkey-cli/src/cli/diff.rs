//! `portkey diff`: what render produces now (or the working tree's `generated/`) against
//! `generated/` at a git ref, object by object, with warnings.
//!
//! Its exit codes are those of `diff(1)` and `kubectl diff`, not the scheme of the other
//! commands: 0 no change, 1 changes, 2 ([`super::CANNOT_RUN`]) an error, and 3 with
//! `--fail-on warning` when there are warnings.

use std::path::Path;
use std::process::ExitCode;

use crate::git;
use portkey_diff::{self, Diff};
use portkey_render::Tree;

/// The options of `portkey diff`.
#[derive(clap::Args)]
pub struct Args {
    /// The git ref whose generated/ is the base. Default: the merge base of HEAD with
    /// origin/main if that branch exists, else HEAD.
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    /// What to compare the base with.
    #[arg(long, value_enum, default_value_t = Head::Render)]
    head: Head,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// What exit 1 and 3 mean: with `change`, any change exits 1; with `warning`, a diff
    /// with warnings exits 3 and one without exits 1.
    #[arg(long, value_enum, default_value_t = FailOn::Change)]
    fail_on: FailOn,
}

/// The new side of the diff.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Head {
    /// What `portkey render` would write now (in memory; nothing is written).
    Render,
    /// generated/ as it is in the working tree.
    Worktree,
}

/// The output formats.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// For a terminal.
    Text,
    /// A pull-request comment (starts with `<!-- portkey-diff -->`, under 65,536 characters).
    Markdown,
    /// For tools.
    Json,
}

/// How the exit code reports warnings.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FailOn {
    /// 0: no change, 1: changes (with or without warnings).
    Change,
    /// 0: no change, 1: changes without warnings, 3: warnings.
    Warning,
}

/// Exit code: an error (as diff(1): above 1).
const ERROR: u8 = super::CANNOT_RUN;
/// Exit code: warnings, with `--fail-on warning`.
const WARNINGS: u8 = 3;

/// Runs `portkey diff` from the current directory.
pub fn run(repo: &crate::Repository, args: &Args) -> ExitCode {
    match compare(repo, args) {
        Ok((diff, base, head)) => {
            let out = match args.format {
                Format::Text => portkey_diff::text::render(&diff, &base, head),
                Format::Markdown => portkey_diff::markdown::render(&diff, &base, head),
                Format::Json => json(&diff, &base, head),
            };
            print!("{out}");
            ExitCode::from(exit_code(&diff, args.fail_on))
        }
        Err(e) => {
            eprintln!("error: {e}");
            if matches!(args.format, Format::Json) {
                print!("{}", pretty(&error_json(&e)));
            }
            ExitCode::from(ERROR)
        }
    }
}

fn exit_code(diff: &Diff, fail_on: FailOn) -> u8 {
    if diff.is_empty() {
        0
    } else if fail_on == FailOn::Warning && !diff.warnings.is_empty() {
        WARNINGS
    } else {
        1
    }
}

type Compared = (Diff, String, &'static str);

fn compare(repo: &crate::Repository, args: &Args) -> Result<Compared, String> {
    let root = super::project_root()?;
    let (commit, label) =
        git::base_commit(&root, args.base.as_deref()).map_err(|e| e.to_string())?;
    let base = git::generated_at(&root, &commit).map_err(|e| e.to_string())?;
    let (head, head_label) = match args.head {
        Head::Render => (render(repo)?, "render"),
        Head::Worktree => (worktree(&root)?, "the working tree"),
    };
    let diff = portkey_diff::diff(&base, &head).map_err(|e| {
        let side = if matches!(args.head, Head::Render) {
            "head is the render"
        } else {
            "head is generated/ in the working tree"
        };
        format!("{e} (base is {label}; {side})")
    })?;
    Ok((diff, label, head_label))
}

fn render(repo: &crate::Repository) -> Result<Tree, String> {
    repo.tree().map_err(|e| {
        format!(
            "the model does not render, so there is nothing to compare:\n{e}\nfix: run `{}` to see the problems, fix them, and diff again",
            portkey_render::RENDER_COMMAND
        )
    })
}

fn worktree(root: &Path) -> Result<Tree, String> {
    portkey_render::read_tree(&root.join("generated")).map_err(|e| e.to_string())
}

/// `status` is `unchanged`, `changed` or `warnings` (changes with warnings), or `error`;
/// every key is always present, `null` when it does not apply.
fn json(diff: &Diff, base: &str, head: &str) -> String {
    let status = if diff.is_empty() {
        "unchanged"
    } else if diff.warnings.is_empty() {
        "changed"
    } else {
        "warnings"
    };
    pretty(&serde_json::json!({
        "status": status,
        "base": base,
        "head": head,
        "totals": diff.totals(),
        "apps": diff.apps,
        "warnings": diff.warnings,
        "documents": diff.documents,
        "moved": diff.moved,
        "error": null,
    }))
}

fn error_json(error: &str) -> serde_json::Value {
    serde_json::json!({
        "status": "error",
        "base": null,
        "head": null,
        "totals": null,
        "apps": null,
        "warnings": null,
        "documents": null,
        "moved": null,
        "error": error,
    })
}

fn pretty(value: &serde_json::Value) -> String {
    // Invariant: a `serde_json::Value` always serializes.
    let mut s = serde_json::to_string_pretty(value).expect("JSON values serialize");
    s.push('\n');
    s
}
