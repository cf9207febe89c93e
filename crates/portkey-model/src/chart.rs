//! Infrastructure as typed chart releases: an upstream Helm chart (repository, chart,
//! version) with structured values, compiled into an Argo CD Application with a helm source.
//!
//! A release says what it provides (the API groups of the CRDs it installs, storage classes)
//! and what it needs; portkey derives the sync waves from that, never from hand numbering.

use serde_json::Value;

pub mod network_policy;
pub mod values;

pub use network_policy::{NetworkPolicyCoverage, Prometheus};

/// A capability one component provides and others need.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum Capability {
    /// The CRDs of an API group (`cert-manager.io`): custom resources of the group wait for it.
    Crds(String),
    /// A StorageClass: claims on it wait for it.
    StorageClass(String),
    /// An IngressClass.
    IngressClass(String),
    /// A namespace, created with its Pod Security labels.
    Namespace(String),
    /// An extended resource advertised by a device plugin (`gpu.intel.com/i915`).
    Resource(String),
    /// A CSI driver (`rook-ceph.rbd.csi.ceph.com`) that storage classes name as provisioner.
    Provisioner(String),
    /// Addresses for Services of type `LoadBalancer` (a load-balancer implementation such as
    /// MetalLB with an address pool). Without one, such a Service stays `<pending>` and
    /// Argo CD keeps it, and every Ingress that copies its status, `Progressing`.
    LoadBalancer,
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capability::Crds(g) => write!(f, "CRDs of {g}"),
            Capability::StorageClass(c) => write!(f, "StorageClass {c}"),
            Capability::IngressClass(c) => write!(f, "IngressClass {c}"),
            Capability::Namespace(n) => write!(f, "namespace {n}"),
            Capability::Resource(r) => write!(f, "resource {r}"),
            Capability::Provisioner(p) => write!(f, "CSI driver {p}"),
            Capability::LoadBalancer => f.write_str("LoadBalancer addresses"),
        }
    }
}

/// A Helm chart release managed by Argo CD.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Chart {
    /// Release and Application name.
    pub name: String,
    /// Namespace the release installs into (created by Argo CD with Pod Security labels).
    pub namespace: String,
    /// Pod Security level of that namespace (`privileged` for storage and device plugins).
    pub pod_security: PodSecurity,
    /// The file that declared it.
    pub source: String,
    /// One-line description.
    pub description: String,
    /// Helm repository URL (`https://charts.jetstack.io`) or OCI registry (`ghcr.io/...`).
    pub repo: String,
    /// Chart name.
    pub chart: String,
    /// Chart version (Renovate's helm datasource updates it).
    pub version: String,
    /// Helm values, structured.
    pub values: Value,
    /// What it provides to others.
    pub provides: Vec<Capability>,
    /// What it needs from others (besides what its values imply).
    pub needs: Vec<Capability>,
    /// Other releases or apps it needs first, by name.
    pub after: Vec<String>,
    /// Apply server-side (CRDs too large for the last-applied annotation).
    pub server_side_apply: bool,
    /// Secrets the values reference (created outside Git): name and keys.
    pub secrets: Vec<(String, Vec<String>)>,
    /// The documented form of a Secret key's value, by `(secret, key)`: BOOTSTRAP.md prints
    /// it in the `kubectl create secret` command (`https://ntfy.sh/<topic>?template=alertmanager`).
    pub secret_forms: Vec<(String, String, String)>,
    /// The fixed address of the chart's `LoadBalancer` Service, from the inventory's pool
    /// (DNS records point at it); the values must request it.
    pub load_balancer_address: Option<String>,
    /// Value paths the release sets on purpose although the chart's default `values.yaml`
    /// lacks them, each with its reason (see [`Chart::new_value_path`]).
    pub new_value_paths: Vec<(String, String)>,
    /// Whether the chart's own NetworkPolicies cover its namespace (see
    /// [`Chart::network_policies_from_chart`] and [`Chart::no_network_policy`]).
    pub network_policy: NetworkPolicyCoverage,
    /// The Prometheus it runs, which scrapes the apps' metrics (see [`Chart::runs_prometheus`]).
    pub prometheus: Option<Prometheus>,
}

/// Pod Security Standard level of a namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum PodSecurity {
    /// Privileged: host access (storage drivers, device plugins, node exporters).
    Privileged,
    /// Baseline: no known privilege escalations (the default).
    #[default]
    Baseline,
    /// Restricted: hardened.
    Restricted,
}

impl PodSecurity {
    /// The label value.
    pub const fn as_str(self) -> &'static str {
        match self {
            PodSecurity::Privileged => "privileged",
            PodSecurity::Baseline => "baseline",
            PodSecurity::Restricted => "restricted",
        }
    }
}

impl Chart {
    /// A release of `chart` at `version` from the Helm repository `repo`, named after the
    /// chart and installed into `namespace`. Keep the three strings on one line of the call:
    /// Renovate's helm manager matches `Chart::helm("<repo>", "<chart>", "<version>")`.
    pub fn helm(repo: &str, chart: &str, version: &str) -> Self {
        Self {
            name: chart.into(),
            namespace: chart.into(),
            pod_security: PodSecurity::Baseline,
            source: String::new(),
            description: String::new(),
            repo: repo.into(),
            chart: chart.into(),
            version: version.into(),
            values: Value::Object(serde_json::Map::new()),
            provides: Vec::new(),
            needs: Vec::new(),
            after: Vec::new(),
            server_side_apply: false,
            secrets: Vec::new(),
            secret_forms: Vec::new(),
            load_balancer_address: None,
            new_value_paths: Vec::new(),
            network_policy: NetworkPolicyCoverage::Undeclared,
            prometheus: None,
        }
    }
    /// Records the declaring file (the registry sets it).
    pub fn source(mut self, path: &str) -> Self {
        self.source = path.into();
        self
    }
    /// Names the release (default: the chart name).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }
    /// Installs into `namespace` (default: the chart name).
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = namespace.into();
        self
    }
    /// One-line description.
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.into();
        self
    }
    /// Sets the namespace's Pod Security level (default baseline).
    pub fn pod_security(mut self, level: PodSecurity) -> Self {
        self.pod_security = level;
        self
    }
    /// Helm values (compiled to `spec.source.helm.valuesObject`).
    pub fn values(mut self, values: Value) -> Self {
        self.values = values;
        self
    }
    /// Declares that the release installs the CRDs of an API group.
    pub fn provides_crds(mut self, group: &str) -> Self {
        self.provides.push(Capability::Crds(group.into()));
        self
    }
    /// Declares that the release provides a StorageClass.
    pub fn provides_storage_class(mut self, class: &str) -> Self {
        self.provides.push(Capability::StorageClass(class.into()));
        self
    }
    /// Declares that the release provides an IngressClass.
    pub fn provides_ingress_class(mut self, class: &str) -> Self {
        self.provides.push(Capability::IngressClass(class.into()));
        self
    }
    /// Declares that the release provides a CSI driver (storage classes naming it wait).
    pub fn provides_csi_driver(mut self, driver: &str) -> Self {
        self.provides.push(Capability::Provisioner(driver.into()));
        self
    }
    /// Declares that the release needs the CRDs of an API group before it starts.
    pub fn needs_crds(mut self, group: &str) -> Self {
        self.needs.push(Capability::Crds(group.into()));
        self
    }
    /// Declares that the release needs a StorageClass (its charts' PVCs).
    pub fn needs_storage_class(mut self, class: &str) -> Self {
        self.needs.push(Capability::StorageClass(class.into()));
        self
    }
    /// Declares that the chart publishes a Service of type `LoadBalancer` (an ingress
    /// controller): it needs a load-balancer implementation to become healthy.
    pub fn needs_load_balancer(mut self) -> Self {
        self.needs.push(Capability::LoadBalancer);
        self
    }
    /// Declares the fixed address the chart's `LoadBalancer` Service requests from the
    /// inventory's pool, so that the pool and uniqueness checks see it (and BOOTSTRAP.md
    /// lists the DNS records to point at it for the ingress controller). It writes nothing
    /// itself: the values must request the same address, for MetalLB with the
    /// `metallb.io/loadBalancerIPs` Service annotation; resolution checks that they mention it.
    pub fn load_balancer_address(mut self, address: &str) -> Self {
        self.load_balancer_address = Some(address.into());
        self
    }
    /// Syncs after another release or app.
    pub fn after(mut self, name: &str) -> Self {
        self.after.push(name.into());
        self
    }
    /// Declares a Secret the values reference, with its keys; it is listed in BOOTSTRAP.md.
    pub fn needs_secret(mut self, name: &str, keys: &[&str]) -> Self {
        self.secrets
            .push((name.into(), keys.iter().map(|k| (*k).to_string()).collect()));
        self
    }
    /// Documents the form of the value of `key` in the Secret `name` (declare the Secret with
    /// [`Chart::needs_secret`] too): BOOTSTRAP.md prints `--from-literal=<key>='<form>'` in
    /// place of `'...'`. Use placeholders in angle brackets, never a real value.
    pub fn secret_form(mut self, name: &str, key: &str, form: &str) -> Self {
        self.secret_forms
            .push((name.into(), key.into(), form.into()));
        self
    }
    /// Declares that the values set `path` (dot-separated, `controller.extraEnv`) on purpose
    /// although the chart's default `values.yaml` has no such key, for `reason` (a key the
    /// templates read but the defaults leave out, or one only newer templates know).
    ///
    /// It compiles to nothing: the value-path check then warns about the path, and every
    /// path under it, instead of failing the render. Without it, a value path missing from
    /// the defaults is an error, which is what catches a misspelt key in a chart that ships
    /// no `values.schema.json`. Declaring a path the defaults do have is an error too, so
    /// stale declarations go.
    pub fn new_value_path(mut self, path: &str, reason: &str) -> Self {
        self.new_value_paths.push((path.into(), reason.into()));
        self
    }
    /// Applies with `ServerSideApply=true` (large CRDs).
    pub fn server_side_apply(mut self) -> Self {
        self.server_side_apply = true;
        self
    }
}
