//! Ingresses (`k8s.io/kubernetes/pkg/apis/networking/validation/validation.go`,
//! `ValidateIngressSpec`):
//!
//! - `ingressClassName` is a DNS-1123 subdomain (`ValidateIngressClassName`);
//! - a backend names a Service or a resource, not both (`validateIngressBackend`); a
//!   Service backend's name is a Service name (DNS-1035 label) and its port a number
//!   (1–65535) or a name, exactly one of them;
//! - a rule's `host` is a DNS-1123 subdomain, or one with a leading `*.`, and not an IP
//!   address (`validateIngressRules`);
//! - `http.paths` is not empty; each path has a `pathType` of Exact, Prefix or
//!   ImplementationSpecific; an Exact or Prefix path is absolute and contains none of
//!   `//`, `/./`, `/../`, `%2f`, `%2F` and does not end in `/..` or `/.`; an
//!   ImplementationSpecific path, when set, is absolute (`validateHTTPIngressPath`);
//! - a TLS entry's hosts are (wildcard) subdomains, and its `secretName` a Secret name
//!   (`validateIngressTLS`).

use serde_json::Value;

use super::{Out, list, predicates, str_of};

const INVALID_SEQUENCES: [&str; 5] = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES: [&str; 2] = ["/..", "/."];

pub(super) fn check(out: &mut Out<'_>, object: &Value) {
    let Some(spec) = object.get("spec") else {
        return;
    };
    if let Some(class) = str_of(spec, "ingressClassName") {
        out.check(
            predicates::dns1123_subdomain(class),
            "networking validation.ValidateIngressClassName: NameIsDNSSubdomain",
            || "/spec/ingressClassName".into(),
            || format!("ingressClassName {class:?} is not valid"),
        );
    }
    if let Some(b) = spec.get("defaultBackend") {
        backend(out, "/spec/defaultBackend", b);
    }
    for (i, rule) in list(spec, "rules").iter().enumerate() {
        let at = format!("/spec/rules/{i}");
        if let Some(h) = str_of(rule, "host") {
            host(out, &format!("{at}/host"), h);
        }
        let Some(http) = rule.get("http") else {
            continue;
        };
        let paths = list(http, "paths");
        if paths.is_empty() {
            out.add(
                format!("{at}/http/paths"),
                "an HTTP rule has no paths",
                "networking validation.validateHTTPIngressRuleValue",
                "Required value",
            );
        }
        for (j, p) in paths.iter().enumerate() {
            let pat = format!("{at}/http/paths/{j}");
            path(out, &pat, p);
            match p.get("backend") {
                Some(b) => backend(out, &format!("{pat}/backend"), b),
                None => out.add(
                    format!("{pat}/backend"),
                    "an Ingress path has no backend",
                    "networking validation.validateHTTPIngressPath",
                    "Required value",
                ),
            }
        }
    }
    for (i, tls) in list(spec, "tls").iter().enumerate() {
        for (j, h) in list(tls, "hosts").iter().enumerate() {
            host(
                out,
                &format!("/spec/tls/{i}/hosts/{j}"),
                h.as_str().unwrap_or_default(),
            );
        }
        if let Some(secret) = str_of(tls, "secretName") {
            out.check(
                predicates::dns1123_subdomain(secret),
                "networking validation.validateIngressTLS: ValidateSecretName",
                || format!("/spec/tls/{i}/secretName"),
                || format!("TLS secretName {secret:?} is not valid"),
            );
        }
    }
}

fn host(out: &mut Out<'_>, at: &str, host: &str) {
    if host.parse::<std::net::IpAddr>().is_ok() {
        out.add(
            at.into(),
            &format!("Ingress host {host:?} is not valid"),
            "networking validation.validateIngressRules",
            "must be a DNS name, not an IP address",
        );
        return;
    }
    out.check(
        predicates::host(host),
        "networking validation.validateIngressRules: IsDNS1123Subdomain/IsWildcardDNS1123Subdomain",
        || at.into(),
        || format!("Ingress host {host:?} is not valid"),
    );
}

fn path(out: &mut Out<'_>, at: &str, p: &Value) {
    let path = str_of(p, "path").unwrap_or_default();
    let rule = "networking validation.validateHTTPIngressPath";
    let Some(kind) = str_of(p, "pathType") else {
        out.add(
            format!("{at}/pathType"),
            &format!("Ingress path {path:?} has no pathType"),
            rule,
            "Required value: pathType must be specified (Exact, Prefix or ImplementationSpecific)",
        );
        return;
    };
    let problem = match kind {
        "Exact" | "Prefix" => {
            if path.starts_with('/') {
                INVALID_SEQUENCES
                    .iter()
                    .find(|s| path.contains(**s))
                    .map(|s| format!("must not contain '{s}'"))
                    .or_else(|| {
                        INVALID_SUFFIXES
                            .iter()
                            .find(|s| path.ends_with(**s))
                            .map(|s| format!("cannot end with '{s}'"))
                    })
            } else {
                Some("must be an absolute path".into())
            }
        }
        "ImplementationSpecific" => {
            (!path.is_empty() && !path.starts_with('/')).then(|| "must be an absolute path".into())
        }
        other => {
            out.add(
                format!("{at}/pathType"),
                &format!("pathType {other:?} is not valid"),
                rule,
                "Unsupported value: supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"",
            );
            None
        }
    };
    if let Some(detail) = problem {
        out.add(
            format!("{at}/path"),
            &format!("{kind} path {path:?} is not valid"),
            rule,
            &detail,
        );
    }
}

fn backend(out: &mut Out<'_>, at: &str, b: &Value) {
    let rule = "networking validation.validateIngressBackend";
    let service = b.get("service");
    match (service, b.get("resource")) {
        (Some(_), Some(_)) => out.add(
            at.into(),
            "an Ingress backend names a Service and a resource",
            rule,
            "cannot set both resource and service backends",
        ),
        (None, None) => out.add(
            at.into(),
            "an Ingress backend names nothing",
            rule,
            "one of service or resource must be specified",
        ),
        _ => {}
    }
    let Some(service) = service else { return };
    let name = str_of(service, "name").unwrap_or_default();
    out.check(
        predicates::dns1035_label(name),
        "networking validation.validateIngressBackend: ValidateServiceName",
        || format!("{at}/service/name"),
        || format!("backend Service name {name:?} is not valid"),
    );
    let port = service.get("port");
    let number = port.and_then(|p| p.get("number"));
    let port_name = port
        .and_then(|p| str_of(p, "name"))
        .filter(|n| !n.is_empty());
    match (number, port_name) {
        (Some(_), Some(_)) => out.add(
            format!("{at}/service/port"),
            "a backend port has a name and a number",
            rule,
            "cannot set both port name & port number",
        ),
        (None, None) => out.add(
            format!("{at}/service/port"),
            "a backend port has neither name nor number",
            rule,
            "port name or number is required",
        ),
        (Some(n), None) => out.check(
            predicates::port_num(n.as_i64().unwrap_or(-1)),
            "networking validation.validateIngressBackend: IsValidPortNum",
            || format!("{at}/service/port/number"),
            || format!("backend port {n} is not valid"),
        ),
        (None, Some(n)) => out.check(
            predicates::port_name(n),
            "networking validation.validateIngressBackend: IsValidPortName",
            || format!("{at}/service/port/name"),
            || format!("backend port name {n:?} is not valid"),
        ),
    }
}
