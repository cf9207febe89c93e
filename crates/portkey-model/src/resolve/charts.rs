//! Chart releases: valid, unique names, a version and a repository; what they say about
//! NetworkPolicy and Prometheus.

use std::collections::{BTreeMap, BTreeSet};

use super::RESERVED_NAMES;
use crate::app::App;
use crate::error::{ModelError, Problems};
use crate::names;

/// Chart releases: valid, unique names (also against apps and portkey's own Applications),
/// a version, a repository, a NetworkPolicy coverage each, and at most one Prometheus.
pub(super) fn check_charts(charts: &[crate::chart::Chart], apps: &[App]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let app_files: BTreeMap<&str, &str> = apps
        .iter()
        .map(|a| (a.name.as_str(), a.source.as_str()))
        .collect();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    check_pod_security(charts, &mut out);
    // An app that takes a release's name is the app's mistake: the releases are the
    // infrastructure everything else relies on.
    for c in charts {
        if let Some(file) = app_files.get(c.name.as_str()) {
            Problems::new(file, &c.name, &mut out).add(
                "name",
                format!(
                    "app `{}` has the name of the chart release declared in {}: both would be the Argo CD Application `{}`",
                    c.name, c.source, c.name
                ),
                "rename the app (`App::new(\"<another name>\", ..)`)",
            );
        }
    }
    for c in charts {
        let mut p = Problems::new(&c.source, &c.name, &mut out);
        let mut err = |field: &str, problem: String, fix: &str| p.add(field, problem, fix);
        if let Err(e) = names::check_label(&c.name) {
            err(
                "name",
                format!("{:?} {e}", c.name),
                "use a DNS-1035 label such as `cert-manager`",
            );
        }
        if app_files.contains_key(c.name.as_str()) {
            // Reported on the app above.
        } else if !seen.insert(&c.name)
            || RESERVED_NAMES.contains(&c.name.as_str())
            || c.name.starts_with("cluster-")
        {
            err(
                "name",
                format!(
                    "`{}` is already an app, a release or a name portkey reserves",
                    c.name
                ),
                "rename the release with `.name(..)`",
            );
        }
        if let Err(e) = names::check_label(&c.namespace) {
            err(
                "namespace",
                format!("{:?} {e}", c.namespace),
                "use a DNS-1035 label",
            );
        }
        if c.version.trim().is_empty() || c.version.contains(char::is_whitespace) {
            err(
                "version",
                format!("version {:?} is empty or has spaces", c.version),
                "pin the chart's exact version",
            );
        }
        if !(c.repo.starts_with("https://") || c.repo.starts_with("oci://")) {
            err(
                "repo",
                format!("repository {:?} is neither https:// nor oci://", c.repo),
                "give the chart repository's URL",
            );
        }
        check_network_policy(c, &mut err);
        for (name, key, _) in &c.secret_forms {
            let declared = c
                .secrets
                .iter()
                .any(|(n, keys)| n == name && keys.contains(key));
            if !declared {
                err(
                    "secret_form",
                    format!(
                        "documents the form of key `{key}` of the Secret `{name}`, which `.needs_secret(..)` does not declare: BOOTSTRAP.md would list a Secret nothing uses"
                    ),
                    &format!(
                        "declare it with `.needs_secret(\"{name}\", &[\"{key}\", ..])`, or drop the `.secret_form(..)`"
                    ),
                );
            }
        }
    }
    check_prometheus(charts, &mut out);
    out
}

/// The releases of one namespace agree on its Pod Security level.
fn check_pod_security(charts: &[crate::chart::Chart], out: &mut Vec<ModelError>) {
    let mut levels: BTreeMap<&str, (&str, crate::chart::PodSecurity)> = BTreeMap::new();
    for c in charts {
        if let Some((other, level)) = levels.insert(&c.namespace, (&c.name, c.pod_security))
            && level != c.pod_security
        {
            Problems::new(&c.source, &c.name, out).add(
                "pod_security",
                format!(
                    "namespace `{}` is {} for `{other}` but {} here",
                    c.namespace,
                    level.as_str(),
                    c.pod_security.as_str()
                ),
                "give every release of one namespace the same Pod Security level",
            );
        }
    }
}

/// At most one release runs Prometheus: the apps' ServiceMonitors and NetworkPolicies serve
/// one.
fn check_prometheus(charts: &[crate::chart::Chart], out: &mut Vec<ModelError>) {
    let prometheus: Vec<&crate::chart::Chart> =
        charts.iter().filter(|c| c.prometheus.is_some()).collect();
    if let [first, second, ..] = prometheus.as_slice() {
        Problems::new(&second.source, &second.name, out).add(
            "prometheus",
            format!(
                "runs Prometheus, and so does `{}` ({}): the apps' ServiceMonitors and NetworkPolicies serve one",
                first.name, first.source
            ),
            "keep `.runs_prometheus(..)` on one release",
        );
    }
}

/// The release says how its namespace is covered by NetworkPolicy: by the chart's own
/// policies, on values it sets to `true`, or not at all, with a reason. A Prometheus it
/// runs has pod labels to admit.
fn check_network_policy(c: &crate::chart::Chart, err: &mut impl FnMut(&str, String, &str)) {
    use crate::chart::NetworkPolicyCoverage;
    match &c.network_policy {
        NetworkPolicyCoverage::Undeclared => err(
            "network_policy",
            format!(
                "does not say whether NetworkPolicies cover namespace `{}`: ARCHITECTURE.md lists every release's namespace as covered by its chart or not",
                c.namespace
            ),
            r#"check the chart's values for NetworkPolicy support: `.network_policies_from_chart(&["<path>.enabled"], "<what they allow>")` with those values set to `true`, or `.no_network_policy("<why>")`"#,
        ),
        NetworkPolicyCoverage::NotCovered(why) if why.trim().is_empty() => err(
            "network_policy",
            "no NetworkPolicy, and no reason".into(),
            r#"say why the namespace is not covered: `.no_network_policy("the chart has no NetworkPolicy values")`"#,
        ),
        NetworkPolicyCoverage::NotCovered(_) => {}
        NetworkPolicyCoverage::Chart { values, allows } => {
            if values.is_empty() || allows.trim().is_empty() {
                err(
                    "network_policy",
                    "covered by the chart's policies, but without the values that turn them on or what they allow".into(),
                    "name the value paths and say what the chart's templates allow",
                );
            }
            for path in values {
                let set = path.split('.').try_fold(&c.values, |v, key| v.get(key));
                if set != Some(&serde_json::Value::Bool(true)) {
                    err(
                        "network_policy",
                        format!(
                            "the chart's NetworkPolicies are turned on by `{path}`, which the values do not set to `true`"
                        ),
                        &format!(
                            "set `{path}` to `true` in `.values(..)`, explicitly, even where it is the chart's default"
                        ),
                    );
                }
            }
        }
    }
    if c.prometheus
        .as_ref()
        .is_some_and(|p| p.pod_labels.is_empty())
    {
        err(
            "prometheus",
            "runs Prometheus, but names none of its pods' labels: the apps' NetworkPolicies would admit every pod of the namespace".into(),
            "give the labels the chart's templates put on the Prometheus pods",
        );
    }
}
