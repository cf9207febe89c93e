//! LAN addresses and the issuer: a LAN Service without a load balancer, an address outside
//! the pool or claimed twice, a malformed pool, and HTTP-01 for LAN-only hosts are reported
//! with their fix; the pool, its advertisement, the fixed-address annotation and the DNS-01
//! issuer compile as declared.

use portkey::portkey_model::chart::{Capability, Chart};
use portkey::portkey_model::cluster::Cluster;
use portkey::portkey_model::network::{AcmeChallenge, HostReach, LoadBalancer};
use portkey::portkey_model::{self, ModelError};
use serde_json::json;

use super::*;

fn without_load_balancer() -> Cluster {
    Cluster {
        load_balancer: None,
        ..test_cluster()
    }
}

fn with_addresses(addresses: &str) -> Cluster {
    Cluster {
        load_balancer: Some(LoadBalancer::MetalLbL2 {
            pool: LB_POOL.into(),
            addresses: addresses.into(),
        }),
        ..test_cluster()
    }
}

/// Every problem of resolving `apps` and `charts` against `cluster` (which must fail).
fn problems_in(cluster: &Cluster, apps: Vec<App>, charts: Vec<Chart>) -> Vec<ModelError> {
    match portkey_model::resolve_all(cluster, apps, charts) {
        Ok(_) => panic!("expected model problems, but resolution succeeded"),
        Err(e) => e.0,
    }
}

/// An ingress-controller release with a fixed address its values request.
fn ingress_chart(address: &str) -> Chart {
    Chart::helm("https://charts.example.org", "ingress", "1.0.0")
        .source("apps/infra/ingress.rs")
        .no_network_policy("a test release")
        .needs_load_balancer()
        .load_balancer_address(address)
        .values(json!({ "service": { "annotations": { "metallb.io/loadBalancerIPs": address } } }))
}

#[test]
fn real_inventory_without_a_load_balancer_fails_on_traefiks_need() {
    // The removal test: the real catalogue against its inventory minus `load_balancer`.
    let cluster = Cluster {
        load_balancer: None,
        ..portkey::cluster::portkey()
    };
    let Err(err) = portkey::build_with(&cluster, portkey::catalogue(), portkey::charts()) else {
        panic!("render must refuse LAN Services without a load balancer");
    };
    let portkey::Error::Model(errors) = &err else {
        panic!("expected model problems, got {err}");
    };
    let traefik = find_problem(
        &errors.0,
        "traefik",
        "needs",
        &[
            "LoadBalancer",
            "no load-balancer implementation",
            "Progressing",
        ],
    );
    assert!(
        traefik.fix.contains("MetalLbL2")
            && traefik.fix.contains("metallb")
            && traefik.fix.contains("NodePort"),
        "the fix names the implementation to declare: {traefik}"
    );
    // The LAN apps are reported in the same run, with the alternatives.
    for app in ["mosquitto", "transmission"] {
        let e = find_problem(&errors.0, app, "lan", &["LoadBalancer"]);
        assert!(
            e.fix.contains("NodePort") && e.fix.contains("hostPort"),
            "{e}"
        );
    }
    assert!(err.to_string().contains("apps/infra/traefik.rs"), "{err}");
}

#[test]
fn lan_port_without_a_load_balancer_offers_nodeport_and_hostport() {
    let e = find_problem(
        &problems_in(
            &without_load_balancer(),
            vec![app("peer").port(Port::tcp("peer", 6881).lan())],
            Vec::new(),
        ),
        "peer",
        "lan",
        &["LoadBalancer", "<pending>"],
    );
    assert!(
        e.fix.contains("NodePort") && e.fix.contains("hostPort"),
        "{e}"
    );
    // The whole app on the LAN too.
    find_problem(
        &problems_in(
            &without_load_balancer(),
            vec![app("broker").lan()],
            Vec::new(),
        ),
        "broker",
        "lan",
        &["LoadBalancer"],
    );
}

#[test]
fn chart_needing_a_load_balancer_is_an_error_in_the_waves() {
    // The graph's own check: a release that needs LoadBalancer addresses while no component
    // provides them (here the network part is left out of the components).
    let cluster = test_cluster();
    let charts = vec![ingress_chart("10.0.0.240").provides_crds("metallb.io")];
    let catalogue = portkey_model::resolve_all(&cluster, Vec::new(), charts.clone()).unwrap();
    let all: Vec<_> = portkey_model::components::components(&catalogue)
        .into_iter()
        .filter(|c| !c.provides.contains(&Capability::LoadBalancer))
        .collect();
    let errors = portkey_model::components::waves(all, &charts).unwrap_err();
    let e = find_problem(&errors, "ingress", "needs", &["LoadBalancer addresses"]);
    assert!(
        e.fix.contains("metallb") && e.fix.contains("NodePort"),
        "{e}"
    );
}

#[test]
fn duplicate_lan_address_is_rejected() {
    let apps = vec![
        app("broker").lan().lan_address("10.0.0.241"),
        app("peer")
            .port(Port::tcp("peer", 6881).lan())
            .lan_address("10.0.0.241"),
    ];
    expect(apps, "peer", "lan_address", &["10.0.0.241", "`broker`"]);
    // A chart's address counts too.
    let e = find_problem(
        &problems_in(
            &test_cluster(),
            vec![app("broker").lan().lan_address("10.0.0.240")],
            vec![ingress_chart("10.0.0.240")],
        ),
        "ingress",
        "load_balancer_address",
        &["10.0.0.240", "already claims"],
    );
    assert!(e.fix.contains(LB_ADDRESSES), "{e}");
}

#[test]
fn lan_address_outside_the_pool_is_rejected() {
    let e = expect(
        vec![app("broker").lan().lan_address("10.0.1.7")],
        "broker",
        "lan_address",
        &["10.0.1.7", "outside the pool", LB_POOL],
    );
    assert!(e.fix.contains(LB_ADDRESSES), "{e}");
    expect(
        vec![app("broker").lan().lan_address("10.0.0.300")],
        "broker",
        "lan_address",
        &["not an IPv4 address"],
    );
}

#[test]
fn lan_address_without_a_lan_service_is_rejected() {
    expect(
        vec![app("web").lan_address("10.0.0.241")],
        "web",
        "lan_address",
        &["no LAN Service"],
    );
}

#[test]
fn chart_address_its_values_never_request_is_rejected() {
    let chart = ingress_chart("10.0.0.240").values(json!({ "service": {} }));
    find_problem(
        &problems_in(&test_cluster(), Vec::new(), vec![chart]),
        "ingress",
        "load_balancer_address",
        &["never request"],
    );
}

#[test]
fn malformed_pools_are_rejected() {
    for (range, mentions) in [
        ("10.0.0.240", "not a range"),
        ("10.0.0.250-10.0.0.240", "starts after it ends"),
        ("10.0.0.240-10.0.x.250", "not an IPv4 address"),
        ("10.0.0.0-10.0.3.255", "1024 addresses"),
        // The test inventory's NFS server is 10.0.0.5.
        ("10.0.0.1-10.0.0.20", NFS_SERVER),
    ] {
        let cluster = with_addresses(range);
        let all = problems_in(&cluster, vec![app("web")], Vec::new());
        find_problem(&all, "cluster", "load_balancer.addresses", &[mentions]);
    }
}

#[test]
fn pool_and_advertisement_compile() {
    let manifests = compile(vec![
        app("broker")
            .port(Port::tcp("mqtt", 1883).lan())
            .lan_address("10.0.0.241"),
    ]);
    let pool = object(&manifests, "IPAddressPool", LB_POOL);
    assert_eq!(pool["apiVersion"], "metallb.io/v1beta1");
    assert_eq!(pool["metadata"]["namespace"], "metallb-system");
    assert_eq!(pool["spec"]["addresses"], json!([LB_ADDRESSES]));
    assert_eq!(pool["spec"]["autoAssign"], true);
    let l2 = object(&manifests, "L2Advertisement", LB_POOL);
    assert_eq!(l2["metadata"]["namespace"], "metallb-system");
    assert_eq!(l2["spec"]["ipAddressPools"], json!([LB_POOL]));
    let dir = manifests
        .iter()
        .find(|m| m.object.kind() == "IPAddressPool")
        .map(|m| m.dir.clone());
    assert_eq!(dir.as_deref(), Some("cluster/network"));
    // The fixed address is requested on the LAN Service only.
    let lan = object(&manifests, "Service", "broker-lan");
    assert_eq!(lan["spec"]["type"], "LoadBalancer");
    assert_eq!(
        lan["metadata"]["annotations"]["metallb.io/loadBalancerIPs"],
        "10.0.0.241"
    );
    let main = object(&manifests, "Service", "broker");
    assert!(main["metadata"].get("annotations").is_none(), "{main}");
    // Without a load balancer in the inventory there is no network part.
    let cluster = Cluster {
        load_balancer: None,
        ..test_cluster()
    };
    let catalogue = portkey_model::resolve(&cluster, vec![app("web")]).unwrap();
    let none = portkey::portkey_compile::compile(&catalogue).unwrap();
    assert!(!has_object(&none, "IPAddressPool", LB_POOL));
}

#[test]
fn dns01_issuer_compiles_with_the_secret_reference() {
    let mut cluster = test_cluster();
    cluster.ingress.challenge = AcmeChallenge::Dns01Cloudflare {
        api_token_secret: "cf-token".into(),
        key: "token".into(),
    };
    let catalogue = portkey_model::resolve(&cluster, vec![app("web").https("web")]).unwrap();
    let manifests = portkey::portkey_compile::compile(&catalogue).unwrap();
    let issuer = object(&manifests, "ClusterIssuer", CLUSTER_ISSUER);
    let solvers = &issuer["spec"]["acme"]["solvers"];
    assert_eq!(
        solvers,
        &json!([{ "dns01": { "cloudflare": { "apiTokenSecretRef": { "name": "cf-token", "key": "token" } } } }])
    );
    // The token Secret is one of the Secrets kept outside Git, in cert-manager's namespace.
    let outside = portkey_model::secrets::outside_git(&catalogue);
    let secret = &outside[&("cert-manager".to_string(), "cf-token".to_string())];
    assert!(secret.keys.contains("token"), "{secret:?}");
    let (components, facts) = portkey::bootstrap_input(&catalogue).unwrap();
    let simulation = portkey::portkey_converge::simulate(&catalogue, &components, &facts);
    let doc = portkey::portkey_render::bootstrap::document(&catalogue, &components, &simulation);
    assert!(
        doc.contains("kubectl -n cert-manager create secret generic cf-token")
            && doc.contains("solves DNS-01 through Cloudflare"),
        "{doc}"
    );
    // HTTP-01, the test inventory's choice, solves through the ingress class.
    let http = object(
        &compile(vec![app("web").https("web")]),
        "ClusterIssuer",
        CLUSTER_ISSUER,
    );
    assert_eq!(
        http["spec"]["acme"]["solvers"],
        json!([{ "http01": { "ingress": { "ingressClassName": "traefik" } } }])
    );
}

#[test]
fn http01_with_lan_only_hosts_warns_with_the_fix() {
    let apps = || vec![app("web").https("web"), app("api")];
    let mut cluster = test_cluster();
    cluster.ingress.reach = HostReach::LanOnly;
    let plan = portkey::plan(&cluster, apps()).unwrap();
    assert_eq!(plan.warnings.len(), 1, "{:#?}", plan.warnings);
    let w = &plan.warnings[0];
    assert!(w.starts_with("web: "), "{w}");
    assert!(
        w.contains("HTTP-01") && w.contains("Dns01Cloudflare") && w.contains("port 80"),
        "{w}"
    );
    // Rendering shows it too, and still succeeds.
    let out = portkey::build(&cluster, apps()).unwrap();
    assert_eq!(out.plan.warnings, plan.warnings);
    // DNS-01, or hosts the internet reaches, warn about nothing.
    cluster.ingress.challenge = AcmeChallenge::Dns01Cloudflare {
        api_token_secret: "cf-token".into(),
        key: "token".into(),
    };
    assert!(portkey::plan(&cluster, apps()).unwrap().warnings.is_empty());
    assert!(
        portkey::plan(&test_cluster(), apps())
            .unwrap()
            .warnings
            .is_empty()
    );
}
