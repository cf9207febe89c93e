//! Backups at scale: every object a large catalogue's backups produce is small enough for
//! client-side apply, which stores each object whole in an annotation of at most 262,144
//! bytes (`TotalAnnotationSizeLimitB`). The alerts are one PrometheusRule per app: one for
//! the whole catalogue outgrows that at about 600 backed-up volumes, and the API-server
//! stage refuses such an object before anything is written.

use super::*;
use portkey::portkey_model::quantity::Cpu;

/// The annotation client-side apply writes, and the limit of all annotations together.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const ANNOTATIONS_MAX: usize = 262_144;

/// Apps small enough for the test inventory, each with one backed-up claim.
fn backed_up(n: usize) -> Vec<App> {
    (0..n)
        .map(|i| {
            app(&format!("app-{i:04}"))
                .requests(Cpu::m(1), Memory::mi(4))
                .memory_limit(Memory::mi(16))
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily()))
        })
        .collect()
}

#[test]
fn a_thousand_backed_up_volumes_render_within_the_annotation_limit() {
    let n = 1000;
    let m = compile(backed_up(n));
    let rules = all(&m, "PrometheusRule");
    assert_eq!(rules.len(), n + 1, "one per app, and Volsync's own");
    // No object comes near the limit: the largest stays under a tenth of it.
    let largest = m
        .iter()
        .map(|m| {
            let json = serde_json::to_string(&m.object).expect("serializes");
            (
                json.len(),
                format!("{}/{}", m.object.kind(), m.object.name()),
            )
        })
        .max()
        .expect("objects");
    assert!(largest.0 < ANNOTATIONS_MAX / 10, "{largest:?}");
    // And the render, which checks every object against the limit, passes.
    let tree = render(backed_up(n));
    assert!(tree.contains_key("cluster/alerts/prometheusrule-backups-app-0999.yaml"));

    // The same alerts in one object, as a single rule for the catalogue would hold them,
    // are refused by the API-server stage, naming the rule and the fix.
    let mut one = rules[0].clone();
    one["spec"]["groups"] = rules
        .iter()
        .flat_map(|r| r["spec"]["groups"].as_array().unwrap().clone())
        .collect();
    let json = serde_json::to_string(&one).unwrap().len();
    assert!(json + LAST_APPLIED.len() > ANNOTATIONS_MAX, "{json} bytes");
    let problems = portkey::portkey_validate::apiserver::check_object("cluster.rs", &one);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].pointer, "/spec");
    assert!(
        problems[0]
            .message
            .contains("too large for client-side apply")
            && problems[0].message.contains("ServerSideApply=true"),
        "{}",
        problems[0].message
    );
}
