//! `generated/ARCHITECTURE.md`: the seed's architecture tables produced from the model, so
//! the document can never drift from the cluster it describes. The operational sections
//! (external dependencies, recovery, monitoring, maintenance, known issues) are in
//! [`crate::operations`]; the diagram shows nodes, storage and app-to-app dependencies.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use portkey_model::analysis::{Plan, RWO_DETACH_MINUTES};
use portkey_model::app::VolumeSource;
use portkey_model::backup::RUNBOOK;
use portkey_model::cluster::{Cluster, GpuDriver, Hardware, Node, NodeKind, NodeRole, Reclaim};
use portkey_model::resolve::Catalogue;

/// Path of the document under `generated/`.
pub const PATH: &str = "ARCHITECTURE.md";

/// The architecture document.
pub fn document(catalogue: &Catalogue<'_>, plan: &Plan) -> String {
    let cluster = catalogue.cluster;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} cluster architecture\n\n{} nodes, {} apps. Everything below is produced from `cluster.rs` and `apps/`; \
         change those and run `cargo run -- render`.\n",
        title(&cluster.name),
        cluster.nodes.len(),
        catalogue.apps.len()
    );
    nodes(&mut s, cluster);
    storage(&mut s, cluster);
    critical(&mut s, catalogue, plan);
    backups(&mut s, catalogue);
    placement(&mut s, plan);
    failures(&mut s, plan);
    crate::connectivity::section(&mut s, catalogue);
    crate::operations::external_dependencies(&mut s, catalogue);
    crate::operations::recovery(&mut s, catalogue);
    crate::operations::monitoring(&mut s, catalogue);
    crate::operations::maintenance(&mut s, catalogue, plan);
    crate::operations::known_issues(&mut s, catalogue, plan);
    diagram(&mut s, catalogue, plan);
    s
}

fn title(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// "Intel GPU (i915)", "Zigbee USB coordinator", or "-".
pub fn special_hardware(node: &Node) -> String {
    let items: Vec<String> = node
        .hardware
        .iter()
        .map(|h| match h {
            Hardware::Gpu(g) => {
                let driver = match g.driver {
                    GpuDriver::I915 => "i915",
                    GpuDriver::Xe => "xe",
                    GpuDriver::Amdgpu => "amdgpu",
                    GpuDriver::Nvidia => "nvidia",
                };
                format!("{} GPU ({driver})", g.vendor)
            }
            Hardware::Device(d) => d.description.clone(),
        })
        .collect();
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

const NODE_TABLE: &str = "| Node | Role | Resources | Special Hardware | Proxmox Host | Type |\n|------|------|-----------|------------------|--------------|------|\n";

fn node_row(s: &mut String, n: &Node) {
    let _ = writeln!(
        s,
        "| {} | {} | {} CPU, {} RAM | {} | {} ({}) | {} |",
        n.name,
        match n.role {
            NodeRole::Worker => "Worker",
            NodeRole::ControlPlane => "Control plane",
        },
        n.cpu,
        n.memory,
        special_hardware(n),
        n.host.name,
        n.host.cpu_model,
        match n.kind {
            NodeKind::Vm => "VM",
            NodeKind::Lxc => "LXC",
            NodeKind::Metal => "Bare metal",
        }
    );
}

fn nodes(s: &mut String, cluster: &Cluster) {
    s.push_str("## Nodes\n\n");
    s.push_str(NODE_TABLE);
    for n in &cluster.nodes {
        node_row(s, n);
    }
    s.push('\n');
    if cluster.planned_nodes.is_empty() {
        return;
    }
    s.push_str(
        "### Expansion options\n\nDeclared in `cluster.rs` but not enabled: nothing is placed on these nodes and \
         no device plugin is emitted for them until they are joined and moved to the joined nodes.\n\n",
    );
    s.push_str(NODE_TABLE);
    for n in &cluster.planned_nodes {
        node_row(s, n);
    }
    s.push_str(
        "\nAn AMD iGPU is used from an LXC container (or bare metal), never a VM: the APU reset bug and IOMMU \
         grouping make passthrough unreliable, and portkey refuses the combination.\n\n",
    );
}

fn storage(s: &mut String, cluster: &Cluster) {
    s.push_str(
        "## Storage\n\n| Storage class | Provisioner | Reclaim | Snapshots |\n|---|---|---|---|\n",
    );
    for c in &cluster.storage_classes {
        let _ = writeln!(
            s,
            "| `{}`{} | {} | {} | {} |",
            c.name,
            if c.name == cluster.default_storage_class.name() {
                " (default)"
            } else {
                ""
            },
            c.provisioner,
            match c.reclaim {
                Reclaim::Delete => "Delete",
                Reclaim::Retain => "Retain",
            },
            if c.snapshots { "yes" } else { "no" }
        );
    }
    s.push_str("\n| NFS share | Export |\n|---|---|\n");
    for n in &cluster.nfs_shares {
        let _ = writeln!(s, "| {} | `{}:{}` |", n.name, n.server, n.path);
    }
    s.push('\n');
}

fn critical(s: &mut String, catalogue: &Catalogue<'_>, plan: &Plan) {
    s.push_str("## Critical services\n\n| App | Namespace | Why | Storage | Backup |\n|---|---|---|---|---|\n");
    for app in catalogue.apps.iter().filter(|a| a.app.critical.is_some()) {
        let storage: Vec<String> = app
            .claims
            .iter()
            .map(|c| format!("`{}` on `{}`", c.name, c.storage_class))
            .collect();
        let backup: Vec<String> = app
            .backups()
            .map(|(_, b)| {
                format!(
                    "{}, {}",
                    b.policy.schedule.describe(),
                    b.policy.retention.describe()
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            app.app.name,
            app.app.namespace.name(),
            app.app.critical.as_deref().unwrap_or_default(),
            storage.join(", "),
            backup.join("; ")
        );
    }
    s.push('\n');
    for f in &plan.failures {
        if !f.down.is_empty() {
            let apps: Vec<&str> = f.down.iter().map(|(a, _)| a.as_str()).collect();
            let _ = writeln!(
                s,
                "- **Risk**: a failure of {} takes down {} (they may run on no other node).",
                f.node,
                apps.join(", ")
            );
        }
    }
    s.push('\n');
}

fn backups(s: &mut String, catalogue: &Catalogue<'_>) {
    s.push_str("## Backup strategy\n\n| App | Frequency | Method | Retention |\n|-----|-----------|--------|-----------|\n");
    for app in &catalogue.apps {
        let backed: Vec<_> = app.backups().collect();
        for (c, b) in &backed {
            let b = &b.policy;
            let name = if backed.len() == 1 {
                app.app.name.clone()
            } else {
                format!("{} ({})", app.app.name, c.volume)
            };
            let _ = writeln!(
                s,
                "| {name} | {} | Volsync/Restic | {} |",
                b.schedule.describe(),
                b.retention.describe()
            );
        }
    }
    let _ = writeln!(
        s,
        "\nRestores: see [{RUNBOOK}]({RUNBOOK}). Volumes not listed are exempt, each with its reason in its app file.\n"
    );
}

fn pct(used: &str, percent: u64) -> String {
    format!("{used} ({percent}%)")
}

fn placement(s: &mut String, plan: &Plan) {
    s.push_str("## Placement and capacity\n\nPlaced by portkey's model of the scheduler: apps bound to one node first, then the largest requests first, each onto the feasible node with the largest free share of CPU and memory.\n\n| Node | CPU requests | CPU limits | Memory requests | Memory limits | Apps |\n|---|---|---|---|---|---|\n");
    for u in &plan.nodes {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            u.node,
            pct(
                &format!("{} of {}", u.cpu_requests, u.cpu),
                u.cpu_request_percent()
            ),
            pct(&format!("{}", u.cpu_limits), u.cpu_limit_percent()),
            pct(
                &format!("{} of {}", u.memory_requests, u.memory),
                u.memory_request_percent()
            ),
            pct(&format!("{}", u.memory_limits), u.memory_limit_percent()),
            u.apps.join(", ")
        );
    }
    s.push('\n');
    for w in &plan.warnings {
        let _ = writeln!(s, "- ⚠️ {w}");
    }
    let pinned: Vec<String> = plan
        .placements
        .iter()
        .filter_map(|p| {
            p.constraint
                .as_ref()
                .map(|c| format!("{} → {} ({c})", p.app, p.feasible.join(" or ")))
        })
        .collect();
    if !pinned.is_empty() {
        s.push_str("\nConstrained apps:\n\n");
        for p in pinned {
            let _ = writeln!(s, "- {p}");
        }
    }
    s.push('\n');
}

fn failures(s: &mut String, plan: &Plan) {
    let _ = writeln!(
        s,
        "## Node failure\n\nReadWriteOnce volumes take about {RWO_DETACH_MINUTES} minutes to detach before a moved app starts.\n\n\
         | Failed node | Down until it returns | Stopped by a dependency | Restarts elsewhere | No room | RWO delays |\n|---|---|---|---|---|---|"
    );
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    for f in &plan.failures {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            f.node,
            list(
                f.down
                    .iter()
                    .map(|(a, why)| format!("{a} ({why})"))
                    .collect()
            ),
            list(
                f.degraded
                    .iter()
                    .map(|(a, why)| format!("{a} ({why})"))
                    .collect()
            ),
            list(
                f.moved
                    .iter()
                    .map(|(a, to)| format!("{a} → {to}"))
                    .collect()
            ),
            list(f.stranded.clone()),
            list(f.rwo_delays.clone()),
        );
    }
    s.push('\n');
}

fn id(name: &str) -> String {
    name.replace(['-', '.', '/'], "_")
}

fn diagram(s: &mut String, catalogue: &Catalogue<'_>, plan: &Plan) {
    let cluster = catalogue.cluster;
    s.push_str("## Diagram\n\n```mermaid\nflowchart LR\n");
    for u in &plan.nodes {
        let node = cluster.nodes.iter().find(|n| n.name == u.node);
        let host = node.map_or_else(String::new, |n| format!(" on {}", n.host.name));
        let _ = writeln!(
            s,
            "  subgraph {}[\"{}{host}\"]",
            id(&format!("node_{}", u.node)),
            u.node
        );
        for a in &u.apps {
            let _ = writeln!(s, "    {}[\"{a}\"]", id(a));
        }
        s.push_str("  end\n");
    }
    let mut stores = BTreeSet::new();
    let mut edges = Vec::new();
    for app in &catalogue.apps {
        for v in &app.app.volumes {
            let target = match &v.source {
                VolumeSource::Claim(_) => app.claims.iter().find(|c| c.volume == v.name).map(|c| {
                    (
                        format!("sc_{}", c.storage_class),
                        format!("{} (Ceph)", c.storage_class),
                    )
                }),
                VolumeSource::Nfs(nfs) => cluster
                    .nfs_share(nfs.share)
                    .map(|n| (format!("nfs_{}", n.name), format!("NFS {}", n.path))),
                VolumeSource::EmptyDir(_) => None,
            };
            if let Some((sid, label)) = target {
                edges.push(format!("  {} --> {}", id(&app.app.name), id(&sid)));
                stores.insert((sid, label));
            }
        }
    }
    for (sid, label) in &stores {
        let _ = writeln!(s, "  {}[(\"{label}\")]", id(sid));
    }
    edges.dedup();
    // App-to-app dependencies, dotted: `waits for` blocks the app's start, `depends on`
    // only orders the sync waves.
    for app in &catalogue.apps {
        for d in &app.app.dependencies {
            edges.push(format!(
                "  {} -. {} .-> {}",
                id(&app.app.name),
                if d.wait_at_startup {
                    "waits for"
                } else {
                    "depends on"
                },
                id(&d.app)
            ));
        }
    }
    for e in edges {
        let _ = writeln!(s, "{e}");
    }
    s.push_str("```\n");
}
