//! The `portkey` command line. Each subcommand's work is in [`portkey::cli`]; exit codes:
//! 0 success, 1 problems found (a model error, an invalid object, a stale tree), 2 the
//! command could not run (bad arguments, unreadable files).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use portkey::cli::Format;

/// See `Cargo.toml`: measured faster than the system allocator on the pipeline.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// portkey: compile the typed cluster model in apps/ into generated/.
#[derive(Parser)]
#[command(version, about)]
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
        #[arg(value_enum, default_value_t = portkey::cli::schema::Type::App)]
        r#type: portkey::cli::schema::Type,
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
        args: portkey::cli::diff::Args,
    },
    /// The chart defaults in charts/ (`pull`: fetch the missing ones with helm).
    Charts {
        #[command(subcommand)]
        command: portkey::cli::charts::Command,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render {
            check,
            out,
            timings,
            format,
        } => portkey::cli::render::run(check, &portkey::cli::from_root(&out), timings, format),
        Command::Plan {
            bootstrap: true,
            format,
        } => portkey::cli::bootstrap::run(format),
        Command::Plan { format, .. } => plan(format),
        Command::Validate {
            schemas,
            format,
            path,
        } => {
            portkey::cli::validate::run(schemas.as_deref(), &portkey::cli::from_root(&path), format)
        }
        Command::Images { format } => portkey::cli::images::run(format),
        Command::Schema { r#type } => portkey::cli::schema::run(r#type),
        Command::Completions { shell } => portkey::cli::completions(shell, &mut Cli::command()),
        Command::Diff { args } => portkey::cli::diff::run(&args),
        Command::Charts { command } => portkey::cli::charts::run(&command),
    }
}

fn plan(format: Format) -> ExitCode {
    let cluster = portkey::cluster::portkey();
    match portkey::plan_with(&cluster, portkey::catalogue(), portkey::charts()) {
        Ok(plan) => {
            match format {
                Format::Text => print!("{}", portkey::report::plan_text(&plan)),
                // Invariant: a `serde_json::Value` always serializes.
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&portkey::report::plan_json(&plan))
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
