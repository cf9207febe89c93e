//! Bad input: every problem names the app and the field at fault and says how to fix it,
//! and every problem of the catalogue is reported at once.

mod catalogue;
mod connections;
mod fields;
mod metrics;
mod network;
mod silent;

use crate::common::*;
use portkey::portkey_model::ModelError;
use portkey::portkey_model::app::{App, Namespace, Port, Volume};
use portkey::portkey_model::backup::Backup;
use portkey::portkey_model::cluster::GpuVendor;
use portkey::portkey_model::quantity::{Cpu, Memory};

/// Renders `apps` expecting a model error on `app`'s `field` whose problem mentions every
/// string of `mentions`. Checks the structured error and what the user reads.
fn expect(apps: Vec<App>, app: &str, field: &str, mentions: &[&str]) -> ModelError {
    let e = find_problem(&problems(apps.clone()), app, field, mentions);
    let shown = e.to_string();

    // The top-level pipeline reports the same message, and writes nothing.
    let cluster = test_cluster();
    let err = portkey::render(&cluster, apps).expect_err("the pipeline must refuse bad input");
    let top = err.to_string();
    assert!(
        top.contains(&shown),
        "pipeline error does not include {shown:?}:\n{top}"
    );
    e
}
