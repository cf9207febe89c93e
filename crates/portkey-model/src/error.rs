//! Model errors: every problem names the app, the field and the fix.

use std::fmt;

/// One problem in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// The app at fault (or `cluster` for the inventory).
    pub app: String,
    /// The file that declared it, when known.
    pub file: String,
    /// The field at fault (`volumes[config].storage class`).
    pub field: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        write!(
            f,
            "app `{}`, field `{}`: {}\n  fix: {}",
            self.app, self.field, self.problem, self.fix
        )
    }
}

/// All problems found in one pass over the model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ModelErrors(pub Vec<ModelError>);

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the model:",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.0 {
            writeln!(f, "- {e}")?;
        }
        Ok(())
    }
}

/// Collects the problems of one app (or the inventory) into a shared list, filling in the
/// app and the file it was declared in.
pub(crate) struct Problems<'a> {
    /// The app at fault.
    pub(crate) app: &'a str,
    /// The file that declared it.
    pub(crate) file: &'a str,
    /// Where the problems go.
    pub(crate) out: &'a mut Vec<ModelError>,
}

impl Problems<'_> {
    /// Records a problem at `field` with the `fix` that resolves it.
    pub(crate) fn add(
        &mut self,
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.out.push(ModelError {
            app: self.app.to_string(),
            file: self.file.to_string(),
            field: field.into(),
            problem: problem.into(),
            fix: fix.into(),
        });
    }
}
