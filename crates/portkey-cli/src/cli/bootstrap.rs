//! `portkey plan --bootstrap [--format json]`: the replay of Argo CD's sync of the root
//! Application, wave by wave ([`portkey_converge`]), with the provider of each LoadBalancer
//! address, certificate, device resource and health check, or the first object that could
//! never become healthy, with the reason and the fix.
//!
//! The JSON report:
//!
//! ```json
//! {
//!   "status": "converges",
//!   "stalled_wave": null,
//!   "first_stall": null,
//!   "waves": [{
//!     "wave": 0, "converges": true,
//!     "applications": [{
//!       "name": "traefik", "kind": "chart", "source": "apps/infra/traefik.rs", "converges": true,
//!       "objects": [{
//!         "object": "Service traefik/traefik", "kind": "Service", "namespace": "traefik",
//!         "name": "traefik", "healthy": true,
//!         "providers": [{ "need": "address", "what": "LoadBalancer address", "by": "metallb" }],
//!         "stall": null
//!       }]
//!     }]
//!   }],
//!   "problems": [],
//!   "error": null
//! }
//! ```
//!
//! A `stall` is `{"need", "field", "reason", "fix", "blocked_by"}` (`blocked_by`: the object
//! whose own failure this one follows from, or null); `first_stall` is
//! `{"application", "wave", "object", "need", "reason", "fix"}`; `problems` are the model
//! problems render reports (one per object that stalls on its own account).
//!
//! | `status` | exit | meaning |
//! |---|---|---|
//! | `converges` | 0 | every wave becomes healthy |
//! | `stalls` | 1 | an object never becomes healthy: `first_stall`, `problems` |
//! | `invalid` | 1 | the model has problems (`problems`); nothing was simulated |

use std::fmt::Write as _;
use std::process::ExitCode;

use portkey_converge::{Outcome, Simulation};
use serde_json::{Value, json};

use super::{Format, PROBLEMS, error_problems, model_problem, print_json};

/// The JSON report of a simulation (see the module documentation).
pub fn json(sim: &Simulation) -> Value {
    let waves: Vec<Value> = sim
        .waves()
        .into_iter()
        .map(|(wave, runs)| {
            json!({
                "wave": wave,
                "converges": runs.iter().all(|r| r.converges()),
                "applications": runs.iter().map(|r| json!({
                    "name": r.name,
                    "kind": r.kind,
                    "source": r.source,
                    "converges": r.converges(),
                    "objects": r.verdicts.iter().map(|v| json!({
                        "object": v.object.to_string(),
                        "kind": v.object.kind,
                        "namespace": v.object.namespace.as_deref(),
                        "name": v.object.name,
                        "healthy": v.stall().is_none(),
                        "providers": match &v.outcome {
                            Outcome::Healthy(p) => p.iter().map(|p| json!({
                                "need": p.need.as_str(), "what": p.what, "by": p.by,
                            })).collect::<Vec<_>>(),
                            Outcome::Never(_) => Vec::new(),
                        },
                        "stall": v.stall().map(|s| json!({
                            "need": s.need.as_str(),
                            "field": s.field,
                            "reason": s.reason,
                            "fix": s.fix,
                            "blocked_by": s.blocked_by.as_ref().map(ToString::to_string),
                        })),
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "status": if sim.converges() { "converges" } else { "stalls" },
        "stalled_wave": sim.stalled_wave(),
        "first_stall": sim.first_stall().map(|(r, v, s)| json!({
            "application": r.name,
            "wave": r.wave,
            "object": v.object.to_string(),
            "need": s.need.as_str(),
            "reason": s.reason,
            "fix": s.fix,
        })),
        "waves": waves,
        "problems": sim.problems().iter().map(model_problem).collect::<Vec<_>>(),
        "error": Value::Null,
    })
}

/// The text report: each wave, each Application with what provided its addresses,
/// certificates, device resources and health checks, and what never becomes healthy.
pub fn text(sim: &Simulation) -> String {
    let mut s = String::new();
    let stalled = sim.stalled_wave();
    for (wave, runs) in sim.waves() {
        let verdict = match stalled {
            Some(w) if w == wave => "stalls: Argo CD never gets past it",
            Some(w) if w < wave => "not reached",
            _ => "converges",
        };
        let _ = writeln!(s, "wave {wave}: {verdict}");
        let mut quiet = Vec::new();
        for r in &runs {
            let shown = r.shown();
            let stalls: Vec<_> = r
                .verdicts
                .iter()
                .filter_map(|v| v.stall().map(|st| (v, st)))
                .collect();
            if shown.is_empty() && stalls.is_empty() {
                quiet.push(r.name.as_str());
                continue;
            }
            let _ = writeln!(s, "  {} ({})", r.name, r.kind);
            for (v, st) in stalls {
                if let Some(root) = &st.blocked_by {
                    let _ = writeln!(s, "    x {} waits on {root}", v.object);
                } else {
                    let _ = writeln!(s, "    x {} never becomes healthy: {}", v.object, st.reason);
                    let _ = writeln!(s, "      fix: {}", st.fix);
                }
            }
            for (object, p) in shown {
                let _ = writeln!(s, "    {} for {object}: {}", p.what, p.by);
            }
        }
        if !quiet.is_empty() {
            let _ = writeln!(s, "  also: {}", quiet.join(", "));
        }
    }
    match sim.first_stall() {
        None => {
            let _ = writeln!(
                s,
                "every wave converges ({} Applications in {} waves)",
                sim.runs.len(),
                sim.waves().len()
            );
        }
        Some((r, v, st)) => {
            let _ = writeln!(
                s,
                "error: the bootstrap stalls at wave {} on {} ({}): {}\nfix: {}",
                r.wave, v.object, r.name, st.reason, st.fix
            );
        }
    }
    s
}

/// Runs `portkey plan --bootstrap` on the repository's model.
pub fn run(repo: &crate::Repository, format: Format) -> ExitCode {
    match crate::simulate_with(&(repo.cluster)(), (repo.apps)(), (repo.charts)()) {
        Ok(sim) => {
            match format {
                Format::Text => print!("{}", text(&sim)),
                Format::Json => print_json(&json(&sim)),
            }
            if sim.converges() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(PROBLEMS)
            }
        }
        Err(e) => {
            match format {
                Format::Text => eprintln!("error: {e}"),
                Format::Json => print_json(&json!({
                    "status": "invalid",
                    "stalled_wave": Value::Null,
                    "first_stall": Value::Null,
                    "waves": [],
                    "problems": error_problems(&e),
                    "error": Value::Null,
                })),
            }
            ExitCode::from(PROBLEMS)
        }
    }
}
