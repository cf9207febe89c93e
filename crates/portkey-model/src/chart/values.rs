//! Helm's merge of a release's values over its chart's defaults, as a pure function.
//!
//! Helm coalesces the values a user passes over the chart's `values.yaml`
//! (`coalesceValues` and `coalesceTablesFullKey` in helm v4.2.4,
//! <https://github.com/helm/helm/blob/3900f434fd3ef2b84065dc04508df48f288dba00/pkg/chart/common/util/coalesce.go#L36-L45>;
//! the user-facing rule is <https://helm.sh/docs/chart_template_guide/values_files/#deleting-a-default-key>):
//! - maps merge recursively, key by key;
//! - lists and scalars replace the default wholesale (a list is never merged by index);
//! - a `null` override deletes the default key (and a `null` for a key the defaults lack is
//!   dropped too);
//! - when one side is a map and the other is not, the override wins (Helm warns and keeps the
//!   user's value).
//!
//! [`merge`] follows these rules so that portkey checks the values the chart templates will
//! actually see.

use serde_json::{Map, Value};

/// The values Helm hands the chart's templates: `overrides` (portkey's values for the
/// release) coalesced over `defaults` (the chart's `values.yaml`) with Helm's rules (see the
/// module docs). A `null` `overrides` is no values at all, so the result is the defaults.
pub fn merge(defaults: &Value, overrides: &Value) -> Value {
    match (defaults, overrides) {
        (_, Value::Null) => defaults.clone(),
        (Value::Object(d), Value::Object(o)) => Value::Object(merge_maps(d, o)),
        _ => overrides.clone(),
    }
}

fn merge_maps(defaults: &Map<String, Value>, overrides: &Map<String, Value>) -> Map<String, Value> {
    let mut out = defaults.clone();
    for (key, value) in overrides {
        match (out.get_mut(key), value) {
            (_, Value::Null) => {
                out.remove(key);
            }
            (Some(Value::Object(d)), Value::Object(o)) => {
                let merged = merge_maps(d, o);
                *d = merged;
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::merge;
    use serde_json::json;

    #[test]
    fn maps_merge_recursively() {
        let defaults = json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "f": "x"});
        let overrides = json!({"a": {"c": {"e": 30, "g": 4}}});
        assert_eq!(
            merge(&defaults, &overrides),
            json!({"a": {"b": 1, "c": {"d": 2, "e": 30, "g": 4}}, "f": "x"})
        );
    }

    #[test]
    fn a_list_replaces_the_default_list_wholesale() {
        let defaults = json!({"receivers": [{"name": "null"}, {"name": "other"}], "n": [1, 2, 3]});
        let overrides = json!({"receivers": [{"name": "ntfy"}]});
        assert_eq!(
            merge(&defaults, &overrides),
            json!({"receivers": [{"name": "ntfy"}], "n": [1, 2, 3]})
        );
    }

    #[test]
    fn scalars_replace() {
        let defaults = json!({"replicas": 1, "enabled": true, "name": "a"});
        let overrides = json!({"replicas": 3, "enabled": false});
        assert_eq!(
            merge(&defaults, &overrides),
            json!({"replicas": 3, "enabled": false, "name": "a"})
        );
    }

    #[test]
    fn null_deletes_a_key_at_any_depth() {
        let defaults = json!({"top": 1, "a": {"b": {"c": 1, "d": 2}, "e": 3}});
        let overrides = json!({"top": null, "a": {"b": {"c": null}, "e": null}});
        assert_eq!(merge(&defaults, &overrides), json!({"a": {"b": {"d": 2}}}));
    }

    #[test]
    fn null_for_a_key_the_defaults_lack_is_dropped() {
        let defaults = json!({"a": {"b": 1}});
        let overrides = json!({"a": {"z": null}, "y": null});
        assert_eq!(merge(&defaults, &overrides), json!({"a": {"b": 1}}));
    }

    #[test]
    fn a_null_map_deletes_the_whole_subtree() {
        let defaults = json!({"a": {"b": {"c": 1}}, "k": 1});
        assert_eq!(merge(&defaults, &json!({"a": null})), json!({"k": 1}));
    }

    #[test]
    fn the_override_wins_when_only_one_side_is_a_map() {
        let defaults = json!({"a": {"b": 1}, "s": "x"});
        let overrides = json!({"a": "flat", "s": {"now": "a map"}});
        assert_eq!(
            merge(&defaults, &overrides),
            json!({"a": "flat", "s": {"now": "a map"}})
        );
    }

    #[test]
    fn no_overrides_is_the_defaults() {
        let defaults = json!({"a": {"b": 1}});
        assert_eq!(merge(&defaults, &json!(null)), defaults);
        assert_eq!(merge(&defaults, &json!({})), defaults);
    }

    #[test]
    fn defaults_keep_their_own_nulls() {
        let defaults = json!({"port": null, "a": 1});
        assert_eq!(
            merge(&defaults, &json!({"a": 2})),
            json!({"port": null, "a": 2})
        );
    }
}
