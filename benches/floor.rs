//! The serde_yaml floor: what serializing the objects portkey emits costs serde_yaml alone,
//! on one thread, with nothing else of the pipeline (no resolution, no checks, no schemas,
//! no writing). The issue (#17) names it as the yardstick the pipeline is held to.
//!
//! "The same objects" are the rendered files parsed back, untimed: every YAML file of the
//! tree becomes the [`serde_yaml::Value`] it holds, with its keys in the file's order (a
//! `serde_yaml::Mapping` keeps insertion order, which `serde_json::Value` without
//! `preserve_order` would not). The files are exactly what portkey emits, so their values
//! carry every key and every scalar of every object. Compiling the objects again instead
//! would mean copying the private pipeline of `src/lib.rs` (sync waves, the Argo CD
//! objects, the documents) into the bench, to arrive at the same values.
//!
//! The timed part is [`serialize`]: `serde_yaml::to_string` of each object, behind the
//! file's own header comment, one string per file. The Markdown documents have no object
//! behind them; their floor is a copy of their text. So the floor yields as many strings
//! as portkey writes files, holding the same YAML.

/// One file of the tree, ready to serialize.
enum Piece {
    /// A YAML file: its leading comment lines and the object it holds.
    Object {
        header: String,
        value: serde_yaml::Value,
    },
    /// A file with no object behind it (the Markdown documents): its text.
    Text(String),
}

/// The objects of one rendered tree, in the tree's order.
pub struct Objects(Vec<Piece>);

impl Objects {
    /// Parses every file of `tree` back (untimed). A YAML file holds one object.
    pub fn of(tree: &portkey_render::Tree) -> Objects {
        Objects(
            tree.iter()
                .map(|(path, text)| {
                    if !is_yaml(path) {
                        return Piece::Text(text.clone());
                    }
                    let header: String = text
                        .split_inclusive('\n')
                        .take_while(|line| line.starts_with('#'))
                        .collect();
                    let value = serde_yaml::from_str(text)
                        .unwrap_or_else(|e| panic!("{path} parses back: {e}"));
                    Piece::Object { header, value }
                })
                .collect(),
        )
    }

    /// How many strings [`serialize`] makes: the tree's file count.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Whether a file of the tree holds an object: portkey names its YAML files `*.yaml`.
fn is_yaml(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|ext| ext == "yaml")
}

/// The floor itself (timed): every object through `serde_yaml::to_string` on this one
/// thread, each behind its header comment; one string per file.
pub fn serialize(objects: &Objects) -> Vec<String> {
    objects
        .0
        .iter()
        .map(|piece| match piece {
            Piece::Object { header, value } => {
                let yaml = serde_yaml::to_string(value).expect("a parsed value serializes");
                let mut out = String::with_capacity(header.len() + yaml.len());
                out.push_str(header);
                out.push_str(&yaml);
                out
            }
            Piece::Text(text) => text.clone(),
        })
        .collect()
}

/// That the floor made the same objects as `tree`: one string per file, each YAML one
/// holding the value of its file (the `--test` run checks this once).
pub fn check(tree: &portkey_render::Tree, strings: &[String]) {
    assert_eq!(strings.len(), tree.len(), "one string per file");
    for ((path, text), yaml) in tree.iter().zip(strings) {
        if is_yaml(path) {
            let ours: serde_yaml::Value = serde_yaml::from_str(text).expect("parses");
            let floor: serde_yaml::Value = serde_yaml::from_str(yaml).expect("parses");
            assert_eq!(ours, floor, "{path}: the floor serialized another object");
        } else {
            assert_eq!(text, yaml, "{path}: the floor copies the text");
        }
    }
}
