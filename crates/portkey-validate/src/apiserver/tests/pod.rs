//! Containers, pods and workloads.

use serde_json::{Value, json};

use super::{C, deployment, one, problems, with};

#[test]
fn env_var_names_and_sources() {
    let name = format!("{C}/env/0/name");
    one(&with(&name, json!("A=B")), &name, "IsRelaxedEnvVarName");
    one(&with(&name, json!("")), &name, "IsRelaxedEnvVarName");
    assert!(problems(&with(&name, json!("my.env-name"))).is_empty());
    let two = json!({"name": "X", "valueFrom": {
        "secretKeyRef": {"name": "s", "key": "k"}, "configMapKeyRef": {"name": "c", "key": "k"}
    }});
    one(
        &with(&format!("{C}/env/0"), two),
        &format!("{C}/env/0/valueFrom"),
        "validateEnvVarValueFrom",
    );
    let bad_key = json!({"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "a/b"}}});
    one(
        &with(&format!("{C}/env/0"), bad_key),
        &format!("{C}/env/0/valueFrom/secretKeyRef/key"),
        "IsConfigMapKey",
    );
}

#[test]
fn limits_at_or_above_requests() {
    let r = format!("{C}/resources");
    let res = |v: Value| with(&r, v);
    one(
        &res(
            json!({"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "128Mi"}}),
        ),
        &format!("{r}/requests/memory"),
        "ValidateResourceRequirements",
    );
    one(
        &res(
            json!({"requests": {"cpu": "1.5", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1024Mi"}}),
        ),
        &format!("{r}/requests/cpu"),
        "less than or equal to cpu limit of 1",
    );
    one(
        &res(json!({"requests": {"cpu": "-1", "memory": "1Gi"}})),
        &format!("{r}/requests/cpu"),
        "ValidateNonnegativeQuantity",
    );
    one(
        &res(json!({"requests": {"cpu": "1 core", "memory": "1Gi"}})),
        &format!("{r}/requests/cpu"),
        "ParseQuantity",
    );
    one(
        &res(json!({"requests": {"cpu": "100m", "memory": "1Gi", "gpus": "1"}})),
        &format!("{r}/requests/gpus"),
        "validateContainerResourceName",
    );
}

#[test]
fn zero_requests_follow_the_resources_lint() {
    let r = format!("{C}/resources");
    let zero = with(
        &r,
        json!({"requests": {"cpu": "0", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}),
    );
    one(
        &zero,
        &format!("{r}/requests/cpu"),
        "portkey lint resources",
    );
    let mut exempt = zero.clone();
    exempt["metadata"]["annotations"]["portkey.dev/lint-exception.resources"] =
        json!("a sidecar that idles");
    assert!(problems(&exempt).is_empty());
}

#[test]
fn hugepages_and_extended_resources() {
    let r = format!("{C}/resources");
    let res = |v: Value| with(&r, v);
    one(
        &res(
            json!({"requests": {"cpu": "1", "memory": "1Gi", "hugepages-2Mi": "2Mi"}, "limits": {"memory": "1Gi", "hugepages-2Mi": "4Mi"}}),
        ),
        &format!("{r}/requests/hugepages-2Mi"),
        "must be equal to hugepages-2Mi limit",
    );
    one(
        &res(json!({"limits": {"hugepages-2Mi": "4Mi"}})),
        &r,
        "HugePages require cpu or memory",
    );
    one(
        &res(
            json!({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi", "hugepages-2X": "4Mi"}}),
        ),
        &format!("{r}/limits/hugepages-2X"),
        "validateContainerResourceName",
    );
    one(
        &res(
            json!({"requests": {"cpu": "1", "memory": "1Gi", "gpu.intel.com/i915": "1"}, "limits": {"memory": "1Gi"}}),
        ),
        &format!("{r}/requests/gpu.intel.com~1i915"),
        "non overcommitable",
    );
    one(
        &res(
            json!({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi", "amd.com/gpu": "0.5"}}),
        ),
        &format!("{r}/limits/amd.com~1gpu"),
        "must be an integer",
    );
}

#[test]
fn user_and_group_ids() {
    let sc = "/spec/template/spec/securityContext";
    one(
        &with(&format!("{sc}/runAsUser"), json!(-1)),
        &format!("{sc}/runAsUser"),
        "IsValidUserID",
    );
    one(
        &with(&format!("{sc}/fsGroup"), json!(2_147_483_648_i64)),
        &format!("{sc}/fsGroup"),
        "IsValidGroupID",
    );
    let groups = with(&format!("{sc}/supplementalGroups"), json!([100, -5]));
    one(
        &groups,
        &format!("{sc}/supplementalGroups/1"),
        "IsValidGroupID",
    );
    let container = with(&format!("{C}/securityContext"), json!({"runAsGroup": -2}));
    one(
        &container,
        &format!("{C}/securityContext/runAsGroup"),
        "ValidateSecurityContext",
    );
}

#[test]
fn run_as_non_root_with_user_zero() {
    let sc = "/spec/template/spec/securityContext";
    one(
        &with(&format!("{sc}/runAsUser"), json!(0)),
        &format!("{sc}/runAsUser"),
        "verifyRunAsNonRoot",
    );
    let mut v = with(&format!("{C}/securityContext"), json!({"runAsUser": 0}));
    one(
        &v,
        &format!("{C}/securityContext/runAsUser"),
        "verifyRunAsNonRoot",
    );
    v["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonRoot"] =
        json!(false);
    assert!(
        problems(&v).is_empty(),
        "the container's own runAsNonRoot wins"
    );
}

#[test]
fn container_and_port_names_and_numbers() {
    one(
        &with(&format!("{C}/name"), json!("Web")),
        &format!("{C}/name"),
        "IsDNS1123Label",
    );
    let twice = with(
        "/spec/template/spec/initContainers",
        json!([{"name": "web", "image": "x:1"}]),
    );
    one(&twice, &format!("{C}/name"), "validateContainers");
    let port = format!("{C}/ports/0/containerPort");
    one(&with(&port, json!(0)), &port, "IsValidPortNum");
    one(&with(&port, json!(65536)), &port, "IsValidPortNum");
    assert!(problems(&with(&port, json!(65535))).is_empty());
    let long = with(&format!("{C}/ports/0/name"), json!("a234567890123456"));
    // The probe names `http`, which is now missing too.
    let found = problems(&long);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().any(|p| p.message.contains("IsValidPortName")));
    let dup = with(
        &format!("{C}/ports"),
        json!([{"containerPort": 8080, "name": "http"}, {"containerPort": 8081, "name": "http"}]),
    );
    one(&dup, &format!("{C}/ports/1/name"), "validateContainerPorts");
    one(
        &with(&format!("{C}/image"), json!(" nginx:1")),
        &format!("{C}/image"),
        "validateContainers",
    );
}

#[test]
fn volumes_and_mounts_resolve() {
    let mount = format!("{C}/volumeMounts/0/name");
    one(&with(&mount, json!("dta")), &mount, "ValidateVolumeMounts");
    let twice = with(
        &format!("{C}/volumeMounts"),
        json!([{"name": "data", "mountPath": "/data"}, {"name": "data", "mountPath": "/data"}]),
    );
    one(
        &twice,
        &format!("{C}/volumeMounts/1/mountPath"),
        "must be unique",
    );
    let sub = format!("{C}/volumeMounts/0/subPath");
    one(
        &with(&sub, json!("../etc")),
        &sub,
        "validateLocalDescendingPath",
    );
    let at = "/spec/template/spec/volumes/0";
    let volume = |vol: Value| with(at, vol);
    one(
        &volume(json!({"name": "data"})),
        at,
        "must specify a volume type",
    );
    one(
        &volume(
            json!({"name": "data", "emptyDir": {}, "persistentVolumeClaim": {"claimName": "c"}}),
        ),
        at,
        "may not specify more than 1 volume type",
    );
    one(
        &volume(json!({"name": "data", "nfs": {"server": "nas", "path": "media"}})),
        &format!("{at}/nfs/path"),
        "must be an absolute path",
    );
    one(
        &volume(json!({"name": "data", "nfs": {"server": "nas", "path": ""}})),
        &format!("{at}/nfs/path"),
        "validateNFSVolumeSource",
    );
    one(
        &volume(
            json!({"name": "data", "configMap": {"name": "c", "items": [{"key": "k", "path": "/abs"}]}}),
        ),
        &format!("{at}/configMap/items/0/path"),
        "must be a relative path",
    );
    one(
        &volume(json!({"name": "data", "emptyDir": {"sizeLimit": "-1Gi"}})),
        &format!("{at}/emptyDir/sizeLimit"),
        "validateEmptyDirVolumeSource",
    );
    let dup = with(
        "/spec/template/spec/volumes",
        json!([{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]),
    );
    one(
        &dup,
        "/spec/template/spec/volumes/1/name",
        "validateVolumes",
    );
}

#[test]
fn probes_have_exactly_one_handler() {
    let p = format!("{C}/livenessProbe");
    one(
        &with(&p, json!({"periodSeconds": 10})),
        &p,
        "must specify a handler type",
    );
    one(
        &with(
            &p,
            json!({"tcpSocket": {"port": 8080}, "exec": {"command": ["true"]}}),
        ),
        &p,
        "may not specify more than 1 handler type",
    );
    one(
        &with(&p, json!({"httpGet": {"port": "metrics"}})),
        &format!("{p}/httpGet/port"),
        "findPortByName",
    );
    one(
        &with(&p, json!({"tcpSocket": {"port": 0}})),
        &format!("{p}/tcpSocket/port"),
        "IsValidPortNum",
    );
    one(
        &with(
            &p,
            json!({"tcpSocket": {"port": 8080}, "successThreshold": 2}),
        ),
        &format!("{p}/successThreshold"),
        "must be 1",
    );
}

#[test]
fn workload_selector_and_replicas() {
    one(
        &with(
            "/spec/selector",
            json!({"matchLabels": {"app.kubernetes.io/name": "api"}}),
        ),
        "/spec/template/metadata/labels",
        "does not match template",
    );
    one(
        &with("/spec/selector", json!({})),
        "/spec/selector",
        "empty selector",
    );
    one(
        &with("/spec/replicas", json!(-1)),
        "/spec/replicas",
        "ValidateNonnegativeField",
    );
    one(
        &with("/spec/template/spec/restartPolicy", json!("Never")),
        "/spec/template/spec/restartPolicy",
        "ValidatePodTemplateSpecFor",
    );
    one(
        &with(
            "/spec/strategy",
            json!({"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}),
        ),
        "/spec/strategy/rollingUpdate",
        "ValidateDeploymentStrategy",
    );
    one(
        &with(
            "/spec/strategy",
            json!({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": "0%"}}),
        ),
        "/spec/strategy/rollingUpdate/maxUnavailable",
        "may not be 0 when `maxSurge` is 0",
    );
    assert!(
        problems(&with(
            "/spec/strategy",
            json!({"rollingUpdate": {"maxSurge": 0}})
        ))
        .is_empty()
    );
    let mut none = deployment();
    none["spec"].as_object_mut().unwrap().remove("selector");
    one(&none, "/spec/selector", "Required value");
}

/// A StatefulSet named with more than 52 characters is admitted, but its Pods never are:
/// their `controller-revision-hash` label is the name and 11 characters more. A Deployment
/// of the same name is fine (its Pods' `pod-template-hash` is the hash alone).
#[test]
fn stateful_set_names_leave_room_for_the_revision_label() {
    let named = |kind: &str, name: &str| {
        let mut v = deployment();
        v["kind"] = json!(kind);
        v["metadata"]["name"] = json!(name);
        v
    };
    let longest = "s".repeat(52);
    assert_eq!(problems(&named("StatefulSet", &longest)), Vec::new());
    let too_long = "s".repeat(53);
    one(
        &named("StatefulSet", &too_long),
        "/metadata/name",
        "controller-revision-hash",
    );
    assert_eq!(problems(&named("Deployment", &too_long)), Vec::new());
    // A DNS label's 63 characters still fail the API server's own rule besides.
    assert_eq!(problems(&named("StatefulSet", &"s".repeat(64))).len(), 2);
}
