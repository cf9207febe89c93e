//! Cluster-aware analysis: GPU and capacity checks, the memory-limit warning, node failure,
//! expansion by one inventory entry, the architecture document against the seed's tables,
//! `portkey plan`, inventory consistency and determinism.

mod capacity;
mod inventory;
mod plan;
mod real;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;
use portkey::portkey_compile::{self, Manifest};
use portkey::portkey_model::analysis::Plan;
use portkey::portkey_model::app::{App, Namespace, Port};
use portkey::portkey_model::cluster::{
    Cluster, Gpu, GpuDriver, GpuVendor, Hardware, Node, NodeKind,
};
use portkey::portkey_model::quantity::{Cpu, Memory};
use portkey::portkey_model::{self, ModelError};

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
    portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"))
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

/// `4 CPU, 42Gi RAM` (or `42GB`/`42GiB`, the seed's spelling) → (4, 42).
fn parse_resources(cell: &str) -> (u64, u64) {
    let re = regex::Regex::new(r"^(\d+) CPU, (\d+) ?(Gi|GiB|GB) RAM$").unwrap();
    let c = re
        .captures(cell)
        .unwrap_or_else(|| panic!("resources cell {cell:?} is not `N CPU, M Gi RAM`"));
    (c[1].parse().unwrap(), c[2].parse().unwrap())
}
