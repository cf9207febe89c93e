//! Bad connections: `.talks_to(..)` an app that does not exist, a port that app does not
//! expose, or the app itself; internet egress without a reason. Each error names the apps
//! and the port.

use super::*;

#[test]
fn talks_to_an_unknown_app() {
    let e = expect(
        vec![app("web").talks_to("redis", "redis")],
        "web",
        "talks_to",
        &["`redis`", "not an app"],
    );
    assert!(e.fix.contains("declare an app named `redis`"), "{e:#?}");
}

#[test]
fn talks_to_a_port_the_app_does_not_expose() {
    let e = expect(
        vec![app("web").talks_to("cache", 6379), app("cache")],
        "web",
        "talks_to",
        &["`cache`", "`6379`", "does not expose"],
    );
    assert!(e.fix.contains("http (8080)"), "{e:#?}");
    let e = expect(
        vec![app("web").talks_to("cache", "redis"), app("cache")],
        "web",
        "talks_to",
        &["`cache`", "`redis`"],
    );
    assert!(e.fix.contains("use one of `cache`'s ports"), "{e:#?}");
}

#[test]
fn talks_to_a_typo_names_the_nearest_app() {
    let e = expect(
        vec![app("web").talks_to("cahce", "http"), app("cache")],
        "web",
        "talks_to",
        &["`cahce`"],
    );
    assert!(e.fix.contains("did you mean `cache`?"), "{e:#?}");
}

#[test]
fn talks_to_itself() {
    expect(
        vec![app("web").talks_to("web", "http")],
        "web",
        "talks_to",
        &["talks to itself"],
    );
}

#[test]
fn egress_internet_without_a_reason() {
    let e = expect(
        vec![app("web").egress_internet("  ")],
        "web",
        "egress_internet",
        &["without a reason"],
    );
    assert!(e.fix.contains(".egress_internet("), "{e:#?}");
}

#[test]
fn lan_cidr_that_is_not_a_cidr() {
    for (cidr, says) in [
        ("192.168.0.0", "not an IPv4 CIDR"),
        ("192.168.0.0/33", "not an IPv4 CIDR"),
        ("192.168.0.7/24", "host bits"),
    ] {
        let cluster = portkey::portkey_model::cluster::Cluster {
            lan_cidr: cidr.into(),
            ..test_cluster()
        };
        let err = portkey::portkey_model::resolve(&cluster, vec![app("web")])
            .expect_err("a bad LAN range is refused");
        let e = err
            .0
            .iter()
            .find(|e| e.field == "lan_cidr")
            .unwrap_or_else(|| panic!("{cidr}: {err:#?}"));
        assert!(e.problem.contains(says), "{cidr}: {e:#?}");
        assert!(e.fix.contains("192.168.0.0/24"), "{e:#?}");
    }
    // The inventory's own range is accepted.
    assert!(portkey::portkey_model::resolve(&test_cluster(), vec![app("web")]).is_ok());
}

#[test]
fn ingress_internet_without_a_lan_port_or_a_reason() {
    let e = expect(
        vec![app("web").ingress_internet("peers")],
        "web",
        "ingress_internet",
        &["no port on the LAN"],
    );
    assert!(e.fix.contains(".lan()"), "{e:#?}");
    expect(
        vec![app("web").lan().ingress_internet("")],
        "web",
        "ingress_internet",
        &["without a reason"],
    );
}
