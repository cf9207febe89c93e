//! What a render is about to do to data: claims, their ReplicationSources and Namespaces
//! that the new tree drops, and claims that look renamed without `.renamed_from(..)`.
//!
//! `render` (and `render --check`) compare those files of the tree on disk with the new
//! tree, through `portkey diff`'s warnings, and print the destructive and rename warnings.
//! They are warnings, not errors: deleting an app or a volume can be what the user wants.
//! The streaming sinks keep those files' texts, read as each file is compared, and only
//! when one of them changed or went (otherwise there is nothing to warn about): the disk
//! is read once, and an unchanged tree keeps none.

use portkey_diff::{Category, Tree};

/// The file-name prefixes of the objects whose loss loses data, and the storage classes
/// that say whether a removed claim's volume is deleted with it.
const DATA_FILES: [&str; 4] = [
    "persistentvolumeclaim-",
    "replicationsource-",
    "namespace-",
    "storageclass-",
];

/// Whether the file at `path` holds one of those objects: the files `render` and
/// `render --check` keep the texts of when one of them drifts
/// ([`portkey_render::WriteReport::kept`]).
pub fn holds_data(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    DATA_FILES.iter().any(|p| name.starts_with(p))
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
