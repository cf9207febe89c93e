//! The real catalogue: placement and node failure, and the architecture document against
//! the seed's tables.

use super::*;

/// An app that may run anywhere may run on every worker, and all such apps share one list
/// of them (each placement is kept to the end of a render).
#[test]
fn unconstrained_apps_share_the_list_of_workers() {
    let plan = real_plan();
    let anywhere: Vec<_> = plan
        .placements
        .iter()
        .filter(|p| p.constraint.is_none())
        .collect();
    assert!(anywhere.len() >= 2, "{anywhere:#?}");
    let cluster = real_cluster();
    let workers: Vec<&str> = cluster
        .nodes
        .iter()
        .filter(|n| n.role == portkey::portkey_model::cluster::NodeRole::Worker)
        .map(|n| n.name.as_str())
        .collect();
    for p in &anywhere {
        assert_eq!(*p.feasible, *workers, "{}", p.app);
        assert!(
            std::sync::Arc::ptr_eq(&p.feasible, &anywhere[0].feasible),
            "{}",
            p.app
        );
    }
}

#[test]
fn jellyfin_lands_on_an_intel_gpu_node() {
    let plan = real_plan();
    let p = placement(&plan, "jellyfin");
    assert_eq!(*p.feasible, ["metal1", "metal2"]);
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
        assert_eq!(*p.feasible, ["metal0"], "{p:#?}");
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
// The architecture document against the seed's tables
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
        // The seed's retention ("7 days"), then the older keeps that defend against the
        // empty-restore trap (`portkey_model::backup::empty_restore`).
        let (seed, older) = r["Retention"]
            .split_once(", ")
            .unwrap_or((r["Retention"].as_str(), ""));
        assert!(
            older.contains("weekly") || older.contains("monthly"),
            "{which}: {} keeps nothing older than the seed's week: {}",
            r["App"],
            r["Retention"]
        );
        let prev = got.insert(
            r["App"].as_str(),
            (r["Frequency"].as_str(), r["Method"].as_str(), seed),
        );
        assert!(prev.is_none(), "{which}: {} listed twice", r["App"]);
    }
    let want: BTreeMap<&str, (&str, &str, &str)> = SEED_BACKUPS
        .iter()
        .map(|&(a, f, m, r)| (a, (f, m, r)))
        .chain(
            crate::apps::BACKED_UP_BEYOND_THE_SEED
                .into_iter()
                .map(|a| (a, ("Daily", "Volsync/Restic", "7 days"))),
        )
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
