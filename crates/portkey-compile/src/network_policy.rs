//! NetworkPolicy compiled from the apps' connections (`networking.k8s.io/v1`, enforced by
//! any CNI that implements it; inert on one that does not: see [`portkey_model::cluster::Cni`]).
//!
//! Each app namespace gets, in the `cluster-namespaces` part (each name prefixed with the
//! namespace, as the part's files share one folder):
//! - `<namespace>-default-deny`: every pod, no ingress, no egress;
//! - `<namespace>-allow-dns`: every pod may ask kube-dns (`kube-system`, `k8s-app: kube-dns`, UDP and
//!   TCP 53);
//! - `<namespace>-volsync-mover`, where a claim is backed up: Volsync's mover pods (labelled
//!   `app.kubernetes.io/created-by: volsync` by Volsync) may reach the restic repository,
//!   which the model does not know (its URL is in a Secret made by hand), so any address
//!   on TCP.
//!
//! Each app gets its own policy `<app>` beside its workload, so it syncs with it:
//! - ingress from traefik's pods in traefik's namespace on the primary port, for `.https`;
//! - ingress from the LAN (the inventory's `lan_cidr`) on the ports exposed on the LAN
//!   (`.lan()`), and also from the internet (`0.0.0.0/0` except RFC 1918, so not from the
//!   pods) with `.ingress_internet(..)` (a router forwards them); `externalTrafficPolicy: Local` keeps the client's address, so the LAN
//!   block matches it;
//! - ingress from every app that connects to it, and egress to every app it connects to
//!   (dependencies and `.talks_to`), each on the port connected to;
//! - egress to the internet (`0.0.0.0/0` except RFC 1918) only with `.egress_internet(..)`;
//! - ingress from the Prometheus pods (the labels the release that declares
//!   `Chart::runs_prometheus` gives them, in its namespace) on the metrics port only, with
//!   `.metrics(..)`.
//!
//! Not needed, so not allowed: egress to the NFS server and to the Ceph monitors. The
//! kubelet mounts NFS volumes and the Ceph CSI node plugin maps RBD images on the node, in
//! the host's network namespace, which NetworkPolicy does not filter. (Allowing pods to
//! reach NFS would let a compromised pod mount an export with a forged AUTH_SYS uid.) No app
//! workload talks to the API server.
//!
//! Peers use `kubernetes.io/metadata.name`, the namespace label the API server sets
//! (<https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-namespace-by-its-name>).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use portkey_model::app::{Port, Protocol, ServiceExposure};
use portkey_model::resolve::{Catalogue, ResolvedApp};

use crate::{NAME_LABEL, Object, meta};

/// The label the API server sets on every Namespace to its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// The label Volsync puts on its mover pods.
pub const VOLSYNC_MOVER_LABEL: (&str, &str) = ("app.kubernetes.io/created-by", "volsync");
/// kube-dns: its namespace and pod label (kubeadm's CoreDNS keeps `k8s-app: kube-dns`).
pub const KUBE_DNS: (&str, (&str, &str)) = ("kube-system", ("k8s-app", "kube-dns"));
/// The ingress controller's release name, whose namespace and pods (`app.kubernetes.io/name:
/// traefik`, the chart's default labels in `charts/traefik/41.3.0`) may reach `.https` apps.
pub const INGRESS_CONTROLLER: &str = "traefik";
/// The private ranges (RFC 1918) that internet egress excludes.
pub const PRIVATE_RANGES: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// The namespace the ingress controller's release runs in (its release name otherwise).
pub fn ingress_namespace(catalogue: &Catalogue<'_>) -> String {
    catalogue
        .charts
        .iter()
        .find(|c| c.name == INGRESS_CONTROLLER)
        .map_or_else(|| INGRESS_CONTROLLER.into(), |c| c.namespace.clone())
}

fn labels(pairs: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect::<BTreeMap<_, _>>(),
        ),
        match_expressions: None,
    }
}

fn pods_in(namespace: &str, pod: (&str, &str)) -> NetworkPolicyPeer {
    pods_with(namespace, &[pod])
}

fn pods_with(namespace: &str, pod: &[(&str, &str)]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(labels(&[(NAMESPACE_NAME_LABEL, namespace)])),
        pod_selector: Some(labels(pod)),
        ip_block: None,
    }
}

fn block(cidr: &str, except: &[&str]) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.into(),
            except: (!except.is_empty()).then(|| except.iter().map(|e| (*e).into()).collect()),
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn port(number: u16, protocol: Protocol) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(number))),
        protocol: Some(
            match protocol {
                Protocol::Tcp => "TCP",
                Protocol::Udp => "UDP",
            }
            .into(),
        ),
        end_port: None,
    }
}

fn tcp_any() -> NetworkPolicyPort {
    NetworkPolicyPort {
        protocol: Some("TCP".into()),
        ..NetworkPolicyPort::default()
    }
}

fn policy(
    name: &str,
    namespace: &str,
    app: Option<&str>,
    selector: LabelSelector,
    spec: (Vec<NetworkPolicyIngressRule>, Vec<NetworkPolicyEgressRule>),
    types: &[&str],
) -> NetworkPolicy {
    let (ingress, egress) = spec;
    NetworkPolicy {
        metadata: meta(name, Some(namespace), app),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(selector),
            ingress: (!ingress.is_empty()).then_some(ingress),
            egress: (!egress.is_empty()).then_some(egress),
            policy_types: Some(types.iter().map(|t| (*t).to_string()).collect()),
        }),
    }
}

/// The policies of one app namespace: `default-deny`, `allow-dns`, and `volsync-mover`
/// where a claim of the namespace is backed up.
pub fn namespace_policies(catalogue: &Catalogue<'_>, namespace: &str) -> Vec<Object> {
    let both = ["Ingress", "Egress"];
    let mut out: Vec<Object> = vec![
        policy(
            &format!("{namespace}-default-deny"),
            namespace,
            None,
            LabelSelector::default(),
            (Vec::new(), Vec::new()),
            &both,
        )
        .into(),
        policy(
            &format!("{namespace}-allow-dns"),
            namespace,
            None,
            LabelSelector::default(),
            (
                Vec::new(),
                vec![NetworkPolicyEgressRule {
                    to: Some(vec![pods_in(KUBE_DNS.0, KUBE_DNS.1)]),
                    ports: Some(vec![port(53, Protocol::Udp), port(53, Protocol::Tcp)]),
                }],
            ),
            &["Egress"],
        )
        .into(),
    ];
    let backed_up = catalogue
        .backups()
        .any(|(a, _, _)| a.app.namespace.name() == namespace);
    if backed_up {
        out.push(
            policy(
                &format!("{namespace}-volsync-mover"),
                namespace,
                None,
                labels(&[VOLSYNC_MOVER_LABEL]),
                (
                    Vec::new(),
                    vec![NetworkPolicyEgressRule {
                        to: Some(vec![block("0.0.0.0/0", &[])]),
                        ports: Some(vec![tcp_any()]),
                    }],
                ),
                &["Egress"],
            )
            .into(),
        );
    }
    out
}

/// A policy `name` in `namespace` that isolates the pods labelled `app.kubernetes.io/name:
/// <name>`: no ingress, no egress. For the device plugins, which talk only to the kubelet's
/// Unix socket on the node (their DaemonSets use no host network).
pub fn isolated(name: &str, namespace: &str) -> NetworkPolicy {
    policy(
        name,
        namespace,
        Some(name),
        labels(&[(NAME_LABEL, name)]),
        (Vec::new(), Vec::new()),
        &["Ingress", "Egress"],
    )
}

/// The ports LAN clients reach: every port after `.lan()`, or those marked `.lan()`.
pub fn lan_ports(app: &ResolvedApp) -> Vec<&Port> {
    app.app
        .ports
        .iter()
        .filter(|p| app.app.service == ServiceExposure::Lan || p.lan)
        .collect()
}

/// The app's own policy `<app>`: who may reach it, and what it may reach.
pub fn app_policy(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> NetworkPolicy {
    let name = app.app.name.as_str();
    let mut ingress = Vec::new();
    if let (Some(_), Some(primary)) = (&app.app.https, app.app.ports.first()) {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![pods_in(
                &ingress_namespace(catalogue),
                (NAME_LABEL, INGRESS_CONTROLLER),
            )]),
            ports: Some(vec![port(primary.port, primary.protocol)]),
        });
    }
    let lan = lan_ports(app);
    if !lan.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            // The internet is everything but the private ranges, which hold the pods too.
            from: Some(if app.app.ingress_internet.is_some() {
                vec![
                    block(&catalogue.cluster.lan_cidr, &[]),
                    block("0.0.0.0/0", &PRIVATE_RANGES),
                ]
            } else {
                vec![block(&catalogue.cluster.lan_cidr, &[])]
            }),
            ports: Some(lan.iter().map(|p| port(p.port, p.protocol)).collect()),
        });
    }
    for (client, c) in catalogue.clients_of(name) {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![pods_in(
                client.app.namespace.name(),
                (NAME_LABEL, &client.app.name),
            )]),
            ports: Some(vec![port(c.port, c.protocol)]),
        });
    }
    if let (Some(m), Some((release, prometheus))) =
        (&app.metrics, crate::metrics::prometheus(catalogue))
    {
        let pods: Vec<(&str, &str)> = prometheus
            .pod_labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![pods_with(&release.namespace, &pods)]),
            ports: Some(vec![port(m.port, Protocol::Tcp)]),
        });
    }
    let mut egress: Vec<NetworkPolicyEgressRule> = app
        .connections
        .iter()
        .map(|c| NetworkPolicyEgressRule {
            to: Some(vec![pods_in(&c.namespace, (NAME_LABEL, &c.app))]),
            ports: Some(vec![port(c.port, c.protocol)]),
        })
        .collect();
    if app.app.egress_internet.is_some() {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![block("0.0.0.0/0", &PRIVATE_RANGES)]),
            ports: None,
        });
    }
    let mut np = policy(
        name,
        app.app.namespace.name(),
        Some(name),
        labels(&[(NAME_LABEL, name)]),
        (ingress, egress),
        &["Ingress", "Egress"],
    );
    for (key, why) in [
        ("portkey.dev/egress-internet", &app.app.egress_internet),
        ("portkey.dev/ingress-internet", &app.app.ingress_internet),
    ] {
        if let Some(why) = why {
            np.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(key.into(), why.clone());
        }
    }
    np
}
