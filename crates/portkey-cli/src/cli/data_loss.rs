//! What a render is about to do to data: claims, their ReplicationSources and Namespaces
//! that the new tree drops, and claims that look renamed without `.renamed_from(..)`.
//!
//! `render` (and `render --check`) compare those files of the tree on disk with the new
//! tree, through `portkey diff`'s warnings, and print the destructive and rename warnings.
//! They are warnings, not errors: deleting an app or a volume can be what the user wants.
//! Only the few files that hold data are read and compared, so it costs little.

use std::path::Path;

use portkey_diff::{Category, Tree};

/// The file-name prefixes of the objects whose loss loses data, and the storage classes
/// that say whether a removed claim's volume is deleted with it.
const DATA_FILES: [&str; 4] = [
    "persistentvolumeclaim-",
    "replicationsource-",
    "namespace-",
    "storageclass-",
];

fn holds_data(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    DATA_FILES.iter().any(|p| name.starts_with(p))
}

/// The data files of the tree in `dir` (empty when there is none yet, or it can't be read:
/// the render itself reports an unreadable tree).
pub fn on_disk(dir: &Path) -> Tree {
    let mut out = Tree::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if holds_data(&rel)
            && let Ok(text) = std::fs::read_to_string(entry.path())
        {
            out.insert(rel, text);
        }
    }
    out
}

/// The data files of a rendered tree.
pub fn of_tree(tree: &Tree) -> Tree {
    tree.iter()
        .filter(|(path, _)| holds_data(path))
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect()
}

/// The destructive and rename warnings between the data files `before` and `after`.
pub fn warnings(before: &Tree, after: &Tree) -> Vec<String> {
    let Ok(diff) = portkey_diff::diff(before, after) else {
        return Vec::new();
    };
    diff.warnings
        .iter()
        .filter(|w| matches!(w.category, Category::Destructive | Category::Rename))
        .map(ToString::to_string)
        .collect()
}
