//! portkey's integration tests: one binary (one link, one shared [`common`] module), with a
//! module per stage of the pipeline: the real apps as their images expect (`apps`), model errors (`errors`), the whole pipeline
//! (`pipeline`, `snapshots`), the derived Pod Security levels (`pod_security`), cluster analysis (`analysis`), backups and the Argo CD
//! bootstrap (`backups`, `bootstrap`), what a render or a sync may never delete (`protection`),
//! the recovery documents' sections (`recovery_docs`), validation (`validation`, `renovate`), the output
//! directory and the CLI (`render_fs`, `streaming` for the sinks that compare as they render, `cli`; `cli_json` for `--format json` and the exit
//! codes, `cli_tools` for `images`, `schema` and `completions`), the code map (`docs`),
//! `portkey diff` (`diff`), build.rs on bad app files (`build_script`), and the GitHub Actions workflows and Renovate's config
//! (`workflows`, and `linters` for the tools that lint them), and alerting as upstream runs
//! it (`alerting`: the Alertmanager config the chart renders, amtool and promtool).
//!
//! Tests that need a tool outside the repository are `#[ignore = "needs <tool>: run by
//! .ci/run"]`; `.ci/run` installs the tools and runs them with `--ignored`.

mod common;
mod credentials;

mod alerting;
mod analysis;
mod apps;
mod backups;
mod bootstrap;
mod build_script;
mod cli;
mod cli_json;
mod cli_tools;
mod converge;
mod diff;
mod docs;
mod errors;
mod invariants;
mod linters;
mod network_policy;
mod pipeline;
mod pod_security;
mod protection;
mod recovery_docs;
mod render_cache;
mod render_fs;
mod renovate;
mod secret_store;
mod snapshots;
mod streaming;
mod validation;
mod workflows;
