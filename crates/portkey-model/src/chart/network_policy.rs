//! What a chart release says about the network: whether its namespace is covered by
//! NetworkPolicies (portkey writes none there: the pods are the chart's), and whether it
//! runs the Prometheus that scrapes the apps' metrics.
//!
//! Both are facts of the release file, in one place each: ARCHITECTURE.md's network policy
//! section lists every release's coverage from [`Chart::network_policy`], and the apps'
//! ServiceMonitors and NetworkPolicies read [`Chart::prometheus`].

use super::Chart;

/// How a release's namespace is covered by NetworkPolicy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum NetworkPolicyCoverage {
    /// Not declared: resolution reports it, so that no release is silently left out.
    #[default]
    Undeclared,
    /// The chart's own NetworkPolicies cover the release's pods.
    Chart {
        /// The value paths that turn them on (each set to `true` in the values).
        values: Vec<String>,
        /// What they allow, after the chart's templates.
        allows: String,
    },
    /// No policy covers the namespace, and why.
    NotCovered(String),
}

/// The Prometheus a release runs, which scrapes every ServiceMonitor of the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Prometheus {
    /// The labels of its pods (the apps' NetworkPolicies admit these pods of the release's
    /// namespace on their metrics ports).
    pub pod_labels: Vec<(String, String)>,
}

/// The label kube-prometheus-stack's Prometheus selects ServiceMonitors by when its
/// `serviceMonitorSelectorNilUsesHelmValues` is true (`release: <release name>`); the
/// apps' ServiceMonitors carry it, so that they are picked up with either setting.
pub const RELEASE_LABEL: &str = "release";

impl Chart {
    /// Declares that the chart's own NetworkPolicies, turned on by `values` (dot-separated
    /// paths, each set to `true` in [`Chart::values`]), cover the release's pods, and what
    /// they allow (read from the chart's templates at the pinned version: cite them in the
    /// release file). It compiles to nothing itself: ARCHITECTURE.md lists the namespace as
    /// covered by the chart, with `values` and `allows`. Resolution checks that the values
    /// set each path to `true`.
    pub fn network_policies_from_chart(mut self, values: &[&str], allows: &str) -> Self {
        self.network_policy = NetworkPolicyCoverage::Chart {
            values: values.iter().map(|v| (*v).to_string()).collect(),
            allows: allows.into(),
        };
        self
    }
    /// Declares that no NetworkPolicy covers the release's namespace, and why (the chart
    /// has none, or its policies would drop flows its pods need). ARCHITECTURE.md lists the
    /// namespace as not covered, with the reason.
    pub fn no_network_policy(mut self, why: &str) -> Self {
        self.network_policy = NetworkPolicyCoverage::NotCovered(why.into());
        self
    }
    /// Declares that the release runs Prometheus, whose pods carry `pod_labels` (find them
    /// in the chart's templates, and cite them). Apps with `.metrics(..)` then get a
    /// `ServiceMonitor` labelled `release: <release name>` (selected whether or not the
    /// release's selectors default to the Helm release's label) and a NetworkPolicy rule
    /// that admits these pods of the release's namespace on their metrics port. One
    /// release of the catalogue may declare it.
    pub fn runs_prometheus(mut self, pod_labels: &[(&str, &str)]) -> Self {
        self.prometheus = Some(Prometheus {
            pod_labels: pod_labels
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        });
        self
    }
}
