//! ConfigMaps and Secrets (`k8s.io/kubernetes/pkg/apis/core/validation/validation.go`,
//! `ValidateConfigMap` and `ValidateSecret`):
//!
//! - every key of `data` and `binaryData` (ConfigMap) or `data` and `stringData` (Secret)
//!   is `IsConfigMapKey`; a ConfigMap key is in one of its maps only;
//! - the values hold at most `MaxSecretSize` (1 MiB) together (ConfigMaps are held to the
//!   same 1 MiB, "must have at most 1048576 bytes");
//! - a typed Secret carries its type's keys: `kubernetes.io/tls` `tls.crt` and `tls.key`,
//!   `kubernetes.io/dockerconfigjson` `.dockerconfigjson`, `kubernetes.io/dockercfg`
//!   `.dockercfg`, `kubernetes.io/ssh-auth` `ssh-privatekey`, `kubernetes.io/basic-auth`
//!   `username` or `password`.

use serde_json::{Map, Value};

use super::{Out, predicates, token};

/// `MaxSecretSize`, which ConfigMaps share.
const MAX_SIZE: usize = 1024 * 1024;

/// A base64 value's decoded length.
fn decoded_len(value: &str) -> usize {
    let padding = value.bytes().rev().take_while(|&b| b == b'=').count();
    (value.len() / 4 * 3).saturating_sub(padding)
}

fn keys(out: &mut Out<'_>, field: &str, map: Option<&Map<String, Value>>, rule: &str) {
    for key in map.into_iter().flat_map(Map::keys) {
        out.check(
            predicates::config_map_key(key),
            rule,
            || format!("/{field}/{}", token(key)),
            || format!("key {key:?} is not valid"),
        );
    }
}

fn size(out: &mut Out<'_>, total: usize, rule: &str) {
    if total > MAX_SIZE {
        out.add(
            "/data".into(),
            "the data is too large",
            rule,
            &format!("must have at most {MAX_SIZE} bytes (it has {total})"),
        );
    }
}

fn map<'v>(object: &'v Value, field: &str) -> Option<&'v Map<String, Value>> {
    object.get(field).and_then(Value::as_object)
}

fn str_len(v: &Value) -> usize {
    v.as_str().map_or(0, str::len)
}

pub(super) fn config_map(out: &mut Out<'_>, object: &Value) {
    let rule = "core validation.ValidateConfigMap: IsConfigMapKey";
    let data = map(object, "data");
    let binary = map(object, "binaryData");
    keys(out, "data", data, rule);
    keys(out, "binaryData", binary, rule);
    if let (Some(data), Some(binary)) = (data, binary) {
        for key in data.keys().filter(|k| binary.contains_key(*k)) {
            out.add(
                format!("/binaryData/{}", token(key)),
                &format!("key {key:?} is in data and binaryData"),
                "core validation.ValidateConfigMap",
                "duplicate of key present in data",
            );
        }
    }
    let total = data
        .into_iter()
        .flatten()
        .map(|(_, v)| str_len(v))
        .sum::<usize>()
        + binary
            .into_iter()
            .flatten()
            .map(|(_, v)| decoded_len(v.as_str().unwrap_or_default()))
            .sum::<usize>();
    size(
        out,
        total,
        "core validation.ValidateConfigMap: MaxSecretSize",
    );
}

pub(super) fn secret(out: &mut Out<'_>, object: &Value) {
    let rule = "core validation.ValidateSecret: IsConfigMapKey";
    let data = map(object, "data");
    let string_data = map(object, "stringData");
    keys(out, "data", data, rule);
    keys(out, "stringData", string_data, rule);
    let total = data
        .into_iter()
        .flatten()
        .map(|(_, v)| decoded_len(v.as_str().unwrap_or_default()))
        .sum::<usize>()
        + string_data
            .into_iter()
            .flatten()
            .map(|(_, v)| str_len(v))
            .sum::<usize>();
    size(out, total, "core validation.ValidateSecret: MaxSecretSize");
    let has = |key: &str| {
        data.is_some_and(|d| d.contains_key(key))
            || string_data.is_some_and(|d| d.contains_key(key))
    };
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("Opaque");
    let needed: &[&[&str]] = match kind {
        "kubernetes.io/tls" => &[&["tls.crt"], &["tls.key"]],
        "kubernetes.io/dockerconfigjson" => &[&[".dockerconfigjson"]],
        "kubernetes.io/dockercfg" => &[&[".dockercfg"]],
        "kubernetes.io/ssh-auth" => &[&["ssh-privatekey"]],
        "kubernetes.io/basic-auth" => &[&["username", "password"]],
        _ => &[],
    };
    for any_of in needed {
        if !any_of.iter().any(|k| has(k)) {
            out.add(
                "/data".into(),
                &format!("a {kind} Secret lacks {}", any_of.join(" or ")),
                "core validation.ValidateSecret",
                "Required value",
            );
        }
    }
}
