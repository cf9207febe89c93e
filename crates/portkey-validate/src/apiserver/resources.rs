//! A container's `resources` (`k8s.io/kubernetes/pkg/apis/core/validation/validation.go`,
//! `ValidateResourceRequirements` and `validateContainerResourceName`):
//!
//! - a resource name is a standard container resource (`cpu`, `memory`,
//!   `ephemeral-storage`, `hugepages-<size>`) or a qualified extended resource name outside
//!   the `kubernetes.io/` domain;
//! - each quantity parses and is 0 or more (`ValidateResourceQuantityValue`), and an
//!   extended resource's is a whole number (`IsIntegerResourceName`: "must be an integer");
//! - a request is at most its limit ("must be less than or equal to ... limit");
//! - resources that cannot be overcommitted (hugepages, extended resources such as GPUs)
//!   need a limit, and a request equal to it ("must be equal to ... limit");
//! - `hugepages-<size>` names a valid page size, and hugepages need a CPU or memory
//!   request or limit beside them ("HugePages require cpu or memory").
//!
//! One rule is portkey's policy, not the API server's: the `resources` lint demands CPU
//! and memory requests, and a request of 0 reserves nothing, so a zero request is an error
//! unless the object suppresses that lint.

use serde_json::{Map, Value};

use super::quantity::{self, Quantity};
use super::{Out, predicates, token};

const STANDARD: [&str; 3] = ["cpu", "memory", "ephemeral-storage"];

/// What kind of resource a name is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Native,
    HugePages,
    Extended,
}

fn class(name: &str) -> Result<Class, String> {
    if STANDARD.contains(&name) {
        return Ok(Class::Native);
    }
    if let Some(size) = name.strip_prefix("hugepages-") {
        return match quantity::parse(size) {
            Ok(q) if q.nanos() > 0 => Ok(Class::HugePages),
            _ => Err(format!("{size:?} is not a valid page size")),
        };
    }
    if !name.contains('/') {
        return Err("must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a fully qualified extended resource name".into());
    }
    predicates::qualified_name(name)?;
    // `IsNativeResource` (any `kubernetes.io/` domain) and `DefaultResourceRequestsPrefix`.
    if name.contains("kubernetes.io/") || name.starts_with("requests.") {
        return Err("is not an extended resource name: the kubernetes.io/ domain and the requests. prefix are reserved".into());
    }
    Ok(Class::Extended)
}

/// The parsed quantities of one map (`requests` or `limits`), reported as they are read.
fn quantities<'v>(
    out: &mut Out<'_>,
    at: &str,
    container: &str,
    map: Option<&'v Map<String, Value>>,
) -> Vec<(&'v str, Class, Quantity)> {
    let mut parsed = Vec::new();
    for (name, value) in map.into_iter().flatten() {
        let pointer = || format!("{at}/{}", token(name));
        let class = match class(name) {
            Ok(c) => c,
            Err(e) => {
                out.add(
                    pointer(),
                    &format!("resource name {name:?} of container {container} is not valid"),
                    "core validation.validateContainerResourceName",
                    &e,
                );
                continue;
            }
        };
        let q = match quantity::from_value(value) {
            Some(Ok(q)) => q,
            Some(Err(e)) => {
                out.add(
                    pointer(),
                    &format!("quantity {value} of {name} in container {container} is not valid"),
                    "apimachinery resource.ParseQuantity",
                    &e.to_string(),
                );
                continue;
            }
            None => {
                out.add(
                    pointer(),
                    &format!("quantity {value} of {name} in container {container} is not valid"),
                    "apimachinery resource.ParseQuantity",
                    "a quantity is a string or a number",
                );
                continue;
            }
        };
        if q.is_negative() {
            out.add(
                pointer(),
                &format!("{name} {value} of container {container} is negative"),
                "core validation.ValidateResourceQuantityValue: ValidateNonnegativeQuantity",
                "must be greater than or equal to 0",
            );
        } else if class == Class::Extended && !q.is_whole() {
            out.add(
                pointer(),
                &format!("{name} {value} of container {container} is a fraction"),
                "core validation.ValidateResourceQuantityValue: IsIntegerResourceName",
                "must be an integer",
            );
        }
        parsed.push((name.as_str(), class, q));
    }
    parsed
}

pub(super) fn check(
    out: &mut Out<'_>,
    at: &str,
    container: &str,
    resources: &Value,
    lint_exempt: bool,
) {
    let limits_at = format!("{at}/limits");
    let requests_at = format!("{at}/requests");
    let limits = quantities(
        out,
        &limits_at,
        container,
        resources.get("limits").and_then(Value::as_object),
    );
    let requests = quantities(
        out,
        &requests_at,
        container,
        resources.get("requests").and_then(Value::as_object),
    );
    for &(name, class, request) in &requests {
        let pointer = || format!("{requests_at}/{}", token(name));
        let limit = limits.iter().find(|(n, _, _)| *n == name).map(|l| l.2);
        match (class, limit) {
            (Class::Native, Some(limit)) if request > limit => out.add(
                pointer(),
                &format!("the {name} request of container {container} is above its limit"),
                "core validation.ValidateResourceRequirements",
                &format!(
                    "must be less than or equal to {name} limit of {}",
                    display(resources, "limits", name)
                ),
            ),
            (Class::HugePages | Class::Extended, None) => out.add(
                pointer(),
                &format!("{name} of container {container} is requested without a limit"),
                "core validation.ValidateResourceRequirements",
                "Limit must be set for non overcommitable resources",
            ),
            (Class::HugePages | Class::Extended, Some(limit)) if request != limit => out.add(
                pointer(),
                &format!("the {name} request of container {container} differs from its limit"),
                "core validation.ValidateResourceRequirements",
                &format!(
                    "must be equal to {name} limit of {}",
                    display(resources, "limits", name)
                ),
            ),
            _ => {}
        }
        if !lint_exempt && matches!(name, "cpu" | "memory") && request.is_zero() {
            out.add(
                pointer(),
                &format!("the {name} request of container {container} is 0"),
                "portkey lint resources",
                "a zero request reserves nothing on the node; request what the container needs, or suppress the `resources` lint with its reason",
            );
        }
    }
    let hugepages = limits
        .iter()
        .chain(&requests)
        .any(|(_, c, _)| *c == Class::HugePages);
    let cpu_or_memory = limits
        .iter()
        .chain(&requests)
        .any(|(n, _, _)| matches!(*n, "cpu" | "memory"));
    if hugepages && !cpu_or_memory {
        out.add(
            at.into(),
            &format!("container {container} asks for hugepages alone"),
            "core validation.ValidateResourceRequirements",
            "HugePages require cpu or memory",
        );
    }
}

/// A quantity as written.
fn display(resources: &Value, map: &str, name: &str) -> String {
    match resources.get(map).and_then(|m| m.get(name)) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    }
}
