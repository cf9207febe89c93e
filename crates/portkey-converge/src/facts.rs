//! What the simulation needs to know about each compiled object, read once from its JSON
//! (the same value the schemas and lints check), so that the render pipeline keeps only
//! these small records while it streams the objects to disk.

use std::collections::BTreeMap;
use std::sync::Arc;

use portkey_model::json::{at, str_at};
use serde_json::Value;

/// An object by kind, namespace and name: `Deployment media/jellyfin`.
///
/// One is kept in every [`Fact`] of a render until the replay (some 130,000 at N = 20,000),
/// so it is 48 bytes with one allocation of its own: the kind is never allocated, the
/// namespace is shared by the facts of one component's objects ([`Namespaces`]), and the
/// name is a boxed `str`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRef {
    /// Its `kind`: one of the kinds portkey reasons about, so never allocated.
    pub kind: &'static str,
    /// Its namespace (`None` for a cluster-scoped object).
    pub namespace: Option<Arc<str>>,
    /// Its name.
    pub name: Box<str>,
}

impl ObjectRef {
    /// `kind` `name` in `namespace`.
    pub fn new(kind: &'static str, namespace: Option<&str>, name: &str) -> Self {
        Self {
            kind,
            namespace: namespace.map(Arc::from),
            name: name.into(),
        }
    }
}

/// The namespace last read, shared by the facts that follow in it: one component's objects
/// are nearly all in one namespace, so its facts hold one copy of it ([`of_sharing`]).
#[derive(Debug, Default)]
pub struct Namespaces(Option<Arc<str>>);

impl Namespaces {
    /// `namespace`, shared with the facts read before it when it is the same.
    pub fn get(&mut self, namespace: &str) -> Arc<str> {
        match &self.0 {
            Some(last) if **last == *namespace => last.clone(),
            _ => self.0.insert(Arc::from(namespace)).clone(),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One `matchExpressions` entry of a required node-affinity term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    /// The label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist` (`Gt`/`Lt` never match here).
    pub operator: String,
    /// The values.
    pub values: Vec<String>,
}

/// Where a pod may run: its `nodeSelector`, the terms of its required node affinity (any
/// term, every expression of it), and whether it tolerates the control plane's taint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// `spec.nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`.
    pub terms: Vec<Vec<Expression>>,
    /// A toleration that matches `node-role.kubernetes.io/control-plane:NoSchedule`.
    pub tolerates_control_plane: bool,
}

/// A workload's claims, Secrets and resources: a [`portkey_model::SortedSet`], since every
/// workload's facts are kept until the replay (README, "Memory").
pub type Names = portkey_model::SortedSet<String>;

/// The pods of a Deployment, StatefulSet or DaemonSet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pods {
    /// The workload.
    pub object: ObjectRef,
    /// `spec.replicas` (1 when absent; a DaemonSet's is the number of nodes it selects).
    pub replicas: i64,
    /// Where its pods may run.
    pub selection: Selection,
    /// Extended resources its containers request (`gpu.intel.com/i915`).
    pub resources: Names,
    /// Claims its pods mount, by name.
    pub claims: Names,
    /// Secrets its pods need (not `optional`), by name.
    pub secrets: Names,
    /// For squat's generic-device-plugin: the resources it advertises (`--domain` and the
    /// names of its `--device` entries), on each node it runs on that has the device.
    pub advertises: Names,
    /// It mounts the kubelet's device-plugin directory: a device plugin. Without
    /// `advertises`, one for GPUs (ROCm's, NVIDIA's): it advertises the resource of each
    /// GPU on the nodes it runs on, but Intel's, which the `GpuDevicePlugin` serves.
    pub device_plugin: bool,
}

/// A Certificate's `spec.issuerRef`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuerRef {
    /// `kind` (`Issuer` when absent, as cert-manager defaults it).
    pub kind: Box<str>,
    /// `name`.
    pub name: Box<str>,
}

/// The directory where device plugins register with the kubelet.
pub const KUBELET_DEVICE_PLUGINS: &str = "/var/lib/kubelet/device-plugins";

/// What the simulation knows of one compiled object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// A Service of type `LoadBalancer`: healthy once it has an address.
    LoadBalancer(ObjectRef),
    /// An Ingress: healthy once its controller publishes an address; with a cluster issuer
    /// annotation and TLS, cert-manager's ingress-shim makes a Certificate for it.
    Ingress {
        /// The Ingress.
        object: ObjectRef,
        /// `spec.ingressClassName`.
        class: Option<Box<str>>,
        /// With TLS and a `cert-manager.io/cluster-issuer` annotation: the issuer, and the
        /// TLS Secret the Certificate ingress-shim makes is named after.
        certificate: Option<Box<(String, String)>>,
    },
    /// A Deployment, StatefulSet or DaemonSet.
    Pods(Box<Pods>),
    /// A PersistentVolumeClaim.
    Claim {
        /// The claim.
        object: ObjectRef,
        /// `spec.storageClassName`.
        class: Option<Box<str>>,
        /// The `ReplicationDestination` of its `dataSourceRef` (a restore).
        restore: Option<Box<str>>,
    },
    /// A StorageClass.
    StorageClass {
        /// Its name.
        name: Box<str>,
        /// Its provisioner (CSI driver).
        provisioner: Box<str>,
        /// `volumeBindingMode: WaitForFirstConsumer`.
        waits_for_consumer: bool,
    },
    /// A cert-manager ClusterIssuer with its ACME solvers.
    ClusterIssuer {
        /// The issuer.
        object: ObjectRef,
        /// Ingress classes of its HTTP-01 solvers.
        http01: Box<[String]>,
        /// Secrets its DNS-01 solvers read (the API token).
        dns01_secrets: Box<[String]>,
    },
    /// A cert-manager (namespaced) Issuer.
    Issuer {
        /// The issuer.
        object: ObjectRef,
        /// `spec.selfSigned`: Ready at once.
        self_signed: bool,
        /// `spec.ca.secretName`: the CA key pair it signs with.
        ca_secret: Option<Box<str>>,
    },
    /// A cert-manager Certificate portkey emits (not one ingress-shim makes); its Secret is
    /// also a [`Fact::Secret`] of the same component.
    Certificate {
        /// The certificate.
        object: ObjectRef,
        /// `spec.issuerRef`, boxed: it would make every `Fact` 16 bytes larger, for the few
        /// Certificates a render has.
        issuer: Box<IssuerRef>,
        /// `spec.secretName`.
        secret: Box<str>,
    },
    /// An Intel `GpuDevicePlugin`: the operator runs its DaemonSet with this nodeSelector.
    GpuPlugin {
        /// The custom resource.
        object: ObjectRef,
        /// `spec.nodeSelector`.
        node_selector: BTreeMap<String, String>,
    },
    /// A Volsync `ReplicationDestination` with a manual trigger: a one-shot restore.
    Restore {
        /// The ReplicationDestination.
        object: ObjectRef,
        /// Its restic repository Secret.
        repository: Box<str>,
    },
    /// A Secret that exists once the component syncs (a Secret, or an ExternalSecret's
    /// target), by namespace and name.
    Secret(Arc<str>, Box<str>),
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The kinds [`of`] finds facts of: every kind its `match` names, and no other (an object of
/// another kind has none). A `Fact` is kept for every object of a render until the replay,
/// so its kind is one of these, never a copy.
const FACT_KINDS: [&str; 14] = [
    "Service",
    "Ingress",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "PersistentVolumeClaim",
    "StorageClass",
    "ClusterIssuer",
    "Issuer",
    "Certificate",
    "GpuDevicePlugin",
    "ReplicationDestination",
    "Secret",
    "ExternalSecret",
];

/// `kind` as one of [`FACT_KINDS`], if it is one.
fn fact_kind(kind: &str) -> Option<&'static str> {
    FACT_KINDS.into_iter().find(|k| *k == kind)
}

/// The facts of one compiled object (`value` is its JSON); none for kinds that are healthy
/// once applied (ConfigMaps, Services of other types, CRDs, namespaces...).
pub fn of(value: &Value) -> Vec<Fact> {
    of_sharing(value, &mut Namespaces::default())
}

/// [`of`], the facts' namespace shared through `namespaces` with the facts read before
/// them: what the render does for the objects of one component.
pub fn of_sharing(value: &Value, namespaces: &mut Namespaces) -> Vec<Fact> {
    let Some(kind) = str_at(value, "/kind").and_then(fact_kind) else {
        return Vec::new();
    };
    let name = str_at(value, "/metadata/name").unwrap_or_default();
    let namespace = str_at(value, "/metadata/namespace").map(|ns| namespaces.get(ns));
    let object = ObjectRef {
        kind,
        namespace: namespace.clone(),
        name: name.into(),
    };
    match kind {
        "Service" if str_at(value, "/spec/type") == Some("LoadBalancer") => {
            vec![Fact::LoadBalancer(object)]
        }
        "Ingress" => {
            let secret = str_at(value, "/spec/tls/0/secretName");
            let issuer = at(value, "/metadata/annotations")
                .and_then(|a| {
                    a.get(portkey_compile::crd::cert_manager::cluster_issuer_annotation())
                })
                .and_then(Value::as_str);
            vec![Fact::Ingress {
                object,
                class: str_at(value, "/spec/ingressClassName").map(Box::from),
                certificate: issuer
                    .zip(secret)
                    .map(|(i, s)| Box::new((i.into(), s.into()))),
            }]
        }
        "Deployment" | "StatefulSet" | "DaemonSet" => vec![workload(object, value)],
        "PersistentVolumeClaim" => {
            let restore = at(value, "/spec/dataSourceRef")
                .filter(|r| str_at(r, "/kind") == Some("ReplicationDestination"))
                .and_then(|r| str_at(r, "/name"))
                .map(Box::from);
            vec![Fact::Claim {
                object,
                class: str_at(value, "/spec/storageClassName").map(Box::from),
                restore,
            }]
        }
        "StorageClass" => vec![Fact::StorageClass {
            name: name.into(),
            provisioner: str_at(value, "/provisioner").unwrap_or_default().into(),
            waits_for_consumer: str_at(value, "/volumeBindingMode") == Some("WaitForFirstConsumer"),
        }],
        "ClusterIssuer" => {
            let solvers = at(value, "/spec/acme/solvers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut http01 = Vec::new();
            let mut dns01_secrets = Vec::new();
            for s in &solvers {
                if let Some(class) = str_at(s, "/http01/ingress/ingressClassName")
                    .or_else(|| str_at(s, "/http01/ingress/class"))
                {
                    http01.push(class.to_string());
                }
                if let Some(dns) = s.get("dns01") {
                    secret_refs(dns, &mut dns01_secrets);
                }
            }
            vec![Fact::ClusterIssuer {
                object,
                http01: http01.into(),
                dns01_secrets: dns01_secrets.into(),
            }]
        }
        "Issuer" | "Certificate" => cert_manager(object, value),
        "GpuDevicePlugin" => vec![Fact::GpuPlugin {
            object,
            node_selector: string_map(at(value, "/spec/nodeSelector")),
        }],
        "ReplicationDestination" if at(value, "/spec/trigger/manual").is_some() => {
            match str_at(value, "/spec/restic/repository") {
                Some(repo) => vec![Fact::Restore {
                    object,
                    repository: repo.into(),
                }],
                None => Vec::new(),
            }
        }
        "Secret" => vec![Fact::Secret(
            namespace.unwrap_or_else(|| Arc::from("")),
            name.into(),
        )],
        "ExternalSecret" => vec![Fact::Secret(
            namespace.unwrap_or_else(|| Arc::from("")),
            str_at(value, "/spec/target/name").unwrap_or(name).into(),
        )],
        _ => Vec::new(),
    }
}

/// The facts of an Issuer or a Certificate portkey emits (the Certificate's Secret too).
fn cert_manager(object: ObjectRef, value: &Value) -> Vec<Fact> {
    if object.kind == "Issuer" {
        return vec![Fact::Issuer {
            object,
            self_signed: at(value, "/spec/selfSigned").is_some(),
            ca_secret: str_at(value, "/spec/ca/secretName").map(Box::from),
        }];
    }
    let secret = str_at(value, "/spec/secretName").unwrap_or_default();
    let namespace = object.namespace.clone().unwrap_or_else(|| Arc::from(""));
    vec![
        Fact::Certificate {
            object,
            issuer: Box::new(IssuerRef {
                kind: str_at(value, "/spec/issuerRef/kind")
                    .unwrap_or("Issuer")
                    .into(),
                name: str_at(value, "/spec/issuerRef/name")
                    .unwrap_or_default()
                    .into(),
            }),
            secret: secret.into(),
        },
        Fact::Secret(namespace, secret.into()),
    ]
}

/// Every `...SecretRef.name` under a DNS-01 solver (`cloudflare.apiTokenSecretRef`).
fn secret_refs(v: &Value, out: &mut Vec<String>) {
    if let Some(m) = v.as_object() {
        for (k, v) in m {
            if k.ends_with("SecretRef") {
                if let Some(n) = str_at(v, "/name") {
                    out.push(n.into());
                }
            } else {
                secret_refs(v, out);
            }
        }
    }
}

/// The fact of a Deployment, StatefulSet or DaemonSet.
fn workload(object: ObjectRef, value: &Value) -> Fact {
    let replicas = if object.kind == "DaemonSet" {
        1
    } else {
        at(value, "/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1)
    };
    let pod = at(value, "/spec/template/spec").unwrap_or(&Value::Null);
    Fact::Pods(Box::new(pods(object, replicas, pod)))
}

fn pods(object: ObjectRef, replicas: i64, pod: &Value) -> Pods {
    let terms = at(
        pod,
        "/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms",
    )
    .and_then(Value::as_array)
    .map(|terms| {
        terms
            .iter()
            .map(|t| {
                t.get("matchExpressions")
                    .and_then(Value::as_array)
                    .map(|e| {
                        e.iter()
                            .map(|e| Expression {
                                key: str_at(e, "/key").unwrap_or_default().into(),
                                operator: str_at(e, "/operator").unwrap_or_default().into(),
                                values: strings(e.get("values")),
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    })
    .unwrap_or_default();
    let tolerates_control_plane = pod
        .get("tolerations")
        .and_then(Value::as_array)
        .is_some_and(|t| {
            t.iter().any(|t| {
                let key = str_at(t, "/key");
                (key.is_none() && str_at(t, "/operator") == Some("Exists"))
                    || key == Some(CONTROL_PLANE_TAINT)
            })
        });
    let mut out = Pods {
        object,
        replicas,
        selection: Selection {
            node_selector: string_map(pod.get("nodeSelector")),
            terms,
            tolerates_control_plane,
        },
        resources: Names::default(),
        claims: Names::default(),
        secrets: Names::default(),
        advertises: Names::default(),
        device_plugin: false,
    };
    for c in ["containers", "initContainers"]
        .into_iter()
        .filter_map(|k| pod.get(k).and_then(Value::as_array))
        .flatten()
    {
        container(c, &mut out);
    }
    for v in pod
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(c) = str_at(v, "/persistentVolumeClaim/claimName") {
            out.claims.insert(c.into());
        }
        if let Some(s) = v.get("secret") {
            required_secret(s, "/secretName", &mut out.secrets);
        }
        if str_at(v, "/hostPath/path") == Some(KUBELET_DEVICE_PLUGINS) {
            out.device_plugin = true;
        }
    }
    for names in [
        &mut out.resources,
        &mut out.claims,
        &mut out.secrets,
        &mut out.advertises,
    ] {
        names.shrink_to_fit();
    }
    out
}

/// What one container adds: its extended resources, its Secrets and, for squat's
/// generic-device-plugin, what it advertises.
fn container(c: &Value, out: &mut Pods) {
    for section in ["requests", "limits"] {
        if let Some(r) = at(c, &format!("/resources/{section}")).and_then(Value::as_object) {
            for k in r.keys().filter(|k| is_extended(k)) {
                out.resources.insert(k.clone());
            }
        }
    }
    for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
        if let Some(r) = at(e, "/valueFrom/secretKeyRef") {
            required_secret(r, "/name", &mut out.secrets);
        }
    }
    for e in c
        .get("envFrom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(r) = e.get("secretRef") {
            required_secret(r, "/name", &mut out.secrets);
        }
    }
    let args = strings(c.get("args"));
    let domain = args.iter().find_map(|a| a.strip_prefix("--domain="));
    if let Some(domain) = domain {
        for a in &args {
            let Some(spec) = a.strip_prefix("--device=") else {
                continue;
            };
            if let Some(n) = serde_json::from_str::<Value>(spec)
                .ok()
                .as_ref()
                .and_then(|v| str_at(v, "/name"))
            {
                out.advertises.insert(format!("{domain}/{n}"));
            }
        }
    }
}

fn required_secret(r: &Value, pointer: &str, out: &mut Names) {
    if r.get("optional").and_then(Value::as_bool) != Some(true)
        && let Some(n) = str_at(r, pointer)
    {
        out.insert(n.into());
    }
}

/// The taint kubeadm puts on control-plane nodes.
pub const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane";

/// An extended resource: a domain-prefixed name outside `kubernetes.io` (`cpu`, `memory`,
/// `hugepages-*` and `ephemeral-storage` are not).
fn is_extended(name: &str) -> bool {
    name.split_once('/')
        .is_some_and(|(domain, _)| !domain.ends_with("kubernetes.io"))
}

#[cfg(test)]
mod tests {
    use super::{Fact, Namespaces, of_sharing};
    use serde_json::json;
    use std::sync::Arc;

    fn namespace(facts: &[Fact]) -> Arc<str> {
        match facts {
            [Fact::Secret(ns, _)] => ns.clone(),
            [Fact::Claim { object, .. }] => object.namespace.clone().unwrap(),
            other => panic!("one Secret or claim fact, got {other:?}"),
        }
    }

    /// A fact is kept for every object of a render until the replay (about 137,000 at
    /// N = 20,000): a variant that grows past the others grows them all.
    #[test]
    fn a_fact_stays_small() {
        assert_eq!(std::mem::size_of::<super::ObjectRef>(), 48);
        assert!(
            std::mem::size_of::<Fact>() <= 88,
            "a Fact is {} bytes; box the large variant's rare parts",
            std::mem::size_of::<Fact>()
        );
    }

    #[test]
    fn the_facts_of_one_namespace_hold_one_copy_of_its_name() {
        let object = |kind: &str, ns: &str| json!({"kind": kind, "metadata": {"name": "data", "namespace": ns}});
        let mut namespaces = Namespaces::default();
        let secret = namespace(&of_sharing(&object("Secret", "media"), &mut namespaces));
        let claim = namespace(&of_sharing(
            &object("PersistentVolumeClaim", "media"),
            &mut namespaces,
        ));
        let other = namespace(&of_sharing(&object("Secret", "home"), &mut namespaces));
        assert_eq!((&*secret, &*claim, &*other), ("media", "media", "home"));
        assert!(Arc::ptr_eq(&secret, &claim), "one namespace, one copy");
        assert!(!Arc::ptr_eq(&claim, &other));
    }
}
