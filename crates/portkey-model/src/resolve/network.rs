//! LAN addresses: the inventory's load-balancer pool is a sane IPv4 range clear of the hosts
//! the inventory knows; every fixed address (an app's `.lan_address(..)`, a chart's
//! `.load_balancer_address(..)`) is an IPv4 address in that pool, claimed once; and a LAN
//! Service without a load-balancer implementation is an error, never a `LoadBalancer`
//! Service that waits forever.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::app::{App, ServiceExposure};
use crate::chart::{Capability, Chart};
use crate::cluster::Cluster;
use crate::error::{ModelError, Problems};
use crate::names;
use crate::network::{Ipv4Range, MAX_POOL_SIZE, parse_ipv4};

/// Whether the app has a Service of type `LoadBalancer` (`.lan()` or a port marked `.lan()`).
pub(crate) fn has_lan_service(app: &App) -> bool {
    app.service == ServiceExposure::Lan || app.ports.iter().any(|p| p.lan)
}

/// Checks the pool in the inventory; returns it when it parses.
fn check_pool(cluster: &Cluster, out: &mut Vec<ModelError>) -> Option<Ipv4Range> {
    let lb = cluster.load_balancer.as_ref()?;
    let mut p = Problems::new(&cluster.source, "cluster", out);
    if let Err(e) = names::check_subdomain(lb.pool()) {
        p.add(
            "load_balancer.pool",
            format!("pool name {e}"),
            "name the IPAddressPool with lower-case letters, digits and `-`",
        );
    }
    let range = match lb.range() {
        Ok(r) => r,
        Err(e) => {
            p.add(
                "load_balancer.addresses",
                e,
                "write the range as two IPv4 addresses, `first-last`, first ≤ last",
            );
            return None;
        }
    };
    if range.size() > u64::from(MAX_POOL_SIZE) {
        p.add(
            "load_balancer.addresses",
            format!(
                "`{range}` holds {} addresses, more than {MAX_POOL_SIZE}: on a home LAN it overlaps DHCP or other hosts",
                range.size()
            ),
            "give MetalLB a small range your router's DHCP never hands out",
        );
    }
    for share in &cluster.nfs_shares {
        if let Ok(server) = parse_ipv4(&share.server)
            && range.contains(server)
        {
            p.add(
                "load_balancer.addresses",
                format!(
                    "`{range}` contains {server}, the NFS server of share `{}`: MetalLB would answer ARP for it",
                    share.name
                ),
                "move the range clear of every host on the LAN",
            );
        }
    }
    Some(range)
}

/// One fixed address and who claims it.
struct Claim<'a> {
    file: &'a str,
    owner: &'a str,
    field: &'static str,
    address: &'a str,
}

/// How to declare an implementation (the first half of both fixes below).
const DECLARE_ONE: &str = "declare one in cluster.rs (`load_balancer: Some(LoadBalancer::MetalLbL2 { .. })`, \
     with the metallb chart release under apps/infra/)";

/// The fix offered for an app's LAN Service without an implementation.
fn app_fix() -> String {
    format!(
        "{DECLARE_ONE}, or drop `.lan()` and reach the port without a load balancer: a NodePort Service or a \
         hostPort on the container (neither is a portkey builder yet)"
    )
}

/// The fix offered for a chart's LoadBalancer Service without an implementation.
fn chart_fix() -> String {
    format!(
        "{DECLARE_ONE}, or publish the chart's Service as a NodePort in its values (or its pods on a hostPort) \
         and drop `.needs_load_balancer()`"
    )
}

/// Checks the pool, every fixed address, and that LAN Services have an implementation.
pub(super) fn check(cluster: &Cluster, apps: &[App], charts: &[Chart]) -> Vec<ModelError> {
    let mut out = Vec::new();
    let pool = check_pool(cluster, &mut out);
    let none = cluster.load_balancer.is_none();
    let mut claims: Vec<Claim<'_>> = Vec::new();
    for app in apps {
        let lan = has_lan_service(app);
        if lan && none {
            out.push(
                ModelError::at(&app.source, &app.name, "lan")
                    .problem(
                        "has a LAN Service (type LoadBalancer), but the inventory declares no load-balancer implementation: \
                         it would stay `<pending>` and Argo CD would keep it Progressing forever",
                    )
                    .fix(app_fix()),
            );
        }
        if let Some(address) = &app.lan_address {
            if !lan {
                out.push(
                    ModelError::at(&app.source, &app.name, "lan_address")
                        .problem(format!(
                            "asks for the LAN address {address}, but has no LAN Service to give it to"
                        ))
                        .fix("mark the app `.lan()` or a port `.lan()`, or remove `.lan_address(..)`"),
                );
            } else if !none {
                claims.push(Claim {
                    file: &app.source,
                    owner: &app.name,
                    field: "lan_address",
                    address,
                });
            }
        }
    }
    for chart in charts {
        let needs = chart.needs.contains(&Capability::LoadBalancer);
        if needs && none {
            out.push(
                ModelError::at(&chart.source, &chart.name, "needs")
                    .problem(format!(
                        "publishes a Service of type LoadBalancer and needs {}, but the inventory declares no \
                         load-balancer implementation: the Service would stay `<pending>`, and Argo CD would keep it \
                         and every Ingress that copies its status Progressing",
                        Capability::LoadBalancer
                    ))
                    .fix(chart_fix()),
            );
        }
        if let Some(address) = &chart.load_balancer_address {
            if !mentions(&chart.values, address) {
                out.push(
                    ModelError::at(&chart.source, &chart.name, "load_balancer_address")
                        .problem(format!(
                            "declares the load-balancer address {address}, but its values never request it"
                        ))
                        .fix("request it in the values, e.g. traefik's `service.annotations` with `metallb.io/loadBalancerIPs`"),
                );
            }
            if none && !needs {
                out.push(
                    ModelError::at(&chart.source, &chart.name, "load_balancer_address")
                        .problem(format!(
                            "asks for the address {address}, but the inventory declares no load-balancer pool"
                        ))
                        .fix("declare `load_balancer` in cluster.rs, or remove the fixed address"),
                );
            } else if !none {
                claims.push(Claim {
                    file: &chart.source,
                    owner: &chart.name,
                    field: "load_balancer_address",
                    address,
                });
            }
        }
    }
    if let (Some(lb), Some(range)) = (&cluster.load_balancer, pool) {
        check_claims(lb.pool(), range, &claims, &mut out);
    }
    out
}

/// Each claimed address parses, lies in the pool, and is claimed once.
fn check_claims(pool: &str, range: Ipv4Range, claims: &[Claim<'_>], out: &mut Vec<ModelError>) {
    let mut seen: BTreeMap<Ipv4Addr, &str> = BTreeMap::new();
    for c in claims {
        let at = || ModelError::at(c.file, c.owner, c.field);
        let address = match parse_ipv4(c.address) {
            Ok(a) => a,
            Err(e) => {
                out.push(
                    at().problem(e)
                        .fix(format!("write one IPv4 address from {range}")),
                );
                continue;
            }
        };
        if !range.contains(address) {
            out.push(
                at().problem(format!(
                    "asks for {address}, outside the pool `{pool}` ({range}): MetalLB would never assign it, \
                     and the Service would stay `<pending>`"
                ))
                .fix(format!("pick a free address in {range}")),
            );
        }
        if let Some(first) = seen.get(&address) {
            out.push(
                at().problem(format!(
                    "asks for {address}, which `{first}` already claims: MetalLB gives an address to one Service \
                     only, so one of them would stay `<pending>`"
                ))
                .fix(format!("give each Service its own address from {range}")),
            );
        } else {
            seen.insert(address, c.owner);
        }
    }
}

/// Whether any string in `values` is `needle`, or is a comma-separated list containing it.
fn mentions(values: &serde_json::Value, needle: &str) -> bool {
    match values {
        serde_json::Value::String(s) => s.split(',').any(|p| p.trim() == needle),
        serde_json::Value::Array(a) => a.iter().any(|v| mentions(v, needle)),
        serde_json::Value::Object(m) => m.values().any(|v| mentions(v, needle)),
        _ => false,
    }
}
