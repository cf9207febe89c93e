//! The `portkey` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
        Command::Render { check, out } => render(check, &out),
        Command::Plan { format } => plan(format),
        Command::Validate { schemas, path } => validate(schemas.as_deref(), &path),
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

fn render(check: bool, out: &std::path::Path) -> ExitCode {
    let cluster = portkey::cluster::portkey();
    let tree = match portkey::build_with(&cluster, portkey::catalogue(), portkey::charts()) {
        Ok(o) => {
            for w in &o.plan.warnings {
                eprintln!("warning: {w}");
            }
            o.tree
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("{} was left unchanged.", out.display());
            return ExitCode::FAILURE;
        }
    };
    if check {
        return match portkey_render::check_tree(&tree, out) {
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
        };
    }
    match portkey_render::write_tree(&tree, out) {
        Ok(r) => {
            let d = &r.drift;
            if d.is_empty() {
                println!("{} is up to date ({} files).", out.display(), r.files);
            } else {
                println!(
                    "rendered {} files into {}: {} added, {} changed, {} removed",
                    r.files,
                    out.display(),
                    d.added.len(),
                    d.changed.len(),
                    d.removed.len()
                );
                print!("{}", d.summary());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
