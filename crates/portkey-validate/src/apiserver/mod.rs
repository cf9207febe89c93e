//! The API server's own validation rules, beyond what an OpenAPI schema can say.
//!
//! kube-apiserver runs hand-written validation on every object it admits
//! (`k8s.io/kubernetes/pkg/apis/core/validation`, `pkg/apis/apps/validation`,
//! `pkg/apis/networking/validation`, `pkg/apis/storage/validation`,
//! `pkg/apis/batch/validation`, and apimachinery's `pkg/util/validation` and
//! `pkg/api/validation`). An object that fails them passes every schema and fails only at
//! Argo CD sync. This stage runs the same rules on `serde_json::Value` objects, so it checks
//! any manifest, not only portkey's: [`check_object`] per object, [`check_across`] for what
//! needs several objects (a Service's named `targetPort` against the selected Pods).
//!
//! A few rules are not the API server's but the kubelet's, for objects it admits that could
//! never become healthy (a probe on a port name the container lacks, `runAsNonRoot` with
//! `runAsUser: 0`); their messages name the kubelet.
//!
//! One file per concern: [`predicates`] (the string rules), [`quantity`]
//! (`resource.ParseQuantity`), `meta` (names per kind, labels, annotations), `workload`
//! (selectors and templates), `pod` and `resources` (containers, env, ports, probes,
//! volumes and mounts, security context, requests and limits), `service`, `ingress`,
//! `storage` (PVCs and StorageClasses), `config` (ConfigMap and Secret keys), `batch`
//! (Jobs and CronJobs) and `size` (whether the annotation client-side apply adds fits).
//! `attribute` maps a problem found in render back to the app and its model field.

mod attribute;
mod batch;
mod config;
mod ingress;
mod meta;
mod pod;
pub mod predicates;
pub mod quantity;
mod resources;
mod service;
mod size;
mod storage;
mod workload;

#[cfg(test)]
mod tests;

pub use attribute::{attribute, model_field};

use serde_json::Value;

use crate::{Problem, object_label};
use predicates::Check;

/// Where problems of one object are collected.
pub(crate) struct Out<'a> {
    file: &'a str,
    /// The object, for its `Kind/name` label (made only when a problem is found).
    object: &'a Value,
    problems: Vec<Problem>,
}

impl Out<'_> {
    /// Records `{subject} ({rule}): {detail}` at `pointer`.
    fn add(&mut self, pointer: String, subject: &str, rule: &str, detail: &str) {
        self.problems.push(Problem {
            file: self.file.into(),
            object: object_label(self.object),
            pointer,
            message: format!("{subject} ({rule}): {detail}"),
        });
    }

    /// Records a failed predicate; `pointer` and `subject` are built only on failure.
    fn check(
        &mut self,
        result: Check,
        rule: &str,
        pointer: impl FnOnce() -> String,
        subject: impl FnOnce() -> String,
    ) {
        if let Err(detail) = result {
            self.add(pointer(), &subject(), rule, &detail);
        }
    }
}

/// `v[key]` as a string.
fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// `v[key]` as an array, or an empty one.
fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A map key as a JSON pointer token (RFC 6901: `~` is `~0`, `/` is `~1`).
fn token(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains(['~', '/']) {
        key.replace('~', "~0").replace('/', "~1").into()
    } else {
        key.into()
    }
}

/// Checks one object against the API server's rules for its kind. Every kind gets the
/// `metadata` rules (names per kind, namespace, labels, annotations, finalizers); the
/// built-in kinds portkey emits, and Pods, Jobs and CronJobs, get their spec rules.
pub fn check_object(file: &str, object: &Value) -> Vec<Problem> {
    let mut out = Out {
        file,
        object,
        problems: Vec::new(),
    };
    let kind = str_of(object, "kind").unwrap_or_default();
    let api_version = str_of(object, "apiVersion").unwrap_or_default();
    meta::check(&mut out, kind, api_version, object);
    let lint_exempt = meta::lint_exempt(object);
    match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            workload::check(&mut out, kind, object, lint_exempt);
        }
        "Job" => batch::job(&mut out, object, lint_exempt),
        "CronJob" => batch::cron_job(&mut out, object, lint_exempt),
        "Pod" => {
            if let Some(spec) = object.get("spec") {
                pod::check(&mut out, "/spec", spec, lint_exempt);
            }
        }
        "Service" => service::check(&mut out, object),
        "Ingress" => ingress::check(&mut out, object),
        "PersistentVolumeClaim" => {
            if let Some(spec) = object.get("spec") {
                storage::claim_spec(&mut out, "/spec", spec);
            }
        }
        "StorageClass" => storage::class(&mut out, object),
        "ConfigMap" => config::config_map(&mut out, object),
        "Secret" => config::secret(&mut out, object),
        _ => {}
    }
    size::last_applied(&mut out, object);
    out.problems
}

/// The rules that need several objects: a Service's named `targetPort` must be a container
/// port name of the Pods it selects (kube-proxy and the EndpointSlice controller resolve it
/// by name; a name no selected container has leaves the Service without endpoints). A
/// Service that selects no workload among `objects` is left alone: its Pods are elsewhere.
pub fn check_across(objects: &[(String, Value)]) -> Vec<Problem> {
    service::target_ports(objects)
}
