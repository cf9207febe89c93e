//! YAML 1.1 round trip: no plain scalar portkey writes changes type (or integer value) when
//! read with the YAML 1.1 rules Kubernetes' YAML reader follows, and tricky strings come
//! back exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use super::generated;
use crate::common::*;
use granit_parser::{Event, Parser, ScalarStyle};
use portkey::portkey_model::app::App;
use portkey::portkey_render::Tree;
use regex::Regex;
use serde_json::{Value, json};

/// How a plain scalar resolves. Integers keep their value: `0700` is 448 under YAML 1.1
/// and 700 under YAML 1.2 — same type, different number.
#[derive(Clone, Debug, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    Int(i128),
    Float,
    Timestamp,
    Merge,
    Str,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap())
}

fn parse_int(digits: &str, radix: u32, negative: bool) -> Resolved {
    let v = i128::from_str_radix(&digits.replace('_', ""), radix).unwrap_or(i128::MAX);
    Resolved::Int(if negative { -v } else { v })
}

/// YAML 1.1 implicit types (yaml.org/type; as read by sigs.k8s.io/yaml's go-yaml and PyYAML).
fn yaml11(s: &str) -> Resolved {
    static FLOAT: OnceLock<Regex> = OnceLock::new();
    static FLOAT_EXP: OnceLock<Regex> = OnceLock::new();
    static SEXA_INT: OnceLock<Regex> = OnceLock::new();
    static SEXA_FLOAT: OnceLock<Regex> = OnceLock::new();
    static DATE: OnceLock<Regex> = OnceLock::new();
    static TIMESTAMP: OnceLock<Regex> = OnceLock::new();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "<<" => return Resolved::Merge,
        _ => {}
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let all = |t: &str, f: fn(char) -> bool| !t.is_empty() && t.chars().all(|c| f(c) || c == '_');
    if let Some(b) = body.strip_prefix("0b")
        && all(b, |c| c == '0' || c == '1')
    {
        return parse_int(b, 2, negative);
    }
    if let Some(h) = body.strip_prefix("0x")
        && all(h, |c| c.is_ascii_hexdigit())
    {
        return parse_int(h, 16, negative);
    }
    if body.len() > 1 && body.starts_with('0') && all(&body[1..], |c| ('0'..='7').contains(&c)) {
        return parse_int(&body[1..], 8, negative);
    }
    if body == "0"
        || (body.starts_with(|c: char| ('1'..='9').contains(&c))
            && all(body, |c| c.is_ascii_digit()))
    {
        return parse_int(body, 10, negative);
    }
    if re(&SEXA_INT, r"^[1-9][0-9_]*(:[0-5]?[0-9])+$").is_match(body) {
        let v = body.split(':').fold(0i128, |acc, part| {
            acc * 60 + part.replace('_', "").parse::<i128>().unwrap()
        });
        return Resolved::Int(if negative { -v } else { v });
    }
    let float = re(&FLOAT, r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$");
    // go-yaml also reads an exponent without a dot (`1e3`) as a float.
    let float_exp = re(&FLOAT_EXP, r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$");
    let sexa_float = re(&SEXA_FLOAT, r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$");
    if (float.is_match(s) && s.chars().any(|c| c.is_ascii_digit()))
        || float_exp.is_match(s)
        || sexa_float.is_match(s)
        || matches!(body, ".inf" | ".Inf" | ".INF")
        || matches!(s, ".nan" | ".NaN" | ".NAN")
    {
        return Resolved::Float;
    }
    let date = re(&DATE, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$");
    let timestamp = re(
        &TIMESTAMP,
        r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?(([ \t]*)Z|[-+][0-9]{1,2}(:[0-9]{2})?)?$",
    );
    if date.is_match(s) || timestamp.is_match(s) {
        return Resolved::Timestamp;
    }
    Resolved::Str
}

/// The YAML 1.2 core schema.
fn yaml12(s: &str) -> Resolved {
    static FLOAT: OnceLock<Regex> = OnceLock::new();
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        _ => {}
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()) {
        return parse_int(body, 10, negative);
    }
    if let Some(o) = s.strip_prefix("0o")
        && !o.is_empty()
        && o.chars().all(|c| ('0'..='7').contains(&c))
    {
        return parse_int(o, 8, false);
    }
    if let Some(h) = s.strip_prefix("0x")
        && !h.is_empty()
        && h.chars().all(|c| c.is_ascii_hexdigit())
    {
        return parse_int(h, 16, false);
    }
    if re(
        &FLOAT,
        r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
    )
    .is_match(s)
        || matches!(body, ".inf" | ".Inf" | ".INF")
        || matches!(s, ".nan" | ".NaN" | ".NAN")
    {
        return Resolved::Float;
    }
    Resolved::Str
}

/// One scalar of a YAML stream, with where it sits.
#[derive(Debug)]
struct Scalar {
    /// `/`-separated path of keys and indexes (`spec/template/.../env/0/value`); a key's own
    /// path ends in the key.
    path: String,
    value: String,
    style: ScalarStyle,
    tagged: bool,
    line: usize,
}

impl Scalar {
    /// How YAML 1.1 and YAML 1.2 read it: quoted, block and tagged scalars are what they say.
    fn resolved(&self) -> (Resolved, Resolved) {
        if self.style == ScalarStyle::Plain && !self.tagged {
            (yaml11(&self.value), yaml12(&self.value))
        } else {
            (Resolved::Str, Resolved::Str)
        }
    }
}

/// Every scalar of `text`, keys included, through granit-parser's events.
fn scalars(text: &str) -> Vec<Scalar> {
    enum Frame {
        Map { key: Option<String> },
        Seq { index: usize },
    }
    // After a node (value or collection) completes: the parent moves on.
    fn advance(frames: &mut [Frame]) {
        match frames.last_mut() {
            Some(Frame::Map { key }) => *key = None,
            Some(Frame::Seq { index }) => *index += 1,
            None => {}
        }
    }
    /// The path segment of the next node: its key, or its index.
    fn segment(frames: &[Frame]) -> Option<String> {
        match frames.last() {
            Some(Frame::Map { key: Some(k) }) => Some(k.clone()),
            Some(Frame::Map { key: None }) => Some("?".into()),
            Some(Frame::Seq { index }) => Some(index.to_string()),
            None => None,
        }
    }
    let mut frames: Vec<Frame> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"));
        match event {
            Event::DocumentStart(..) => {
                frames.clear();
                path.clear();
            }
            Event::Scalar(value, style, _, tag) => {
                let is_key = matches!(frames.last(), Some(Frame::Map { key: None }));
                let mut p = path.clone();
                if is_key {
                    p.push(value.to_string());
                } else if let Some(s) = segment(&frames) {
                    p.push(s);
                }
                out.push(Scalar {
                    path: p.join("/"),
                    value: value.to_string(),
                    style,
                    tagged: tag.is_some(),
                    line: span.start.line(),
                });
                if is_key {
                    if let Some(Frame::Map { key }) = frames.last_mut() {
                        *key = Some(value.to_string());
                    }
                } else {
                    advance(&mut frames);
                }
            }
            Event::Alias(_) => advance(&mut frames),
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if let Some(s) = segment(&frames) {
                    path.push(s);
                }
                frames.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map { key: None }
                } else {
                    Frame::Seq { index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                frames.pop();
                if !frames.is_empty() {
                    path.pop();
                }
                advance(&mut frames);
            }
            _ => {}
        }
    }
    out
}

/// Plain scalars whose YAML 1.1 reading differs from their YAML 1.2 reading.
fn yaml11_changes(text: &str) -> Vec<String> {
    scalars(text)
        .into_iter()
        .filter_map(|s| {
            let (v11, v12) = s.resolved();
            (v11 != v12).then(|| {
                format!(
                    "line {}: {} = {:?} is {v11:?} under YAML 1.1 but {v12:?} under YAML 1.2",
                    s.line, s.path, s.value
                )
            })
        })
        .collect()
}

#[test]
fn yaml_type_check_catches_what_yaml_1_1_reads_differently() {
    // The checker itself: it must flag each of these plain scalars, and nothing quoted.
    let doc = "\
a: yes
b: '0700'
c: 0700
on: 1
d: 12:30
e: 2026-01-01
f: 1_000
<<: x
g: \"on\"
h: |
  yes
i: [y, n, Off]
j: 0b101
k: 2001-12-14t21:59:43.10-05:00
";
    let changes = yaml11_changes(doc);
    let flagged: BTreeSet<&str> = changes
        .iter()
        .map(|c| c.split(" = ").nth(1).unwrap().split(' ').next().unwrap())
        .collect();
    let expected: BTreeSet<&str> = [
        "\"yes\"",
        "\"0700\"",
        "\"on\"",
        "\"12:30\"",
        "\"2026-01-01\"",
        "\"1_000\"",
        "\"<<\"",
        "\"y\"",
        "\"n\"",
        "\"Off\"",
        "\"0b101\"",
        "\"2001-12-14t21:59:43.10-05:00\"",
    ]
    .into();
    assert_eq!(flagged, expected, "{changes:#?}");
    assert!(
        changes.iter().any(|c| c.starts_with("line 3: c = ")),
        "{changes:#?}"
    );
    assert!(
        changes.iter().any(|c| c.contains(": i/2 = \"Off\"")),
        "{changes:#?}"
    );
    // Same type under both: not flagged.
    let same = "a: true\nb: 1\nc: 1.5\nd: null\ne: ~\nf: hello\ng: 0x1F\nh: +1\ni: .5\nj: 1e3\nk: -7\nl:\nm: 1.10\n";
    assert_eq!(yaml11_changes(same), Vec::<String>::new());
}

#[test]
fn generated_tree_reads_the_same_under_yaml_1_1() {
    let mut files = 0;
    let mut changes = Vec::new();
    for entry in walkdir::WalkDir::new(generated()).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if !path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            continue;
        }
        files += 1;
        let text = fs::read_to_string(path).unwrap();
        for c in yaml11_changes(&text) {
            changes.push(format!("{}: {c}", path.display()));
        }
    }
    assert!(files > 20, "only {files} YAML files under generated/");
    assert!(changes.is_empty(), "{changes:#?}");
}

/// Strings YAML 1.1 (or 1.2) would read as something else when unquoted.
const TRICKY: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "0700",
    "1.10",
    "1e3",
    "0x1F",
    "~",
    "null",
    "12:30",
    "2026-01-01",
    "+1",
    ".5",
    "true",
    "Yes",
    "NO",
    "False",
    "Off",
    "0b101",
    "0o17",
    "1_000",
    "190:20:30",
    "-.inf",
    ".NaN",
    "<<",
    "2001-12-14t21:59:43.10-05:00",
    "",
    "-1",
    "0",
    "007",
    "1:2",
    "=",
];

/// Names that make valid ConfigMap keys (config file names).
const TRICKY_KEYS: &[&str] = &[
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "0700",
    "1.10",
    "1e3",
    "0x1F",
    "null",
    "true",
    "2026-01-01",
    ".5",
    "1_000",
    "0b101",
];

/// Names that make valid environment variable names.
const TRICKY_ENV_NAMES: &[&str] = &["on", "off", "yes", "no", "y", "n", "null", "true", "NO"];

fn tricky_app() -> App {
    let mut a = app("tricky").args(TRICKY);
    for (i, v) in TRICKY.iter().enumerate() {
        a = a.env(&format!("V{i}"), v);
    }
    for name in TRICKY_ENV_NAMES {
        a = a.env(name, name);
    }
    for key in TRICKY_KEYS {
        a = a.config_file(&format!("/etc/tricky/{key}"), key);
    }
    a.config_file("/etc/tricky/lines.conf", "yes\n0700\n~\n")
        .annotation("on", "off")
        .annotation("y", "n")
        .annotation("example.com/when", "12:30")
}

fn tricky_tree() -> Tree {
    render(vec![tricky_app()])
}

#[test]
fn tricky_strings_read_the_same_under_yaml_1_1() {
    let tree = tricky_tree();
    let mut changes = Vec::new();
    for (path, text) in &tree {
        if Path::new(path).extension().is_some_and(|x| x == "yaml") {
            changes.extend(
                yaml11_changes(text)
                    .into_iter()
                    .map(|c| format!("{path}: {c}")),
            );
        }
    }
    assert!(changes.is_empty(), "{changes:#?}");

    // And every tricky string is a string to both readers where it was written.
    let deployment = &tree["lab/tricky/deployment-tricky.yaml"];
    let config = &tree["lab/tricky/configmap-tricky-config.yaml"];
    let container =
        Regex::new(r"^spec/template/spec/containers/0/(env/[0-9]+/(name|value)|args/[0-9]+)$")
            .unwrap();
    let mut seen = BTreeSet::new();
    let mut check = |s: &Scalar| {
        let (v11, v12) = s.resolved();
        assert!(
            v11 == Resolved::Str && v12 == Resolved::Str,
            "{} = {:?} ({:?}) is {v11:?} / {v12:?}, not a string",
            s.path,
            s.value,
            s.style
        );
        seen.insert(s.value.clone());
    };
    for s in scalars(deployment) {
        if container.is_match(&s.path)
            || s.path.starts_with("metadata/annotations/")
            || (s
                .path
                .starts_with("spec/template/spec/containers/0/volumeMounts/")
                && (s.path.ends_with("/mountPath") || s.path.ends_with("/subPath")))
        {
            check(&s);
        }
    }
    for s in scalars(config) {
        if s.path.starts_with("data/") {
            check(&s);
        }
    }
    for t in TRICKY.iter().chain(TRICKY_KEYS).chain(TRICKY_ENV_NAMES) {
        assert!(
            seen.contains(*t),
            "{t:?} was not found where it was written"
        );
    }
}

#[test]
fn tricky_strings_round_trip_exactly() {
    let tree = tricky_tree();
    let d: Value = serde_saphyr::from_str(&tree["lab/tricky/deployment-tricky.yaml"]).unwrap();
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    let env: BTreeMap<&str, &Value> = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap(), &e["value"]))
        .collect();
    for (i, v) in TRICKY.iter().enumerate() {
        assert_eq!(
            env.get(format!("V{i}").as_str()),
            Some(&&json!(v)),
            "env V{i}"
        );
    }
    for name in TRICKY_ENV_NAMES {
        assert_eq!(env.get(name), Some(&&json!(name)), "env {name}");
    }
    assert_eq!(c["args"], json!(TRICKY));
    assert_eq!(d["metadata"]["annotations"]["on"], json!("off"));
    assert_eq!(d["metadata"]["annotations"]["y"], json!("n"));
    assert_eq!(
        d["metadata"]["annotations"]["example.com/when"],
        json!("12:30")
    );

    let cm: Value =
        serde_saphyr::from_str(&tree["lab/tricky/configmap-tricky-config.yaml"]).unwrap();
    for key in TRICKY_KEYS {
        assert_eq!(cm["data"][key], json!(key), "ConfigMap data[{key}]");
    }
    assert_eq!(cm["data"]["lines.conf"], json!("yes\n0700\n~\n"));
}

#[test]
#[ignore = "needs python3 with PyYAML: run by .ci/run"]
fn tricky_strings_round_trip_through_pyyaml() {
    // An independent YAML 1.1 reader.
    let tree = tricky_tree();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("d.yaml");
    fs::write(&file, &tree["lab/tricky/deployment-tricky.yaml"]).unwrap();
    let o = Command::new("python3")
        .args([
            "-c",
            "import sys, yaml, json; print(json.dumps(yaml.safe_load(open(sys.argv[1])), default=repr))",
        ])
        .arg(&file)
        .output()
        .expect("run python3 (needed by this test: install python3 and PyYAML)");
    assert!(
        o.status.success(),
        "python3 with PyYAML failed (is PyYAML installed?): {}",
        text(&o.stderr)
    );
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["args"],
        json!(TRICKY),
        "PyYAML reads the args differently"
    );
    for (i, v) in TRICKY.iter().enumerate() {
        let e = c["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == format!("V{i}"))
            .unwrap();
        assert_eq!(e["value"], json!(v), "PyYAML reads env V{i} differently");
    }
}
