//! The cluster's network facts: which load-balancer implementation gives Services of type
//! `LoadBalancer` their addresses, from which range, and how the ACME issuer proves it owns
//! the domain.
//!
//! Addresses are written as in the inventory and MetalLB's `IPAddressPool`
//! (`192.168.0.240-192.168.0.250`); [`Ipv4Range::parse`] reads them, and the checks in
//! `resolve::network` report a malformed or clashing one as a model problem.

use std::net::Ipv4Addr;

/// The largest pool the inventory may declare (a `/24`): a larger one on a home LAN almost
/// certainly overlaps the DHCP range or other hosts.
pub const MAX_POOL_SIZE: u32 = 256;

/// How Services of type `LoadBalancer` get an address. Without one they stay `<pending>`,
/// and Argo CD keeps them, and every Ingress that copies their status, `Progressing`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum LoadBalancer {
    /// MetalLB in layer-2 mode: one speaker answers ARP for each address. Compiles to an
    /// `IPAddressPool` named `pool` with `addresses`, and an `L2Advertisement` of that pool,
    /// both in MetalLB's namespace (`generated/cluster/network/`).
    MetalLbL2 {
        /// `IPAddressPool` name.
        pool: String,
        /// The range MetalLB hands out, `first-last` (both IPv4, inclusive).
        addresses: String,
    },
}

impl LoadBalancer {
    /// The pool's name.
    pub fn pool(&self) -> &str {
        match self {
            LoadBalancer::MetalLbL2 { pool, .. } => pool,
        }
    }
    /// The range as written.
    pub fn addresses(&self) -> &str {
        match self {
            LoadBalancer::MetalLbL2 { addresses, .. } => addresses,
        }
    }
    /// The parsed range, or why it does not parse.
    ///
    /// # Errors
    /// When the range is not `first-last` with two IPv4 addresses, first ≤ last.
    pub fn range(&self) -> Result<Ipv4Range, String> {
        Ipv4Range::parse(self.addresses())
    }
}

/// An inclusive range of IPv4 addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Range {
    /// First address.
    pub first: Ipv4Addr,
    /// Last address.
    pub last: Ipv4Addr,
}

impl Ipv4Range {
    /// Parses `first-last` (MetalLB's range form).
    ///
    /// # Errors
    /// When either end is not an IPv4 address, or the first is after the last.
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some((first, last)) = text.split_once('-') else {
            return Err(format!(
                "`{text}` is not a range `first-last` (e.g. `192.168.0.240-192.168.0.250`)"
            ));
        };
        let first = parse_ipv4(first.trim())?;
        let last = parse_ipv4(last.trim())?;
        if first > last {
            return Err(format!("`{text}` starts after it ends"));
        }
        Ok(Self { first, last })
    }
    /// Whether `address` is in the range.
    pub fn contains(self, address: Ipv4Addr) -> bool {
        (self.first..=self.last).contains(&address)
    }
    /// How many addresses the range holds.
    pub fn size(self) -> u64 {
        u64::from(u32::from(self.last)) - u64::from(u32::from(self.first)) + 1
    }
}

impl std::fmt::Display for Ipv4Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// Parses one IPv4 address.
///
/// # Errors
/// When `text` is not a dotted-quad IPv4 address.
pub fn parse_ipv4(text: &str) -> Result<Ipv4Addr, String> {
    text.parse::<Ipv4Addr>()
        .map_err(|_| format!("`{text}` is not an IPv4 address"))
}

/// How the ACME issuer proves control of the domain.
///
/// cert-manager's solvers: HTTP-01 serves a token at `http://<host>/.well-known/acme-challenge/`
/// and so works only for hosts Let's Encrypt reaches from the internet on port 80; DNS-01
/// writes a TXT record through the DNS provider's API and works for hosts only the LAN
/// reaches (<https://cert-manager.io/docs/configuration/acme/#solving-challenges>,
/// <https://letsencrypt.org/docs/challenge-types/>).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum AcmeChallenge {
    /// HTTP-01 through the cluster's ingress class (`solvers[].http01.ingress.ingressClassName`).
    Http01,
    /// DNS-01 through Cloudflare's API (`solvers[].dns01.cloudflare.apiTokenSecretRef`). The
    /// token Secret is created by hand in cert-manager's namespace (BOOTSTRAP.md lists it);
    /// the token needs `Zone:DNS:Edit` and `Zone:Zone:Read` on the domain's zone
    /// (<https://cert-manager.io/docs/configuration/acme/dns01/cloudflare/>).
    Dns01Cloudflare {
        /// Name of the Secret holding the API token.
        api_token_secret: String,
        /// Its key.
        key: String,
    },
}

/// Who can reach the apps' hosts under the cluster domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum HostReach {
    /// Only the LAN: the DNS records point at the ingress controller's LAN address and no
    /// port is forwarded from the internet. HTTP-01 cannot succeed.
    LanOnly,
    /// The internet too: port 80 reaches the ingress controller from outside.
    Internet,
}

/// Warnings about the issuer's reach: with HTTP-01 while the hosts are reachable only from
/// the LAN, Let's Encrypt can never fetch the challenge, so every HTTPS app's certificate
/// stays pending (its Ingress serves traefik's default certificate). One warning per app,
/// sorted like the catalogue.
pub fn warnings(catalogue: &crate::resolve::Catalogue<'_>) -> Vec<String> {
    let ingress = &catalogue.cluster.ingress;
    if ingress.challenge != AcmeChallenge::Http01 || ingress.reach != HostReach::LanOnly {
        return Vec::new();
    }
    catalogue
        .apps
        .iter()
        .filter_map(|a| a.app.https.as_ref().map(|h| (a, h)))
        .map(|(a, h)| {
            format!(
                "{}: https://{}.{} is reachable only from the LAN (`ingress.reach: LanOnly`), and the ClusterIssuer \
                 `{}` solves HTTP-01 only, which Let's Encrypt must reach from the internet on port 80: the \
                 certificate will never be issued. Fix: choose `AcmeChallenge::Dns01Cloudflare {{ .. }}` in \
                 cluster.rs (`ingress.challenge`), or forward port 80 to the ingress controller and declare \
                 `HostReach::Internet`",
                a.app.name, h.host, catalogue.cluster.domain, ingress.cluster_issuer
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_contain_their_ends() {
        let r = Ipv4Range::parse("192.168.0.240 - 192.168.0.250").unwrap();
        assert_eq!(r.to_string(), "192.168.0.240-192.168.0.250");
        assert_eq!(r.size(), 11);
        assert!(r.contains(Ipv4Addr::new(192, 168, 0, 240)));
        assert!(r.contains(Ipv4Addr::new(192, 168, 0, 250)));
        assert!(!r.contains(Ipv4Addr::new(192, 168, 0, 251)));
        assert_eq!(Ipv4Range::parse("10.0.0.1-10.0.0.1").unwrap().size(), 1);
    }

    #[test]
    fn bad_ranges_say_why() {
        assert!(
            Ipv4Range::parse("10.0.0.1")
                .unwrap_err()
                .contains("not a range")
        );
        assert!(
            Ipv4Range::parse("10.0.0.9-10.0.0.1")
                .unwrap_err()
                .contains("starts after")
        );
        assert!(
            Ipv4Range::parse("fe80::1-fe80::9")
                .unwrap_err()
                .contains("IPv4")
        );
    }
}
