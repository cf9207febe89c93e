//! The emitter against serde-saphyr, byte for byte.

use super::{emit, saphyr};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Fragments that exercise every quoting rule: YAML 1.1 words and numbers, indicators,
/// comments, colons, edge whitespace, escapes, block-scalar breakers, non-ASCII.
const FRAGMENTS: &[&str] = &[
    "a",
    "app",
    "Yes",
    "on",
    "OFF",
    "y",
    "N",
    "null",
    "~",
    "true",
    "NaN",
    "inf",
    "-inf",
    "0700",
    "1.10",
    "1e3",
    "0x1F",
    "+1",
    ".5",
    "1_000",
    "12:30",
    "2024-01-01",
    "500m",
    "1Gi",
    "192.168.0.41",
    "/config",
    "ghcr.io/x/y:1.2",
    "http://h:80/p",
    "a b",
    "key: v",
    "x:",
    ":",
    "#",
    " #c",
    "a#b",
    "-",
    "- ",
    "-x",
    "?",
    "? x",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*b",
    "!t",
    "|",
    ">",
    "'",
    "\"",
    "%",
    "@",
    "`",
    "\\",
    "=",
    "<<",
    "---",
    "...",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\r",
    "é",
    "字",
    "\u{2028}",
    "\u{FEFF}",
    "\u{85}",
    "\u{1}",
    "\u{7f}",
    "",
];

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).expect("below n")
    }

    fn string(&mut self) -> String {
        (0..self.below(4))
            .map(|_| FRAGMENTS[self.below(FRAGMENTS.len())])
            .collect()
    }

    fn value(&mut self, depth: usize) -> Value {
        let leaf = depth == 0 || self.below(3) == 0;
        match if leaf {
            self.below(5)
        } else {
            5 + self.below(2)
        } {
            0 => Value::Null,
            1 => json!(self.below(2) == 0),
            2 => json!(i64::try_from(self.below(100_000)).expect("small") - 50_000),
            3 => json!(f64::from(u16::try_from(self.below(1000)).expect("small")) / 8.0),
            4 => json!(self.string()),
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => {
                let mut map = Map::new();
                for _ in 0..self.below(4) {
                    map.insert(self.string(), self.value(depth - 1));
                }
                Value::Object(map)
            }
        }
    }
}

fn both<T: Serialize>(value: &T) -> (Result<String, String>, String) {
    let mut fast = String::new();
    let fast = emit(&mut fast, value)
        .map(|()| fast)
        .map_err(|e| e.to_string());
    let mut reference = String::new();
    saphyr(&mut reference, value).expect("serde-saphyr serializes it");
    (fast, reference)
}

#[test]
fn random_documents_are_written_exactly_as_serde_saphyr_writes_them() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut fast_paths = 0;
    for case in 0..5000 {
        let doc = rng.value(6);
        let (fast, reference) = both(&doc);
        let fast = fast.unwrap_or_else(|e| panic!("case {case}: left to serde-saphyr: {e}"));
        assert_eq!(fast, reference, "case {case}: {doc}");
        fast_paths += usize::from(fast.lines().count() > 1);
    }
    assert!(fast_paths > 1000, "only {fast_paths} multi-line documents");
}

#[test]
fn every_fragment_in_every_position_matches() {
    for s in FRAGMENTS.iter().map(|f| (*f).to_string()).chain([
        " lead\nx".into(),
        "\n  indented\n".into(),
        "tail\n\n\n".into(),
        "a\r\nb".into(),
        "tab\there\n".into(),
    ]) {
        for doc in [
            json!(s),
            json!({ "k": s }),
            json!({ &s: 1 }),
            json!([s]),
            json!([[s], { "a": [{ "b": s, "c": [s] }] }]),
            json!({ "a": { "b": [s, { &s: { &s: s } }] } }),
        ] {
            let (fast, reference) = both(&doc);
            assert_eq!(fast.as_deref(), Ok(reference.as_str()), "{doc}");
        }
    }
}

#[derive(Serialize)]
enum Kind {
    Unit,
    Newtype(u8),
    Tuple(u8, u8),
    Struct { x: u8 },
}

#[derive(Serialize)]
struct Typed {
    none: Option<u8>,
    unit: (),
    float: f32,
    ch: char,
    tuple: (u8, &'static str),
    empty: Vec<u8>,
    kinds: Vec<Kind>,
}

#[test]
fn shapes_portkey_does_not_emit_are_left_to_serde_saphyr() {
    let typed = |kinds| Typed {
        none: None,
        unit: (),
        float: 0.1,
        ch: 'y',
        tuple: (1, "on"),
        empty: vec![],
        kinds,
    };
    let supported = typed(vec![Kind::Unit, Kind::Newtype(1)]);
    let (fast, reference) = both(&supported);
    assert_eq!(fast.as_deref(), Ok(reference.as_str()));
    for unsupported in [
        typed(vec![Kind::Tuple(1, 2)]),
        typed(vec![Kind::Struct { x: 1 }]),
    ] {
        let (fast, reference) = both(&unsupported);
        assert!(fast.is_err(), "{reference}");
        let mut out = String::new();
        crate::write_yaml(&mut out, &unsupported).unwrap();
        assert_eq!(out, reference, "the fallback is serde-saphyr's text");
    }
    let mut numbers = std::collections::BTreeMap::new();
    numbers.insert(1, "x");
    assert!(
        both(&numbers).0.is_err(),
        "a number key is left to serde-saphyr"
    );
}
