//! The inventory: expansion by one entry (metal3, an LXC container on mirkwood with the AMD
//! iGPU) and its consistency (the Intel GPU plugin's label).

use super::*;

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

// ---------------------------------------------------------------------------------------
// Inventory consistency: the Intel GPU plugin's label
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
