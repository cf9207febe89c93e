//! Services (`k8s.io/kubernetes/pkg/apis/core/validation/validation.go`, `ValidateService`
//! and `validateServicePort`):
//!
//! - `type` is ClusterIP, NodePort, LoadBalancer or ExternalName; an ExternalName Service
//!   has an `externalName` that is a DNS-1123 subdomain;
//! - a Service with a cluster IP has ports; with more than one port each is named; names
//!   are DNS-1123 labels and unique; `port` is 1–65535; the same port and protocol appear
//!   once; `protocol` is TCP, UDP or SCTP;
//! - `targetPort` is a port number (1–65535) or an `IsValidPortName`;
//! - `nodePort` is only for NodePort and LoadBalancer Services;
//! - the selector is a label map (`ValidateLabels`).
//!
//! Across objects ([`target_ports`]): a named `targetPort` is a container port name of the
//! Pods the Service selects; a name none of them declares leaves the Service without
//! endpoints (the EndpointSlice controller's `podutil.FindPort` finds nothing).

use std::collections::BTreeSet;

use portkey_model::json::at;
use serde_json::Value;

use super::{Out, list, meta, pod, predicates, str_of};
use crate::{Problem, object_label};

pub(super) fn check(out: &mut Out<'_>, object: &Value) {
    let Some(spec) = object.get("spec") else {
        return;
    };
    let kind = str_of(spec, "type").unwrap_or("ClusterIP");
    if !matches!(
        kind,
        "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
    ) {
        out.add(
            "/spec/type".into(),
            &format!("Service type {kind:?} is not valid"),
            "core validation.ValidateService",
            "Unsupported value: supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"",
        );
    }
    if kind == "ExternalName" {
        let name = str_of(spec, "externalName").unwrap_or_default();
        out.check(
            predicates::dns1123_subdomain(name),
            "core validation.ValidateService: IsDNS1123Subdomain",
            || "/spec/externalName".into(),
            || format!("externalName {name:?} is not valid"),
        );
    }
    meta::labels(out, "/spec/selector", spec.get("selector"));
    let ports = list(spec, "ports");
    let headless = str_of(spec, "clusterIP") == Some("None");
    if ports.is_empty() && kind != "ExternalName" && !headless {
        out.add(
            "/spec/ports".into(),
            "the Service has no ports",
            "core validation.ValidateService",
            "Required value",
        );
    }
    let mut names = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let at = format!("/spec/ports/{i}");
        port_name(out, &at, p, ports.len(), &mut names);
        let number = p.get("port").and_then(Value::as_i64).unwrap_or(0);
        out.check(
            predicates::port_num(number),
            "core validation.validateServicePort: IsValidPortNum",
            || format!("{at}/port"),
            || format!("Service port {number} is not valid"),
        );
        let protocol = str_of(p, "protocol").unwrap_or("TCP");
        if !pairs.insert((number, protocol)) {
            out.add(
                format!("{at}/port"),
                &format!("Service port {number}/{protocol} is listed twice"),
                "core validation.ValidateService",
                "Duplicate value",
            );
        }
        pod::protocol(out, &at, p);
        match p.get("targetPort") {
            Some(Value::Number(n)) => out.check(
                predicates::port_num(n.as_i64().unwrap_or(-1)),
                "core validation.validateServicePort: IsValidPortNum",
                || format!("{at}/targetPort"),
                || format!("targetPort {n} is not valid"),
            ),
            Some(Value::String(s)) => out.check(
                predicates::port_name(s),
                "core validation.validateServicePort: IsValidPortName",
                || format!("{at}/targetPort"),
                || format!("targetPort name {s:?} is not valid"),
            ),
            _ => {}
        }
        if p.get("nodePort").is_some() && !matches!(kind, "NodePort" | "LoadBalancer") {
            out.add(
                format!("{at}/nodePort"),
                &format!("a {kind} Service sets nodePort"),
                "core validation.ValidateService",
                &format!("may not be used when `type` is '{kind}'"),
            );
        }
    }
}

/// A Service port's name: required among several, a DNS-1123 label, unique.
fn port_name<'v>(
    out: &mut Out<'_>,
    at: &str,
    p: &'v Value,
    count: usize,
    names: &mut BTreeSet<&'v str>,
) {
    match str_of(p, "name").filter(|n| !n.is_empty()) {
        Some(name) => {
            out.check(
                predicates::dns1123_label(name),
                "core validation.validateServicePort: IsDNS1123Label",
                || format!("{at}/name"),
                || format!("Service port name {name:?} is not valid"),
            );
            if !names.insert(name) {
                out.add(
                    format!("{at}/name"),
                    &format!("Service port name {name:?} is used twice"),
                    "core validation.validateServicePort",
                    "Duplicate value",
                );
            }
        }
        None if count > 1 => out.add(
            format!("{at}/name"),
            "a port of a multi-port Service has no name",
            "core validation.validateServicePort",
            "Required value: every port is named when there are several",
        ),
        None => {}
    }
}

/// Named `targetPort`s against the container ports of the workloads each Service selects
/// (in its namespace, by the template's labels).
pub(super) fn target_ports(objects: &[(String, Value)]) -> Vec<Problem> {
    let templates: Vec<(&str, &Value)> = objects
        .iter()
        .filter_map(|(_, o)| {
            let ns = at(o, "/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or_default();
            at(o, "/spec/template")
                .or_else(|| at(o, "/spec/jobTemplate/spec/template"))
                .map(|t| (ns, t))
        })
        .collect();
    let mut problems = Vec::new();
    for (file, service) in objects {
        if str_of(service, "kind") != Some("Service") {
            continue;
        }
        let Some(selector) = at(service, "/spec/selector").and_then(Value::as_object) else {
            continue;
        };
        if selector.is_empty() {
            continue;
        }
        let ns = at(service, "/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let selected: Vec<&Value> = templates
            .iter()
            .filter(|(tns, t)| {
                *tns == ns
                    && selector.iter().all(|(k, v)| {
                        at(t, "/metadata/labels").and_then(|l| l.get(k.as_str())) == Some(v)
                    })
            })
            .map(|(_, t)| *t)
            .collect();
        if selected.is_empty() {
            continue;
        }
        let names: BTreeSet<&str> = selected
            .iter()
            .flat_map(|t| {
                ["containers", "initContainers"]
                    .into_iter()
                    .flat_map(move |k| at(t, "/spec").map_or(&[][..], |s| list(s, k)))
            })
            .flat_map(|c| list(c, "ports"))
            .filter_map(|p| str_of(p, "name"))
            .collect();
        for (i, p) in list(&service["spec"], "ports").iter().enumerate() {
            if let Some(Value::String(target)) = p.get("targetPort")
                && target.parse::<u16>().is_err()
                && !names.contains(target.as_str())
            {
                problems.push(Problem {
                    file: file.clone(),
                    object: object_label(service),
                    pointer: format!("/spec/ports/{i}/targetPort"),
                    message: format!(
                        "targetPort {target:?} names no container port of the selected Pods (EndpointSlice controller podutil.FindPort): the Service gets no endpoints; the Pods declare {}",
                        if names.is_empty() {
                            "no named ports".to_string()
                        } else {
                            names.iter().copied().collect::<Vec<_>>().join(", ")
                        }
                    ),
                });
            }
        }
    }
    problems
}
