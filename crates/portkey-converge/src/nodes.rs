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

#[cfg(test)]
mod tests {
    use portkey_model::cluster::{Host, Node, NodeKind, NodeRole};
    use portkey_model::quantity::{Cpu, Memory};
    use serde_json::json;

    use super::selects;
    use crate::facts::{Fact, Selection};

    fn node(name: &str, role: NodeRole, labels: &[(&str, &str)]) -> Node {
        Node {
            name: name.into(),
            role,
            cpu: Cpu::cores(4),
            memory: Memory::gi(8),
            host: Host {
                name: "host".into(),
                cpu_model: "cpu".into(),
            },
            kind: NodeKind::Vm,
            hardware: Vec::new(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        }
    }

    /// The selection of a DaemonSet whose pod spec is `pod`.
    fn selection(pod: &serde_json::Value) -> Selection {
        let ds = json!({
            "kind": "DaemonSet", "metadata": { "name": "d", "namespace": "n" },
            "spec": { "template": { "spec": pod } },
        });
        match crate::facts::of(&ds).pop() {
            Some(Fact::Pods(p)) => p.selection,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn node_selector_and_affinity_match_the_inventory_labels_and_the_hostname() {
        let gpu = node("gpu", NodeRole::Worker, &[("gpu", "true")]);
        let plain = node("plain", NodeRole::Worker, &[]);
        let by_label = selection(&json!({ "nodeSelector": { "gpu": "true" } }));
        assert!(selects(&by_label, &gpu) && !selects(&by_label, &plain));
        let affinity = |op: &str, values: &[&str]| {
            selection(&json!({ "affinity": { "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": { "nodeSelectorTerms": [
                    { "matchExpressions": [{ "key": "kubernetes.io/hostname", "operator": op, "values": values }] },
                ]},
            }}}))
        };
        assert!(selects(&affinity("In", &["plain"]), &plain));
        assert!(!selects(&affinity("In", &["plain"]), &gpu));
        assert!(!selects(&affinity("NotIn", &["plain"]), &plain));
        assert!(selects(&affinity("Exists", &[]), &plain));
        assert!(!selects(&affinity("DoesNotExist", &[]), &plain));
        assert!(selects(
            &selection(&json!({ "nodeSelector": { "kubernetes.io/os": "linux" } })),
            &plain
        ));
    }

    #[test]
    fn control_plane_nodes_take_only_pods_that_tolerate_their_taint() {
        let cp = node("cp", NodeRole::ControlPlane, &[]);
        assert!(!selects(&selection(&json!({})), &cp));
        let tolerates = selection(&json!({ "tolerations": [{ "operator": "Exists" }] }));
        assert!(selects(&tolerates, &cp));
        let by_key = selection(&json!({ "tolerations": [
            { "key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule" },
        ]}));
        assert!(selects(&by_key, &cp));
    }
}
