//! Capacity: GPU needs no node can satisfy, over-full nodes, the memory-limit warning, and
//! GPU slots and devices (extended resources are finite too).

use super::*;

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
// Over-full nodes
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
// The memory-limit warning
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
        integrated: true,
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
fn a_gpu_app_moves_only_where_a_slot_is_free() {
    // Both GPU slots of node-b and of node-a are taken; a node-a failure strands its GPU apps.
    let mut cluster = test_cluster();
    let a = node_mut(&mut cluster, "node-a");
    a.hardware.push(Hardware::Gpu(Gpu {
        vendor: GpuVendor::Intel,
        driver: GpuDriver::I915,
        model: "Intel UHD".into(),
        render_gid: Some(RENDER_GID),
        integrated: true,
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

#[test]
fn device_contention_names_the_app_holding_it() {
    expect_error(
        &test_cluster(),
        vec![app("a").needs(DONGLE), app("b").needs(DONGLE)],
        "b",
        "requests",
        &["offer 1, all held", "`a` on node-c"],
    );
}

#[test]
fn request_bigger_than_any_node_names_the_largest() {
    expect_error(
        &test_cluster(),
        vec![
            app("big")
                .requests(Cpu::cores(64), Memory::gi(1))
                .memory_limit(Memory::gi(2)),
        ],
        "big",
        "requests",
        &["64 CPU", "more than any node", "the largest is"],
    );
}
