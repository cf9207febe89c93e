//! Prometheus operator (`monitoring.coreos.com/v1`): alerting rules, and the ServiceMonitors
//! that tell Prometheus which apps to scrape.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

super::custom_kinds! {
    group "monitoring.coreos.com", version "v1";
    /// A `PrometheusRule`.
    PrometheusRule(PrometheusRuleSpec): NamespaceResourceScope, plural "prometheusrules";
    /// A `ServiceMonitor`: scrape these endpoints of the Services it selects.
    ServiceMonitor(ServiceMonitorSpec): NamespaceResourceScope, plural "servicemonitors";
}

/// `ServiceMonitor.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    /// The Services to scrape, by label.
    pub selector: MatchLabels,
    /// The namespaces those Services are in.
    pub namespace_selector: NamespaceSelector,
    /// What to scrape on each selected Service.
    pub endpoints: Vec<Endpoint>,
}

/// A label selector with `matchLabels` only.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchLabels {
    /// Labels the object must have.
    pub match_labels: BTreeMap<String, String>,
}

/// `spec.namespaceSelector`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    /// The namespaces, by name.
    pub match_names: Vec<String>,
}

/// One scrape endpoint of a selected Service.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The Service port's name.
    pub port: String,
    /// The HTTP path.
    pub path: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Relabelings applied to each target before the scrape.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub relabelings: Vec<Relabeling>,
}

/// A Prometheus `relabel_config`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Relabeling {
    /// The labels whose values are joined and matched.
    pub source_labels: Vec<String>,
    /// The regular expression they must match.
    pub regex: String,
    /// `keep`, `drop`, `replace`, ...
    pub action: String,
}

/// `PrometheusRule.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct PrometheusRuleSpec {
    /// Rule groups.
    pub groups: Vec<RuleGroup>,
}

/// A group of rules evaluated together.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct RuleGroup {
    /// Group name.
    pub name: String,
    /// Rules.
    pub rules: Vec<Rule>,
}

/// One alerting rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct Rule {
    /// Alert name.
    pub alert: String,
    /// PromQL expression.
    pub expr: String,
    /// How long the condition must hold.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    /// Labels (severity, routing).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations (summary, description).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}
