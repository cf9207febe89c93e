//! The Markdown format, for a pull-request comment.
//!
//! It starts with [`MARKER`], so a workflow can find its own comment and update it. Then
//! the summary, every warning, a table of the changed apps (apps with warnings first) and,
//! per app, the objects and fields in a collapsible `<details>` section.
//!
//! The whole comment stays under [`LIMIT`] (GitHub's limit on a comment; the text is
//! measured in bytes, which are never fewer than characters). When it would not fit, the
//! table keeps at most half of the room left after the warnings, the details are cut (per
//! object, then whole apps), and a note says what was cut; warnings are never cut, unless the warnings alone are over the limit,
//! when the note says how many are not shown.

use std::fmt::Write as _;

use crate::fields::show;
use crate::text::{counts, sign};
use crate::{AppDiff, Diff, plural};

/// The first line of every comment: what a workflow looks for to update its comment.
pub const MARKER: &str = "<!-- portkey-diff -->";

/// GitHub's limit on the body of a comment, in characters.
pub const LIMIT: usize = 65_536;

/// Room kept for the note about what was cut and the closing of a section.
const RESERVE: usize = 600;
/// How wide a value may be before it is cut (`…`).
const VALUE_WIDTH: usize = 100;

/// The comment, under [`LIMIT`].
pub fn render(diff: &Diff, base: &str, head: &str) -> String {
    render_capped(diff, base, head, LIMIT)
}

/// What was left out to fit.
#[derive(Default)]
struct Cut {
    warnings: usize,
    rows: usize,
    objects: usize,
    apps: usize,
}

/// The comment, under `limit` bytes (`limit` should leave room for the note: a few
/// hundred bytes).
pub fn render_capped(diff: &Diff, base: &str, head: &str, limit: usize) -> String {
    let mut out = format!(
        "{MARKER}\n### portkey diff\n\n`generated/` at {} → {}: ",
        code(base),
        code(head)
    );
    if diff.is_empty() {
        out.push_str("**no changes**.\n");
        return out;
    }
    let _ = writeln!(out, "**{}**.", diff.totals().sentence());
    let budget = limit.saturating_sub(RESERVE);
    let mut cut = Cut::default();
    if !diff.warnings.is_empty() {
        let n = diff.warnings.len();
        let _ = writeln!(out, "\n#### ⚠️ {n} warning{}\n", plural(n));
        for (i, w) in diff.warnings.iter().enumerate() {
            let mut line = format!("- **{}** `{}` {}", w.category.label(), w.app, w.object);
            if let Some(field) = &w.field {
                let _ = write!(line, " {}", code(field));
            }
            let _ = writeln!(line, ": {}: {}", code(&w.change), w.consequence);
            if out.len() + line.len() >= budget {
                cut.warnings = n - i;
                break;
            }
            out.push_str(&line);
        }
    }
    let order = diff.apps_in_review_order();
    if cut.warnings == 0 {
        // The table takes at most half of what is left, so the details of the first apps
        // (those with warnings) still fit.
        let table_budget = out.len() + budget.saturating_sub(out.len()) / 2;
        out.push_str("\n| app | added | changed | removed | warnings |\n|:--|--:|--:|--:|--:|\n");
        for (i, name) in order.iter().enumerate() {
            let app = diff.apps.get(*name).cloned().unwrap_or_default();
            let row = format!(
                "| {} | {} | {} | {} | {} |\n",
                name.replace('|', "\\|"),
                app.added.len(),
                app.changed.len(),
                app.removed.len(),
                diff.warnings_of(name).count()
            );
            if out.len() + row.len() >= table_budget {
                cut.rows = order.len() - i;
                break;
            }
            out.push_str(&row);
        }
        if !diff.documents.is_empty() {
            out.push_str("\nDocuments:");
            for (path, change) in &diff.documents {
                let _ = write!(out, " {}", code(&format!("{} {path}", sign(*change))));
            }
            out.push('\n');
        }
        out.push('\n');
        for name in &order {
            let Some(app) = diff.apps.get(*name) else {
                continue;
            };
            let warned = diff.warnings_of(name).count();
            if cut.objects > 0 || !details(&mut out, (name, warned), app, budget, &mut cut) {
                cut.apps += 1;
                cut.objects += app.len();
            }
        }
    } else {
        cut.rows = order.len();
        cut.apps = diff.apps.len();
        cut.objects = diff.apps.values().map(AppDiff::len).sum();
    }
    note(&mut out, &cut, limit);
    out
}

/// Appends the section of app `name` with `warned` warnings; returns false (appending
/// nothing) when not even its first object fits, and counts the objects it leaves out in
/// `cut`.
fn details(
    out: &mut String,
    (name, warned): (&str, usize),
    app: &AppDiff,
    budget: usize,
    cut: &mut Cut,
) -> bool {
    const CLOSE: &str = "\n</details>\n\n";
    let warnings = if warned > 0 {
        format!(" (⚠️ {warned} warning{})", plural(warned))
    } else {
        String::new()
    };
    let open = format!(
        "<details><summary><b>{}</b>: {}{warnings}</summary>\n\n",
        html(name),
        counts(app)
    );
    let mut items: Vec<String> = app.added.iter().map(|k| format!("- `+` {k}\n")).collect();
    for c in &app.changed {
        let mut item = format!("- `~` {}\n", c.object);
        for f in &c.fields {
            let _ = writeln!(
                item,
                "  - {}: {} → {}",
                code(&f.path),
                code(&show(f.old.as_ref(), VALUE_WIDTH)),
                code(&show(f.new.as_ref(), VALUE_WIDTH))
            );
        }
        items.push(item);
    }
    items.extend(app.removed.iter().map(|k| format!("- `-` {k}\n")));
    let room = |out: &String, more: usize| out.len() + open.len() + more + CLOSE.len() < budget;
    if items.first().is_none_or(|first| !room(out, first.len())) {
        return false;
    }
    let mut body = String::new();
    let mut shown = 0;
    for item in &items {
        if !room(out, body.len() + item.len()) {
            break;
        }
        body.push_str(item);
        shown += 1;
    }
    out.push_str(&open);
    out.push_str(&body);
    if shown < items.len() {
        let left = items.len() - shown;
        let _ = writeln!(out, "- … {left} more object{} not shown", plural(left));
        cut.objects += left;
    }
    out.push_str(CLOSE);
    true
}

fn note(out: &mut String, cut: &Cut, limit: usize) {
    let mut parts = Vec::new();
    if cut.warnings > 0 {
        parts.push(format!(
            "{} warning{} (the warnings alone are over the limit)",
            cut.warnings,
            plural(cut.warnings)
        ));
    }
    if cut.rows > 0 {
        parts.push(format!("{} table row{}", cut.rows, plural(cut.rows)));
    }
    if cut.objects > 0 {
        parts.push(format!(
            "the details of {} object{} ({} app{} left out whole)",
            cut.objects,
            plural(cut.objects),
            cut.apps,
            plural(cut.apps)
        ));
    }
    if parts.is_empty() {
        return;
    }
    let kept = if cut.warnings == 0 {
        " Every warning is shown above."
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "\n> **Cut to stay under GitHub's {limit}-character comment limit:** {}.{kept} Run `portkey diff` locally for everything.",
        parts.join(", ")
    );
}

/// `text` as one inline code span, whatever backticks it holds.
fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests;
