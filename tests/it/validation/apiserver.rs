//! The API server's own rules end to end: `portkey validate` on a directory of hand-written
//! manifests, one mistake per file, reports each with its object, field path and upstream
//! rule; and render refuses, before writing anything, a compiled object the model lets
//! through (a ConfigMap over the API server's 1 MiB), naming app and field.

use std::fs;

use super::{portkey_cli, write_value};
use crate::common::*;
use serde_json::{Value, json};

/// A Deployment that passes every rule; `name` is also its app label.
fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "lab", "labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 1000},
                    "containers": [{
                        "name": "app",
                        "image": "docker.io/library/nginx:1.27.0",
                        "env": [{"name": "TZ", "value": "Etc/UTC"}],
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "livenessProbe": {"tcpSocket": {"port": 8080}},
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "64Mi"},
                            "limits": {"memory": "128Mi"}
                        },
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}]
                    }],
                    "volumes": [{"name": "data", "emptyDir": {}}]
                }
            }
        }
    })
}

const C: &str = "/spec/template/spec/containers/0";

fn with(name: &str, pointer: &str, value: Value) -> Value {
    let mut v = deployment(name);
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
    v
}

fn config_map(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "lab"}, "data": {"k": "v"}})
}

fn claim(name: &str, spec: &Value) -> Value {
    json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "lab"}, "spec": spec})
}

/// A planted mistake: `(file, object, pointer, rule)`.
type Planted = (&'static str, Value, String, &'static str);

fn service(name: &str, ports: &Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "lab"},
           "spec": {"selector": {"app.kubernetes.io/name": "ok"}, "ports": ports}})
}

/// One planted mistake per file: metadata and keys.
fn planted_meta() -> Vec<Planted> {
    let mut label = config_map("label");
    label["metadata"]["labels"] = json!({"team": "x y"});
    let mut annotation = config_map("annotation");
    annotation["metadata"]["annotations"] = json!({"bad key": "v"});
    let mut big = config_map("big");
    big["metadata"]["annotations"] = json!({"example.com/blob": "x".repeat(300 * 1024)});
    let mut key = config_map("key");
    key["data"] = json!({"a/b": "v"});
    vec![
        (
            "label.yaml",
            label,
            "/metadata/labels/team".into(),
            "IsValidLabelValue",
        ),
        (
            "annotation.yaml",
            annotation,
            "/metadata/annotations/bad key".into(),
            "ValidateAnnotations",
        ),
        (
            "big.yaml",
            big,
            "/metadata/annotations".into(),
            "TotalAnnotationSizeLimitB",
        ),
        ("key.yaml", key, "/data/a~1b".into(), "IsConfigMapKey"),
        (
            "namespace.yaml",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n".repeat(64)}}),
            "/metadata/name".into(),
            "ValidateNamespaceName",
        ),
        (
            "service-name.yaml",
            service("1web", &json!([{"port": 80}])),
            "/metadata/name".into(),
            "NameIsDNS1035Label",
        ),
    ]
}

/// One planted mistake per file: pods.
fn planted_pods() -> Vec<Planted> {
    let two_handlers = json!({"tcpSocket": {"port": 8080}, "httpGet": {"port": 8080}});
    vec![
        (
            "env.yaml",
            with("env", &format!("{C}/env/0/name"), json!("A=B")),
            format!("{C}/env/0/name"),
            "IsRelaxedEnvVarName",
        ),
        (
            "limit.yaml",
            with(
                "limit",
                &format!("{C}/resources/limits/memory"),
                json!("32Mi"),
            ),
            format!("{C}/resources/requests/memory"),
            "ValidateResourceRequirements",
        ),
        (
            "zero.yaml",
            with("zero", &format!("{C}/resources/requests/cpu"), json!("0")),
            format!("{C}/resources/requests/cpu"),
            "portkey lint resources",
        ),
        (
            "uid.yaml",
            with(
                "uid",
                "/spec/template/spec/securityContext/runAsUser",
                json!(-1),
            ),
            "/spec/template/spec/securityContext/runAsUser".into(),
            "IsValidUserID",
        ),
        (
            "root.yaml",
            with(
                "root",
                "/spec/template/spec/securityContext/runAsUser",
                json!(0),
            ),
            "/spec/template/spec/securityContext/runAsUser".into(),
            "verifyRunAsNonRoot",
        ),
        (
            "container.yaml",
            with("container", &format!("{C}/name"), json!("App")),
            format!("{C}/name"),
            "IsDNS1123Label",
        ),
        (
            "port.yaml",
            with("port", &format!("{C}/ports/0/containerPort"), json!(70000)),
            format!("{C}/ports/0/containerPort"),
            "IsValidPortNum",
        ),
        (
            "port-name.yaml",
            with(
                "port-name",
                &format!("{C}/ports/0/name"),
                json!("web--http"),
            ),
            format!("{C}/ports/0/name"),
            "IsValidPortName",
        ),
        (
            "mount.yaml",
            with("mount", &format!("{C}/volumeMounts/0/name"), json!("dta")),
            format!("{C}/volumeMounts/0/name"),
            "ValidateVolumeMounts",
        ),
        (
            "nfs.yaml",
            with(
                "nfs",
                "/spec/template/spec/volumes/0",
                json!({"name": "data", "nfs": {"server": "nas", "path": "media"}}),
            ),
            "/spec/template/spec/volumes/0/nfs/path".into(),
            "validateNFSVolumeSource",
        ),
        (
            "probe.yaml",
            with("probe", &format!("{C}/livenessProbe"), two_handlers),
            format!("{C}/livenessProbe"),
            "validateHandler",
        ),
    ]
}

/// One planted mistake per file: Services, Ingresses, claims, CronJobs.
fn planted_objects() -> Vec<Planted> {
    let sized = |s: &str| json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": s}}});
    let mut sources = sized("1Gi");
    sources["dataSource"] = json!({"kind": "PersistentVolumeClaim", "name": "a"});
    sources["dataSourceRef"] = json!({"kind": "PersistentVolumeClaim", "name": "b"});
    let ingress = json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "lab"},
        "spec": {"rules": [{"host": "web.lab.example.org", "http": {"paths": [{
            "path": "api", "pathType": "Prefix",
            "backend": {"service": {"name": "ok", "port": {"name": "http"}}}
        }]}}]}
    });
    vec![
        (
            "service-ports.yaml",
            service(
                "dup",
                &json!([{"name": "http", "port": 80}, {"name": "http", "port": 81}]),
            ),
            "/spec/ports/1/name".into(),
            "validateServicePort",
        ),
        (
            "target-port.yaml",
            service(
                "target",
                &json!([{"name": "metrics", "port": 9090, "targetPort": "metrics"}]),
            ),
            "/spec/ports/0/targetPort".into(),
            "FindPort",
        ),
        (
            "ingress.yaml",
            ingress,
            "/spec/rules/0/http/paths/0/path".into(),
            "validateHTTPIngressPath",
        ),
        (
            "claim.yaml",
            claim("empty", &sized("0")),
            "/spec/resources/requests/storage".into(),
            "ValidatePositiveQuantityValue",
        ),
        (
            "sources.yaml",
            claim("sources", &sources),
            "/spec/dataSource".into(),
            "must match dataSourceRef",
        ),
        (
            "cronjob.yaml",
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup", "namespace": "lab"},
                   "spec": {"schedule": "61 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                       "restartPolicy": "Never", "containers": [{"name": "backup", "image": "x:1"}]}}}}}}),
            "/spec/schedule".into(),
            "cron.ParseStandard",
        ),
    ]
}

fn planted() -> Vec<Planted> {
    [planted_meta(), planted_pods(), planted_objects()].concat()
}

#[test]
fn portkey_validate_reports_each_api_server_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let planted = planted();
    // The control: the Deployment the Services select, clean.
    write_value(tmp.path(), "ok.yaml", &deployment("ok"));
    for (file, object, _, _) in &planted {
        write_value(tmp.path(), file, object);
    }
    let o = portkey_cli(&["validate", "--format", "json", "."], tmp.path());
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).expect("a JSON report");
    let problems = report["problems"].as_array().unwrap();
    // CronJob has no embedded schema: that one is the schema stage's, not this one's.
    let ours: Vec<&Value> = problems
        .iter()
        .filter(|p| !p["message"].as_str().unwrap().contains("no schema"))
        .collect();
    for (file, object, pointer, rule) in &planted {
        let label = format!(
            "{}/{}",
            object["kind"].as_str().unwrap(),
            object["metadata"]["name"].as_str().unwrap()
        );
        assert!(
            ours.iter().any(|p| p["file"] == *file
                && p["object"] == label.as_str()
                && p["pointer"] == pointer.as_str()
                && p["message"].as_str().unwrap().contains(rule)),
            "no problem {file}: {label}: {pointer}: ...{rule}...; got {ours:#?}"
        );
    }
    assert!(
        !ours.iter().any(|p| p["file"] == "ok.yaml"),
        "the control object is clean: {ours:#?}"
    );
    assert_eq!(
        ours.len(),
        planted.len(),
        "one problem per planted mistake: {ours:#?}"
    );
}

/// Renders `apps` on the test inventory into a fresh folder, which must fail with object
/// problems and write nothing (no output, no staging directory left); the problems.
fn render_refused(apps: Vec<portkey::portkey_model::app::App>) -> Vec<portkey::Invalid> {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let problems = match portkey::render_into(&test_cluster(), apps, Vec::new(), &out) {
        Err(portkey::Error::Invalid(problems)) => problems,
        Err(e) => panic!("expected Error::Invalid, got: {e}"),
        Ok(_) => panic!("render wrote an object the API server or a controller rejects"),
    };
    assert!(!out.exists(), "nothing is written");
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "no staging directory is left"
    );
    problems
}

#[test]
fn render_refuses_a_config_map_over_1_mib_naming_the_app_and_field() {
    // The model does not bound config files; the API server does (`MaxSecretSize`).
    let huge = "x".repeat(1024 * 1024 + 1);
    let problems = render_refused(vec![
        app("big").config_file("/etc/big/big.conf", &huge),
        app("fine"),
    ]);
    let api: Vec<String> = problems
        .iter()
        .filter(|p| matches!(p, portkey::Invalid::ApiServer(_)))
        .map(ToString::to_string)
        .collect();
    // Both of the API server's rules fail: the data's size, and the annotation client-side
    // apply would store the object in.
    assert_eq!(api.len(), 2, "{problems:#?}");
    assert!(
        api[0].starts_with("apps/big.rs: ConfigMap/big-config: /data: app big (apps/big.rs), model field `config_file`: the data is too large")
            && api[0].contains("MaxSecretSize"),
        "{}",
        api[0]
    );
    assert!(
        api[1].starts_with("apps/big.rs: ConfigMap/big-config: /data: app big (apps/big.rs), model field `config_file`: the ConfigMap is too large for client-side apply")
            && api[1].contains("last-applied-configuration"),
        "{}",
        api[1]
    );
}

/// A StatefulSet app named with 53 to 63 characters is a valid DNS label, and the API
/// server admits its StatefulSet, but the controller could never create its Pods (their
/// `controller-revision-hash` label would pass 63 characters): render refuses it, naming
/// the app and its name, and writes nothing. The same name as a Deployment renders.
#[test]
fn render_refuses_a_stateful_app_whose_pods_could_never_be_created() {
    let name = format!("db-{}", "x".repeat(50));
    assert_eq!(name.len(), 53);
    let problems = render_refused(vec![app(&name).stateful()]);
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:#?}");
    assert!(
        text[0].starts_with(&format!(
            "apps/{name}.rs: StatefulSet/{name}: /metadata/name: app {name} (apps/{name}.rs), model field `App::new (the app's name)`"
        )) && text[0].contains("controller-revision-hash"),
        "{}",
        text[0]
    );
    assert!(portkey::render(&test_cluster(), vec![app(&name)]).is_ok());
}
