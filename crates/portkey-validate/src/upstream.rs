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
mod tests;
