//! Prometheus operator (`monitoring.coreos.com/v1`): alerting rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

super::custom_kinds! {
    group "monitoring.coreos.com", version "v1";
    /// A `PrometheusRule`.
    PrometheusRule(PrometheusRuleSpec): NamespaceResourceScope, plural "prometheusrules";
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
