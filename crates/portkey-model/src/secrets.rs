//! The Secrets kept outside Git: every Secret the catalogue references but portkey never
//! writes, so it must exist before its user's first sync.
//!
//! This is the one derivation of that list: `BOOTSTRAP.md` prints it and the lints check
//! Secret references against it.

use std::collections::{BTreeMap, BTreeSet};

use crate::SortedSet;
use crate::app::EnvValue;
use crate::network::AcmeChallenge;
use crate::resolve::Catalogue;

/// A Secret created by hand, outside Git. Its sets are [`SortedSet`]s: BOOTSTRAP.md lists
/// every one (40,000 at N = 20,000 apps), and a B-tree's nodes for their one key and one
/// user took most of that map's 36 MB.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutsideSecret {
    /// The keys it must hold, sorted.
    pub keys: SortedSet<String>,
    /// Those of its keys mounted as files ([`crate::app::App::secret_file`]): created from
    /// a file (`--from-file`), not typed as a literal.
    pub files: SortedSet<String>,
    /// What uses it (apps, charts, backups), sorted.
    pub used_by: SortedSet<String>,
    /// The documented form of a key's value (`Chart::secret_form`), by key.
    pub forms: BTreeMap<String, String>,
}

/// The Secrets the catalogue references but Git never holds, by `(namespace, name)`: the
/// Secrets of app environment variables and secret files, the restic repository Secrets when no secret store
/// fills them, the Secrets chart values name, and the DNS-01 API token of the ClusterIssuer.
pub fn outside_git(catalogue: &Catalogue<'_>) -> BTreeMap<(String, String), OutsideSecret> {
    let mut out: BTreeMap<(String, String), OutsideSecret> = BTreeMap::new();
    each_outside_git(catalogue, &mut |reference| {
        let id = (reference.namespace.to_string(), reference.name.to_string());
        match reference.what {
            Referenced::Keys(keys, user) => {
                let entry = out.entry(id).or_default();
                entry.keys.extend(keys.map(str::to_string));
                entry.used_by.insert(user());
            }
            Referenced::File(key) => {
                if let Some(entry) = out.get_mut(&id) {
                    entry.files.insert(key.to_string());
                }
            }
            Referenced::Form(key, form) => {
                out.entry(id)
                    .or_default()
                    .forms
                    .insert(key.to_string(), form.to_string());
            }
        }
    });
    out
}

/// The names alone of [`outside_git`]'s Secrets, by `(namespace, name)`: what the lints
/// and the bootstrap replay check references against. At N = 20,000 apps the whole map
/// (keys, users, files and forms of 40,000 Secrets) took 36 MB, these names 5 MB.
pub fn outside_git_names(catalogue: &Catalogue<'_>) -> crate::SecretNames {
    // One text grows as the references come, and is sorted once.
    let mut all = crate::SecretNamesBuilder::default();
    each_outside_git(catalogue, &mut |reference| {
        if !matches!(reference.what, Referenced::File(_)) {
            all.push(reference.namespace, reference.name);
        }
    });
    all.finish()
}

/// Everything that uses one of [`outside_git`]'s Secrets: the union of their `used_by`,
/// without building the map.
pub(crate) fn outside_git_users(catalogue: &Catalogue<'_>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    each_outside_git(catalogue, &mut |reference| {
        if let Referenced::Keys(_, user) = reference.what {
            out.insert(user());
        }
    });
    out
}

/// One reference to a Secret kept outside Git, as [`each_outside_git`] finds it.
struct Reference<'a, 'k> {
    namespace: &'a str,
    name: &'a str,
    what: Referenced<'a, 'k>,
}

/// What a [`Reference`] says of its Secret.
enum Referenced<'a, 'k> {
    /// These keys, needed by the user the closure names (computed only when wanted).
    Keys(&'k mut dyn Iterator<Item = &'a str>, &'k dyn Fn() -> String),
    /// This key is mounted as a file, if the Secret is listed at all (a [`Referenced::Keys`]
    /// of it comes first).
    File(&'a str),
    /// The documented form of this key's value (`Chart::secret_form`): the Secret is listed.
    Form(&'a str, &'a str),
}

/// Every reference to a Secret kept outside Git, in the order [`outside_git`] lists them:
/// the one enumeration behind it and [`outside_git_names`].
fn each_outside_git(catalogue: &Catalogue<'_>, visit: &mut dyn FnMut(Reference<'_, '_>)) {
    fn keys<'a, 'k>(
        visit: &mut dyn FnMut(Reference<'_, '_>),
        namespace: &'a str,
        name: &'a str,
        keys: &'k mut dyn Iterator<Item = &'a str>,
        user: &'k dyn Fn() -> String,
    ) {
        visit(Reference {
            namespace,
            name,
            what: Referenced::Keys(keys, user),
        });
    }
    for app in &catalogue.apps {
        let ns = app.app.namespace.name();
        for e in &app.app.env {
            if let EnvValue::Secret(s) = &e.value {
                keys(
                    visit,
                    ns,
                    &s.secret,
                    &mut std::iter::once(s.key.as_str()),
                    &|| app.app.name.clone(),
                );
            }
        }
        for f in &app.app.secret_files {
            keys(
                visit,
                ns,
                &f.key.secret,
                &mut std::iter::once(f.key.key.as_str()),
                &|| app.app.name.clone(),
            );
        }
        for (claim, backup) in app.backups() {
            if backup.repository_url.is_none() {
                let mut both = backup.keys.both().into_iter();
                let user = || format!("{} (backup of {})", app.app.name, claim.name);
                keys(visit, ns, &backup.repository_secret, &mut both, &user);
            }
        }
    }
    for chart in &catalogue.charts {
        for (name, secret_keys) in &chart.secrets {
            keys(
                visit,
                &chart.namespace,
                name,
                &mut secret_keys.iter().map(String::as_str),
                &|| chart.name.clone(),
            );
        }
    }
    if let AcmeChallenge::Dns01Cloudflare {
        api_token_secret,
        key,
    } = &catalogue.cluster.ingress.challenge
    {
        keys(
            visit,
            &cert_manager_namespace(catalogue),
            api_token_secret,
            &mut std::iter::once(key.as_str()),
            &|| {
                format!(
                    "ClusterIssuer {} (DNS-01, Cloudflare)",
                    catalogue.cluster.ingress.cluster_issuer
                )
            },
        );
    }
    for app in &catalogue.apps {
        for f in &app.app.secret_files {
            visit(Reference {
                namespace: app.app.namespace.name(),
                name: &f.key.secret,
                what: Referenced::File(&f.key.key),
            });
        }
    }
    for chart in &catalogue.charts {
        for (name, key, form) in &chart.secret_forms {
            visit(Reference {
                namespace: &chart.namespace,
                name,
                what: Referenced::Form(key, form),
            });
        }
    }
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
