//! portkey's pipeline driver and commands: a typed model of a whole home-lab Kubernetes
//! cluster, compiled into the Kubernetes, Volsync and Argo CD YAML that Argo CD deploys from
//! Git.
//!
//! The pipeline is one-way: **model** ([`portkey_model`]) → **resolve and check**
//! ([`portkey_model::resolve()`]) → **compile** ([`portkey_compile`]) → **emit**
//! ([`portkey_render`]); after it, [`portkey_diff`] compares two emitted trees for review
//! (`portkey diff`, with [`git`] reading the base). This crate drives it ([`build_with`],
//! [`render_into`]) and holds the commands ([`cli`], [`command`]). The catalogue itself (the
//! inventory `cluster.rs` and the apps of `apps/`) is the root package `portkey`, which
//! hands it over as a [`Repository`]: an app edit recompiles only that thin package, never
//! this crate (README, "The edit loop").

pub mod cache;
pub mod chart_defaults;
pub mod cli;
pub mod command;
mod error;
pub mod git;
mod plan;
pub mod report;
mod timings;
mod validate;
mod work;

pub use portkey_compile;
pub use portkey_converge;
pub use portkey_diff;
pub use portkey_model;
pub use portkey_render;
pub use portkey_validate;

pub use error::{Error, Invalid};
pub use plan::{bootstrap_input, plan, plan_with, simulate_with};
pub use timings::Timings;
pub use validate::{ValidationReport, validate_path};

use portkey_model::analysis::Plan;
use portkey_model::app::App;
use portkey_model::chart::Chart;
use portkey_model::cluster::Cluster;
use portkey_render::Tree;

/// Whether a render drops the embedded schemas' validators of the kinds it is done with
/// ([`release_validators_when_done`]).
static RELEASE_VALIDATORS: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Makes every later render of this process drop the embedded schemas' validators of the
/// app kinds once the apps are compiled, before the Argo CD objects, and the Argo CD
/// kinds' once those are checked, before the lints and the replay, where its memory peaks
/// (README, "Memory"): `portkey` sets it
/// ([`command::main`]), as do the memory bench's runs. Off by default, since a process
/// that renders again (a test binary, a library user) would build them again each time,
/// and renders running at once on other threads would each lose the other's.
pub fn release_validators_when_done() {
    RELEASE_VALIDATORS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// A repository's catalogue, as the root package declares it: the inventory, the apps and
/// the chart releases. The commands read it through these functions, so that the catalogue
/// is compiled in its own (thin) package.
#[derive(Clone, Copy, Debug)]
pub struct Repository {
    /// The inventory (`cluster.rs`).
    pub cluster: fn() -> Cluster,
    /// Every app of `apps/`.
    pub apps: fn() -> Vec<App>,
    /// Every chart release of `apps/` (files with `pub fn chart()`).
    pub charts: fn() -> Vec<Chart>,
}

impl Repository {
    /// Exactly the tree `cargo run -- render` writes: the inventory, every app and every
    /// chart release.
    pub fn tree(&self) -> Result<Tree, Error> {
        build_with(&(self.cluster)(), (self.apps)(), (self.charts)()).map(|o| o.tree)
    }
}

/// Everything one run of the pipeline produces.
#[derive(Debug)]
pub struct Output {
    /// The `generated/` tree.
    pub tree: Tree,
    /// The capacity and failure analysis (its warnings are worth showing).
    pub plan: Plan,
    /// How long each stage took (`portkey render --timings` prints them).
    pub timings: Timings,
}

/// Runs the whole pipeline in memory for apps only (the infrastructure is assumed present):
/// resolve and check, plan, compile, validate, serialize.
pub fn build(cluster: &Cluster, apps: Vec<App>) -> Result<Output, Error> {
    build_with(cluster, apps, Vec::new())
}

/// The whole pipeline for apps and chart releases, in memory: what `portkey render --check`
/// compares with `generated/`.
pub fn build_with(cluster: &Cluster, apps: Vec<App>, charts: Vec<Chart>) -> Result<Output, Error> {
    let mut timings = Timings::default();
    let sink = portkey_render::Collect::default();
    let known = portkey_validate::Known::none();
    let plan = pipeline(
        cluster,
        apps,
        charts,
        (&sink, &known),
        &mut timings,
        Tables::Kept,
    )?;
    let start = std::time::Instant::now();
    let tree = portkey_render::assemble(sink.into_files()).map_err(Error::Render)?;
    timings.lap("assemble the tree", start);
    Ok(Output {
        tree,
        plan,
        timings,
    })
}

/// What a streaming run ([`render_into`], [`check_into`]) keeps besides its report: the
/// files went to disk (or were compared with it) as they were rendered, never held.
#[derive(Debug)]
pub struct Streamed {
    /// The capacity and failure analysis's warnings. Its tables (placements, failures,
    /// per-node usage) went into ARCHITECTURE.md and were dropped: at N = 20,000 they are
    /// about 6.5 MB, which would otherwise be held to the end of the render.
    pub warnings: Vec<String>,
    /// How long each stage took.
    pub timings: Timings,
}

/// The whole pipeline for apps and chart releases, written into `dir`: what `portkey
/// render` runs.
///
/// Files are written into a staging directory beside `dir` while the pipeline is still
/// compiling (the filesystem work overlaps the CPU work), each compared with the one file
/// on disk at its path (unchanged files are hard-linked), and the staging directory
/// replaces `dir` in one rename only when every check has passed. No file's text is held
/// once written: the report keeps paths, and the texts of the files that hold data
/// ([`cli::data_loss`]) only when one of them changed or went. On any error `dir` is left
/// exactly as it was.
pub fn render_into(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    dir: &std::path::Path,
) -> Result<(Streamed, portkey_render::WriteReport), Error> {
    render_into_known(cluster, apps, charts, dir, &portkey_validate::Known::none())
}

/// [`render_into`], trusting the objects `known` says a previous run of this build found
/// valid against the embedded schemas ([`portkey_validate::Known`]; `portkey render` keeps
/// them in [`cache`]). What it writes and reports is the same.
pub fn render_into_known(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    dir: &std::path::Path,
    known: &portkey_validate::Known,
) -> Result<(Streamed, portkey_render::WriteReport), Error> {
    // An error returns early and drops the staging directory, which removes what was written.
    streamed(
        (cluster, apps, charts, known),
        ("create the staging directory", || {
            portkey_render::Staging::keeping(dir, cli::data_loss::holds_data)
        }),
        ("finish writing, swap in", portkey_render::Staging::commit),
    )
}

/// The whole pipeline for apps and chart releases, compared with `dir` as it renders and
/// written nowhere: what `portkey render --check` runs. Each file is compared with the one
/// file on disk at its path as it arrives; only the drift (and, for the diff, the drifted
/// files' diffs) is kept, never the tree. The report is [`portkey_render::check_tree`]'s
/// of the whole tree (its diff left empty when `dir` is missing).
pub fn check_into(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    dir: &std::path::Path,
) -> Result<(Streamed, portkey_render::WriteReport), Error> {
    check_into_known(cluster, apps, charts, dir, &portkey_validate::Known::none())
}

/// [`check_into`], trusting what `known` holds, as [`render_into_known`] does.
pub fn check_into_known(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    dir: &std::path::Path,
    known: &portkey_validate::Known,
) -> Result<(Streamed, portkey_render::WriteReport), Error> {
    streamed(
        (cluster, apps, charts, known),
        ("list the directory", || {
            portkey_render::Compare::begin(dir, cli::data_loss::holds_data)
        }),
        ("finish comparing", portkey_render::Compare::finish),
    )
}

/// The pipeline into a streaming sink: `begin` makes it, the pipeline fills it, `finish`
/// ends it; each of the two steps is timed under its label.
fn streamed<S: portkey_render::Sink>(
    (cluster, apps, charts, known): (&Cluster, Vec<App>, Vec<Chart>, &portkey_validate::Known),
    begin: (
        &'static str,
        impl FnOnce() -> Result<S, portkey_render::RenderError>,
    ),
    finish: (
        &'static str,
        impl FnOnce(S) -> Result<portkey_render::WriteReport, portkey_render::RenderError>,
    ),
) -> Result<(Streamed, portkey_render::WriteReport), Error> {
    let mut timings = Timings::default();
    let start = std::time::Instant::now();
    let sink = begin.1().map_err(Error::Render)?;
    timings.lap(begin.0, start);
    let plan = pipeline(
        cluster,
        apps,
        charts,
        (&sink, known),
        &mut timings,
        Tables::Dropped,
    )?;
    let start = std::time::Instant::now();
    let report = finish.1(sink).map_err(Error::Render)?;
    timings.lap(finish.0, start);
    Ok((
        Streamed {
            warnings: plan.warnings,
            timings,
        },
        report,
    ))
}

/// Whether the pipeline's plan keeps its tables once the documents that show them are
/// written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tables {
    /// The whole plan is returned ([`build_with`]).
    Kept,
    /// Only its warnings and errors are (a streaming run's report).
    Dropped,
}

/// Resolve and check, plan, then compile, validate and serialize every object into `sink`,
/// trusting the schema passes `known` holds.
fn pipeline(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
    (sink, known): (&dyn portkey_render::Sink, &portkey_validate::Known),
    timings: &mut Timings,
    tables: Tables,
) -> Result<Plan, Error> {
    let start = std::time::Instant::now();
    // The embedded schemas' validators are built per kind, when the first object of that
    // kind is checked, on the thread that checks it (`Schemas::embedded`).
    // With model problems, the rest of the catalogue is still compiled and checked, so that
    // one run reports every stage's problems; nothing is written (see the end).
    let (catalogue, portkey_model::ModelErrors(mut model_errors)) =
        portkey_model::resolve_partial(cluster, apps, charts);
    // Held to the end of the render: copied into dense allocations first (README, "Memory").
    let catalogue = catalogue.compacted();
    let start = timings.lap("resolve and check", start);
    // Compile, check and serialize app by app, in parallel blocks: each app's objects go to
    // the sink as soon as they are text, which keeps memory flat as N grows and lets the
    // writers start at once. Only small summaries stay: for the lints that look across
    // objects, and what each component emits, from which the sync waves follow. The cluster
    // parts are one more work item. Then the Argo CD objects, which carry the waves, go the
    // same way. Compilation needs only the resolved catalogue, so placement and capacity,
    // then the documents (which show the placement), run meanwhile on their own thread; a
    // placement error still fails the render before anything is swapped in.
    // Set by the cluster work item, which derives the app namespaces' Pod Security levels.
    let pss = std::sync::OnceLock::new();
    let (objects, argocd, (plan, plan_took), chart_values, (context, early)) =
        std::thread::scope(|s| {
            // The releases' values against their charts' defaults, alongside compilation.
            let chart_values = s.spawn(|| chart_defaults::check_timed(&catalogue.charts, known));
            let side = s.spawn(|| placement_side(&catalogue, sink, tables));
            // The Argo CD objects are checked last, when every app's summaries and facts
            // are held: their validators (Application's upstream schema is the largest a
            // render builds, 1.4 MB parsed) are built now, beside compilation, so that
            // building them is not added to the peak (README, "Memory"). Only on a run
            // that trusts no earlier verdicts: otherwise they are seldom needed at all.
            let prebuilt = known.knows_nothing().then(|| {
                s.spawn(|| {
                    let schemas = portkey_validate::Schemas::embedded();
                    for (api_version, kind) in portkey_compile::argocd::KINDS {
                        schemas.build(api_version, kind);
                    }
                })
            });
            let work: Vec<Option<&portkey_model::resolve::ResolvedApp>> = std::iter::once(None)
                .chain(catalogue.apps.iter().map(Some))
                .collect();
            // What each block's components emit is gathered per block, so that an app's is
            // folded into its namespace's as soon as the app is compiled.
            let blocks = portkey_compile::parallel::map_chunks(&work, |items| {
                let mut summaries = portkey_compile::Summaries::new();
                let checked: Vec<work::Checked> = items
                    .iter()
                    .map(|item| {
                        work::compile_item(&catalogue, *item, (sink, known), &pss, &mut summaries)
                    })
                    .collect();
                vec![(checked, summaries)]
            });
            // No object of an app kind is checked after this; the Argo CD kinds' validators,
            // built beside compilation, are kept.
            if RELEASE_VALIDATORS.load(std::sync::atomic::Ordering::Relaxed) {
                portkey_validate::Schemas::embedded().release(&portkey_compile::argocd::KINDS);
            }
            let (mut objects, summaries) = work::gather(blocks, work.len());
            // The lints across objects over the apps' and the cluster parts' objects run now,
            // and their summaries go, before the sync waves and the Argo CD objects are built
            // beside them (README, "Memory"). The Argo CD objects are linted after, against the
            // same context: they share no kind with the others, and refer to nothing a lint
            // follows, so the findings are those of one pass over all of them.
            let lints = std::time::Instant::now();
            let context = lint_context(&catalogue);
            let early = lints_across(&mut objects, &context);
            let early = (early, lints.elapsed());
            // Done before the Argo CD objects are checked, so that none is built after the
            // release that follows them. Invariant: it panics only on a bug; re-raise it.
            if let Some(prebuilt) = prebuilt {
                prebuilt.join().expect("validator thread panicked");
            }
            let argocd = argocd_stage(&catalogue, summaries, (sink, known));
            (
                objects,
                argocd,
                // Invariant: the placement thread panics only on a bug; re-raise it.
                side.join().expect("placement thread panicked"),
                // Invariant: as for placement.
                chart_values.join().expect("chart values thread panicked"),
                (context, early),
            )
        });
    let (early, early_took) = early;
    timings
        .stages
        .push(("placement and capacity", plan_took, true));
    model_errors.extend(pss.into_inner().unwrap_or_default());
    // Sync-wave problems of a catalogue with model problems may only follow from them (a
    // release waiting on an app that failed its checks): they are reported once the model
    // is clean.
    let (components, argocd) = match argocd {
        Ok((components, argocd)) => (Some(components), Some(argocd)),
        Err(e) => {
            if model_errors.is_empty() {
                model_errors.extend(e.0);
            }
            (None, None)
        }
    };
    // Independent of the waves: reported beside their problems, never instead.
    let mut plan = plan;
    chart_values.report(timings, &mut model_errors, &mut plan);
    let plan = collect_model_errors(plan, &mut model_errors)?;
    timings.stages.push((
        "compile, validate, serialize",
        start.elapsed().saturating_sub(early_took),
        false,
    ));
    let start = std::time::Instant::now();
    let mut checked = objects;
    checked.extend(argocd.into_iter().flatten());
    // The lints across objects end before the replay, and their summaries and context are
    // dropped before it starts: the two never hold memory at the same time (README,
    // "Memory").
    let problems = object_problems(&mut checked, &context, early)?;
    drop(context);
    timings
        .stages
        .push(("lints across objects", start.elapsed() + early_took, false));
    let start = std::time::Instant::now();
    // The bootstrap replay needs the waves and a clean model; its stalls are model
    // problems, reported with the lints'.
    let simulation = components.as_deref().and_then(|components| {
        bootstrap_gate(&catalogue, components, &mut checked, &mut model_errors)
    });
    drop(checked);
    // The replay is dropped once BOOTSTRAP.md is written.
    if let (false, Some(components), Some(simulation)) =
        (catalogue.charts.is_empty(), &components, simulation)
    {
        // Streamed, as RESTORE.md is: at N = 20,000 it is about 10 MB.
        sink.accept_written(portkey_render::bootstrap::PATH, "apps/", &|out| {
            portkey_render::bootstrap::write_document(out, &catalogue, components, &simulation);
        });
    }
    timings.lap("bootstrap replay, BOOTSTRAP.md", start);
    outcome(model_errors, problems, plan)
}

/// The sync waves, from what each component emits, then the Argo CD objects at them,
/// checked and serialized into `sink`.
fn argocd_stage(
    catalogue: &portkey_model::Catalogue<'_>,
    summaries: portkey_compile::Summaries,
    to: (&dyn portkey_render::Sink, &portkey_validate::Known),
) -> Result<
    (
        Vec<portkey_model::components::Component>,
        Vec<work::Checked>,
    ),
    portkey_model::ModelErrors,
> {
    let components = portkey_compile::waves(catalogue, &summaries)?;
    let checked = work::argocd_files(catalogue, &components, summaries, to);
    // Nothing is checked against a schema after the Argo CD objects: their validators
    // (about 2 MB at N = 20,000) are not held through the lints.
    if RELEASE_VALIDATORS.load(std::sync::atomic::Ordering::Relaxed) {
        portkey_validate::Schemas::embedded().release(&[]);
    }
    Ok((components, checked))
}

/// The compiled objects' schema problems and lint findings, then the lints across objects
/// (`early`'s, then those of the summaries still held); a serialization or write error
/// first, if there was one. Takes the problems and, once the lints have run, drops the
/// summaries: nothing after needs them.
fn object_problems(
    checked: &mut [work::Checked],
    context: &portkey_validate::lint::Context,
    early: Vec<Invalid>,
) -> Result<Vec<Invalid>, Error> {
    if let Some(e) = checked.iter_mut().find_map(|part| part.render_error.take()) {
        return Err(Error::Render(*e));
    }
    let mut problems: Vec<Invalid> = checked
        .iter_mut()
        .flat_map(|part| std::mem::take(&mut part.problems))
        .collect();
    problems.extend(early);
    problems.extend(lints_across(checked, context));
    Ok(problems)
}

/// The lints across the objects whose summaries `parts` hold, which it then drops.
fn lints_across(
    parts: &mut [work::Checked],
    context: &portkey_validate::lint::Context,
) -> Vec<Invalid> {
    let summaries: Vec<&portkey_validate::lint::Summary> =
        parts.iter().flat_map(|part| &part.summaries).collect();
    let found = portkey_validate::lint::check_catalogue(&summaries, context)
        .into_iter()
        .map(Invalid::Lint)
        .collect();
    drop(summaries);
    for part in parts {
        part.summaries = Vec::new();
    }
    found
}

/// The plan, or `None` with its model problems moved into `errors`.
pub(crate) fn collect_model_errors(
    plan: Result<Plan, Error>,
    errors: &mut Vec<portkey_model::ModelError>,
) -> Result<Option<Plan>, Error> {
    match plan {
        Ok(plan) => Ok(Some(plan)),
        Err(Error::Model(e)) => {
            errors.extend(e.0);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The run's result: the plan when no stage found a problem, else every problem found.
fn outcome(
    model_errors: Vec<portkey_model::ModelError>,
    problems: Vec<Invalid>,
    plan: Option<Plan>,
) -> Result<Plan, Error> {
    match (model_errors.is_empty(), problems.is_empty(), plan) {
        (true, true, Some(plan)) => Ok(plan),
        (true, false, _) => Err(Error::Invalid(problems)),
        (false, true, _) | (true, true, None) => {
            Err(Error::Model(portkey_model::ModelErrors(model_errors)))
        }
        (false, false, _) => Err(Error::Both(
            portkey_model::ModelErrors(model_errors),
            problems,
        )),
    }
}

/// The bootstrap gate: replays Argo CD's sync on the facts the work items gathered (taking
/// them); an object Argo CD could never make healthy fails the render, with the model's
/// problems, before anything is swapped in.
fn bootstrap_gate(
    catalogue: &portkey_model::Catalogue<'_>,
    components: &[portkey_model::components::Component],
    objects: &mut [work::Checked],
    model_errors: &mut Vec<portkey_model::ModelError>,
) -> Option<portkey_converge::Simulation> {
    if !model_errors.is_empty() {
        return None;
    }
    // A component compiled in pieces (the alerts part) has its facts in several work items,
    // in catalogue order.
    let mut facts = portkey_converge::Facts::new();
    for (component, part) in objects
        .iter_mut()
        .flat_map(|part| std::mem::take(&mut part.facts))
    {
        work::merge_into(&mut facts, component, part, Extend::extend);
    }
    // Render needs the stalls and what BOOTSTRAP.md shows, not every provider of every pod.
    let simulation = portkey_converge::simulate_keeping(
        catalogue,
        components,
        &facts,
        portkey_converge::Detail::Shown,
    );
    drop(facts);
    model_errors.extend(simulation.problems());
    Some(simulation)
}

/// What runs beside compilation on its own thread: placement and capacity (timed), then
/// the documents; the plan's tables are dropped after them unless `tables` keeps them.
fn placement_side(
    catalogue: &portkey_model::Catalogue<'_>,
    sink: &dyn portkey_render::Sink,
    tables: Tables,
) -> (Result<Plan, Error>, std::time::Duration) {
    let start = std::time::Instant::now();
    let plan = plan::checked_plan(catalogue);
    let took = start.elapsed();
    // Each document goes to the sink as soon as it is written, and is not held.
    if let Ok(plan) = &plan {
        documents(catalogue, plan, sink);
    }
    let plan = match tables {
        Tables::Kept => plan,
        Tables::Dropped => plan.map(|p| Plan {
            warnings: p.warnings,
            errors: p.errors,
            ..Plan::default()
        }),
    };
    (plan, took)
}

/// The generated Markdown documents that need no sync waves, each handed to `sink` as soon
/// as it is written (at N = 20,000 RESTORE.md alone is about 57 MB: one is held at a time).
fn documents(
    catalogue: &portkey_model::Catalogue<'_>,
    plan: &Plan,
    sink: &dyn portkey_render::Sink,
) {
    if portkey_compile::backup::any_backups(catalogue) {
        // Streamed: the largest document (57 MB at N = 20,000) is never held whole by
        // `render` or `render --check` unless it drifted.
        sink.accept_written(portkey_render::runbook::PATH, "apps/", &|out| {
            portkey_render::runbook::write_restore_runbook(out, catalogue);
        });
    }
    let body = portkey_render::architecture::document(catalogue, plan);
    sink.accept(vec![portkey_render::document(
        portkey_render::architecture::PATH,
        &catalogue.cluster.source,
        body,
    )]);
}

/// What the lints check references against: the cluster domain, and the Secrets the model
/// declares as created outside Git (app secret references and, without a secret store, the
/// restic repository Secrets).
fn lint_context(catalogue: &portkey_model::Catalogue<'_>) -> portkey_validate::lint::Context {
    // One derivation of the Secrets created outside Git: the same list BOOTSTRAP.md prints.
    portkey_validate::lint::Context {
        domain: catalogue.cluster.domain.clone(),
        external_secrets: portkey_model::secrets::outside_git_names(catalogue),
    }
}

/// [`build`], keeping only the tree.
pub fn render(cluster: &Cluster, apps: Vec<App>) -> Result<Tree, Error> {
    build(cluster, apps).map(|o| o.tree)
}
