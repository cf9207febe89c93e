//! Cluster-aware analysis: GPU and capacity checks, the memory-limit warning, node failure,
//! expansion by one inventory entry, the architecture document against the seed's tables,
//! `portkey plan`, inventory consistency and determinism.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use common::*;
use portkey::portkey_compile::{self, Manifest};
use portkey::portkey_model::analysis::Plan;
use portkey::portkey_model::app::{App, Namespace, Port};
use portkey::portkey_model::cluster::{
    Cluster, Gpu, GpuDriver, GpuVendor, Hardware, Host, Node, NodeKind, NodeRole,
};
use portkey::portkey_model::quantity::{Cpu, Memory};
use portkey::portkey_model::{self, ModelError};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn real_cluster() -> Cluster {
    portkey::cluster::portkey()
}

fn real_plan() -> Plan {
    portkey::plan(&real_cluster(), portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not plan:\n{e}"))
}

fn compiled(cluster: &Cluster, apps: Vec<App>) -> Vec<Manifest> {
    let catalogue = portkey_model::resolve(cluster, apps)
        .unwrap_or_else(|e| panic!("the catalogue does not resolve:\n{e}"));
    portkey_compile::compile(&catalogue)
}

fn node_mut<'a>(cluster: &'a mut Cluster, name: &str) -> &'a mut Node {
    cluster
        .nodes
        .iter_mut()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name} in the inventory"))
}

/// The model errors of `portkey::plan` (panics if planning succeeds).
fn plan_errors(cluster: &Cluster, apps: Vec<App>) -> Vec<ModelError> {
    match portkey::plan(cluster, apps) {
        Ok(plan) => panic!(
            "expected model problems, but planning succeeded: {:#?}",
            plan.placements
        ),
        Err(portkey::Error::Model(e)) => e.0,
        Err(e) => panic!("expected a model error, got {e}"),
    }
}

/// Expects `portkey::plan` and `portkey::render` to fail on `app`'s `field`, with a problem
/// that mentions every string of `mentions`, a fix, and a message that names app and field.
fn expect_error(
    cluster: &Cluster,
    apps: Vec<App>,
    app: &str,
    field: &str,
    mentions: &[&str],
) -> ModelError {
    let e = find_problem(&plan_errors(cluster, apps.clone()), app, field, mentions);
    let shown = e.to_string();
    let err = portkey::render(cluster, apps).expect_err("rendering must refuse the model");
    assert!(
        err.to_string().contains(&shown),
        "render error does not include {shown:?}:\n{err}"
    );
    e
}

/// An app that may run only on node-a, with `memory` as both request and limit.
fn on_a(name: &str, cpu: Cpu, memory: Memory) -> App {
    app(name)
        .requests(cpu, memory)
        .memory_limit(memory)
        .pin(&[NODE_A], "test")
}

/// An app pinned to node-a with a small request and `limit` as memory limit.
fn limit_on_a(name: &str, limit: Memory) -> App {
    app(name)
        .requests(Cpu::m(10), Memory::mi(64))
        .memory_limit(limit)
        .pin(&[NODE_A], "test")
}

/// The test inventory with node-a holding 100Gi, so that 1Gi is 1%.
fn hundred_gi_cluster() -> Cluster {
    let mut c = test_cluster();
    node_mut(&mut c, "node-a").memory = Memory::gi(100);
    c
}

/// Cells of one Markdown table row.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// The first Markdown table under the heading `heading` (compared case-insensitively):
/// its header and one map per row, column name → cell.
fn md_table(doc: &str, heading: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut lines = doc
        .lines()
        .skip_while(|l| !l.trim().eq_ignore_ascii_case(heading))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .skip_while(|l| !l.trim_start().starts_with('|'));
    let header = cells(
        lines
            .next()
            .unwrap_or_else(|| panic!("no table under {heading:?} in:\n{doc}")),
    );
    let sep = cells(lines.next().expect("a separator row"));
    assert!(
        sep.len() == header.len()
            && sep
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':'))),
        "not a separator row under {heading:?}: {sep:?}"
    );
    let rows = lines
        .take_while(|l| l.trim_start().starts_with('|'))
        .map(|l| {
            let c = cells(l);
            assert_eq!(c.len(), header.len(), "row {l:?} under {heading:?}");
            header.iter().cloned().zip(c).collect()
        })
        .collect();
    (header, rows)
}

fn committed_architecture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated/ARCHITECTURE.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rendered_architecture(cluster: &Cluster, apps: Vec<App>) -> String {
    let tree = portkey::render(cluster, apps).unwrap_or_else(|e| panic!("render failed:\n{e}"));
    tree.get("ARCHITECTURE.md")
        .expect("the tree holds ARCHITECTURE.md")
        .clone()
}

fn failure<'p>(plan: &'p Plan, node: &str) -> &'p portkey::portkey_model::analysis::Failure {
    plan.failures
        .iter()
        .find(|f| f.node == node)
        .unwrap_or_else(|| panic!("no failure entry for {node}: {:#?}", plan.failures))
}

fn placement<'p>(plan: &'p Plan, app: &str) -> &'p portkey::portkey_model::analysis::Placement {
    plan.placements
        .iter()
        .find(|p| p.app == app)
        .unwrap_or_else(|| panic!("no placement for {app}: {:#?}", plan.placements))
}

fn down_apps(f: &portkey::portkey_model::analysis::Failure) -> Vec<&str> {
    f.down.iter().map(|(a, _)| a.as_str()).collect()
}

const HOME_AUTOMATION_STACK: [&str; 3] = ["homeassistant", "mosquitto", "zigbee2mqtt"];

// ---------------------------------------------------------------------------------------
// 1. GPU needs no node can satisfy
// ---------------------------------------------------------------------------------------

#[test]
fn amd_gpu_on_the_real_inventory_is_an_error() {
    let mut apps = portkey::catalogue();
    apps.push(app("miner").gpu(GpuVendor::Amd));
    expect_error(
        &real_cluster(),
        apps,
        "miner",
        "gpu",
        &["AMD", "Intel GPU on metal1", "Intel GPU on metal2"],
    );
}

#[test]
fn amd_gpu_on_the_test_inventory_is_an_error() {
    expect_error(
        &test_cluster(),
        vec![app("miner").gpu(GpuVendor::Amd), app("web")],
        "miner",
        "gpu",
        &["AMD", "Intel GPU on node-b"],
    );
}

#[test]
fn nvidia_gpu_on_an_inventory_without_gpus_is_an_error() {
    let mut cluster = test_cluster();
    let b = node_mut(&mut cluster, "node-b");
    b.hardware.clear();
    b.labels.clear();
    expect_error(
        &cluster,
        vec![app("trainer").gpu(GpuVendor::Nvidia)],
        "trainer",
        "gpu",
        &["NVIDIA", "no node has any GPU"],
    );
}

// ---------------------------------------------------------------------------------------
// 2. Over-full nodes
// ---------------------------------------------------------------------------------------

#[test]
fn pinned_apps_filling_a_node_exactly_fit() {
    // node-a has 16Gi and 4 CPU; requests summing to exactly that fit.
    let plan = portkey::plan(
        &test_cluster(),
        vec![
            on_a("one", Cpu::cores(2), Memory::gi(8)),
            on_a("two", Cpu::cores(2), Memory::gi(8)),
        ],
    )
    .unwrap_or_else(|e| panic!("a node filled exactly must be accepted:\n{e}"));
    let a = plan.nodes.iter().find(|u| u.node == "node-a").unwrap();
    assert_eq!(a.apps, ["one", "two"]);
    assert_eq!(a.memory_requests, Memory::gi(16));
    assert_eq!(a.memory_request_percent(), 100);
}

#[test]
fn pinned_apps_whose_memory_requests_exceed_the_node_fail() {
    let apps = vec![
        on_a("one", Cpu::m(100), Memory::gi(8)),
        on_a("two", Cpu::m(100), Memory::gi(8)),
        on_a("three", Cpu::m(100), Memory::mi(1)),
    ];
    let all = plan_errors(&test_cluster(), apps.clone());
    assert_eq!(all.len(), 1, "exactly the app that does not fit: {all:#?}");
    // The largest requests go first, so the 1Mi app is the one left over.
    let e = expect_error(
        &test_cluster(),
        apps,
        "three",
        "requests",
        &["1Mi", "node-a"],
    );
    assert_eq!(e.file, "apps/three.rs");
}

#[test]
fn pinned_apps_whose_cpu_requests_exceed_the_node_fail() {
    let apps = vec![
        on_a("big", Cpu::cores(3), Memory::mi(128)),
        on_a("small", Cpu::m(1001), Memory::mi(128)),
    ];
    expect_error(
        &test_cluster(),
        apps,
        "small",
        "requests",
        &["1001m", "node-a"],
    );
}

#[test]
fn an_app_larger_than_every_node_fails() {
    let huge = app("huge")
        .requests(Cpu::m(100), Memory::gi(17))
        .memory_limit(Memory::gi(17));
    expect_error(
        &test_cluster(),
        vec![huge, app("web")],
        "huge",
        "requests",
        &["17Gi", "node-a", "node-b", "node-c"],
    );
    let greedy = app("greedy")
        .requests(Cpu::cores(5), Memory::mi(128))
        .memory_limit(Memory::mi(128));
    expect_error(&test_cluster(), vec![greedy], "greedy", "requests", &["5"]);
    // On the real inventory too: no node has 43Gi.
    let mut apps = portkey::catalogue();
    apps.push(
        app("huge")
            .requests(Cpu::m(100), Memory::gi(43))
            .memory_limit(Memory::gi(43)),
    );
    expect_error(
        &real_cluster(),
        apps,
        "huge",
        "requests",
        &["43Gi", "metal0", "metal1", "metal2"],
    );
}

#[test]
fn unpinned_apps_spread_instead_of_failing() {
    // Three 10Gi apps fit on three 16Gi nodes, one per node.
    let apps: Vec<App> = ["x", "y", "z"]
        .iter()
        .map(|n| {
            app(n)
                .requests(Cpu::m(100), Memory::gi(10))
                .memory_limit(Memory::gi(10))
        })
        .collect();
    let plan = portkey::plan(&test_cluster(), apps).unwrap_or_else(|e| panic!("{e}"));
    let nodes: BTreeSet<_> = plan
        .placements
        .iter()
        .map(|p| p.node.clone().expect("placed"))
        .collect();
    assert_eq!(nodes.len(), 3, "{:#?}", plan.placements);
}

// ---------------------------------------------------------------------------------------
// 3. The memory-limit warning
// ---------------------------------------------------------------------------------------

fn warnings_and_doc(cluster: &Cluster, apps: Vec<App>) -> (Vec<String>, String) {
    let out = portkey::build(cluster, apps).unwrap_or_else(|e| panic!("build failed:\n{e}"));
    let doc = out.tree["ARCHITECTURE.md"].clone();
    (out.plan.warnings, doc)
}

#[test]
fn memory_limits_at_90_percent_warn() {
    let (warnings, doc) = warnings_and_doc(
        &hundred_gi_cluster(),
        vec![limit_on_a("hog", Memory::gi(90))],
    );
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let w = &warnings[0];
    assert!(w.starts_with("node-a"), "{w}");
    assert!(w.contains("90%"), "{w}");
    assert!(
        doc.contains(w.as_str()),
        "ARCHITECTURE.md lacks {w:?}:\n{doc}"
    );
    let plan = portkey::plan(
        &hundred_gi_cluster(),
        vec![limit_on_a("hog", Memory::gi(90))],
    )
    .unwrap();
    assert!(
        portkey::report::plan_text(&plan).contains(w.as_str()),
        "portkey plan does not show the warning"
    );
}

#[test]
fn memory_limits_of_several_apps_add_up() {
    let (warnings, _) = warnings_and_doc(
        &hundred_gi_cluster(),
        vec![
            limit_on_a("one", Memory::gi(45)),
            limit_on_a("two", Memory::gi(45)),
        ],
    );
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].contains("node-a") && warnings[0].contains("90%"));
}

#[test]
fn memory_limits_at_89_percent_do_not_warn() {
    let (warnings, doc) = warnings_and_doc(
        &hundred_gi_cluster(),
        vec![limit_on_a("hog", Memory::gi(89))],
    );
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert!(!doc.contains("⚠️"), "{doc}");
    // Just below 90% of a 16Gi node (14745Mi is 89.99%) does not warn either, 14746Mi does.
    let (warnings, _) =
        warnings_and_doc(&test_cluster(), vec![limit_on_a("hog", Memory::mi(14745))]);
    assert!(warnings.is_empty(), "{warnings:#?}");
    let (warnings, _) =
        warnings_and_doc(&test_cluster(), vec![limit_on_a("hog", Memory::mi(14746))]);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
}

#[test]
fn the_warning_threshold_comes_from_the_inventory() {
    let mut lower = hundred_gi_cluster();
    lower.capacity.memory_limit_warn_percent = 80;
    let (warnings, doc) = warnings_and_doc(&lower, vec![limit_on_a("hog", Memory::gi(85))]);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("85%") && warnings[0].contains("80%"),
        "{warnings:#?}"
    );
    assert!(doc.contains(&warnings[0]));
    let (warnings, _) = warnings_and_doc(&lower, vec![limit_on_a("hog", Memory::gi(79))]);
    assert!(warnings.is_empty(), "{warnings:#?}");

    let mut higher = hundred_gi_cluster();
    higher.capacity.memory_limit_warn_percent = 95;
    let (warnings, doc) = warnings_and_doc(&higher, vec![limit_on_a("hog", Memory::gi(90))]);
    assert!(warnings.is_empty(), "{warnings:#?}");
    assert!(!doc.contains("⚠️"), "{doc}");
    let (warnings, _) = warnings_and_doc(&higher, vec![limit_on_a("hog", Memory::gi(95))]);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
}

#[test]
fn the_real_catalogue_has_no_memory_warning_at_its_threshold() {
    let cluster = real_cluster();
    assert_eq!(cluster.capacity.memory_limit_warn_percent, 90);
    let plan = real_plan();
    for u in &plan.nodes {
        let warned = plan.warnings.iter().any(|w| w.starts_with(&u.node));
        assert_eq!(
            warned,
            u.memory_limit_percent() >= 90,
            "{}: limits {}%, warnings {:#?}",
            u.node,
            u.memory_limit_percent(),
            plan.warnings
        );
    }
}

// ---------------------------------------------------------------------------------------
// 4. Expansion: metal3, an LXC container on mirkwood with the AMD iGPU
// ---------------------------------------------------------------------------------------

fn metal3() -> Node {
    Node {
        name: "metal3".into(),
        role: NodeRole::Worker,
        cpu: Cpu::cores(4),
        memory: Memory::gi(8),
        host: Host {
            name: "mirkwood".into(),
            cpu_model: "AMD Ryzen 5 4500U".into(),
        },
        kind: NodeKind::Lxc,
        hardware: vec![Hardware::Gpu(Gpu {
            vendor: GpuVendor::Amd,
            driver: GpuDriver::Amdgpu,
            model: "AMD Radeon Graphics (Renoir)".into(),
            render_gid: Some(104),
        })],
        labels: vec![],
    }
}

/// The real inventory plus metal3: one entry.
fn expanded_cluster() -> Cluster {
    let mut c = real_cluster();
    c.nodes.push(metal3());
    c
}

/// Pinned by digest, as the policy lints ask (the digest is not checked against a registry).
const OLLAMA_IMAGE: &str = "docker.io/ollama/ollama:0.6.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn ollama() -> App {
    App::new("ollama", Namespace::new("ai"))
        .source("apps/ollama.rs")
        .image(OLLAMA_IMAGE)
        .port(Port::http(11434))
        .requests(Cpu::m(500), Memory::gi(2))
        .memory_limit(Memory::gi(6))
        .gpu(GpuVendor::Amd)
}

fn expanded_apps() -> Vec<App> {
    let mut apps = portkey::catalogue();
    apps.push(ollama());
    apps
}

#[test]
fn an_amd_gpu_app_lands_on_metal3() {
    let cluster = expanded_cluster();
    let out = portkey::build(&cluster, expanded_apps())
        .unwrap_or_else(|e| panic!("the expanded inventory does not render:\n{e}"));
    let plan = &out.plan;

    let p = placement(plan, "ollama");
    assert_eq!(p.feasible, ["metal3"]);
    assert_eq!(p.node.as_deref(), Some("metal3"));
    assert!(
        p.constraint.as_deref().is_some_and(|c| c.contains("AMD")),
        "{p:#?}"
    );
    let row = plan
        .nodes
        .iter()
        .find(|u| u.node == "metal3")
        .expect("a metal3 row");
    assert!(row.apps.contains(&"ollama".to_string()), "{row:#?}");
    assert_eq!(row.cpu, Cpu::cores(4));
    assert_eq!(row.memory, Memory::gi(8));
    for u in plan.nodes.iter().filter(|u| u.node != "metal3") {
        assert!(!u.apps.contains(&"ollama".to_string()), "{u:#?}");
    }

    let f = failure(plan, "metal3");
    let down = f
        .down
        .iter()
        .find(|(a, _)| a == "ollama")
        .unwrap_or_else(|| panic!("metal3's failure does not take ollama down: {f:#?}"));
    assert!(down.1.contains("AMD"), "{down:?}");
    assert!(f.moved.iter().all(|(a, _)| a != "ollama") && !f.stranded.contains(&"ollama".into()));
    for other in plan.failures.iter().filter(|f| f.node != "metal3") {
        assert!(
            !down_apps(other).contains(&"ollama"),
            "{} takes ollama down: {other:#?}",
            other.node
        );
    }

    // The workload: affinity to metal3 only, one amd.com/gpu.
    let manifests = compiled(&cluster, expanded_apps());
    let deployment = object(&manifests, "Deployment", "ollama");
    assert_eq!(
        affinity_nodes(&deployment).as_deref(),
        Some(&["metal3".to_string()][..])
    );
    let resources = &main_container(&deployment)["resources"];
    assert_eq!(resources["requests"]["amd.com/gpu"], "1", "{resources}");
    assert_eq!(resources["limits"]["amd.com/gpu"], "1", "{resources}");
    assert!(
        resources["requests"].get("gpu.intel.com/i915").is_none(),
        "{resources}"
    );
    let groups = &deployment["spec"]["template"]["spec"]["securityContext"]["supplementalGroups"];
    assert!(
        groups
            .as_array()
            .is_some_and(|g| g.contains(&serde_json::json!(104))),
        "metal3's render group is not given: {groups}"
    );
    let yaml = out
        .tree
        .get("ai/ollama/deployment-ollama.yaml")
        .unwrap_or_else(|| panic!("no deployment file; tree: {:#?}", out.tree.keys()));
    assert!(yaml.contains("amd.com/gpu"), "{yaml}");
}

#[test]
fn metal3_joins_the_architecture_node_table() {
    let doc = rendered_architecture(&expanded_cluster(), expanded_apps());
    let (_, rows) = md_table(&doc, "## Nodes");
    let names: Vec<&str> = rows.iter().map(|r| r["Node"].as_str()).collect();
    assert_eq!(names, ["metal0", "metal1", "metal2", "metal3"]);
    let m3 = &rows[3];
    assert_eq!(m3["Type"], "LXC");
    assert_eq!(m3["Role"], "Worker");
    assert_eq!(m3["Proxmox Host"], "mirkwood (AMD Ryzen 5 4500U)");
    assert!(m3["Special Hardware"].contains("AMD GPU"), "{m3:?}");
    assert_eq!(parse_resources(&m3["Resources"]), (4, 8), "{m3:?}");
    // The other rows are as before.
    let (_, before) = md_table(&committed_or_rendered(), "## Nodes");
    assert_eq!(&rows[..3], &before[..]);
    // And the placement table has a metal3 row holding ollama.
    let (_, placement) = md_table(&doc, "## Placement and capacity");
    let row = placement
        .iter()
        .find(|r| r["Node"] == "metal3")
        .unwrap_or_else(|| panic!("no metal3 in the placement table:\n{doc}"));
    assert!(row["Apps"].split(", ").any(|a| a == "ollama"), "{row:?}");
}

/// The freshly rendered document of the real catalogue.
fn committed_or_rendered() -> String {
    rendered_architecture(&real_cluster(), portkey::catalogue())
}

#[test]
fn without_metal3_the_amd_app_fails() {
    expect_error(
        &real_cluster(),
        expanded_apps(),
        "ollama",
        "gpu",
        &["AMD", "metal1"],
    );
}

#[test]
fn metal3_needs_no_intel_gpu_label_and_must_not_carry_it() {
    // An AMD GPU without the Intel plugin's label is consistent (the render above succeeds);
    // the Intel label on it is not.
    let mut cluster = expanded_cluster();
    let label = cluster.device_plugins.intel_gpu_label.clone();
    node_mut(&mut cluster, "metal3").labels.push(label);
    let err = portkey::render(&cluster, expanded_apps()).expect_err("metal3 carries the label");
    assert!(err.to_string().contains("nodes[metal3]"), "{err}");
}

// ---------------------------------------------------------------------------------------
// 5. The real catalogue
// ---------------------------------------------------------------------------------------

#[test]
fn jellyfin_lands_on_an_intel_gpu_node() {
    let plan = real_plan();
    let p = placement(&plan, "jellyfin");
    assert_eq!(p.feasible, ["metal1", "metal2"]);
    assert!(
        matches!(p.node.as_deref(), Some("metal1" | "metal2")),
        "{p:#?}"
    );
    assert!(
        p.constraint
            .as_deref()
            .is_some_and(|c| c.contains("Intel GPU")),
        "{p:#?}"
    );

    let manifests = compiled(&real_cluster(), portkey::catalogue());
    let deployment = object(&manifests, "Deployment", "jellyfin");
    assert_eq!(
        affinity_nodes(&deployment),
        Some(vec!["metal1".to_string(), "metal2".to_string()])
    );
    let resources = &main_container(&deployment)["resources"];
    assert_eq!(
        resources["requests"]["gpu.intel.com/i915"], "1",
        "{resources}"
    );
    assert_eq!(
        resources["limits"]["gpu.intel.com/i915"], "1",
        "{resources}"
    );
}

#[test]
fn metal0_failure_takes_down_home_automation() {
    let plan = real_plan();
    let f = failure(&plan, "metal0");
    assert_eq!(down_apps(f), HOME_AUTOMATION_STACK, "{f:#?}");
    for (app, why) in &f.down {
        assert!(!why.trim().is_empty(), "{app} is down without a reason");
    }
    let zigbee = &f.down.iter().find(|(a, _)| a == "zigbee2mqtt").unwrap().1;
    assert!(zigbee.contains("zigbee-dongle"), "{zigbee}");
    // The other nodes' failures take none of the stack down.
    for other in plan.failures.iter().filter(|f| f.node != "metal0") {
        assert!(other.down.is_empty(), "{other:#?}");
    }
    // The stack is placed on metal0.
    for app in HOME_AUTOMATION_STACK {
        let p = placement(&plan, app);
        assert_eq!(p.feasible, ["metal0"], "{p:#?}");
        assert_eq!(p.node.as_deref(), Some("metal0"), "{p:#?}");
    }
}

#[test]
fn every_movable_app_finds_room_on_the_real_catalogue() {
    let plan = real_plan();
    assert_eq!(
        plan.failures
            .iter()
            .map(|f| f.node.as_str())
            .collect::<Vec<_>>(),
        ["metal0", "metal1", "metal2"]
    );
    for f in &plan.failures {
        assert!(f.survivable(), "{} is not survivable: {f:#?}", f.node);
        assert!(f.stranded.is_empty(), "{f:#?}");
        // Every app on the failed node is accounted for: down or moved (never to itself,
        // always to a node it may run on).
        let row = plan.nodes.iter().find(|u| u.node == f.node).unwrap();
        let mut accounted: Vec<&str> = down_apps(f);
        accounted.extend(f.moved.iter().map(|(a, _)| a.as_str()));
        accounted.extend(f.stranded.iter().map(String::as_str));
        accounted.sort_unstable();
        assert_eq!(accounted, row.apps, "{f:#?}");
        for (app, to) in &f.moved {
            assert_ne!(to, &f.node);
            assert!(placement(&plan, app).feasible.contains(to), "{app} → {to}");
        }
    }
}

#[test]
fn a_node_failure_with_no_room_is_reported_as_stranded() {
    // Two 12Gi apps fit on node-a and node-c (node-b is pinned full); when either fails,
    // the other 16Gi nodes have no room for the mover.
    let apps = vec![
        app("fill-b")
            .requests(Cpu::m(10), Memory::gi(15))
            .memory_limit(Memory::gi(15))
            .pin(&[NODE_B], "test"),
        app("one")
            .requests(Cpu::m(10), Memory::gi(12))
            .memory_limit(Memory::gi(12)),
        app("two")
            .requests(Cpu::m(10), Memory::gi(12))
            .memory_limit(Memory::gi(12)),
        app("consumer").depends_on("one"),
    ];
    let plan = portkey::plan(&test_cluster(), apps).unwrap_or_else(|e| panic!("{e}"));
    let one_on = placement(&plan, "one").node.clone().unwrap();
    let f = failure(&plan, &one_on);
    assert!(!f.survivable(), "{f:#?}");
    assert!(f.stranded.contains(&"one".to_string()), "{f:#?}");
    // An app depending on a stranded app is stopped by it.
    assert!(
        f.degraded
            .iter()
            .any(|(a, why)| a == "consumer" && why.contains("one")),
        "{f:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// 6. The architecture document against the seed's tables
// ---------------------------------------------------------------------------------------

/// One row of the seed's Nodes table.
struct SeedNode {
    name: &'static str,
    role: &'static str,
    cpu: u64,
    memory_gib: u64,
    /// `None`: the seed says `-` (no GPU).
    gpu: Option<&'static str>,
    host: &'static str,
    cpu_model: &'static str,
    kind: &'static str,
}

/// The seed's Nodes table (`../shared/seed/portkey-cluster.md`).
const SEED_NODES: [SeedNode; 3] = [
    SeedNode {
        name: "metal0",
        role: "Worker",
        cpu: 4,
        memory_gib: 42,
        gpu: None,
        host: "mirkwood",
        cpu_model: "AMD Ryzen 5 4500U",
        kind: "VM",
    },
    SeedNode {
        name: "metal1",
        role: "Worker",
        cpu: 4,
        memory_gib: 26,
        gpu: Some("Intel GPU (i915)"),
        host: "rohan",
        cpu_model: "Intel N100",
        kind: "VM",
    },
    SeedNode {
        name: "metal2",
        role: "Worker",
        cpu: 4,
        memory_gib: 26,
        gpu: Some("Intel GPU (i915)"),
        host: "gondor",
        cpu_model: "Intel N100",
        kind: "VM",
    },
];

/// The seed's Backup Strategy table: app, frequency, method, retention.
const SEED_BACKUPS: [(&str, &str, &str, &str); 7] = [
    ("vaultwarden", "Every 6 hours", "Volsync/Restic", "7 days"),
    ("homeassistant", "Daily", "Volsync/Restic", "7 days"),
    ("paperless", "Daily", "Volsync/Restic", "7 days"),
    ("zigbee2mqtt", "Daily", "Volsync/Restic", "7 days"),
    ("mosquitto", "Daily", "Volsync/Restic", "7 days"),
    ("grocy", "Daily", "Volsync/Restic", "7 days"),
    ("babybuddy", "Daily", "Volsync/Restic", "7 days"),
];

/// `4 CPU, 42Gi RAM` (or `42GB`/`42GiB`, the seed's spelling) → (4, 42).
fn parse_resources(cell: &str) -> (u64, u64) {
    let re = regex::Regex::new(r"^(\d+) CPU, (\d+) ?(Gi|GiB|GB) RAM$").unwrap();
    let c = re
        .captures(cell)
        .unwrap_or_else(|| panic!("resources cell {cell:?} is not `N CPU, M Gi RAM`"));
    (c[1].parse().unwrap(), c[2].parse().unwrap())
}

fn check_node_table(doc: &str, which: &str) {
    let (header, rows) = md_table(doc, "## Nodes");
    assert_eq!(
        header,
        [
            "Node",
            "Role",
            "Resources",
            "Special Hardware",
            "Proxmox Host",
            "Type"
        ],
        "{which}"
    );
    assert_eq!(rows.len(), SEED_NODES.len(), "{which}: {rows:#?}");
    for (row, seed) in rows.iter().zip(&SEED_NODES) {
        assert_eq!(row["Node"], seed.name, "{which}");
        assert_eq!(row["Role"], seed.role, "{which}: {}", seed.name);
        assert_eq!(
            parse_resources(&row["Resources"]),
            (seed.cpu, seed.memory_gib),
            "{which}: {}",
            seed.name
        );
        let hw = &row["Special Hardware"];
        match seed.gpu {
            Some(gpu) => assert_eq!(hw, gpu, "{which}: {}", seed.name),
            // The seed writes `-`; the document may list non-GPU devices (metal0's dongle),
            // but no GPU.
            None => assert!(!hw.contains("GPU"), "{which}: {}: {hw}", seed.name),
        }
        assert_eq!(
            row["Proxmox Host"],
            format!("{} ({})", seed.host, seed.cpu_model),
            "{which}: {}",
            seed.name
        );
        assert_eq!(row["Type"], seed.kind, "{which}: {}", seed.name);
    }
}

fn check_backup_table(doc: &str, which: &str) {
    let (header, rows) = md_table(doc, "## Backup strategy");
    assert_eq!(
        header,
        ["App", "Frequency", "Method", "Retention"],
        "{which}"
    );
    let mut got = BTreeMap::new();
    for r in &rows {
        let prev = got.insert(
            r["App"].as_str(),
            (
                r["Frequency"].as_str(),
                r["Method"].as_str(),
                r["Retention"].as_str(),
            ),
        );
        assert!(prev.is_none(), "{which}: {} listed twice", r["App"]);
    }
    let want: BTreeMap<&str, (&str, &str, &str)> = SEED_BACKUPS
        .iter()
        .map(|&(a, f, m, r)| (a, (f, m, r)))
        .collect();
    assert_eq!(
        got, want,
        "{which}: the backup table differs from the seed's"
    );
}

#[test]
fn rendered_architecture_matches_the_seed_tables() {
    let doc = rendered_architecture(&real_cluster(), portkey::catalogue());
    check_node_table(&doc, "rendered ARCHITECTURE.md");
    check_backup_table(&doc, "rendered ARCHITECTURE.md");
}

#[test]
fn committed_architecture_matches_the_seed_tables() {
    let doc = committed_architecture();
    check_node_table(&doc, "generated/ARCHITECTURE.md");
    check_backup_table(&doc, "generated/ARCHITECTURE.md");
}

#[test]
fn architecture_failure_table_matches_the_plan() {
    let doc = rendered_architecture(&real_cluster(), portkey::catalogue());
    let (_, rows) = md_table(&doc, "## Node failure");
    let metal0 = rows
        .iter()
        .find(|r| r["Failed node"] == "metal0")
        .unwrap_or_else(|| panic!("no metal0 row:\n{doc}"));
    let down = &metal0["Down until it returns"];
    for app in HOME_AUTOMATION_STACK {
        assert!(down.contains(&format!("{app} (")), "{app} not in {down:?}");
    }
    for r in rows.iter().filter(|r| r["Failed node"] != "metal0") {
        assert_eq!(r["Down until it returns"], "-", "{r:?}");
        assert_eq!(r["No room"], "-", "{r:?}");
    }
}

#[test]
fn md_table_parser_reads_the_seed_layout() {
    // The parser itself: a seed-shaped table with a heading in other case.
    let seed = "# x\n\n## Backup Strategy\n\n| App | Frequency | Method | Retention |\n|-----|-----------|--------|-----------|\n| vaultwarden | Every 6 hours | Volsync/Restic | 7 days |\n\n## Next\n";
    let (header, rows) = md_table(seed, "## Backup strategy");
    assert_eq!(header, ["App", "Frequency", "Method", "Retention"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Frequency"], "Every 6 hours");
    assert_eq!(parse_resources("4 CPU, 42GB RAM"), (4, 42));
    assert_eq!(parse_resources("4 CPU, 26Gi RAM"), (4, 26));
}

// ---------------------------------------------------------------------------------------
// 7. `portkey plan`
// ---------------------------------------------------------------------------------------

fn run_plan(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the portkey binary");
    assert!(
        o.status.success(),
        "portkey {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0));
    o
}

/// The `If a node fails` sections of `portkey plan`'s text, by node.
fn failure_sections(text: &str) -> BTreeMap<String, Vec<String>> {
    let (_, tail) = text
        .split_once("If a node fails")
        .unwrap_or_else(|| panic!("no failure part in:\n{text}"));
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in tail.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            let node = line.trim_end_matches(':').to_string();
            out.entry(node.clone()).or_default();
            current = Some(node);
        } else if let Some(n) = &current
            && !line.trim().is_empty()
        {
            out.get_mut(n).unwrap().push(line.trim().to_string());
        }
    }
    out
}

#[test]
fn plan_command_prints_the_failure_of_metal0() {
    let o = run_plan(&["plan"]);
    let text = String::from_utf8(o.stdout).expect("UTF-8 output");
    assert!(
        text.lines().any(|l| l.starts_with("metal0 ")),
        "no metal0 utilisation row:\n{text}"
    );
    let sections = failure_sections(&text);
    assert_eq!(
        sections.keys().map(String::as_str).collect::<Vec<_>>(),
        ["metal0", "metal1", "metal2"],
        "{text}"
    );
    let down = sections["metal0"]
        .iter()
        .find(|l| l.starts_with("down until it returns"))
        .unwrap_or_else(|| panic!("metal0's section names nothing down:\n{text}"));
    for app in HOME_AUTOMATION_STACK {
        assert!(down.contains(app), "{app} not in {down:?}");
    }
    for node in ["metal1", "metal2"] {
        assert!(
            !sections[node]
                .iter()
                .any(|l| l.starts_with("down until it returns")),
            "{node}: {:#?}",
            sections[node]
        );
    }
    // The same text as the library produces.
    assert_eq!(text, portkey::report::plan_text(&real_plan()));
}

#[test]
fn plan_command_json() {
    let o = run_plan(&["plan", "--format", "json"]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("`plan --format json` prints JSON");
    let nodes: Vec<&str> = v["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["node"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["metal0", "metal1", "metal2"]);
    let metal0 = &v["nodes"][0];
    assert_eq!(metal0["memory_bytes"], Memory::gi(42).bytes());
    assert_eq!(metal0["cpu_millicores"], 4000);
    for app in HOME_AUTOMATION_STACK {
        assert!(
            metal0["apps"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(app)),
            "{app} not on metal0: {metal0}"
        );
    }
    let placements = v["placements"].as_array().expect("placements");
    let find = |app: &str| {
        placements
            .iter()
            .find(|p| p["app"] == app)
            .unwrap_or_else(|| panic!("no placement for {app}"))
    };
    for app in HOME_AUTOMATION_STACK {
        assert_eq!(find(app)["node"], "metal0");
        assert_eq!(find(app)["feasible"], serde_json::json!(["metal0"]));
    }
    assert_eq!(
        find("jellyfin")["feasible"],
        serde_json::json!(["metal1", "metal2"])
    );
    let failures = v["failures"].as_array().expect("failures");
    let f0 = failures
        .iter()
        .find(|f| f["node"] == "metal0")
        .expect("metal0's failure");
    let down: Vec<&str> = f0["down"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["app"].as_str().unwrap())
        .collect();
    assert_eq!(down, HOME_AUTOMATION_STACK);
    assert!(
        failures.iter().all(|f| f["survivable"] == true),
        "{failures:#?}"
    );
    assert_eq!(v, portkey::report::plan_json(&real_plan()));
}

// ---------------------------------------------------------------------------------------
// 8. Inventory consistency: the Intel GPU plugin's label
// ---------------------------------------------------------------------------------------

fn cluster_error(cluster: &Cluster, node: &str) -> ModelError {
    let err = portkey::render(cluster, vec![app("web")]).expect_err("inconsistent inventory");
    let portkey::Error::Model(all) = &err else {
        panic!("expected a model error: {err}")
    };
    let e = all
        .0
        .iter()
        .find(|e| e.app == "cluster" && e.field.contains(node))
        .unwrap_or_else(|| panic!("no `cluster` problem naming {node}: {all:#?}"))
        .clone();
    assert!(e.problem.contains("label"), "{e:#?}");
    assert!(!e.fix.trim().is_empty(), "{e:#?}");
    assert!(err.to_string().contains(&e.to_string()));
    e
}

#[test]
fn inventory_problems_name_the_inventory_s_file() {
    let mut cluster = test_cluster();
    cluster.source = "lab/inventory.rs".into();
    node_mut(&mut cluster, "node-b").labels.clear();
    let e = cluster_error(&cluster, "node-b");
    assert_eq!(e.file, "lab/inventory.rs", "{e:#?}");
}

#[test]
fn gpu_node_without_the_plugin_label_is_an_error() {
    let mut cluster = test_cluster();
    node_mut(&mut cluster, "node-b").labels.clear();
    let e = cluster_error(&cluster, "node-b");
    assert!(e.problem.contains("has an Intel GPU"), "{e:#?}");
    assert!(e.problem.contains(GPU_LABEL.0), "{e:#?}");

    let mut real = real_cluster();
    node_mut(&mut real, "metal2").labels.clear();
    let e = cluster_error(&real, "metal2");
    assert!(
        e.problem.contains("intel.feature.node.kubernetes.io/gpu"),
        "{e:#?}"
    );
}

#[test]
fn plugin_label_on_a_node_without_gpu_is_an_error() {
    let mut cluster = test_cluster();
    node_mut(&mut cluster, "node-a")
        .labels
        .push((GPU_LABEL.0.into(), GPU_LABEL.1.into()));
    let e = cluster_error(&cluster, "node-a");
    // (The wording is "has no an Intel GPU"; only the facts are checked here.)
    assert!(
        e.problem.contains("Intel GPU") && e.problem.contains("carries"),
        "{e:#?}"
    );
    assert!(!e.problem.contains("has an Intel GPU"), "{e:#?}");

    let mut real = real_cluster();
    let label = real.device_plugins.intel_gpu_label.clone();
    node_mut(&mut real, "metal0").labels.push(label);
    cluster_error(&real, "metal0");
}

#[test]
fn consistent_labels_are_accepted() {
    // Other labels are fine; the inventories as declared are consistent.
    let mut cluster = test_cluster();
    node_mut(&mut cluster, "node-a")
        .labels
        .push(("topology.kubernetes.io/zone".into(), "a".into()));
    portkey::render(&cluster, vec![app("web")]).unwrap_or_else(|e| panic!("{e}"));
    portkey::render(&real_cluster(), portkey::catalogue()).unwrap_or_else(|e| panic!("{e}"));
    // The label with another value is not the label.
    let mut cluster = test_cluster();
    let b = node_mut(&mut cluster, "node-b");
    b.labels.clear();
    b.labels.push((GPU_LABEL.0.into(), "false".into()));
    cluster_error(&cluster, "node-b");
}

// ---------------------------------------------------------------------------------------
// 9. Determinism
// ---------------------------------------------------------------------------------------

fn assert_same_plan(a: &Plan, b: &Plan, what: &str) {
    assert_eq!(a.nodes, b.nodes, "{what}: nodes");
    assert_eq!(a.placements, b.placements, "{what}: placements");
    assert_eq!(a.failures, b.failures, "{what}: failures");
    assert_eq!(a.warnings, b.warnings, "{what}: warnings");
    assert_eq!(a.errors, b.errors, "{what}: errors");
}

#[test]
fn the_plan_does_not_depend_on_app_order() {
    let cluster = real_cluster();
    let apps = portkey::catalogue();
    let base = portkey::plan(&cluster, apps.clone()).unwrap();
    let mut reversed = apps.clone();
    reversed.reverse();
    assert_same_plan(
        &base,
        &portkey::plan(&cluster, reversed).unwrap(),
        "reversed",
    );
    for k in [1, 5, 11] {
        let mut rotated = apps.clone();
        rotated.rotate_left(k % apps.len());
        assert_same_plan(
            &base,
            &portkey::plan(&cluster, rotated).unwrap(),
            &format!("rotated by {k}"),
        );
    }
    // Interleaved: odd positions first.
    let interleaved: Vec<App> = apps
        .iter()
        .skip(1)
        .step_by(2)
        .chain(apps.iter().step_by(2))
        .cloned()
        .collect();
    assert_same_plan(
        &base,
        &portkey::plan(&cluster, interleaved.clone()).unwrap(),
        "interleaved",
    );
    assert_eq!(
        rendered_architecture(&cluster, apps),
        rendered_architecture(&cluster, interleaved)
    );
}

#[test]
fn ties_are_broken_the_same_way_in_any_order() {
    // Identical apps: placement may not depend on which one is listed first.
    let apps: Vec<App> = ["a", "b", "c", "d", "e", "f", "g"]
        .iter()
        .map(|n| {
            app(n)
                .requests(Cpu::m(100), Memory::gi(3))
                .memory_limit(Memory::gi(3))
        })
        .collect();
    let base = portkey::plan(&test_cluster(), apps.clone()).unwrap();
    let mut reversed = apps;
    reversed.reverse();
    assert_same_plan(
        &base,
        &portkey::plan(&test_cluster(), reversed).unwrap(),
        "reversed",
    );
    // The same errors in the same order, too.
    let over: Vec<App> = (0..7)
        .map(|i| on_a(&format!("p{i}"), Cpu::m(10), Memory::gi(3)))
        .collect();
    let e1 = plan_errors(&test_cluster(), over.clone());
    let mut rev = over;
    rev.reverse();
    assert_eq!(e1, plan_errors(&test_cluster(), rev));
}

// ---------------------------------------------------------------------------------------
// GPU slots and devices (extended resources are finite too)
// ---------------------------------------------------------------------------------------

fn gpu_apps(n: usize) -> Vec<App> {
    (1..=n)
        .map(|i| app(&format!("t{i}")).gpu(GpuVendor::Intel))
        .collect()
}

#[test]
fn gpu_apps_beyond_the_shared_slots_fail() {
    // The test inventory has one Intel GPU (node-b) shared by 2 containers (sharedDevNum 2);
    // each GPU app requests one gpu.intel.com/i915, so a third cannot be scheduled.
    let cluster = test_cluster();
    assert_eq!(cluster.device_plugins.gpu_shared_dev_num, 2);
    portkey::plan(&cluster, gpu_apps(2))
        .unwrap_or_else(|e| panic!("two GPU apps fit the two shared slots:\n{e}"));
    let all = plan_errors(&cluster, gpu_apps(3));
    assert_eq!(all.len(), 1, "{all:#?}");
    expect_error(
        &cluster,
        gpu_apps(3),
        "t3",
        "requests",
        &[GPU_RESOURCE, "node-b"],
    );
}

#[test]
fn gpu_slots_come_from_the_inventory() {
    let mut cluster = test_cluster();
    cluster.device_plugins.gpu_shared_dev_num = 3;
    portkey::plan(&cluster, gpu_apps(3))
        .unwrap_or_else(|e| panic!("three GPU apps fit three shared slots:\n{e}"));
    plan_errors(&cluster, gpu_apps(4));
    // A second GPU node adds its slots.
    let mut cluster = test_cluster();
    let a = node_mut(&mut cluster, "node-a");
    a.hardware.push(Hardware::Gpu(Gpu {
        vendor: GpuVendor::Intel,
        driver: GpuDriver::I915,
        model: "Intel UHD".into(),
        render_gid: Some(RENDER_GID),
    }));
    a.labels.push((GPU_LABEL.0.into(), GPU_LABEL.1.into()));
    let plan = portkey::plan(&cluster, gpu_apps(4))
        .unwrap_or_else(|e| panic!("two GPUs, two slots each, hold four apps:\n{e}"));
    for node in ["node-a", "node-b"] {
        let u = plan.nodes.iter().find(|u| u.node == node).unwrap();
        assert_eq!(u.apps.len(), 2, "{u:#?}");
    }
    plan_errors(&cluster, gpu_apps(5));
}

#[test]
fn two_apps_needing_one_dongle_fail() {
    // squat's generic-device-plugin allocates a device group once unless a count is given.
    portkey::plan(&test_cluster(), vec![app("z1").needs(DONGLE)])
        .unwrap_or_else(|e| panic!("one app per dongle fits:\n{e}"));
    let apps = vec![app("z1").needs(DONGLE), app("z2").needs(DONGLE)];
    let all = plan_errors(&test_cluster(), apps.clone());
    assert_eq!(all.len(), 1, "{all:#?}");
    expect_error(
        &test_cluster(),
        apps,
        "z2",
        "requests",
        &[DONGLE_RESOURCE, "node-c"],
    );
}

#[test]
fn metal3_has_one_amd_gpu_slot() {
    let mut apps = expanded_apps();
    apps.push(
        App::new("comfyui", Namespace::new("ai"))
            .source("apps/comfyui.rs")
            .image(OLLAMA_IMAGE)
            .port(Port::http(8188))
            .gpu(GpuVendor::Amd),
    );
    expect_error(
        &expanded_cluster(),
        apps,
        "comfyui",
        "requests",
        &["amd.com/gpu", "metal3"],
    );
}

#[test]
fn a_gpu_app_moves_only_where_a_slot_is_free() {
    // Both GPU slots of node-b and of node-a are taken; a node-a failure strands its GPU apps.
    let mut cluster = test_cluster();
    let a = node_mut(&mut cluster, "node-a");
    a.hardware.push(Hardware::Gpu(Gpu {
        vendor: GpuVendor::Intel,
        driver: GpuDriver::I915,
        model: "Intel UHD".into(),
        render_gid: Some(RENDER_GID),
    }));
    a.labels.push((GPU_LABEL.0.into(), GPU_LABEL.1.into()));
    let plan = portkey::plan(&cluster, gpu_apps(4)).unwrap_or_else(|e| panic!("{e}"));
    for node in ["node-a", "node-b"] {
        let f = failure(&plan, node);
        assert_eq!(f.stranded.len(), 2, "{f:#?}");
        assert!(!f.survivable());
    }
    // With four slots per GPU, the surviving GPU node has room for the two movers.
    cluster.device_plugins.gpu_shared_dev_num = 4;
    let plan = portkey::plan(&cluster, gpu_apps(4)).unwrap_or_else(|e| panic!("{e}"));
    for f in &plan.failures {
        assert!(f.survivable(), "{f:#?}");
    }
}
