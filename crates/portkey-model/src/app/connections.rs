//! The network connections an app makes: to other apps, and to the internet. They compile
//! to the app's NetworkPolicy (`portkey-compile`'s `network_policy` module).
//!
//! One source of truth each:
//! - a dependency (`.waits_for(..)`, `.depends_on(..)`) implies a connection to the
//!   dependency's primary port; [`App::talks_to`] declares the others;
//! - LAN clients reach exactly the ports the app exposes on the LAN ([`App::lan`],
//!   [`crate::app::Port::lan`]): the LAN Service is the `from_lan` of the model, so no second
//!   list can disagree with it.

use super::App;

/// A port of another app, by name or by number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub enum PortRef {
    /// The port's name (`http`, `mqtt`).
    Name(String),
    /// The port's number.
    Number(u16),
}

impl From<&str> for PortRef {
    fn from(name: &str) -> Self {
        Self::Name(name.into())
    }
}

impl From<u16> for PortRef {
    fn from(number: u16) -> Self {
        Self::Number(number)
    }
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n),
            Self::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A connection the app opens to another app's port.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schemars", derive(serde::Serialize, schemars::JsonSchema))]
pub struct Connection {
    /// The other app's name.
    pub app: String,
    /// The port it connects to.
    pub port: PortRef,
}

impl App {
    /// Opens connections to another app's port (by name or number) that no dependency
    /// implies: compiles to an egress rule in this app's NetworkPolicy and an ingress rule
    /// in the other app's. The app and the port must exist.
    pub fn talks_to(mut self, app: &str, port: impl Into<PortRef>) -> Self {
        self.talks_to.push(Connection {
            app: app.into(),
            port: port.into(),
        });
        self
    }
    /// Accepts connections from the internet on its LAN ports, and why (a router forwards
    /// them: torrent peers): compiles to ingress from `0.0.0.0/0` except RFC 1918 (the pods'
    /// ranges) on the ports exposed with [`App::lan`] or [`crate::app::Port::lan`], besides
    /// the LAN's range.
    pub fn ingress_internet(mut self, why: &str) -> Self {
        self.ingress_internet = Some(why.into());
        self
    }
    /// Needs the internet, and why (indexers, metadata, torrent peers): compiles to an
    /// egress rule to `0.0.0.0/0` except the private ranges (RFC 1918), on any port. Without
    /// it, the app reaches only the cluster's DNS and the apps it talks to.
    pub fn egress_internet(mut self, why: &str) -> Self {
        self.egress_internet = Some(why.into());
        self
    }
}
