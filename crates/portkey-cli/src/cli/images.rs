//! `portkey images [--format json]`: every container image and chart release the cluster
//! runs, with its version and the file that declares it: what to grep before a security
//! advisory.
//!
//! Images come from the apps (their container, and the init containers that wait for a
//! start-up dependency), and from the inventory (`cluster.rs`: the wait image, the generic
//! device plugin); chart releases from `apps/infra/`. An image declared in `cluster.rs` and
//! used by an app is listed once per app, with `cluster.rs` as its source (where Renovate
//! and you change it).
//!
//! Text is one line per use, `image  version  source-file  app`, sorted; a chart's `image` is
//! `<repository>/<chart>` and its `app` the release. JSON:
//!
//! ```json
//! {
//!   "images": [{
//!     "image": "ghcr.io/jellyfin/jellyfin", "tag": "10.11.11", "digest": null,
//!     "reference": "ghcr.io/jellyfin/jellyfin:10.11.11",
//!     "source": "apps/jellyfin.rs", "app": "jellyfin", "use": "container"
//!   }],
//!   "charts": [{
//!     "repository": "https://backube.github.io/helm-charts/", "chart": "volsync",
//!     "version": "0.16.0", "source": "apps/infra/volsync.rs", "release": "volsync",
//!     "namespace": "volsync-system"
//!   }]
//! }
//! ```
//!
//! `use` is `container`, `init-container` or `device-plugin`; `tag` and `digest` are null
//! when the reference has none. Both lists are sorted. Exit 0.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use portkey_model::app::App;
use portkey_model::chart::Chart;
use portkey_model::cluster::Cluster;
use portkey_model::components::ClusterPart;
use portkey_model::resolve::ImageRef;
use serde_json::{Value, json};

use super::{Format, print_json};

/// One use of a container image.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImageUse {
    /// The reference as written (`registry/repository:tag[@sha256:digest]`).
    pub reference: String,
    /// The file that declares the reference.
    pub source: String,
    /// The app (or cluster Application) that runs it.
    pub app: String,
    /// `container`, `init-container` or `device-plugin`.
    pub role: &'static str,
}

impl ImageUse {
    /// `(image, tag, digest)`: the repository, and the tag and digest if present (a
    /// malformed reference, which resolution reports, is all repository).
    pub fn parts(&self) -> (String, Option<String>, Option<String>) {
        match ImageRef::parse(&self.reference) {
            Ok(r) => (r.repository, Some(r.tag), r.digest),
            Err(_) => (self.reference.clone(), None, None),
        }
    }
}

/// Every image use of the catalogue, sorted, without repeats.
pub fn images(cluster: &Cluster, apps: &[App]) -> Vec<ImageUse> {
    let mut out = BTreeSet::new();
    let mut add = |reference: &str, source: &str, app: &str, role| {
        out.insert(ImageUse {
            reference: reference.into(),
            source: source.into(),
            app: app.into(),
            role,
        });
    };
    for a in apps {
        add(&a.image, &a.source, &a.name, "container");
        // The compiler adds a wait container per start-up dependency that has a port.
        let waits = a
            .dependencies
            .iter()
            .filter(|d| d.wait_at_startup)
            .any(|d| apps.iter().any(|o| o.name == d.app && !o.ports.is_empty()));
        if waits {
            add(
                &cluster.defaults.wait_image,
                &cluster.source,
                &a.name,
                "init-container",
            );
        }
    }
    // Listed while the AMD node is only planned too: Renovate keeps the pin current, so
    // enabling the node deploys a current plugin.
    if cluster.nodes.iter().chain(&cluster.planned_nodes).any(|n| {
        n.gpus()
            .any(|g| g.vendor == portkey_model::cluster::GpuVendor::Amd)
    }) {
        add(
            &cluster.device_plugins.amd_gpu_device_plugin_image,
            &cluster.source,
            &ClusterPart::Devices.app_name(),
            "amd-gpu-device-plugin",
        );
    }
    if cluster.nodes.iter().any(|n| {
        n.gpus()
            .any(|g| g.vendor == portkey_model::cluster::GpuVendor::Intel)
    }) {
        add(
            &cluster.device_plugins.intel_gpu_plugin_image,
            &cluster.source,
            &ClusterPart::Devices.app_name(),
            "intel-gpu-plugin",
        );
    }
    if cluster.nodes.iter().any(|n| n.devices().next().is_some()) {
        add(
            &cluster.device_plugins.generic_device_plugin_image,
            &cluster.source,
            &ClusterPart::Devices.app_name(),
            "device-plugin",
        );
    }
    out.into_iter().collect()
}

/// The chart releases, sorted by repository, chart, version, source and release.
pub fn charts(charts: &[Chart]) -> Vec<&Chart> {
    let mut out: Vec<&Chart> = charts.iter().collect();
    out.sort_by(|a, b| {
        (&a.repo, &a.chart, &a.version, &a.source, &a.name)
            .cmp(&(&b.repo, &b.chart, &b.version, &b.source, &b.name))
    });
    out
}

/// The JSON report.
pub fn json(cluster: &Cluster, apps: &[App], all_charts: &[Chart]) -> Value {
    let images: Vec<Value> = images(cluster, apps)
        .iter()
        .map(|u| {
            let (image, tag, digest) = u.parts();
            json!({
                "image": image,
                "tag": tag,
                "digest": digest,
                "reference": u.reference,
                "source": u.source,
                "app": u.app,
                "use": u.role,
            })
        })
        .collect();
    let charts: Vec<Value> = charts(all_charts)
        .iter()
        .map(|c| {
            json!({
                "repository": c.repo,
                "chart": c.chart,
                "version": c.version,
                "source": c.source,
                "release": c.name,
                "namespace": c.namespace,
            })
        })
        .collect();
    json!({ "images": images, "charts": charts })
}

/// The text report: `image  version  source-file  app`, aligned, sorted.
pub fn text(cluster: &Cluster, apps: &[App], all_charts: &[Chart]) -> String {
    let mut rows: BTreeSet<[String; 4]> = BTreeSet::new();
    for u in images(cluster, apps) {
        let (image, tag, digest) = u.parts();
        let version = match (tag, digest) {
            (Some(t), Some(d)) => format!("{t}@{d}"),
            (Some(v), None) | (None, Some(v)) => v,
            (None, None) => "-".into(),
        };
        rows.insert([image, version, u.source.clone(), u.app.clone()]);
    }
    for c in all_charts {
        rows.insert([
            format!("{}/{}", c.repo.trim_end_matches('/'), c.chart),
            c.version.clone(),
            c.source.clone(),
            c.name.clone(),
        ]);
    }
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    let mut s = String::new();
    for [image, version, source, app] in &rows {
        let _ = writeln!(s, "{image:<w0$}  {version:<w1$}  {source:<w2$}  {app}");
    }
    s
}

/// Runs `portkey images`.
pub fn run(repo: &crate::Repository, format: Format) -> ExitCode {
    let cluster = (repo.cluster)();
    let (apps, charts) = ((repo.apps)(), (repo.charts)());
    match format {
        Format::Text => print!("{}", text(&cluster, &apps, &charts)),
        Format::Json => print_json(&json(&cluster, &apps, &charts)),
    }
    ExitCode::SUCCESS
}
