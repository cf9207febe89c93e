//! One pod spec per rule, each breaking exactly that rule of a pod that passes
//! `restricted`.

use k8s_openapi::api::core::v1::{
    AppArmorProfile, Capabilities, Container, ContainerPort, HostPathVolumeSource, NFSVolumeSource,
    PodSecurityContext, PodSpec, SELinuxOptions, SeccompProfile, SecurityContext, Sysctl, Volume,
};
use portkey_model::chart::PodSecurity;

use super::{Violation, level, violations};

fn seccomp(t: &str) -> SeccompProfile {
    SeccompProfile {
        type_: t.into(),
        ..SeccompProfile::default()
    }
}

/// A pod that passes `restricted`: non-root, RuntimeDefault, no escalation, ALL dropped.
fn good() -> PodSpec {
    PodSpec {
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(1000),
            seccomp_profile: Some(seccomp("RuntimeDefault")),
            ..PodSecurityContext::default()
        }),
        containers: vec![Container {
            name: "app".into(),
            security_context: Some(SecurityContext {
                allow_privilege_escalation: Some(false),
                capabilities: Some(Capabilities {
                    drop: Some(vec!["ALL".into()]),
                    add: None,
                }),
                ..SecurityContext::default()
            }),
            ..Container::default()
        }],
        ..PodSpec::default()
    }
}

fn pod(f: impl FnOnce(&mut PodSecurityContext)) -> PodSpec {
    let mut spec = good();
    f(spec.security_context.as_mut().unwrap());
    spec
}

fn container(f: impl FnOnce(&mut SecurityContext)) -> PodSpec {
    let mut spec = good();
    f(spec.containers[0].security_context.as_mut().unwrap());
    spec
}

fn volume(f: impl FnOnce(&mut Volume)) -> PodSpec {
    let mut v = Volume {
        name: "v".into(),
        ..Volume::default()
    };
    f(&mut v);
    PodSpec {
        volumes: Some(vec![v]),
        ..good()
    }
}

/// `spec` fails exactly `check`, at `field`, and passes `allows` at best.
fn fails_only(spec: &PodSpec, check: &'static str, field: &str, allows: PodSecurity) {
    assert_eq!(
        violations(spec),
        vec![Violation {
            allows,
            check,
            field: field.into(),
        }],
    );
    assert_eq!(level(spec), allows);
}

fn breaks_baseline(spec: &PodSpec, check: &'static str, field: &str) {
    fails_only(spec, check, field, PodSecurity::Privileged);
}

fn breaks_restricted(spec: &PodSpec, check: &'static str, field: &str) {
    fails_only(spec, check, field, PodSecurity::Baseline);
}

#[test]
fn a_hardened_pod_is_restricted() {
    assert_eq!(violations(&good()), vec![]);
    assert_eq!(level(&good()), PodSecurity::Restricted);
}

#[test]
fn host_namespaces() {
    let spec = PodSpec {
        host_network: Some(true),
        ..good()
    };
    breaks_baseline(&spec, "hostNamespaces", "hostNetwork");
    let spec = PodSpec {
        host_pid: Some(true),
        ..good()
    };
    breaks_baseline(&spec, "hostNamespaces", "hostPID");
}

#[test]
fn privileged() {
    let spec = container(|c| c.privileged = Some(true));
    breaks_baseline(
        &spec,
        "privileged",
        "containers[0].securityContext.privileged",
    );
}

#[test]
fn capabilities_baseline() {
    // NET_ADMIN is outside the baseline set, so it breaks `restricted` as well: the
    // strictest level is privileged, and both checks are reported.
    let spec = container(|c| {
        c.capabilities.as_mut().unwrap().add = Some(vec!["NET_ADMIN".into()]);
    });
    let checks: Vec<&str> = violations(&spec).iter().map(|v| v.check).collect();
    assert_eq!(checks, ["capabilities_baseline", "capabilities_restricted"]);
    assert_eq!(level(&spec), PodSecurity::Privileged);
}

#[test]
fn host_path_volumes() {
    let spec = volume(|v| {
        v.host_path = Some(HostPathVolumeSource {
            path: "/dev".into(),
            type_: None,
        });
    });
    let checks: Vec<&str> = violations(&spec).iter().map(|v| v.check).collect();
    assert_eq!(checks, ["hostPathVolumes", "restrictedVolumes"]);
    assert_eq!(level(&spec), PodSecurity::Privileged);
}

#[test]
fn host_ports() {
    let mut spec = good();
    spec.containers[0].ports = Some(vec![ContainerPort {
        container_port: 80,
        host_port: Some(80),
        ..ContainerPort::default()
    }]);
    breaks_baseline(&spec, "hostPorts", "containers[0].ports[0].hostPort");
}

#[test]
fn app_armor_profile() {
    let spec = container(|c| {
        c.app_armor_profile = Some(AppArmorProfile {
            type_: "Unconfined".into(),
            localhost_profile: None,
        });
    });
    breaks_baseline(
        &spec,
        "appArmorProfile",
        "containers[0].securityContext.appArmorProfile",
    );
}

#[test]
fn se_linux_options() {
    let spec = pod(|p| {
        p.se_linux_options = Some(SELinuxOptions {
            type_: Some("spc_t".into()),
            ..SELinuxOptions::default()
        });
    });
    breaks_baseline(&spec, "seLinuxOptions", "securityContext.seLinuxOptions");
}

#[test]
fn proc_mount() {
    let spec = container(|c| c.proc_mount = Some("Unmasked".into()));
    breaks_baseline(
        &spec,
        "procMount",
        "containers[0].securityContext.procMount",
    );
}

#[test]
fn seccomp_profile_baseline() {
    // Unconfined is neither baseline nor restricted.
    let spec = pod(|p| p.seccomp_profile = Some(seccomp("Unconfined")));
    let checks: Vec<&str> = violations(&spec).iter().map(|v| v.check).collect();
    assert_eq!(
        checks,
        ["seccompProfile_baseline", "seccompProfile_restricted"]
    );
    assert_eq!(level(&spec), PodSecurity::Privileged);
}

#[test]
fn sysctls() {
    let spec = pod(|p| {
        p.sysctls = Some(vec![Sysctl {
            name: "kernel.msgmax".into(),
            value: "1".into(),
        }]);
    });
    breaks_baseline(&spec, "sysctls", "securityContext.sysctls[0]");
    let safe = pod(|p| {
        p.sysctls = Some(vec![Sysctl {
            name: "net.ipv4.ping_group_range".into(),
            value: "0 1".into(),
        }]);
    });
    assert_eq!(level(&safe), PodSecurity::Restricted);
}

#[test]
fn restricted_volumes() {
    let spec = volume(|v| {
        v.nfs = Some(NFSVolumeSource {
            server: "nas".into(),
            path: "/media".into(),
            read_only: None,
        });
    });
    breaks_restricted(&spec, "restrictedVolumes", "volumes[0]");
}

#[test]
fn allow_privilege_escalation() {
    let spec = container(|c| c.allow_privilege_escalation = None);
    breaks_restricted(
        &spec,
        "allowPrivilegeEscalation",
        "containers[0].securityContext.allowPrivilegeEscalation",
    );
}

#[test]
fn run_as_non_root() {
    let spec = pod(|p| p.run_as_non_root = Some(false));
    breaks_restricted(&spec, "runAsNonRoot", "securityContext.runAsNonRoot");
    let unset = pod(|p| p.run_as_non_root = None);
    breaks_restricted(
        &unset,
        "runAsNonRoot",
        "containers[0].securityContext.runAsNonRoot",
    );
}

#[test]
fn run_as_user() {
    let spec = container(|c| c.run_as_user = Some(0));
    breaks_restricted(
        &spec,
        "runAsUser",
        "containers[0].securityContext.runAsUser",
    );
}

#[test]
fn seccomp_profile_restricted() {
    let spec = pod(|p| p.seccomp_profile = None);
    breaks_restricted(
        &spec,
        "seccompProfile_restricted",
        "containers[0].securityContext.seccompProfile",
    );
    let own = container(|c| c.seccomp_profile = Some(seccomp("Localhost")));
    assert_eq!(level(&own), PodSecurity::Restricted);
}

#[test]
fn capabilities_restricted() {
    let keeps = container(|c| c.capabilities = None);
    breaks_restricted(
        &keeps,
        "capabilities_restricted",
        "containers[0].securityContext.capabilities",
    );
    let adds = container(|c| {
        c.capabilities.as_mut().unwrap().add = Some(vec!["CHOWN".into()]);
    });
    breaks_restricted(
        &adds,
        "capabilities_restricted",
        "containers[0].securityContext.capabilities",
    );
    let bind = container(|c| {
        c.capabilities.as_mut().unwrap().add = Some(vec!["NET_BIND_SERVICE".into()]);
    });
    assert_eq!(level(&bind), PodSecurity::Restricted);
}
