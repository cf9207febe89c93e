//! The whole pipeline on the real catalogue and on a synthetic one that uses every feature:
//! it renders, it is deterministic, `generated/` is fresh, and every file is well-formed.
#![allow(clippy::case_sensitive_file_extension_comparisons)] // portkey writes lower-case `.yaml`

use std::path::Path;

use crate::common::*;
use portkey::portkey_compile::{self, Manifest};
use portkey::portkey_model::app::{App, Port, Volume};
use portkey::portkey_model::backup::Backup;
use portkey::portkey_model::cluster::GpuVendor;
use portkey::portkey_model::quantity::{Cpu, Memory};
use portkey::portkey_render::{self, Tree};
use regex::Regex;

fn real() -> Tree {
    portkey::render_repository()
        .unwrap_or_else(|e| panic!("the real catalogue does not render:\n{e}"))
}

fn real_manifests() -> Vec<Manifest> {
    let cluster = portkey::cluster::portkey();
    let catalogue = portkey::portkey_model::resolve(&cluster, portkey::catalogue())
        .unwrap_or_else(|e| panic!("the real catalogue does not resolve:\n{e}"));
    portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"))
}

/// Every object of the kitchen sink (on the test inventory) and of the real catalogue.
fn kitchen_sink_and_real_manifests() -> Vec<Manifest> {
    let cluster = test_cluster();
    let catalogue = portkey::portkey_model::resolve(&cluster, kitchen_sink()).unwrap();
    let mut manifests = portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    manifests.extend(real_manifests());
    manifests
}

/// Apps using every feature, across two namespaces.
fn kitchen_sink() -> Vec<App> {
    vec![
        app("transcoder")
            .gpu(GpuVendor::Intel)
            .volume(
                Volume::nfs("media", "/media", MEDIA_SHARE)
                    .sub_path("films")
                    .read_only(),
            )
            .https("tv"),
        app("zigbee").needs(DONGLE).lan(),
        app("ledger")
            .volume(
                Volume::claim("data", "/data", Memory::gi(1))
                    .class(KEEP)
                    .backup(Backup::every_6_hours()),
            )
            .volume(
                Volume::claim("cache", "/cache", Memory::gi(1))
                    .class(KEEP)
                    .backup(Backup::cron("15 2 * * 0")),
            )
            .critical("the household accounts")
            .config_file("/etc/ledger/ledger.toml", "a = 1\nb = \"two\"\n")
            .config_file("/etc/ledger/extra.ini", "[x]\ny=yes\n")
            .env("TZ", "Etc/UTC")
            .env("ENABLED", "on")
            .waits_for("db")
            .pin(&[NODE_A, NODE_C], "close to the UPS")
            .annotation("example.com/z", "1")
            .annotation("example.com/a", "2"),
        App::new("db", TOOLS)
            .source("apps/db.rs")
            .image(&format!(
                "docker.io/library/postgres:17.2@sha256:{}",
                "4".repeat(64)
            ))
            .port(Port::tcp("postgres", 5432))
            .stateful()
            .volume(
                Volume::claim("data", "/var/lib/postgresql", Memory::gi(5)).backup(Backup::daily()),
            ),
    ]
}

#[test]
fn real_catalogue_renders() {
    let tree = real();
    let apps = portkey::catalogue();
    assert!(!apps.is_empty(), "apps/ declares no app");
    assert!(tree.contains_key("bootstrap/application-portkey-root.yaml"));
    assert!(tree.contains_key("argocd/application-cluster-namespaces.yaml"));
    for a in &apps {
        assert!(
            tree.contains_key(&format!("argocd/application-{}.yaml", a.name)),
            "no ArgoCD Application for {}",
            a.name
        );
        let dir = format!("{}/{}/", a.namespace.name(), a.name);
        assert!(
            tree.keys().any(|p| p.starts_with(&dir)),
            "nothing rendered under {dir}"
        );
        assert!(
            tree.contains_key(&format!(
                "cluster/namespaces/namespace-{}.yaml",
                a.namespace.name()
            )),
            "namespace {} not rendered",
            a.namespace.name()
        );
        assert!(
            a.source.starts_with("apps/"),
            "{}: source {:?} not recorded",
            a.name,
            a.source
        );
    }
}

#[test]
fn renders_are_byte_identical() {
    let first = real();
    for _ in 0..5 {
        assert!(real() == first, "two renders of the real catalogue differ");
    }
    let sink = render(kitchen_sink());
    for _ in 0..10 {
        assert!(
            render(kitchen_sink()) == sink,
            "two renders of the synthetic catalogue differ"
        );
    }
}

/// `render` streams files into a staging directory while it compiles (in parallel blocks
/// above a few hundred apps): what lands on disk is exactly the in-memory tree, and a second
/// render finds nothing to change.
#[test]
fn streamed_render_writes_exactly_the_in_memory_tree() {
    let cluster = test_cluster();
    let apps = || {
        let mut apps = kitchen_sink();
        apps.extend((0..300).map(|i| {
            app(&format!("bulk-{i:03}"))
                .requests(Cpu::m(1), Memory::mi(8))
                .memory_limit(Memory::mi(16))
        }));
        apps
    };
    let expected = portkey::build(&cluster, apps())
        .unwrap_or_else(|e| panic!("{e}"))
        .tree;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("generated");
    let (_, report) =
        portkey::render_into(&cluster, apps(), Vec::new(), &out).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        portkey_render::read_tree(&out).unwrap() == expected,
        "the files on disk differ from the in-memory tree"
    );
    assert_eq!(report.files, expected.len());
    assert_eq!(report.drift.added.len(), expected.len());
    let (_, again) = portkey::render_into(&cluster, apps(), Vec::new(), &out).unwrap();
    assert!(again.drift.is_empty(), "{}", again.drift.summary());
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["generated"], "only the output directory remains");
}

/// The render compiles app by app, each app's alerts with it (pieces of the cluster's
/// alerts part), and merges what the pieces emit; `compile` builds every component whole.
/// The objects are the same, byte for byte: the AppProjects' whitelists and the waves the
/// merged summaries give, and every alert.
#[test]
fn streamed_pipeline_writes_exactly_the_objects_compile_builds() {
    let cluster = portkey::cluster::portkey();
    let catalogue =
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), portkey::charts())
            .unwrap_or_else(|e| panic!("{e}"));
    let manifests = portkey_compile::compile(&catalogue).unwrap_or_else(|e| panic!("{e}"));
    let whole: Tree = portkey_render::render_files(&manifests)
        .into_iter()
        .map(|f| {
            let (path, text, _) = f.unwrap_or_else(|e| panic!("{e}"));
            (path, text)
        })
        .collect();
    let streamed: Tree = real()
        .into_iter()
        .filter(|(path, _)| path.ends_with(".yaml"))
        .collect();
    assert!(
        whole
            .keys()
            .any(|p| p.starts_with("cluster/alerts/prometheusrule-backups-")),
        "the apps' alerts are among the objects"
    );
    assert_eq!(
        whole.keys().collect::<Vec<_>>(),
        streamed.keys().collect::<Vec<_>>()
    );
    for (path, text) in &whole {
        assert_eq!(text, &streamed[path], "{path}");
    }
}

/// What a render holds to its end is the resolved catalogue copied into lists of exactly
/// their length (`Catalogue::compacted`): the same catalogue, and the same objects.
#[test]
fn a_compacted_catalogue_is_the_same_catalogue_in_exact_lists() {
    let cluster = portkey::cluster::portkey();
    let resolve = || {
        portkey::portkey_model::resolve_all(&cluster, portkey::catalogue(), portkey::charts())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // The lists each app holds beside its declaration, as (length, capacity).
    let lists = |c: &portkey::portkey_model::Catalogue<'_>| -> Vec<(usize, usize)> {
        c.apps
            .iter()
            .flat_map(|a| {
                [
                    (a.claims.len(), a.claims.capacity()),
                    (a.connections.len(), a.connections.capacity()),
                    (a.extended_resources.len(), a.extended_resources.capacity()),
                    (
                        a.supplemental_groups.len(),
                        a.supplemental_groups.capacity(),
                    ),
                ]
            })
            .chain([(c.apps.len(), c.apps.capacity())])
            .collect()
    };
    let resolved = resolve();
    assert!(
        lists(&resolved).iter().any(|(len, cap)| cap > len),
        "resolution leaves no list with room to spare: nothing here to compact"
    );
    let before = format!("{resolved:?}");
    let compacted = resolved.compacted();
    assert_eq!(format!("{compacted:?}"), before);
    assert!(lists(&compacted).iter().all(|(len, cap)| cap == len));
    let files = |c| {
        let manifests = portkey_compile::compile(c).unwrap_or_else(|e| panic!("{e}"));
        portkey_render::render_files(&manifests)
            .into_iter()
            .map(|f| f.unwrap_or_else(|e| panic!("{e}")))
            .collect::<Vec<_>>()
    };
    assert_eq!(files(&compacted), files(&resolve()));
}

#[test]
fn app_declaration_order_does_not_matter() {
    let forward = render(kitchen_sink());
    let mut reversed = kitchen_sink();
    reversed.reverse();
    assert!(
        render(reversed) == forward,
        "output depends on the order apps are declared in"
    );
    let mut rotated = kitchen_sink();
    rotated.rotate_left(1);
    assert!(render(rotated) == forward);
}

#[test]
fn generated_directory_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let drift = portkey_render::check_tree(&real(), &dir).expect("read generated/");
    assert!(
        drift.is_empty(),
        "generated/ is stale:\n{}\n{}\nfix: run `cargo run -- render` and commit the result",
        drift.summary(),
        drift.diff
    );
}

fn check_headers(tree: &Tree, sources_must_exist: bool) {
    let yaml = Regex::new(
        r"^# Generated by portkey from (\S+)\. Do not edit: change (\S+) and run `cargo run -- render`\.$",
    )
    .unwrap();
    let doc = Regex::new(r"^<!-- Generated by portkey from (\S+)\. .*`cargo run -- render`.* -->$")
        .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (path, text) in tree {
        let first = text.lines().next().unwrap_or_default();
        let source = if let Some(c) = yaml.captures(first) {
            assert_eq!(&c[1], &c[2], "{path}: header names two sources: {first}");
            c[1].to_string()
        } else if let Some(c) = doc.captures(first) {
            c[1].to_string()
        } else {
            panic!("{path}: no portkey header, first line is {first:?}");
        };
        assert!(
            source == "cluster.rs" || source.starts_with("apps/"),
            "{path}: unexpected source {source}"
        );
        if sources_must_exist {
            assert!(
                root.join(&source).exists(),
                "{path}: header names {source}, which does not exist"
            );
        }
        assert!(text.ends_with('\n'), "{path}: no final newline");
    }
}

#[test]
fn every_file_names_its_source() {
    check_headers(&real(), true);
    check_headers(&render(kitchen_sink()), false);
    // Files of an app name that app's file; cluster-level files name cluster.rs.
    let tree = render(kitchen_sink());
    assert!(
        tree["lab/ledger/deployment-ledger.yaml"]
            .starts_with("# Generated by portkey from apps/ledger.rs.")
    );
    assert!(
        tree["argocd/application-ledger.yaml"]
            .starts_with("# Generated by portkey from apps/ledger.rs.")
    );
    assert!(
        tree["cluster/namespaces/namespace-lab.yaml"]
            .starts_with("# Generated by portkey from cluster.rs.")
    );
}

/// Top-level keys of one YAML file (lines that start a mapping key at column 0).
fn top_level_keys(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with(['#', ' ', '-']) && !l.is_empty())
        .filter_map(|l| l.split_once(':').map(|(k, _)| k))
        .collect()
}

fn check_documents(tree: &Tree) {
    for (path, text) in tree.iter().filter(|(p, _)| p.ends_with(".yaml")) {
        assert!(
            !text.lines().any(|l| l == "---" || l.starts_with("--- ")),
            "{path}: more than one document per file"
        );
        let keys = top_level_keys(text);
        assert!(
            keys.len() >= 3 && keys[..3] == ["apiVersion", "kind", "metadata"],
            "{path}: apiVersion, kind and metadata must come first, got {keys:?}"
        );
        let kind = text.lines().find_map(|l| l.strip_prefix("kind: ")).unwrap();
        let file = path.rsplit('/').next().unwrap();
        assert!(
            file.starts_with(&format!("{}-", kind.to_ascii_lowercase())),
            "{path}: file name does not start with its kind {kind}"
        );
    }
}

#[test]
fn api_version_kind_metadata_come_first() {
    check_documents(&real());
    let tree = render(kitchen_sink());
    check_documents(&tree);
    // The kinds whose fields sit at the top level are covered.
    for p in [
        "cluster/storage/storageclass-keep-rwo.yaml",
        "lab/ledger/configmap-ledger-config.yaml",
        "lab/ledger/replicationsource-ledger-data.yaml",
        "tools/db/statefulset-db.yaml",
        "argocd/application-db.yaml",
    ] {
        assert!(
            tree.contains_key(p),
            "{p} not rendered; tree: {:#?}",
            tree.keys()
        );
    }
}

/// Checks that the keys of every `labels`, `annotations`, `matchLabels`, `data`,
/// `parameters`, `requests` and `limits` mapping are sorted: no map iterates in hash order.
fn check_sorted_maps(tree: &Tree) {
    const MAPS: [&str; 7] = [
        "labels",
        "annotations",
        "matchLabels",
        "data",
        "parameters",
        "requests",
        "limits",
    ];
    let key = Regex::new(r#"^( *)(?:"([^"]+)"|([^\s:'"-][^:]*)):(?: |$)"#).unwrap();
    for (path, text) in tree.iter().filter(|(p, _)| p.ends_with(".yaml")) {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(c) = key.captures(line) else {
                continue;
            };
            let name = c.get(2).or(c.get(3)).unwrap().as_str();
            if !MAPS.contains(&name) || !line.trim_end().ends_with(':') {
                continue;
            }
            let child_indent = c[1].len() + 2;
            let mut keys = Vec::new();
            for l in &lines[i + 1..] {
                let indent = l.len() - l.trim_start().len();
                if l.trim().is_empty() || indent > child_indent {
                    continue;
                }
                if indent < child_indent {
                    break;
                }
                if let Some(k) = key.captures(l) {
                    keys.push(k.get(2).or(k.get(3)).unwrap().as_str().to_string());
                }
            }
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(
                keys,
                sorted,
                "{path}: keys of `{name}` (line {}) are not sorted",
                i + 1
            );
        }
    }
}

#[test]
fn maps_are_sorted_not_hash_ordered() {
    check_sorted_maps(&real());
    let tree = render(kitchen_sink());
    check_sorted_maps(&tree);
    // The check itself sees the maps it is meant to see.
    let d = &tree["lab/ledger/deployment-ledger.yaml"];
    let a = d.find("example.com/a").expect("annotation a");
    let z = d.find("example.com/z").expect("annotation z");
    assert!(a < z);
    let mut unsorted = Tree::new();
    unsorted.insert(
        "x/configmap-x.yaml".into(),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    b: '1'\n    a: '2'\n".into(),
    );
    let caught = std::panic::catch_unwind(|| check_sorted_maps(&unsorted));
    assert!(
        caught.is_err(),
        "the sorted-map check must catch unsorted labels"
    );
}

#[test]
fn yaml_1_1_lookalikes_are_quoted() {
    let tree = render(kitchen_sink());
    let d = &tree["lab/ledger/deployment-ledger.yaml"];
    assert!(
        d.contains("value: \"on\"") || d.contains("value: 'on'"),
        "`on` would be read as a boolean by YAML 1.1 parsers:\n{d}"
    );
}

#[test]
fn objects_live_in_their_app_directory() {
    let manifests = kitchen_sink_and_real_manifests();
    for m in &manifests {
        let meta = m.object.metadata();
        let labels = meta.labels.as_ref().expect("labels");
        assert_eq!(
            labels
                .get("app.kubernetes.io/managed-by")
                .map(String::as_str),
            Some("portkey"),
            "{}: not labelled as managed by portkey",
            m.path()
        );
        match m.dir.as_str() {
            // Cluster-wide pieces: cluster-scoped, or (alert rules, MetalLB's pool) in the
            // namespace their operator watches, named explicitly, or (the namespace-wide
            // NetworkPolicies) in the app namespace they guard.
            dir if dir.starts_with("cluster/") => assert!(
                meta.namespace.is_none()
                    || matches!(
                        m.object.kind(),
                        "PrometheusRule"
                            | "DaemonSet"
                            | "IPAddressPool"
                            | "L2Advertisement"
                            | "NetworkPolicy"
                    ),
                "{}: cluster objects are not namespaced",
                m.path()
            ),
            "argocd" | "bootstrap" => {
                assert!(
                    matches!(m.object.kind(), "Application" | "AppProject"),
                    "{}",
                    m.path()
                );
                assert_eq!(meta.namespace.as_deref(), Some("argocd"));
            }
            dir => {
                let (ns, app) = dir.split_once('/').expect("<namespace>/<app>");
                assert_eq!(meta.namespace.as_deref(), Some(ns), "{}", m.path());
                assert_eq!(
                    labels.get("app.kubernetes.io/name").map(String::as_str),
                    Some(app),
                    "{}",
                    m.path()
                );
            }
        }
    }
}

#[test]
fn every_application_points_at_a_rendered_directory() {
    for (tree, manifests) in [(real(), real_manifests()), {
        let cluster = test_cluster();
        let c = portkey::portkey_model::resolve(&cluster, kitchen_sink()).unwrap();
        (
            render(kitchen_sink()),
            portkey_compile::compile(&c).unwrap_or_else(|e| panic!("{e}")),
        )
    }] {
        let apps: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| m.object.kind() == "Application")
            .collect();
        assert!(apps.len() >= 2);
        for m in apps {
            let v = serde_json::to_value(&m.object).unwrap();
            let path = v["spec"]["source"]["path"].as_str().expect("a source path");
            let dir = path.strip_prefix("generated/").expect("under generated/");
            assert!(
                tree.keys().any(|p| p.starts_with(&format!("{dir}/"))),
                "Application {} syncs {path}, where nothing is rendered",
                m.object.name()
            );
            assert_eq!(v["spec"]["syncPolicy"]["automated"]["prune"], true);
        }
    }
}

#[test]
fn portkeys_emitter_writes_every_object_as_serde_saphyr_does() {
    let manifests = kitchen_sink_and_real_manifests();
    assert!(manifests.len() > 100, "{} objects", manifests.len());
    for m in &manifests {
        let reference = portkey_render::saphyr_yaml(&m.object).unwrap();
        // The emitter itself, not its fallback: every shape portkey emits takes the fast path.
        let fast = portkey_render::emitter_yaml(&m.object)
            .unwrap_or_else(|e| panic!("{}: left to serde-saphyr: {e}", m.path()));
        if let Some((line, (want, got))) = reference
            .lines()
            .zip(fast.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            panic!(
                "{}: line {}: serde-saphyr writes\n{want}\nportkey writes\n{got}",
                m.path(),
                line + 1
            );
        }
        assert_eq!(fast, reference, "{}", m.path());
    }
}

/// A custom kind's group, version and kind live in its type: its serialized form starts
/// with them, and the keys and annotations named after it are formatted from them.
#[test]
fn custom_kinds_carry_their_group_and_kind() {
    use portkey::portkey_compile::crd::volsync::{ReplicationSource, ReplicationSourceSpec};
    use portkey::prelude::{cluster_issuer_annotation, health_customization};
    let text = serde_json::to_string(&ReplicationSource::new(
        "x",
        ReplicationSourceSpec::default(),
    ))
    .unwrap();
    assert!(
        text.starts_with(
            r#"{"apiVersion":"volsync.backube/v1alpha1","kind":"ReplicationSource","metadata":{"name":"x"},"spec":{"#
        ),
        "{text}"
    );
    assert_eq!(
        health_customization::<ReplicationSource>(),
        "resource.customizations.health.volsync.backube_ReplicationSource"
    );
    assert_eq!(
        cluster_issuer_annotation(),
        "cert-manager.io/cluster-issuer"
    );
    let object = portkey_compile::Object::from(ReplicationSource::default());
    assert_eq!(
        (object.group(), object.kind(), object.crd_group()),
        (
            "volsync.backube",
            "ReplicationSource",
            Some("volsync.backube")
        )
    );
}
