//! Model errors: every problem names the app, the field and the fix.

use std::fmt;

/// One problem in the model, built with [`ModelError::at`] (which makes the problem and
/// the fix impossible to leave out).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

impl ModelError {
    /// Starts a problem report: the file that declared the thing at fault, the app (or
    /// release, or `cluster`) and the field. The report is a [`ModelError`] only once it
    /// has a problem and a fix: `ModelError::at(file, app, field).problem(..).fix(..)`.
    pub fn at(
        file: impl Into<String>,
        app: impl Into<String>,
        field: impl Into<String>,
    ) -> ErrorAt {
        ErrorAt {
            file: file.into(),
            app: app.into(),
            field: field.into(),
        }
    }
}

/// A problem report that knows where it is, but not yet what is wrong.
#[derive(Clone, Debug)]
#[must_use = "a report becomes a ModelError only with `.problem(..).fix(..)`"]
pub struct ErrorAt {
    file: String,
    app: String,
    field: String,
}

impl ErrorAt {
    /// Says what is wrong.
    pub fn problem(self, problem: impl Into<String>) -> ErrorWithProblem {
        ErrorWithProblem {
            at: self,
            problem: problem.into(),
        }
    }
}

/// A problem report that knows where and what, but not yet how to fix it.
#[derive(Clone, Debug)]
#[must_use = "a report becomes a ModelError only with `.fix(..)`"]
pub struct ErrorWithProblem {
    at: ErrorAt,
    problem: String,
}

impl ErrorWithProblem {
    /// Says how to fix it, completing the report.
    pub fn fix(self, fix: impl Into<String>) -> ModelError {
        ModelError {
            app: self.at.app,
            file: self.at.file,
            field: self.at.field,
            problem: self.problem,
            fix: fix.into(),
        }
    }
}

/// The problems found while checking one thing (an app, a release, the inventory): every
/// report it takes names that thing's file and name.
pub(crate) struct Problems<'a> {
    file: &'a str,
    app: &'a str,
    out: &'a mut Vec<ModelError>,
}

impl<'a> Problems<'a> {
    /// Collects into `out` the problems of `app`, declared in `file`.
    pub(crate) fn new(file: &'a str, app: &'a str, out: &'a mut Vec<ModelError>) -> Self {
        Self { file, app, out }
    }

    /// Reports a problem with `field`.
    pub(crate) fn add(
        &mut self,
        field: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.out.push(
            ModelError::at(self.file, self.app, field)
                .problem(problem)
                .fix(fix),
        );
    }

    /// How many problems have been collected so far (of every thing, not just this one).
    pub(crate) fn count(&self) -> usize {
        self.out.len()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_file_app_field_problem_and_fix() {
        let e = ModelError::at("apps/notes.rs", "notes", "image")
            .problem("no tag")
            .fix("write repository:tag");
        assert_eq!(
            [&e.file, &e.app, &e.field, &e.problem, &e.fix],
            [
                "apps/notes.rs",
                "notes",
                "image",
                "no tag",
                "write repository:tag"
            ]
        );
        assert_eq!(
            e.to_string(),
            "apps/notes.rs: app `notes`, field `image`: no tag\n  fix: write repository:tag"
        );
    }

    #[test]
    fn problems_fill_in_the_file_and_the_app() {
        let mut out = Vec::new();
        let mut p = Problems::new("cluster.rs", "cluster", &mut out);
        p.add("nodes[a]", "declared twice", "declare each node once");
        assert_eq!(p.count(), 1);
        assert_eq!(
            out,
            [ModelError::at("cluster.rs", "cluster", "nodes[a]")
                .problem("declared twice")
                .fix("declare each node once")]
        );
    }
}
