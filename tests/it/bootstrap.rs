//! The Argo CD bootstrap: sync waves derived from the dependency graph, AppProjects that
//! confine each Application, chart releases, and the BOOTSTRAP document.

use std::collections::BTreeMap;

use crate::common::*;
use portkey::portkey_model::chart::Chart;
use portkey::portkey_model::components::Component;
use portkey::portkey_model::{self, resolve_all};
use serde_json::Value;

fn real_components() -> Vec<Component> {
    let cluster = portkey::cluster::portkey();
    let catalogue = resolve_all(&cluster, portkey::catalogue(), portkey::charts())
        .unwrap_or_else(|e| panic!("{e}"));
    portkey::portkey_compile::components(&catalogue).unwrap_or_else(|e| panic!("{e}"))
}

fn waves(components: &[Component]) -> BTreeMap<String, i32> {
    components
        .iter()
        .map(|c| (c.name.clone(), c.wave))
        .collect()
}

/// An app `notes` with one backed-up claim.
fn backed_up_notes() -> portkey_model::app::App {
    app("notes").volume(
        portkey_model::app::Volume::claim("data", "/data", portkey_model::quantity::Memory::gi(1))
            .backup(portkey_model::backup::Backup::daily()),
    )
}

fn tree() -> portkey::portkey_render::Tree {
    portkey::render_repository().unwrap_or_else(|e| panic!("{e}"))
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("generated YAML parses")
}

#[test]
fn every_dependency_has_a_lower_wave() {
    let components = real_components();
    let wave = waves(&components);
    let mut edges = 0;
    for c in &components {
        for d in &c.depends_on {
            edges += 1;
            assert!(
                wave[d] < c.wave,
                "{} (wave {}) depends on {d} (wave {})",
                c.name,
                c.wave,
                wave[d]
            );
        }
    }
    assert!(
        edges > 30,
        "the real catalogue has many dependency edges, found {edges}"
    );
}

#[test]
fn app_dependencies_of_the_seed_are_ordered() {
    let wave = waves(&real_components());
    for (later, earlier) in [
        ("zigbee2mqtt", "mosquitto"),
        ("homeassistant", "mosquitto"),
        ("paperless", "paperless-redis"),
        ("nextcloud", "nextcloud-postgres"),
        ("jellyseerr", "jellyfin"),
    ] {
        assert!(
            wave[later] > wave[earlier],
            "{later} must come after {earlier}: {wave:?}"
        );
    }
    // Storage and backups before the apps that use them.
    for app in [
        "vaultwarden",
        "homeassistant",
        "mosquitto",
        "zigbee2mqtt",
        "paperless",
        "grocy",
        "babybuddy",
    ] {
        assert!(
            wave[app] > wave["volsync"],
            "{app} is backed up: it waits for volsync"
        );
        assert!(
            wave[app] > wave["cluster-storage"],
            "{app} has claims: it waits for its storage class"
        );
    }
    assert!(wave["volsync"] > wave["snapshot-controller"]);
    assert!(
        wave["volsync"] > wave["cluster-storage"],
        "volsync registers as populator only if the CRD exists first"
    );
    assert!(wave["cluster-storage"] > wave["ceph-csi-drivers"]);
    assert!(
        wave["jellyfin"] > wave["cluster-devices"],
        "the GPU plugin comes before the GPU app"
    );
}

/// Every custom resource in generated/ is synced in a later wave than the chart release that
/// installs its CRDs.
#[test]
fn custom_resources_come_after_their_operators() {
    let tree = tree();
    let components = real_components();
    let wave = waves(&components);
    let mut provider: BTreeMap<String, String> = BTreeMap::new();
    for c in &components {
        for cap in &c.provides {
            if let portkey_model::chart::Capability::Crds(group) = cap {
                provider.insert(group.clone(), c.name.clone());
            }
        }
    }
    // Which Application syncs each directory.
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for (path, text) in &tree {
        if path.starts_with("argocd/application-") {
            let app = yaml(text);
            if let Some(p) = app["spec"]["source"]["path"].as_str() {
                owner.insert(
                    p.trim_start_matches("generated/").to_string(),
                    app["metadata"]["name"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    let builtin =
        |group: &str| group.is_empty() || group.ends_with(".k8s.io") || !group.contains('.');
    let mut checked = 0;
    for (path, text) in &tree {
        if std::path::Path::new(path)
            .extension()
            .is_none_or(|e| e != "yaml")
            || path.starts_with("argocd/")
            || path.starts_with("bootstrap/")
        {
            continue;
        }
        let object = yaml(text);
        let api_version = object["apiVersion"].as_str().unwrap();
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        if builtin(group) {
            continue;
        }
        let dir = path.rsplit_once('/').unwrap().0;
        let app = &owner[dir];
        let operator = provider
            .get(group)
            .unwrap_or_else(|| panic!("{path}: no chart provides the CRDs of {group}"));
        assert!(
            wave[app] > wave[operator],
            "{path}: {app} (wave {}) must come after {operator} (wave {})",
            wave[app],
            wave[operator]
        );
        checked += 1;
    }
    assert!(
        checked >= 15,
        "expected many custom resources, checked {checked}"
    );
}

#[test]
fn a_dependency_cycle_is_an_error_naming_it() {
    let cluster = test_cluster();
    // The operator needs an app that itself needs the operator's CRDs (it is backed up).
    let charts = vec![
        Chart::helm("https://charts.example.org", "volsync", "1.0.0")
            .source("apps/infra/volsync.rs")
            .no_network_policy("a test release")
            .provides_crds("volsync.backube")
            .after("notes"),
        Chart::helm("https://charts.example.org", "operators", "1.0.0")
            .no_network_policy("a test release")
            .provides_crds("snapshot.storage.k8s.io")
            .provides_crds("monitoring.coreos.com")
            .provides_crds("deviceplugin.intel.com")
            .provides_crds("metallb.io"),
    ];
    let apps = vec![backed_up_notes()];
    let err = portkey::build_with(&cluster, apps.clone(), charts.clone())
        .unwrap_err()
        .to_string();
    assert!(err.contains("cycle"), "{err}");
    assert!(
        err.contains("volsync") && err.contains("notes"),
        "the cycle is named: {err}"
    );
    // `plan` reports it too: the waves are part of what it checks.
    let plan = portkey::plan_with(&cluster, apps, charts)
        .unwrap_err()
        .to_string();
    assert!(plan.contains("cycle"), "plan: {plan}");
}

#[test]
fn a_custom_resource_without_an_operator_is_an_error() {
    let cluster = test_cluster();
    let charts = vec![
        Chart::helm("https://charts.example.org", "unrelated", "1.0.0")
            .no_network_policy("a test release"),
    ];
    let apps = vec![backed_up_notes()];
    let err = portkey::build_with(&cluster, apps, charts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("volsync.backube") && err.contains("no chart release provides"),
        "{err}"
    );
}

/// What compilation emits decides what a component waits for: a custom kind needs its
/// group's CRDs, a CustomResourceDefinition provides its group.
#[test]
fn each_component_needs_the_crds_of_what_it_emits() {
    let cluster = test_cluster();
    let apps = vec![backed_up_notes(), app("plain")];
    let catalogue = portkey_model::resolve(&cluster, apps).unwrap_or_else(|e| panic!("{e}"));
    let emitted: BTreeMap<String, portkey::portkey_compile::Emitted> =
        portkey::portkey_compile::compile_cluster(&catalogue)
            .into_iter()
            .chain(
                catalogue
                    .apps
                    .iter()
                    .map(|a| portkey::portkey_compile::compile_app(&catalogue, a)),
            )
            .map(|c| (c.component, c.emitted))
            .collect();
    let storage = &emitted["cluster-storage"];
    assert!(storage.needs_crds.contains(&"snapshot.storage.k8s.io"));
    assert!(storage.defines_crds.contains("populator.storage.k8s.io"));
    assert!(
        storage
            .cluster_scoped
            .iter()
            .any(|k| k.group_kind() == ("snapshot.storage.k8s.io", "VolumeSnapshotClass"))
    );
    let notes = &emitted["notes"];
    assert_eq!(notes.needs_crds.as_slice(), ["volsync.backube"]);
    assert!(notes.namespaced.iter().any(|(_, kinds)| {
        kinds
            .iter()
            .any(|k| k.group_kind() == ("volsync.backube", "ReplicationDestination"))
    }));
    assert!(
        emitted["plain"].needs_crds.is_empty(),
        "only built-in kinds"
    );
    assert!(
        emitted["cluster-alerts"]
            .needs_crds
            .contains(&"monitoring.coreos.com")
    );
}

#[test]
fn app_projects_confine_apps_to_their_namespace() {
    let tree = tree();
    let mut projects: BTreeMap<String, Value> = BTreeMap::new();
    for (path, text) in &tree {
        if path.starts_with("argocd/appproject-") {
            let p = yaml(text);
            projects.insert(p["metadata"]["name"].as_str().unwrap().to_string(), p);
        }
    }
    for name in [
        "infrastructure",
        "cluster",
        "media",
        "home-automation",
        "vaultwarden",
    ] {
        assert!(
            projects.contains_key(name),
            "project {name} missing: {:?}",
            projects.keys()
        );
    }
    for (path, text) in &tree {
        if !path.starts_with("argocd/application-") {
            continue;
        }
        let app = yaml(text);
        let project = app["spec"]["project"].as_str().unwrap();
        let p = projects
            .get(project)
            .unwrap_or_else(|| panic!("{path}: project {project} is not generated"));
        assert_eq!(
            app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
                .as_str()
                .map(|w| w.parse::<i32>().unwrap() >= 0),
            Some(true)
        );
        assert_eq!(
            p["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"], "-1",
            "projects come before Applications"
        );
        let destination = app["spec"]["destination"]["namespace"].as_str().unwrap();
        let allowed = p["spec"]["destinations"].as_array().unwrap();
        assert!(
            allowed.iter().any(|d| d["namespace"] == destination),
            "{path}: {destination} not allowed by {project}"
        );
        if !matches!(project, "infrastructure" | "cluster") {
            assert_eq!(
                allowed.len(),
                1,
                "{project}: an app project allows only its namespace"
            );
            assert!(
                p["spec"]["clusterResourceWhitelist"].is_null(),
                "{project}: apps get no cluster-scoped kinds"
            );
        }
    }
}

#[test]
fn chart_releases_compile_to_helm_applications() {
    let tree = tree();
    let app = yaml(&tree["argocd/application-kube-prometheus-stack.yaml"]);
    assert_eq!(app["spec"]["source"]["chart"], "kube-prometheus-stack");
    assert_eq!(
        app["spec"]["source"]["repoURL"],
        "https://prometheus-community.github.io/helm-charts"
    );
    assert!(app["spec"]["source"]["targetRevision"].as_str().is_some());
    assert_eq!(app["spec"]["destination"]["namespace"], "monitoring-system");
    let options: Vec<&str> = app["spec"]["syncPolicy"]["syncOptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        options.contains(&"ServerSideApply=true"),
        "large CRDs: {options:?}"
    );
    assert!(options.contains(&"CreateNamespace=true"));
    assert_eq!(
        app["spec"]["syncPolicy"]["managedNamespaceMetadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "privileged"
    );
    assert_eq!(app["spec"]["syncPolicy"]["automated"]["selfHeal"], true);
    let argo = yaml(&tree["argocd/application-argo-cd.yaml"]);
    let cm = &argo["spec"]["source"]["helm"]["valuesObject"]["configs"]["cm"];
    for kind in [
        "argoproj.io_Application",
        "volsync.backube_ReplicationSource",
        "volsync.backube_ReplicationDestination",
    ] {
        assert!(
            cm[format!("resource.customizations.health.{kind}")]
                .as_str()
                .is_some_and(|l| l.contains("hs.status")),
            "health check for {kind}"
        );
    }
}

#[test]
fn sync_policy_defaults_are_overridable_per_app() {
    let tree = crate::common::render(vec![
        app("keep").prune(false).self_heal(false),
        app("default"),
    ]);
    let keep = yaml(&tree["argocd/application-keep.yaml"]);
    assert_eq!(keep["spec"]["syncPolicy"]["automated"]["prune"], false);
    assert_eq!(keep["spec"]["syncPolicy"]["automated"]["selfHeal"], false);
    let default = yaml(&tree["argocd/application-default.yaml"]);
    assert_eq!(default["spec"]["syncPolicy"]["automated"]["prune"], true);
    assert_eq!(default["spec"]["syncPolicy"]["automated"]["selfHeal"], true);
}

#[test]
fn zigbee2mqtt_waits_for_mosquitto_at_start_up() {
    let tree = tree();
    let d = yaml(&tree["home-automation/zigbee2mqtt/deployment-zigbee2mqtt.yaml"]);
    let init = &d["spec"]["template"]["spec"]["initContainers"][0];
    assert_eq!(init["name"], "wait-for-mosquitto");
    let script = init["command"][2].as_str().unwrap();
    assert!(
        script.contains("mosquitto.home-automation.svc.cluster.local 1883"),
        "{script}"
    );
}

#[test]
fn bootstrap_document_lists_the_waves_in_order() {
    let tree = tree();
    let doc = &tree["BOOTSTRAP.md"];
    assert!(doc.contains("kubectl apply -f generated/bootstrap/application-portkey-root.yaml"));
    assert!(tree.contains_key("bootstrap/application-portkey-root.yaml"));
    let components = real_components();
    let wave = waves(&components);
    let rows: Vec<(i32, String)> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| wave |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].parse().unwrap(), cells[2].to_string())
        })
        .collect();
    assert_eq!(
        rows.len(),
        components.len(),
        "every Application is listed once"
    );
    assert!(
        rows.windows(2).all(|w| w[0].0 <= w[1].0),
        "waves in the order Argo CD applies them: {rows:?}"
    );
    for (w, name) in &rows {
        assert_eq!(wave[name], *w, "{name}");
    }
}

#[test]
fn one_release_creates_and_labels_a_shared_namespace() {
    let tree = tree();
    let mut creators = Vec::new();
    for name in ["rook-ceph", "ceph-csi-drivers", "rook-ceph-cluster"] {
        let app = yaml(&tree[&format!("argocd/application-{name}.yaml")]);
        assert_eq!(app["spec"]["destination"]["namespace"], "rook-ceph");
        let creates = app["spec"]["syncPolicy"]["syncOptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == "CreateNamespace=true");
        assert_eq!(
            creates,
            !app["spec"]["syncPolicy"]["managedNamespaceMetadata"].is_null(),
            "{name}"
        );
        if creates {
            creators.push(name);
        }
    }
    assert_eq!(
        creators,
        ["rook-ceph"],
        "exactly the earliest release owns the namespace"
    );
    let wave = waves(&real_components());
    assert!(
        wave["rook-ceph-cluster"] > wave["rook-ceph"]
            && wave["ceph-csi-drivers"] > wave["rook-ceph"]
    );
    // System namespaces are never created or labelled.
    let snapshot = yaml(&tree["argocd/application-snapshot-controller.yaml"]);
    assert_eq!(snapshot["spec"]["destination"]["namespace"], "kube-system");
    assert!(snapshot["spec"]["syncPolicy"]["managedNamespaceMetadata"].is_null());
}

#[test]
fn releases_of_one_namespace_must_agree_on_pod_security() {
    use portkey::portkey_model::chart::PodSecurity;
    let charts = vec![
        Chart::helm("https://charts.example.org", "a", "1.0.0")
            .namespace("shared")
            .pod_security(PodSecurity::Privileged),
        Chart::helm("https://charts.example.org", "b", "1.0.0").namespace("shared"),
    ];
    let err = resolve_all(&test_cluster(), vec![], charts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("pod_security") && err.contains("shared"),
        "{err}"
    );
}
