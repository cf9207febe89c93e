//! The bootstrap simulation (`portkey plan --bootstrap`, the render gate): the real catalogue
//! converges wave by wave, naming its providers; removing a provider makes the replay name
//! the object that never becomes healthy, and render fail on it.

use portkey::portkey_compile::argocd::{health_customization, health_customization_of};
use portkey::portkey_compile::crd::argocd::Application;
use portkey::portkey_converge::{self, Facts, Need, Outcome, Simulation, Verdict, facts};
use portkey::portkey_model::chart::{Capability, Chart};
use portkey::portkey_model::{ModelError, resolve_all};
use serde_json::json;

use crate::common::{root, run_cli, text};

mod detail;

fn real() -> Simulation {
    portkey::simulate_with(
        &portkey::cluster::portkey(),
        portkey::catalogue(),
        portkey::charts(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The model problems render fails with for this cluster and these charts.
fn render_problems(
    cluster: &portkey::portkey_model::cluster::Cluster,
    charts: Vec<Chart>,
) -> Vec<ModelError> {
    match portkey::build_with(cluster, portkey::catalogue(), charts) {
        Err(portkey::Error::Model(e)) => e.0,
        Err(e) => panic!("expected model problems, got {e}"),
        Ok(_) => panic!("render succeeded"),
    }
}

/// The verdict of `object` (`Kind ns/name`) in Application `run`.
fn verdict<'s>(sim: &'s Simulation, run: &str, object: &str) -> &'s Verdict {
    let r = sim
        .runs
        .iter()
        .find(|r| r.name == run)
        .unwrap_or_else(|| panic!("no Application {run}"));
    r.verdicts
        .iter()
        .find(|v| v.object.to_string() == object)
        .unwrap_or_else(|| panic!("{run} has no verdict on {object}: {:#?}", r.verdicts))
}

fn provider(v: &Verdict, need: Need) -> String {
    match &v.outcome {
        Outcome::Healthy(p) => p.iter().find(|p| p.need == need).map_or_else(
            || panic!("{} has no {need:?} provider: {p:#?}", v.object),
            |p| p.by.clone(),
        ),
        Outcome::Never(s) => panic!("{} never becomes healthy: {}", v.object, s.reason),
    }
}

#[test]
fn the_real_catalogue_converges_naming_each_provider() {
    let sim = real();
    assert_eq!(
        sim.first_stall().map(|(_, v, _)| v.object.to_string()),
        None
    );
    assert!(sim.converges());
    assert!(sim.waves().len() > 3, "{:?}", sim.waves().keys());
    // Each LoadBalancer address, certificate and device resource has a named provider.
    assert_eq!(
        provider(
            verdict(&sim, "traefik", "Service traefik/traefik"),
            Need::Address
        ),
        "cluster-network"
    );
    assert_eq!(
        provider(
            verdict(&sim, "mosquitto", "Service home-automation/mosquitto"),
            Need::Address
        ),
        "cluster-network"
    );
    assert!(
        provider(
            verdict(&sim, "jellyfin", "Ingress media/jellyfin"),
            Need::Address
        )
        .starts_with("traefik")
    );
    let cert = provider(
        verdict(&sim, "jellyfin", "Certificate media/jellyfin-tls"),
        Need::Certificate,
    );
    assert!(
        cert.contains("ClusterIssuer letsencrypt-production (cluster-issuers)"),
        "{cert}"
    );
    let gpu = provider(
        verdict(&sim, "jellyfin", "Deployment media/jellyfin"),
        Need::Resource,
    );
    assert!(
        gpu.contains("GpuDevicePlugin intel-gpu (cluster-devices) on metal1, metal2"),
        "{gpu}"
    );
    let zigbee = provider(
        verdict(
            &sim,
            "zigbee2mqtt",
            "Deployment home-automation/zigbee2mqtt",
        ),
        Need::Resource,
    );
    assert!(
        zigbee.contains("DaemonSet kube-system/generic-device-plugin")
            && zigbee.ends_with("metal0"),
        "{zigbee}"
    );
    // Every LoadBalancer Service and Ingress of the catalogue was judged.
    let judged = |kind: &str| {
        sim.runs
            .iter()
            .flat_map(|r| &r.verdicts)
            .filter(|v| v.object.kind == kind)
            .count()
    };
    assert!(judged("Ingress") >= 14, "{}", judged("Ingress"));
    assert!(judged("Certificate") >= 14);
    assert!(judged("PersistentVolumeClaim") >= 10);
}

#[test]
fn plan_bootstrap_prints_every_wave_and_exits_0() {
    let out = run_cli(&["plan", "--bootstrap"], &root());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("wave 0: converges\n"), "{stdout}");
    assert!(stdout.contains("LoadBalancer address for Service traefik/traefik: cluster-network"));
    assert!(stdout.contains("every wave converges"), "{stdout}");
    let out = run_cli(&["plan", "--bootstrap", "--format", "json"], &root());
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "converges");
    assert_eq!(report["first_stall"], serde_json::Value::Null);
    assert_eq!(report["problems"], json!([]));
    assert_eq!(report["waves"][0]["wave"], 0);
    let traefik = report["waves"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["applications"].as_array().unwrap())
        .find(|a| a["name"] == "traefik")
        .unwrap();
    assert_eq!(
        traefik["objects"][0]["providers"][0],
        json!({"need": "address", "what": "LoadBalancer address", "by": "cluster-network"})
    );
}

#[test]
fn without_a_load_balancer_wave_0_stalls_on_traefiks_service() {
    // The replay with the load-balancer implementation gone from the Argo CD side (MetalLB
    // and its pool never synced): nothing provides addresses, so traefik, which then needs
    // nothing, syncs in wave 0.
    let cluster = portkey::cluster::portkey();
    let catalogue = resolve_all(&cluster, portkey::catalogue(), portkey::charts()).unwrap();
    let (mut components, facts) =
        portkey::bootstrap_input(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    components.retain(|c| c.name != "metallb" && c.name != "cluster-network");
    for c in &mut components {
        c.needs.remove(&Capability::LoadBalancer);
        c.needs.remove(&Capability::Crds("metallb.io".into()));
    }
    let components = portkey::portkey_model::components::waves(components, &catalogue.charts)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let facts: Facts = facts
        .into_iter()
        .filter(|(c, _)| c != "cluster-network")
        .collect();
    let sim = portkey_converge::simulate(&catalogue, &components, &facts);
    let (run, v, stall) = sim.first_stall().expect("a stall");
    assert_eq!(sim.stalled_wave(), Some(0));
    assert_eq!((run.name.as_str(), run.wave), ("traefik", 0));
    assert_eq!(v.object.to_string(), "Service traefik/traefik");
    assert_eq!(stall.need, Need::Address);
    assert!(stall.reason.contains("LoadBalancer"), "{}", stall.reason);
    assert!(stall.fix.contains("MetalLB"), "{}", stall.fix);
    let problem = &sim.problems()[0];
    assert_eq!(
        (problem.app.as_str(), problem.file.as_str()),
        ("traefik", "apps/infra/traefik.rs")
    );
    assert!(
        problem
            .problem
            .contains("Service traefik/traefik never becomes healthy")
    );
    assert!(problem.problem.contains("stalls at wave 0"));
    // plan --bootstrap's report of it: JSON and text.
    let report = portkey::cli::bootstrap::json(&sim);
    assert_eq!(report["status"], "stalls");
    assert_eq!(report["stalled_wave"], 0);
    assert_eq!(report["first_stall"]["object"], "Service traefik/traefik");
    assert_eq!(report["first_stall"]["need"], "address");
    assert_eq!(report["problems"][0]["kind"], "model");
    assert_eq!(report["problems"][0]["app"], "traefik");
    let text = portkey::cli::bootstrap::text(&sim);
    assert!(text.starts_with("wave 0: stalls"), "{text}");
    assert!(text.contains("wave 1: not reached"), "{text}");
    assert!(
        text.contains("error: the bootstrap stalls at wave 0 on Service traefik/traefik (traefik)"),
        "{text}"
    );
    // The Ingresses that wait on traefik are blocked by it, not problems of their own.
    let blocked = verdict(&sim, "jellyfin", "Ingress media/jellyfin");
    assert_eq!(
        blocked
            .stall()
            .and_then(|s| s.blocked_by.as_ref())
            .map(ToString::to_string),
        Some("Service traefik/traefik".into())
    );
    // Render fails on the same removal from the model (the inventory's load balancer and the
    // metallb release), already at resolution, naming traefik, the need and the fix.
    let mut cluster = portkey::cluster::portkey();
    cluster.load_balancer = None;
    let charts = portkey::charts()
        .into_iter()
        .filter(|c| c.chart != "metallb")
        .collect();
    let problems = render_problems(&cluster, charts);
    let traefik = problems
        .iter()
        .find(|p| p.app == "traefik")
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert!(traefik.problem.contains("load-balancer"), "{traefik}");
    assert!(traefik.fix.contains("load_balancer"), "{traefik}");
}

#[test]
fn without_the_gpu_node_label_the_gpu_plugins_daemonset_is_named() {
    let real = portkey::cluster::portkey();
    let catalogue = resolve_all(&real, portkey::catalogue(), portkey::charts()).unwrap();
    let (components, facts) = portkey::bootstrap_input(&catalogue).unwrap();
    let mut unlabelled = real.clone();
    let label = unlabelled.device_plugins.intel_gpu_label.clone();
    for n in &mut unlabelled.nodes {
        n.labels.retain(|l| *l != label);
    }
    // The replay on nodes without the label (as kubeadm joins them).
    let without = portkey::portkey_model::Catalogue::new(
        &unlabelled,
        catalogue.apps.clone(),
        catalogue.charts.clone(),
    );
    let sim = portkey_converge::simulate(&without, &components, &facts);
    let (run, v, stall) = sim.first_stall().expect("a stall");
    assert_eq!(run.name, "cluster-devices");
    assert_eq!(v.object.to_string(), "GpuDevicePlugin intel-gpu");
    assert!(stall.reason.contains("DaemonSet"), "{}", stall.reason);
    assert!(stall.reason.contains("selects no node"), "{}", stall.reason);
    assert!(stall.reason.contains(&label.0), "{}", stall.reason);
    assert!(stall.fix.contains("label"), "{}", stall.fix);
    assert_eq!(sim.problems().len(), 1, "{:#?}", sim.problems());
    // jellyfin's pods need the GPU: they wait on the plugin.
    let jellyfin = verdict(&sim, "jellyfin", "Deployment media/jellyfin");
    let s = jellyfin.stall().expect("jellyfin never schedules");
    assert_eq!(s.need, Need::Resource);
    assert!(s.reason.contains("gpu.intel.com/i915"), "{}", s.reason);
    assert_eq!(
        s.blocked_by.as_ref().map(ToString::to_string),
        Some("GpuDevicePlugin intel-gpu".into())
    );
    // Render fails on it before the replay: the inventory check names each GPU node, the
    // label the GPU plugin selects by, and the fix.
    let problems = render_problems(&unlabelled, portkey::charts());
    assert_eq!(problems.len(), 2, "{problems:#?}");
    for p in &problems {
        assert!(p.field.ends_with(".labels"), "{p}");
        assert!(
            p.problem.contains(&label.0) && p.problem.contains("GPU plugin"),
            "{p}"
        );
        assert!(!p.fix.is_empty());
    }
}

#[test]
fn a_daemonset_that_selects_no_node_never_becomes_healthy() {
    let daemonset = |selector: serde_json::Value| {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": { "name": "exporter", "namespace": "kube-system" },
            "spec": { "template": { "spec": {
                "nodeSelector": selector,
                "containers": [{ "name": "exporter", "image": "example.org/exporter:1" }],
            }}},
        })
    };
    let sim = replay_with(
        "cluster-devices",
        &[daemonset(
            json!({ "node-role.kubernetes.io/storage": "true" }),
        )],
    );
    assert_stall(
        &sim,
        "cluster-devices",
        "DaemonSet kube-system/exporter",
        Need::Node,
        &[
            "node-role.kubernetes.io/storage=true",
            "desiredNumberScheduled: 0",
        ],
    );
    // The same DaemonSet on a label the GPU nodes carry is healthy.
    let sim = replay_with(
        "cluster-devices",
        &[daemonset(
            json!({ "intel.feature.node.kubernetes.io/gpu": "true" }),
        )],
    );
    assert!(sim.converges());
}

fn argo_cd_without(key: &str, replacement: Option<&str>) -> Vec<Chart> {
    portkey::charts()
        .into_iter()
        .map(|mut c| {
            if c.chart == "argo-cd" {
                let cm = c.values["configs"]["cm"].as_object_mut().unwrap();
                match replacement {
                    Some(lua) => cm.insert(key.into(), json!(lua)),
                    None => cm.remove(key),
                };
            }
            c
        })
        .collect()
}

#[test]
fn the_application_health_gate_requires_synced() {
    let key = health_customization::<Application>();
    let generated =
        std::fs::read_to_string(root().join("generated/argocd/application-argo-cd.yaml")).unwrap();
    let lua = portkey_converge::charts::installed(&portkey::charts(), &key)
        .expect("the gate is installed")
        .to_string();
    assert!(portkey_converge::charts::requires_synced(&lua));
    // The generated Application carries it: Healthy is downgraded unless Synced.
    for line in [
        "if hs.status == \"Healthy\" and (obj.status.sync == nil or obj.status.sync.status ~= \"Synced\") then",
        "hs.status = \"Progressing\"",
    ] {
        assert!(
            generated.contains(line),
            "generated argo-cd values lack {line}"
        );
    }
    // The gate that passes on health alone fails the render.
    let health_only = "hs = {}\nhs.status = obj.status.health.status\nreturn hs\n";
    let problems = render_problems(
        &portkey::cluster::portkey(),
        argo_cd_without(&key, Some(health_only)),
    );
    let p = problems
        .iter()
        .find(|p| p.app == "argo-cd")
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert!(p.problem.contains("ConfigMap argocd/argocd-cm"), "{p}");
    assert!(p.problem.contains("Synced"), "{p}");
    assert!(p.fix.contains("status.sync.status"), "{p}");
}

#[test]
fn the_ceph_cluster_override_is_in_the_argo_cd_values() {
    let key = health_customization_of("ceph.rook.io", "CephCluster");
    let charts = portkey::charts();
    let lua =
        portkey_converge::charts::installed(&charts, &key).expect("the override is installed");
    assert!(lua.contains("if health == \"HEALTH_ERR\" or obj.status.state == \"Error\" then\n  hs.status = \"Degraded\""), "{lua}");
    assert!(lua.contains("elseif obj.status.state == \"Connected\" or obj.status.state == \"Created\" then\n  hs.status = \"Healthy\""), "{lua}");
    let generated =
        std::fs::read_to_string(root().join("generated/argocd/application-argo-cd.yaml")).unwrap();
    assert!(
        generated.contains(&format!("{key}: |")),
        "not in the generated values"
    );
    let bootstrap = std::fs::read_to_string(root().join("generated/BOOTSTRAP.md")).unwrap();
    assert!(
        bootstrap.contains(&format!("`{key}`")),
        "BOOTSTRAP.md does not say how"
    );
    // Without it, the CephCluster's HEALTH_WARN would stall rook-ceph-cluster's wave.
    let problems = render_problems(&portkey::cluster::portkey(), argo_cd_without(&key, None));
    let p = problems
        .iter()
        .find(|p| p.app == "rook-ceph-cluster")
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert!(
        p.problem
            .contains("CephCluster rook-ceph/rook-ceph never becomes healthy"),
        "{p}"
    );
    assert!(p.problem.contains("HEALTH_WARN"), "{p}");
    assert!(p.fix.contains("apps/infra/argo-cd.rs"), "{p}");
}

#[test]
fn bootstrap_md_shows_the_simulated_waves() {
    let bootstrap = std::fs::read_to_string(root().join("generated/BOOTSTRAP.md")).unwrap();
    assert!(bootstrap.contains("## 5. The bootstrap, simulated"));
    assert!(bootstrap.contains("**Wave 0 converges.**"));
    assert!(!bootstrap.contains("stalls.**"));
    assert!(
        bootstrap.contains(
            "- traefik: LoadBalancer address for Service traefik/traefik: cluster-network"
        )
    );
}

/// The real catalogue's replay with `objects` added to Application `component`.
fn replay_with(component: &str, objects: &[serde_json::Value]) -> Simulation {
    let cluster = portkey::cluster::portkey();
    let catalogue = resolve_all(&cluster, portkey::catalogue(), portkey::charts()).unwrap();
    let (components, mut all) = portkey::bootstrap_input(&catalogue).unwrap();
    all.get_mut(component)
        .unwrap_or_else(|| panic!("no Application {component}"))
        .extend(objects.iter().flat_map(facts::of));
    portkey_converge::simulate(&catalogue, &components, &all)
}

/// The first stall of `sim`: it is on `object` in `run`, for `need`, and its reason says
/// each of `mentions`.
fn assert_stall(sim: &Simulation, run: &str, object: &str, need: Need, mentions: &[&str]) {
    let (r, v, s) = sim.first_stall().expect("a stall");
    assert_eq!(
        (r.name.as_str(), v.object.to_string().as_str()),
        (run, object)
    );
    assert_eq!(s.need, need);
    for m in mentions {
        assert!(s.reason.contains(m), "{:?} lacks {m}", s.reason);
    }
    assert!(!s.fix.is_empty() && s.fix != s.reason);
    let p = &sim.problems()[0];
    assert!(p.problem.contains(object) && p.fix == s.fix, "{p}");
}

fn deployment(name: &str, pod: &serde_json::Value) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": name, "namespace": "media" },
        "spec": { "template": { "spec": pod } },
    })
}

#[test]
fn a_pod_needing_a_secret_nobody_creates_never_starts() {
    let pod = json!({ "containers": [{ "name": "x", "envFrom": [{ "secretRef": { "name": "nowhere" } }] }] });
    let sim = replay_with("sonarr", &[deployment("extra", &pod)]);
    assert_stall(
        &sim,
        "sonarr",
        "Deployment media/extra",
        Need::Secret,
        &["media/nowhere"],
    );
    // An optional Secret is no need.
    let pod = json!({ "containers": [{ "name": "x", "envFrom": [{ "secretRef": { "name": "nowhere", "optional": true } }] }] });
    assert!(replay_with("sonarr", &[deployment("extra", &pod)]).converges());
}

#[test]
fn a_resource_no_device_plugin_advertises_keeps_pods_pending() {
    let pod = json!({ "containers": [{ "name": "x", "resources": { "limits": { "example.com/widget": "1" } } }] });
    let sim = replay_with("sonarr", &[deployment("extra", &pod)]);
    assert_stall(
        &sim,
        "sonarr",
        "Deployment media/extra",
        Need::Resource,
        &["example.com/widget"],
    );
}

#[test]
fn a_wait_for_first_consumer_claim_without_a_consumer_stays_pending() {
    let class = json!({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": { "name": "local-wait" }, "provisioner": "rook-ceph.rbd.csi.ceph.com",
        "volumeBindingMode": "WaitForFirstConsumer",
    });
    let claim = json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": { "name": "scratch", "namespace": "media" },
        "spec": { "storageClassName": "local-wait" },
    });
    let cluster = portkey::cluster::portkey();
    let catalogue = resolve_all(&cluster, portkey::catalogue(), portkey::charts()).unwrap();
    let (components, mut all) = portkey::bootstrap_input(&catalogue).unwrap();
    all.get_mut("cluster-storage")
        .unwrap()
        .extend(facts::of(&class));
    all.get_mut("sonarr").unwrap().extend(facts::of(&claim));
    let sim = portkey_converge::simulate(&catalogue, &components, &all);
    assert_stall(
        &sim,
        "sonarr",
        "PersistentVolumeClaim media/scratch",
        Need::Storage,
        &["WaitForFirstConsumer", "local-wait"],
    );
    // A pod of the same Application that mounts it lets it bind.
    let pod = json!({ "containers": [{ "name": "x" }], "volumes": [{ "name": "s", "persistentVolumeClaim": { "claimName": "scratch" } }] });
    all.get_mut("sonarr")
        .unwrap()
        .extend(facts::of(&deployment("user", &pod)));
    assert!(portkey_converge::simulate(&catalogue, &components, &all).converges());
}

#[test]
fn a_restore_without_its_repository_secret_never_completes() {
    let rd = json!({
        "apiVersion": "volsync.backube/v1alpha1", "kind": "ReplicationDestination",
        "metadata": { "name": "extra-dst", "namespace": "media" },
        "spec": { "trigger": { "manual": "restore-once" }, "restic": { "repository": "extra-volsync-secret" } },
    });
    let sim = replay_with("sonarr", &[rd]);
    assert_stall(
        &sim,
        "sonarr",
        "ReplicationDestination media/extra-dst",
        Need::Restore,
        &["media/extra-volsync-secret"],
    );
}

#[test]
fn a_certificate_from_an_issuer_nobody_creates_never_becomes_ready() {
    let ingress = json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": { "name": "extra", "namespace": "media",
            "annotations": { "cert-manager.io/cluster-issuer": "letsencrypt-staging" } },
        "spec": { "ingressClassName": "traefik", "tls": [{ "secretName": "extra-tls" }] },
    });
    let sim = replay_with("sonarr", &[ingress]);
    assert_stall(
        &sim,
        "sonarr",
        "Certificate media/extra-tls",
        Need::Certificate,
        &["letsencrypt-staging"],
    );
}

#[test]
fn a_load_balancer_service_before_its_provider_stalls_its_wave() {
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": { "name": "early", "namespace": "default" },
        "spec": { "type": "LoadBalancer" },
    });
    let sim = replay_with("cluster-namespaces", &[service]);
    assert_stall(
        &sim,
        "cluster-namespaces",
        "Service default/early",
        Need::Address,
        &[
            "cluster-network",
            "syncs in wave 1, after this object's wave 0",
        ],
    );
}

#[test]
fn a_gpu_plugin_daemonset_advertises_the_gpus_of_the_nodes_it_runs_on() {
    use portkey::portkey_model::cluster::{Gpu, GpuDriver, GpuVendor, Hardware};
    let real = portkey::cluster::portkey();
    let catalogue = resolve_all(&real, portkey::catalogue(), portkey::charts()).unwrap();
    let (components, facts) = portkey::bootstrap_input(&catalogue).unwrap();
    // metal0 with an AMD GPU, and ROCm's plugin (it mounts the kubelet's plugin directory).
    let mut amd = real.clone();
    amd.nodes[0].hardware.push(Hardware::Gpu(Gpu {
        vendor: GpuVendor::Amd,
        driver: GpuDriver::Amdgpu,
        model: "Radeon".into(),
        render_gid: None,
        integrated: false,
    }));
    let with_amd = portkey::portkey_model::Catalogue::new(
        &amd,
        catalogue.apps.clone(),
        catalogue.charts.clone(),
    );
    let plugin = |node: &str| {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": { "name": "amd-gpu-device-plugin", "namespace": "kube-system" },
            "spec": { "template": { "spec": {
                "affinity": { "nodeAffinity": { "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{ "matchExpressions": [
                        { "key": "kubernetes.io/hostname", "operator": "In", "values": [node] },
                    ]}],
                }}},
                "containers": [{ "name": "plugin" }],
                "volumes": [{ "name": "dp", "hostPath": { "path": "/var/lib/kubelet/device-plugins" } }],
            }}},
        })
    };
    let pod = json!({ "containers": [{ "name": "x", "resources": { "limits": { "amd.com/gpu": "1" } } }] });
    let replay = |node: &str| {
        let mut all = facts.clone();
        all.get_mut("cluster-devices")
            .unwrap()
            .extend(facts::of(&plugin(node)));
        all.get_mut("jellyfin")
            .unwrap()
            .extend(facts::of(&deployment("transcoder", &pod)));
        portkey_converge::simulate(&with_amd, &components, &all)
    };
    let sim = replay("metal0");
    assert_eq!(
        provider(
            verdict(&sim, "jellyfin", "Deployment media/transcoder"),
            Need::Resource
        ),
        "DaemonSet kube-system/amd-gpu-device-plugin (cluster-devices) on metal0"
    );
    // On a node without the GPU it advertises nothing: the pod never schedules, and the
    // reason names the plugin.
    let sim = replay("metal1");
    assert_stall(
        &sim,
        "jellyfin",
        "Deployment media/transcoder",
        Need::Resource,
        &[
            "amd.com/gpu",
            "DaemonSet kube-system/amd-gpu-device-plugin runs on no node that has the device",
        ],
    );
}
