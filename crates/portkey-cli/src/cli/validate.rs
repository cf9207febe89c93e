//! `portkey validate [--schemas DIR] [--format json] [PATH]`: every object under PATH
//! against the schemas, then the API server's own rules (`portkey_validate::apiserver`).
//!
//! The JSON report:
//!
//! ```json
//! {
//!   "status": "valid",
//!   "path": "generated",
//!   "objects": 138,
//!   "schemas": "embedded",
//!   "problems": [],
//!   "error": null
//! }
//! ```
//!
//! `status` is `valid` (exit 0), `invalid` (exit 1; `problems` lists each, `kind` `object`)
//! or `error` (exit 2: PATH or the schemas could not be read; `error` says why, `objects`
//! is 0 and `schemas` null).

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::{CANNOT_RUN, Format, PROBLEMS, object_problem, print_json};

/// Runs `portkey validate`.
pub fn run(schemas: Option<&Path>, path: &Path, format: Format) -> ExitCode {
    let report = match crate::validate_path(schemas, path) {
        Ok(report) => report,
        Err(e) => {
            match format {
                Format::Text => eprintln!("error: {e}"),
                Format::Json => print_json(&json!({
                    "status": "error",
                    "path": path.display().to_string(),
                    "objects": 0,
                    "schemas": null,
                    "problems": [],
                    "error": e.to_string(),
                })),
            }
            return ExitCode::from(CANNOT_RUN);
        }
    };
    let n = report.problems.len();
    match format {
        Format::Text => {
            for p in &report.problems {
                println!("{p}");
            }
            println!(
                "{} objects checked against {} schemas: {n} problem{}",
                report.objects,
                report.origin,
                if n == 1 { "" } else { "s" }
            );
        }
        Format::Json => print_json(&json!({
            "status": if n == 0 { "valid" } else { "invalid" },
            "path": path.display().to_string(),
            "objects": report.objects,
            "schemas": report.origin,
            "problems": report.problems.iter().map(object_problem).collect::<Vec<_>>(),
            "error": null,
        })),
    }
    if n == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PROBLEMS)
    }
}
