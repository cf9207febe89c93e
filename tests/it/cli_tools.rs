//! `portkey images`, `portkey schema` and `portkey completions`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use portkey::portkey_render::read_tree;
use regex::Regex;
use serde_json::{Value, json};

use crate::common::{run_cli, text};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in the repository root, expecting exit 0; returns stdout.
fn stdout_of(args: &[&str]) -> String {
    let o = run_cli(args, &root());
    assert_eq!(
        o.status.code(),
        Some(0),
        "portkey {}: {}",
        args.join(" "),
        text(&o.stderr)
    );
    text(&o.stdout)
}

fn json_of(args: &[&str]) -> Value {
    let out = stdout_of(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

/// `(file, first capture)` for every match of `pattern` in the `.rs` files under `dir`.
fn grep(dir: &Path, pattern: &str) -> Vec<(String, Vec<String>)> {
    let re = Regex::new(pattern).unwrap();
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let source = entry
            .path()
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let body = std::fs::read_to_string(entry.path()).unwrap();
        for c in re.captures_iter(&body) {
            let groups = c
                .iter()
                .skip(1)
                .map(|g| g.unwrap().as_str().to_string())
                .collect();
            out.push((source.clone(), groups));
        }
    }
    out
}

#[test]
fn images_list_every_image_of_apps_with_its_source_file() {
    let v = json_of(&["images", "--format", "json"]);
    let images = v["images"].as_array().unwrap();
    let declared = grep(&root().join("apps"), r#"\.image\(\s*"([^"]+)"\s*\)"#);
    assert!(
        declared.len() >= 10,
        "the grep found too few images: {declared:?}"
    );
    for (source, groups) in &declared {
        let reference = &groups[0];
        let found = images
            .iter()
            // Two apps may run the same image (the Redis of paperless and of nextcloud):
            // each is listed with its own file.
            .find(|i| {
                i["reference"] == reference.as_str()
                    && i["use"] == "container"
                    && i["source"] == source.as_str()
            })
            .unwrap_or_else(|| panic!("{reference} ({source}) is not listed: {v:#}"));
        let (tag, image) = (
            found["tag"].as_str().unwrap(),
            found["image"].as_str().unwrap(),
        );
        assert_eq!(format!("{image}:{tag}"), *reference, "{found}");
    }
    let containers = images.iter().filter(|i| i["use"] == "container").count();
    assert_eq!(
        containers,
        declared.len(),
        "containers listed that no app declares: {v:#}"
    );

    // The inventory's images, used by the apps that wait and by the device plugin.
    let inventory: BTreeSet<&str> = images
        .iter()
        .filter(|i| i["source"] == "cluster.rs")
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    let in_cluster_rs: BTreeSet<String> = grep(&root().join("cluster.rs"), r#"_image: "([^"]+)""#)
        .into_iter()
        .map(|(_, g)| g[0].clone())
        .collect();
    assert_eq!(
        inventory,
        in_cluster_rs.iter().map(String::as_str).collect(),
        "{v:#}"
    );

    // Every image the cluster runs (each `image:` in generated/) is listed.
    let listed: BTreeSet<&str> = images
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    let image_line = Regex::new(r"(?m)^\s*image: (\S+)$").unwrap();
    let generated = read_tree(&root().join("generated")).unwrap();
    let mut seen = 0;
    for (path, body) in &generated {
        for c in image_line.captures_iter(body) {
            seen += 1;
            assert!(listed.contains(&c[1]), "{path}: {} is not listed", &c[1]);
        }
    }
    assert!(
        seen >= declared.len(),
        "the generated tree has too few images"
    );
}

#[test]
fn images_list_every_chart_release_with_its_version_and_source() {
    let v = json_of(&["images", "--format", "json"]);
    let charts = v["charts"].as_array().unwrap();
    let declared = grep(
        &root().join("apps"),
        r#"Chart::helm\(\s*"([^"]+)",\s*"([^"]+)",\s*"([^"]+)"\s*\)"#,
    );
    assert!(!declared.is_empty());
    assert_eq!(charts.len(), declared.len(), "{v:#}");
    for (source, g) in &declared {
        let found = charts
            .iter()
            .find(|c| c["source"] == source.as_str())
            .unwrap_or_else(|| panic!("{source} is not listed: {v:#}"));
        assert_eq!(
            [&found["repository"], &found["chart"], &found["version"]],
            [&json!(g[0]), &json!(g[1]), &json!(g[2])],
            "{found}"
        );
    }
}

#[test]
fn images_text_is_one_sorted_line_per_use() {
    let v = json_of(&["images", "--format", "json"]);
    let out = stdout_of(&["images"]);
    let lines: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let uses = v["images"].as_array().unwrap().len() + v["charts"].as_array().unwrap().len();
    assert_eq!(lines.len(), uses, "{out}");
    assert!(
        lines.iter().all(|l| l.len() == 4),
        "not four columns:\n{out}"
    );
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "not sorted:\n{out}");
    let jellyfin = v["images"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["app"] == "jellyfin" && i["use"] == "container")
        .unwrap();
    let row = [
        jellyfin["image"].as_str().unwrap(),
        jellyfin["tag"].as_str().unwrap(),
        "apps/jellyfin.rs",
        "jellyfin",
    ];
    assert!(
        lines.iter().any(|l| l[..] == row),
        "no line {row:?}:\n{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l[2] == "apps/infra/volsync.rs" && l[3] == "volsync"),
        "{out}"
    );
    assert_eq!(out, stdout_of(&["images"]), "not deterministic");
}

fn schema(ty: &str) -> jsonschema::Validator {
    let schema = json_of(&["schema", ty]);
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("not a JSON Schema: {e}"));
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Breaks a valid app's JSON in one way.
type Break = fn(&mut Value);

#[test]
fn every_real_app_validates_against_the_schema_and_a_broken_one_does_not() {
    let validator = schema("app");
    assert_eq!(
        json_of(&["schema"]),
        json_of(&["schema", "app"]),
        "app is the default"
    );
    let apps = portkey::catalogue();
    for app in &apps {
        let value = serde_json::to_value(app).unwrap();
        let e = errors(&validator, &value);
        assert!(e.is_empty(), "{}: {e:#?}", app.source);
    }
    let good = serde_json::to_value(apps.iter().find(|a| a.name == "jellyfin").unwrap()).unwrap();
    let broken: [(&str, Break); 4] = [
        ("an unknown field", |v| {
            v["replicas"] = json!(2);
        }),
        ("a number for the image", |v| {
            v["image"] = json!(42);
        }),
        ("an unknown workload", |v| {
            v["workload"] = json!("DaemonSet");
        }),
        ("a volume without a mount path", |v| {
            v["volumes"][0]
                .as_object_mut()
                .unwrap()
                .remove("mount_path");
        }),
    ];
    for (what, breaks) in broken {
        let mut v = good.clone();
        breaks(&mut v);
        assert_ne!(v, good, "{what}: nothing changed");
        assert!(!errors(&validator, &v).is_empty(), "{what} validates");
    }
}

/// Every builder of the model, so that each variant and optional field is serialized once.
#[test]
fn an_app_built_with_every_builder_validates_against_the_schema() {
    use crate::common::{DONGLE, FAST, MEDIA_SHARE, NODE_A};
    use portkey::prelude::{
        AccessMode, App, Backup, Cpu, Exception, GpuVendor, Lint, Memory, Port, Probe, Retention,
        Volume, secret,
    };
    let app = App::new("everything", crate::common::LAB)
        .source("apps/everything.rs")
        .describe("every builder")
        .image(crate::common::IMAGE)
        .stateful()
        .command(&["/bin/app"])
        .args(&["--serve"])
        .port(Port::http(8080))
        .port(Port::udp("discovery", 1900).lan())
        .port(Port::tcp("peer", 51413))
        .env("MODE", "prod")
        .env_secret("TOKEN", secret("everything", "TOKEN"))
        .requests(Cpu::m(100), Memory::mi(256))
        .memory_limit(Memory::gi(1))
        .cpu_limit(Cpu::cores(2))
        .probe(Probe::http("/health").host("everything.example"))
        .startup(Probe::exec(&["true"]).allow(30, 10))
        .run_as(568, 568)
        .supplemental_groups(&[44])
        .allow(Exception::RunAsRoot, "init")
        .allow(Exception::WritableRootFilesystem, "writes")
        .allow(Exception::Capability("NET_ADMIN".into()), "vpn")
        .allow_lint(Lint::Probes, "why")
        .volume(
            Volume::claim("data", "/data", Memory::gi(5))
                .class(FAST)
                .access(AccessMode::ReadWriteMany)
                .backup(Backup::cron("5 4 * * *").retain(Retention::days(3))),
        )
        .volume(Volume::claim("cache", "/cache", Memory::gi(1)).no_backup("cache"))
        .volume(Volume::claim("six", "/six", Memory::gi(1)).backup(Backup::every_6_hours()))
        .volume(
            Volume::nfs("media", "/media", MEDIA_SHARE)
                .sub_path("x")
                .read_only(),
        )
        .volume(Volume::scratch("shm", "/dev/shm").in_memory(Memory::mi(64)))
        .no_tmp()
        .config_file("/etc/app.conf", "a = 1\n")
        .gpu(GpuVendor::Intel)
        .needs(DONGLE)
        .pin(&[NODE_A], "why")
        .https("everything")
        .ingress_annotation("a", "b")
        .lan()
        .depends_on("db")
        .waits_for("broker")
        .critical("data")
        .annotation("k", "v")
        .prune(false)
        .self_heal(false);
    let value = serde_json::to_value(&app).unwrap();
    assert_eq!(
        errors(&schema("app"), &value),
        Vec::<String>::new(),
        "{value:#}"
    );
}

#[test]
fn every_real_chart_and_the_inventory_validate_against_their_schemas() {
    let validator = schema("chart");
    for chart in portkey::charts() {
        let e = errors(&validator, &serde_json::to_value(&chart).unwrap());
        assert!(e.is_empty(), "{}: {e:#?}", chart.source);
    }
    let mut chart = serde_json::to_value(&portkey::charts()[0]).unwrap();
    chart["provides"] = json!([{"Crd": "x.io"}]);
    assert!(
        !errors(&validator, &chart).is_empty(),
        "a misspelt capability validates"
    );

    let validator = schema("cluster");
    let mut cluster = serde_json::to_value(portkey::cluster::portkey()).unwrap();
    assert_eq!(errors(&validator, &cluster), Vec::<String>::new());
    cluster["nodes"][0]["cpu"] = json!("4 cores");
    assert!(
        !errors(&validator, &cluster).is_empty(),
        "a string CPU validates"
    );
}

#[test]
fn completions_name_every_subcommand() {
    let help = stdout_of(&["--help"]);
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for expected in [
        "render",
        "validate",
        "plan",
        "images",
        "schema",
        "completions",
    ] {
        assert!(
            commands.contains(&expected),
            "{expected} not in --help:\n{help}"
        );
    }
    let script = stdout_of(&["completions", "bash"]);
    assert!(script.contains("complete -F _portkey"), "{script}");
    for c in &commands {
        assert!(
            script.contains(&format!("portkey,{c})")),
            "the bash completions do not name `{c}`"
        );
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(
            stdout_of(&["completions", shell]).contains("render"),
            "{shell}"
        );
    }
    let o = run_cli(&["completions", "tcsh"], &root());
    assert_eq!(o.status.code(), Some(2));
}
