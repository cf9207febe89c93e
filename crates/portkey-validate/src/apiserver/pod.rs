//! A pod spec (`k8s.io/kubernetes/pkg/apis/core/validation/validation.go`, `ValidatePodSpec`):
//!
//! - `validateVolumes`: a volume name is a DNS-1123 label, unique, with exactly one source;
//!   an NFS `server` is required and its `path` absolute (`validateNFSVolumeSource`); a
//!   `persistentVolumeClaim` names its claim, a `configMap` or `secret` its object, and
//!   their `items` carry valid keys and relative paths without `..`;
//! - `validateContainers` (and init containers): at least one container; names DNS-1123
//!   labels, unique across both lists; an image without surrounding whitespace;
//! - `validateContainerPorts`: `containerPort` 1–65535, `hostPort` 0 or 1–65535, names
//!   `IsValidPortName` and unique per container, protocols TCP, UDP or SCTP;
//! - `ValidateEnv`: names `IsRelaxedEnvVarName`, `value` or `valueFrom` (one source);
//!   `validateEnvFrom`: one source each;
//! - `ValidateVolumeMounts`: a mount names a volume of the pod, has a unique mount path,
//!   and a `subPath` that is relative without `..` (`validateLocalDescendingPath`);
//! - `validateProbe` and `validateHandler`: exactly one handler; ports valid; numbers 0 or
//!   more; `successThreshold` 1 for liveness and startup probes. A probe on a port *name*
//!   the container does not declare is admitted, but the kubelet's prober fails it forever
//!   (`findPortByName`), so it is an error here too;
//! - `ValidatePodSecurityContext` and `ValidateSecurityContext`: `runAsUser`,
//!   `runAsGroup`, `fsGroup` and `supplementalGroups` are IDs, 0–2147483647
//!   (`IsValidUserID`, `IsValidGroupID`). `runAsNonRoot: true` with an effective
//!   `runAsUser: 0` is admitted, but the kubelet refuses to start the container
//!   (`verifyRunAsNonRoot`: "container's runAsUser breaks non-root policy");
//! - resources: see `resources`.

use std::collections::BTreeSet;

use portkey_model::json;
use serde_json::Value;

use super::{Out, list, predicates, resources, str_of};

/// The volume sources a volume may name (every key other than `name` is one).
fn source_count(volume: &Value) -> usize {
    volume
        .as_object()
        .map_or(0, |m| m.keys().filter(|k| *k != "name").count())
}

pub(super) fn check(out: &mut Out<'_>, base: &str, pod: &Value, lint_exempt: bool) {
    let volumes = volumes(out, base, pod);
    let containers = list(pod, "containers");
    if containers.is_empty() {
        out.add(
            format!("{base}/containers"),
            "the pod has no containers",
            "core validation.validateContainers",
            "Required value",
        );
    }
    let pod_sc = pod.get("securityContext");
    if let Some(sc) = pod_sc {
        security_context(out, &format!("{base}/securityContext"), sc, true);
    }
    let mut names = BTreeSet::new();
    for key in ["initContainers", "containers"] {
        for (i, c) in list(pod, key).iter().enumerate() {
            let at = format!("{base}/{key}/{i}");
            let name = str_of(c, "name").unwrap_or_default();
            out.check(
                predicates::dns1123_label(name),
                "core validation.validateContainers: IsDNS1123Label",
                || format!("{at}/name"),
                || format!("container name {name:?} is not valid"),
            );
            if !names.insert(name) {
                out.add(
                    format!("{at}/name"),
                    &format!("container name {name:?} is used twice"),
                    "core validation.validateContainers",
                    "Duplicate value: container and init container names are unique in a pod",
                );
            }
            container(out, &at, c, &volumes, pod_sc, lint_exempt);
        }
    }
}

/// The volume names (checked).
fn volumes<'v>(out: &mut Out<'_>, base: &str, pod: &'v Value) -> BTreeSet<&'v str> {
    let mut names = BTreeSet::new();
    for (i, v) in list(pod, "volumes").iter().enumerate() {
        let at = format!("{base}/volumes/{i}");
        let name = str_of(v, "name").unwrap_or_default();
        out.check(
            predicates::dns1123_label(name),
            "core validation.validateVolumes: IsDNS1123Label",
            || format!("{at}/name"),
            || format!("volume name {name:?} is not valid"),
        );
        if !names.insert(name) {
            out.add(
                format!("{at}/name"),
                &format!("volume name {name:?} is used twice"),
                "core validation.validateVolumes",
                "Duplicate value",
            );
        }
        match source_count(v) {
            1 => {}
            0 => out.add(
                at.clone(),
                &format!("volume {name} has no source"),
                "core validation.validateVolumeSource",
                "must specify a volume type",
            ),
            _ => out.add(
                at.clone(),
                &format!("volume {name} has several sources"),
                "core validation.validateVolumeSource",
                "may not specify more than 1 volume type",
            ),
        }
        volume_source(out, &at, name, v);
    }
    names
}

fn volume_source(out: &mut Out<'_>, at: &str, name: &str, v: &Value) {
    if let Some(nfs) = v.get("nfs") {
        if str_of(nfs, "server").is_none_or(str::is_empty) {
            out.add(
                format!("{at}/nfs/server"),
                &format!("NFS volume {name} has no server"),
                "core validation.validateNFSVolumeSource",
                "Required value",
            );
        }
        let path = str_of(nfs, "path").unwrap_or_default();
        if path.is_empty() {
            out.add(
                format!("{at}/nfs/path"),
                &format!("NFS volume {name} has no path"),
                "core validation.validateNFSVolumeSource",
                "Required value",
            );
        } else if !path.starts_with('/') {
            out.add(
                format!("{at}/nfs/path"),
                &format!("NFS path {path:?} of volume {name} is not valid"),
                "core validation.validateNFSVolumeSource",
                "must be an absolute path",
            );
        }
    }
    if let Some(limit) = json::at(v, "/emptyDir/sizeLimit")
        && super::quantity::from_value(limit)
            .is_some_and(|q| q.is_ok_and(super::quantity::Quantity::is_negative))
    {
        out.add(
            format!("{at}/emptyDir/sizeLimit"),
            &format!("emptyDir sizeLimit {limit} of volume {name} is negative"),
            "core validation.validateEmptyDirVolumeSource",
            "SizeLimit field must be a valid resource quantity, at least 0",
        );
    }
    for (source, key) in [
        ("persistentVolumeClaim", "claimName"),
        ("configMap", "name"),
        ("secret", "secretName"),
        ("hostPath", "path"),
    ] {
        let Some(s) = v.get(source) else { continue };
        if str_of(s, key).is_none_or(str::is_empty) {
            out.add(
                format!("{at}/{source}/{key}"),
                &format!("volume {name} names no {source}"),
                "core validation.validateVolumeSource",
                &format!("{key}: Required value"),
            );
        }
        for (i, item) in list(s, "items").iter().enumerate() {
            let key = str_of(item, "key").unwrap_or_default();
            out.check(
                predicates::config_map_key(key),
                "core validation.validateKeyToPath: IsConfigMapKey",
                || format!("{at}/{source}/items/{i}/key"),
                || format!("item key {key:?} of volume {name} is not valid"),
            );
            let path = str_of(item, "path").unwrap_or_default();
            out.check(
                descending_path(path),
                "core validation.validateKeyToPath: validateLocalDescendingPath",
                || format!("{at}/{source}/items/{i}/path"),
                || format!("item path {path:?} of volume {name} is not valid"),
            );
        }
    }
}

/// `validateLocalDescendingPath` (and `validateLocalNonReservedPath`'s required part):
/// relative, with no `..` element.
pub(super) fn descending_path(path: &str) -> predicates::Check {
    if path.is_empty() {
        return Err("Required value".into());
    }
    if path.starts_with('/') {
        return Err("must be a relative path".into());
    }
    if path.split('/').any(|p| p == "..") {
        return Err("must not contain '..'".into());
    }
    Ok(())
}

fn container(
    out: &mut Out<'_>,
    at: &str,
    c: &Value,
    volumes: &BTreeSet<&str>,
    pod_sc: Option<&Value>,
    lint_exempt: bool,
) {
    let name = str_of(c, "name").unwrap_or_default();
    let image = str_of(c, "image").unwrap_or_default();
    if image.is_empty() {
        out.add(
            format!("{at}/image"),
            &format!("container {name} has no image"),
            "core validation.validateContainers",
            "Required value",
        );
    } else if image.trim() != image {
        out.add(
            format!("{at}/image"),
            &format!("image {image:?} of container {name} is not valid"),
            "core validation.validateContainers",
            "must not have leading or trailing whitespace",
        );
    }
    let ports = ports(out, at, name, c);
    env(out, at, c);
    mounts(out, at, c, volumes);
    for (probe, liveness_like) in [
        ("livenessProbe", true),
        ("readinessProbe", false),
        ("startupProbe", true),
    ] {
        if let Some(p) = c.get(probe) {
            self::probe(
                out,
                &format!("{at}/{probe}"),
                probe,
                p,
                liveness_like,
                &ports,
            );
        }
    }
    if let Some(r) = c.get("resources") {
        resources::check(out, &format!("{at}/resources"), name, r, lint_exempt);
    }
    let sc = c.get("securityContext");
    if let Some(sc) = sc {
        security_context(out, &format!("{at}/securityContext"), sc, false);
    }
    let effective = |key: &str| {
        sc.and_then(|s| s.get(key))
            .or_else(|| pod_sc.and_then(|s| s.get(key)))
    };
    if effective("runAsNonRoot") == Some(&Value::Bool(true))
        && effective("runAsUser").and_then(Value::as_i64) == Some(0)
    {
        // `at` is `<pod>/containers/<i>`: the pod's own field is two segments up.
        let pod_at = at
            .rsplit_once('/')
            .and_then(|(a, _)| a.rsplit_once('/'))
            .map_or("", |(p, _)| p);
        let pointer = if sc.and_then(|s| s.get("runAsUser")).is_some() {
            format!("{at}/securityContext/runAsUser")
        } else {
            format!("{pod_at}/securityContext/runAsUser")
        };
        out.add(
            pointer,
            &format!("container {name} sets runAsNonRoot but runs as user 0"),
            "kubelet verifyRunAsNonRoot",
            "container's runAsUser breaks non-root policy: the container never starts; run as a non-zero UID, or drop runAsNonRoot and declare the root exception",
        );
    }
}

/// The container's port names (checked).
fn ports<'v>(out: &mut Out<'_>, at: &str, name: &str, c: &'v Value) -> BTreeSet<&'v str> {
    let mut names = BTreeSet::new();
    for (i, p) in list(c, "ports").iter().enumerate() {
        let pat = format!("{at}/ports/{i}");
        match p.get("containerPort").and_then(Value::as_i64) {
            Some(n) => out.check(
                predicates::port_num(n),
                "core validation.validateContainerPorts: IsValidPortNum",
                || format!("{pat}/containerPort"),
                || format!("containerPort {n} of container {name} is not valid"),
            ),
            None => out.add(
                format!("{pat}/containerPort"),
                &format!("a port of container {name} has no containerPort"),
                "core validation.validateContainerPorts",
                "Required value",
            ),
        }
        if let Some(n) = p.get("hostPort").and_then(Value::as_i64)
            && n != 0
        {
            out.check(
                predicates::port_num(n),
                "core validation.validateContainerPorts: IsValidPortNum",
                || format!("{pat}/hostPort"),
                || format!("hostPort {n} of container {name} is not valid"),
            );
        }
        if let Some(port_name) = str_of(p, "name") {
            out.check(
                predicates::port_name(port_name),
                "core validation.validateContainerPorts: IsValidPortName",
                || format!("{pat}/name"),
                || format!("port name {port_name:?} of container {name} is not valid"),
            );
            if !names.insert(port_name) {
                out.add(
                    format!("{pat}/name"),
                    &format!("port name {port_name:?} is used twice in container {name}"),
                    "core validation.validateContainerPorts",
                    "Duplicate value",
                );
            }
        }
        protocol(out, &pat, p);
    }
    names
}

/// `protocol` is TCP, UDP or SCTP (`supportedPortProtocols`).
pub(super) fn protocol(out: &mut Out<'_>, at: &str, port: &Value) {
    if let Some(proto) = str_of(port, "protocol")
        && !matches!(proto, "TCP" | "UDP" | "SCTP")
    {
        out.add(
            format!("{at}/protocol"),
            &format!("protocol {proto:?} is not valid"),
            "core validation: supportedPortProtocols",
            "Unsupported value: supported values: \"SCTP\", \"TCP\", \"UDP\"",
        );
    }
}

fn env(out: &mut Out<'_>, at: &str, c: &Value) {
    for (i, e) in list(c, "env").iter().enumerate() {
        let name = str_of(e, "name").unwrap_or_default();
        out.check(
            predicates::env_var_name(name),
            "core validation.ValidateEnv: IsRelaxedEnvVarName",
            || format!("{at}/env/{i}/name"),
            || format!("env var name {name:?} is not valid"),
        );
        let Some(from) = e.get("valueFrom") else {
            continue;
        };
        if str_of(e, "value").is_some_and(|v| !v.is_empty()) {
            out.add(
                format!("{at}/env/{i}/valueFrom"),
                &format!("env var {name} has both value and valueFrom"),
                "core validation.validateEnvVarValueFrom",
                "may not be specified when `value` is not empty",
            );
        }
        let sources = from.as_object().map_or(0, serde_json::Map::len);
        if sources != 1 {
            out.add(
                format!("{at}/env/{i}/valueFrom"),
                &format!("env var {name} has {sources} sources"),
                "core validation.validateEnvVarValueFrom",
                "must have exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef or fileKeyRef",
            );
        }
        for source in ["configMapKeyRef", "secretKeyRef"] {
            let Some(r) = from.get(source) else { continue };
            let key = str_of(r, "key").unwrap_or_default();
            out.check(
                predicates::config_map_key(key),
                "core validation.validateEnvVarValueFrom: IsConfigMapKey",
                || format!("{at}/env/{i}/valueFrom/{source}/key"),
                || format!("key {key:?} of env var {name} is not valid"),
            );
            if str_of(r, "name").is_none_or(str::is_empty) {
                out.add(
                    format!("{at}/env/{i}/valueFrom/{source}/name"),
                    &format!("env var {name} names no object"),
                    "core validation.validateEnvVarValueFrom",
                    "Required value",
                );
            }
        }
    }
    for (i, e) in list(c, "envFrom").iter().enumerate() {
        let sources = ["configMapRef", "secretRef"]
            .iter()
            .filter(|k| e.get(**k).is_some())
            .count();
        if sources != 1 {
            out.add(
                format!("{at}/envFrom/{i}"),
                &format!("envFrom entry has {sources} sources"),
                "core validation.validateEnvFrom",
                "may not have more than one field specified at a time, and needs one",
            );
        }
    }
}

fn mounts(out: &mut Out<'_>, at: &str, c: &Value, volumes: &BTreeSet<&str>) {
    let mut paths = BTreeSet::new();
    for (i, m) in list(c, "volumeMounts").iter().enumerate() {
        let name = str_of(m, "name").unwrap_or_default();
        if !volumes.contains(name) {
            out.add(
                format!("{at}/volumeMounts/{i}/name"),
                &format!("volume mount {name:?} names no volume of the pod"),
                "core validation.ValidateVolumeMounts",
                "Not found: add the volume to spec.volumes, or fix the name",
            );
        }
        let path = str_of(m, "mountPath").unwrap_or_default();
        if path.is_empty() {
            out.add(
                format!("{at}/volumeMounts/{i}/mountPath"),
                &format!("volume mount {name} has no mountPath"),
                "core validation.ValidateVolumeMounts",
                "Required value",
            );
        } else if !paths.insert(path) {
            out.add(
                format!("{at}/volumeMounts/{i}/mountPath"),
                &format!("mountPath {path:?} is mounted twice"),
                "core validation.ValidateVolumeMounts",
                "must be unique",
            );
        }
        if let Some(sub) = str_of(m, "subPath").filter(|s| !s.is_empty()) {
            out.check(
                descending_path(sub),
                "core validation.ValidateVolumeMounts: validateLocalDescendingPath",
                || format!("{at}/volumeMounts/{i}/subPath"),
                || format!("subPath {sub:?} of volume mount {name} is not valid"),
            );
            if str_of(m, "subPathExpr").is_some_and(|s| !s.is_empty()) {
                out.add(
                    format!("{at}/volumeMounts/{i}/subPathExpr"),
                    &format!("volume mount {name} has subPath and subPathExpr"),
                    "core validation.ValidateVolumeMounts",
                    "subPathExpr and subPath are mutually exclusive",
                );
            }
        }
    }
}

const HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "grpc"];

fn probe(
    out: &mut Out<'_>,
    at: &str,
    which: &str,
    p: &Value,
    liveness_like: bool,
    ports: &BTreeSet<&str>,
) {
    let handlers = || HANDLERS.iter().copied().filter(|h| p.get(*h).is_some());
    match handlers().count() {
        1 => {}
        0 => out.add(
            at.into(),
            &format!("{which} has no handler"),
            "core validation.validateHandler",
            "must specify a handler type: one of exec, httpGet, tcpSocket, grpc",
        ),
        _ => out.add(
            at.into(),
            &format!(
                "{which} has several handlers ({})",
                handlers().collect::<Vec<_>>().join(", ")
            ),
            "core validation.validateHandler",
            "may not specify more than 1 handler type",
        ),
    }
    for field in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        if let Some(n) = p.get(field).and_then(Value::as_i64)
            && n < 0
        {
            out.add(
                format!("{at}/{field}"),
                &format!("{which}.{field} {n} is not valid"),
                "core validation.validateProbe: ValidateNonnegativeField",
                "must be greater than or equal to 0",
            );
        }
    }
    if liveness_like
        && let Some(n) = p.get("successThreshold").and_then(Value::as_i64)
        && n != 1
    {
        out.add(
            format!("{at}/successThreshold"),
            &format!("{which}.successThreshold {n} is not valid"),
            "core validation.validateLivenessProbe/validateStartupProbe",
            "must be 1",
        );
    }
    for handler in ["httpGet", "tcpSocket", "grpc"] {
        let Some(port) = p.get(handler).and_then(|h| h.get("port")) else {
            continue;
        };
        let pat = || format!("{at}/{handler}/port");
        match port {
            Value::Number(n) => out.check(
                predicates::port_num(n.as_i64().unwrap_or(-1)),
                "core validation.ValidatePortNumOrName: IsValidPortNum",
                pat,
                || format!("{which} port {n} is not valid"),
            ),
            // A quoted number is a string, so a port *name*, as for upstream's IntOrString.
            Value::String(s) if handler != "grpc" => {
                if let Err(e) = predicates::port_name(s) {
                    out.add(
                        pat(),
                        &format!("{which} port name {s:?} is not valid"),
                        "core validation.ValidatePortNumOrName: IsValidPortName",
                        &e,
                    );
                } else if !ports.contains(s.as_str()) {
                    out.add(
                        pat(),
                        &format!("{which} probes port {s:?}, which the container does not declare"),
                        "kubelet prober findPortByName",
                        "the probe can never succeed: name one of the container's ports",
                    );
                }
            }
            _ => out.add(
                pat(),
                &format!("{which} port {port} is not valid"),
                "core validation.ValidatePortNumOrName",
                "must be a port number or name",
            ),
        }
    }
}

fn security_context(out: &mut Out<'_>, at: &str, sc: &Value, pod: bool) {
    let mut fields = vec![
        ("runAsUser", "IsValidUserID"),
        ("runAsGroup", "IsValidGroupID"),
    ];
    if pod {
        fields.push(("fsGroup", "IsValidGroupID"));
    }
    let rule = if pod {
        "core validation.ValidatePodSecurityContext"
    } else {
        "core validation.ValidateSecurityContext"
    };
    for (field, predicate) in fields {
        if let Some(v) = sc.get(field) {
            let n = v.as_i64().unwrap_or(-1);
            out.check(
                predicates::id(n),
                &format!("{rule}: {predicate}"),
                || format!("{at}/{field}"),
                || format!("{field} {v} is not valid"),
            );
        }
    }
    if pod {
        for (i, g) in list(sc, "supplementalGroups").iter().enumerate() {
            out.check(
                predicates::id(g.as_i64().unwrap_or(-1)),
                &format!("{rule}: IsValidGroupID"),
                || format!("{at}/supplementalGroups/{i}"),
                || format!("supplementalGroups[{i}] {g} is not valid"),
            );
        }
    }
}
