//! The default schemas of the custom kinds: the upstream CRDs' own, not portkey's.
//!
//! Every file under `schemas/crds/<group>/<kind>_<version>.json` (the committed copy of
//! `../shared/schemas`, converted from the upstream CRD at a release tag; provenance in
//! `schemas/PROVENANCE.md`) is embedded at build time (`build.rs`, `include_str!`). A schema
//! derived from portkey's own Rust types would only prove that portkey serializes what it
//! declares; the upstream one catches a field the Rust type has but the CRD does not, and a
//! field the CRD requires but the Rust type lacks.

use serde_json::Value;

include!(concat!(env!("OUT_DIR"), "/upstream_crds.rs"));

/// Where, under `schemas/`, the upstream schema of a custom `apiVersion`/`kind` is
/// committed: `crds/<group>/<kind>_<version>.json` (kind lower-cased), the kubeconform
/// layout.
pub(crate) fn crd_path(api_version: &str, kind: &str) -> String {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    format!("crds/{group}/{}_{version}.json", kind.to_ascii_lowercase())
}

/// The embedded text of the upstream schema of `apiVersion`/`kind`, if one is committed.
pub(crate) fn text(api_version: &str, kind: &str) -> Option<&'static str> {
    let path = crd_path(api_version, kind);
    CRDS.iter().find(|(p, _)| *p == path).map(|(_, text)| *text)
}

/// The upstream schema of `apiVersion`/`kind`, parsed, with its `$schema` dropped: the
/// files declare draft-04, and the keywords they use (`properties`, `required`,
/// `additionalProperties`, `enum`, `pattern`, `anyOf`, `items`, bounds without
/// `exclusive*`) mean the same under the default draft 2020-12, as for `validate --schemas`.
pub(crate) fn schema(api_version: &str, kind: &str) -> Option<Value> {
    // Invariant: the committed files are JSON (the byte-for-byte test parses each one).
    let mut schema: Value = serde_json::from_str(text(api_version, kind)?)
        .unwrap_or_else(|e| panic!("{} is JSON: {e}", crd_path(api_version, kind)));
    if let Some(o) = schema.as_object_mut() {
        o.remove("$schema");
    }
    Some(schema)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{CRDS, crd_path, text};
    use portkey_compile::crd::CustomKind;
    use portkey_compile::{KindVisitor, Object};

    /// The custom kinds of [`Object`], as (`apiVersion`, `kind`).
    struct CustomKinds(Vec<(&'static str, &'static str)>);

    impl KindVisitor for CustomKinds {
        fn builtin<T: k8s_openapi::Resource + schemars::JsonSchema>(&mut self) {}
        fn custom<T: CustomKind>(&mut self) {
            self.0.push((T::API_VERSION, T::KIND));
        }
    }

    fn custom_kinds() -> Vec<(&'static str, &'static str)> {
        let mut kinds = CustomKinds(Vec::new());
        Object::each_kind(&mut kinds);
        kinds.0
    }

    #[test]
    fn every_custom_kind_has_an_upstream_schema() {
        let kinds = custom_kinds();
        assert!(kinds.len() >= 10, "too few custom kinds: {kinds:?}");
        let missing: Vec<String> = kinds
            .iter()
            .filter(|(api_version, kind)| text(api_version, kind).is_none())
            .map(|(api_version, kind)| {
                format!(
                    "{api_version}/{kind}: add crates/portkey-validate/schemas/{} (copied from \
                     ../shared/schemas, or converted with ../shared/tools/crd2jsonschema) and \
                     its row in schemas/PROVENANCE.md",
                    crd_path(api_version, kind)
                )
            })
            .collect();
        assert!(
            missing.is_empty(),
            "custom kinds without an upstream schema:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn every_embedded_schema_is_a_custom_kind_portkey_emits() {
        let used: Vec<String> = custom_kinds()
            .iter()
            .map(|(api_version, kind)| crd_path(api_version, kind))
            .collect();
        for (path, _) in CRDS {
            assert!(
                used.contains(&(*path).to_string()),
                "{path} is embedded but no kind of `Object` uses it: delete it and its PROVENANCE.md row"
            );
        }
    }

    #[test]
    fn embedded_schemas_are_the_committed_upstream_files_byte_for_byte() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let committed: Vec<String> = walkdir::WalkDir::new(dir.join("crds"))
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        let embedded: Vec<String> = CRDS.iter().map(|(p, _)| (*p).to_string()).collect();
        assert_eq!(
            embedded, committed,
            "every committed CRD schema is embedded, and only those"
        );
        let provenance = std::fs::read_to_string(dir.join("PROVENANCE.md")).unwrap();
        for (path, text) in CRDS {
            let bytes = std::fs::read(dir.join(path)).unwrap();
            assert_eq!(
                text.as_bytes(),
                bytes.as_slice(),
                "{path}: embedded bytes differ"
            );
            assert!(
                provenance.contains(&format!("| `{path}` |")),
                "{path} has no row in PROVENANCE.md"
            );
            let value: serde_json::Value = serde_json::from_str(text).expect(path);
            assert_strict(path, "", &value);
        }
    }

    /// Every object schema that lists `properties` closes them (`additionalProperties:
    /// false`), unless upstream keeps unknown fields there on purpose
    /// (`x-kubernetes-preserve-unknown-fields`).
    fn assert_strict(path: &str, pointer: &str, schema: &serde_json::Value) {
        match schema {
            serde_json::Value::Object(map) => {
                if map.contains_key("properties")
                    && map.get("x-kubernetes-preserve-unknown-fields") != Some(&true.into())
                {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&false.into()),
                        "{path}: {pointer} lists properties but does not close them"
                    );
                }
                for (k, v) in map {
                    assert_strict(path, &format!("{pointer}/{k}"), v);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    assert_strict(path, &format!("{pointer}/{i}"), v);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod types;
