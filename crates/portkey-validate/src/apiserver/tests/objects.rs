//! Services, Ingresses, claims, StorageClasses, CronJobs, and the attribution to the model.

// The builders take the `json!` values their callers make on the spot.
#![allow(clippy::needless_pass_by_value)]

use serde_json::{Value, json};

use super::{C, deployment, one, problems, with};
use crate::Problem;
use crate::apiserver::{attribute, check_across, model_field};

fn service(ports: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": {"selector": {"app.kubernetes.io/name": "web"}, "ports": ports}
    })
}

#[test]
fn service_ports() {
    assert!(
        problems(&service(
            json!([{"name": "http", "port": 80, "targetPort": "http"}])
        ))
        .is_empty()
    );
    one(
        &service(json!([{"name": "http", "port": 80}, {"name": "http", "port": 81}])),
        "/spec/ports/1/name",
        "validateServicePort",
    );
    one(
        &service(json!([{"name": "http", "port": 80}, {"port": 81}])),
        "/spec/ports/1/name",
        "Required value",
    );
    one(
        &service(json!([{"port": 80, "targetPort": "http_alt"}])),
        "/spec/ports/0/targetPort",
        "IsValidPortName",
    );
    one(
        &service(json!([{"port": 0}])),
        "/spec/ports/0/port",
        "IsValidPortNum",
    );
    one(
        &service(json!([{"port": 80, "nodePort": 30080}])),
        "/spec/ports/0/nodePort",
        "may not be used when `type` is 'ClusterIP'",
    );
}

#[test]
fn service_target_port_resolves() {
    let objects = |target: &str| {
        vec![
            ("d.yaml".to_string(), deployment()),
            (
                "s.yaml".to_string(),
                service(json!([{"name": "http", "port": 80, "targetPort": target}])),
            ),
        ]
    };
    assert!(check_across(&objects("http")).is_empty());
    assert!(check_across(&objects("8080")).is_empty());
    let found = check_across(&objects("web"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "/spec/ports/0/targetPort");
    assert!(found[0].message.contains("FindPort") && found[0].message.contains("http"));
    let mut elsewhere = objects("web");
    elsewhere[1].1["metadata"]["namespace"] = json!("other");
    assert!(
        check_across(&elsewhere).is_empty(),
        "a Service selecting nothing here is left alone"
    );
}

fn ingress(path: Value) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "apps"},
        "spec": {
            "ingressClassName": "traefik",
            "rules": [{"host": "web.example.com", "http": {"paths": [path]}}],
            "tls": [{"hosts": ["*.example.com"], "secretName": "web-tls"}]
        }
    })
}

#[test]
fn ingress_paths_and_path_types() {
    let backend = json!({"service": {"name": "web", "port": {"name": "http"}}});
    let path = |path: &str, kind: Option<&str>| {
        let mut p = json!({"path": path, "backend": backend});
        if let Some(kind) = kind {
            p["pathType"] = json!(kind);
        }
        ingress(p)
    };
    let at = "/spec/rules/0/http/paths/0";
    assert!(problems(&path("/", Some("Prefix"))).is_empty());
    one(
        &path("/", None),
        &format!("{at}/pathType"),
        "pathType must be specified",
    );
    one(
        &path("/", Some("Regex")),
        &format!("{at}/pathType"),
        "validateHTTPIngressPath",
    );
    one(
        &path("api", Some("Prefix")),
        &format!("{at}/path"),
        "must be an absolute path",
    );
    one(
        &path("/a//b", Some("Exact")),
        &format!("{at}/path"),
        "must not contain '//'",
    );
    one(
        &path("/a/..", Some("Prefix")),
        &format!("{at}/path"),
        "cannot end with '/..'",
    );
    assert!(problems(&path("/a/..", Some("ImplementationSpecific"))).is_empty());
    let mut v = path("/", Some("Prefix"));
    v["spec"]["rules"][0]["host"] = json!("10.0.0.1");
    one(&v, "/spec/rules/0/host", "not an IP address");
    let mut v = path("/", Some("Prefix"));
    v["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["port"]["number"] = json!(80);
    one(
        &v,
        &format!("{at}/backend/service/port"),
        "cannot set both port name & port number",
    );
}

fn claim(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": spec})
}

#[test]
fn claim_size_and_data_sources() {
    let size = |s: &str| {
        claim(json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": s}}}))
    };
    let storage = "/spec/resources/requests/storage";
    assert!(problems(&size("1")).is_empty());
    one(&size("0"), storage, "ValidatePositiveQuantityValue");
    one(&size("500m"), storage, "at least 1 byte");
    one(&size("-1Gi"), storage, "ValidatePositiveQuantityValue");
    one(
        &claim(json!({"accessModes": ["ReadWriteOnce"]})),
        storage,
        "Required value",
    );
    one(
        &claim(json!({"accessModes": [], "resources": {"requests": {"storage": "1Gi"}}})),
        "/spec/accessModes",
        "at least 1 access mode",
    );
    one(
        &claim(
            json!({"accessModes": ["ReadWriteOncePod", "ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}),
        ),
        "/spec/accessModes",
        "ReadWriteOncePod",
    );
    let source = |a: &str, b: &str| {
        claim(json!({
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
            "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": a},
            "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": b}
        }))
    };
    assert!(problems(&source("snap", "snap")).is_empty());
    one(
        &source("snap", "other"),
        "/spec/dataSource",
        "must match dataSourceRef",
    );
}

#[test]
fn storage_class_fields() {
    let class = |provisioner: &str, policy: &str| {
        json!({
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
            "provisioner": provisioner, "reclaimPolicy": policy
        })
    };
    assert!(problems(&class("rbd.csi.ceph.com", "Retain")).is_empty());
    one(
        &class("rbd csi", "Retain"),
        "/provisioner",
        "validateProvisioner",
    );
    one(
        &class("rbd.csi.ceph.com", "Keep"),
        "/reclaimPolicy",
        "ValidateStorageClass",
    );
}

fn cron_job(schedule: &str, tz: Option<&str>) -> Value {
    let mut v = json!({
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup"},
        "spec": {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure",
            "containers": [{"name": "backup", "image": "x:1",
                "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]
        }}}}}
    });
    if let Some(tz) = tz {
        v["spec"]["timeZone"] = json!(tz);
    }
    v
}

/// A CronJob's name leaves room for the 11 characters each of its Jobs' names adds.
#[test]
fn cron_job_names_are_at_most_52_characters() {
    let mut v = cron_job("0 3 * * *", None);
    v["metadata"]["name"] = json!("c".repeat(52));
    assert_eq!(problems(&v), Vec::new());
    v["metadata"]["name"] = json!("c".repeat(53));
    one(&v, "/metadata/name", "ValidateCronJobCreate");
    assert!(problems(&v)[0].message.contains("no more than 52"));
}

#[test]
fn cron_schedules_and_time_zones() {
    for good in [
        "0 3 * * *",
        "*/15 * * * *",
        "0 0 1 jan,jul SUN",
        "@daily",
        "@every 1h30m",
        "5/10 1-5 * * 1-5",
    ] {
        assert!(
            problems(&cron_job(good, Some("Europe/Berlin"))).is_empty(),
            "{good}"
        );
    }
    for bad in [
        "0 3 * *",
        "60 * * * *",
        "0 24 * * *",
        "0 0 0 * *",
        "* * * * 7",
        "5-1 * * * *",
        "*/0 * * * *",
        "@fortnightly",
    ] {
        one(&cron_job(bad, None), "/spec/schedule", "cron.ParseStandard");
    }
    one(
        &cron_job("CRON_TZ=UTC 0 3 * * *", None),
        "/spec/schedule",
        "use timeZone field instead",
    );
    one(
        &cron_job("0 3 * * *", Some("Local")),
        "/spec/timeZone",
        "validateTimeZone",
    );
    one(
        &cron_job("0 3 * * *", Some("Europe/../Berlin")),
        "/spec/timeZone",
        "unknown time zone",
    );
    let mut v = cron_job("0 3 * * *", None);
    v["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] = json!("Always");
    one(
        &v,
        "/spec/jobTemplate/spec/template/spec/restartPolicy",
        "OnFailure, Never",
    );
}

#[test]
fn render_problems_name_the_app_and_model_field() {
    let v = deployment();
    let field = |pointer: &str| model_field(&v, pointer);
    assert_eq!(
        field(&format!("{C}/env/0/name")).as_deref(),
        Some("env[TZ]")
    );
    assert_eq!(
        field(&format!("{C}/resources/limits/memory")).as_deref(),
        Some("memory_limit")
    );
    assert_eq!(
        field(&format!("{C}/resources/limits/cpu")).as_deref(),
        Some("cpu_limit")
    );
    assert_eq!(
        field(&format!("{C}/resources/requests/cpu")).as_deref(),
        Some("requests")
    );
    assert_eq!(
        field(&format!("{C}/securityContext/runAsUser")).as_deref(),
        Some("run_as")
    );
    assert_eq!(
        field("/spec/template/spec/securityContext/fsGroup").as_deref(),
        Some("run_as")
    );
    assert_eq!(
        field(&format!("{C}/ports/0/name")).as_deref(),
        Some("ports[http]")
    );
    assert_eq!(
        field(&format!("{C}/volumeMounts/0/name")).as_deref(),
        Some("volumes[data]")
    );
    assert_eq!(
        field("/spec/template/spec/volumes/0/nfs/path").as_deref(),
        Some("volumes[data]")
    );
    assert_eq!(
        field(&format!("{C}/livenessProbe")).as_deref(),
        Some("probe")
    );
    assert_eq!(field("/spec/replicas"), None);
    let bad = with(&format!("{C}/env/0/name"), json!("A=B"));
    let p = problems(&bad).remove(0);
    let p = attribute(
        Problem {
            file: "apps/web.rs".into(),
            ..p
        },
        &bad,
    );
    assert!(
        p.message
            .starts_with("app web (apps/web.rs), model field `env[A=B]`: env var name"),
        "{}",
        p.message
    );
}
