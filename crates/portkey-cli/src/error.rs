//! Why a run failed: the model's problems, the compiled objects' (schemas, API-server
//! rules, lints), both at once, or a render error.

/// Why rendering failed.
#[derive(Debug)]
pub enum Error {
    /// The model has problems (all of them are listed).
    Model(portkey_model::ModelErrors),
    /// Rendering or writing failed.
    Render(portkey_render::RenderError),
    /// Compiled objects fail the embedded schemas or the policy lints; nothing was written.
    Invalid(Vec<Invalid>),
    /// Both: the model has problems, and the objects compiled from the rest of it fail
    /// checks. One run reports every stage's problems; nothing was written.
    Both(portkey_model::ModelErrors, Vec<Invalid>),
}

/// A compiled object that fails a check; shown as `file: Kind/name: ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// It fails its embedded schema (or does not serialize); `file` is the model source.
    Schema(portkey_validate::Problem),
    /// It fails a policy lint.
    Lint(portkey_validate::lint::Finding),
    /// It fails a rule of the API server's own validation
    /// ([`portkey_validate::apiserver`]); the message names the app and model field.
    ApiServer(portkey_validate::Problem),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Schema(p) | Invalid::ApiServer(p) => write!(f, "{p}"),
            Invalid::Lint(l) => write!(f, "{l}"),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Model(e) => write!(f, "{e}"),
            Error::Render(e) => write!(f, "{e}"),
            Error::Invalid(problems) => invalid(f, problems),
            Error::Both(model, problems) => {
                writeln!(f, "{model}")?;
                invalid(f, problems)
            }
        }
    }
}

fn invalid(f: &mut std::fmt::Formatter<'_>, problems: &[Invalid]) -> std::fmt::Result {
    writeln!(f, "{} problem(s) in the compiled objects:", problems.len())?;
    for p in problems {
        writeln!(f, "- {p}")?;
    }
    Ok(())
}

impl std::error::Error for Error {}
