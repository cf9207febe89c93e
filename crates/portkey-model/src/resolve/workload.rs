//! The container: ports, environment, probes, security exceptions, exposure and resources.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::Peer;
use crate::app::{App, EnvValue, Exception, ProbeCheck};
use crate::cluster::Cluster;
use crate::error::Problems;
use crate::names;
use crate::quantity::{Cpu, Memory};

/// The container's declarations: builder order, ports, environment, probes and the reasons
/// every suppression and exception must carry.
pub(super) fn check_container(app: &App, peers: &BTreeMap<String, Peer>, p: &mut Problems<'_>) {
    for (field, problem) in &app.misuse {
        p.add(field, problem, "move the call after the method it modifies");
    }
    check_ports(app, p);
    if app.ports.iter().any(|port| port.lan) {
        let lan_name = format!("{}-lan", app.name);
        if peers.contains_key(&lan_name) {
            p.add(
                "ports",
                format!("the LAN Service `{lan_name}` would clash with the app of that name"),
                "rename one of the apps",
            );
        }
        if lan_name.len() > names::MAX_LABEL {
            p.add(
                "ports",
                format!("the LAN Service name `{lan_name}` is longer than 63 characters"),
                "shorten the app name",
            );
        }
    }
    check_env(app, p);
    check_probes(app, p);
    if app
        .probes
        .disabled
        .as_ref()
        .is_some_and(|r| r.trim().is_empty())
    {
        p.add(
            "no_probes",
            "probes disabled without a reason",
            "say why the app cannot be probed",
        );
    }
    for (lint, reason) in &app.lint_exceptions {
        if reason.trim().is_empty() {
            p.add(
                format!("allow_lint({})", lint.id()),
                "lint suppressed without a reason",
                "say why the lint does not apply",
            );
        }
    }
    for (exception, reason) in &app.security.exceptions {
        if reason.trim().is_empty() {
            p.add(
                format!("allow({})", exception.key()),
                "exception without a reason",
                "say why the image needs it",
            );
        }
    }
}

fn check_ports(app: &App, p: &mut Problems<'_>) {
    let mut names_seen = BTreeSet::new();
    let mut numbers = BTreeSet::new();
    for port in &app.ports {
        if let Err(e) = names::check_label_max(&port.name, 15) {
            p.add(
                format!("ports[{}]", port.name),
                format!("port name {e}"),
                "use a short name such as `http`",
            );
        }
        if !names_seen.insert(&port.name) {
            p.add(
                format!("ports[{}]", port.name),
                "duplicate port name",
                "name each port once",
            );
        }
        if port.port == 0 {
            p.add(
                format!("ports[{}]", port.name),
                "port 0 is not a port: the API server accepts 1–65535",
                "give the port the number the app listens on",
            );
        } else if !numbers.insert((port.port, port.protocol as u8)) {
            p.add(
                format!("ports[{}]", port.name),
                format!(
                    "port {} is repeated: another port of the app has the same number and protocol",
                    port.port
                ),
                "use each port number once",
            );
        }
    }
}

fn check_env(app: &App, p: &mut Problems<'_>) {
    let mut seen = BTreeSet::new();
    for env in &app.env {
        if let Err(e) = names::check_env_name(&env.name) {
            p.add(
                format!("env[{}]", env.name),
                format!("variable name {e}"),
                "use letters, digits and '_'",
            );
        }
        if !seen.insert(&env.name) {
            p.add(
                format!("env[{}]", env.name),
                "set twice",
                "set each variable once",
            );
        }
        if let EnvValue::Secret(s) = &env.value {
            if let Err(e) = names::check_subdomain(&s.secret) {
                p.add(
                    format!("env[{}]", env.name),
                    format!("secret name {:?} {e}", s.secret),
                    "name an existing Secret",
                );
            }
            if s.key.is_empty() {
                p.add(
                    format!("env[{}]", env.name),
                    "secret key is empty",
                    "name the key inside the Secret",
                );
            } else if let Err(e) = names::check_config_key(&s.key) {
                p.add(
                    format!("env[{}]", env.name),
                    format!(
                        "secret key {:?} {e}: the API server rejects such a key",
                        s.key
                    ),
                    "name the key as the Secret stores it, e.g. `ADMIN_TOKEN`",
                );
            }
        }
    }
}

fn check_probes(app: &App, p: &mut Problems<'_>) {
    let probes = [
        &app.probes.liveness,
        &app.probes.readiness,
        &app.probes.startup,
    ];
    for probe in probes.into_iter().flatten() {
        if probe.host_header.is_some() && !matches!(probe.check, ProbeCheck::Http(_)) {
            p.add(
                "probe",
                "a Host header on a probe that is not HTTP",
                "use `Probe::http(..).host(..)`",
            );
        }
        match &probe.check {
            ProbeCheck::Http(path) if !path.starts_with('/') => {
                p.add(
                    "probe",
                    format!("HTTP path {path:?} must start with '/'"),
                    "write the path as `/health`",
                );
            }
            ProbeCheck::Http(_) | ProbeCheck::Tcp if app.ports.is_empty() => {
                p.add(
                    "probe",
                    "probes the primary port, but the app declares no port",
                    "add a port or use `Probe::exec`",
                );
            }
            _ => {}
        }
    }
}

/// HTTPS exposure: a valid host label and a port to expose.
pub(super) fn check_https(app: &App, p: &mut Problems<'_>) {
    if let Some(h) = &app.https {
        if let Err(e) = names::check_label(&h.host) {
            p.add(
                "https",
                format!("host {:?} {e}", h.host),
                "use a single DNS label; the cluster domain is appended",
            );
        }
        if app.ports.is_empty() {
            p.add(
                "https",
                "exposed over HTTPS but declares no port",
                "add `.port(Port::http(N))`",
            );
        }
    }
}

/// Who the pod runs as.
pub(super) struct RunAs {
    /// UID that owns the app's data.
    pub(super) uid: i64,
    /// GID and fsGroup.
    pub(super) gid: i64,
    /// The image starts as root (declared exception).
    pub(super) runs_as_root: bool,
    /// Supplemental groups, sorted and unique (the app's and the GPU render groups).
    pub(super) supplemental_groups: Vec<i64>,
}

/// The app's identity with the cluster defaults filled in.
pub(super) fn run_as(cluster: &Cluster, app: &App, gpu_groups: Vec<i64>) -> RunAs {
    let uid = app.security.uid.unwrap_or(cluster.defaults.uid);
    let gid = app.security.gid.unwrap_or(cluster.defaults.gid);
    let runs_as_root = app
        .security
        .exceptions
        .iter()
        .any(|(e, _)| *e == Exception::RunAsRoot);
    let mut groups: BTreeSet<i64> = app.security.supplemental_groups.iter().copied().collect();
    groups.extend(gpu_groups);
    RunAs {
        uid,
        gid,
        runs_as_root,
        supplemental_groups: groups.into_iter().collect(),
    }
}

/// The IDs the pod runs as: each in 0–2147483647 (the API server's
/// `ValidatePodSecurityContext` → `IsValidUserID`/`IsValidGroupID`), and UID 0 only with
/// the RunAsRoot exception. Without it the pod says `runAsNonRoot: true`, and the kubelet
/// refuses to start a container whose `runAsUser` is 0 ("runAsUser breaks non-root policy").
pub(super) fn check_identity(cluster: &Cluster, app: &App, p: &mut Problems<'_>) {
    const MAX_ID: i64 = 2_147_483_647;
    let uid = app.security.uid.unwrap_or(cluster.defaults.uid);
    let gid = app.security.gid.unwrap_or(cluster.defaults.gid);
    for (what, id) in [("UID", uid), ("GID", gid)] {
        if !(0..=MAX_ID).contains(&id) {
            p.add(
                "run_as",
                format!("{what} {id} is outside 0–{MAX_ID}: the API server rejects the Pod"),
                "use the UID and GID the image runs as (`id` inside the container)",
            );
        }
    }
    for g in &app.security.supplemental_groups {
        if !(0..=MAX_ID).contains(g) {
            p.add(
                "supplemental_groups",
                format!("group {g} is outside 0–{MAX_ID}: the API server rejects the Pod"),
                "use the group's GID on the node (`getent group <name>`)",
            );
        }
    }
    let root_allowed = app
        .security
        .exceptions
        .iter()
        .any(|(e, _)| *e == Exception::RunAsRoot);
    if uid == 0 && !root_allowed {
        p.add(
            "run_as",
            "runs as UID 0 (root) while the pod requires `runAsNonRoot: true`: the kubelet refuses to start it".to_string(),
            "run as the image's unprivileged user, or declare `.allow(Exception::RunAsRoot, why)`",
        );
    }
}

/// Requests and limits with the cluster defaults filled in.
pub(super) struct Sizing {
    /// CPU request.
    pub(super) cpu_request: Cpu,
    /// Memory request.
    pub(super) memory_request: Memory,
    /// Memory limit.
    pub(super) memory_limit: Memory,
}

/// The app's resources with the cluster defaults filled in. Reported: a limit below its
/// request (the API server rejects it: `ValidateResourceRequirements` in
/// `k8s.io/kubernetes/pkg/apis/core/validation`), a zero request (it reserves nothing, and
/// the policy lints demand real requests), and an amount too large for Kubernetes.
pub(super) fn sizing(cluster: &Cluster, app: &App, p: &mut Problems<'_>) -> Sizing {
    let r = &app.resources;
    let cpu_request = r.cpu_request.unwrap_or(cluster.defaults.cpu_request);
    let memory_request = r.memory_request.unwrap_or(cluster.defaults.memory_request);
    let memory_limit = r.memory_limit.unwrap_or(cluster.defaults.memory_limit);
    let too_large = |what: &str, shown: String| {
        format!("{what} {shown} is larger than Kubernetes can store (quantities are signed 64-bit)")
    };
    for (field, too, shown) in [
        ("requests", cpu_request.too_large(), cpu_request.to_string()),
        (
            "requests",
            memory_request.too_large(),
            memory_request.to_string(),
        ),
        (
            "memory_limit",
            memory_limit.too_large(),
            memory_limit.to_string(),
        ),
        (
            "cpu_limit",
            r.cpu_limit.is_some_and(Cpu::too_large),
            r.cpu_limit.map(|c| c.to_string()).unwrap_or_default(),
        ),
    ] {
        if too {
            p.add(
                field,
                too_large("the amount", shown),
                "use an amount a node can have",
            );
        }
    }
    if memory_limit < memory_request {
        p.add(
            "memory_limit",
            format!("limit {memory_limit} is below the request {memory_request}"),
            "raise the limit or lower the request",
        );
    }
    if let Some(limit) = r.cpu_limit.filter(|l| *l < cpu_request) {
        p.add(
            "cpu_limit",
            format!(
                "limit {limit} is below the request {cpu_request}: the API server rejects the Pod"
            ),
            "raise the CPU limit to the request or above, or drop `.cpu_limit(..)`",
        );
    }
    if cpu_request == Cpu::m(0) {
        p.add(
            "requests",
            "the CPU request is zero: the scheduler reserves nothing, so the node can be overcommitted without a warning".to_string(),
            "request what the app uses when idle, e.g. `.requests(Cpu::m(10), ..)`",
        );
    }
    if memory_request == Memory::mi(0) {
        p.add(
            "requests",
            "the memory request is zero: the scheduler reserves nothing, and the app is the first the kubelet evicts".to_string(),
            "request what the app uses when idle, e.g. `.requests(.., Memory::mi(64))`",
        );
    }
    Sizing {
        cpu_request,
        memory_request,
        memory_limit,
    }
}

/// Background jobs: container names that are DNS labels and unique in the pod (the app's
/// container is named after the app, the init containers `wait-for-<app>`), an interval, a
/// command, and a non-root user.
pub(super) fn check_background_jobs(app: &App, p: &mut Problems<'_>) {
    let mut names: BTreeSet<String> = std::iter::once(app.name.clone())
        .chain(
            app.dependencies
                .iter()
                .filter(|d| d.wait_at_startup)
                .map(|d| format!("wait-for-{}", d.app)),
        )
        .collect();
    for job in &app.background_jobs {
        let field = format!("background_job[{}]", job.name);
        if let Err(e) = crate::names::check_label(&job.name) {
            p.add(
                &field,
                format!("container name {e}"),
                "name the job with a DNS label, e.g. `cron`",
            );
        } else if !names.insert(job.name.clone()) {
            p.add(
                &field,
                format!("the pod already has a container named {}", job.name),
                "give the job a name of its own (not the app's, nor `wait-for-<app>`)",
            );
        }
        if job.every_seconds == 0 {
            p.add(
                &field,
                "runs every 0 seconds: a busy loop",
                "give the interval in seconds, e.g. 300",
            );
        }
        if job.command.is_empty() || job.command[0].is_empty() {
            p.add(
                &field,
                "has no command",
                "give the command and its arguments, e.g. `&[\"php\", \"-f\", \"cron.php\"]`",
            );
        }
        if let Some((uid, gid)) = job.run_as
            && (uid <= 0 || gid < 0)
        {
            p.add(
                &field,
                format!("runs as {uid}:{gid}: the job's container is non-root, so its UID must be above 0"),
                "run it as the user the image's files belong to, e.g. `.run_as(33, 33)` for www-data",
            );
        }
    }
}
