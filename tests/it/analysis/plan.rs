//! `portkey plan` and the plan's determinism.

use super::*;

fn run_plan(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the portkey binary");
    assert!(
        o.status.success(),
        "portkey {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(0));
    o
}

/// The `If a node fails` sections of `portkey plan`'s text, by node.
fn failure_sections(text: &str) -> BTreeMap<String, Vec<String>> {
    let (_, tail) = text
        .split_once("If a node fails")
        .unwrap_or_else(|| panic!("no failure part in:\n{text}"));
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current = None;
    for line in tail.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            let node = line.trim_end_matches(':').to_string();
            out.entry(node.clone()).or_default();
            current = Some(node);
        } else if let Some(n) = &current
            && !line.trim().is_empty()
        {
            out.get_mut(n).unwrap().push(line.trim().to_string());
        }
    }
    out
}

#[test]
fn plan_command_prints_the_failure_of_metal0() {
    let o = run_plan(&["plan"]);
    let text = String::from_utf8(o.stdout).expect("UTF-8 output");
    assert!(
        text.lines().any(|l| l.starts_with("metal0 ")),
        "no metal0 utilisation row:\n{text}"
    );
    let sections = failure_sections(&text);
    assert_eq!(
        sections.keys().map(String::as_str).collect::<Vec<_>>(),
        ["metal0", "metal1", "metal2"],
        "{text}"
    );
    let down = sections["metal0"]
        .iter()
        .find(|l| l.starts_with("down until it returns"))
        .unwrap_or_else(|| panic!("metal0's section names nothing down:\n{text}"));
    for app in HOME_AUTOMATION_STACK {
        assert!(down.contains(app), "{app} not in {down:?}");
    }
    for node in ["metal1", "metal2"] {
        assert!(
            !sections[node]
                .iter()
                .any(|l| l.starts_with("down until it returns")),
            "{node}: {:#?}",
            sections[node]
        );
    }
    // The same text as the library produces.
    assert_eq!(text, portkey::report::plan_text(&real_plan()));
}

#[test]
fn plan_command_json() {
    let o = run_plan(&["plan", "--format", "json"]);
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("`plan --format json` prints JSON");
    let nodes: Vec<&str> = v["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["node"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["metal0", "metal1", "metal2"]);
    let metal0 = &v["nodes"][0];
    assert_eq!(metal0["memory_bytes"], Memory::gi(42).bytes());
    assert_eq!(metal0["cpu_millicores"], 4000);
    for app in HOME_AUTOMATION_STACK {
        assert!(
            metal0["apps"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(app)),
            "{app} not on metal0: {metal0}"
        );
    }
    let placements = v["placements"].as_array().expect("placements");
    let find = |app: &str| {
        placements
            .iter()
            .find(|p| p["app"] == app)
            .unwrap_or_else(|| panic!("no placement for {app}"))
    };
    for app in HOME_AUTOMATION_STACK {
        assert_eq!(find(app)["node"], "metal0");
        assert_eq!(find(app)["feasible"], serde_json::json!(["metal0"]));
    }
    assert_eq!(
        find("jellyfin")["feasible"],
        serde_json::json!(["metal1", "metal2"])
    );
    let failures = v["failures"].as_array().expect("failures");
    let f0 = failures
        .iter()
        .find(|f| f["node"] == "metal0")
        .expect("metal0's failure");
    let down: Vec<&str> = f0["down"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["app"].as_str().unwrap())
        .collect();
    assert_eq!(down, HOME_AUTOMATION_STACK);
    assert!(
        failures.iter().all(|f| f["survivable"] == true),
        "{failures:#?}"
    );
    assert_eq!(v, portkey::report::plan_json(&real_plan()));
}

// ---------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------

fn assert_same_plan(a: &Plan, b: &Plan, what: &str) {
    assert_eq!(a.nodes, b.nodes, "{what}: nodes");
    assert_eq!(a.placements, b.placements, "{what}: placements");
    assert_eq!(a.failures, b.failures, "{what}: failures");
    assert_eq!(a.warnings, b.warnings, "{what}: warnings");
    assert_eq!(a.errors, b.errors, "{what}: errors");
}

#[test]
fn the_plan_does_not_depend_on_app_order() {
    let cluster = real_cluster();
    let apps = portkey::catalogue();
    let base = portkey::plan(&cluster, apps.clone()).unwrap();
    let mut reversed = apps.clone();
    reversed.reverse();
    assert_same_plan(
        &base,
        &portkey::plan(&cluster, reversed).unwrap(),
        "reversed",
    );
    for k in [1, 5, 11] {
        let mut rotated = apps.clone();
        rotated.rotate_left(k % apps.len());
        assert_same_plan(
            &base,
            &portkey::plan(&cluster, rotated).unwrap(),
            &format!("rotated by {k}"),
        );
    }
    // Interleaved: odd positions first.
    let interleaved: Vec<App> = apps
        .iter()
        .skip(1)
        .step_by(2)
        .chain(apps.iter().step_by(2))
        .cloned()
        .collect();
    assert_same_plan(
        &base,
        &portkey::plan(&cluster, interleaved.clone()).unwrap(),
        "interleaved",
    );
    assert_eq!(
        rendered_architecture(&cluster, apps),
        rendered_architecture(&cluster, interleaved)
    );
}

#[test]
fn ties_are_broken_the_same_way_in_any_order() {
    // Identical apps: placement may not depend on which one is listed first.
    let apps: Vec<App> = ["a", "b", "c", "d", "e", "f", "g"]
        .iter()
        .map(|n| {
            app(n)
                .requests(Cpu::m(100), Memory::gi(3))
                .memory_limit(Memory::gi(3))
        })
        .collect();
    let base = portkey::plan(&test_cluster(), apps.clone()).unwrap();
    let mut reversed = apps;
    reversed.reverse();
    assert_same_plan(
        &base,
        &portkey::plan(&test_cluster(), reversed).unwrap(),
        "reversed",
    );
    // The same errors in the same order, too.
    let over: Vec<App> = (0..7)
        .map(|i| on_a(&format!("p{i}"), Cpu::m(10), Memory::gi(3)))
        .collect();
    let e1 = plan_errors(&test_cluster(), over.clone());
    let mut rev = over;
    rev.reverse();
    assert_eq!(e1, plan_errors(&test_cluster(), rev));
}
