//! The Pod Security Standards, evaluated on compiled pod specs: the strictest level a pod
//! passes ([`level`]) and each check it fails ([`violations`]).
//!
//! The rules follow the Kubernetes "Pod Security Standards" page
//! (<https://kubernetes.io/docs/concepts/security/pod-security-standards/>) and the checks
//! of the Pod Security admission controller, `k8s.io/pod-security-admission/policy`
//! (`check_*.go`); each [`Violation`] carries the upstream check's ID. Only what a pod spec
//! says is evaluated (the AppArmor and seccomp annotations of older releases are not read:
//! portkey never writes them).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec, SecurityContext, Volume};
use portkey_model::ModelError;
use portkey_model::app::Exception;
use portkey_model::chart::PodSecurity;
use portkey_model::resolve::{Catalogue, ResolvedApp};

/// One check a pod fails: the strictest level it still passes, the upstream check's ID
/// and the pod-spec field that fails it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The strictest level the pod passes despite this: [`PodSecurity::Baseline`] for a
    /// `restricted` check, [`PodSecurity::Privileged`] for a `baseline` one.
    pub allows: PodSecurity,
    /// The check's ID in `k8s.io/pod-security-admission/policy` (`hostPathVolumes`).
    pub check: &'static str,
    /// The failing field, as a path in the pod spec (`volumes[2].hostPath`).
    pub field: String,
}

/// The strictest Pod Security Standard `spec` passes.
pub fn level(spec: &PodSpec) -> PodSecurity {
    violations(spec)
        .iter()
        .map(|v| v.allows)
        .min()
        .unwrap_or(PodSecurity::Restricted)
}

/// Capabilities `baseline` lets a container add (`check_capabilities_baseline.go`).
const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Sysctls `baseline` allows (`check_sysctls.go`, up to its 1.32 version).
const SAFE_SYSCTLS: [&str; 10] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// SELinux types `baseline` allows (`check_seLinuxOptions.go`; `""` is unset).
const SELINUX_TYPES: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// Every check `spec` fails, `baseline` checks first, in field order.
pub fn violations(spec: &PodSpec) -> Vec<Violation> {
    let mut out = Vec::new();
    let containers = containers(spec);
    baseline(spec, &containers, &mut |check, field| {
        out.push(Violation {
            allows: PodSecurity::Privileged,
            check,
            field,
        });
    });
    restricted(spec, &containers, &mut |check, field| {
        out.push(Violation {
            allows: PodSecurity::Baseline,
            check,
            field,
        });
    });
    out
}

/// Every container of the pod with its path: init, regular and ephemeral ones, and its
/// security context (empty when unset).
fn containers(spec: &PodSpec) -> Vec<(String, SecurityContext, &Container)> {
    let ctx = |c: &Container| c.security_context.clone().unwrap_or_default();
    let mut out = Vec::new();
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        out.push((format!("initContainers[{i}]"), ctx(c), c));
    }
    for (i, c) in spec.containers.iter().enumerate() {
        out.push((format!("containers[{i}]"), ctx(c), c));
    }
    out
}

type Report<'r> = &'r mut dyn FnMut(&'static str, String);

fn baseline(spec: &PodSpec, containers: &[(String, SecurityContext, &Container)], r: Report) {
    let pod = spec.security_context.clone().unwrap_or_default();
    for (on, field) in [
        (spec.host_network, "hostNetwork"),
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
    ] {
        if on == Some(true) {
            r("hostNamespaces", field.into());
        }
    }
    if let Some(w) = &pod.windows_options
        && w.host_process == Some(true)
    {
        r(
            "windowsHostProcess",
            "securityContext.windowsOptions.hostProcess".into(),
        );
    }
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if v.host_path.is_some() {
            r("hostPathVolumes", format!("volumes[{i}].hostPath"));
        }
    }
    if pod
        .app_armor_profile
        .as_ref()
        .is_some_and(|p| p.type_ == "Unconfined")
    {
        r("appArmorProfile", "securityContext.appArmorProfile".into());
    }
    if let Some(se) = &pod.se_linux_options
        && !se_linux_ok(se)
    {
        r("seLinuxOptions", "securityContext.seLinuxOptions".into());
    }
    if pod
        .seccomp_profile
        .as_ref()
        .is_some_and(|p| p.type_ == "Unconfined")
    {
        r(
            "seccompProfile_baseline",
            "securityContext.seccompProfile".into(),
        );
    }
    for (i, s) in pod.sysctls.iter().flatten().enumerate() {
        if !SAFE_SYSCTLS.contains(&s.name.as_str()) {
            r("sysctls", format!("securityContext.sysctls[{i}]"));
        }
    }
    for (path, sc, c) in containers {
        baseline_container(path, sc, c, r);
    }
}

/// The `baseline` checks of one container (its path, its security context).
fn baseline_container(path: &str, sc: &SecurityContext, c: &Container, r: Report) {
    if sc.privileged == Some(true) {
        r("privileged", format!("{path}.securityContext.privileged"));
    }
    let added = sc.capabilities.as_ref().and_then(|c| c.add.as_ref());
    if added
        .into_iter()
        .flatten()
        .any(|cap| !BASELINE_CAPABILITIES.contains(&cap.as_str()))
    {
        r(
            "capabilities_baseline",
            format!("{path}.securityContext.capabilities.add"),
        );
    }
    for (j, p) in c.ports.iter().flatten().enumerate() {
        if p.host_port.is_some_and(|h| h != 0) {
            r("hostPorts", format!("{path}.ports[{j}].hostPort"));
        }
    }
    if sc
        .app_armor_profile
        .as_ref()
        .is_some_and(|p| p.type_ == "Unconfined")
    {
        r(
            "appArmorProfile",
            format!("{path}.securityContext.appArmorProfile"),
        );
    }
    if let Some(se) = &sc.se_linux_options
        && !se_linux_ok(se)
    {
        r(
            "seLinuxOptions",
            format!("{path}.securityContext.seLinuxOptions"),
        );
    }
    if sc.proc_mount.as_deref().is_some_and(|m| m != "Default") {
        r("procMount", format!("{path}.securityContext.procMount"));
    }
    if sc
        .seccomp_profile
        .as_ref()
        .is_some_and(|p| p.type_ == "Unconfined")
    {
        r(
            "seccompProfile_baseline",
            format!("{path}.securityContext.seccompProfile"),
        );
    }
    if sc
        .windows_options
        .as_ref()
        .is_some_and(|w| w.host_process == Some(true))
    {
        r(
            "windowsHostProcess",
            format!("{path}.securityContext.windowsOptions.hostProcess"),
        );
    }
}

fn se_linux_ok(se: &k8s_openapi::api::core::v1::SELinuxOptions) -> bool {
    SELINUX_TYPES.contains(&se.type_.as_deref().unwrap_or(""))
        && se.user.as_deref().unwrap_or("").is_empty()
        && se.role.as_deref().unwrap_or("").is_empty()
}

/// Whether `volume` is of a type `restricted` allows (`check_restrictedVolumes.go`).
fn restricted_volume(v: &Volume) -> bool {
    v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some()
}

fn restricted(spec: &PodSpec, containers: &[(String, SecurityContext, &Container)], r: Report) {
    let pod = spec.security_context.clone().unwrap_or_default();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if !restricted_volume(v) {
            r("restrictedVolumes", format!("volumes[{i}]"));
        }
    }
    if pod.run_as_non_root == Some(false) {
        r("runAsNonRoot", "securityContext.runAsNonRoot".into());
    }
    if pod.run_as_user == Some(0) {
        r("runAsUser", "securityContext.runAsUser".into());
    }
    let pod_seccomp = pod.seccomp_profile.as_ref().map(|p| p.type_.as_str());
    let confined = |t: Option<&str>| matches!(t, Some("RuntimeDefault" | "Localhost"));
    for (path, sc, _) in containers {
        if sc.allow_privilege_escalation != Some(false) {
            r(
                "allowPrivilegeEscalation",
                format!("{path}.securityContext.allowPrivilegeEscalation"),
            );
        }
        // Non-root: the container's own setting, else the pod's, must be true.
        if sc.run_as_non_root.or(pod.run_as_non_root) != Some(true)
            && pod.run_as_non_root != Some(false)
        {
            r(
                "runAsNonRoot",
                format!("{path}.securityContext.runAsNonRoot"),
            );
        }
        if sc.run_as_user == Some(0) {
            r("runAsUser", format!("{path}.securityContext.runAsUser"));
        }
        let seccomp = sc.seccomp_profile.as_ref().map(|p| p.type_.as_str());
        if !confined(seccomp.or(pod_seccomp)) {
            r(
                "seccompProfile_restricted",
                format!("{path}.securityContext.seccompProfile"),
            );
        }
        let caps = sc.capabilities.as_ref();
        let drops_all = caps
            .and_then(|c| c.drop.as_ref())
            .is_some_and(|d| d.iter().any(|c| c == "ALL"));
        let adds_more = caps
            .and_then(|c| c.add.as_ref())
            .is_some_and(|a| a.iter().any(|c| c != "NET_BIND_SERVICE"));
        if !drops_all || adds_more {
            r(
                "capabilities_restricted",
                format!("{path}.securityContext.capabilities"),
            );
        }
    }
}

/// The most any app namespace may need: `baseline`. Host access (privileged pods) belongs
/// to the chart releases, whose namespaces declare their level
/// ([`portkey_model::chart::Chart::pod_security`]); an app whose pod needs more is a model error
/// ([`app_namespaces`]).
pub const APP_NAMESPACE_MAXIMUM: PodSecurity = PodSecurity::Baseline;

/// The level `warn` and `audit` are set to in every app namespace: the pods that would
/// fail `restricted` are reported, whatever `enforce` allows.
pub const APP_NAMESPACE_WARN: PodSecurity = PodSecurity::Restricted;

/// Every pod an app runs in its namespace, each with what it is: its workload's pod (init
/// containers and background jobs included) and the Volsync mover of each backed-up claim
/// ([`crate::backup::mover_pod`]).
pub fn app_pods(catalogue: &Catalogue<'_>, app: &ResolvedApp) -> Vec<(String, PodSpec)> {
    let mut out = vec![(
        format!("{} (the workload)", app.app.name),
        crate::workload::pod_spec(catalogue, app),
    )];
    for claim in app.claims.iter().filter(|c| c.backup.is_some()) {
        out.push((
            format!("the Volsync mover of claim {}", claim.name),
            crate::backup::mover_pod(app, &claim.name),
        ));
    }
    out
}

/// The derived Pod Security levels of the app namespaces, and the pods that need more than
/// [`APP_NAMESPACE_MAXIMUM`].
#[derive(Clone, Debug, Default)]
pub struct NamespaceLevels {
    /// Each app namespace's `enforce` level: the strictest level all of its pods pass.
    pub levels: BTreeMap<String, PodSecurity>,
    /// One error per failed check that needs more than the maximum, naming the app and
    /// the field.
    pub errors: Vec<ModelError>,
}

/// Derives each app namespace's `enforce` level from its apps' compiled pods
/// ([`app_pods`], [`level`]), and reports each pod that needs more than
/// [`APP_NAMESPACE_MAXIMUM`].
pub fn app_namespaces(catalogue: &Catalogue<'_>) -> NamespaceLevels {
    let mut out = NamespaceLevels::default();
    for app in &catalogue.apps {
        let mut strictest = PodSecurity::Restricted;
        for (what, spec) in app_pods(catalogue, app) {
            for v in violations(&spec) {
                strictest = strictest.min(v.allows);
                if v.allows < APP_NAMESPACE_MAXIMUM {
                    out.errors.push(too_much(app, &what, &v));
                }
            }
        }
        let ns = out
            .levels
            .entry(app.app.namespace.name().to_string())
            .or_insert(PodSecurity::Restricted);
        *ns = (*ns).min(strictest);
    }
    out
}

fn too_much(app: &ResolvedApp, pod: &str, v: &Violation) -> ModelError {
    // The model field behind the check, where the model has one.
    let beyond_baseline: Vec<&str> = app
        .app
        .security
        .exceptions
        .iter()
        .filter_map(|(e, _)| match e {
            Exception::Capability(c) if !BASELINE_CAPABILITIES.contains(&c.as_str()) => {
                Some(c.as_str())
            }
            _ => None,
        })
        .collect();
    let field = match (v.check, beyond_baseline.as_slice()) {
        ("capabilities_baseline", [cap, ..]) => {
            format!("allow(Exception::Capability({cap:?}))")
        }
        _ => format!("pod spec {}", v.field),
    };
    ModelError::at(&app.app.source, &app.app.name, field)
        .problem(format!(
            "the pod of {pod} needs Pod Security `privileged` (it fails the `{}` check at \
             `{}`), and app namespace `{}` allows at most `{}`",
            v.check,
            v.field,
            app.app.namespace.name(),
            APP_NAMESPACE_MAXIMUM.as_str()
        ))
        .fix(format!(
            "drop what needs host access (capabilities outside the baseline set: {}); a \
             workload that truly needs it belongs in a chart release whose namespace \
             declares `.pod_security(PodSecurity::Privileged)`",
            BASELINE_CAPABILITIES.join(", ")
        ))
}

/// The Pod Security labels of an app namespace: `enforce` at the derived `level`, `warn`
/// and `audit` at [`APP_NAMESPACE_WARN`].
pub fn app_namespace_labels(level: PodSecurity) -> BTreeMap<String, String> {
    [
        ("enforce", level),
        ("audit", APP_NAMESPACE_WARN),
        ("warn", APP_NAMESPACE_WARN),
    ]
    .into_iter()
    .map(|(mode, level)| {
        (
            format!("pod-security.kubernetes.io/{mode}"),
            level.as_str().to_string(),
        )
    })
    .collect()
}

#[cfg(test)]
mod tests;
