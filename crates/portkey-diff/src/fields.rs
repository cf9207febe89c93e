//! The field walker: the changed fields of two values of one object, each with its path and
//! both values.
//!
//! Paths read like the YAML: `spec.template.spec.containers[name=app].image`, with keys
//! that are not plain words quoted (`metadata.annotations["argocd.argoproj.io/sync-wave"]`).
//! Maps are compared by key, so key order never shows. A list whose items are all maps
//! with distinct `name`s (containers, env, ports, volumes) is matched by name, so an
//! insertion is one added item, not a shift of every later one; other lists of the same
//! length are compared item by item, and lists whose length changed are one change of the
//! whole list. Where a field exists on one side only, the change is that field with its
//! whole value (one entry for a new container, not one per leaf).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

/// One changed field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// Where: `spec.selector.matchLabels["app.kubernetes.io/name"]`.
    pub path: String,
    /// The value in the base tree (`None`: the field is new).
    pub old: Option<Value>,
    /// The value in the new tree (`None`: the field was removed).
    pub new: Option<Value>,
}

impl FieldChange {
    /// Whether the path is `prefix` or lies under it (`spec.selector` holds
    /// `spec.selector.matchLabels`, not `spec.selectorX`).
    pub fn is_under(&self, prefix: &str) -> bool {
        self.path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    }

    /// The last key of the path (`image` for `...containers[name=app].image`).
    pub fn leaf(&self) -> &str {
        let tail = self.path.rsplit('.').next().unwrap_or(&self.path);
        tail.split('[').next().unwrap_or(tail)
    }
}

/// Every changed field between `old` and `new`, in path order (maps by key, lists in the
/// new list's order with removed items after).
pub fn changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(&mut String::new(), old, new, &mut out);
    out
}

fn walk(path: &mut String, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let len = path.len();
                push_key(path, k);
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => walk(path, x, y, out),
                    (x, y) => out.push(change(path, x, y)),
                }
                path.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(na), Some(nb)) = (names(a), names(b)) {
                for (name, y) in &nb {
                    let len = path.len();
                    let _ = write!(path, "[name={name}]");
                    match na.iter().find(|(n, _)| n == name) {
                        Some((_, x)) => walk(path, x, y, out),
                        None => out.push(change(path, None, Some(y))),
                    }
                    path.truncate(len);
                }
                for (name, x) in na.iter().filter(|(n, _)| !nb.iter().any(|(m, _)| m == n)) {
                    let len = path.len();
                    let _ = write!(path, "[name={name}]");
                    out.push(change(path, Some(x), None));
                    path.truncate(len);
                }
            } else if a.len() == b.len() {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    let len = path.len();
                    let _ = write!(path, "[{i}]");
                    walk(path, x, y, out);
                    path.truncate(len);
                }
            } else {
                out.push(change(path, Some(old), Some(new)));
            }
        }
        _ => out.push(change(path, Some(old), Some(new))),
    }
}

fn change(path: &str, old: Option<&Value>, new: Option<&Value>) -> FieldChange {
    FieldChange {
        path: if path.is_empty() {
            ".".into()
        } else {
            path.into()
        },
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// The items by `name` when every item is a map with a distinct string `name`.
fn names(items: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let mut seen = BTreeSet::new();
    items
        .iter()
        .map(|item| {
            let name = item.get("name")?.as_str()?;
            seen.insert(name).then_some((name, item))
        })
        .collect()
}

/// Appends `.key`, or `["key"]` when the key is not a plain word.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&Value::String(key.into()).to_string());
        path.push(']');
    }
}

/// A value as a reviewer reads it: compact JSON (strings quoted), cut to `max` characters
/// with `…`.
pub fn show(value: Option<&Value>, max: usize) -> String {
    let Some(v) = value else {
        return "(none)".into();
    };
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(old: &Value, new: &Value) -> Vec<String> {
        changes(old, new).into_iter().map(|c| c.path).collect()
    }

    #[test]
    fn equal_values_and_key_order_give_nothing() {
        let a = json!({"a": 1, "b": {"c": [1, 2]}});
        let b: Value = serde_json::from_str(r#"{"b": {"c": [1, 2]}, "a": 1}"#).unwrap();
        assert!(changes(&a, &b).is_empty());
    }

    #[test]
    fn leaves_are_reported_with_both_values() {
        let c = changes(
            &json!({"spec": {"replicas": 1}}),
            &json!({"spec": {"replicas": 2}}),
        );
        assert_eq!(
            c,
            vec![FieldChange {
                path: "spec.replicas".into(),
                old: Some(json!(1)),
                new: Some(json!(2)),
            }]
        );
    }

    #[test]
    fn added_and_removed_fields_carry_their_whole_value() {
        let c = changes(&json!({"a": {"x": 1}}), &json!({"b": {"y": {"z": 2}}}));
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].path.as_str(), c[0].new.is_none()), ("a", true));
        assert_eq!(c[1].path, "b");
        assert_eq!(c[1].new, Some(json!({"y": {"z": 2}})));
    }

    #[test]
    fn named_lists_match_by_name() {
        let old =
            json!({"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]});
        let new = json!({"containers": [{"name": "new", "image": "n:1"}, {"name": "a", "image": "x:1"}, {"name": "b", "image": "y:2"}]});
        assert_eq!(
            paths(&old, &new),
            ["containers[name=new]", "containers[name=b].image"]
        );
        let gone = json!({"containers": [{"name": "b", "image": "y:1"}]});
        assert_eq!(paths(&old, &gone), ["containers[name=a]"]);
    }

    #[test]
    fn other_lists_compare_by_index_or_whole() {
        assert_eq!(
            paths(&json!({"l": [1, 2]}), &json!({"l": [1, 3]})),
            ["l[1]"]
        );
        assert_eq!(paths(&json!({"l": [1, 2]}), &json!({"l": [1]})), ["l"]);
        let dup = json!({"l": [{"name": "x", "v": 1}, {"name": "x", "v": 2}]});
        let dup2 = json!({"l": [{"name": "x", "v": 1}, {"name": "x", "v": 3}]});
        assert_eq!(paths(&dup, &dup2), ["l[1].v"]);
    }

    #[test]
    fn keys_that_are_not_words_are_quoted() {
        let old = json!({"metadata": {"annotations": {"argocd.argoproj.io/sync-wave": "1"}}});
        let new = json!({"metadata": {"annotations": {"argocd.argoproj.io/sync-wave": "2"}}});
        let c = &changes(&old, &new)[0];
        assert_eq!(
            c.path,
            r#"metadata.annotations["argocd.argoproj.io/sync-wave"]"#
        );
        assert!(c.is_under("metadata.annotations"));
        assert!(!c.is_under("metadata.annot"));
    }

    #[test]
    fn type_changes_and_the_root() {
        assert_eq!(paths(&json!({"a": 1}), &json!({"a": "1"})), ["a"]);
        assert_eq!(paths(&json!(1), &json!(2)), ["."]);
    }

    #[test]
    fn leaf_and_show() {
        let c = FieldChange {
            path: "spec.containers[name=a].image".into(),
            old: None,
            new: Some(json!("abcdef")),
        };
        assert_eq!(c.leaf(), "image");
        assert_eq!(show(c.new.as_ref(), 5), "\"abc…");
        assert_eq!(show(None, 5), "(none)");
    }
}
