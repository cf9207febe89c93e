//! BOOTSTRAP.md's prerequisites: what must exist before Argo CD can bring anything up, one
//! list that each concern appends to. Each concern is one function of the catalogue that
//! returns its entries (none when the catalogue does not need it), listed once in
//! [`prerequisites`]; an entry is a Markdown list item's text, continuation lines indented
//! by two spaces.
//!
//! The restic facts: the URL forms are restic's (`restic.readthedocs.io`, "Preparing a new
//! repository"); the keys are the environment variables Volsync's restic mover copies from
//! the repository Secret (backube/volsync `controllers/mover/restic/mover.go`; Volsync
//! mounts `GOOGLE_APPLICATION_CREDENTIALS` as a file and passes every `RCLONE_*` key).
//! The Git credentials Secret is Argo CD's declarative repository Secret (argo-cd
//! `docs/operator-manual/argocd-repositories.yaml`).

use std::fmt::Write as _;

use portkey_compile::ARGOCD_NAMESPACE;
use portkey_model::backup::RESTIC_KEYS;
use portkey_model::resolve::Catalogue;

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

/// The CNI: the inventory declares none, so portkey assumes one.
fn cni(_: &Catalogue<'_>) -> Vec<String> {
    vec![
        "A CNI plugin (Flannel, Calico, Cilium, ...) installed right after `kubeadm init`. **Assumption:** the \
         inventory (`cluster.rs`) declares no CNI and portkey installs none; until one runs, the nodes stay \
         `NotReady` and no pod, Argo CD's included, starts."
            .into(),
    ]
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
                 put the backend's credentials below in the store next to the restic password.",
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
            format!(
                "`{}`'s restic password and repository credentials (Secret `{}/{}`) kept outside `{}`: written down \
                 offline (on paper in a safe place, or in a second password manager). Restoring `{}` needs them, so \
                 they cannot live only in it.",
                app.app.name,
                app.app.namespace.name(),
                backup.repository_secret,
                app.app.name,
                app.app.name
            )
        })
        .collect()
}
