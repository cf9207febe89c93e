//! A small NetworkPolicy evaluator, independent of portkey's model and compiler: it reads
//! the YAML of a `generated/` tree and decides whether a packet from one endpoint to another
//! on a port is allowed, as the `networking.k8s.io/v1` semantics say
//! (<https://kubernetes.io/docs/concepts/services-networking/network-policies/>): a pod
//! selected by no policy of a direction is open in that direction; a selected pod accepts
//! only what some rule of some selecting policy allows; a connection needs both the
//! source's egress and the destination's ingress.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::Value;

/// A pod: namespace, labels, address, and the ports its containers declare.
#[derive(Clone, Debug)]
pub struct Pod {
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub ip: Ipv4Addr,
    pub ports: Vec<(u16, String)>,
}

impl Pod {
    /// A pod of `namespace` with `labels`, at a pod-network address.
    pub fn new(namespace: &str, labels: &[(&str, &str)], n: u8) -> Self {
        Self {
            namespace: namespace.into(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            ip: Ipv4Addr::new(10, 244, 1, n),
            ports: Vec::new(),
        }
    }
    /// Its `app.kubernetes.io/name`.
    pub fn app(&self) -> &str {
        self.labels
            .get("app.kubernetes.io/name")
            .map_or("", String::as_str)
    }
}

/// One end of a connection.
#[derive(Clone, Copy, Debug)]
pub enum End<'a> {
    Pod(&'a Pod),
    External(Ipv4Addr),
}

impl End<'_> {
    fn ip(&self) -> Ipv4Addr {
        match self {
            End::Pod(p) => p.ip,
            End::External(ip) => *ip,
        }
    }
}

/// The policies and the app pods of a tree.
pub struct Network {
    pub policies: Vec<(String, Value)>,
    pub pods: Vec<Pod>,
}

impl Network {
    /// Reads every NetworkPolicy, Deployment, StatefulSet and DaemonSet of `tree` (path → YAML).
    pub fn from_tree(tree: &BTreeMap<String, String>) -> Self {
        let mut policies = Vec::new();
        let mut pods = Vec::new();
        for (path, text) in tree.iter().filter(|(p, _)| {
            std::path::Path::new(p)
                .extension()
                .is_some_and(|e| e == "yaml")
        }) {
            let object: Value =
                serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            let namespace = object["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string();
            match object["kind"].as_str() {
                Some("NetworkPolicy") => policies.push((namespace, object)),
                Some("Deployment" | "StatefulSet" | "DaemonSet") => {
                    let template = &object["spec"]["template"];
                    let labels = template["metadata"]["labels"]
                        .as_object()
                        .expect("pod labels")
                        .iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect();
                    let ports = template["spec"]["containers"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
                        .map(|p| {
                            (
                                u16::try_from(p["containerPort"].as_u64().expect("port"))
                                    .expect("u16"),
                                p["protocol"].as_str().unwrap_or("TCP").to_string(),
                            )
                        })
                        .collect();
                    let n = u8::try_from(pods.len() + 10).expect("few pods");
                    pods.push(Pod {
                        namespace,
                        labels,
                        ip: Ipv4Addr::new(10, 244, 0, n),
                        ports,
                    });
                }
                _ => {}
            }
        }
        Self { policies, pods }
    }

    /// The app pod named `app`.
    pub fn pod(&self, app: &str) -> &Pod {
        self.pods
            .iter()
            .find(|p| p.app() == app)
            .unwrap_or_else(|| panic!("no pod of app {app}"))
    }

    /// The policies of `pod`'s namespace that select it.
    pub fn selecting<'n>(&'n self, pod: &'n Pod) -> impl Iterator<Item = &'n Value> + 'n {
        self.policies
            .iter()
            .filter(move |(ns, p)| {
                *ns == pod.namespace && selects(&p["spec"]["podSelector"], &pod.labels)
            })
            .map(|(_, p)| p)
    }

    /// Whether `from` may open a connection to `to` on `port`/`protocol`.
    pub fn allowed(&self, from: End<'_>, to: End<'_>, port: u16, protocol: &str) -> bool {
        let egress = match from {
            End::Pod(pod) => self.direction(pod, "Egress", "egress", "to", to, port, protocol),
            End::External(_) => true,
        };
        let ingress = match to {
            End::Pod(pod) => {
                self.direction(pod, "Ingress", "ingress", "from", from, port, protocol)
            }
            End::External(_) => true,
        };
        egress && ingress
    }

    #[allow(clippy::too_many_arguments)]
    fn direction(
        &self,
        pod: &Pod,
        kind: &str,
        rules: &str,
        peers: &str,
        other: End<'_>,
        port: u16,
        protocol: &str,
    ) -> bool {
        let policies: Vec<&Value> = self
            .selecting(pod)
            .filter(|p| types(p).iter().any(|t| t == kind))
            .collect();
        policies.is_empty()
            || policies.iter().any(|p| {
                p["spec"][rules]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|rule| {
                        let peer_ok = match rule[peers].as_array() {
                            None => true,
                            Some(list) if list.is_empty() => true,
                            Some(list) => list
                                .iter()
                                .any(|peer| peer_matches(peer, &pod.namespace, other)),
                        };
                        peer_ok && ports_match(&rule["ports"], port, protocol)
                    })
            })
    }
}

/// `policyTypes`, defaulted as the API server does: Ingress, plus Egress when there are
/// egress rules.
fn types(policy: &Value) -> Vec<String> {
    match policy["spec"]["policyTypes"].as_array() {
        Some(t) => t
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        None if policy["spec"]["egress"].is_array() => vec!["Ingress".into(), "Egress".into()],
        None => vec!["Ingress".into()],
    }
}

/// A label selector: `{}` selects everything; only `matchLabels` is supported.
fn selects(selector: &Value, labels: &BTreeMap<String, String>) -> bool {
    assert!(
        selector.get("matchExpressions").is_none(),
        "the evaluator supports matchLabels only: {selector}"
    );
    selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
}

fn peer_matches(peer: &Value, policy_namespace: &str, other: End<'_>) -> bool {
    if let Some(block) = peer.get("ipBlock") {
        let ip = other.ip();
        return in_cidr(ip, block["cidr"].as_str().expect("cidr"))
            && !block["except"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| in_cidr(ip, e.as_str().expect("except")));
    }
    let End::Pod(pod) = other else {
        return false;
    };
    let namespace_ok = match peer.get("namespaceSelector") {
        // The API server labels every Namespace with its name.
        Some(sel) => selects(
            sel,
            &BTreeMap::from([(
                "kubernetes.io/metadata.name".to_string(),
                pod.namespace.clone(),
            )]),
        ),
        None => pod.namespace == policy_namespace,
    };
    namespace_ok
        && peer
            .get("podSelector")
            .is_none_or(|sel| selects(sel, &pod.labels))
}

fn ports_match(ports: &Value, port: u16, protocol: &str) -> bool {
    let Some(list) = ports.as_array() else {
        return true;
    };
    list.is_empty()
        || list.iter().any(|p| {
            p["protocol"].as_str().unwrap_or("TCP") == protocol
                && match p.get("port") {
                    None => true,
                    Some(Value::Number(n)) => {
                        let start = n.as_u64().expect("port");
                        let end = p["endPort"].as_u64().unwrap_or(start);
                        (start..=end).contains(&u64::from(port))
                    }
                    Some(other) => panic!("the evaluator supports numbered ports only: {other}"),
                }
        })
}

/// Whether `ip` is in `cidr`.
pub fn in_cidr(ip: Ipv4Addr, cidr: &str) -> bool {
    let (net, len) = cidr.split_once('/').expect("CIDR");
    let net: Ipv4Addr = net.parse().expect("network");
    let len: u32 = len.parse().expect("prefix");
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(ip) & mask == u32::from(net) & mask
}
