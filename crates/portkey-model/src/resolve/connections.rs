//! The connections each app makes: implied by its dependencies, or declared with
//! `.talks_to(..)`. Each names an app that exists and a port that app exposes.

use std::collections::BTreeMap;

use super::graph::{Peer, closest};
use crate::app::{App, PortRef, Protocol};
use crate::error::Problems;

/// A checked connection from the app to another app's port.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResolvedConnection {
    /// The other app.
    pub app: String,
    /// Its namespace.
    pub namespace: String,
    /// The port's name.
    pub port_name: String,
    /// The port's number.
    pub port: u16,
    /// Its protocol.
    pub protocol: Protocol,
    /// What declared it: `waits_for`, `depends_on` or `talks_to`.
    pub declared_by: &'static str,
}

/// The app's connections, sorted and unique: each dependency's primary port (unless a
/// `.talks_to(..)` to the same app names its ports), then every `.talks_to(..)`. An unknown
/// app or port is reported naming both; unknown dependencies are `graph`'s to report.
pub(super) fn connections(
    app: &App,
    peers: &BTreeMap<String, Peer>,
    p: &mut Problems<'_>,
) -> Vec<ResolvedConnection> {
    let mut out = Vec::new();
    check_internet(app, p);
    for c in &app.talks_to {
        let Some(peer) = peers.get(&c.app) else {
            p.add(
                "talks_to",
                format!("talks to `{}`, which is not an app", c.app),
                match closest(&c.app, peers.keys().map(String::as_str)) {
                    Some(near) => format!(
                        "did you mean `{near}`? Otherwise declare an app named `{}` in apps/",
                        c.app
                    ),
                    None => format!("declare an app named `{}` in apps/ or fix the name", c.app),
                },
            );
            continue;
        };
        if c.app == app.name {
            p.add(
                "talks_to",
                "the app talks to itself",
                "remove the `.talks_to(..)`: a pod reaches itself without a policy",
            );
            continue;
        }
        let port = peer.ports.iter().find(|port| match &c.port {
            PortRef::Name(n) => &port.name == n,
            PortRef::Number(n) => port.port == *n,
        });
        let Some(port) = port else {
            let exposed: Vec<String> = peer
                .ports
                .iter()
                .map(|p| format!("{} ({})", p.name, p.port))
                .collect();
            p.add(
                "talks_to",
                format!(
                    "talks to `{}` on port `{}`, which `{}` does not expose",
                    c.app, c.port, c.app
                ),
                if exposed.is_empty() {
                    format!(
                        "`{}` exposes no port: add one there, or remove the `.talks_to(..)`",
                        c.app
                    )
                } else {
                    format!("use one of `{}`'s ports: {}", c.app, exposed.join(", "))
                },
            );
            continue;
        };
        out.push(ResolvedConnection {
            app: c.app.clone(),
            namespace: peer.namespace.to_string(),
            port_name: port.name.clone(),
            port: port.port,
            protocol: port.protocol,
            declared_by: "talks_to",
        });
    }
    for dep in &app.dependencies {
        if dep.app == app.name || app.talks_to.iter().any(|c| c.app == dep.app) {
            continue;
        }
        let Some(peer) = peers.get(&dep.app) else {
            continue;
        };
        if let Some(port) = &peer.first_port {
            out.push(ResolvedConnection {
                app: dep.app.clone(),
                namespace: peer.namespace.to_string(),
                port_name: port.name.clone(),
                port: port.port,
                protocol: port.protocol,
                declared_by: if dep.wait_at_startup {
                    "waits_for"
                } else {
                    "depends_on"
                },
            });
        }
    }
    out.sort();
    out.dedup_by(|a, b| (&a.app, a.port, a.protocol) == (&b.app, b.port, b.protocol));
    out
}

/// Internet egress and ingress each carry a reason; ingress needs a LAN port to forward.
fn check_internet(app: &App, p: &mut Problems<'_>) {
    if app
        .egress_internet
        .as_deref()
        .is_some_and(|why| why.trim().is_empty())
    {
        p.add(
            "egress_internet",
            "internet egress without a reason",
            "say why the app needs the internet: `.egress_internet(\"fetches metadata\")`",
        );
    }
    if let Some(why) = &app.ingress_internet {
        let lan =
            app.service == crate::app::ServiceExposure::Lan || app.ports.iter().any(|p| p.lan);
        if why.trim().is_empty() {
            p.add(
                "ingress_internet",
                "internet ingress without a reason",
                "say who connects from the internet: `.ingress_internet(\"torrent peers, forwarded by the router\")`",
            );
        } else if !lan {
            p.add(
                "ingress_internet",
                "internet ingress, but the app exposes no port on the LAN for a router to forward",
                "mark the forwarded port `.lan()`, or remove `.ingress_internet(..)`",
            );
        }
    }
}
