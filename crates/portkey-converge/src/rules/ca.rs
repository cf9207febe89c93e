//! The Issuers and Certificates portkey emits itself (the secret store's SDK server
//! chain: a `selfSigned` Issuer, a CA Certificate, a CA Issuer, the serving Certificate),
//! after Argo CD's health checks `resource_customizations/cert-manager.io/Issuer/health.lua`
//! and `resource_customizations/cert-manager.io/Certificate/health.lua`: Healthy when the
//! `Ready` condition is `True`, Degraded when it is `False`, Progressing while issuing.
//!
//! cert-manager makes an Issuer Ready at once when it is `selfSigned`, and a CA Issuer once
//! its CA Secret holds a key pair (<https://cert-manager.io/docs/configuration/ca/>); a
//! Certificate is Ready once its Issuer has signed it, so once that Issuer is Ready.

use crate::facts::{Fact, ObjectRef};
use crate::{Engine, Need, Provided, Stall, Verdict};
use portkey_model::components::Component;

use super::stall;

/// Deeper than any chain portkey emits (CA Issuer → CA Certificate → selfSigned Issuer):
/// a loop of Issuers and Certificates is never Ready.
const MAX_DEPTH: u8 = 8;

/// The Issuer `name` in `namespace`, with the component that emits it.
fn find_issuer<'a>(
    e: &'a Engine<'_, '_>,
    namespace: &str,
    name: &str,
) -> Option<(&'a str, &'a Fact)> {
    e.facts.iter().find_map(|(component, facts)| {
        facts
            .iter()
            .find(|f| matches!(f, Fact::Issuer { object, .. } if *object.name == *name && object.namespace.as_deref() == Some(namespace)))
            .map(|f| (component.as_str(), f))
    })
}

/// The Certificate that writes Secret `secret` in `namespace`, with its component.
fn find_writer<'a>(
    e: &'a Engine<'_, '_>,
    namespace: &str,
    secret: &str,
) -> Option<(&'a str, &'a Fact)> {
    e.facts.iter().find_map(|(component, facts)| {
        facts
            .iter()
            .find(|f| matches!(f, Fact::Certificate { object, secret: s, .. } if **s == *secret && object.namespace.as_deref() == Some(namespace)))
            .map(|f| (component.as_str(), f))
    })
}

/// The wave of component `name` (`i32::MAX` when unknown).
fn wave(e: &Engine<'_, '_>, name: &str) -> i32 {
    e.components.get(name).map_or(i32::MAX, |c| c.wave)
}

fn blocked(need_object: &ObjectRef, root: &ObjectRef, reason: &str) -> Stall {
    Stall {
        blocked_by: Some(Box::new(root.clone())),
        ..stall(
            Need::Certificate,
            "backup.secret_store",
            format!("{reason}, which never becomes Ready ({need_object})"),
            format!("fix {root} first"),
        )
    }
}

/// `object`'s verdict from the verdict `v` of the object it needs (`dependency`): healthy,
/// provided as `(what, by)`, when that one is; else never, blocked by the root of its stall.
fn through(
    object: &ObjectRef,
    dependency: &ObjectRef,
    v: &Verdict,
    (what, by): (&str, String),
    reason: &str,
) -> Verdict {
    match &v.outcome {
        crate::Outcome::Healthy(_) => Verdict::healthy(
            object.clone(),
            vec![Provided {
                need: Need::Certificate,
                what: what.into(),
                by,
            }],
        ),
        crate::Outcome::Never(s) => {
            let root = s.blocked_by.as_deref().unwrap_or(dependency);
            Verdict::never(object.clone(), blocked(dependency, root, reason))
        }
    }
}

/// An Issuer of component `c`: Ready at once when `selfSigned`, once its CA Secret exists
/// (written by a Ready Certificate, or by hand) when a CA issuer.
pub(crate) fn issuer(e: &Engine<'_, '_>, c: &Component, object: &ObjectRef, depth: u8) -> Verdict {
    let ns = object.namespace.as_deref().unwrap_or_default();
    let Some((
        _,
        Fact::Issuer {
            self_signed,
            ca_secret,
            ..
        },
    )) = find_issuer(e, ns, &object.name)
    else {
        return Verdict::never(
            object.clone(),
            stall(
                Need::Certificate,
                "backup.secret_store",
                "no component emits it".into(),
                "emit the Issuer",
            ),
        );
    };
    if *self_signed {
        return Verdict::healthy(
            object.clone(),
            vec![Provided {
                need: Need::Certificate,
                what: "issuer".into(),
                by: "selfSigned: Ready at once".into(),
            }],
        );
    }
    let Some(secret) = ca_secret else {
        return Verdict::never(
            object.clone(),
            stall(
                Need::Certificate,
                "backup.secret_store",
                "it is neither selfSigned nor a CA issuer, and portkey knows no other kind it emits".into(),
                "emit a selfSigned or CA Issuer",
            ),
        );
    };
    ca_issuer(e, c, object, ns, secret, depth)
}

/// A CA Issuer of component `c`: Ready once its CA Secret `secret` exists.
fn ca_issuer(
    e: &Engine<'_, '_>,
    c: &Component,
    object: &ObjectRef,
    ns: &str,
    secret: &str,
    depth: u8,
) -> Verdict {
    if depth >= MAX_DEPTH {
        return Verdict::never(
            object.clone(),
            stall(
                Need::Certificate,
                "backup.secret_store",
                format!(
                    "its CA Secret `{ns}/{secret}` is written by a Certificate it signs itself (a loop)"
                ),
                "sign the CA Certificate with a selfSigned Issuer",
            ),
        );
    }
    let wording = SecretUse {
        field: "backup.secret_store",
        what: "CA",
        late: &|cert, component, _| {
            (
                format!(
                    "its CA Secret `{ns}/{secret}` comes from {cert} ({component}), which syncs after this issuer's wave {}",
                    c.wave
                ),
                "emit the CA Certificate in the same component as its Issuer, or before".into(),
            )
        },
        via: &|cert| format!("its CA Secret `{ns}/{secret}` comes from {cert}"),
        missing: (
            format!(
                "its CA Secret `{ns}/{secret}` exists nowhere: no Certificate writes it and nobody creates it"
            ),
            "emit the CA Certificate (isCA, signed by a selfSigned Issuer) whose Secret the CA Issuer names",
        ),
    };
    written_secret(e, c, object, (ns, secret), depth + 1, &wording)
}

/// How one consumer of a Secret words its verdict ([`written_secret`]).
struct SecretUse<'a> {
    /// The model field a stall names.
    field: &'a str,
    /// What the Secret is to the consumer, in the provided line (`CA`, `Secret`).
    what: &'a str,
    /// The reason and the fix when the Certificate that writes it (`cert`, of component
    /// `component` at wave `w`) syncs after the consumer.
    late: &'a dyn Fn(&ObjectRef, &str, i32) -> (String, String),
    /// The reason, given the Certificate, when that Certificate never becomes Ready.
    via: &'a dyn Fn(&ObjectRef) -> String,
    /// The reason and the fix when nothing writes it and nobody creates it.
    missing: (String, &'a str),
}

/// `object` of component `c`, which needs Secret `ns/secret`: healthy once the Certificate
/// that writes it is Ready (judged at `depth`) in `c`'s wave or before, or once it is
/// created by hand or written by an earlier component; worded by `wording`.
fn written_secret(
    e: &Engine<'_, '_>,
    c: &Component,
    object: &ObjectRef,
    (ns, secret): (&str, &str),
    depth: u8,
    wording: &SecretUse<'_>,
) -> Verdict {
    match find_writer(e, ns, secret) {
        Some((
            component,
            Fact::Certificate {
                object: cert,
                issuer,
                ..
            },
        )) => {
            let w = wave(e, component);
            if w > c.wave {
                let (reason, fix) = (wording.late)(cert, component, w);
                return Verdict::never(
                    object.clone(),
                    stall(Need::Certificate, wording.field, reason, fix),
                );
            }
            let owner = e.components.get(component).copied().unwrap_or(c);
            let v = certificate(e, owner, cert, &issuer.kind, &issuer.name, depth);
            through(
                object,
                cert,
                &v,
                (
                    wording.what,
                    format!("{cert} ({component}), Secret {ns}/{secret}"),
                ),
                &(wording.via)(cert),
            )
        }
        _ => match e.secret(ns, secret, c.wave) {
            Some(by) => Verdict::healthy(
                object.clone(),
                vec![Provided {
                    need: Need::Certificate,
                    what: wording.what.into(),
                    by: format!("Secret {ns}/{secret} ({by})"),
                }],
            ),
            None => Verdict::never(
                object.clone(),
                stall(
                    Need::Certificate,
                    wording.field,
                    wording.missing.0.clone(),
                    wording.missing.1,
                ),
            ),
        },
    }
}

/// A Certificate portkey emits: Ready once its Issuer is.
pub(crate) fn certificate(
    e: &Engine<'_, '_>,
    c: &Component,
    object: &ObjectRef,
    issuer_kind: &str,
    issuer_name: &str,
    depth: u8,
) -> Verdict {
    if issuer_kind == "ClusterIssuer" {
        return super::certificate(e, object.clone(), issuer_name);
    }
    let ns = object.namespace.as_deref().unwrap_or_default();
    let Some((component, _)) = find_issuer(e, ns, issuer_name) else {
        return Verdict::never(
            object.clone(),
            stall(
                Need::Certificate,
                "backup.secret_store",
                format!(
                    "its issuerRef names Issuer `{ns}/{issuer_name}`, which no component emits"
                ),
                "emit the Issuer in the Certificate's namespace",
            ),
        );
    };
    let issuer_ref = ObjectRef::new("Issuer", Some(ns), issuer_name);
    let owner = e.components.get(component).copied().unwrap_or(c);
    if owner.wave > c.wave {
        return Verdict::never(
            object.clone(),
            stall(
                Need::Certificate,
                "backup.secret_store",
                format!(
                    "its Issuer `{ns}/{issuer_name}` comes from {component}, which syncs after this Certificate's wave {}",
                    c.wave
                ),
                "emit the Issuer in the same component as the Certificate, or before",
            ),
        );
    }
    let v = issuer(e, owner, &issuer_ref, depth);
    through(
        object,
        &issuer_ref,
        &v,
        ("certificate", format!("{issuer_ref} ({component})")),
        &format!("its Issuer `{ns}/{issuer_name}`"),
    )
}

/// A chart's pod `object` of component `c` that mounts Secret `ns/secret` (not optional):
/// it starts once that Secret exists, so once the Certificate that writes it is Ready, in
/// `c`'s wave or before. A writer in a later wave is a deadlock: the pod waits for the
/// Secret, `c` is never Healthy, and the root Application never reaches the writer's wave.
pub(crate) fn mounted_secret(
    e: &Engine<'_, '_>,
    c: &Component,
    object: &ObjectRef,
    (ns, secret): (&str, &str),
) -> Verdict {
    let wording = SecretUse {
        field: "values",
        what: "Secret",
        late: &|cert, component, w| {
            (
                format!(
                    "its pod mounts Secret `{ns}/{secret}` (not optional), which {cert} writes in {component}, wave {w}, after this release's wave {}: the pod waits for the Secret, the release is never Healthy, and the root Application never reaches wave {w} (a deadlock)",
                    c.wave
                ),
                format!(
                    "sync {component} before {}: it must come after cert-manager and before the release",
                    c.name
                ),
            )
        },
        via: &|cert| format!("its pod mounts Secret `{ns}/{secret}`, written by {cert}"),
        missing: (
            format!(
                "its pod mounts Secret `{ns}/{secret}` (not optional), which no Certificate writes and nobody creates: it never starts"
            ),
            "declare the secret store in cluster.rs (portkey then emits the certificate chain in cluster-store-tls), or turn the mount off in the release's values",
        ),
    };
    written_secret(e, c, object, (ns, secret), 0, &wording)
}
