//! Argo CD (`argoproj.io/v1alpha1`): the Applications that deploy `generated/`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

super::custom_kinds! {
    group "argoproj.io", version "v1alpha1";
    /// A `Application`.
    Application(ApplicationSpec): NamespaceResourceScope, plural "applications";
    /// A `AppProject`.
    AppProject(AppProjectSpec): NamespaceResourceScope, plural "appprojects";
}

/// `Application.spec`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    /// AppProject name.
    pub project: String,
    /// Where the manifests come from.
    pub source: ApplicationSource,
    /// Where they are applied.
    pub destination: ApplicationDestination,
    /// How syncing happens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_policy: Option<SyncPolicy>,
}

/// `spec.source`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    /// Repository URL.
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    /// Branch, tag or commit.
    pub target_revision: String,
    /// Directory inside the repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Directory options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<ApplicationSourceDirectory>,
    /// Helm chart name (with a Helm repository `repoURL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    /// Helm options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm: Option<ApplicationSourceHelm>,
}

/// `spec.source.helm`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceHelm {
    /// Helm release name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_name: Option<String>,
    /// Values as structured YAML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_object: Option<serde_json::Value>,
}

/// `spec.source.directory`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSourceDirectory {
    /// Descend into sub-directories.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurse: Option<bool>,
}

/// `spec.destination`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationDestination {
    /// API server URL.
    pub server: String,
    /// Target namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `spec.syncPolicy`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    /// Automated sync.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automated: Option<Automated>,
    /// Sync options (`CreateNamespace=true`, ...).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sync_options: Vec<String>,
    /// Labels of the namespace `CreateNamespace=true` creates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_namespace_metadata: Option<ManagedNamespaceMetadata>,
}

/// `spec.syncPolicy.managedNamespaceMetadata`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
pub struct ManagedNamespaceMetadata {
    /// Namespace labels (Pod Security).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", default)]
    pub labels: std::collections::BTreeMap<String, String>,
}

/// `AppProject.spec`: what the Applications of a project may deploy, and where.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppProjectSpec {
    /// What the project is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Repositories its Applications may use.
    pub source_repos: Vec<String>,
    /// Where they may deploy.
    pub destinations: Vec<ApplicationDestination>,
    /// Cluster-scoped kinds they may manage (none when empty).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cluster_resource_whitelist: Vec<GroupKind>,
    /// Namespaced kinds they may manage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_resource_whitelist: Option<Vec<GroupKind>>,
}

/// A group and kind (`group: ""` is the core group).
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct GroupKind {
    /// API group.
    pub group: String,
    /// Kind.
    pub kind: String,
}

/// `spec.syncPolicy.automated`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    /// Delete resources no longer in Git.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Revert changes made in the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_heal: Option<bool>,
}
