//! Policy lints an app (or the whole cluster) may suppress, with a reason.

/// A policy lint that an app may suppress, with a reason (see `portkey_validate::lint`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Lint {
    /// Images are pinned by tag and digest, never `latest`.
    ImageDigest,
    /// Every container has CPU and memory requests and a memory limit.
    Resources,
    /// Every app container has liveness and readiness probes.
    Probes,
}

impl Lint {
    /// Every lint that can be suppressed.
    pub const ALL: [Lint; 3] = [Lint::ImageDigest, Lint::Resources, Lint::Probes];

    /// The lint's id, as printed and as used in the `portkey.dev/lint-exception.<id>`
    /// annotation that records a suppression.
    pub const fn id(self) -> &'static str {
        match self {
            Lint::ImageDigest => "image-digest",
            Lint::Resources => "resources",
            Lint::Probes => "probes",
        }
    }
}

/// Annotation prefix recording a suppressed lint and its reason.
pub const LINT_EXCEPTION_PREFIX: &str = "portkey.dev/lint-exception.";
