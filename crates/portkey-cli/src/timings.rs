//! How long each pipeline stage took (`portkey render --timings`).

/// Wall-clock time per pipeline stage, in the order the stages ran.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// `(stage, time, alongside)`: an `alongside` stage ran on its own thread during the
    /// stage after it, so it is not part of the total.
    pub stages: Vec<(&'static str, std::time::Duration, bool)>,
    /// Lines printed after the stages (what the schema check could skip).
    pub notes: Vec<String>,
}

impl Timings {
    /// Records a stage that started at `since` and ended now; returns now.
    pub(crate) fn lap(
        &mut self,
        stage: &'static str,
        since: std::time::Instant,
    ) -> std::time::Instant {
        let now = std::time::Instant::now();
        self.stages.push((stage, now - since, false));
        now
    }

    /// One line per stage, `stage  12.3 ms`, and the total.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for (stage, d, alongside) in &self.stages {
            let mark = if *alongside { " (alongside)" } else { "" };
            let name = format!("{stage}{mark}");
            let _ = writeln!(out, "{name:<40} {:>8.1} ms", d.as_secs_f64() * 1e3);
        }
        let total: std::time::Duration = self
            .stages
            .iter()
            .filter(|(_, _, alongside)| !alongside)
            .map(|(_, d, _)| *d)
            .sum();
        let _ = writeln!(out, "{:<40} {:>8.1} ms", "total", total.as_secs_f64() * 1e3);
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        out
    }
}
