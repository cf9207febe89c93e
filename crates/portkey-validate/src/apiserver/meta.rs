//! `metadata`: names per kind, namespace, labels, annotations, finalizers.
//!
//! - `ValidateObjectMeta` (`k8s.io/apimachinery/pkg/api/validation/objectmeta.go`): a name
//!   is required and checked by the kind's name function; a namespace is a DNS-1123 label;
//!   annotation keys are qualified names (lowercased), and all annotations together hold at
//!   most `TotalAnnotationSizeLimitB` (256 KiB) of keys and values; finalizers are
//!   qualified names.
//! - `ValidateLabels` (`k8s.io/apimachinery/pkg/apis/meta/v1/validation`): keys are
//!   qualified names, values `IsValidLabelValue`.
//! - The name functions (`pkg/apis/*/validation`): `ValidateNamespaceName` is
//!   `NameIsDNSLabel`, `ValidateServiceName` is `NameIsDNS1035Label`,
//!   `ValidateStatefulSetName` is `NameIsDNSLabel` (Kubernetes 1.33 and later), RBAC names
//!   are path segments (`ValidateRBACName`), a CustomResourceDefinition is named
//!   `<spec.names.plural>.<spec.group>` (apiextensions' `ValidateCustomResourceDefinition`),
//!   and everything else, custom resources included, `NameIsDNSSubdomain`.

use portkey_model::json::at;
use serde_json::Value;

use super::predicates::{self, Check};
use super::{Out, str_of, token};

/// `TotalAnnotationSizeLimitB`.
pub(super) const ANNOTATIONS_MAX: usize = 256 * 1024;

/// What `TotalAnnotationSizeLimitB` counts of an annotation map: its keys' and values'
/// bytes.
pub(super) fn annotations_size(annotations: &serde_json::Map<String, Value>) -> usize {
    annotations
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum()
}

/// How a kind's names are checked, and the rule's upstream name.
fn name_rule(kind: &str) -> (fn(&str) -> Check, &'static str) {
    match kind {
        "Namespace" => (
            predicates::dns1123_label,
            "core validation.ValidateNamespaceName: NameIsDNSLabel",
        ),
        "Service" => (
            predicates::dns1035_label,
            "core validation.ValidateServiceName: NameIsDNS1035Label",
        ),
        "StatefulSet" => (
            predicates::dns1123_label,
            "apps validation.ValidateStatefulSetName: NameIsDNSLabel",
        ),
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => (
            path_segment,
            "rbac validation.ValidateRBACName: path.IsValidPathSegmentName",
        ),
        _ => (
            predicates::dns1123_subdomain,
            "apimachinery validation.NameIsDNSSubdomain",
        ),
    }
}

/// `path.IsValidPathSegmentName`: not `.` or `..`, no `/` or `%`.
fn path_segment(name: &str) -> Check {
    if name == "." || name == ".." {
        return Err(format!("may not be '{name}'"));
    }
    if name.contains(['/', '%']) {
        return Err("may not contain '/' or '%'".into());
    }
    Ok(())
}

pub(super) fn check(out: &mut Out<'_>, kind: &str, api_version: &str, object: &Value) {
    let Some(meta) = object.get("metadata") else {
        out.add(
            "/metadata".into(),
            "metadata is missing",
            "apimachinery validation.ValidateObjectMeta",
            "every object has metadata with a name",
        );
        return;
    };
    let name = str_of(meta, "name").unwrap_or_default();
    if name.is_empty() {
        if str_of(meta, "generateName").is_none_or(str::is_empty) {
            out.add(
                "/metadata/name".into(),
                "metadata.name is missing",
                "apimachinery validation.ValidateObjectMeta",
                "name or generateName is required",
            );
        }
    } else {
        let (rule, rule_name) = name_rule(kind);
        out.check(
            rule(name),
            rule_name,
            || "/metadata/name".into(),
            || format!("{kind} name {name:?} is not valid"),
        );
        if kind == "CustomResourceDefinition" && api_version.starts_with("apiextensions.k8s.io/") {
            crd_name(out, name, object);
        }
    }
    if let Some(namespace) = str_of(meta, "namespace") {
        out.check(
            predicates::dns1123_label(namespace),
            "apimachinery validation.ValidateObjectMeta: ValidateNamespaceName",
            || "/metadata/namespace".into(),
            || format!("namespace {namespace:?} is not valid"),
        );
    }
    labels(out, "/metadata/labels", meta.get("labels"));
    annotations(out, "/metadata/annotations", meta.get("annotations"));
    for (i, f) in super::list(meta, "finalizers").iter().enumerate() {
        let f = f.as_str().unwrap_or_default();
        out.check(
            predicates::qualified_name(f),
            "apimachinery validation.ValidateFinalizerName: IsQualifiedName",
            || format!("/metadata/finalizers/{i}"),
            || format!("finalizer {f:?} is not valid"),
        );
    }
}

/// A CustomResourceDefinition's name is `<spec.names.plural>.<spec.group>`.
fn crd_name(out: &mut Out<'_>, name: &str, object: &Value) {
    let plural = at(object, "/spec/names/plural")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let group = at(object, "/spec/group")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (p, g) = name.split_once('.').unwrap_or((name, ""));
    if p != plural || g != group {
        out.add(
            "/metadata/name".into(),
            &format!("CustomResourceDefinition name {name:?} is not valid"),
            "apiextensions validation.ValidateCustomResourceDefinition",
            &format!("must be spec.names.plural+\".\"+spec.group: {plural}.{group}"),
        );
    }
}

/// `ValidateLabels` on a label map (object labels, template labels, selectors).
pub(super) fn labels(out: &mut Out<'_>, base: &str, labels: Option<&Value>) {
    let Some(labels) = labels.and_then(Value::as_object) else {
        return;
    };
    for (key, value) in labels {
        out.check(
            predicates::qualified_name(key),
            "apimachinery validation.ValidateLabels: IsQualifiedName",
            || format!("{base}/{}", token(key)),
            || format!("label key {key:?} is not valid"),
        );
        match value.as_str() {
            Some(v) => out.check(
                predicates::label_value(v),
                "apimachinery validation.IsValidLabelValue",
                || format!("{base}/{}", token(key)),
                || format!("label value {v:?} of {key} is not valid"),
            ),
            None => out.add(
                format!("{base}/{}", token(key)),
                &format!("label value of {key} is not a string"),
                "apimachinery validation.ValidateLabels",
                "label values are strings: quote it",
            ),
        }
    }
}

/// `ValidateAnnotations` on an annotation map (an object's, or a pod template's).
pub(super) fn annotations(out: &mut Out<'_>, base: &str, annotations: Option<&Value>) {
    let Some(annotations) = annotations.and_then(Value::as_object) else {
        return;
    };
    let total = annotations_size(annotations);
    for key in annotations.keys() {
        let lower;
        let checked = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            lower = key.to_ascii_lowercase();
            lower.as_str()
        } else {
            key.as_str()
        };
        out.check(
            predicates::qualified_name(checked),
            "apimachinery validation.ValidateAnnotations: IsQualifiedName",
            || format!("{base}/{}", token(key)),
            || format!("annotation key {key:?} is not valid"),
        );
    }
    if total > ANNOTATIONS_MAX {
        out.add(
            base.into(),
            "annotations are too long",
            "apimachinery validation.ValidateAnnotations: TotalAnnotationSizeLimitB",
            &format!(
                "may not be more than {ANNOTATIONS_MAX} bytes in total (they have {total}); move large values into a ConfigMap"
            ),
        );
    }
}

/// A name a controller builds a longer one from (a CronJob's Jobs, a StatefulSet's Pod
/// labels) is at most `max` characters: reported at `/metadata/name` as `{subject}` under
/// `rule`, `why` saying what is built from it.
pub(super) fn name_at_most(
    out: &mut Out<'_>,
    object: &Value,
    max: usize,
    (subject, rule, why): (&str, &str, &str),
) {
    let name = at(object, "/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.len() > max {
        out.add(
            "/metadata/name".into(),
            &format!("{subject} {name:?} is too long"),
            rule,
            &format!(
                "must be no more than {max} characters (it has {}): {why}",
                name.len()
            ),
        );
    }
}

/// Whether the object carries portkey's suppression of the `resources` lint, which the
/// zero-request rule follows (`portkey.dev/lint-exception.resources`).
pub(super) fn lint_exempt(object: &Value) -> bool {
    let id = portkey_model::lint::Lint::Resources.id();
    at(object, "/metadata/annotations")
        .and_then(Value::as_object)
        .is_some_and(|a| {
            a.iter().any(|(k, v)| {
                k.strip_prefix(portkey_model::app::LINT_EXCEPTION_PREFIX) == Some(id)
                    && v.as_str().is_some_and(|reason| !reason.trim().is_empty())
            })
        })
}
