//! Deployments, StatefulSets, DaemonSets and ReplicaSets (`k8s.io/kubernetes/pkg/apis/apps/validation`):
//! `ValidateDeploymentSpec`, `ValidateStatefulSetSpec`, `ValidateDaemonSetSpec`.
//!
//! - `spec.selector` is required and not empty, and selects the template's labels
//!   (``selector` does not match template `labels``);
//! - `spec.replicas` is 0 or more (`ValidateNonnegativeField`);
//! - the template's `restartPolicy` is `Always` (`ValidatePodTemplateSpecForReplicaSet` and
//!   its siblings);
//! - a StatefulSet's `volumeClaimTemplates` are PVC specs, named as PVCs are;
//! - a Deployment's `Recreate` strategy takes no `rollingUpdate`, and a rolling update may
//!   not have both `maxUnavailable` and `maxSurge` at 0 (`ValidateDeploymentStrategy`,
//!   `ValidateRollingUpdateDeployment`).
//!
//! And one rule of the StatefulSet controller's, for an object the API server admits whose
//! Pods it could never create: a StatefulSet's name is at most 52 characters, since each
//! Pod carries the label `controller-revision-hash: <name>-<10-character hash>` and a label
//! value is at most 63 (kubernetes/kubernetes#64023, open since 2018).

use portkey_model::json::at;
use serde_json::Value;

use super::{Out, list, meta, pod, predicates, storage, str_of};

pub(super) fn check(out: &mut Out<'_>, kind: &str, object: &Value, lint_exempt: bool) {
    let Some(spec) = object.get("spec") else {
        return;
    };
    if let Some(replicas) = spec.get("replicas").and_then(Value::as_i64)
        && replicas < 0
    {
        out.add(
            "/spec/replicas".into(),
            &format!("replicas {replicas} is not valid"),
            "apps validation: ValidateNonnegativeField",
            "must be greater than or equal to 0",
        );
    }
    template(out, spec, "/spec", &["Always"], true, lint_exempt);
    if kind == "Deployment"
        && let Some(strategy) = spec.get("strategy")
    {
        deployment_strategy(out, strategy);
    }
    if kind == "StatefulSet" {
        revision_label(out, object);
        for (i, claim) in list(spec, "volumeClaimTemplates").iter().enumerate() {
            let base = format!("/spec/volumeClaimTemplates/{i}");
            let name = at(claim, "/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            out.check(
                predicates::dns1123_subdomain(name),
                "core validation.ValidatePersistentVolumeName: NameIsDNSSubdomain",
                || format!("{base}/metadata/name"),
                || format!("volume claim template name {name:?} is not valid"),
            );
            if let Some(claim_spec) = claim.get("spec") {
                storage::claim_spec(out, &format!("{base}/spec"), claim_spec);
            }
        }
    }
}

/// The longest StatefulSet name whose Pods' `controller-revision-hash` label (the name, a
/// hyphen and a 10-character hash) is a valid label value.
const STATEFUL_SET_NAME_MAX: usize = 63 - 11;

/// A StatefulSet's name leaves room for the revision label the controller puts on its Pods.
fn revision_label(out: &mut Out<'_>, object: &Value) {
    meta::name_at_most(
        out,
        object,
        STATEFUL_SET_NAME_MAX,
        (
            "StatefulSet name",
            "statefulset controller: controller-revision-hash label (kubernetes/kubernetes#64023)",
            "the controller labels each Pod `controller-revision-hash: <name>-<hash>`, which may \
             not exceed 63, so no Pod is ever created; shorten the name",
        ),
    );
}

/// `spec.selector` (when `require_selector`, it must be there) against `spec.template`,
/// then the template's pod spec, whose `restartPolicy` must be one of `restart`.
pub(super) fn template(
    out: &mut Out<'_>,
    spec: &Value,
    base: &str,
    restart: &[&str],
    require_selector: bool,
    lint_exempt: bool,
) {
    let template_labels = at(spec, "/template/metadata/labels");
    meta::labels(
        out,
        &format!("{base}/template/metadata/labels"),
        template_labels,
    );
    meta::annotations(
        out,
        &format!("{base}/template/metadata/annotations"),
        at(spec, "/template/metadata/annotations"),
    );
    selector(out, spec, base, template_labels, require_selector);
    let Some(pod_spec) = at(spec, "/template/spec") else {
        out.add(
            format!("{base}/template/spec"),
            "the pod template has no spec",
            "core validation.ValidatePodTemplateSpec",
            "Required value",
        );
        return;
    };
    if let Some(policy) = str_of(pod_spec, "restartPolicy")
        && !restart.contains(&policy)
    {
        out.add(
            format!("{base}/template/spec/restartPolicy"),
            &format!("restartPolicy {policy:?} is not valid here"),
            "validation.ValidatePodTemplateSpecFor*",
            &format!(
                "Unsupported value: supported values: {}",
                restart.join(", ")
            ),
        );
    }
    pod::check(out, &format!("{base}/template/spec"), pod_spec, lint_exempt);
}

/// A Job's selector is usually generated, so a missing one is an error only for the apps
/// kinds. `matchLabels` must be among the template's labels.
fn selector(
    out: &mut Out<'_>,
    spec: &Value,
    base: &str,
    template_labels: Option<&Value>,
    required: bool,
) {
    let Some(selector) = spec.get("selector") else {
        if required {
            out.add(
                format!("{base}/selector"),
                "the selector is missing",
                "apps validation: ValidateDeploymentSpec/ValidateStatefulSetSpec/ValidateDaemonSetSpec",
                "Required value",
            );
        }
        return;
    };
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    let expressions = list(selector, "matchExpressions");
    if match_labels.is_none_or(serde_json::Map::is_empty) && expressions.is_empty() {
        out.add(
            format!("{base}/selector"),
            "the selector is empty",
            "apps validation: ValidateDeploymentSpec",
            "empty selector is invalid: it would select every Pod in the namespace",
        );
        return;
    }
    meta::labels(
        out,
        &format!("{base}/selector/matchLabels"),
        selector.get("matchLabels"),
    );
    let missing = match_labels.into_iter().flatten().find(|(k, v)| {
        template_labels
            .and_then(|t| t.get(k.as_str()))
            .is_none_or(|t| t != *v)
    });
    if let Some((k, v)) = missing {
        out.add(
            format!("{base}/template/metadata/labels"),
            "`selector` does not match template `labels`",
            "apps validation: ValidateDeploymentSpec",
            &format!("the selector needs {k}={v}, which the template does not carry"),
        );
    }
}

/// An `IntOrString` of 0 (`0` or `"0%"`).
fn is_zero(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        Some(Value::String(s)) => s.trim_end_matches('%').parse::<i64>() == Ok(0),
        _ => false,
    }
}

fn deployment_strategy(out: &mut Out<'_>, strategy: &Value) {
    let rolling = strategy.get("rollingUpdate");
    match str_of(strategy, "type") {
        Some("Recreate") if rolling.is_some() => out.add(
            "/spec/strategy/rollingUpdate".into(),
            "a Recreate strategy has rollingUpdate settings",
            "apps validation.ValidateDeploymentStrategy",
            "may not be specified when strategy `type` is 'Recreate'",
        ),
        _ => {
            // The defaults are 25% each, so only both set to 0 is refused.
            if let Some(r) = rolling
                && is_zero(r.get("maxUnavailable"))
                && is_zero(r.get("maxSurge"))
            {
                out.add(
                    "/spec/strategy/rollingUpdate/maxUnavailable".into(),
                    "a rolling update may neither add nor remove a Pod",
                    "apps validation.ValidateRollingUpdateDeployment",
                    "may not be 0 when `maxSurge` is 0",
                );
            }
        }
    }
}
