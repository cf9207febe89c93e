//! BOOTSTRAP.md's network prerequisites: the load balancer and its range (an assumption to
//! confirm), the fixed LAN addresses, the DNS records that point at the ingress controller,
//! and what the ACME challenge needs.

use std::fmt::Write as _;

use portkey_model::chart::Capability;
use portkey_model::network::{AcmeChallenge, HostReach, LoadBalancer};
use portkey_model::resolve::Catalogue;
use portkey_model::secrets::cert_manager_namespace;

/// The prerequisites' bullets (Markdown), ending with a blank line.
pub fn network(catalogue: &Catalogue<'_>) -> String {
    let cluster = catalogue.cluster;
    let mut s = String::new();
    match &cluster.load_balancer {
        Some(lb @ LoadBalancer::MetalLbL2 { pool, addresses }) => {
            let _ = writeln!(
                s,
                "- **Load balancer**: MetalLB in layer-2 mode hands out `{addresses}` (IPAddressPool `{pool}`, \
                 `generated/cluster/network/`). **Value to confirm**: the range is an assumption of `{}` \
                 (`load_balancer`): reserve it on the router, outside its DHCP range, used by no host. \
                 kube-proxy needs `strictARP: true` only in IPVS mode (`kubectl -n kube-system edit configmap kube-proxy`); \
                 kubeadm's default iptables mode needs nothing.",
                cluster.source
            );
            let fixed = fixed_addresses(catalogue);
            if !fixed.is_empty() {
                let list: Vec<String> = fixed
                    .iter()
                    .map(|(ns, svc, a)| format!("`{ns}/{svc}` {a}"))
                    .collect();
                let _ = writeln!(
                    s,
                    "  Fixed addresses from the pool `{}`: {}.",
                    lb.pool(),
                    list.join(", ")
                );
            }
        }
        None => {
            s.push_str("- **Load balancer**: none declared; no Service is of type LoadBalancer.\n");
        }
    }
    let hosts: Vec<String> = catalogue
        .apps
        .iter()
        .filter_map(|a| a.app.https.as_ref())
        .map(|h| format!("`{}.{}`", h.host, cluster.domain))
        .collect();
    if !hosts.is_empty() {
        match ingress_address(catalogue) {
            Some((chart, address)) => {
                let _ = writeln!(
                    s,
                    "- **DNS records**: an A record to {address} ({chart}'s Service) for each of {} \
                     (or one wildcard `*.{}`), in the LAN's DNS.",
                    hosts.join(", "),
                    cluster.domain
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "- **DNS records**: {} point at the ingress controller's address (`kubectl -n <namespace> get service`).",
                    hosts.join(", ")
                );
            }
        }
        let ingress = &cluster.ingress;
        match &ingress.challenge {
            AcmeChallenge::Dns01Cloudflare {
                api_token_secret,
                key,
            } => {
                let _ = writeln!(
                    s,
                    "- **Certificates**: the ClusterIssuer `{}` solves DNS-01 through Cloudflare. Create an API token \
                     with `Zone:DNS:Edit` and `Zone:Zone:Read` on the `{}` zone and store it as `{}/{api_token_secret}` (key `{key}`, in §2). \
                     **Value to confirm**: the zone is served by Cloudflare.",
                    ingress.cluster_issuer,
                    cluster.domain,
                    cert_manager_namespace(catalogue)
                );
            }
            AcmeChallenge::Http01 => {
                let reach = match ingress.reach {
                    HostReach::Internet => {
                        "forward port 80 from the internet to the ingress controller"
                    }
                    HostReach::LanOnly => {
                        "the hosts are LAN-only, so HTTP-01 cannot succeed: switch to DNS-01 (see `portkey plan`'s warning)"
                    }
                };
                let _ = writeln!(
                    s,
                    "- **Certificates**: the ClusterIssuer `{}` solves HTTP-01: {reach}.",
                    ingress.cluster_issuer
                );
            }
        }
    }
    s.push('\n');
    s
}

/// Every fixed LAN address as `(namespace, Service or release, address)`, sorted.
fn fixed_addresses(catalogue: &Catalogue<'_>) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = catalogue
        .apps
        .iter()
        .filter_map(|a| {
            let address = a.app.lan_address.clone()?;
            let service = portkey_compile::lan_service_name(a)?;
            Some((a.app.namespace.name().to_string(), service, address))
        })
        .chain(catalogue.charts.iter().filter_map(|c| {
            c.load_balancer_address
                .clone()
                .map(|a| (c.namespace.clone(), c.name.clone(), a))
        }))
        .collect();
    out.sort_by_key(|(_, _, a)| (portkey_model::network::parse_ipv4(a).ok(), a.clone()));
    out
}

/// The release providing the cluster's ingress class, and its fixed address.
fn ingress_address<'a>(catalogue: &'a Catalogue<'_>) -> Option<(&'a str, &'a str)> {
    let class = Capability::IngressClass(catalogue.cluster.ingress.class.clone());
    catalogue
        .charts
        .iter()
        .find(|c| c.provides.contains(&class))
        .and_then(|c| Some((c.name.as_str(), c.load_balancer_address.as_deref()?)))
}
