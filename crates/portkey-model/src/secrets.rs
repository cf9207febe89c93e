//! The Secrets kept outside Git: every Secret the catalogue references but portkey never
//! writes, so it must exist before its user's first sync.
//!
//! This is the one derivation of that list: `BOOTSTRAP.md` prints it and the lints check
//! Secret references against it.

use std::collections::{BTreeMap, BTreeSet};

use crate::app::EnvValue;
use crate::network::AcmeChallenge;
use crate::resolve::Catalogue;

/// A Secret created by hand, outside Git.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutsideSecret {
    /// The keys it must hold, sorted.
    pub keys: BTreeSet<String>,
    /// Those of its keys mounted as files ([`crate::app::App::secret_file`]): created from
    /// a file (`--from-file`), not typed as a literal.
    pub files: BTreeSet<String>,
    /// What uses it (apps, charts, backups), sorted.
    pub used_by: BTreeSet<String>,
    /// The documented form of a key's value (`Chart::secret_form`), by key.
    pub forms: BTreeMap<String, String>,
}

/// The Secrets the catalogue references but Git never holds, by `(namespace, name)`: the
/// Secrets of app environment variables and secret files, the restic repository Secrets when no secret store
/// fills them, the Secrets chart values name, and the DNS-01 API token of the ClusterIssuer.
pub fn outside_git(catalogue: &Catalogue<'_>) -> BTreeMap<(String, String), OutsideSecret> {
    let mut out: BTreeMap<(String, String), OutsideSecret> = BTreeMap::new();
    let mut add = |ns: &str, name: &str, keys: &mut dyn Iterator<Item = &str>, user: String| {
        let entry = out.entry((ns.to_string(), name.to_string())).or_default();
        entry.keys.extend(keys.map(str::to_string));
        entry.used_by.insert(user);
    };
    for app in &catalogue.apps {
        let ns = app.app.namespace.name();
        for e in &app.app.env {
            if let EnvValue::Secret(s) = &e.value {
                add(
                    ns,
                    &s.secret,
                    &mut std::iter::once(s.key.as_str()),
                    app.app.name.clone(),
                );
            }
        }
        for f in &app.app.secret_files {
            add(
                ns,
                &f.key.secret,
                &mut std::iter::once(f.key.key.as_str()),
                app.app.name.clone(),
            );
        }
        for (claim, backup) in app.backups() {
            if backup.repository_url.is_none() {
                add(
                    ns,
                    &backup.repository_secret,
                    &mut backup.keys.both().into_iter(),
                    format!("{} (backup of {})", app.app.name, claim.name),
                );
            }
        }
    }
    for chart in &catalogue.charts {
        for (name, keys) in &chart.secrets {
            add(
                &chart.namespace,
                name,
                &mut keys.iter().map(String::as_str),
                chart.name.clone(),
            );
        }
    }
    if let AcmeChallenge::Dns01Cloudflare {
        api_token_secret,
        key,
    } = &catalogue.cluster.ingress.challenge
    {
        add(
            &cert_manager_namespace(catalogue),
            api_token_secret,
            &mut std::iter::once(key.as_str()),
            format!(
                "ClusterIssuer {} (DNS-01, Cloudflare)",
                catalogue.cluster.ingress.cluster_issuer
            ),
        );
    }
    for app in &catalogue.apps {
        for f in &app.app.secret_files {
            let id = (app.app.namespace.name().to_string(), f.key.secret.clone());
            if let Some(entry) = out.get_mut(&id) {
                entry.files.insert(f.key.key.clone());
            }
        }
    }
    for chart in &catalogue.charts {
        for (name, key, form) in &chart.secret_forms {
            out.entry((chart.namespace.clone(), name.clone()))
                .or_default()
                .forms
                .insert(key.clone(), form.clone());
        }
    }
    out
}

/// Where cert-manager reads a ClusterIssuer's Secrets: its cluster resource namespace, by
/// default the namespace it runs in
/// (<https://cert-manager.io/docs/configuration/#cluster-resource-namespace>), that of the
/// `cert-manager` chart release, else `cert-manager`.
pub fn cert_manager_namespace(catalogue: &Catalogue<'_>) -> String {
    catalogue
        .charts
        .iter()
        .find(|c| c.chart == "cert-manager")
        .map_or_else(|| "cert-manager".into(), |c| c.namespace.clone())
}
