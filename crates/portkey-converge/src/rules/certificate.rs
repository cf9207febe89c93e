//! cert-manager Certificates (Argo CD's `resource_customizations/cert-manager.io/Certificate`:
//! Healthy when `Ready`): made by ingress-shim for each TLS Ingress with the
//! `cert-manager.io/cluster-issuer` annotation, Ready once the ClusterIssuer exists and one
//! of its solvers can work.

use portkey_model::chart::Capability;

use crate::facts::{Fact, ObjectRef};
use crate::{Engine, Need, Provided, Stall, Verdict};

use super::stall;

/// The Certificate ingress-shim makes for a TLS Ingress: Ready once the issuer can solve.
/// Argo CD does not manage it, so it gates no wave, but one that never becomes Ready
/// leaves the app without HTTPS.
pub(crate) fn certificate(e: &Engine<'_, '_>, object: ObjectRef, issuer: &str) -> Verdict {
    let found = e.issuers.get(issuer).and_then(|(component, f)| match f {
        Fact::ClusterIssuer {
            http01,
            dns01_secrets,
            ..
        } => Some((*component, http01, dns01_secrets)),
        _ => None,
    });
    let Some((component, http01, dns01)) = found else {
        if !e.strict {
            return Verdict::healthy(object, Vec::new());
        }
        return Verdict::never(
            object,
            stall(
                Need::Certificate,
                "https",
                format!("its Ingress names ClusterIssuer `{issuer}`, which no component creates"),
                "set the inventory's `ingress.cluster_issuer` to the issuer portkey generates",
            ),
        );
    };
    if let Some(root) = e.failure(component) {
        return Verdict::never(
            object,
            Stall {
                blocked_by: Some(Box::new(root.clone())),
                ..stall(
                    Need::Certificate,
                    "https",
                    format!(
                        "ClusterIssuer `{issuer}` comes from {component}, which never becomes healthy ({root})"
                    ),
                    format!("fix {root} first"),
                )
            },
        );
    }
    let ns = cert_manager_namespace(e);
    let mut why = Vec::new();
    match solve(e, issuer, component, ns, http01, dns01, &mut why) {
        Some(Ok(by)) => return Verdict::healthy(object, vec![by]),
        Some(Err(stall)) => return Verdict::never(object, stall),
        None => {}
    }
    if why.is_empty() {
        why.push("it has no HTTP-01 or DNS-01 solver".into());
    }
    Verdict::never(
        object,
        stall(
            Need::Certificate,
            "https",
            format!(
                "ClusterIssuer `{issuer}` can never solve: {}",
                why.join("; ")
            ),
            "give the issuer a solver that can work: HTTP-01 through an ingress controller with an address, or DNS-01 with its token Secret created before Argo CD",
        ),
    )
}

/// The namespace cert-manager runs in (its release's), where a ClusterIssuer's Secrets live.
fn cert_manager_namespace<'e>(e: &'e Engine<'_, '_>) -> &'e str {
    e.providers(&Capability::Crds(
        portkey_compile::crd::cert_manager::GROUP.into(),
    ))
    .first()
    .and_then(|p| e.catalogue.charts.iter().find(|c| c.name == p.name))
    .map_or("cert-manager", |c| c.namespace.as_str())
}

/// The first solver of `issuer` that can work, or the stall of one that waits on another
/// object; `None` (with the reasons in `why`) when none can.
fn solve(
    e: &Engine<'_, '_>,
    issuer: &str,
    component: &str,
    ns: &str,
    http01: &[String],
    dns01: &[String],
    why: &mut Vec<String>,
) -> Option<Result<Provided, Stall>> {
    for secret in dns01 {
        match e.secret(ns, secret, i32::MAX) {
            Some(by) => {
                return Some(Ok(Provided {
                    need: Need::Certificate,
                    what: "certificate".into(),
                    by: format!(
                        "ClusterIssuer {issuer} ({component}), DNS-01 with Secret {ns}/{secret} ({by})"
                    ),
                }));
            }
            None => why.push(format!(
                "its DNS-01 solver's token Secret `{ns}/{secret}` exists nowhere"
            )),
        }
    }
    for class in http01 {
        match e.provider(
            &Capability::IngressClass(class.clone()),
            i32::MAX,
            Need::Certificate,
            || stall(Need::Certificate, "https", String::new(), String::new()),
        ) {
            Ok(p) => {
                return Some(Ok(Provided {
                    need: Need::Certificate,
                    what: "certificate".into(),
                    by: format!(
                        "ClusterIssuer {issuer} ({component}), HTTP-01 through {}",
                        p.map_or("the ingress controller", |p| p.name.as_str())
                    ),
                }));
            }
            Err(s) if s.blocked_by.is_some() => {
                return Some(Err(Stall {
                    reason: format!(
                        "the HTTP-01 solver of `{issuer}` needs IngressClass `{class}` to have an address: {}",
                        s.reason
                    ),
                    ..*s
                }));
            }
            Err(_) => why.push(format!(
                "its HTTP-01 solver uses IngressClass `{class}`, which no component provides"
            )),
        }
    }
    None
}
