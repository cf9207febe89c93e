//! `portkey validate`: any manifest directory against the strict schemas and the API
//! server's own rules.

/// What `portkey validate` found.
#[derive(Debug)]
pub struct ValidationReport {
    /// Objects checked.
    pub objects: usize,
    /// Where the schemas came from.
    pub origin: String,
    /// Every problem, in file order.
    pub problems: Vec<portkey_validate::Problem>,
}

/// Validates every YAML object under `path` against the schemas in `schemas` (a
/// kubeconform-layout directory) or, without one, the embedded schemas; then against the
/// API server's own rules ([`portkey_validate::apiserver`]), per object and across them.
pub fn validate_path(
    schemas: Option<&std::path::Path>,
    path: &std::path::Path,
) -> Result<ValidationReport, Box<dyn std::error::Error>> {
    let (objects, mut problems) = portkey_validate::read_objects(path)?;
    let loaded;
    let schemas = match schemas {
        Some(dir) => {
            let kinds: std::collections::BTreeSet<(String, String)> = objects
                .iter()
                .map(|(_, v)| {
                    (
                        v["apiVersion"].as_str().unwrap_or_default().to_string(),
                        v["kind"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            loaded =
                portkey_validate::Schemas::from_dir(dir, &kinds.into_iter().collect::<Vec<_>>())?;
            &loaded
        }
        None => portkey_validate::Schemas::embedded(),
    };
    for (file, value) in &objects {
        problems.extend(portkey_validate::validate_value(schemas, file, value));
        problems.extend(portkey_validate::apiserver::check_object(file, value));
    }
    problems.extend(portkey_validate::apiserver::check_across(&objects));
    Ok(ValidationReport {
        objects: objects.len(),
        origin: schemas.origin().to_string(),
        problems,
    })
}
