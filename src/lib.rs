//! portkey: a typed model of a whole home-lab Kubernetes cluster, compiled into the
//! Kubernetes, Volsync and Argo CD YAML that Argo CD deploys from Git.
//!
//! The pipeline is one-way: **model** ([`portkey_model`]) → **resolve and check**
//! ([`portkey_model::resolve()`]) → **compile** ([`portkey_compile`]) → **emit**
//! ([`portkey_render`]). This crate holds the Portkey inventory ([`cluster`]), the apps in
//! `apps/` ([`apps`]) and the glue ([`render`]).

#[path = "../cluster.rs"]
pub mod cluster;

/// The apps of `apps/`, one module per file, discovered by `build.rs`.
#[allow(missing_docs, clippy::pedantic)]
pub mod apps {
    include!(concat!(env!("OUT_DIR"), "/apps.rs"));
}

/// What app files import: the model's vocabulary and the inventory's constants.
pub mod prelude {
    pub use crate::cluster::*;
    pub use portkey_model::prelude::*;
    pub use serde_json::json;
}

pub use portkey_compile;
pub mod report;

pub use portkey_model;
pub use portkey_render;
pub use portkey_validate;

use portkey_model::analysis::Plan;
use portkey_model::app::App;
use portkey_model::chart::Chart;
use portkey_model::cluster::Cluster;
use portkey_render::Tree;

/// Why rendering failed.
#[derive(Debug)]
pub enum Error {
    /// The model has problems (all of them are listed).
    Model(portkey_model::ModelErrors),
    /// Rendering or writing failed.
    Render(portkey_render::RenderError),
    /// Compiled objects fail the embedded schemas or the policy lints; nothing was written.
    Invalid(Vec<String>),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Model(e) => write!(f, "{e}"),
            Error::Render(e) => write!(f, "{e}"),
            Error::Invalid(problems) => {
                writeln!(f, "{} problem(s) in the compiled objects:", problems.len())?;
                for p in problems {
                    writeln!(f, "- {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

/// The Portkey catalogue: every app in `apps/`.
pub fn catalogue() -> Vec<App> {
    apps::all()
}

/// The infrastructure: every chart release in `apps/` (files with `pub fn chart()`).
pub fn charts() -> Vec<Chart> {
    apps::charts()
}

/// Everything one run of the pipeline produces.
#[derive(Debug)]
pub struct Output {
    /// The `generated/` tree.
    pub tree: Tree,
    /// The capacity and failure analysis (its warnings are worth showing).
    pub plan: Plan,
}

/// Resolves and checks the model, then analyses placement and capacity. Requests that no
/// node can hold are model errors.
pub fn plan(cluster: &Cluster, apps: Vec<App>) -> Result<Plan, Error> {
    plan_with(cluster, apps, Vec::new())
}

/// [`plan`] with the chart releases.
pub fn plan_with(cluster: &Cluster, apps: Vec<App>, charts: Vec<Chart>) -> Result<Plan, Error> {
    let catalogue = portkey_model::resolve_all(cluster, apps, charts).map_err(Error::Model)?;
    checked_plan(&catalogue)
}

fn checked_plan(catalogue: &portkey_model::Catalogue<'_>) -> Result<Plan, Error> {
    let plan = portkey_model::analysis::plan(catalogue);
    if plan.errors.is_empty() {
        Ok(plan)
    } else {
        Err(Error::Model(portkey_model::ModelErrors(plan.errors)))
    }
}

/// Runs the whole pipeline in memory for apps only (the infrastructure is assumed present):
/// resolve and check, plan, compile, validate, serialize.
pub fn build(cluster: &Cluster, apps: Vec<App>) -> Result<Output, Error> {
    build_with(cluster, apps, Vec::new())
}

/// The whole pipeline for apps and chart releases: what `portkey render` runs.
pub fn build_with(cluster: &Cluster, apps: Vec<App>, charts: Vec<Chart>) -> Result<Output, Error> {
    let catalogue = portkey_model::resolve_all(cluster, apps, charts).map_err(Error::Model)?;
    let plan = checked_plan(&catalogue)?;
    // Compile, check and serialize app by app, in parallel chunks: each app's objects are
    // dropped as soon as they are text, which keeps memory flat as N grows. Only small
    // summaries stay for the lints that look across objects. The documents are written
    // meanwhile on their own thread.
    let (shared, per_app, documents) = std::thread::scope(|s| {
        let documents = s.spawn(|| documents(&catalogue, &plan));
        // The shared objects (one Application per app among them) are checked in parallel
        // chunks too.
        let shared_manifests = portkey_compile::compile_shared(&catalogue);
        let shared = portkey_compile::parallel::map_chunks(&shared_manifests, |part| {
            vec![checked_files(part)]
        });
        let per_app = portkey_compile::parallel::map_chunks(&catalogue.apps, |apps| {
            apps.iter()
                .map(|app| checked_files(&portkey_compile::compile_app(&catalogue, app)))
                .collect()
        });
        (
            shared,
            per_app,
            documents.join().expect("document thread panicked"),
        )
    });
    let mut files = Vec::new();
    let mut summaries = Vec::new();
    let mut problems = Vec::new();
    for part in shared.into_iter().chain(per_app) {
        files.extend(part.files);
        summaries.extend(part.summaries);
        problems.extend(part.problems);
    }
    let context = lint_context(&catalogue);
    problems.extend(
        portkey_validate::lint::check_catalogue(&summaries, &context)
            .iter()
            .map(ToString::to_string),
    );
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut tree = portkey_render::assemble(files).map_err(Error::Render)?;
    for (path, source, body) in documents {
        portkey_render::add_document(&mut tree, path, source, &body);
    }
    Ok(Output { tree, plan })
}

/// The generated Markdown documents: `(path, source, body)`.
fn documents(
    catalogue: &portkey_model::Catalogue<'_>,
    plan: &Plan,
) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    if portkey_compile::backup::any_backups(catalogue) {
        out.push((
            portkey_render::runbook::PATH,
            "apps/",
            portkey_render::runbook::restore_runbook(catalogue),
        ));
    }
    if !catalogue.charts.is_empty() {
        out.push((
            portkey_render::bootstrap::PATH,
            "apps/",
            portkey_render::bootstrap::document(catalogue),
        ));
    }
    out.push((
        portkey_render::architecture::PATH,
        "cluster.rs",
        portkey_render::architecture::document(catalogue, plan),
    ));
    out
}

/// What `portkey validate` found.
#[derive(Debug)]
pub struct ValidationReport {
    /// Objects checked.
    pub objects: usize,
    /// Where the schemas came from.
    pub origin: String,
    /// Every problem, in file order.
    pub problems: Vec<portkey_validate::Problem>,
}

/// Validates every YAML object under `path` against the schemas in `schemas` (a
/// kubeconform-layout directory) or, without one, the embedded schemas.
pub fn validate_path(
    schemas: Option<&std::path::Path>,
    path: &std::path::Path,
) -> Result<ValidationReport, Box<dyn std::error::Error>> {
    let (objects, mut problems) = portkey_validate::read_objects(path)?;
    let loaded;
    let schemas = match schemas {
        Some(dir) => {
            let kinds: std::collections::BTreeSet<(String, String)> = objects
                .iter()
                .map(|(_, v)| {
                    (
                        v["apiVersion"].as_str().unwrap_or_default().to_string(),
                        v["kind"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            loaded =
                portkey_validate::Schemas::from_dir(dir, &kinds.into_iter().collect::<Vec<_>>())?;
            &loaded
        }
        None => portkey_validate::Schemas::embedded(),
    };
    for (file, value) in &objects {
        problems.extend(portkey_validate::validate_value(schemas, file, value));
    }
    Ok(ValidationReport {
        objects: objects.len(),
        origin: schemas.origin().to_string(),
        problems,
    })
}

/// Rendered files with their checks.
struct Checked {
    files: Vec<Result<portkey_render::File, portkey_render::RenderError>>,
    summaries: Vec<portkey_validate::lint::Summary>,
    problems: Vec<String>,
}

/// Checks each manifest against the embedded schemas and the per-object lints, and
/// serializes it.
fn checked_files(manifests: &[portkey_compile::Manifest]) -> Checked {
    let schemas = portkey_validate::Schemas::embedded();
    let mut checked = Checked {
        files: portkey_render::render_files(manifests),
        summaries: Vec::with_capacity(manifests.len()),
        problems: Vec::new(),
    };
    for m in manifests {
        let value = match serde_json::to_value(&m.object) {
            Ok(v) => v,
            Err(e) => {
                checked.problems.push(format!(
                    "{}: {}/{}: {e}",
                    m.source,
                    m.object.kind(),
                    m.object.name()
                ));
                continue;
            }
        };
        checked.problems.extend(
            portkey_validate::validate_value(schemas, &m.source, &value)
                .iter()
                .map(ToString::to_string),
        );
        let (findings, summary) = portkey_validate::lint::check_object(&m.source, &value);
        checked
            .problems
            .extend(findings.iter().map(ToString::to_string));
        checked.summaries.push(summary);
    }
    checked
}

/// What the lints check references against: the cluster domain, and the Secrets the model
/// declares as created outside Git (app secret references and, without a secret store, the
/// restic repository Secrets).
fn lint_context(catalogue: &portkey_model::Catalogue<'_>) -> portkey_validate::lint::Context {
    // One derivation of the Secrets created outside Git: the same list BOOTSTRAP.md prints.
    portkey_validate::lint::Context {
        domain: catalogue.cluster.domain.clone(),
        external_secrets: portkey_render::bootstrap::required_secrets(catalogue)
            .into_keys()
            .collect(),
    }
}

/// Exactly the tree `cargo run -- render` writes: the Portkey inventory, every app and every
/// chart release of `apps/`.
pub fn render_repository() -> Result<Tree, Error> {
    build_with(&cluster::portkey(), catalogue(), charts()).map(|o| o.tree)
}

/// [`build`], keeping only the tree.
pub fn render(cluster: &Cluster, apps: Vec<App>) -> Result<Tree, Error> {
    build(cluster, apps).map(|o| o.tree)
}
