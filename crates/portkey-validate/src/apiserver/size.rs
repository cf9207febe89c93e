//! Whether an object fits the annotation client-side apply adds to it.
//!
//! Argo CD applies with `kubectl apply` semantics unless an Application or the object asks
//! for server-side apply: the whole object, as compact JSON, is stored in its
//! `kubectl.kubernetes.io/last-applied-configuration` annotation, and the API server holds
//! all of an object's annotations to `TotalAnnotationSizeLimitB`, 262,144 bytes of keys and
//! values (`k8s.io/apimachinery/pkg/api/validation/objectmeta.go`). A larger object passes
//! every schema and fails every sync with "metadata.annotations: Too long: may not be more
//! than 262144 bytes". An object annotated `argocd.argoproj.io/sync-options` with
//! `ServerSideApply=true` or `Replace=true` gets no such annotation, and is left alone.

use portkey_model::json::at;
use serde_json::Value;

use super::meta::{ANNOTATIONS_MAX, annotations_size};
use super::{Out, str_of};

/// The annotation client-side apply writes.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The rule's name in messages.
const RULE: &str = "kubectl apply: last-applied-configuration within TotalAnnotationSizeLimitB";

/// The length of `v` as Go's `encoding/json` writes it compactly, as kubectl stores it:
/// `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u00XX` (HTML-safe), the short escapes
/// for quote, backslash, `\n`, `\r`, `\t`, and `\u00XX` for the other control characters.
fn json_len(v: &Value) -> usize {
    compact_len(v, string_len)
}

/// At least [`json_len`], without looking at a string's bytes: each byte of a string (or
/// key) is written as at most six (`\u00XX`; U+2028 and U+2029 take six for three), so a
/// string is at most `2 + 6 × len`. This runs on every object, and almost every object is
/// far below the limit by this bound too, so the exact count ([`json_len`], one pass over
/// every byte) runs only for the few that are not.
fn json_len_at_most(v: &Value) -> usize {
    compact_len(v, string_len_at_most)
}

/// The compact JSON length of `v`, each string (and key) counted by `string`, quotes
/// included (generic, so each counting is compiled in).
fn compact_len(v: &Value, string: impl Fn(&str) -> usize + Copy) -> usize {
    match v {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => {
            // Counted as written, without allocating.
            let mut count = Count(0);
            let _ = std::fmt::Write::write_fmt(&mut count, format_args!("{n}"));
            count.0
        }
        Value::String(s) => string(s),
        Value::Array(items) => {
            2 + items.len().saturating_sub(1)
                + items.iter().map(|v| compact_len(v, string)).sum::<usize>()
        }
        Value::Object(map) => {
            2 + map.len().saturating_sub(1)
                + map
                    .iter()
                    .map(|(k, v)| string(k) + 1 + compact_len(v, string))
                    .sum::<usize>()
        }
    }
}

/// At least [`string_len`]: every byte escaped as `\u00XX`.
fn string_len_at_most(s: &str) -> usize {
    2 + 6 * s.len()
}

/// A `fmt::Write` that counts what it is given.
struct Count(usize);

impl std::fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// What Go's encoder adds to each byte of a string: 1 for the short escapes (quote,
/// backslash, `\b`, `\f`, `\n`, `\r`, `\t`: Go writes `\b` and `\f` short since 1.22, as
/// serde_json does), 5 for `\u00XX` (the other control characters, and `<`, `>`, `&`).
const EXTRA: [u8; 256] = {
    let mut extra = [0; 256];
    let mut b = 0;
    while b < 0x20 {
        extra[b] = 5;
        b += 1;
    }
    let short = [b'"', b'\\', 0x08, 0x0c, b'\n', b'\r', b'\t'];
    let mut i = 0;
    while i < short.len() {
        extra[short[i] as usize] = 1;
        i += 1;
    }
    extra[b'<' as usize] = 5;
    extra[b'>' as usize] = 5;
    extra[b'&' as usize] = 5;
    extra
};

/// A string's length as Go writes it, quotes included: one pass over the bytes with a
/// table (this runs on every string of every object), which also counts U+2028 and U+2029
/// (`E2 80 A8` and `E2 80 A9`, three bytes each, written as six), as Go's encoder finds
/// them.
fn string_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut extra = 0;
    for (i, &b) in bytes.iter().enumerate() {
        extra += usize::from(EXTRA[usize::from(b)]);
        if b == 0xe2
            && bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9))
        {
            extra += 3;
        }
    }
    2 + bytes.len() + extra
}

/// Whether the object is applied without the last-applied annotation.
fn applied_without_annotation(object: &Value) -> bool {
    at(
        object,
        "/metadata/annotations/argocd.argoproj.io~1sync-options",
    )
    .and_then(Value::as_str)
    .is_some_and(|options| {
        options
            .split(',')
            .map(str::trim)
            .any(|o| o == "ServerSideApply=true" || o == "Replace=true")
    })
}

/// The object, stored whole in its own annotations by client-side apply, must keep them
/// within `TotalAnnotationSizeLimitB`.
pub(super) fn last_applied(out: &mut Out<'_>, object: &Value) {
    let theirs: usize = at(object, "/metadata/annotations")
        .and_then(Value::as_object)
        .map_or(0, annotations_size);
    if theirs > ANNOTATIONS_MAX {
        return; // `meta` reports annotations over the limit on their own.
    }
    if theirs + LAST_APPLIED.len() + json_len_at_most(object) <= ANNOTATIONS_MAX {
        return;
    }
    let json = json_len(object);
    let total = theirs + LAST_APPLIED.len() + json;
    if total <= ANNOTATIONS_MAX || applied_without_annotation(object) {
        return;
    }
    // The problem is placed at the largest top-level field (`/data`, `/spec`), which names
    // what to split and the model field it came from.
    let largest = object.as_object().and_then(|map| {
        map.iter()
            .max_by_key(|(_, v)| json_len(v))
            .map(|(k, _)| format!("/{}", super::token(k)))
    });
    let kind = str_of(object, "kind").unwrap_or("object");
    out.add(
        largest.unwrap_or_default(),
        &format!("the {kind} is too large for client-side apply"),
        RULE,
        &format!(
            "its JSON is {json} bytes, and `kubectl apply` (Argo CD's default) stores it whole \
             in the {LAST_APPLIED} annotation, so its annotations would hold {total} bytes, \
             more than the {ANNOTATIONS_MAX} the API server allows; split it into smaller \
             objects, or apply it server-side (annotation argocd.argoproj.io/sync-options: \
             ServerSideApply=true)"
        ),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{json_len, json_len_at_most};

    /// The length is what a compact JSON writer writes, with Go's HTML-safe escapes added.
    #[test]
    fn length_is_the_compact_json_length() {
        for v in [
            json!(null),
            json!(true),
            json!(false),
            json!(-12.5),
            json!([]),
            json!({}),
            json!({"a": [1, "two", {"b": null}], "c": "tab\there \"q\" back\\slash"}),
        ] {
            assert_eq!(
                json_len(&v),
                serde_json::to_string(&v).unwrap().len(),
                "{v}"
            );
        }
        // serde_json writes `<`, `>` and `&` raw (1 byte), Go as \u003c (6 bytes).
        let html = json!("a<b && c>d");
        assert_eq!(
            json_len(&html),
            serde_json::to_string(&html).unwrap().len() + 4 * 5
        );
        // Backspace and form feed have short escapes in both (Go since 1.22).
        let short = Value::String("\u{8}\u{c}".into());
        assert_eq!(
            json_len(&short),
            serde_json::to_string(&short).unwrap().len()
        );
        assert_eq!(json_len(&short), 6);
        // A control character without a short escape is \u00XX in both.
        let ctl = Value::String("\u{1}".into());
        assert_eq!(json_len(&ctl), 8);
        // U+2028 is 3 bytes raw in serde_json, \u2028 (6 bytes) in Go.
        let ls = Value::String("\u{2028}".into());
        assert_eq!(json_len(&ls), 8);
        // U+2029 too, among other text; U+2027 (E2 80 A7) is written raw.
        let mixed = Value::String("a\u{2029}b\u{2027}".into());
        assert_eq!(json_len(&mixed), 2 + 1 + 6 + 1 + 3);
    }

    /// The bound is never below the exact length, and is exact where no string can grow:
    /// the worst strings (every byte escaped as `\u00XX`) reach it.
    #[test]
    fn the_bound_is_at_least_the_length() {
        let worst = "<>&\u{1}".repeat(3);
        for v in [
            json!(null),
            json!(-12.5),
            json!([1, 2, [3, {}]]),
            json!({"a": [1, "two", {"b": null}], "c": "tab\there \"q\" back\\slash"}),
            json!({"<&>": "\u{2028}\u{2029}", "k": ["a<b && c>d", "\u{7}"]}),
            json!(worst),
            json!({&worst: [&worst, &worst]}),
        ] {
            assert!(json_len_at_most(&v) >= json_len(&v), "{v}");
        }
        assert_eq!(json_len_at_most(&json!(worst)), json_len(&json!(worst)));
        assert_eq!(
            json_len_at_most(&json!([1, null, true])),
            json_len(&json!([1, null, true]))
        );
        // A plain string is bounded, not counted: six bytes a byte.
        assert_eq!(json_len_at_most(&json!("abc")), 2 + 18);
    }
}
