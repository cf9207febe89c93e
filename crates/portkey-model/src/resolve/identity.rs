//! Names and namespaces: valid labels, names portkey reserves, and names two apps of one
//! namespace would both produce.

use std::collections::BTreeMap;

use super::ResolvedApp;
use crate::app::App;
use crate::error::ModelError;
use crate::error::Problems;
use crate::names;

/// Names portkey uses for its own Argo CD Applications; apps may not take them.
pub const RESERVED_NAMES: [&str; 2] = ["portkey-root", "portkey-cluster"];

/// Namespaces apps may not use: portkey's AppProjects (`infrastructure`, `cluster`), Argo
/// CD's `default` project and Kubernetes' system namespaces.
pub const RESERVED_NAMESPACES: [&str; 6] = [
    "default",
    "infrastructure",
    "cluster",
    "argocd",
    "kube-system",
    "kube-public",
];

/// The annotations an app adds (to its workload, or to its Ingress): keys the API server
/// accepts (qualified names), and 256 KiB in total per object
/// (`ValidateAnnotationsSize` in apimachinery's `api/validation`).
pub(super) fn check_annotations(app: &App, p: &mut Problems<'_>) {
    const TOTAL: usize = 256 * 1024;
    let ingress = app
        .https
        .as_ref()
        .map(|h| h.annotations.as_slice())
        .unwrap_or_default();
    for (field, list) in [
        ("annotation", app.annotations.as_slice()),
        ("ingress_annotation", ingress),
    ] {
        for (key, _) in list {
            if let Err(e) = names::check_qualified_name(key) {
                p.add(
                    format!("{field}[{key}]"),
                    format!("key {key:?}: {e}"),
                    "use a key such as `example.com/setting`: a DNS prefix, '/', and a name of letters, digits, '-', '_' and '.'",
                );
            }
        }
        let size: usize = list.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > TOTAL {
            p.add(
                field,
                format!(
                    "the annotations hold {size} bytes; the API server allows 262144 per object"
                ),
                "move large values into a ConfigMap (`.config_file(..)`)",
            );
        }
    }
}

/// The app's name and namespace: valid labels, not reserved.
pub(super) fn check_names(app: &App, p: &mut Problems<'_>) {
    if let Some(old) = &app.renamed_from {
        if *old == app.name {
            p.add(
                "renamed_from",
                format!("names the app itself (`{old}`)"),
                "name the app's former name, or drop `.renamed_from(..)`",
            );
        } else if let Err(e) = names::check_label(old) {
            p.add(
                "renamed_from",
                format!("{old:?} {e}"),
                "name the app's former name exactly as it was",
            );
        }
    }
    if RESERVED_NAMES.contains(&app.name.as_str()) {
        p.add(
            "name",
            format!(
                "`{}` is reserved for portkey's own Argo CD Application",
                app.name
            ),
            "choose another name",
        );
    }
    if let Err(e) = names::check_label(&app.name) {
        p.add(
            "name",
            format!("{:?} {e}", app.name),
            "use a DNS-1035 label such as `paperless-redis`",
        );
    }
    if RESERVED_NAMESPACES.contains(&app.namespace.name()) {
        p.add(
            "namespace",
            format!(
                "`{}` is reserved: apps of a namespace share an Argo CD project named after it, and portkey's own projects and system namespaces use these names",
                app.namespace.name()
            ),
            "declare a namespace of the app's own, such as `media`",
        );
    }
    if let Err(e) = names::check_label(app.namespace.name()) {
        p.add(
            "namespace",
            format!("{:?} {e}", app.namespace.name()),
            "use a DNS-1035 label such as `media`",
        );
    }
}

/// An app declared twice; `first` is the file of the first declaration.
pub(super) fn duplicate_app(app: &App, first: &str) -> ModelError {
    ModelError::at(&app.source, &app.name, "name")
        .problem(format!(
            "duplicate app: `{}` is also declared in {}",
            app.name,
            if first.is_empty() {
                "another app"
            } else {
                first
            }
        ))
        .fix("give each app a unique name (app names are also ArgoCD Application names)")
}

/// Claims and repository Secrets are named from app and volume names, so two apps of one
/// namespace can arrive at the same name (`notes` + `data-x`, `notes-data` + `x`). Each must
/// stay unique: two apps must never own one claim or share one restic repository.
pub(super) fn namespace_collisions(apps: &[ResolvedApp]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(&str, &str, &str), (&str, &str)> = BTreeMap::new();
    for app in apps {
        let ns = app.app.namespace.name();
        for c in &app.claims {
            let names = [
                ("claim", Some(c.name.as_str())),
                (
                    "repository Secret",
                    c.backup.as_ref().map(|b| b.repository_secret.as_str()),
                ),
            ];
            for (what, name) in names {
                let Some(name) = name else { continue };
                if let Some((other, volume)) =
                    seen.insert((ns, what, name), (&app.app.name, &c.volume))
                {
                    Problems::new(&app.app.source, &app.app.name, &mut out).add(
                        format!("volumes[{}]", c.volume),
                        format!(
                            "{what} `{name}` in namespace `{ns}` is also produced by app `{other}` (volume `{volume}`)"
                        ),
                        "rename the app or the volume so that the names differ",
                    );
                }
            }
        }
    }
    out
}

/// Two apps exposed on one host: the Ingress controller would send the host's traffic to
/// one of them at random. Reported on the app that comes second by name (the one that
/// added the host to a catalogue where it was taken), naming the first.
pub(super) fn duplicate_hosts(apps: &[ResolvedApp]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let mut by_name: Vec<&ResolvedApp> = apps.iter().collect();
    by_name.sort_by(|a, b| a.app.name.cmp(&b.app.name));
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for app in by_name {
        let Some(https) = &app.app.https else {
            continue;
        };
        if let Some(first) = seen.insert(&https.host, &app.app.name) {
            seen.insert(&https.host, first);
            Problems::new(&app.app.source, &app.app.name, &mut out).add(
                "https",
                format!(
                    "host `{}` is already app `{first}`'s: two Ingresses for one host split its traffic between them",
                    https.host
                ),
                format!("choose another host for `{}` (`.https(\"<host>\")`), or serve both from one app", app.app.name),
            );
        }
    }
    out
}
