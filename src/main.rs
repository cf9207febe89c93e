//! The `portkey` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod diff_command;

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
    Render {
        /// Change nothing; exit 1 and print a diff if generated/ is not what render would write.
        #[arg(long)]
        check: bool,
        /// The output directory.
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Print how long each pipeline stage took (to stderr).
        #[arg(long)]
        timings: bool,
    },
    /// Validate every object under PATH strictly against JSON schemas (unknown fields are
    /// errors). Prints `file: Kind/name: /pointer: message` per problem; exit 1 if any.
    Validate {
        /// A kubeconform-layout schema directory (`k8s/v1.35.0-local-strict/`,
        /// `crds/<group>/<kind>_<version>.json`); default: the schemas embedded in portkey.
        #[arg(long)]
        schemas: Option<PathBuf>,
        /// File or directory to validate.
        #[arg(default_value = "generated")]
        path: PathBuf,
    },
    /// Show where every app lands, how full each node is, and what each node's failure does.
    Plan {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Compare what render produces now with generated/ at a git ref, object by object,
    /// and warn about immutable, destructive and risky changes. Exit 0: no change, 1:
    /// changes, 2: error, 3: warnings (only with `--fail-on warning`).
    Diff {
        #[command(flatten)]
        args: diff_command::Args,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Tables for people.
    Text,
    /// JSON for tools.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Render {
            check,
            out,
            timings,
        } => render(check, &out, timings),
        Command::Plan { format } => plan(format),
        Command::Validate { schemas, path } => validate(schemas.as_deref(), &path),
        Command::Diff { args } => diff_command::run(&args),
    }
}

fn validate(schemas: Option<&std::path::Path>, path: &std::path::Path) -> ExitCode {
    match portkey::validate_path(schemas, path) {
        Ok(report) => {
            for p in &report.problems {
                println!("{p}");
            }
            println!(
                "{} objects checked against {} schemas: {} problem{}",
                report.objects,
                report.origin,
                report.problems.len(),
                if report.problems.len() == 1 { "" } else { "s" }
            );
            if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn plan(format: Format) -> ExitCode {
    let cluster = portkey::cluster::portkey();
    match portkey::plan_with(&cluster, portkey::catalogue(), portkey::charts()) {
        Ok(plan) => {
            match format {
                Format::Text => print!("{}", portkey::report::plan_text(&plan)),
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

fn render(check: bool, out: &std::path::Path, timings: bool) -> ExitCode {
    let cluster = portkey::cluster::portkey();
    let (apps, charts) = (portkey::catalogue(), portkey::charts());
    let result = if check {
        portkey::build_with(&cluster, apps, charts).map(|o| (o, None))
    } else {
        portkey::render_into(&cluster, apps, charts, out).map(|(o, r)| (o, Some(r)))
    };
    let (output, written) = match result {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e}");
            if !matches!(e, portkey::Error::Render(_)) {
                eprintln!("{} was left unchanged.", out.display());
            }
            return ExitCode::FAILURE;
        }
    };
    for w in &output.plan.warnings {
        eprintln!("warning: {w}");
    }
    if timings {
        eprint!("{}", output.timings.table());
    }
    let Some(report) = written else {
        return check_against(&output.tree, out);
    };
    let d = &report.drift;
    if d.is_empty() {
        println!("{} is up to date ({} files).", out.display(), report.files);
    } else {
        println!(
            "rendered {} files into {}: {} added, {} changed, {} removed",
            report.files,
            out.display(),
            d.added.len(),
            d.changed.len(),
            d.removed.len()
        );
        print!("{}", d.summary());
    }
    ExitCode::SUCCESS
}

/// `render --check`: compares without writing; on drift prints the diff and the fix.
fn check_against(tree: &portkey_render::Tree, out: &std::path::Path) -> ExitCode {
    match portkey_render::check_tree(tree, out) {
        Ok(d) if d.is_empty() => {
            println!("{} is up to date ({} files).", out.display(), tree.len());
            ExitCode::SUCCESS
        }
        Ok(d) => {
            print!("{}", d.diff);
            eprintln!("error: {} is stale:\n{}", out.display(), d.summary());
            eprintln!(
                "fix: run `{}` and commit the result.",
                portkey_render::RENDER_COMMAND
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
