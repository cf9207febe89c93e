//! [`at`]: a JSON pointer into a `serde_json::Value`, as `Value::pointer` reads it, without
//! its allocations.
//!
//! `Value::pointer` unescapes every token with two `str::replace` calls, so each lookup
//! allocates two strings per token, escaped or not. The checks, lints and replay facts read
//! a dozen pointers of every object a render emits: at N = 20,000 that was 4.2% of a
//! render's CPU time (`perf`, README "Speed"). Here a token is unescaped only when it holds
//! a `~`.

use std::borrow::Cow;

use serde_json::Value;

/// The value at `pointer` (RFC 6901: `/`-separated tokens, `~1` for `/` and `~0` for `~`)
/// in `value`; the same as `value.pointer(pointer)`. An array index is decimal digits
/// without a sign or a leading zero.
pub fn at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let mut rest = pointer.strip_prefix('/')?;
    let mut target = value;
    loop {
        // A byte scan: pointers are a few short ASCII keys, where `str::split`'s searcher
        // setup costs more than the search.
        let end = rest.bytes().position(|b| b == b'/').unwrap_or(rest.len());
        let token = &rest[..end];
        let token: Cow<'_, str> = if token.contains('~') {
            Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
        } else {
            Cow::Borrowed(token)
        };
        target = match target {
            Value::Object(map) => map.get(token.as_ref())?,
            Value::Array(list) => list.get(index(&token)?)?,
            _ => return None,
        };
        match rest.get(end + 1..) {
            Some(next) => rest = next,
            None => return Some(target),
        }
    }
}

/// The string at `pointer` in `value`, if there is one.
pub fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    at(value, pointer).and_then(Value::as_str)
}

/// An array index as RFC 6901 writes it (and `Value::pointer` accepts it).
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() != 1) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{at, str_at};

    /// Every pointer, escaped or not, into objects, arrays and scalars, well-formed or not,
    /// finds what `Value::pointer` finds.
    #[test]
    fn finds_what_value_pointer_finds() {
        let value = json!({
            "metadata": {
                "name": "web",
                "annotations": {"argocd.argoproj.io/sync-options": "Prune=false", "a~b": 1},
                "labels": {"": "empty key"},
            },
            "spec": {"ports": [{"port": 80}, {"port": 443}], "0": "zero"},
            "": {"": "nested empty keys"},
        });
        let pointers = [
            "",
            "/",
            "//",
            "/metadata",
            "/metadata/name",
            "/metadata/name/more",
            "/metadata/annotations/argocd.argoproj.io~1sync-options",
            "/metadata/annotations/argocd.argoproj.io/sync-options",
            "/metadata/annotations/a~0b",
            "/metadata/annotations/a~b",
            "/metadata/annotations/a~01b",
            "/metadata/labels/",
            "/spec/ports/0/port",
            "/spec/ports/1/port",
            "/spec/ports/2/port",
            "/spec/ports/01/port",
            "/spec/ports/+1/port",
            "/spec/ports/-1/port",
            "/spec/ports/x",
            "/spec/0",
            "metadata",
            "/missing",
        ];
        for p in pointers {
            assert_eq!(at(&value, p), value.pointer(p), "{p:?}");
        }
        assert_eq!(str_at(&value, "/metadata/name"), Some("web"));
        assert_eq!(str_at(&value, "/spec/ports/0/port"), None);
        assert_eq!(at(&value, "/spec/ports/1/port"), Some(&json!(443)));
    }
}
