//! The bench's one table: each portkey figure beside the floors measured in the same run,
//! and the ratios. It is a Markdown table with aligned columns, printed row by row as the
//! measurements finish, so it reads in a terminal and pastes into the README.

use std::time::Duration;

/// The wall-clock times of one measurement's runs.
pub struct Runs(Vec<Duration>);

impl Runs {
    /// The runs, in any order.
    pub fn new(mut runs: Vec<Duration>) -> Runs {
        assert!(!runs.is_empty(), "a measurement has at least one run");
        runs.sort();
        Runs(runs)
    }

    /// The median run (the upper one of an even count).
    pub fn median(&self) -> Duration {
        self.0[self.0.len() / 2]
    }

    /// The fastest run.
    pub fn min(&self) -> Duration {
        self.0[0]
    }

    /// Where the median run is in the order the runs were made, given the unsorted runs.
    pub fn median_index(unsorted: &[Duration]) -> usize {
        let mut order: Vec<usize> = (0..unsorted.len()).collect();
        order.sort_by_key(|&i| unsorted[i]);
        order[order.len() / 2]
    }
}

/// One row: a portkey measurement and the floors it is compared with.
pub struct Row<'a> {
    /// What was measured: the workload and where it went.
    pub label: &'a str,
    /// How many files the tree has.
    pub files: usize,
    /// How many apps the workload has (for the per-app column).
    pub apps: usize,
    /// portkey's runs.
    pub portkey: &'a Runs,
    /// serde_yaml serializing the same objects on one thread.
    pub serde_yaml: Option<&'a Runs>,
    /// The bare writer of the same files on the same filesystem (written rows only).
    pub files_alone: Option<&'a Runs>,
}

/// The column titles and the Markdown rule under them.
pub fn header() -> String {
    let titles = [
        "measurement",
        "files",
        "runs",
        "median",
        "min",
        "per app",
        "serde_yaml floor",
        "× floor",
        "files alone",
        "× files",
    ];
    let cells: Vec<String> = titles
        .iter()
        .zip(WIDTHS)
        .enumerate()
        .map(|(i, (t, w))| pad(t, w, i == 0))
        .collect();
    let rule: Vec<String> = WIDTHS
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            if i == 0 {
                "-".repeat(w)
            } else {
                format!("{}:", "-".repeat(w - 1))
            }
        })
        .collect();
    format!("| {} |\n| {} |", cells.join(" | "), rule.join(" | "))
}

/// The widths of the columns, in characters.
const WIDTHS: [usize; 10] = [38, 6, 4, 11, 11, 11, 16, 7, 11, 7];

impl Row<'_> {
    /// The row as one line of the table.
    pub fn line(&self) -> String {
        let median = self.portkey.median();
        #[allow(clippy::cast_precision_loss)]
        let per_app = median.as_secs_f64() * 1e6 / self.apps.max(1) as f64;
        let floor = |runs: Option<&Runs>| runs.map_or(String::new(), |r| ms(r.median()));
        let ratio = |runs: Option<&Runs>| {
            runs.map_or(String::new(), |r| {
                format!("{:.2}×", median.as_secs_f64() / r.median().as_secs_f64())
            })
        };
        let cells = [
            self.label.to_string(),
            self.files.to_string(),
            self.portkey.0.len().to_string(),
            ms(median),
            ms(self.portkey.min()),
            format!("{per_app:.1} µs"),
            floor(self.serde_yaml),
            ratio(self.serde_yaml),
            floor(self.files_alone),
            ratio(self.files_alone),
        ];
        let cells: Vec<String> = cells
            .iter()
            .zip(WIDTHS)
            .enumerate()
            .map(|(i, (c, w))| pad(c, w, i == 0))
            .collect();
        format!("| {} |", cells.join(" | "))
    }
}

/// A duration in milliseconds, two decimals.
fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `text` padded to `width` characters (not bytes: `µ` and `×` are one each), on the left
/// for the first column, else on the right.
fn pad(text: &str, width: usize, left: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(text.chars().count()));
    if left {
        format!("{text}{fill}")
    } else {
        format!("{fill}{text}")
    }
}
