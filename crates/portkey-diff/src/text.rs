//! The text format, for a terminal: the summary, every warning, then each app's objects
//! (`+` added, `~` changed with its fields, `-` removed).

use std::fmt::Write as _;

use crate::fields::show;
use crate::{Diff, FileChange, plural};

/// How wide a value may be before it is cut (`…`).
const VALUE_WIDTH: usize = 120;

/// The whole diff as text. `base` and `head` name the two sides.
pub fn render(diff: &Diff, base: &str, head: &str) -> String {
    let mut out = format!("portkey diff: generated/ at {base} → {head}\n");
    if diff.is_empty() {
        out.push_str("No changes.\n");
        moved(&mut out, diff);
        return out;
    }
    let _ = writeln!(out, "{}.", diff.totals().sentence());
    if !diff.warnings.is_empty() {
        out.push_str("\nwarnings:\n");
        for w in &diff.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
    }
    for name in diff.apps_in_review_order() {
        let Some(app) = diff.apps.get(name) else {
            continue;
        };
        let _ = writeln!(out, "\n{name}: {}", counts(app));
        for key in &app.added {
            let _ = writeln!(out, "  + {key}");
        }
        for c in &app.changed {
            let _ = writeln!(out, "  ~ {}", c.object);
            for f in &c.fields {
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    f.path,
                    show(f.old.as_ref(), VALUE_WIDTH),
                    show(f.new.as_ref(), VALUE_WIDTH)
                );
            }
        }
        for key in &app.removed {
            let _ = writeln!(out, "  - {key}");
        }
    }
    if !diff.documents.is_empty() {
        out.push_str("\ndocuments:\n");
        for (path, change) in &diff.documents {
            let _ = writeln!(out, "  {} {path}", sign(*change));
        }
    }
    if !diff.moved.is_empty() {
        out.push('\n');
        moved(&mut out, diff);
    }
    out
}

fn moved(out: &mut String, diff: &Diff) {
    let n = diff.moved.len();
    if n > 0 {
        let _ = writeln!(
            out,
            "{n} object{} moved to another file unchanged (not a change).",
            plural(n)
        );
    }
}

/// `+`, `~` or `-`.
pub(crate) fn sign(change: FileChange) -> char {
    match change {
        FileChange::Added => '+',
        FileChange::Changed => '~',
        FileChange::Removed => '-',
    }
}

/// `2 added, 1 changed` (only the non-zero counts).
pub(crate) fn counts(app: &crate::AppDiff) -> String {
    let parts: Vec<String> = [
        (app.added.len(), "added"),
        (app.changed.len(), "changed"),
        (app.removed.len(), "removed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "no object changes".into()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Tree, diff};

    fn tree(path: &str, text: &str) -> Tree {
        [(path.to_string(), text.to_string())].into()
    }

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n";

    #[test]
    fn a_move_alone_is_no_change_but_is_said() {
        let d = diff(&tree("a/ns.yaml", NS), &tree("b/ns.yaml", NS)).unwrap();
        assert_eq!(
            render(&d, "main", "render"),
            "portkey diff: generated/ at main → render\nNo changes.\n1 object moved to another file unchanged (not a change).\n"
        );
    }

    #[test]
    fn changes_are_listed_per_app_with_their_fields() {
        let labelled = NS.replace("kind: Namespace", "kind: Namespace\nspec:\n  x: 1");
        let d = diff(&tree("a/ns.yaml", NS), &tree("a/ns.yaml", &labelled)).unwrap();
        let out = render(&d, "main", "render");
        assert!(
            out.ends_with(
                "\na: 1 changed\n  ~ Namespace lab (v1)\n      spec: (none) → {\"x\":1}\n"
            ),
            "{out}"
        );
        let gone = render(
            &diff(&tree("a/ns.yaml", NS), &Tree::new()).unwrap(),
            "m",
            "r",
        );
        assert!(
            gone.contains(
                "warning: [destructive] Namespace lab (v1): removed: Argo CD prunes it, and deleting a Namespace"
            ),
            "{gone}"
        );
        assert!(gone.contains("\n  - Namespace lab (v1)\n"), "{gone}");
    }
}
