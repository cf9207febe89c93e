//! One work item of the render: compiling, checking and serializing the objects of the
//! cluster parts or of one app into the sink, and what it keeps for the steps across
//! objects (the lints, the bootstrap replay, the waves).

use crate::Invalid;

/// Compiles one work item (the cluster parts for `None`, else one app with its own alerts),
/// checks and serializes its objects into `sink`, adds what each of its components emits
/// to `summaries`, and returns what checking found. The cluster item also sets `pss` to
/// the pods that need more Pod Security than their namespace may allow: it derives the
/// namespaces' levels from every app's pods for their Namespaces, once for both.
pub(crate) fn compile_item(
    catalogue: &portkey_model::Catalogue<'_>,
    item: Option<&portkey_model::resolve::ResolvedApp>,
    to: (&dyn portkey_render::Sink, &portkey_validate::Known),
    pss: &std::sync::OnceLock<Vec<portkey_model::ModelError>>,
    summaries: &mut portkey_compile::Summaries,
) -> Checked {
    // Each app's own alerts (a piece of the cluster's alerts part) are compiled with it, so
    // that they are never all held at once.
    let compiled: Vec<portkey_compile::Compiled> = match item {
        None => {
            let levels = portkey_compile::pss::app_namespaces(catalogue);
            let compiled = portkey_compile::compile_cluster_shared(catalogue, &levels);
            let _ = pss.set(levels.errors);
            compiled
        }
        Some(app) => std::iter::once(portkey_compile::compile_app(catalogue, app))
            .chain(portkey_compile::compile_app_alerts(catalogue, app))
            .collect(),
    };
    let mut checked = Checked::default();
    for c in &compiled {
        let mut facts = Vec::new();
        checked_files(&c.manifests, to, &mut checked, Some(&mut facts));
        checked.facts.push((c.component.clone(), facts));
    }
    // An app's own component comes first; its alerts are a piece of a cluster part.
    for (i, c) in compiled.into_iter().enumerate() {
        if item.is_some() && i == 0 {
            summaries.add_app(c.component, c.emitted);
        } else {
            summaries.add_part(c.component, c.emitted);
        }
    }
    // Kept to the end of compilation and beyond: copied into exact allocations.
    checked.compacted()
}

/// The blocks' work items in block order, and what their components emit, merged.
pub(crate) fn gather(
    blocks: Vec<(Vec<Checked>, portkey_compile::Summaries)>,
    items: usize,
) -> (Vec<Checked>, portkey_compile::Summaries) {
    let mut summaries = portkey_compile::Summaries::new();
    let mut checked = Vec::with_capacity(items);
    for (items, block) in blocks {
        checked.extend(items);
        summaries.merge(block);
    }
    (checked, summaries)
}

/// Adds `value` at `key`, merged into what is there already: what a component compiled in
/// pieces (the alerts part, app by app) has, gathered in work-item order.
pub(crate) fn merge_into<V>(
    map: &mut std::collections::BTreeMap<String, V>,
    key: String,
    value: V,
    merge: impl FnOnce(&mut V, V),
) {
    match map.entry(key) {
        std::collections::btree_map::Entry::Vacant(e) => {
            e.insert(value);
        }
        std::collections::btree_map::Entry::Occupied(mut e) => merge(e.get_mut(), value),
    }
}

/// What checking one work item found (its files went to the sink).
#[derive(Default)]
pub(crate) struct Checked {
    /// Boxed: one `Checked` is kept per work item (20,001 at N = 20,000), and an error is rare.
    pub(crate) render_error: Option<Box<portkey_render::RenderError>>,
    /// The simulation's facts, by component.
    pub(crate) facts: Vec<(String, Vec<portkey_converge::Fact>)>,
    pub(crate) summaries: Vec<portkey_validate::lint::Summary>,
    pub(crate) problems: Vec<Invalid>,
}

impl Checked {
    /// What the later steps read of it, copied: every list and string of exactly its
    /// length, in allocations made one after another once the item's objects are gone.
    ///
    /// The facts and summaries were built among the objects' JSON and texts, their lists
    /// grown by doubling: they are held to the end of compilation (at N = 20,000, some
    /// 1.4 million allocations), where the render's memory peaks. The copy lowers that peak
    /// by about 11 MB at N = 20,000 (README, "Memory"). Shared names (`Arc`) stay shared.
    fn compacted(self) -> Self {
        Self {
            render_error: self.render_error,
            facts: self.facts.clone(),
            summaries: self.summaries.clone(),
            problems: self.problems,
        }
    }
}

/// The Argo CD objects, at the derived waves, checked and serialized into `sink`: first the
/// AppProjects, the chart releases' and cluster parts' Applications and the root, then
/// each app's Application, in parallel blocks.
///
/// The projects' whitelists are the last use of what each component emitted (`summaries`:
/// the cluster parts' whole, the apps' folded by namespace): it is dropped before the apps' Applications are built, so it
/// is not held at the render's peak (README, "Memory").
pub(crate) fn argocd_files(
    catalogue: &portkey_model::Catalogue<'_>,
    components: &[portkey_model::components::Component],
    summaries: portkey_compile::Summaries,
    to: (&dyn portkey_render::Sink, &portkey_validate::Known),
) -> Vec<Checked> {
    let mut cluster = Checked::default();
    let mut manifests = Vec::new();
    portkey_compile::argocd::argocd_objects(catalogue, components, &summaries, &mut manifests);
    drop(summaries);
    checked_files(&manifests, to, &mut cluster, None);
    drop(manifests);
    let wave = portkey_compile::argocd::waves_by_name(components);
    let apps = portkey_compile::parallel::map_chunks(&catalogue.apps, |items| {
        let mut checked = Checked::default();
        checked.summaries.reserve_exact(items.len());
        // A block is hundreds of apps (about 600 at N = 20,000): their Applications are
        // built, checked and written a few dozen at a time, so that a block's objects and
        // texts are never all held at once, at the render's peak (README, "Memory").
        let mut manifests = Vec::with_capacity(ARGOCD_BATCH);
        for batch in items.chunks(ARGOCD_BATCH) {
            manifests.extend(batch.iter().map(|app| {
                portkey_compile::argocd::app_application(
                    catalogue,
                    app,
                    wave[app.app.name.as_str()],
                )
            }));
            checked_files(&manifests, to, &mut checked, None);
            manifests.clear();
        }
        vec![checked]
    });
    std::iter::once(cluster).chain(apps).collect()
}

/// How many apps' Applications [`argocd_files`] holds at once.
const ARGOCD_BATCH: usize = 32;

/// Checks each manifest against the embedded schemas, the API server's rules and the
/// per-object lints, serializes it, and hands the files to `sink`; what it finds goes into
/// `checked`, and what the bootstrap simulation needs to know of each object into `facts`.
/// An object `known` holds skips the schemas.
fn checked_files(
    manifests: &[portkey_compile::Manifest],
    (sink, known): (&dyn portkey_render::Sink, &portkey_validate::Known),
    checked: &mut Checked,
    mut facts: Option<&mut Vec<portkey_converge::Fact>>,
) {
    let schemas = portkey_validate::Schemas::embedded();
    let mut files = Vec::with_capacity(manifests.len());
    checked.summaries.reserve(manifests.len());
    for file in portkey_render::render_files(manifests) {
        match file {
            Ok(f) => files.push(f),
            Err(e) => {
                checked.render_error.get_or_insert(Box::new(e));
            }
        }
    }
    sink.accept(files);
    // One shared name per model file: the summaries of a work item's objects hold it once.
    let mut source: Option<std::sync::Arc<str>> = None;
    // And one namespace for the facts of the component's objects in it.
    let mut namespaces = portkey_converge::facts::Namespaces::default();
    for m in manifests {
        let value = match serde_json::to_value(&m.object) {
            Ok(v) => v,
            Err(e) => {
                checked
                    .problems
                    .push(Invalid::Schema(portkey_validate::Problem {
                        file: m.source.clone(),
                        object: format!("{}/{}", m.object.kind(), m.object.name()),
                        pointer: String::new(),
                        message: format!("does not serialize: {e}"),
                    }));
                continue;
            }
        };
        checked.problems.extend(
            portkey_validate::validate_known(schemas, known, &m.source, &value)
                .into_iter()
                .map(Invalid::Schema),
        );
        checked.problems.extend(
            portkey_validate::apiserver::check_object(&m.source, &value)
                .into_iter()
                .map(|p| Invalid::ApiServer(portkey_validate::apiserver::attribute(p, &value))),
        );
        if let Some(facts) = facts.as_deref_mut() {
            facts.extend(portkey_converge::facts::of_sharing(&value, &mut namespaces));
        }
        let shared = match &source {
            Some(s) if **s == *m.source => s.clone(),
            _ => source
                .insert(std::sync::Arc::from(m.source.as_str()))
                .clone(),
        };
        let (findings, summary) = portkey_validate::lint::check_object_shared(&shared, &value);
        checked
            .problems
            .extend(findings.into_iter().map(Invalid::Lint));
        checked.summaries.push(summary);
    }
}
