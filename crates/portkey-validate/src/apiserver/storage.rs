//! PersistentVolumeClaims and StorageClasses.
//!
//! - `ValidatePersistentVolumeClaimSpec` (`k8s.io/kubernetes/pkg/apis/core/validation`):
//!   `accessModes` is not empty, of ReadWriteOnce, ReadOnlyMany, ReadWriteMany or
//!   ReadWriteOncePod, and ReadWriteOncePod stands alone; `resources.requests.storage` is
//!   required and greater than zero (`ValidatePositiveQuantityValue`; a fraction of a byte
//!   cannot be provisioned either, so below 1 byte is refused); `storageClassName` is a
//!   DNS-1123 subdomain (`ValidateClassName`); `volumeMode` is Filesystem or Block;
//!   `dataSource` and `dataSourceRef` name a kind and an object, a core data source is a
//!   PersistentVolumeClaim, and when both are set they are the same object
//!   ("must match dataSourceRef").
//! - `ValidateStorageClass` (`k8s.io/kubernetes/pkg/apis/storage/validation`): a
//!   `provisioner` that is a qualified name of at most 63 characters (`validateProvisioner`),
//!   `reclaimPolicy` Delete or Retain, `volumeBindingMode` Immediate or
//!   WaitForFirstConsumer.

use portkey_model::json;
use serde_json::Value;

use super::quantity;
use super::{Out, list, meta, predicates, str_of};

const ACCESS_MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];

pub(super) fn claim_spec(out: &mut Out<'_>, at: &str, spec: &Value) {
    let rule = "core validation.ValidatePersistentVolumeClaimSpec";
    let modes = list(spec, "accessModes");
    if modes.is_empty() {
        out.add(
            format!("{at}/accessModes"),
            "the claim has no access mode",
            rule,
            "Required value: at least 1 access mode is required",
        );
    }
    for (i, m) in modes.iter().enumerate() {
        let m = m.as_str().unwrap_or_default();
        if !ACCESS_MODES.contains(&m) {
            out.add(
                format!("{at}/accessModes/{i}"),
                &format!("access mode {m:?} is not valid"),
                rule,
                "Unsupported value: supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
            );
        }
    }
    if modes.len() > 1 && modes.iter().any(|m| m == "ReadWriteOncePod") {
        out.add(
            format!("{at}/accessModes"),
            "ReadWriteOncePod is combined with another access mode",
            rule,
            "may not use ReadWriteOncePod with other access modes",
        );
    }
    let storage = json::at(spec, "/resources/requests/storage");
    match storage.map(quantity::from_value) {
        None => out.add(
            format!("{at}/resources/requests/storage"),
            "the claim requests no storage",
            rule,
            "Required value",
        ),
        Some(Some(Ok(q))) if !q.at_least_one() => out.add(
            format!("{at}/resources/requests/storage"),
            &format!(
                "the claim's size {} is not valid",
                storage.map(Value::to_string).unwrap_or_default()
            ),
            "core validation.ValidatePersistentVolumeClaimSpec: ValidatePositiveQuantityValue",
            "must be greater than zero, and at least 1 byte",
        ),
        Some(Some(Ok(_))) => {}
        Some(Some(Err(e))) => out.add(
            format!("{at}/resources/requests/storage"),
            "the claim's size is not a quantity",
            "apimachinery resource.ParseQuantity",
            &e.to_string(),
        ),
        Some(None) => out.add(
            format!("{at}/resources/requests/storage"),
            "the claim's size is not a quantity",
            "apimachinery resource.ParseQuantity",
            "a quantity is a string or a number",
        ),
    }
    if let Some(class) = str_of(spec, "storageClassName").filter(|c| !c.is_empty()) {
        out.check(
            predicates::dns1123_subdomain(class),
            "core validation.ValidatePersistentVolumeClaimSpec: ValidateClassName",
            || format!("{at}/storageClassName"),
            || format!("storageClassName {class:?} is not valid"),
        );
    }
    if let Some(mode) = str_of(spec, "volumeMode")
        && !matches!(mode, "Filesystem" | "Block")
    {
        out.add(
            format!("{at}/volumeMode"),
            &format!("volumeMode {mode:?} is not valid"),
            rule,
            "Unsupported value: supported values: \"Block\", \"Filesystem\"",
        );
    }
    if let Some(selector) = spec.get("selector") {
        meta::labels(
            out,
            &format!("{at}/selector/matchLabels"),
            selector.get("matchLabels"),
        );
    }
    data_sources(out, at, spec);
}

fn data_sources(out: &mut Out<'_>, at: &str, spec: &Value) {
    let rule = "core validation.validateDataSource/validateDataSourceRef";
    for field in ["dataSource", "dataSourceRef"] {
        let Some(source) = spec.get(field) else {
            continue;
        };
        for key in ["kind", "name"] {
            if str_of(source, key).is_none_or(str::is_empty) {
                out.add(
                    format!("{at}/{field}/{key}"),
                    &format!("{field} has no {key}"),
                    rule,
                    "Required value",
                );
            }
        }
        let group = str_of(source, "apiGroup").unwrap_or_default();
        let kind = str_of(source, "kind").unwrap_or_default();
        if group.is_empty() && !kind.is_empty() && kind != "PersistentVolumeClaim" {
            out.add(
                format!("{at}/{field}/kind"),
                &format!("{field} kind {kind:?} is not valid"),
                rule,
                "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
            );
        }
    }
    if let (Some(a), Some(b)) = (spec.get("dataSource"), spec.get("dataSourceRef")) {
        let same = ["apiGroup", "kind", "name"]
            .iter()
            .all(|k| str_of(a, k).unwrap_or_default() == str_of(b, k).unwrap_or_default());
        if !same || str_of(b, "namespace").is_some_and(|n| !n.is_empty()) {
            out.add(
                format!("{at}/dataSource"),
                "dataSource and dataSourceRef differ",
                "core validation.ValidatePersistentVolumeClaimSpec",
                "must match dataSourceRef when both are set (and a cross-namespace dataSourceRef takes no dataSource)",
            );
        }
    }
}

pub(super) fn class(out: &mut Out<'_>, object: &Value) {
    let rule = "storage validation.ValidateStorageClass";
    let provisioner = str_of(object, "provisioner").unwrap_or_default();
    if provisioner.is_empty() {
        out.add(
            "/provisioner".into(),
            "the StorageClass has no provisioner",
            rule,
            "Required value",
        );
    } else {
        let check = if provisioner.len() > predicates::LABEL_MAX {
            Err(format!(
                "must be no more than {} characters",
                predicates::LABEL_MAX
            ))
        } else {
            predicates::qualified_name(&provisioner.to_ascii_lowercase())
        };
        out.check(
            check,
            "storage validation.validateProvisioner: IsQualifiedName",
            || "/provisioner".into(),
            || format!("provisioner {provisioner:?} is not valid"),
        );
    }
    if let Some(policy) = str_of(object, "reclaimPolicy")
        && !matches!(policy, "Delete" | "Retain")
    {
        out.add(
            "/reclaimPolicy".into(),
            &format!("reclaimPolicy {policy:?} is not valid"),
            rule,
            "Unsupported value: supported values: \"Delete\", \"Retain\"",
        );
    }
    if let Some(mode) = str_of(object, "volumeBindingMode")
        && !matches!(mode, "Immediate" | "WaitForFirstConsumer")
    {
        out.add(
            "/volumeBindingMode".into(),
            &format!("volumeBindingMode {mode:?} is not valid"),
            rule,
            "Unsupported value: supported values: \"Immediate\", \"WaitForFirstConsumer\"",
        );
    }
}
