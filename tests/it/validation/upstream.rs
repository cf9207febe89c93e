//! The default schemas (`portkey validate` with no flags, and render) check the custom kinds
//! against the upstream CRD schemas committed in `crates/portkey-validate/schemas/crds/`,
//! not against schemas derived from portkey's own CRD types: a field portkey's type has but
//! the CRD does not, and a field the CRD requires but portkey's type lacks, are both caught.
//! (That the embedded schemas are those files, byte for byte, and that every custom kind has
//! one, is tested in `crates/portkey-validate/src/upstream/tests.rs`, and so are the CRD
//! types against the schemas, field by field.)

use serde_json::{Value, json};

use super::{generated, object_label, portkey_cli, read_value, write_value};
use crate::common::*;
use portkey::portkey_validate::{Problem, Schemas, validate_value};

/// The problems the default schemas report for `value`.
fn default_problems(value: &Value) -> Vec<Problem> {
    validate_value(Schemas::embedded(), "planted.yaml", value)
}

/// Removes the field at `pointer` (`/spec/acme/server`) from `value`, which must hold it.
fn remove(value: &mut Value, pointer: &str) {
    let (parent, leaf) = pointer.rsplit_once('/').unwrap();
    let removed = value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove(leaf));
    assert!(removed.is_some(), "{pointer} is in the object");
}

#[test]
fn a_field_unknown_upstream_is_caught_by_the_default_schemas() {
    // Fields a Rust CRD type could well have (a plausible name, the right type) that the
    // upstream CRD does not: the derived schema of such a type would accept them.
    let cases = [
        (
            "paperless/paperless/replicationsource-paperless-data.yaml",
            "/spec/restic",
            "pruneEvery",
            json!("7d"),
        ),
        (
            "argocd/application-jellyfin.yaml",
            "/spec/syncPolicy",
            "prune",
            json!(true),
        ),
        (
            "cluster/issuers/clusterissuer-letsencrypt-production.yaml",
            "/spec/acme",
            "emailAddress",
            json!("admin@example.com"),
        ),
        // Upstream leaves `metadata` open; the default schemas check it as `ObjectMeta`.
        (
            "cluster/network/ipaddresspool-lan.yaml",
            "/metadata",
            "label",
            json!({"a": "b"}),
        ),
    ];
    for (file, parent, field, planted) in cases {
        let mut value = read_value(&generated().join(file));
        assert!(
            default_problems(&value).is_empty(),
            "{file}: the pristine copy passes"
        );
        value
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{file}: {parent} is an object"))
            .insert(field.into(), planted);
        let problems = default_problems(&value);
        assert!(
            problems.iter().any(|p| p.pointer == parent
                && p.message.contains(&format!("'{field}'"))
                && p.object == object_label(&value)),
            "{file}: {parent}/{field} is not reported: {problems:#?}"
        );
    }
}

#[test]
fn a_field_required_upstream_but_missing_is_caught_by_the_default_schemas() {
    let cases = [
        ("argocd/application-jellyfin.yaml", "/spec/destination"),
        ("argocd/appproject-media.yaml", "/spec"),
        (
            "cluster/issuers/clusterissuer-letsencrypt-production.yaml",
            "/spec/acme/privateKeySecretRef",
        ),
        (
            "cluster/storage/volumesnapshotclass-csi-ceph-blockpool.yaml",
            "/deletionPolicy",
        ),
        ("cluster/network/ipaddresspool-lan.yaml", "/spec"),
    ];
    for (file, pointer) in cases {
        let mut value = read_value(&generated().join(file));
        assert!(
            default_problems(&value).is_empty(),
            "{file}: the pristine copy passes"
        );
        remove(&mut value, pointer);
        let (parent, leaf) = pointer.rsplit_once('/').unwrap();
        let problems = default_problems(&value);
        assert!(
            problems.iter().any(|p| p.pointer == parent
                && p.message
                    .contains(&format!("\"{leaf}\" is a required property"))),
            "{file}: the missing {pointer} is not reported: {problems:#?}"
        );
    }
}

#[test]
fn a_compiled_object_missing_an_upstream_required_field_is_caught() {
    // What render checks: a compiled object, serialized. Every ExternalSecret data entry
    // needs `remoteRef.key` upstream.
    use portkey::portkey_compile::crd::external_secrets as es;
    let spec: es::ExternalSecretSpec = serde_json::from_value(json!({
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "vaultwarden"},
        "target": {"name": "token"},
        "data": [{"secretKey": "TOKEN", "remoteRef": {"key": "app/token"}}],
    }))
    .expect("an ExternalSecret spec");
    let object = portkey::portkey_compile::Object::from(es::ExternalSecret::new("token", spec));
    let mut value = serde_json::to_value(&object).unwrap();
    assert!(default_problems(&value).is_empty(), "{value:#}");
    remove(&mut value, "/spec/data/0/remoteRef/key");
    let problems = default_problems(&value);
    assert!(
        problems
            .iter()
            .any(|p| p.pointer == "/spec/data/0/remoteRef"
                && p.message.contains("\"key\" is a required property")),
        "{problems:#?}"
    );
}

#[test]
fn cli_validate_with_no_flags_reports_a_field_unknown_upstream() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rs =
        read_value(&generated().join("paperless/paperless/replicationsource-paperless-data.yaml"));
    rs["spec"]["restic"]["pruneEvery"] = json!("7d");
    write_value(tmp.path(), "replicationsource.yaml", &rs);
    let o = portkey_cli(&["validate", "."], tmp.path());
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(
        out.lines().any(|l| l.starts_with(&format!(
            "replicationsource.yaml: {}: /spec/restic: ",
            object_label(&rs)
        )) && l.contains("'pruneEvery'")),
        "{out}"
    );
}
