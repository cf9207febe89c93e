//! Which inventory nodes a pod may run on: its nodeSelector and required node affinity
//! against each node's labels, plus the labels the kubelet sets itself.

use std::collections::BTreeMap;

use portkey_model::cluster::{Cluster, Node, NodeRole};

use crate::facts::{Expression, Selection};

/// The labels of `node` as the scheduler sees them: the inventory's, plus
/// `kubernetes.io/hostname` and `kubernetes.io/os` that the kubelet sets.
pub fn labels(node: &Node) -> BTreeMap<&str, &str> {
    let mut out: BTreeMap<&str, &str> = node
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    out.insert("kubernetes.io/hostname", &node.name);
    out.insert("kubernetes.io/os", "linux");
    out
}

fn matches(e: &Expression, labels: &BTreeMap<&str, &str>) -> bool {
    let value = labels.get(e.key.as_str());
    match e.operator.as_str() {
        "In" => value.is_some_and(|v| e.values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !e.values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        _ => false,
    }
}

/// Whether a pod with `selection` may run on `node` (kubeadm taints control-plane nodes).
pub fn selects(selection: &Selection, node: &Node) -> bool {
    if node.role == NodeRole::ControlPlane && !selection.tolerates_control_plane {
        return false;
    }
    let labels = labels(node);
    selection
        .node_selector
        .iter()
        .all(|(k, v)| labels.get(k.as_str()) == Some(&v.as_str()))
        && (selection.terms.is_empty()
            || selection
                .terms
                .iter()
                .any(|t| t.iter().all(|e| matches(e, &labels))))
}

/// The names of the nodes `selection` allows, in inventory order.
pub fn selected<'c>(cluster: &'c Cluster, selection: &Selection) -> Vec<&'c str> {
    cluster
        .nodes
        .iter()
        .filter(|n| selects(selection, n))
        .map(|n| n.name.as_str())
        .collect()
}

/// `key=value, ...` of a nodeSelector, for messages.
pub fn describe(selector: &BTreeMap<String, String>) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
