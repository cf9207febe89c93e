//! Derived Pod Security Standards (issue #16, part 3): each app namespace's `enforce` level
//! is the strictest level all of its compiled pods pass (workloads, init containers, the
//! background jobs' sidecars and the Volsync movers), `warn` and `audit` are `restricted`,
//! and a pod that needs `privileged` in an app namespace is a model error.

use std::collections::BTreeMap;

use portkey::portkey_compile::pss;
use portkey::portkey_model;
use portkey::portkey_model::app::Exception;

use crate::common::{app, find_problem, root, test_cluster};

/// The level each namespace of the real catalogue gets, computed by hand from its pods:
/// - `home` (grocy, babybuddy): both linuxserver images start their s6 init as root
///   (`Exception::RunAsRoot`) and keep CHOWN, SETUID, SETGID… to drop to PUID, all in
///   the baseline set: `baseline` (`runAsNonRoot`, `capabilities_restricted`);
/// - `media` (jellyfin, the *arrs): NFS volumes are not among `restricted`'s volume types;
/// - `paperless`: NFS volumes too; `nextcloud`: NFS, and its entrypoint installs as root;
/// - `vaultwarden`: a claim and a Secret, non-root: `restricted`;
/// - `home-automation`: zigbee2mqtt reaches its adapter through the device plugin's
///   resource (no hostPath) and a supplemental group; Home Assistant and mosquitto are
///   non-root: `restricted`.
const EXPECTED: [(&str, &str); 6] = [
    ("home", "baseline"),
    ("home-automation", "restricted"),
    ("media", "baseline"),
    ("nextcloud", "baseline"),
    ("paperless", "baseline"),
    ("vaultwarden", "restricted"),
];

fn labels(yaml: &str) -> BTreeMap<String, String> {
    let value: serde_json::Value = serde_saphyr::from_str(yaml).expect("a Namespace parses");
    serde_json::from_value(value["metadata"]["labels"].clone()).expect("labels are strings")
}

#[test]
fn derived_levels_match_the_hand_computed_table() {
    let dir = root().join("generated/cluster/namespaces");
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("generated/cluster/namespaces exists") {
        let path = entry.expect("a directory entry").path();
        // The part also holds the namespaces' NetworkPolicies.
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("namespace-"))
        {
            continue;
        }
        let labels = labels(&std::fs::read_to_string(&path).expect("readable"));
        let name = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace("namespace-", "");
        assert_eq!(
            labels["pod-security.kubernetes.io/warn"], "restricted",
            "{name}: warn"
        );
        assert_eq!(
            labels["pod-security.kubernetes.io/audit"], "restricted",
            "{name}: audit"
        );
        found.insert(name, labels["pod-security.kubernetes.io/enforce"].clone());
    }
    let expected: BTreeMap<String, String> = EXPECTED
        .iter()
        .map(|(ns, level)| ((*ns).to_string(), (*level).to_string()))
        .collect();
    // On a mismatch, show what each pod fails.
    let cluster = portkey::cluster::portkey();
    let catalogue = portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not resolve:\n{e}"));
    let why: Vec<String> = catalogue
        .apps
        .iter()
        .flat_map(|a| {
            pss::app_pods(&catalogue, a)
                .into_iter()
                .flat_map(|(what, spec)| {
                    pss::violations(&spec)
                        .into_iter()
                        .map(move |v| format!("{what}: {} at {}", v.check, v.field))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(found, expected, "what the pods fail:\n{}", why.join("\n"));
}

#[test]
fn no_namespace_is_weaker_than_its_pods_allow() {
    let cluster = portkey::cluster::portkey();
    let catalogue = portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not resolve:\n{e}"));
    let levels = pss::app_namespaces(&catalogue);
    assert!(levels.errors.is_empty(), "{:#?}", levels.errors);
    for a in &catalogue.apps {
        let ns = levels.levels[a.app.namespace.name()];
        let pods = pss::app_pods(&catalogue, a);
        // Every pod passes the namespace's level (a mover that failed it would stop the
        // backups) ...
        for (what, spec) in &pods {
            assert!(pss::level(spec) >= ns, "{what} fails {}", ns.as_str());
        }
    }
    // ... and the level is the strictest they all pass: some pod in each namespace fails
    // the next stricter level.
    for (ns, level) in &levels.levels {
        if *level == portkey_model::chart::PodSecurity::Restricted {
            continue;
        }
        let weakest = catalogue
            .apps
            .iter()
            .filter(|a| a.app.namespace.name() == ns)
            .flat_map(|a| pss::app_pods(&catalogue, a))
            .map(|(_, spec)| pss::level(&spec))
            .min();
        assert_eq!(weakest, Some(*level), "{ns}");
    }
}

#[test]
fn movers_carry_what_restricted_needs() {
    let cluster = portkey::cluster::portkey();
    let catalogue = portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not resolve:\n{e}"));
    let vaultwarden = catalogue
        .apps
        .iter()
        .find(|a| a.app.name == "vaultwarden")
        .expect("vaultwarden is in the catalogue");
    let mover = portkey::portkey_compile::backup::mover_pod(vaultwarden, "vaultwarden-data");
    assert_eq!(pss::violations(&mover), vec![]);
}

#[test]
fn a_pod_that_needs_privileged_in_an_app_namespace_is_an_error() {
    let a = app("sniffer").allow(
        Exception::Capability("NET_ADMIN".into()),
        "captures the LAN's traffic",
    );
    let err = match portkey::build(&test_cluster(), vec![a]) {
        Ok(_) => panic!("a pod with NET_ADMIN rendered into an app namespace"),
        Err(portkey::Error::Model(e)) => e.0,
        Err(e) => panic!("expected model errors, got {e}"),
    };
    let e = find_problem(
        &err,
        "sniffer",
        "allow(Exception::Capability(\"NET_ADMIN\"))",
        &["privileged", "capabilities_baseline", "baseline"],
    );
    assert!(e.fix.contains("PodSecurity::Privileged"), "{e:#?}");
}

/// The levels hold for the pods as compiled into the Deployments and StatefulSets (read
/// back from the objects, not from `pss::app_pods`): none fails its namespace's level.
#[test]
fn every_compiled_workload_passes_its_namespace_level() {
    use portkey::portkey_compile::Object;
    let cluster = portkey::cluster::portkey();
    let catalogue = portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not resolve:\n{e}"));
    let levels = pss::app_namespaces(&catalogue).levels;
    let manifests = portkey::portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = 0;
    for m in &manifests {
        let spec = match &m.object {
            Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.template.spec.clone()),
            Object::StatefulSet(s) => s.spec.as_ref().and_then(|s| s.template.spec.clone()),
            _ => continue,
        };
        let Some(ns) = m.object.namespace().and_then(|ns| levels.get(ns)) else {
            continue;
        };
        let spec = spec.unwrap_or_else(|| panic!("{} has no pod spec", m.path()));
        seen += 1;
        assert!(
            pss::level(&spec) >= *ns,
            "{} fails its namespace's `{}`: {:#?}",
            m.path(),
            ns.as_str(),
            pss::violations(&spec)
        );
    }
    assert!(seen >= 10, "only {seen} app workloads found");
}
