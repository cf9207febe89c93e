//! The bad-input suite: 237 cases (counted by `bad_input_suite_has_at_least_40_cases`):
//! - 29 in `tests/it/errors/catalogue.rs`,
//! - 7 in `tests/it/errors/connections.rs`: `.talks_to(..)` an unknown app or port, the
//!   nearest name for a typo, the app itself, internet egress without a reason, internet
//!   ingress without a LAN port or a reason, and a LAN range that is no CIDR, and
//! - 34 in `tests/it/errors/fields.rs`: model errors naming app, field and fix;
//! - 7 in `tests/it/errors/metrics.rs`: `.metrics(..)` on a port the app does not expose
//!   (naming its ports), on a UDP port, with a path without `/`, or with no release running
//!   Prometheus; a release that does not say how NetworkPolicy covers its namespace, names
//!   values it does not set to `true`, or runs a second Prometheus (or one without labels);
//! - 9 in `tests/it/errors/network.rs`: LAN Services without a load balancer, addresses
//!   outside the pool or claimed twice, malformed pools, HTTP-01 for LAN-only hosts (a
//!   warning);
//! - 13 in `tests/it/render_fs.rs`: the output directory (foreign files, symlinks, a file
//!   in its place, a missing parent, read-only and failed writes);
//! - 4 in `tests/it/cli.rs`: `render --check` on hand-edited, foreign and missing trees;
//! - 13 in `tests/it/validation/schemas.rs`: schemas and `portkey validate` (non-UTF-8,
//!   duplicate keys, no `kind`, empty files among them);
//! - 4 in `tests/it/validation/upstream.rs`: custom kinds against the upstream CRD schemas
//!   by default (a field unknown upstream, a field required upstream but missing);
//! - 1 in `crates/portkey-validate/src/upstream/tests.rs`: a CRD type's field unknown
//!   upstream, of the wrong type, or optional where upstream requires it;
//! - 18 in `crates/portkey-validate/src/lint/tests.rs`: one per lint rule;
//! - 2 in `tests/it/validation/lints.rs`: lint suppressions without a reason;
//! - 6 in `tests/it/validation/gates.rs`: hand-edited and invalid copies of `generated/`;
//! - 15 in `tests/it/errors/silent.rs`: mistakes that used to pass silently
//!   (zero requests, IDs, floating tags, overflow, keys the API server rejects);
//! - 3 in `tests/it/backups/renamed.rs`: a rename without `.renamed_from(..)` and a
//!   deleted app warn, naming the fix and the repository; a rename onto itself;
//! - 2 in `tests/it/analysis/capacity.rs`: placement errors that name the holder of a
//!   device and the largest node;
//! - 4 in `tests/it/analysis/inventory.rs`: hardware the nodes can't use, GPUs without a
//!   plugin, planned nodes;
//! - 4 in `crates/portkey-validate/src/apiserver/tests/mod.rs`: the API server's own
//!   rules on hand-written objects: names per kind, labels, annotations, ConfigMap and
//!   Secret keys;
//! - 10 in `crates/portkey-validate/src/apiserver/tests/pod.rs`: env, resources, IDs,
//!   names, ports, volumes, probes, selectors;
//! - 6 in `crates/portkey-validate/src/apiserver/tests/objects.rs`: Services, Ingresses,
//!   claims, StorageClasses, CronJobs;
//! - 1 in `crates/portkey-validate/src/apiserver/quantity.rs`: malformed quantities;
//! - 2 in `tests/it/validation/apiserver.rs`: `portkey validate` on one mistake per file,
//!   and render refusing a ConfigMap over 1 MiB;
//! - 1 in `tests/it/build_script.rs`: bad app files (non-UTF-8, two files for one module,
//!   neither `app()` nor `chart()`, `chart()` only in a comment) through `cargo build`;
//! - 12 in `tests/it/converge.rs`: objects the bootstrap replay finds could never become
//!   healthy (no load balancer, an unlabelled GPU node, a DaemonSet on no node, a GPU
//!   plugin on a node without the GPU, a missing Secret, resource, consumer, restore
//!   Secret or issuer, a provider in a later wave, and Argo CD health checks without
//!   Synced or without the CephCluster override);
//! - 3 in `tests/it/alerting.rs`: chart values whose merge leaves an Alertmanager route on
//!   an undefined receiver (the old `'null'` receiver case, found by the check and refused
//!   by render), a Secret form for a key no `.needs_secret(..)` declares;
//! - 2 in `crates/portkey-model/src/alertmanager.rs`: routing trees Alertmanager refuses (a
//!   nested route to an undefined receiver, no root receiver, a receiver named twice);
//! - 8 in `crates/portkey-validate/src/chart_values/tests.rs`: chart values against
//!   hand-written defaults: a misspelt key, a map over a scalar, a path outside its
//!   declaration, stale and unused declarations, schema violations, missing or unparsable
//!   defaults;
//! - 6 in `tests/it/validation/chart_values.rs`: the real releases with one planted
//!   mistake (a misspelt key, a wrong type for traefik's schema, traefik 33's redirect
//!   keys, a version bump without defaults), and `charts pull` without helm or with a
//!   failing one;
//! - 1 in `tests/it/pod_security.rs`: a pod that needs Pod Security `privileged` (a
//!   capability outside the baseline set) in an app namespace;
//! - 5 in `tests/it/secret_store.rs`: a secret store served by an app of the cluster
//!   (vaultwarden), a namespaced store, a store credential without a name, backend keys
//!   that are no environment variable names, a store with chart releases but none that
//!   installs external-secrets (one problem, with the release to add);
//! - 5 in `tests/it/secret_store/tls.rs`: a CA Issuer whose CA Secret nothing writes (the
//!   replay never makes it Ready), an SDK server CA in another namespace or key than the
//!   serving Secret's `ca.crt`, a certificate chain that syncs after the release whose SDK
//!   server mounts it (a deadlock), an SDK server Secret nothing writes, and an
//!   external-secrets release without the SDK server or in another namespace.
//!
//! The names are listed in `BAD_INPUT_CASES`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use super::root;
use regex::Regex;

/// Bad-input cases: `(file, from the repository's root; test function)`. Each must exist as
/// a `#[test]` in that file.
const BAD_INPUT_CASES: &[(&str, &str)] = &[
    // errors: invalid model input.
    ("tests/it/errors/catalogue.rs", "app_name_with_upper_case"),
    ("tests/it/errors/connections.rs", "talks_to_an_unknown_app"),
    (
        "tests/it/errors/connections.rs",
        "talks_to_a_port_the_app_does_not_expose",
    ),
    (
        "tests/it/errors/connections.rs",
        "talks_to_a_typo_names_the_nearest_app",
    ),
    ("tests/it/errors/connections.rs", "talks_to_itself"),
    (
        "tests/it/errors/connections.rs",
        "egress_internet_without_a_reason",
    ),
    (
        "tests/it/errors/connections.rs",
        "lan_cidr_that_is_not_a_cidr",
    ),
    (
        "tests/it/errors/connections.rs",
        "ingress_internet_without_a_lan_port_or_a_reason",
    ),
    (
        "tests/it/errors/metrics.rs",
        "metrics_on_a_port_the_app_does_not_expose",
    ),
    ("tests/it/errors/metrics.rs", "metrics_on_a_udp_port"),
    (
        "tests/it/errors/metrics.rs",
        "metrics_path_without_a_leading_slash",
    ),
    (
        "tests/it/errors/metrics.rs",
        "metrics_without_a_monitoring_stack",
    ),
    (
        "tests/it/errors/metrics.rs",
        "a_release_that_does_not_say_how_its_namespace_is_covered",
    ),
    (
        "tests/it/errors/metrics.rs",
        "chart_policies_on_values_the_release_does_not_set",
    ),
    ("tests/it/errors/metrics.rs", "two_releases_run_prometheus"),
    ("tests/it/errors/catalogue.rs", "app_name_with_underscore"),
    ("tests/it/errors/catalogue.rs", "app_name_too_long"),
    ("tests/it/errors/catalogue.rs", "invalid_namespace"),
    ("tests/it/errors/catalogue.rs", "unknown_dependency"),
    ("tests/it/errors/catalogue.rs", "duplicate_app"),
    ("tests/it/errors/catalogue.rs", "missing_nfs_share"),
    ("tests/it/errors/catalogue.rs", "unknown_storage_class"),
    ("tests/it/errors/catalogue.rs", "gpu_no_node_has"),
    ("tests/it/errors/catalogue.rs", "device_not_in_inventory"),
    ("tests/it/errors/catalogue.rs", "pin_to_unknown_node"),
    (
        "tests/it/errors/catalogue.rs",
        "unsatisfiable_placement_gpu_and_pin",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "unsatisfiable_placement_gpu_and_device",
    ),
    ("tests/it/errors/catalogue.rs", "malformed_cron_schedule"),
    ("tests/it/errors/catalogue.rs", "image_without_tag"),
    ("tests/it/errors/catalogue.rs", "memory_limit_below_request"),
    (
        "tests/it/errors/catalogue.rs",
        "critical_app_on_delete_class",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "critical_app_without_backup",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "claim_without_backup_or_exemption",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "retain_class_without_a_delete_sibling_for_volsync_s_temporary_claims",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "all_problems_of_all_apps_are_reported_at_once",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "reserved_argocd_application_names_are_rejected_cluster",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "reserved_argocd_application_names_are_rejected_root",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "waits_for_cycle_is_rejected",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "waits_for_udp_port_is_rejected",
    ),
    ("tests/it/errors/fields.rs", "env_var_name_invalid"),
    ("tests/it/errors/fields.rs", "env_var_set_twice"),
    ("tests/it/errors/fields.rs", "duplicate_port_number"),
    ("tests/it/errors/fields.rs", "duplicate_port_name"),
    ("tests/it/errors/fields.rs", "port_name_too_long"),
    ("tests/it/errors/fields.rs", "port_zero"),
    ("tests/it/errors/fields.rs", "mount_path_relative"),
    ("tests/it/errors/fields.rs", "duplicate_mount_path"),
    ("tests/it/errors/fields.rs", "duplicate_volume_name"),
    ("tests/it/errors/fields.rs", "https_host_with_a_dot"),
    ("tests/it/errors/fields.rs", "https_without_a_port"),
    (
        "tests/it/errors/fields.rs",
        "ingress_annotation_before_https",
    ),
    ("tests/it/errors/fields.rs", "probe_path_without_slash"),
    ("tests/it/errors/fields.rs", "probe_without_a_port"),
    ("tests/it/errors/fields.rs", "zero_size_claim"),
    ("tests/it/errors/fields.rs", "claim_name_too_long"),
    (
        "tests/it/errors/fields.rs",
        "access_mode_the_class_does_not_support",
    ),
    ("tests/it/errors/fields.rs", "critical_with_empty_reason"),
    ("tests/it/errors/fields.rs", "pin_with_empty_reason"),
    ("tests/it/errors/fields.rs", "pin_to_no_node"),
    ("tests/it/errors/fields.rs", "exception_with_empty_reason"),
    ("tests/it/errors/fields.rs", "duplicate_config_file_names"),
    ("tests/it/errors/fields.rs", "config_file_relative_path"),
    (
        "tests/it/errors/fields.rs",
        "secret_file_mounted_over_a_volume",
    ),
    (
        "tests/it/errors/fields.rs",
        "secret_file_with_a_bad_key_or_path",
    ),
    (
        "tests/it/errors/fields.rs",
        "background_job_named_like_the_app",
    ),
    (
        "tests/it/errors/fields.rs",
        "background_job_busy_loop_without_command_as_root",
    ),
    ("tests/it/errors/fields.rs", "secret_ref_with_invalid_name"),
    ("tests/it/errors/fields.rs", "secret_ref_with_empty_key"),
    ("tests/it/errors/fields.rs", "dependency_on_itself"),
    (
        "tests/it/errors/fields.rs",
        "waits_for_an_app_without_a_port",
    ),
    (
        "tests/it/errors/fields.rs",
        "reserved_name_portkey_cluster_names_the_field",
    ),
    ("tests/it/errors/fields.rs", "nfs_sub_path_absolute"),
    (
        "tests/it/errors/fields.rs",
        "restore_again_with_a_tag_that_changes_nothing",
    ),
    // errors/network.rs: LAN addresses, the load balancer, the issuer's reach.
    (
        "tests/it/errors/network.rs",
        "real_inventory_without_a_load_balancer_fails_on_traefiks_need",
    ),
    (
        "tests/it/errors/network.rs",
        "lan_port_without_a_load_balancer_offers_nodeport_and_hostport",
    ),
    (
        "tests/it/errors/network.rs",
        "chart_needing_a_load_balancer_is_an_error_in_the_waves",
    ),
    (
        "tests/it/errors/network.rs",
        "duplicate_lan_address_is_rejected",
    ),
    (
        "tests/it/errors/network.rs",
        "lan_address_outside_the_pool_is_rejected",
    ),
    (
        "tests/it/errors/network.rs",
        "lan_address_without_a_lan_service_is_rejected",
    ),
    (
        "tests/it/errors/network.rs",
        "chart_address_its_values_never_request_is_rejected",
    ),
    ("tests/it/errors/network.rs", "malformed_pools_are_rejected"),
    (
        "tests/it/errors/network.rs",
        "http01_with_lan_only_hosts_warns_with_the_fix",
    ),
    // tests/it/render_fs.rs: broken output directories.
    (
        "tests/it/render_fs.rs",
        "foreign_file_in_output_is_reported_and_removed",
    ),
    (
        "tests/it/render_fs.rs",
        "pruning_removes_a_symlink_not_its_target",
    ),
    (
        "tests/it/render_fs.rs",
        "pruning_never_deletes_through_a_directory_symlink",
    ),
    (
        "tests/it/render_fs.rs",
        "output_path_that_is_a_file_is_refused_and_left_unchanged",
    ),
    (
        "tests/it/render_fs.rs",
        "failed_write_keeps_the_previous_tree",
    ),
    (
        "tests/it/render_fs.rs",
        "read_only_parent_keeps_the_previous_tree",
    ),
    (
        "tests/it/render_fs.rs",
        "check_reports_a_hand_edit_with_a_diff",
    ),
    (
        "tests/it/render_fs.rs",
        "check_of_a_missing_directory_reports_everything_added",
    ),
    (
        "tests/it/render_fs.rs",
        "tree_paths_cannot_escape_the_output",
    ),
    (
        "tests/it/render_fs.rs",
        "write_into_a_missing_parent_fails_and_creates_nothing",
    ),
    (
        "tests/it/render_fs.rs",
        "output_symlink_to_a_directory_leaves_the_target_untouched",
    ),
    (
        "tests/it/render_fs.rs",
        "check_reports_a_foreign_symlink_without_following_it",
    ),
    (
        "tests/it/render_fs.rs",
        "check_reports_a_foreign_directory_and_a_deleted_file",
    ),
    // tests/it/cli.rs: `render --check` on broken trees.
    (
        "tests/it/cli.rs",
        "check_fails_on_a_hand_edit_prints_the_diff_and_changes_nothing",
    ),
    (
        "tests/it/cli.rs",
        "check_fails_on_missing_and_foreign_files",
    ),
    (
        "tests/it/cli.rs",
        "check_of_a_missing_directory_fails_without_creating_it",
    ),
    // validation: invalid objects, files and trees; lints; gates.
    (
        "tests/it/validation/schemas.rs",
        "schema_problems_are_reported_by_the_embedded_schemas",
    ),
    (
        "tests/it/validation/schemas.rs",
        "schema_problems_are_reported_by_the_kubeconform_directory",
    ),
    (
        "tests/it/validation/schemas.rs",
        "schema_problems_are_reported_by_the_independent_validator",
    ),
    (
        "tests/it/validation/schemas.rs",
        "cli_validate_prints_one_line_per_problem_and_exits_1",
    ),
    (
        "tests/it/validation/schemas.rs",
        "unknown_kind_is_a_problem",
    ),
    (
        "tests/it/validation/schemas.rs",
        "file_that_is_not_yaml_is_a_problem",
    ),
    (
        "tests/it/validation/schemas.rs",
        "yaml_that_is_not_an_object_is_a_problem",
    ),
    (
        "tests/it/validation/schemas.rs",
        "file_that_is_not_utf8_fails_validation_naming_it",
    ),
    (
        "tests/it/validation/schemas.rs",
        "missing_schema_directory_is_an_error_naming_it",
    ),
    (
        "tests/it/validation/upstream.rs",
        "a_field_unknown_upstream_is_caught_by_the_default_schemas",
    ),
    (
        "tests/it/validation/upstream.rs",
        "a_field_required_upstream_but_missing_is_caught_by_the_default_schemas",
    ),
    (
        "tests/it/validation/upstream.rs",
        "a_compiled_object_missing_an_upstream_required_field_is_caught",
    ),
    (
        "tests/it/validation/upstream.rs",
        "cli_validate_with_no_flags_reports_a_field_unknown_upstream",
    ),
    (
        "crates/portkey-validate/src/upstream/tests.rs",
        "a_field_unknown_upstream_and_a_required_one_missing_are_reported",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_image_digest_tag_without_digest",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_image_digest_latest",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_image_digest_missing_tag",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_resources",
    ),
    ("crates/portkey-validate/src/lint/tests.rs", "lint_probes"),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_run_as_non_root",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_read_only_root_filesystem",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_allow_privilege_escalation",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_drop_all",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_added_capability",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_privileged",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_security_seccomp_profile",
    ),
    ("crates/portkey-validate/src/lint/tests.rs", "lint_names"),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_duplicates",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_service_selector",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_ingress_hosts_outside_the_domain",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_ingress_hosts_duplicate_host",
    ),
    (
        "crates/portkey-validate/src/lint/tests.rs",
        "lint_references",
    ),
    (
        "tests/it/validation/lints.rs",
        "allow_lint_with_empty_reason_is_a_model_error",
    ),
    (
        "tests/it/validation/lints.rs",
        "failing_lints_make_build_return_invalid_with_every_problem_and_write_nothing",
    ),
    (
        "tests/it/validation/gates.rs",
        "hand_edited_tree_fails_check_tree_and_render_check",
    ),
    (
        "tests/it/validation/gates.rs",
        "hand_edited_copy_of_generated_is_stale",
    ),
    (
        "tests/it/validation/gates.rs",
        "invalid_object_in_a_copy_of_generated_is_reported",
    ),
    (
        "tests/it/validation/gates.rs",
        "foreign_file_in_a_copy_of_generated_is_reported",
    ),
    (
        "tests/it/validation/gates.rs",
        "cli_render_into_a_file_fails_and_leaves_it",
    ),
    (
        "tests/it/validation/gates.rs",
        "cli_render_into_a_missing_parent_fails_and_creates_nothing",
    ),
    (
        "tests/it/cli.rs",
        "render_check_of_a_missing_directory_says_it_is_missing",
    ),
    (
        "tests/it/validation/schemas.rs",
        "non_utf8_file_is_one_problem_with_its_offset",
    ),
    (
        "tests/it/validation/schemas.rs",
        "duplicate_key_names_the_key_and_line_without_advice",
    ),
    (
        "tests/it/validation/schemas.rs",
        "object_without_kind_says_so",
    ),
    (
        "tests/it/validation/schemas.rs",
        "empty_yaml_file_is_an_error",
    ),
    // errors: attributed to the app and builder at fault.
    (
        "tests/it/errors/catalogue.rs",
        "waits_for_typo_is_reported_as_waits_for_with_the_nearest_name",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "duplicate_host_is_reported_on_the_app_that_added_it",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "app_named_like_a_release_is_reported_on_the_app",
    ),
    (
        "tests/it/errors/catalogue.rs",
        "model_placement_and_lint_problems_are_reported_together",
    ),
    (
        "tests/it/analysis/capacity.rs",
        "device_contention_names_the_app_holding_it",
    ),
    (
        "tests/it/analysis/capacity.rs",
        "request_bigger_than_any_node_names_the_largest",
    ),
    // errors: mistakes that used to pass silently.
    ("tests/it/errors/silent.rs", "zero_requests"),
    ("tests/it/errors/silent.rs", "cpu_limit_below_request"),
    ("tests/it/errors/silent.rs", "negative_and_out_of_range_ids"),
    (
        "tests/it/errors/silent.rs",
        "run_as_root_without_the_exception",
    ),
    (
        "tests/it/errors/silent.rs",
        "floating_tags_are_refused_even_with_the_digest_lint_suppressed",
    ),
    ("tests/it/errors/silent.rs", "floating_inventory_image"),
    ("tests/it/errors/silent.rs", "claim_larger_than_its_storage"),
    (
        "tests/it/errors/silent.rs",
        "overflowing_quantities_are_errors_not_panics",
    ),
    (
        "tests/it/errors/silent.rs",
        "secret_key_the_api_server_rejects",
    ),
    (
        "tests/it/errors/silent.rs",
        "annotation_keys_the_api_server_rejects",
    ),
    (
        "tests/it/errors/silent.rs",
        "empty_or_relative_nfs_path_in_the_inventory",
    ),
    (
        "tests/it/errors/silent.rs",
        "one_app_with_five_mistakes_gets_five_messages",
    ),
    ("tests/it/errors/silent.rs", "retention_that_keeps_nothing"),
    (
        "tests/it/errors/silent.rs",
        "a_backup_on_a_cron_macro_warns_and_offers_the_spread_schedule",
    ),
    (
        "tests/it/errors/silent.rs",
        "an_app_alone_in_an_undeclared_namespace_warns_naming_the_declared_ones",
    ),
    (
        "tests/it/backups/renamed.rs",
        "renamed_from_the_app_itself_is_an_error",
    ),
    (
        "tests/it/backups/renamed.rs",
        "renaming_without_renamed_from_warns_naming_the_fix",
    ),
    (
        "tests/it/backups/renamed.rs",
        "deleting_an_app_with_backups_names_the_repository_that_keeps_the_data",
    ),
    // The inventory's hardware and node states.
    (
        "tests/it/analysis/inventory.rs",
        "an_amd_igpu_on_a_vm_is_an_error_naming_the_reset_bug",
    ),
    (
        "tests/it/analysis/inventory.rs",
        "a_gpu_without_a_device_plugin_is_an_error",
    ),
    (
        "tests/it/analysis/inventory.rs",
        "pinning_to_a_planned_node_says_it_is_not_enabled",
    ),
    (
        "tests/it/analysis/inventory.rs",
        "without_metal3_the_amd_app_fails",
    ),
    // The API server's own rules (crates/portkey-validate/src/apiserver/).
    (
        "crates/portkey-validate/src/apiserver/tests/mod.rs",
        "names_per_kind",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/mod.rs",
        "label_keys_and_values",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/mod.rs",
        "annotation_keys_and_total_size",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/mod.rs",
        "config_map_and_secret_keys",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "env_var_names_and_sources",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "limits_at_or_above_requests",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "zero_requests_follow_the_resources_lint",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "hugepages_and_extended_resources",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "user_and_group_ids",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "run_as_non_root_with_user_zero",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "container_and_port_names_and_numbers",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "volumes_and_mounts_resolve",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "probes_have_exactly_one_handler",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/pod.rs",
        "workload_selector_and_replicas",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/objects.rs",
        "service_ports",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/objects.rs",
        "service_target_port_resolves",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/objects.rs",
        "ingress_paths_and_path_types",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/objects.rs",
        "claim_size_and_data_sources",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/objects.rs",
        "storage_class_fields",
    ),
    (
        "crates/portkey-validate/src/apiserver/tests/objects.rs",
        "cron_schedules_and_time_zones",
    ),
    (
        "crates/portkey-validate/src/apiserver/quantity.rs",
        "malformed_quantities",
    ),
    (
        "tests/it/validation/apiserver.rs",
        "portkey_validate_reports_each_api_server_rule",
    ),
    (
        "tests/it/validation/apiserver.rs",
        "render_refuses_a_config_map_over_1_mib_naming_the_app_and_field",
    ),
    // build.rs: bad app files, one `cargo build` of a copy per case.
    (
        "tests/it/build_script.rs",
        "bad_app_files_fail_the_build_naming_the_file",
    ),
    // converge: the bootstrap replay's stalls.
    (
        "tests/it/converge.rs",
        "without_a_load_balancer_wave_0_stalls_on_traefiks_service",
    ),
    (
        "tests/it/converge.rs",
        "without_the_gpu_node_label_the_gpu_plugins_daemonset_is_named",
    ),
    (
        "tests/it/converge.rs",
        "a_daemonset_that_selects_no_node_never_becomes_healthy",
    ),
    (
        "tests/it/converge.rs",
        "a_pod_needing_a_secret_nobody_creates_never_starts",
    ),
    (
        "tests/it/converge.rs",
        "a_resource_no_device_plugin_advertises_keeps_pods_pending",
    ),
    (
        "tests/it/converge.rs",
        "a_wait_for_first_consumer_claim_without_a_consumer_stays_pending",
    ),
    (
        "tests/it/converge.rs",
        "a_restore_without_its_repository_secret_never_completes",
    ),
    (
        "tests/it/converge.rs",
        "a_certificate_from_an_issuer_nobody_creates_never_becomes_ready",
    ),
    (
        "tests/it/converge.rs",
        "a_load_balancer_service_before_its_provider_stalls_its_wave",
    ),
    (
        "tests/it/converge.rs",
        "the_application_health_gate_requires_synced",
    ),
    (
        "tests/it/converge.rs",
        "the_ceph_cluster_override_is_in_the_argo_cd_values",
    ),
    (
        "tests/it/converge.rs",
        "a_gpu_plugin_daemonset_advertises_the_gpus_of_the_nodes_it_runs_on",
    ),
    // alerting: chart values Alertmanager would refuse once Helm merges them.
    (
        "tests/it/alerting.rs",
        "the_old_values_leave_the_watchdog_route_on_an_undefined_receiver",
    ),
    (
        "tests/it/alerting.rs",
        "render_refuses_values_that_leave_a_route_on_an_undefined_receiver",
    ),
    (
        "tests/it/alerting.rs",
        "a_secret_form_for_an_undeclared_key_is_an_error",
    ),
    (
        "crates/portkey-model/src/alertmanager.rs",
        "a_child_route_to_an_undefined_receiver_is_found_at_its_path",
    ),
    (
        "crates/portkey-model/src/alertmanager.rs",
        "no_root_receiver_and_duplicate_names_are_found",
    ),
    // secret store: a store the cluster itself serves, or that needs more than one credential.
    (
        "tests/it/secret_store.rs",
        "a_store_served_by_vaultwarden_is_an_error",
    ),
    ("tests/it/secret_store.rs", "a_namespaced_store_is_an_error"),
    ("tests/it/secret_store.rs", "the_credential_must_be_named"),
    (
        "tests/it/secret_store.rs",
        "backend_keys_are_environment_variable_names",
    ),
    (
        "tests/it/secret_store.rs",
        "a_store_without_the_external_secrets_release_fails_naming_it",
    ),
    (
        "tests/it/secret_store/tls.rs",
        "a_ca_issuer_without_its_ca_certificate_never_becomes_ready",
    ),
    (
        "tests/it/secret_store/tls.rs",
        "the_sdk_server_ca_is_the_serving_secret_s_ca_crt",
    ),
    (
        "tests/it/secret_store/tls.rs",
        "a_chain_that_syncs_after_the_release_is_a_deadlock",
    ),
    (
        "tests/it/secret_store/tls.rs",
        "an_sdk_server_secret_nothing_writes_stalls_the_release",
    ),
    (
        "tests/it/secret_store/tls.rs",
        "the_release_must_deploy_the_sdk_server_where_the_store_points",
    ),
    // chart values: the merged values against the chart's defaults and schema.
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "a_misspelt_key_fails_with_its_path",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "a_map_over_a_scalar_default_is_unknown",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "a_declaration_covers_only_its_own_subtree",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "stale_and_unused_declarations_fail",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "a_schema_violation_of_the_merged_values_fails",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "the_schema_sees_the_defaults_too",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "missing_defaults_fail_with_the_pull_fix",
    ),
    (
        "crates/portkey-validate/src/chart_values/tests.rs",
        "unparsable_defaults_are_an_error_not_a_panic",
    ),
    (
        "tests/it/validation/chart_values.rs",
        "a_misspelt_value_key_fails_with_its_path",
    ),
    (
        "tests/it/validation/chart_values.rs",
        "a_traefik_value_of_the_wrong_type_fails_the_schema",
    ),
    (
        "tests/it/validation/chart_values.rs",
        "traefik_33_redirect_values_fail_against_41",
    ),
    (
        "tests/it/validation/chart_values.rs",
        "a_chart_version_bump_without_defaults_fails_with_the_fix",
    ),
    (
        "tests/it/validation/chart_values.rs",
        "charts_pull_without_helm_says_so_and_exits_2",
    ),
    (
        "tests/it/validation/chart_values.rs",
        "charts_pull_reports_a_failing_helm_and_exits_2",
    ),
    // Pod Security: a pod that needs more than its app namespace allows.
    (
        "tests/it/pod_security.rs",
        "a_pod_that_needs_privileged_in_an_app_namespace_is_an_error",
    ),
];

#[test]
fn bad_input_suite_has_at_least_40_cases() {
    let test_fn = Regex::new(r"#\[test\](?:\s*#\[[^\n]*\])*\s*fn\s+(\w+)").unwrap();
    let files: BTreeSet<&str> = BAD_INPUT_CASES.iter().map(|(f, _)| *f).collect();
    let tests: BTreeMap<&str, BTreeSet<String>> = files
        .iter()
        .map(|file| {
            let source =
                fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            let names = test_fn
                .captures_iter(&source)
                .map(|c| c[1].to_string())
                .collect();
            (*file, names)
        })
        .collect();
    let mut unique = BTreeSet::new();
    let mut missing = Vec::new();
    for (file, name) in BAD_INPUT_CASES {
        assert!(unique.insert((file, name)), "listed twice: {file} {name}");
        if !tests[file].contains(*name) {
            missing.push(format!("{file}: {name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "listed bad-input cases that are not #[test] functions: {missing:#?}"
    );
    let count = BAD_INPUT_CASES.len();
    assert!(count >= 40, "only {count} bad-input cases");
    // The counts in this file's header comment are the real ones.
    let header = fs::read_to_string(root().join("tests/it/validation/bad_input.rs")).unwrap();
    let stated = format!(
        "The bad-input suite: {count} cases (counted by `bad_input_suite_has_at_least_40_cases`)"
    );
    assert!(
        header.contains(&stated),
        "update the header comment: {stated}"
    );
    for file in files {
        let n = BAD_INPUT_CASES.iter().filter(|(f, _)| *f == file).count();
        let stated = format!("//! - {n} in `{file}`");
        assert!(
            header.contains(&stated),
            "update the header comment: {stated}"
        );
    }
}
