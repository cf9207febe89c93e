//! In render, a problem found in a compiled object points back at the model: the app (the
//! object's `app.kubernetes.io/name` label, and the model file it came from) and, where
//! the field path maps cleanly, the builder method that sets it. The field paths portkey
//! emits are few, so a small table does.

use portkey_model::json::at;
use serde_json::Value;

use crate::Problem;

/// `App` builder method for a field of a container (the path after `.../containers/<i>`).
fn container_field(container: &Value, rest: &str) -> Option<String> {
    let mut parts = rest.trim_start_matches('/').splitn(3, '/');
    let first = parts.next()?;
    let second = parts.next();
    let named = |list: &str, method: &str| {
        let name = second
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| container.get(list)?.get(i)?.get("name")?.as_str())?;
        Some(format!("{method}[{name}]"))
    };
    match first {
        "env" => named("env", "env"),
        "ports" => named("ports", "ports"),
        "volumeMounts" => named("volumeMounts", "volumes"),
        "resources" => Some(match (second, parts.next()) {
            (Some("limits"), Some("memory")) => "memory_limit".into(),
            (Some("limits"), Some("cpu")) => "cpu_limit".into(),
            (Some("limits"), Some(r)) if r.contains('~') => "gpu".into(),
            _ => "requests".into(),
        }),
        "securityContext" => Some("run_as".into()),
        "livenessProbe" | "readinessProbe" => Some("probe".into()),
        "startupProbe" => Some("startup".into()),
        "image" => Some("image".into()),
        "command" => Some("command".into()),
        "args" => Some("args".into()),
        "name" => Some("App::new (the app's name)".into()),
        _ => None,
    }
}

/// The model field a JSON pointer into a compiled object comes from, if it maps cleanly:
/// `/spec/template/spec/containers/0/env/3/name` is `env[NAME]`, `.../resources/limits/cpu`
/// is `cpu_limit`, `.../securityContext/runAsUser` is `run_as`.
pub fn model_field(object: &Value, pointer: &str) -> Option<String> {
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for list in ["/containers/", "/initContainers/"] {
        if let Some((pod, rest)) = pointer.split_once(list) {
            let (index, rest) = rest.split_once('/').unwrap_or((rest, ""));
            let container = at(object, &format!("{pod}{list}{index}"))?;
            return container_field(container, rest);
        }
    }
    let pod_field = |rest: &str| -> Option<String> {
        let mut parts = rest.trim_start_matches('/').splitn(3, '/');
        match (parts.next()?, parts.next()) {
            ("securityContext", Some("supplementalGroups")) => Some("supplemental_groups".into()),
            ("securityContext", _) => Some("run_as".into()),
            ("volumes", Some(i)) => {
                let pod = pointer.strip_suffix(rest)?;
                let name = at(object, &format!("{pod}/volumes/{i}/name"))?.as_str()?;
                Some(format!("volumes[{name}]"))
            }
            _ => None,
        }
    };
    if let Some(rest) = pointer.strip_prefix("/spec/template/spec") {
        return pod_field(rest);
    }
    if pointer.starts_with("/metadata/annotations") {
        return Some(if kind == "Ingress" {
            "ingress_annotation".into()
        } else {
            "annotation".into()
        });
    }
    if pointer == "/metadata/name" {
        return Some("App::new (the app's name)".into());
    }
    match kind {
        "Service" => {
            let i = pointer.strip_prefix("/spec/ports/")?.split('/').next()?;
            let name = at(object, &format!("/spec/ports/{i}/name"))?.as_str()?;
            Some(format!("ports[{name}]"))
        }
        "Ingress" if pointer.starts_with("/spec/rules") || pointer.starts_with("/spec/tls") => {
            Some("https".into())
        }
        "PersistentVolumeClaim" if pointer.starts_with("/spec") => Some("claim".into()),
        "ConfigMap" if pointer.starts_with("/data") => Some("config_file".into()),
        "StatefulSet" if pointer.starts_with("/spec/volumeClaimTemplates") => Some("claim".into()),
        _ => None,
    }
}

/// `problem`, found in render in `object`, with the app and model field in front of its
/// message: ``app mosquitto (apps/mosquitto.rs), model field `env[A=B]`: ...``.
pub fn attribute(mut problem: Problem, object: &Value) -> Problem {
    let app = at(object, "/metadata/labels/app.kubernetes.io~1name").and_then(Value::as_str);
    let field = model_field(object, &problem.pointer);
    let mut prefix = match app {
        Some(app) => format!("app {app} ({})", problem.file),
        None => format!("model source {}", problem.file),
    };
    if let Some(field) = field {
        use std::fmt::Write;
        let _ = write!(prefix, ", model field `{field}`");
    }
    problem.message = format!("{prefix}: {}", problem.message);
    problem
}
