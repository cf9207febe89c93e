//! The `portkey` command line: its arguments and [`main`], which the root package's
//! `src/main.rs` calls with its catalogue. Each subcommand's work is in [`crate::cli`];
//! exit codes: 0 success, 1 problems found (a model error, an invalid object, a stale
//! tree), 2 the command could not run (bad arguments, unreadable files).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::Repository;
use crate::cli::Format;

/// portkey: compile the typed cluster model in apps/ into generated/.
#[derive(Parser)]
// The binary is `portkey` (this crate is `portkey-cli`), and so are its help and completions.
#[command(
    name = "portkey",
    version,
    about = "A typed model of a home-lab Kubernetes cluster, compiled into the YAML ArgoCD deploys"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render the model into generated/ (atomically; stale files are removed).
    ///
    /// Exit 0: written or up to date; 1: model or object problems, or (--check) stale;
    /// 2: the directory cannot be read or written. Nothing is written unless every check passes.
    Render {
        /// Change nothing; exit 1 and print a diff if generated/ is not what render would write.
        #[arg(long)]
        check: bool,
        /// The output directory; a relative one is taken from the project root (the
        /// directory holding Cargo.toml and apps/, found from the current directory up).
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Print how long each pipeline stage took (to stderr).
        #[arg(long)]
        timings: bool,
        /// Check every object against the schemas again, ignoring and leaving alone what an
        /// earlier run of this build found valid (`target/portkey/validated`).
        #[arg(long)]
        fresh: bool,
        /// Output format (JSON: status, files added/changed/removed, problems).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Validate every object under PATH strictly against JSON schemas (unknown fields are
    /// errors). Prints `file: Kind/name: /pointer: message` per problem; exit 1 if any.
    ///
    /// Exit 2 if PATH or the schemas cannot be read.
    Validate {
        /// A kubeconform-layout schema directory (`k8s/v1.35.0-local-strict/`,
        /// `crds/<group>/<kind>_<version>.json`); default: the schemas embedded in portkey.
        #[arg(long)]
        schemas: Option<PathBuf>,
        /// Output format (JSON: status, objects, problems).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// File or directory to validate; a relative one is taken from the project root.
        #[arg(default_value = "generated")]
        path: PathBuf,
    },
    /// Show where every app lands, how full each node is, and what each node's failure does.
    ///
    /// With --bootstrap: replay Argo CD's wave-by-wave sync of the root Application and say
    /// what makes each wave healthy, or the first object that never becomes healthy (exit 1).
    Plan {
        /// Replay the bootstrap instead: each wave, each provider, or the stall.
        #[arg(long)]
        bootstrap: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List every container image and chart release with its version and source file.
    Images {
        /// Output format (text: `image  version  source-file  app`, one line each).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the JSON Schema of the model's configuration types (an app by default).
    Schema {
        /// Which type.
        #[arg(value_enum, default_value_t = crate::cli::schema::Type::App)]
        r#type: crate::cli::schema::Type,
    },
    /// Print a shell completion script (`portkey completions bash > /etc/bash_completion.d/portkey`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Compare what render produces now with generated/ at a git ref, object by object,
    /// and warn about immutable, destructive and risky changes.
    ///
    /// Exit 0: no change; 1: changes; 2: error; 3: warnings (only with `--fail-on warning`).
    Diff {
        #[command(flatten)]
        args: crate::cli::diff::Args,
    },
    /// The chart defaults in charts/ (`pull`: fetch the missing ones with helm).
    Charts {
        #[command(subcommand)]
        command: crate::cli::charts::Command,
    },
}

/// Parses the command line and runs the subcommand on `repo`'s catalogue.
pub fn main(repo: &Repository) -> ExitCode {
    // One command per process: a render's validators are dropped once it is done with them.
    crate::release_validators_when_done();
    let cli = Cli::parse();
    match cli.command {
        Command::Render {
            check,
            out,
            timings,
            fresh,
            format,
        } => crate::cli::render::run(
            repo,
            check,
            &crate::cli::from_root(&out),
            (timings, fresh),
            format,
        ),
        Command::Plan {
            bootstrap: true,
            format,
        } => crate::cli::bootstrap::run(repo, format),
        Command::Plan { format, .. } => plan(repo, format),
        Command::Validate {
            schemas,
            format,
            path,
        } => crate::cli::validate::run(schemas.as_deref(), &crate::cli::from_root(&path), format),
        Command::Images { format } => crate::cli::images::run(repo, format),
        Command::Schema { r#type } => crate::cli::schema::run(r#type),
        Command::Completions { shell } => crate::cli::completions(shell, &mut Cli::command()),
        Command::Diff { args } => crate::cli::diff::run(repo, &args),
        Command::Charts { command } => crate::cli::charts::run(repo, &command),
    }
}

fn plan(repo: &Repository, format: Format) -> ExitCode {
    match crate::plan_with(&(repo.cluster)(), (repo.apps)(), (repo.charts)()) {
        Ok(plan) => {
            match format {
                Format::Text => print!("{}", crate::report::plan_text(&plan)),
                // Invariant: a `serde_json::Value` always serializes.
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&crate::report::plan_json(&plan))
                        .expect("JSON values serialize")
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
