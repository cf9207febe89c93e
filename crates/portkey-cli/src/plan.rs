//! The pipeline's plan-only runs: placement and capacity ([`plan_with`], `portkey plan`)
//! and the bootstrap replay ([`simulate_with`], `portkey plan --bootstrap`).

use portkey_model::analysis::Plan;
use portkey_model::app::App;
use portkey_model::chart::Chart;
use portkey_model::cluster::Cluster;

use crate::{Error, collect_model_errors};

/// Resolves and checks the model, then analyses placement and capacity. Requests that no
/// node can hold are model errors.
pub fn plan(cluster: &Cluster, apps: Vec<App>) -> Result<Plan, Error> {
    plan_with(cluster, apps, Vec::new())
}

/// [`plan`] with the chart releases.
pub fn plan_with(cluster: &Cluster, apps: Vec<App>, charts: Vec<Chart>) -> Result<Plan, Error> {
    // With model problems, the rest is still planned, so that placement problems show in
    // the same run.
    let (catalogue, portkey_model::ModelErrors(mut errors)) =
        portkey_model::resolve_partial(cluster, apps, charts);
    // The waves follow from the compiled objects: a CRD no release provides, an unknown
    // `after` or a dependency cycle fails the plan as it fails the render (once the model
    // is clean: before, they may only follow from its problems).
    let waves = portkey_compile::components(&catalogue).err();
    let resolved_cleanly = errors.is_empty();
    let plan = collect_model_errors(checked_plan(&catalogue), &mut errors)?;
    if let (true, Some(more)) = (resolved_cleanly, waves) {
        errors.extend(more.0);
    }
    match plan {
        Some(plan) if errors.is_empty() => Ok(plan),
        _ => Err(Error::Model(portkey_model::ModelErrors(errors))),
    }
}

/// Resolves, checks and compiles the model, then replays Argo CD's bootstrap of it
/// ([`portkey_converge::simulate`]): what `portkey plan --bootstrap` prints.
pub fn simulate_with(
    cluster: &Cluster,
    apps: Vec<App>,
    charts: Vec<Chart>,
) -> Result<portkey_converge::Simulation, Error> {
    let catalogue = portkey_model::resolve_all(cluster, apps, charts).map_err(Error::Model)?;
    let (components, facts) = bootstrap_input(&catalogue)?;
    Ok(portkey_converge::simulate(&catalogue, &components, &facts))
}

/// What the simulation replays: every component with its derived wave, and the facts of
/// each component's compiled objects (render gathers the same facts as it streams).
pub fn bootstrap_input(
    catalogue: &portkey_model::Catalogue<'_>,
) -> Result<
    (
        Vec<portkey_model::components::Component>,
        portkey_converge::Facts,
    ),
    Error,
> {
    let (compiled, components) = portkey_compile::compiled(catalogue).map_err(Error::Model)?;
    let facts = compiled
        .iter()
        .map(|c| {
            let mut namespaces = portkey_converge::facts::Namespaces::default();
            let facts = c
                .manifests
                .iter()
                .filter_map(|m| serde_json::to_value(&m.object).ok())
                .flat_map(|v| portkey_converge::facts::of_sharing(&v, &mut namespaces))
                .collect();
            (c.component.clone(), facts)
        })
        .collect();
    Ok((components, facts))
}

pub(crate) fn checked_plan(catalogue: &portkey_model::Catalogue<'_>) -> Result<Plan, Error> {
    let plan = portkey_model::analysis::plan(catalogue);
    if plan.errors.is_empty() {
        Ok(plan)
    } else {
        Err(Error::Model(portkey_model::ModelErrors(plan.errors)))
    }
}
