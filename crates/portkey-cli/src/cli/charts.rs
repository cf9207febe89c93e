//! `portkey charts pull`: writes the upstream defaults of every pinned chart version that
//! `charts/` lacks, with `helm`.
//!
//! For each release whose `charts/<chart>/<version>/values.yaml` is missing
//! ([`crate::chart_defaults::missing`]), it runs
//! `helm show values <chart> --repo <repo> --version <version>` for `values.yaml`, and
//! `helm pull <chart> --repo <repo> --version <version> --untar --untardir <tmp>` for the
//! chart's `values.schema.json`, if it ships one (an `oci://` repository is given as
//! `<repo>/<chart>`, without `--repo`). It needs `helm` and a network: without `helm` on
//! `PATH` it says so and exits 2, as it does when a helm command fails. It never deletes:
//! a folder no release pins any more is named, for you to remove. Exit 0 when every
//! release has its defaults.

use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitCode};

use portkey_model::chart::Chart;

/// `portkey charts <command>`.
#[derive(Clone, Debug, clap::Subcommand)]
pub enum Command {
    /// Write the upstream values.yaml (and values.schema.json) of every pinned chart
    /// version missing from charts/, with `helm show values` and `helm pull` (needs helm
    /// and a network). Exit 2 if helm is missing or fails.
    Pull {
        /// The defaults folder; a relative one is taken from the project root.
        #[arg(long, default_value = "charts")]
        dir: PathBuf,
    },
}

/// Runs `portkey charts <command>` for the catalogue's releases.
pub fn run(repo: &crate::Repository, command: &Command) -> ExitCode {
    match command {
        Command::Pull { dir } => pull(&(repo.charts)(), &super::from_root(dir)),
    }
}

/// Pulls the defaults of the `charts` missing under `dir`.
pub fn pull(charts: &[Chart], dir: &Path) -> ExitCode {
    for (chart, version) in stale(charts, dir) {
        eprintln!(
            "note: {}/{chart}/{version}/ is pinned by no release any more: delete it, and its row in PROVENANCE.md",
            dir.display()
        );
    }
    let missing = crate::chart_defaults::missing(charts, dir);
    if missing.is_empty() {
        println!(
            "nothing to pull: every release's defaults are in {}",
            dir.display()
        );
        return ExitCode::SUCCESS;
    }
    let mut failed = false;
    for chart in missing {
        match pull_one(chart, dir) {
            Ok(files) => println!(
                "pulled {} {} into {}/{}/{}/ ({}); add its row (upstream repository, path, commit) to {}/PROVENANCE.md",
                chart.chart,
                chart.version,
                dir.display(),
                chart.chart,
                chart.version,
                files.join(", "),
                dir.display()
            ),
            Err(Failure::NoHelm) => {
                eprintln!(
                    "error: `helm` is not on PATH: `portkey charts pull` runs `helm show values` and `helm pull`; fix: install helm (https://helm.sh/docs/intro/install/), or copy values.yaml (and values.schema.json) from the chart's source at {} into {}/{}/{}/",
                    chart.version,
                    dir.display(),
                    chart.chart,
                    chart.version
                );
                return ExitCode::from(super::CANNOT_RUN);
            }
            Err(Failure::Other(e)) => {
                eprintln!("error: {} {}: {e}", chart.chart, chart.version);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(super::CANNOT_RUN)
    } else {
        ExitCode::SUCCESS
    }
}

/// Why one chart version could not be pulled.
enum Failure {
    /// `helm` is not on PATH.
    NoHelm,
    /// A helm command failed, or a file could not be written.
    Other(String),
}

/// The arguments naming `chart` for `helm show values` and `helm pull`.
fn chart_args(chart: &Chart) -> Vec<String> {
    let mut args = if chart.repo.starts_with("oci://") {
        vec![format!(
            "{}/{}",
            chart.repo.trim_end_matches('/'),
            chart.chart
        )]
    } else {
        vec![chart.chart.clone(), "--repo".into(), chart.repo.clone()]
    };
    args.extend(["--version".into(), chart.version.clone()]);
    args
}

/// Runs `helm <args>`; its stdout.
fn helm(args: &[String]) -> Result<Vec<u8>, Failure> {
    let out = Process::new("helm").args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::NoHelm
        } else {
            Failure::Other(format!("cannot run helm: {e}"))
        }
    })?;
    if !out.status.success() {
        return Err(Failure::Other(format!(
            "`helm {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// Writes `values.yaml` and, if the chart has one, `values.schema.json`; the files written.
fn pull_one(chart: &Chart, dir: &Path) -> Result<Vec<&'static str>, Failure> {
    let io = |e: std::io::Error| Failure::Other(e.to_string());
    let mut show = vec!["show".to_string(), "values".into()];
    show.extend(chart_args(chart));
    let values = helm(&show)?;
    let untar = std::env::temp_dir().join(format!(
        "portkey-charts-pull-{}-{}-{}",
        std::process::id(),
        chart.chart,
        chart.version
    ));
    let mut pull = vec!["pull".to_string()];
    pull.extend(chart_args(chart));
    pull.extend([
        "--untar".into(),
        "--untardir".into(),
        untar.display().to_string(),
    ]);
    let pulled = helm(&pull);
    let schema = untar.join(&chart.chart).join("values.schema.json");
    let schema = pulled.map(|_| std::fs::read(&schema).ok());
    let _ = std::fs::remove_dir_all(&untar);
    let schema = schema?;
    let folder = dir.join(&chart.chart).join(&chart.version);
    std::fs::create_dir_all(&folder).map_err(io)?;
    std::fs::write(folder.join("values.yaml"), values).map_err(io)?;
    let mut files = vec!["values.yaml"];
    if let Some(schema) = schema {
        std::fs::write(folder.join("values.schema.json"), schema).map_err(io)?;
        files.push("values.schema.json");
    }
    Ok(files)
}

/// The `<chart>/<version>` folders under `dir` that no release pins.
pub fn stale(charts: &[Chart], dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for chart in entries.filter_map(Result::ok).filter(|e| e.path().is_dir()) {
        let name = chart.file_name().to_string_lossy().into_owned();
        let Ok(versions) = std::fs::read_dir(chart.path()) else {
            continue;
        };
        for version in versions
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
        {
            let version = version.file_name().to_string_lossy().into_owned();
            if !charts
                .iter()
                .any(|c| c.chart == name && c.version == version)
            {
                out.push((name.clone(), version));
            }
        }
    }
    out.sort();
    out
}
