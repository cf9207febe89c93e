//! The infrastructure namespaces in ARCHITECTURE.md: every chart release is listed exactly
//! once, as covered by its chart's own NetworkPolicies (with the values that turn them on,
//! set to `true` in its committed Application) or as not covered (with a reason), and the
//! argo-cd row says what its chart creates.

use std::collections::BTreeMap;

use portkey::portkey_model::chart::NetworkPolicyCoverage;

use super::committed;

/// The `(namespace, release)` rows of one list of the network policy section, with the text
/// after them.
fn list(architecture: &str, heading: &str) -> BTreeMap<(String, String), String> {
    let start = architecture
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?} in ARCHITECTURE.md"));
    architecture[start + heading.len()..]
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.starts_with("- "))
        .filter_map(|l| {
            let rest = l.strip_prefix("- `")?;
            let (namespace, rest) = rest.split_once("` (")?;
            let (release, text) = rest.split_once(')')?;
            Some((
                (namespace.to_string(), release.to_string()),
                text.to_string(),
            ))
        })
        .collect()
}

#[test]
fn every_release_is_covered_by_its_chart_or_listed_with_a_reason() {
    let tree = committed();
    let architecture = &tree["ARCHITECTURE.md"];
    let covered = list(architecture, "Covered by the chart's own policies:\n");
    let open = list(
        architecture,
        "Not covered (their pods accept and open any connection):\n",
    );
    let charts = portkey::charts();
    assert!(charts.len() >= 10, "{} releases", charts.len());
    for c in &charts {
        let key = (c.namespace.clone(), c.name.clone());
        let (is_covered, is_open) = (covered.contains_key(&key), open.contains_key(&key));
        assert!(
            is_covered != is_open,
            "{key:?} must be in exactly one list (covered: {is_covered}, not covered: {is_open})"
        );
        match &c.network_policy {
            NetworkPolicyCoverage::Chart { values, .. } => {
                assert!(is_covered, "{key:?}");
                // The values that turn the chart's policies on are `true` in what Argo CD
                // applies.
                let application: serde_json::Value =
                    serde_saphyr::from_str(&tree[&format!("argocd/application-{}.yaml", c.name)])
                        .expect("YAML");
                let applied = &application["spec"]["source"]["helm"]["valuesObject"];
                for path in values {
                    let value = path.split('.').fold(applied, |v, k| &v[k]);
                    assert_eq!(value, &serde_json::json!(true), "{}: {path}", c.name);
                    assert!(
                        covered[&key].contains(&format!("`{path}: true`")),
                        "{key:?}"
                    );
                }
            }
            NetworkPolicyCoverage::NotCovered(why) => {
                assert!(is_open, "{key:?}");
                assert!(open[&key].contains(why.as_str()), "{key:?}: the reason");
            }
            NetworkPolicyCoverage::Undeclared => panic!("{key:?} does not say"),
        }
    }
    assert_eq!(
        covered.len() + open.len(),
        charts.len(),
        "no other rows: {covered:#?} {open:#?}"
    );
}

#[test]
fn argo_cd_says_what_its_chart_creates() {
    // argo-cd 10.1.1 creates its policies by default: the release says so explicitly.
    let defaults =
        std::fs::read_to_string(crate::common::root().join("charts/argo-cd/10.1.1/values.yaml"))
            .expect("argo-cd defaults");
    let defaults: serde_json::Value = serde_saphyr::from_str(&defaults).expect("YAML");
    assert_eq!(defaults["global"]["networkPolicy"]["create"], true);
    assert_eq!(
        defaults["global"]["networkPolicy"]["defaultDenyIngress"],
        false
    );
    let tree = committed();
    let covered = list(
        &tree["ARCHITECTURE.md"],
        "Covered by the chart's own policies:\n",
    );
    let row = &covered[&("argocd".to_string(), "argo-cd".to_string())];
    for says in [
        "`global.networkPolicy.create: true`",
        "one Ingress policy per component",
        "egress open",
    ] {
        assert!(row.contains(says), "argo-cd's row: {row}");
    }
}
