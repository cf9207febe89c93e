//! The Prometheus metrics an app serves. They compile (`portkey-compile`'s `metrics` module)
//! to a `ServiceMonitor` that the catalogue's Prometheus selects, and to an ingress rule in
//! the app's NetworkPolicy from the Prometheus pods to exactly that port.

use super::{App, PortRef};

/// Where the app serves Prometheus metrics: one of its ports, and the HTTP path.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Metrics {
    /// The port, by name or number: one the app declares with `.port(..)`.
    pub port: PortRef,
    /// The HTTP path (`/metrics`).
    pub path: String,
}

impl App {
    /// Declares that the app serves Prometheus metrics on one of its ports (by name or
    /// number) at `path` (`"/metrics"`), with the settings the app file gives it (declare it
    /// only when the image serves them so: an env var that turns them on counts, a setting
    /// made by hand in the app's UI does not). Compiles to:
    /// - a `ServiceMonitor` `<app>` (`monitoring.coreos.com/v1`) that scrapes that port of the
    ///   app's Service at `path` over HTTP, labelled for the Prometheus of the release that
    ///   declares `Chart::runs_prometheus`;
    /// - an ingress rule in the app's NetworkPolicy from that Prometheus' pods in its
    ///   namespace to exactly that port;
    /// - a row of ARCHITECTURE.md's connectivity matrix.
    ///
    /// The app's component then needs the `monitoring.coreos.com` CRDs, so its sync wave
    /// follows the release that installs them. Declared twice, the last one counts.
    pub fn metrics(mut self, port: impl Into<PortRef>, path: &str) -> Self {
        self.metrics = Some(Metrics {
            port: port.into(),
            path: path.into(),
        });
        self
    }
}
