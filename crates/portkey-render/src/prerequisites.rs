//! BOOTSTRAP.md's prerequisites: what must exist before Argo CD can bring anything up.
//!
//! - [`prerequisites`]: one list that each concern appends to. Each concern is one function of
//!   the catalogue that returns its entries (none when the catalogue does not need it); an
//!   entry is a Markdown list item's text, continuation lines indented by two spaces. The
//!   CNI, the Git credentials, the restic repository and the critical app's password are here.
//! - [`network`]: the load balancer and its range (an assumption to confirm), the fixed LAN
//!   addresses, the DNS records that point at the ingress controller, and what the ACME
//!   challenge needs.
//!
//! The restic facts: the URL forms are restic's (`restic.readthedocs.io`, "Preparing a new
//! repository"); the keys are the environment variables Volsync's restic mover copies from
//! the repository Secret (backube/volsync `controllers/mover/restic/mover.go`; Volsync
//! mounts `GOOGLE_APPLICATION_CREDENTIALS` as a file and passes every `RCLONE_*` key).
//! The Git credentials Secret is Argo CD's declarative repository Secret (argo-cd
//! `docs/operator-manual/argocd-repositories.yaml`).

use portkey_compile::ARGOCD_NAMESPACE;
use portkey_model::backup::RESTIC_KEYS;
use portkey_model::chart::Capability;
use portkey_model::network::{AcmeChallenge, HostReach, LoadBalancer};
use portkey_model::resolve::Catalogue;
use portkey_model::secrets::cert_manager_namespace;
use std::fmt::Write as _;

/// A restic backend: its name, the form of `RESTIC_REPOSITORY`, and the keys it needs in
/// the repository Secret besides `RESTIC_REPOSITORY` and `RESTIC_PASSWORD`.
pub struct ResticBackend {
    /// The backend's name.
    pub name: &'static str,
    /// The form of `RESTIC_REPOSITORY`.
    pub url: &'static str,
    /// The credential keys (optional ones in parentheses).
    pub keys: &'static str,
}

/// The restic backends a Volsync repository Secret can name.
pub const RESTIC_BACKENDS: [ResticBackend; 7] = [
    ResticBackend {
        name: "S3 or S3-compatible (MinIO, Garage, Wasabi)",
        url: "s3:https://<endpoint>/<bucket>/<namespace>/<claim>",
        keys: "`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (`AWS_DEFAULT_REGION`, `AWS_SESSION_TOKEN`)",
    },
    ResticBackend {
        name: "restic REST server",
        url: "rest:https://<host>:8000/<namespace>/<claim>",
        keys: "`RESTIC_REST_USERNAME`, `RESTIC_REST_PASSWORD` (or none, for a server without auth)",
    },
    ResticBackend {
        name: "Backblaze B2",
        url: "b2:<bucket>:<namespace>/<claim>",
        keys: "`B2_ACCOUNT_ID`, `B2_ACCOUNT_KEY`",
    },
    ResticBackend {
        name: "Azure Blob Storage",
        url: "azure:<container>:/<namespace>/<claim>",
        keys: "`AZURE_ACCOUNT_NAME` and `AZURE_ACCOUNT_KEY` or `AZURE_ACCOUNT_SAS` (`AZURE_ENDPOINT_SUFFIX`)",
    },
    ResticBackend {
        name: "Google Cloud Storage",
        url: "gs:<bucket>:/<namespace>/<claim>",
        keys: "`GOOGLE_PROJECT_ID`, `GOOGLE_APPLICATION_CREDENTIALS` (the service account's JSON key itself, not a path)",
    },
    ResticBackend {
        name: "OpenStack Swift",
        url: "swift:<container>:/<namespace>/<claim>",
        keys: "`OS_AUTH_URL`, `OS_USERNAME`, `OS_PASSWORD`, `OS_PROJECT_NAME`, ... (or `ST_AUTH`, `ST_USER`, `ST_KEY`)",
    },
    ResticBackend {
        name: "rclone",
        url: "rclone:<remote>:<namespace>/<claim>",
        keys: "the remote's configuration as `RCLONE_*` keys",
    },
];

/// Every prerequisite entry, in the order BOOTSTRAP.md lists them. Add a concern here.
pub fn prerequisites(catalogue: &Catalogue<'_>) -> Vec<String> {
    [cni, git_credentials, restic_repository, offline_password]
        .iter()
        .flat_map(|concern| concern(catalogue))
        .collect()
}

/// The CNI: the inventory names the one it assumes (`cni`); portkey installs none.
fn cni(catalogue: &Catalogue<'_>) -> Vec<String> {
    let cni = &catalogue.cluster.cni;
    vec![format!(
        "A CNI plugin installed right after `kubeadm init`. **Assumption:** `{}` (`cni` in `{}`; the seed names \
         none), one that {} NetworkPolicy. portkey installs none; until one runs, the nodes stay `NotReady` and \
         no pod, Argo CD's included, starts.",
        cni.name,
        catalogue.cluster.source,
        if cni.enforces_network_policy {
            "enforces"
        } else {
            "does not enforce"
        }
    )]
}

/// Credentials for the Git repository Argo CD syncs from, if it is private.
fn git_credentials(catalogue: &Catalogue<'_>) -> Vec<String> {
    let git = &catalogue.cluster.git;
    let mut s = format!(
        "Read access to `{}` (revision `{}`): nothing to do while the repository is public. If it is private, \
         create Argo CD's repository Secret before applying the root (a read-only token, e.g. a GitHub \
         fine-grained token with Contents: read):\n\n  ```sh\n",
        git.repo_url, git.revision
    );
    let _ = write!(
        s,
        "  kubectl -n {ARGOCD_NAMESPACE} create secret generic portkey-repository \\\n    \
         --from-literal=type=git --from-literal=url={} \\\n    \
         --from-literal=username='<user>' --from-literal=password='<token>'\n  \
         kubectl -n {ARGOCD_NAMESPACE} label secret portkey-repository argocd.argoproj.io/secret-type=repository\n  ```",
        git.repo_url
    );
    vec![s]
}

/// The restic repository every backup writes to: backend, URL form, credentials.
fn restic_repository(catalogue: &Catalogue<'_>) -> Vec<String> {
    if catalogue.backups().next().is_none() {
        return Vec::new();
    }
    let [repository, password] = RESTIC_KEYS.both();
    let mut s = String::from("A restic repository backend for the backups. ");
    match &catalogue.cluster.backup.secret_store {
        Some(store) => {
            let _ = write!(
                s,
                "Every `{repository}` is `{}/<namespace>/<claim>` (the secret store `{}`'s prefix in `cluster.rs`); \
                 its `backend_keys` name the backend's credentials below, which every repository Secret also reads from the store.",
                store.repository_prefix.trim_end_matches('/'),
                store.name
            );
        }
        None => {
            let _ = write!(
                s,
                "`cluster.rs` names no secret store, so portkey does not know the backend: each volume's Secret \
                 (section 2) holds its own `{repository}`, unique to the volume (Volsync does not support shared \
                 repositories), its `{password}`, and the backend's credentials as extra keys of the same Secret."
            );
        }
    }
    s.push_str(" The backends and what each needs:\n\n  | backend | `RESTIC_REPOSITORY` | credential keys |\n  |---|---|---|\n");
    for b in &RESTIC_BACKENDS {
        let _ = writeln!(s, "  | {} | `{}` | {} |", b.name, b.url, b.keys);
    }
    s.push_str(
        "\n  A missing repository is initialised by the first backup; on a rebuilt cluster, the URLs and passwords \
         must be the old ones, or the restores find nothing.",
    );
    vec![s]
}

/// Where a critical app's own restic password lives: never only inside that app.
fn offline_password(catalogue: &Catalogue<'_>) -> Vec<String> {
    catalogue
        .backups()
        .filter(|(app, _, _)| app.app.critical.is_some())
        .map(|(app, _, backup)| {
            let place = match &catalogue.cluster.backup.secret_store {
                // The model refuses a store served by an app of the cluster.
                Some(store) => format!(
                    "in the secret store `{}` ({}, a service outside the cluster and outside `{}`), \
                     with its credential written down offline",
                    store.name,
                    store.provider.title(),
                    app.app.name
                ),
                None => "written down offline (on paper in a safe place, or in a second password manager)".into(),
            };
            format!(
                "`{}`'s restic password and repository credentials (Secret `{}/{}`) kept outside the cluster and \
                 outside `{}`: {place}. Restoring `{}` needs them, so they cannot live only in it.",
                app.app.name,
                app.app.namespace.name(),
                backup.repository_secret,
                app.app.name,
                app.app.name
            )
        })
        .collect()
}

/// The prerequisites' bullets (Markdown), ending with a blank line.
pub fn network(catalogue: &Catalogue<'_>) -> String {
    let cluster = catalogue.cluster;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "- **CNI**: `{}`, which must enforce NetworkPolicy (Calico, Cilium, kube-router do). **Value to confirm** \
         (`cni` in `{}`): the seed names no CNI. Every app namespace denies all traffic but the flows of \
         ARCHITECTURE.md's connectivity matrix; on a CNI that does not enforce NetworkPolicy (Flannel alone) \
         those policies are accepted and inert, and every pod can reach every other. LAN clients are allowed \
         from `{}` (`lan_cidr`, **value to confirm**).",
        cluster.cni.name, cluster.source, cluster.lan_cidr
    );
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
