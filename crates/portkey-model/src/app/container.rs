//! The container: ports, environment, resources, probes and security.

use super::App;
use crate::quantity::{Cpu, Memory};

/// A container port, exposed by the app's Service on the same number.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Port {
    /// Port name (≤ 15 characters).
    pub name: String,
    /// Port number.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
    /// Also reachable from the LAN.
    pub lan: bool,
}

/// Transport protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Port {
    /// An HTTP port named `http`.
    pub fn http(port: u16) -> Self {
        Self::tcp("http", port)
    }
    /// A named TCP port.
    pub fn tcp(name: &str, port: u16) -> Self {
        Self {
            name: name.into(),
            port,
            protocol: Protocol::Tcp,
            lan: false,
        }
    }
    /// Makes this port (only) reachable from the LAN: it is also served by a second Service
    /// `<app>-lan` of type `LoadBalancer` with `externalTrafficPolicy: Local` (torrent peers,
    /// while the web UI stays behind the ingress).
    pub fn lan(mut self) -> Self {
        self.lan = true;
        self
    }
    /// A named UDP port.
    pub fn udp(name: &str, port: u16) -> Self {
        Self {
            name: name.into(),
            port,
            protocol: Protocol::Udp,
            lan: false,
        }
    }
}

/// An environment variable: a plain value or a reference to a Secret key. There is no way
/// to put a secret value in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Env {
    /// Variable name.
    pub name: String,
    /// Where the value comes from.
    pub value: EnvValue,
}

/// The value of an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum EnvValue {
    /// A literal, non-secret value.
    Plain(String),
    /// `valueFrom.secretKeyRef`.
    Secret(SecretKey),
}

/// A key of an existing Secret in the app's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct SecretKey {
    /// Secret name.
    pub secret: String,
    /// Key within it.
    pub key: String,
}

/// Names a key of an existing Secret: `secret("vaultwarden", "ADMIN_TOKEN")`.
pub fn secret(secret: &str, key: &str) -> SecretKey {
    SecretKey {
        secret: secret.into(),
        key: key.into(),
    }
}

/// Requests and limits. `None` takes the cluster default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Resources {
    /// CPU request.
    pub cpu_request: Option<Cpu>,
    /// CPU limit (none by default: CPU limits throttle more than they protect in a home lab).
    pub cpu_limit: Option<Cpu>,
    /// Memory request.
    pub memory_request: Option<Memory>,
    /// Memory limit.
    pub memory_limit: Option<Memory>,
}

/// A health check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Probe {
    /// What is checked.
    pub check: ProbeCheck,
    /// `failureThreshold`, when not the Kubernetes default.
    pub failure_threshold: Option<u32>,
    /// `periodSeconds`, when not the Kubernetes default.
    pub period_seconds: Option<u32>,
    /// `Host` header of an HTTP probe (apps that answer only to their public name).
    pub host_header: Option<String>,
}

/// The action a probe performs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum ProbeCheck {
    /// `httpGet` of this path on the primary port.
    Http(String),
    /// `tcpSocket` on the primary port.
    Tcp,
    /// `exec` of this command.
    Exec(Vec<String>),
}

impl Probe {
    /// `httpGet` of `path` on the primary port.
    pub fn http(path: &str) -> Self {
        Self::of(ProbeCheck::Http(path.into()))
    }
    /// `tcpSocket` on the primary port.
    pub fn tcp() -> Self {
        Self::of(ProbeCheck::Tcp)
    }
    /// `exec` of a command.
    pub fn exec(command: &[&str]) -> Self {
        Self::of(ProbeCheck::Exec(
            command.iter().map(|s| (*s).to_string()).collect(),
        ))
    }
    fn of(check: ProbeCheck) -> Self {
        Self {
            check,
            failure_threshold: None,
            period_seconds: None,
            host_header: None,
        }
    }
    /// Sends this `Host` header with an HTTP probe (`httpHeaders`), for apps that reject
    /// requests addressed to the pod IP (Nextcloud's trusted domains).
    pub fn host(mut self, host: &str) -> Self {
        self.host_header = Some(host.into());
        self
    }
    /// Allows `failures × period` seconds (startup probes: slow first boots).
    pub fn allow(mut self, failures: u32, period_seconds: u32) -> Self {
        self.failure_threshold = Some(failures);
        self.period_seconds = Some(period_seconds);
        self
    }
}

/// The app's probes.
///
/// Boxed: every app of a render is held until its end, most declare no probe of their own,
/// and three [`Probe`]s inline took 216 of an [`App`](super::App)'s 1,104 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Probes {
    /// Liveness probe.
    pub liveness: Option<Box<Probe>>,
    /// Readiness probe.
    pub readiness: Option<Box<Probe>>,
    /// Startup probe.
    pub startup: Option<Box<Probe>>,
    /// Probes deliberately left out, with the reason.
    pub disabled: Option<String>,
}

/// Pod and container security, secure by default. Every weakening carries a reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Security {
    /// UID (`None`: cluster default).
    pub uid: Option<i64>,
    /// GID and fsGroup (`None`: cluster default).
    pub gid: Option<i64>,
    /// Extra groups (`supplementalGroups`).
    pub supplemental_groups: Vec<i64>,
    /// Declared exceptions to the secure defaults.
    pub exceptions: Vec<(Exception, String)>,
}

/// An exception to the secure defaults (non-root, read-only root filesystem, no privilege
/// escalation, all capabilities dropped).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Exception {
    /// The image's init must start as root (it drops privileges itself).
    RunAsRoot,
    /// The image writes outside its volumes.
    WritableRootFilesystem,
    /// Keep one Linux capability.
    Capability(String),
}

impl Exception {
    /// Short key used in the annotation that records it (`run-as-root`).
    pub fn key(&self) -> String {
        match self {
            Exception::RunAsRoot => "run-as-root".into(),
            Exception::WritableRootFilesystem => "writable-root-filesystem".into(),
            Exception::Capability(c) => format!("capability-{}", c.to_ascii_lowercase()),
        }
    }
}
/// Annotation prefix recording a security exception and its reason.
pub const EXCEPTION_PREFIX: &str = "portkey.dev/exception.";

impl App {
    /// Adds a container port; the app's Service exposes it under the same name and number.
    pub fn port(mut self, port: Port) -> Self {
        self.ports.push(port);
        self
    }
    /// Sets a plain environment variable.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push(Env {
            name: name.into(),
            value: EnvValue::Plain(value.into()),
        });
        self
    }
    /// Sets an environment variable from a Secret key (`valueFrom.secretKeyRef`).
    pub fn env_secret(mut self, name: &str, key: SecretKey) -> Self {
        self.env.push(Env {
            name: name.into(),
            value: EnvValue::Secret(key),
        });
        self
    }
    /// CPU and memory requests (what the scheduler reserves).
    pub fn requests(mut self, cpu: Cpu, memory: Memory) -> Self {
        self.resources.cpu_request = Some(cpu);
        self.resources.memory_request = Some(memory);
        self
    }
    /// Memory limit (the container is OOM-killed above it).
    pub fn memory_limit(mut self, memory: Memory) -> Self {
        self.resources.memory_limit = Some(memory);
        self
    }
    /// CPU limit (none by default).
    pub fn cpu_limit(mut self, cpu: Cpu) -> Self {
        self.resources.cpu_limit = Some(cpu);
        self
    }
    /// Uses `probe` as both liveness and readiness probe.
    pub fn probe(mut self, probe: Probe) -> Self {
        let probe = Box::new(probe);
        self.probes.liveness = Some(probe.clone());
        self.probes.readiness = Some(probe);
        self
    }
    /// Adds a startup probe (liveness waits until it passes).
    pub fn startup(mut self, probe: Probe) -> Self {
        self.probes.startup = Some(Box::new(probe));
        self
    }
    /// Emits no probes, for this reason (the default is TCP on the primary port).
    pub fn no_probes(mut self, reason: &str) -> Self {
        self.probes.disabled = Some(reason.into());
        self
    }
    /// Runs as this UID, and this GID and fsGroup (default: the cluster's).
    pub fn run_as(mut self, uid: i64, gid: i64) -> Self {
        self.security.uid = Some(uid);
        self.security.gid = Some(gid);
        self
    }
    /// Adds supplemental groups.
    pub fn supplemental_groups(mut self, groups: &[i64]) -> Self {
        self.security.supplemental_groups.extend_from_slice(groups);
        self
    }
    /// Declares an exception to the secure defaults, and why. It is recorded on the
    /// workload as a `portkey.dev/exception.<key>` annotation.
    pub fn allow(mut self, exception: Exception, reason: &str) -> Self {
        self.security.exceptions.push((exception, reason.into()));
        self
    }
}
