//! The replay render runs (`Detail::Shown`: the stalls and the providers BOOTSTRAP.md
//! shows) answers exactly as the full one (`portkey plan --bootstrap`), on fewer verdicts.

use portkey::portkey_converge::{self, Detail, Facts, Simulation};
use portkey::portkey_model::components::Component;
use portkey::portkey_model::resolve_all;
use serde_json::json;

/// Both replays of the real catalogue, with `extra` facts added to Application `component`.
fn both(component: &str, extra: &[serde_json::Value]) -> [String; 2] {
    let cluster = portkey::cluster::portkey();
    let catalogue = resolve_all(&cluster, portkey::catalogue(), portkey::charts()).unwrap();
    let (components, mut facts): (Vec<Component>, Facts) =
        portkey::bootstrap_input(&catalogue).unwrap();
    facts
        .get_mut(component)
        .unwrap_or_else(|| panic!("no Application {component}"))
        .extend(extra.iter().flat_map(portkey_converge::facts::of));
    let full = portkey_converge::simulate(&catalogue, &components, &facts);
    let shown = portkey_converge::simulate_keeping(&catalogue, &components, &facts, Detail::Shown);
    let count = |s: &Simulation| s.runs.iter().map(|r| r.verdicts.len()).sum::<usize>();
    assert!(
        count(&shown) < count(&full),
        "the render replay keeps every verdict ({})",
        count(&full)
    );
    [full, shown].map(|sim| {
        let problems: Vec<String> = sim.problems().iter().map(ToString::to_string).collect();
        let runs: Vec<String> = sim
            .runs
            .iter()
            .map(|r| format!("{} {} {} {:?}", r.name, r.wave, r.converges(), r.shown()))
            .collect();
        format!(
            "converges {} stalled {:?}\nproblems {problems:#?}\nruns {runs:#?}\n{}",
            sim.converges(),
            sim.stalled_wave(),
            portkey::portkey_render::bootstrap::document(&catalogue, &components, &sim)
        )
    })
}

#[test]
fn the_render_replay_answers_as_the_full_one_when_it_converges() {
    let [full, shown] = both("sonarr", &[]);
    assert!(full.starts_with("converges true"), "{full}");
    assert_eq!(full, shown);
}

#[test]
fn the_render_replay_answers_as_the_full_one_when_it_stalls() {
    let pod = json!({ "containers": [{ "name": "x", "envFrom": [{ "secretRef": { "name": "nowhere" } }] }] });
    let extra = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": "extra", "namespace": "media" },
        "spec": { "template": { "spec": pod } },
    });
    let [full, shown] = both("sonarr", &[extra]);
    assert!(full.starts_with("converges false"), "{full}");
    assert!(
        full.contains("Deployment media/extra never becomes healthy"),
        "{full}"
    );
    assert_eq!(full, shown);
}
