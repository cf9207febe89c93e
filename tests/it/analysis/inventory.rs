//! The inventory: expansion by one entry (metal3, an LXC container on mirkwood with the AMD
//! iGPU) and its consistency (the Intel GPU plugin's label).

use super::*;

/// The real inventory with metal3 enabled: moved from `planned_nodes` to `nodes`, which is
/// what `METAL3_ENABLED = true` in cluster.rs does.
fn expanded_cluster() -> Cluster {
    let mut c = real_cluster();
    let i = c
        .planned_nodes
        .iter()
        .position(|n| n.name == "metal3")
        .expect("cluster.rs declares metal3 as a planned node");
    let metal3 = c.planned_nodes.remove(i);
    c.nodes.push(metal3);
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
    assert_eq!(*p.feasible, ["metal3"]);
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
    assert_eq!(row.cpu, Cpu::cores(2));
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
            .is_some_and(|g| g.contains(&serde_json::json!(metal3_render_gid(&cluster)))),
        "metal3's render group is not given: {groups}"
    );
    let yaml = out
        .tree
        .get("ai/ollama/deployment-ollama.yaml")
        .unwrap_or_else(|| panic!("no deployment file; tree: {:#?}", out.tree.keys()));
    assert!(yaml.contains("amd.com/gpu"), "{yaml}");
}

fn metal3_render_gid(cluster: &Cluster) -> i64 {
    cluster
        .nodes
        .iter()
        .find(|n| n.name == "metal3")
        .and_then(|n| n.gpus().find_map(|g| g.render_gid))
        .expect("metal3 declares its render group")
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
    assert_eq!(parse_resources(&m3["Resources"]), (2, 8), "{m3:?}");
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
        &["AMD", "metal3", "not enabled"],
    );
}

#[test]
fn enabling_metal3_emits_the_amd_gpu_plugin_on_it_alone() {
    let cluster = expanded_cluster();
    let out = portkey::build(&cluster, expanded_apps())
        .unwrap_or_else(|e| panic!("the expanded inventory does not render:\n{e}"));
    let path = "cluster/devices/daemonset-amd-gpu-device-plugin.yaml";
    let yaml = out
        .tree
        .get(path)
        .unwrap_or_else(|| panic!("no {path}; tree: {:#?}", out.tree.keys()));
    assert!(yaml.contains("docker.io/rocm/k8s-device-plugin:"), "{yaml}");
    let manifests = compiled(&cluster, expanded_apps());
    let ds = object(&manifests, "DaemonSet", "amd-gpu-device-plugin");
    assert_eq!(
        affinity_nodes(&ds).as_deref(),
        Some(&["metal3".to_string()][..])
    );
    let c = &ds["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["securityContext"]["allowPrivilegeEscalation"], false,
        "{c}"
    );
    assert!(c["securityContext"].get("privileged").is_none(), "{c}");
    // The ollama app waits for the plugin's Application.
    let wave = |name: &str| -> i32 {
        let app = &out.tree[&format!("argocd/application-{name}.yaml")];
        app.lines()
            .find_map(|l| l.trim().strip_prefix("argocd.argoproj.io/sync-wave: "))
            .and_then(|w| w.trim_matches(|c| c == '"' || c == '\'').parse().ok())
            .unwrap_or_else(|| panic!("no sync wave in the {name} Application:\n{app}"))
    };
    assert!(wave("ollama") > wave("cluster-devices"));
}

#[test]
fn the_real_catalogue_has_no_amd_plugin_while_metal3_is_planned() {
    let out = portkey::build(&real_cluster(), portkey::catalogue()).expect("renders");
    assert!(
        out.tree.keys().all(|k| !k.contains("amd-gpu")),
        "{:#?}",
        out.tree.keys()
    );
    let arch = &out.tree["ARCHITECTURE.md"];
    assert!(arch.contains("metal3"), "metal3 is not documented:\n{arch}");
}

#[test]
fn an_amd_igpu_on_a_vm_is_an_error_naming_the_reset_bug() {
    let mut cluster = expanded_cluster();
    node_mut(&mut cluster, "metal3").kind = NodeKind::Vm;
    let err = portkey::render(&cluster, expanded_apps()).expect_err("an AMD iGPU on a VM");
    let text = err.to_string();
    assert!(text.contains("nodes[metal3].hardware"), "{text}");
    assert!(text.contains("reset bug"), "{text}");
    assert!(text.contains("LXC"), "{text}");
    // Planned nodes are checked too: the mistake is caught before metal3 is enabled.
    let mut planned = real_cluster();
    planned.planned_nodes[0].kind = NodeKind::Vm;
    let err =
        portkey::render(&planned, portkey::catalogue()).expect_err("planned AMD iGPU on a VM");
    assert!(err.to_string().contains("reset bug"), "{err}");
}

#[test]
fn a_gpu_without_a_device_plugin_is_an_error() {
    // portkey emits the Intel and AMD plugins; an NVIDIA GPU has none, so a pod asking for
    // `nvidia.com/gpu` would stay Pending forever.
    let mut cluster = real_cluster();
    node_mut(&mut cluster, "metal0")
        .hardware
        .push(Hardware::Gpu(Gpu {
            vendor: GpuVendor::Nvidia,
            driver: GpuDriver::Nvidia,
            model: "NVIDIA GT 1030".into(),
            render_gid: None,
            integrated: false,
        }));
    let mut apps = portkey::catalogue();
    apps.push(
        App::new("cuda", Namespace::new("ai"))
            .source("apps/cuda.rs")
            .image(OLLAMA_IMAGE)
            .port(Port::http(8080))
            .gpu(GpuVendor::Nvidia),
    );
    // Placement succeeds (metal0 has the GPU); the missing provider is found when the
    // components' needs are resolved, before anything is written.
    let err = portkey::build_with(&cluster, apps, portkey::charts())
        .expect_err("no plugin advertises nvidia.com/gpu");
    let text = err.to_string();
    for needle in [
        "cuda",
        "needs",
        "nvidia.com/gpu",
        "no device plugin",
        "Pending",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
}

#[test]
fn the_default_class_is_annotated_and_the_bootstrap_lists_node_labels_and_nfs() {
    let out = portkey::build_with(&real_cluster(), portkey::catalogue(), portkey::charts())
        .expect("renders");
    let default = &out.tree["cluster/storage/storageclass-ceph-block.yaml"];
    assert!(
        default.contains("storageclass.kubernetes.io/is-default-class: \"true\""),
        "{default}"
    );
    let retain = &out.tree["cluster/storage/storageclass-ceph-block-retain.yaml"];
    assert!(!retain.contains("is-default-class"), "{retain}");
    let bootstrap = &out.tree["BOOTSTRAP.md"];
    let cluster = real_cluster();
    for n in cluster.nodes.iter().filter(|n| !n.labels.is_empty()) {
        for (k, v) in &n.labels {
            let command = format!("kubectl label node {} {k}={v}", n.name);
            assert!(bootstrap.contains(&command), "no `{command}`:\n{bootstrap}");
        }
    }
    assert!(bootstrap.contains("nfs-common"), "{bootstrap}");
    assert!(bootstrap.contains("`replicapool`"), "{bootstrap}");
    // Without NFS volumes, nfs-common is not asked for.
    let without_nfs: Vec<App> = portkey::catalogue()
        .into_iter()
        .filter(|a| ["vaultwarden", "grocy"].contains(&a.name.as_str()))
        .collect();
    assert!(without_nfs.iter().all(|a| {
        !a.volumes
            .iter()
            .any(|v| matches!(v.source, portkey::portkey_model::app::VolumeSource::Nfs(_)))
    }));
    let plain = portkey::build_with(&real_cluster(), without_nfs, portkey::charts())
        .expect("renders without the NFS apps");
    assert!(!plain.tree["BOOTSTRAP.md"].contains("nfs-common"));
}

#[test]
fn pinning_to_a_planned_node_says_it_is_not_enabled() {
    let mut apps = portkey::catalogue();
    apps.push(app("web").pin(&[portkey::cluster::METAL3], "test"));
    expect_error(
        &real_cluster(),
        apps,
        "web",
        "pin",
        &["metal3", "not enabled"],
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
    // It names the plugin's DaemonSet that would not run there.
    assert!(e.problem.contains("GPU plugin's DaemonSet"), "{e:#?}");
    assert!(e.problem.contains("GpuDevicePlugin `intel-gpu`"), "{e:#?}");
    assert!(e.fix.contains("kubectl label node"), "{e:#?}");
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
