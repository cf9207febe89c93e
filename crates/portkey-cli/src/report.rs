//! `portkey plan` output: text tables for people, JSON for tools.

use std::fmt::Write as _;

use portkey_model::analysis::Plan;
use serde_json::{Value, json};

/// Utilisation per node and the failure table, as aligned text.
pub fn plan_text(plan: &Plan) -> String {
    let mut s = String::from("Utilisation (requests and limits as a share of the node)\n\n");
    let _ = writeln!(
        s,
        "{:<10} {:>16} {:>12} {:>22} {:>16}  apps",
        "node", "cpu requests", "cpu limits", "memory requests", "memory limits"
    );
    for u in &plan.nodes {
        let _ = writeln!(
            s,
            "{:<10} {:>16} {:>12} {:>22} {:>16}  {}",
            u.node,
            format!(
                "{}/{} {:>3}%",
                u.cpu_requests,
                u.cpu,
                u.cpu_request_percent()
            ),
            format!("{} {:>3}%", u.cpu_limits, u.cpu_limit_percent()),
            format!(
                "{}/{} {:>3}%",
                u.memory_requests,
                u.memory,
                u.memory_request_percent()
            ),
            format!("{} {:>3}%", u.memory_limits, u.memory_limit_percent()),
            u.apps.join(", ")
        );
    }
    for w in &plan.warnings {
        let _ = writeln!(s, "\nwarning: {w}");
    }
    s.push_str("\nIf a node fails\n");
    for f in &plan.failures {
        let _ = writeln!(s, "\n{}:", f.node);
        let line = |label: &str, items: Vec<String>| {
            if items.is_empty() {
                String::new()
            } else {
                format!("  {label:<24} {}\n", items.join(", "))
            }
        };
        s.push_str(&line(
            "down until it returns",
            f.down
                .iter()
                .map(|(a, why)| format!("{a} ({why})"))
                .collect(),
        ));
        s.push_str(&line(
            "stopped (dependency)",
            f.degraded
                .iter()
                .map(|(a, why)| format!("{a} ({why})"))
                .collect(),
        ));
        s.push_str(&line(
            "restart elsewhere",
            f.moved
                .iter()
                .map(|(a, to)| format!("{a} → {to}"))
                .collect(),
        ));
        s.push_str(&line("no room elsewhere", f.stranded.clone()));
        s.push_str(&line("RWO volumes (~6 min)", f.rwo_delays.clone()));
        if f.down.is_empty() && f.moved.is_empty() && f.stranded.is_empty() {
            s.push_str("  nothing runs there\n");
        } else if f.survivable() {
            s.push_str("  the remaining nodes hold every app that can move\n");
        }
    }
    s
}

/// The same facts as JSON.
pub fn plan_json(plan: &Plan) -> Value {
    json!({
        "nodes": plan.nodes.iter().map(|u| json!({
            "node": u.node,
            "cpu_millicores": u.cpu.millicores(),
            "memory_bytes": u.memory.bytes(),
            "cpu_requests_millicores": u.cpu_requests.millicores(),
            "cpu_limits_millicores": u.cpu_limits.millicores(),
            "memory_requests_bytes": u.memory_requests.bytes(),
            "memory_limits_bytes": u.memory_limits.bytes(),
            "cpu_requests_percent": u.cpu_request_percent(),
            "memory_requests_percent": u.memory_request_percent(),
            "memory_limits_percent": u.memory_limit_percent(),
            "apps": u.apps,
        })).collect::<Vec<_>>(),
        "placements": plan.placements.iter().map(|p| json!({
            "app": p.app,
            "node": p.node,
            "feasible": &*p.feasible,
            "constraint": p.constraint,
        })).collect::<Vec<_>>(),
        "failures": plan.failures.iter().map(|f| json!({
            "node": f.node,
            "down": f.down.iter().map(|(a, why)| json!({"app": a, "reason": why})).collect::<Vec<_>>(),
            "degraded": f.degraded.iter().map(|(a, why)| json!({"app": a, "reason": why})).collect::<Vec<_>>(),
            "moved": f.moved.iter().map(|(a, to)| json!({"app": a, "to": to})).collect::<Vec<_>>(),
            "stranded": f.stranded,
            "rwo_delays": f.rwo_delays,
            "survivable": f.survivable(),
        })).collect::<Vec<_>>(),
        "warnings": plan.warnings,
    })
}
