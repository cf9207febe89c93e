//! `portkey render [--check] [--out DIR] [--timings] [--format json]`.
//!
//! The JSON report (with or without `--check`):
//!
//! ```json
//! {
//!   "status": "stale",
//!   "check": true,
//!   "directory": "generated",
//!   "files": { "added": ["a.yaml"], "changed": ["b.yaml"], "removed": ["c.yaml"] },
//!   "problems": [],
//!   "warnings": [],
//!   "fix": "cargo run -- render",
//!   "error": null
//! }
//! ```
//!
//! | `status` | exit | meaning |
//! |---|---|---|
//! | `up-to-date` | 0 | the directory already held exactly the rendered tree |
//! | `rendered` | 0 | written; `files` says what changed |
//! | `stale` | 1 | `--check` only: `files` is what a render would change, `fix` how |
//! | `invalid` | 1 | the model or a compiled object has problems (`problems`); nothing written |
//! | `error` | 2 | reading or writing failed (`error` says why); nothing written |
//!
//! `files` paths are relative to the directory; with `invalid` and `error` all three lists
//! are empty. `warnings` are the capacity plan's (printed to stderr in text mode).

use std::path::Path;
use std::process::ExitCode;

use portkey_model::app::App;
use portkey_model::chart::Chart;
use portkey_model::cluster::Cluster;
use portkey_render::{Drift, RENDER_COMMAND};
use portkey_validate::Known;
use serde_json::{Value, json};

use super::{CANNOT_RUN, Format, PROBLEMS, error_problems, print_json};

/// What one `render` run did.
#[derive(Debug)]
pub enum Outcome {
    /// `render` wrote the tree (`drift` empty: it was up to date).
    Written {
        /// Files in the tree.
        files: usize,
        /// What changed.
        drift: Drift,
    },
    /// `render --check` compared the tree with the directory (`drift` empty: up to date).
    Checked {
        /// Files in the tree.
        files: usize,
        /// What a render would change, with the unified diff.
        drift: Drift,
        /// The directory did not exist: the text report says so instead of printing the
        /// diff of every file.
        missing: bool,
    },
    /// The pipeline or the comparison failed; nothing was written.
    Failed(crate::Error),
}

/// One run: what happened, the plan's warnings, and the stage timings.
#[derive(Debug)]
pub struct Run {
    /// What happened.
    pub outcome: Outcome,
    /// The capacity plan's warnings.
    pub warnings: Vec<String>,
    /// How long each stage took.
    pub timings: Option<crate::Timings>,
    /// Whether it was `render --check`.
    pub check: bool,
}

/// Renders (or with `check` compares) `cluster`, `apps` and `charts` into `out`.
pub fn execute(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    check: bool,
    out: &Path,
) -> Run {
    execute_known(cluster, apps, charts, check, out, &Known::none())
}

/// [`execute`], trusting the schema passes `known` holds ([`crate::cache`]).
pub fn execute_known(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    check: bool,
    out: &Path,
    known: &Known,
) -> Run {
    // Both stream: each file is compared with the disk (and written) as it is rendered.
    let missing = !out.exists();
    let result = if check {
        crate::check_into_known(cluster, apps, charts, out, known).map(|(o, r)| {
            let outcome = Outcome::Checked {
                files: r.files,
                drift: r.drift,
                missing,
            };
            (o, outcome, r.kept)
        })
    } else {
        crate::render_into_known(cluster, apps, charts, out, known).map(|(o, r)| {
            let outcome = Outcome::Written {
                files: r.files,
                drift: r.drift,
            };
            (o, outcome, r.kept)
        })
    };
    match result {
        Ok((output, outcome, kept)) => {
            let mut warnings = output.warnings;
            warnings.extend(super::data_loss::warnings(&kept.before, &kept.after));
            Run {
                outcome,
                warnings,
                timings: Some(output.timings),
                check,
            }
        }
        Err(e) => Run {
            outcome: Outcome::Failed(e),
            warnings: Vec::new(),
            timings: None,
            check,
        },
    }
}

impl Run {
    /// The `status` of the JSON report.
    pub fn status(&self) -> &'static str {
        match &self.outcome {
            Outcome::Written { drift, .. } | Outcome::Checked { drift, .. } if drift.is_empty() => {
                "up-to-date"
            }
            Outcome::Written { .. } => "rendered",
            Outcome::Checked { .. } => "stale",
            Outcome::Failed(crate::Error::Render(_)) => "error",
            Outcome::Failed(_) => "invalid",
        }
    }

    /// The exit code: 0, [`PROBLEMS`] or [`CANNOT_RUN`].
    pub fn exit_code(&self) -> u8 {
        match self.status() {
            "up-to-date" | "rendered" => 0,
            "error" => CANNOT_RUN,
            _ => PROBLEMS,
        }
    }

    /// The JSON report (see the module documentation).
    pub fn json(&self, out: &Path) -> Value {
        let empty = Drift::default();
        let drift = match &self.outcome {
            Outcome::Written { drift, .. } | Outcome::Checked { drift, .. } => drift,
            Outcome::Failed(_) => &empty,
        };
        let (problems, error) = match &self.outcome {
            Outcome::Failed(e @ crate::Error::Render(_)) => (Vec::new(), Some(e.to_string())),
            Outcome::Failed(e) => (error_problems(e), None),
            _ => (Vec::new(), None),
        };
        let status = self.status();
        json!({
            "status": status,
            "check": self.check,
            "directory": out.display().to_string(),
            "files": { "added": drift.added, "changed": drift.changed, "removed": drift.removed },
            "problems": problems,
            "warnings": self.warnings,
            "fix": (status == "stale").then_some(RENDER_COMMAND),
            "error": error,
        })
    }

    /// Prints the text report: results on stdout, warnings and errors on stderr.
    fn print_text(&self, out: &Path) {
        for w in &self.warnings {
            eprintln!("warning: {w}");
        }
        let out = out.display();
        match &self.outcome {
            Outcome::Failed(e) => {
                eprintln!("error: {e}");
                if !matches!(e, crate::Error::Render(_)) {
                    eprintln!("{out} was left unchanged.");
                }
            }
            Outcome::Written { files, drift } | Outcome::Checked { files, drift, .. }
                if drift.is_empty() =>
            {
                println!("{out} is up to date ({files} files).");
            }
            Outcome::Written { files, drift: d } => {
                println!(
                    "rendered {files} files into {out}: {} added, {} changed, {} removed",
                    d.added.len(),
                    d.changed.len(),
                    d.removed.len()
                );
                print!("{}", d.summary());
            }
            Outcome::Checked {
                files,
                missing: true,
                ..
            } => {
                eprintln!("error: {out} is missing: a render would write all {files} files there.");
                eprintln!("fix: run `{RENDER_COMMAND}` and commit the result.");
            }
            Outcome::Checked { drift: d, .. } => {
                print!("{}", d.diff);
                eprintln!("error: {out} is stale:\n{}", d.summary());
                eprintln!("fix: run `{RENDER_COMMAND}` and commit the result.");
            }
        }
    }
}

/// Runs `portkey render` on the repository's model, with the project's cache of schema
/// passes ([`crate::cache`]) unless `fresh`.
pub fn run(
    repo: &crate::Repository,
    check: bool,
    out: &Path,
    (timings, fresh): (bool, bool),
    format: Format,
) -> ExitCode {
    let cache = if fresh {
        None
    } else {
        super::project_root()
            .ok()
            .and_then(|root| crate::cache::Cache::of_project(&root))
    };
    let known = cache
        .as_ref()
        .map_or_else(Known::none, crate::cache::Cache::load);
    let mut run = execute_known(
        &(repo.cluster)(),
        (repo.apps)(),
        (repo.charts)(),
        check,
        out,
        &known,
    );
    let (objects, hits) = known.counts();
    let built = portkey_validate::Schemas::embedded().builds();
    if let Some(cache) = &cache
        && objects > 0
    {
        cache.store(&known.passed());
    }
    if let Some(t) = &mut run.timings {
        t.notes.push(match &cache {
            Some(cache) => format!(
                "schemas: {hits} of {objects} objects known valid ({}), {built} validators built",
                cache.path.display()
            ),
            None => format!("schemas: {objects} objects checked, {built} validators built"),
        });
    }
    if timings && let Some(t) = &run.timings {
        eprint!("{}", t.table());
    }
    match format {
        Format::Text => run.print_text(out),
        Format::Json => print_json(&run.json(out)),
    }
    ExitCode::from(run.exit_code())
}
