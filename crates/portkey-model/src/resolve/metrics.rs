//! The Prometheus metrics an app serves (`.metrics(..)`): a port the app exposes over TCP, a
//! path, and a release in the catalogue that runs Prometheus and installs the
//! ServiceMonitor CRDs.

use crate::app::{App, PortRef, Protocol};
use crate::error::Problems;

/// Checked metrics: the port (by name and number) and the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMetrics {
    /// The port's name (the Service port the ServiceMonitor names).
    pub port_name: String,
    /// Its number (the container port the NetworkPolicy opens).
    pub port: u16,
    /// The HTTP path.
    pub path: String,
}

/// The app's metrics, when it declares them and they pass: the port is one of the app's
/// TCP ports, the path starts with `/`, and `monitoring` (a release runs Prometheus) holds.
pub(super) fn resolve(
    app: &App,
    monitoring: bool,
    p: &mut Problems<'_>,
) -> Option<ResolvedMetrics> {
    let m = app.metrics.as_ref()?;
    let before = p.count();
    let port = app.ports.iter().find(|port| match &m.port {
        PortRef::Name(n) => &port.name == n,
        PortRef::Number(n) => port.port == *n,
    });
    match port {
        None => {
            let ports: Vec<String> = app
                .ports
                .iter()
                .map(|p| format!("{} ({})", p.name, p.port))
                .collect();
            p.add(
                "metrics",
                format!("serves metrics on port `{}`, which the app does not expose", m.port),
                if ports.is_empty() {
                    "the app has no port: add the metrics port with `.port(Port::tcp(\"metrics\", <number>))`".to_string()
                } else {
                    format!(
                        "use one of the app's ports: {}, or add the metrics port with `.port(Port::tcp(\"metrics\", <number>))`",
                        ports.join(", ")
                    )
                },
            );
        }
        Some(port) if port.protocol == Protocol::Udp => p.add(
            "metrics",
            format!(
                "serves metrics on the UDP port `{}`: Prometheus scrapes over HTTP, on TCP",
                port.name
            ),
            "name the TCP port the app serves its metrics on",
        ),
        Some(_) => {}
    }
    if !m.path.starts_with('/') {
        p.add(
            "metrics",
            format!("the metrics path {:?} does not start with `/`", m.path),
            format!(
                "give the absolute path: `/{}`",
                m.path.trim_start_matches('/')
            ),
        );
    }
    if !monitoring {
        p.add(
            "metrics",
            "serves metrics, but no chart release of the catalogue runs Prometheus: nothing installs the ServiceMonitor CRDs or scrapes them",
            "add the monitoring stack under apps/infra/ (kube-prometheus-stack, with `.provides_crds(crd::monitoring::GROUP)` and `.runs_prometheus(..)`), or remove `.metrics(..)`",
        );
    }
    if p.count() != before {
        return None;
    }
    let port = port?;
    Some(ResolvedMetrics {
        port_name: port.name.clone(),
        port: port.port,
        path: m.path.clone(),
    })
}
