//! The dependency graph: every dependency names an app, waits on a TCP port, and no cycle.

use std::collections::BTreeMap;

use crate::app::App;
use crate::error::ModelError;
use crate::error::Problems;

/// What an app needs to know about the other apps it names.
pub(super) struct Peer {
    pub(super) source: String,
    pub(super) first_port: Option<crate::app::Port>,
    pub(super) namespace: &'static str,
    pub(super) ports: Vec<crate::app::Port>,
    pub(super) dependencies: Vec<String>,
}

/// Every app by name, with what the others need to know about it; an app declared twice is
/// reported (the first declaration stays).
pub(super) fn peers(apps: &[App], errors: &mut Vec<ModelError>) -> BTreeMap<String, Peer> {
    let mut peers: BTreeMap<String, Peer> = BTreeMap::new();
    for app in apps {
        let peer = Peer {
            source: app.source.clone(),
            first_port: app.ports.first().cloned(),
            namespace: app.namespace.name(),
            ports: app.ports.clone(),
            dependencies: app.dependencies.iter().map(|d| d.app.clone()).collect(),
        };
        if let Some(first) = peers.insert(app.name.clone(), peer) {
            errors.push(super::identity::duplicate_app(app, &first.source));
        }
    }
    peers
}

/// The app's own dependencies: known, not itself, and waited on over TCP.
pub(super) fn check_dependencies(app: &App, peers: &BTreeMap<String, Peer>, p: &mut Problems<'_>) {
    for dep in &app.dependencies {
        // Reported on the builder the app used: `.waits_for(..)` or `.depends_on(..)`.
        let field = if dep.wait_at_startup {
            "waits_for"
        } else {
            "depends_on"
        };
        match peers.get(dep.app.as_str()) {
            None => p.add(
                field,
                format!("unknown dependency `{}`", dep.app),
                match closest(&dep.app, peers.keys().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`? Otherwise declare an app named `{}` in apps/", dep.app),
                    None => format!(
                        "declare an app named `{}` in apps/ or fix the name",
                        dep.app
                    ),
                },
            ),
            Some(_) if dep.app == app.name => p.add(
                field,
                "the app depends on itself",
                "remove the dependency",
            ),
            Some(other) if dep.wait_at_startup => match &other.first_port {
                None => p.add(
                    "waits_for",
                    format!("waits for `{}`, which has no port to wait on", dep.app),
                    "use `.depends_on(..)`, or give the dependency a port",
                ),
                Some(port) if port.protocol == crate::app::Protocol::Udp => p.add(
                    "waits_for",
                    format!(
                        "waits for `{}`, whose first port `{}` is UDP; the start-up wait checks a TCP port",
                        dep.app, port.name
                    ),
                    "list the dependency's TCP port first, or use `.depends_on(..)`",
                ),
                Some(_) => {}
            },
            Some(_) => {}
        }
    }
}

/// The name nearest to `typo` (at most two edits away, or a prefix either way), if any.
pub(super) fn closest<'a>(typo: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .filter(|n| *n != typo)
        .map(|n| (edit_distance(typo, n), n))
        .filter(|(d, n)| *d <= 2 || n.starts_with(typo) || typo.starts_with(n))
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

/// Reports each dependency cycle once, naming every app on it.
pub(super) fn dependency_cycles(peers: &BTreeMap<String, Peer>) -> Vec<ModelError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    fn visit<'a>(
        name: &'a str,
        peers: &'a BTreeMap<String, Peer>,
        marks: &mut BTreeMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
        out: &mut Vec<ModelError>,
    ) {
        marks.insert(name, Mark::Active);
        stack.push(name);
        for dep in &peers[name].dependencies {
            let Some((dep, _)) = peers.get_key_value(dep.as_str()) else {
                continue;
            };
            match marks.get(dep.as_str()).copied().unwrap_or(Mark::New) {
                Mark::New => visit(dep, peers, marks, stack, out),
                Mark::Active if dep != name => {
                    let start = stack.iter().position(|n| *n == dep).unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].to_vec();
                    cycle.push(dep);
                    out.push(
                        ModelError::at(&peers[dep.as_str()].source, dep, "depends_on")
                            .problem(format!("dependency cycle: {}", cycle.join(" → ")))
                            .fix("remove one of the dependencies on the cycle"),
                    );
                }
                _ => {}
            }
        }
        stack.pop();
        marks.insert(name, Mark::Done);
    }
    let mut marks = BTreeMap::new();
    let mut out = Vec::new();
    for name in peers.keys() {
        if marks.get(name.as_str()).copied().unwrap_or(Mark::New) == Mark::New {
            visit(name, peers, &mut marks, &mut Vec::new(), &mut out);
        }
    }
    out
}
