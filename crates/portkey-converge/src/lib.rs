//! The bootstrap simulation: replays Argo CD's sync of the root Application wave by wave on
//! what portkey compiled, with the health rules Argo CD applies, and names the first object
//! that could never become healthy, with the reason and the fix.
//!
//! The model of Argo CD:
//! - the root Application syncs one child Application per component, ordered by
//!   `argocd.argoproj.io/sync-wave`, and waits for every child of a wave to be healthy
//!   before the next (the Application health customization portkey installs makes a child
//!   healthy only when it is `Healthy` *and* `Synced`: [`charts`]);
//! - a child is healthy when all its resources are ([`rules`] has one rule per kind, each
//!   citing the gitops-engine or Argo CD check it follows);
//! - chart releases are judged by what portkey knows of them: their declared needs and the
//!   objects portkey knows they create ([`charts`]).
//!
//! Each rule answers Healthy, with the provider that made it so, or Never, with the reason,
//! the fix, and the object whose own failure it follows from (`blocked_by`). The objects
//! that fail on their own account are the problems render reports ([`Simulation::problems`]).

pub mod charts;
pub mod facts;
pub mod nodes;
pub mod rules;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use portkey_model::ModelError;
use portkey_model::chart::Capability;
use portkey_model::components::{Component, ComponentKind};
use portkey_model::resolve::Catalogue;

pub use facts::{Fact, ObjectRef};

/// The facts of every component's objects, by component (Application) name.
pub type Facts = BTreeMap<String, Vec<Fact>>;

/// What a provider gave an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// A LoadBalancer address (a Service's, or an Ingress's from its controller).
    Address,
    /// A certificate (cert-manager, through a ClusterIssuer).
    Certificate,
    /// An extended resource advertised by a device plugin.
    Resource,
    /// A node to run on.
    Node,
    /// A StorageClass and its provisioner.
    Storage,
    /// A Secret.
    Secret,
    /// A restore's data.
    Restore,
    /// A health check Argo CD is configured with.
    HealthCheck,
}

impl Need {
    /// Its name in reports (`address`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Need::Address => "address",
            Need::Certificate => "certificate",
            Need::Resource => "resource",
            Need::Node => "node",
            Need::Storage => "storage",
            Need::Secret => "secret",
            Need::Restore => "restore",
            Need::HealthCheck => "health-check",
        }
    }

    /// Whether reports show who met it ([`Run::shown`]): addresses, certificates, device
    /// resources and health checks; storage, Secrets and nodes are only in the JSON.
    pub const fn shown(self) -> bool {
        matches!(
            self,
            Need::Address | Need::Certificate | Need::Resource | Need::HealthCheck
        )
    }
}

/// A need met: what (`LoadBalancer address`, `gpu.intel.com/i915`) and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provided {
    /// The kind of need.
    pub need: Need,
    /// What exactly (`gpu.intel.com/i915`, `LoadBalancer address`, `TLS for jellyfin.x`).
    pub what: String,
    /// Who provides it (`metallb`, `GpuDevicePlugin intel-gpu (cluster-devices) on metal1`).
    pub by: String,
}

/// Why an object can never become healthy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stall {
    /// The kind of need that is not met.
    pub need: Need,
    /// The model field to change (`needs`, `nodes[].labels`).
    pub field: String,
    /// Why it never becomes healthy.
    pub reason: String,
    /// How to fix it.
    pub fix: String,
    /// The object whose own failure this follows from, if any.
    pub blocked_by: Option<Box<ObjectRef>>,
}

/// How one object fares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It becomes healthy, thanks to these providers.
    Healthy(Vec<Provided>),
    /// It never does.
    Never(Stall),
}

/// One object's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The object.
    pub object: ObjectRef,
    /// Its outcome.
    pub outcome: Outcome,
}

impl Verdict {
    /// Healthy with `provided`.
    pub fn healthy(object: ObjectRef, provided: Vec<Provided>) -> Self {
        Self {
            object,
            outcome: Outcome::Healthy(provided),
        }
    }
    /// Never, for `stall`.
    pub fn never(object: ObjectRef, stall: Stall) -> Self {
        Self {
            object,
            outcome: Outcome::Never(stall),
        }
    }
    /// The stall, if it never becomes healthy.
    pub fn stall(&self) -> Option<&Stall> {
        match &self.outcome {
            Outcome::Never(s) => Some(s),
            Outcome::Healthy(_) => None,
        }
    }
}

/// One child Application's run.
#[derive(Clone, Debug)]
pub struct Run {
    /// The Application (component) name.
    pub name: String,
    /// `app`, `chart` or `cluster part`.
    pub kind: &'static str,
    /// The file that declared it.
    pub source: String,
    /// Its sync wave.
    pub wave: i32,
    /// Every object with a health rule, and its outcome.
    pub verdicts: Vec<Verdict>,
}

impl Run {
    /// Whether every object becomes healthy.
    pub fn converges(&self) -> bool {
        self.verdicts.iter().all(|v| v.stall().is_none())
    }
}

/// The replay of the whole bootstrap.
#[derive(Clone, Debug)]
pub struct Simulation {
    /// Every child Application, by wave then name.
    pub runs: Vec<Run>,
}

impl Simulation {
    /// Whether every wave converges.
    pub fn converges(&self) -> bool {
        self.runs.iter().all(Run::converges)
    }

    /// The wave Argo CD never gets past, if any.
    pub fn stalled_wave(&self) -> Option<i32> {
        self.runs.iter().find(|r| !r.converges()).map(|r| r.wave)
    }

    /// The runs by wave.
    pub fn waves(&self) -> BTreeMap<i32, Vec<&Run>> {
        let mut out: BTreeMap<i32, Vec<&Run>> = BTreeMap::new();
        for r in &self.runs {
            out.entry(r.wave).or_default().push(r);
        }
        out
    }

    /// Every object that never becomes healthy on its own account (not because another
    /// did not), in wave order: the first is the one Argo CD stalls on.
    pub fn root_stalls(&self) -> Vec<(&Run, &Verdict, &Stall)> {
        let stalled: BTreeSet<&ObjectRef> = self
            .runs
            .iter()
            .flat_map(|r| &r.verdicts)
            .filter(|v| v.stall().is_some())
            .map(|v| &v.object)
            .collect();
        // A stall blocked by an object that does become healthy is a root one too, so that
        // nothing that stalls goes unreported.
        let stalled = &stalled;
        self.runs
            .iter()
            .flat_map(|r| {
                r.verdicts.iter().filter_map(move |v| {
                    v.stall()
                        .filter(|s| s.blocked_by.as_deref().is_none_or(|b| !stalled.contains(b)))
                        .map(|s| (r, v, s))
                })
            })
            .collect()
    }

    /// The first object Argo CD stalls on.
    pub fn first_stall(&self) -> Option<(&Run, &Verdict, &Stall)> {
        self.root_stalls().into_iter().next()
    }

    /// Each root stall as a model error naming the component, the object, the need and the
    /// fix: render fails on these before anything is written.
    pub fn problems(&self) -> Vec<ModelError> {
        self.root_stalls()
            .into_iter()
            .map(|(run, v, s)| {
                ModelError::at(&run.source, &run.name, &s.field)
                    .problem(format!(
                        "{} never becomes healthy, so Argo CD's bootstrap stalls at wave {}: {}",
                        v.object, run.wave, s.reason
                    ))
                    .fix(s.fix.clone())
            })
            .collect()
    }
}

/// Replays the bootstrap of `components` (with their derived waves) whose objects are
/// summarised in `facts`, keeping every verdict ([`Detail::Full`]): what `portkey plan
/// --bootstrap` prints.
///
/// With chart releases the catalogue declares its infrastructure, and a need nothing
/// provides is a stall; without any (apps alone) the infrastructure is outside the
/// catalogue and assumed to provide what is needed.
pub fn simulate(catalogue: &Catalogue<'_>, components: &[Component], facts: &Facts) -> Simulation {
    simulate_keeping(catalogue, components, facts, Detail::Full)
}

/// How much of each verdict a replay keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Every verdict with every provider (`portkey plan --bootstrap`'s JSON lists them).
    Full,
    /// What render needs, for its gate ([`Simulation::problems`]) and BOOTSTRAP.md: every
    /// stall, and of the healthy objects only the providers [`Run::shown`] shows; a healthy
    /// object with none of those is dropped. Each of [`Simulation::problems`],
    /// [`Simulation::converges`], [`Run::shown`] and [`Run::converges`] answers exactly as
    /// on the full replay, on a fraction of the memory (the storage, node and Secret
    /// providers of every pod and claim are most of it).
    Shown,
}

impl Detail {
    /// `verdicts` as this detail keeps them.
    fn keep(self, mut verdicts: Vec<Verdict>) -> Vec<Verdict> {
        if self == Detail::Shown {
            verdicts.retain_mut(|v| match &mut v.outcome {
                Outcome::Never(_) => true,
                Outcome::Healthy(provided) => {
                    provided.retain(|p| p.need.shown());
                    provided.shrink_to_fit();
                    !provided.is_empty()
                }
            });
            verdicts.shrink_to_fit();
        }
        verdicts
    }
}

/// [`simulate`], keeping each verdict at `detail`. The verdicts are found once and moved
/// into the runs, never copied.
pub fn simulate_keeping(
    catalogue: &Catalogue<'_>,
    components: &[Component],
    facts: &Facts,
    detail: Detail,
) -> Simulation {
    let engine = Engine::new(catalogue, components, facts, detail);
    let mut ordered: Vec<&Component> = components.iter().collect();
    ordered.sort_by(|a, b| (a.wave, &a.name).cmp(&(b.wave, &b.name)));
    for c in &ordered {
        engine.verdicts(&c.name);
    }
    let mut memo = engine.memo.into_inner();
    let runs = ordered
        .into_iter()
        .map(|c| Run {
            name: c.name.clone(),
            kind: match c.kind {
                ComponentKind::Chart => "chart",
                ComponentKind::Cluster(_) => "cluster part",
                ComponentKind::App => "app",
            },
            source: c.source.clone(),
            wave: c.wave,
            // The engine is gone, so each list has one owner left and moves out.
            verdicts: memo
                .remove(c.name.as_str())
                .map(|v| Rc::try_unwrap(v).unwrap_or_else(|shared| shared.as_ref().clone()))
                .unwrap_or_default(),
        })
        .collect();
    Simulation { runs }
}

/// The state of one replay: components, their facts, and the verdicts found so far.
pub(crate) struct Engine<'a, 'c> {
    pub(crate) catalogue: &'a Catalogue<'c>,
    pub(crate) components: BTreeMap<&'a str, &'a Component>,
    pub(crate) facts: &'a Facts,
    /// The Secrets created by hand before Argo CD, by `(namespace, name)`: only whether one
    /// is there is asked, so what each holds is not kept.
    pub(crate) outside: portkey_model::SecretNames,
    pub(crate) strict: bool,
    /// How much of each verdict the memo keeps.
    detail: Detail,
    /// Who writes each Secret, by `(namespace, name)`: the earliest component.
    written_secrets: BTreeMap<(&'a str, &'a str), &'a str>,
    /// Each ClusterIssuer's component and fact, by name.
    pub(crate) issuers: BTreeMap<&'a str, (&'a str, &'a Fact)>,
    memo: RefCell<BTreeMap<String, Rc<Vec<Verdict>>>>,
    visiting: RefCell<BTreeSet<String>>,
    /// The components that provide each capability, by wave then name: indexed once, as
    /// every claim and pod asks (a scan per question would be quadratic in the catalogue).
    providers: BTreeMap<&'a Capability, Vec<&'a Component>>,
    /// Each StorageClass portkey emits, by name: its component, provisioner and whether it
    /// waits for the first consumer (the first in component order, as a scan would find);
    /// indexed once, as every claim asks.
    pub(crate) storage_classes: BTreeMap<&'a str, (&'a String, &'a str, bool)>,
}

impl<'a, 'c> Engine<'a, 'c> {
    fn new(
        catalogue: &'a Catalogue<'c>,
        components: &'a [Component],
        facts: &'a Facts,
        detail: Detail,
    ) -> Self {
        let components: BTreeMap<&str, &Component> =
            components.iter().map(|c| (c.name.as_str(), c)).collect();
        let wave = |c: &str| components.get(c).map_or(i32::MAX, |c| c.wave);
        let mut providers: BTreeMap<&Capability, Vec<&Component>> = BTreeMap::new();
        for c in components.values() {
            for cap in &c.provides {
                providers.entry(cap).or_default().push(c);
            }
        }
        for list in providers.values_mut() {
            list.sort_by(|a, b| (a.wave, &a.name).cmp(&(b.wave, &b.name)));
        }
        let mut written_secrets: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        let mut issuers = BTreeMap::new();
        let mut storage_classes = BTreeMap::new();
        for (component, facts) in facts {
            for f in facts {
                match f {
                    Fact::StorageClass {
                        name,
                        provisioner,
                        waits_for_consumer,
                    } => {
                        storage_classes.entry(&**name).or_insert((
                            component,
                            &**provisioner,
                            *waits_for_consumer,
                        ));
                    }
                    Fact::Secret(ns, name) => {
                        let entry = written_secrets
                            .entry((&**ns, &**name))
                            .or_insert(component.as_str());
                        if wave(component) < wave(entry) {
                            *entry = component.as_str();
                        }
                    }
                    Fact::ClusterIssuer { object, .. } => {
                        issuers
                            .entry(&*object.name)
                            .or_insert((component.as_str(), f));
                    }
                    _ => {}
                }
            }
        }
        Self {
            catalogue,
            components,
            facts,
            written_secrets,
            issuers,
            outside: portkey_model::secret_store::created_by_hand_names(catalogue),
            strict: !catalogue.charts.is_empty(),
            detail,
            memo: RefCell::default(),
            visiting: RefCell::default(),
            providers,
            storage_classes,
        }
    }

    /// The verdicts of component `name` (memoised; a component reached again while its own
    /// verdicts are being found counts as converging).
    pub(crate) fn verdicts(&self, name: &str) -> Rc<Vec<Verdict>> {
        if let Some(v) = self.memo.borrow().get(name) {
            return v.clone();
        }
        if !self.visiting.borrow_mut().insert(name.to_string()) {
            return Rc::new(Vec::new());
        }
        let out = match self.components.get(name) {
            Some(c) => Rc::new(self.detail.keep(rules::judge(self, c))),
            None => Rc::new(Vec::new()),
        };
        self.visiting.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name.to_string(), out.clone());
        out
    }

    /// The object component `name` stalls on first, following `blocked_by` to the root.
    pub(crate) fn failure(&self, name: &str) -> Option<ObjectRef> {
        let v = self.verdicts(name);
        v.iter().find_map(|v| {
            v.stall()
                .map(|s| s.blocked_by.as_deref().unwrap_or(&v.object).clone())
        })
    }

    /// The components that provide `cap`, by wave then name.
    pub(crate) fn providers(&self, cap: &Capability) -> Vec<&'a Component> {
        self.providers.get(cap).cloned().unwrap_or_default()
    }

    /// A provider of `cap` that syncs no later than `wave` and converges; or why none does.
    /// `missing` is the stall when nothing provides it (strict catalogues only).
    pub(crate) fn provider(
        &self,
        cap: &Capability,
        wave: i32,
        need: Need,
        missing: impl FnOnce() -> Stall,
    ) -> Result<Option<&'a Component>, Box<Stall>> {
        let all = self.providers(cap);
        if all.is_empty() {
            return if self.strict {
                Err(Box::new(missing()))
            } else {
                Ok(None)
            };
        }
        let mut blocked = None;
        for p in all.iter().filter(|p| p.wave <= wave) {
            match self.failure(&p.name) {
                None => return Ok(Some(p)),
                Some(object) => {
                    blocked.get_or_insert((p, object));
                }
            }
        }
        if let Some((p, object)) = blocked {
            return Err(Box::new(Stall {
                need,
                field: "needs".into(),
                reason: format!(
                    "it needs {cap}, from {}, which never becomes healthy ({object})",
                    p.name
                ),
                fix: format!("fix {object} first"),
                blocked_by: Some(Box::new(object)),
            }));
        }
        let p = all[0];
        Err(Box::new(Stall {
            need,
            field: "needs".into(),
            reason: format!(
                "it needs {cap}, from {}, which syncs in wave {}, after this object's wave {wave}: the root waits for this wave first",
                p.name, p.wave
            ),
            fix: format!(
                "declare the need (so that the component comes after {}), or move the object",
                p.name
            ),
            blocked_by: None,
        }))
    }

    /// Whether Secret `name` exists in `namespace` by the time `wave` syncs: written by a
    /// component (a Secret or an ExternalSecret's target), or created by hand before Argo
    /// CD (BOOTSTRAP.md's Secrets). Returns who provides it.
    pub(crate) fn secret(&self, namespace: &str, name: &str, wave: i32) -> Option<String> {
        if self.outside.contains(namespace, name) {
            return Some("created by hand before Argo CD, BOOTSTRAP.md".into());
        }
        let component = *self.written_secrets.get(&(namespace, name))?;
        let c = self.components.get(component)?;
        (c.wave <= wave).then(|| component.to_string())
    }
}

impl Run {
    /// The providers worth showing, with the object each served: LoadBalancer addresses,
    /// certificates, device resources and health checks (storage, Secrets and nodes are in
    /// the JSON).
    pub fn shown(&self) -> Vec<(&ObjectRef, &Provided)> {
        self.verdicts
            .iter()
            .flat_map(|v| match &v.outcome {
                Outcome::Healthy(p) => p
                    .iter()
                    .filter(|p| p.need.shown())
                    .map(|p| (&v.object, p))
                    .collect::<Vec<_>>(),
                Outcome::Never(_) => Vec::new(),
            })
            .collect()
    }
}
