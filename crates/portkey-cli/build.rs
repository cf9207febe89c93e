//! Embeds the chart defaults of the workspace's `charts/<chart>/<version>/`
//! (`values.yaml`, `values.schema.json`) as a lookup table in `OUT_DIR`. They live in this
//! crate, not in the root package beside `apps/`, so that an app edit never recompiles them
//! (README, "The edit loop"); `portkey charts pull` adding a folder rebuilds this crate.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Invariant: cargo sets CARGO_MANIFEST_DIR for every build script.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    // crates/portkey-cli → the workspace root, where `charts/` sits beside `apps/`.
    write_chart_defaults(&Path::new(&manifest).join("../.."));
}

/// Writes `chart_defaults.rs` into `OUT_DIR`: one `(chart, version, values.yaml,
/// values.schema.json)` row per `charts/<chart>/<version>/values.yaml`, embedded with
/// `include_str!` so that `render` stays one binary. A folder without `values.yaml` gives
/// no row, and the render then reports the release's missing defaults with the fix.
fn write_chart_defaults(root: &Path) {
    let dir = root.join("charts");
    // The workspace's folder, not this package's: a path that does not exist would rerun
    // this script (and rebuild this crate) on every build.
    println!("cargo::rerun-if-changed={}", dir.display());
    // Invariant: cargo sets OUT_DIR for every build script.
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut rows = String::new();
    let mut found: Vec<_> = walkdir::WalkDir::new(&dir)
        .min_depth(3)
        .max_depth(3)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() == "values.yaml")
        .map(walkdir::DirEntry::into_path)
        .collect();
    found.sort();
    for values in found {
        let (Some(version_dir), Some(version), Some(chart)) = (
            values.parent(),
            values.parent().and_then(Path::file_name),
            values
                .parent()
                .and_then(Path::parent)
                .and_then(Path::file_name),
        ) else {
            continue;
        };
        let schema = version_dir.join("values.schema.json");
        let schema = if schema.is_file() {
            format!("Some(include_str!({:?}))", schema.display().to_string())
        } else {
            "None".to_string()
        };
        let values = match json_of(&values) {
            Some(json) => {
                let file = Path::new(&out_dir).join(format!(
                    "chart-defaults-{}-{}.json",
                    chart.to_string_lossy(),
                    version.to_string_lossy()
                ));
                // Invariant: cargo's OUT_DIR is writable.
                std::fs::write(&file, json).expect("write a chart's defaults as JSON");
                format!(
                    "Values::Json(include_str!({:?}))",
                    file.display().to_string()
                )
            }
            None => format!(
                "Values::Yaml(include_str!({:?}))",
                values.display().to_string()
            ),
        };
        let _ = writeln!(
            rows,
            "    ({:?}, {:?}, {values}, {schema}),",
            chart.to_string_lossy(),
            version.to_string_lossy(),
        );
    }
    let table = format!(
        "// Written by build.rs from the folders in charts/.\n/// `(chart, version, values.yaml, values.schema.json)` for each folder of `charts/`.\npub static CHART_DEFAULTS: &[(&str, &str, Values, Option<&str>)] = &[\n{rows}];\n"
    );
    let out = Path::new(&out_dir).join("chart_defaults.rs");
    // Invariant: cargo's OUT_DIR is writable.
    std::fs::write(out, table).expect("write the chart defaults table");
}

/// `values.yaml` as JSON text: the same value the render's `parse_values` would build
/// (serde-saphyr into a `serde_json::Value`), parsed here once instead of on every render,
/// where JSON parses several times faster than YAML. `None` when it does not parse: the
/// YAML is embedded instead, and the render reports the error as it always has.
fn json_of(values: &Path) -> Option<String> {
    let text = std::fs::read_to_string(values).ok()?;
    let value: serde_json::Value = serde_saphyr::from_str(&text).ok()?;
    serde_json::to_string(&value).ok()
}
