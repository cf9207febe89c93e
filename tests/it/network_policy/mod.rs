//! NetworkPolicy, checked on the YAML of `generated/` by an independent evaluator
//! ([`eval`]): every pod is selected, every app namespace denies by default, and the
//! policies allow exactly the flows of ARCHITECTURE.md's connectivity matrix between the
//! app pods, traefik, Prometheus, the LAN and the internet. Removing a `.talks_to` or a dependency
//! breaks the matrix.

mod charts;
mod clients;
mod eval;
mod metrics;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use eval::{End, Network, Pod};

use crate::common::root;

/// A LAN client (in the inventory's 192.168.0.0/24).
const LAN_CLIENT: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 77);
/// An address on the internet.
const INTERNET: Ipv4Addr = Ipv4Addr::new(1, 1, 1, 1);
/// The NFS server of the inventory.
const NFS_SERVER: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 41);

/// A Prometheus pod of kube-prometheus-stack 88.5.3, as its operator labels it (the chart's
/// own Service, `templates/prometheus/service.yaml`, selects the same two labels; the name
/// is the release's with `cleanPrometheusOperatorObjectNames`), in the release's namespace.
fn prometheus_pod() -> Pod {
    Pod::new(
        "monitoring-system",
        &[
            ("app.kubernetes.io/name", "prometheus"),
            ("operator.prometheus.io/name", "kube-prometheus-stack"),
        ],
        4,
    )
}

/// The committed `generated/` tree, path → text.
fn committed() -> BTreeMap<String, String> {
    let dir = root().join("generated");
    walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let path = e
                .path()
                .strip_prefix(&dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            (path, std::fs::read_to_string(e.path()).expect("UTF-8"))
        })
        .collect()
}

/// The tree of the real catalogue after `edit`.
fn rendered(
    edit: impl FnOnce(&mut Vec<portkey::portkey_model::app::App>),
) -> BTreeMap<String, String> {
    let mut apps = portkey::catalogue();
    edit(&mut apps);
    portkey::build_with(&portkey::cluster::portkey(), apps, portkey::charts())
        .expect("the edited catalogue renders")
        .tree
}

/// A flow of the matrix: `(from, to, port, protocol)`, each end an app (`ns/app`),
/// `traefik`, `LAN` or `internet`.
type Flow = (String, String, u16, String);

/// The app, traefik, LAN and internet rows of ARCHITECTURE.md's connectivity matrix.
fn matrix(architecture: &str) -> BTreeSet<Flow> {
    let start = architecture
        .find("## Network policy")
        .expect("the matrix section");
    let end = |c: &str| -> Option<String> {
        let c = c.trim();
        if c.starts_with("LAN (") {
            Some("LAN".into())
        } else if c.starts_with("internet") {
            Some("internet".into())
        } else if c == "`traefik/traefik`" {
            Some("traefik".into())
        } else if c.starts_with('`') && c.ends_with('`') && c.contains('/') {
            Some(c.trim_matches('`').into())
        } else {
            None
        }
    };
    architecture[start..]
        .lines()
        .take_while(|l| !l.starts_with("## ") || l.starts_with("## Network policy"))
        .filter(|l| l.starts_with("| "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').collect();
            let (from, to, port) = (end(cells[1])?, end(cells[2])?, cells[3].trim());
            if to == "internet" {
                return Some((from, to, 443, "TCP".into()));
            }
            let (number, rest) = port.split_once('/')?;
            let protocol = rest.split_whitespace().next()?.trim_end_matches(',');
            Some((from, to, number.parse().ok()?, protocol.into()))
        })
        .collect()
}

/// Every difference between what `tree`'s policies allow and the `expected` flows, over
/// every source (app pods, traefik, the LAN) and every destination (each app pod's
/// ports, the internet).
fn violations(expected: &BTreeSet<Flow>, tree: &BTreeMap<String, String>) -> Vec<String> {
    let net = Network::from_tree(tree);
    let traefik = Pod::new("traefik", &[("app.kubernetes.io/name", "traefik")], 1);
    let prometheus = prometheus_pod();
    let mut sources: Vec<(String, End<'_>)> = net
        .pods
        .iter()
        .map(|p| (format!("{}/{}", p.namespace, p.app()), End::Pod(p)))
        .collect();
    sources.push(("traefik".into(), End::Pod(&traefik)));
    sources.push(("monitoring-system/prometheus".into(), End::Pod(&prometheus)));
    sources.push(("LAN".into(), End::External(LAN_CLIENT)));
    sources.push(("internet".into(), End::External(INTERNET)));
    let mut out = Vec::new();
    let mut check = |from: &str, src: End<'_>, to: String, dst: End<'_>, port: u16, proto: &str| {
        let flow = (from.to_string(), to, port, proto.to_string());
        let allowed = net.allowed(src, dst, port, proto);
        if allowed != expected.contains(&flow) {
            out.push(format!(
                "{} → {} {}/{}: {} by the policies, {} in the matrix",
                flow.0,
                flow.1,
                port,
                proto,
                if allowed { "allowed" } else { "denied" },
                if expected.contains(&flow) {
                    "listed"
                } else {
                    "not listed"
                }
            ));
        }
    };
    for (from, src) in &sources {
        for dst in &net.pods {
            let to = format!("{}/{}", dst.namespace, dst.app());
            if *from == to {
                continue;
            }
            for (port, proto) in &dst.ports {
                check(from, *src, to.clone(), End::Pod(dst), *port, proto);
            }
        }
        // Internet egress of the app pods (traefik's and Prometheus' namespaces are not
        // portkey's).
        if matches!(src, End::Pod(p) if !["traefik", "monitoring-system"].contains(&p.namespace.as_str()))
        {
            check(
                from,
                *src,
                "internet".into(),
                End::External(INTERNET),
                443,
                "TCP",
            );
        }
    }
    for flow in expected {
        let known = |end: &str| {
            ["traefik", "LAN", "internet", "monitoring-system/prometheus"].contains(&end)
                || net
                    .pods
                    .iter()
                    .any(|p| format!("{}/{}", p.namespace, p.app()) == end)
        };
        if !known(&flow.0) || !known(&flow.1) {
            out.push(format!(
                "the matrix lists {flow:?}, between endpoints the tree does not have"
            ));
        }
    }
    out
}

#[test]
fn the_policies_allow_exactly_the_matrix_of_the_real_catalogue() {
    let tree = committed();
    let expected = matrix(&tree["ARCHITECTURE.md"]);
    // The matrix holds the flows the issue names, so an empty or truncated one fails.
    for flow in [
        (
            "home-automation/zigbee2mqtt",
            "home-automation/mosquitto",
            1883,
        ),
        ("paperless/paperless", "paperless/paperless-redis", 6379),
        ("nextcloud/nextcloud", "nextcloud/nextcloud-postgres", 5432),
        ("media/prowlarr", "media/radarr", 7878),
        ("LAN", "home-automation/mosquitto", 1883),
        ("traefik", "vaultwarden/vaultwarden", 8080),
        ("media/radarr", "internet", 443),
        ("internet", "media/transmission", 51413),
    ] {
        let flow = (
            flow.0.to_string(),
            flow.1.to_string(),
            flow.2,
            "TCP".to_string(),
        );
        assert!(expected.contains(&flow), "{flow:?} is not in the matrix");
    }
    let problems = violations(&expected, &tree);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn undeclared_flows_are_denied() {
    let net = Network::from_tree(&committed());
    let (vault, mosquitto, jellyfin, radarr) = (
        net.pod("vaultwarden"),
        net.pod("mosquitto"),
        net.pod("jellyfin"),
        net.pod("radarr"),
    );
    assert!(
        !net.allowed(End::Pod(jellyfin), End::Pod(vault), 8080, "TCP"),
        "media → vaultwarden"
    );
    assert!(
        !net.allowed(End::External(LAN_CLIENT), End::Pod(vault), 8080, "TCP"),
        "LAN → vaultwarden"
    );
    assert!(net.allowed(End::External(LAN_CLIENT), End::Pod(mosquitto), 1883, "TCP"));
    assert!(
        !net.allowed(End::External(LAN_CLIENT), End::Pod(mosquitto), 8883, "TCP"),
        "mosquitto from the LAN on a port it does not open"
    );
    assert!(
        !net.allowed(End::External(INTERNET), End::Pod(mosquitto), 1883, "TCP"),
        "internet → mosquitto"
    );
    assert!(
        !net.allowed(End::Pod(vault), End::External(INTERNET), 443, "TCP"),
        "vaultwarden declares no internet"
    );
    assert!(
        !net.allowed(End::Pod(radarr), End::External(NFS_SERVER), 2049, "TCP"),
        "pods need no NFS egress"
    );
    assert!(
        !net.allowed(End::Pod(radarr), End::External(LAN_CLIENT), 80, "TCP"),
        "internet egress excludes the LAN"
    );
    assert!(!net.allowed(End::Pod(radarr), End::Pod(vault), 8080, "TCP"));
}

#[test]
fn every_app_pod_may_resolve_names_and_backups_reach_their_repository() {
    let net = Network::from_tree(&committed());
    let dns = Pod::new("kube-system", &[("k8s-app", "kube-dns")], 2);
    for pod in net.pods.iter().filter(|p| p.namespace != "kube-system") {
        for proto in ["UDP", "TCP"] {
            assert!(
                net.allowed(End::Pod(pod), End::Pod(&dns), 53, proto),
                "{} → DNS/{proto}",
                pod.app()
            );
        }
        assert!(
            !net.allowed(End::Pod(pod), End::Pod(&dns), 80, "TCP"),
            "{} → kube-system:80",
            pod.app()
        );
    }
    let mover = Pod::new(
        "vaultwarden",
        &[("app.kubernetes.io/created-by", "volsync")],
        3,
    );
    assert!(
        net.allowed(End::Pod(&mover), End::External(INTERNET), 443, "TCP"),
        "mover → repository"
    );
    assert!(
        net.allowed(End::Pod(&mover), End::External(NFS_SERVER), 9000, "TCP"),
        "mover → LAN repository"
    );
    assert!(!net.allowed(
        End::Pod(&mover),
        End::Pod(net.pod("vaultwarden")),
        8080,
        "TCP"
    ));
}

#[test]
fn every_pod_is_selected_and_every_app_namespace_denies_by_default() {
    let tree = committed();
    let net = Network::from_tree(&tree);
    let workloads = tree
        .keys()
        .filter(|p| {
            ["deployment-", "statefulset-", "daemonset-"]
                .iter()
                .any(|k| p.contains(&format!("/{k}")))
        })
        .count();
    assert!(workloads >= 19, "{workloads} workloads");
    assert_eq!(
        net.pods.len(),
        workloads,
        "every workload's pods are evaluated"
    );
    for pod in &net.pods {
        let own: Vec<_> = net
            .selecting(pod)
            .filter(|p| p["spec"]["podSelector"]["matchLabels"].is_object())
            .collect();
        assert_eq!(
            own.len(),
            1,
            "{}/{}: one policy of its own",
            pod.namespace,
            pod.app()
        );
        if pod.namespace == "kube-system" {
            // A device plugin: isolated by its own policy.
            let spec = &own[0]["spec"];
            assert!(
                spec["ingress"].is_null() && spec["egress"].is_null(),
                "{}",
                pod.app()
            );
            continue;
        }
        let deny = net.policies.iter().any(|(ns, p)| {
            *ns == pod.namespace
                && p["spec"]["podSelector"]
                    .as_object()
                    .is_some_and(serde_json::Map::is_empty)
                && p["spec"]["ingress"].is_null()
                && p["spec"]["egress"].is_null()
                && p["spec"]["policyTypes"] == serde_json::json!(["Ingress", "Egress"])
        });
        assert!(deny, "{}: no default-deny", pod.namespace);
    }
}

#[test]
fn removing_a_talks_to_breaks_the_matrix() {
    let expected = matrix(&committed()["ARCHITECTURE.md"]);
    let tree = rendered(|apps| {
        let prowlarr = apps
            .iter_mut()
            .find(|a| a.name == "prowlarr")
            .expect("prowlarr");
        assert!(!prowlarr.talks_to.is_empty());
        prowlarr.talks_to.clear();
    });
    let problems = violations(&expected, &tree);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("media/prowlarr → media/radarr 7878/TCP: denied")),
        "{problems:#?}"
    );
    // The new matrix no longer lists it, and agrees with the new policies.
    let again = matrix(&tree["ARCHITECTURE.md"]);
    assert!(
        !again
            .iter()
            .any(|f| f.0 == "media/prowlarr" && f.1 == "media/radarr")
    );
    assert!(violations(&again, &tree).is_empty());
}

#[test]
fn removing_a_dependency_breaks_the_matrix() {
    let expected = matrix(&committed()["ARCHITECTURE.md"]);
    let tree = rendered(|apps| {
        let z2m = apps
            .iter_mut()
            .find(|a| a.name == "zigbee2mqtt")
            .expect("zigbee2mqtt");
        z2m.dependencies.retain(|d| d.app != "mosquitto");
    });
    let problems = violations(&expected, &tree);
    assert!(
        problems.iter().any(|p| p.starts_with(
            "home-automation/zigbee2mqtt → home-automation/mosquitto 1883/TCP: denied"
        )),
        "{problems:#?}"
    );
}
