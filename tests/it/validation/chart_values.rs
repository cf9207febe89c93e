//! Chart values checked the way Helm uses them: the real releases against the committed
//! defaults of `charts/`, one planted mistake at a time, and `portkey charts pull` with a
//! fake `helm`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use portkey::portkey_model::chart::Chart;
use serde_json::json;

use super::root;

/// The real release `name`, from `apps/infra/`.
fn release(name: &str) -> Chart {
    portkey::charts()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no release {name}"))
}

/// The chart-values problems of `chart` alone: `(field, problem, fix)`.
fn problems(chart: Chart) -> Vec<(String, String, String)> {
    portkey::chart_defaults::check(&[chart])
        .errors
        .into_iter()
        .map(|e| {
            assert!(e.file.starts_with("apps/infra/"), "{e:?}");
            (e.field, e.problem, e.fix)
        })
        .collect()
}

/// Adds `extra` over `chart`'s values (maps merged, the way the release file would).
fn with_values(mut chart: Chart, extra: &serde_json::Value) -> Chart {
    chart.values = portkey::portkey_model::chart::values::merge(&chart.values, extra);
    chart
}

#[test]
fn the_real_releases_pass_their_schemas_and_know_every_value_path() {
    let charts = portkey::charts();
    let findings = portkey::chart_defaults::check(&charts);
    assert!(findings.errors.is_empty(), "{:#?}", findings.errors);
    // Each declared new path is used, and shown as a warning.
    let declared: usize = charts.iter().map(|c| c.new_value_paths.len()).sum();
    assert_eq!(
        findings.warnings.len(),
        declared,
        "{:#?}",
        findings.warnings
    );
    // The charts that ship a schema were checked against it.
    for chart in ["traefik", "cert-manager", "metallb"] {
        let c = release(chart);
        let defaults = portkey::chart_defaults::defaults(&c.chart, &c.version).unwrap();
        assert!(
            defaults.schema.is_some(),
            "{chart} ships values.schema.json"
        );
    }
}

/// build.rs embeds each `values.yaml` as JSON (parsed once at build time): the render sees
/// exactly the value that parsing the YAML gives.
#[test]
fn the_embedded_defaults_are_the_values_yaml_parsed() {
    let mut compared = 0;
    for (chart, version) in portkey::chart_defaults::embedded() {
        let yaml = fs::read_to_string(
            root()
                .join("charts")
                .join(chart)
                .join(version)
                .join("values.yaml"),
        )
        .unwrap_or_else(|e| panic!("{chart} {version}: {e}"));
        let parsed = portkey::portkey_validate::chart_values::parse_values(&yaml);
        let embedded = portkey::chart_defaults::defaults(chart, version)
            .unwrap_or_else(|| panic!("{chart} {version} is listed but not embedded"));
        assert_eq!(embedded.values, &parsed, "{chart} {version}");
        assert!(
            parsed.as_ref().is_ok_and(serde_json::Value::is_object),
            "{chart} {version}"
        );
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} charts embedded");
}

#[test]
fn charts_holds_exactly_the_pinned_versions_with_their_provenance() {
    let pinned: BTreeSet<(String, String)> = portkey::charts()
        .into_iter()
        .map(|c| (c.chart, c.version))
        .collect();
    let embedded: BTreeSet<(String, String)> = portkey::chart_defaults::embedded()
        .map(|(c, v)| (c.to_string(), v.to_string()))
        .collect();
    assert_eq!(
        embedded, pinned,
        "charts/ must hold the pinned versions, and only them"
    );
    let provenance = fs::read_to_string(root().join("charts/PROVENANCE.md")).unwrap();
    for (chart, version) in &pinned {
        let row = format!("| {chart} | {version} | https://github.com/");
        assert!(provenance.contains(&row), "PROVENANCE.md lacks `{row}`");
        let upstream = root().join("charts").join(chart).join(version);
        let schema_listed = provenance
            .lines()
            .find(|l| l.starts_with(&row))
            .is_some_and(|l| l.contains("values.schema.json"));
        assert_eq!(
            upstream.join("values.schema.json").is_file(),
            schema_listed,
            "{chart} {version}: PROVENANCE.md lists the files that are there"
        );
    }
}

#[test]
fn a_misspelt_value_key_fails_with_its_path() {
    // kube-prometheus-stack ships no schema: only the defaults can catch it.
    let chart = with_values(
        release("kube-prometheus-stack"),
        &json!({ "prometheus": { "prometheusSpec": { "retension": "7d" } } }),
    );
    let found = problems(chart);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (field, problem, fix) = &found[0];
    assert_eq!(field, "values.prometheus.prometheusSpec.retension");
    assert!(
        problem.contains("charts/kube-prometheus-stack/88.5.3/values.yaml"),
        "{problem}"
    );
    assert!(fix.contains(".new_value_path("), "{fix}");
}

#[test]
fn a_declared_new_value_path_passes_with_a_warning() {
    let chart = with_values(
        release("kube-prometheus-stack"),
        &json!({ "prometheus": { "prometheusSpec": { "someNewField": true } } }),
    )
    .new_value_path(
        "prometheus.prometheusSpec.someNewField",
        "only the template reads it",
    );
    let findings = portkey::chart_defaults::check(&[chart]);
    assert!(findings.errors.is_empty(), "{:#?}", findings.errors);
    assert!(
        findings
            .warnings
            .iter()
            .any(|w| w.contains("someNewField") && w.contains("only the template reads it")),
        "{:#?}",
        findings.warnings
    );
}

#[test]
fn a_traefik_value_of_the_wrong_type_fails_the_schema() {
    let chart = with_values(
        release("traefik"),
        &json!({ "ports": { "web": { "exposedPort": "eighty" } } }),
    );
    let found = problems(chart);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (field, problem, _) = &found[0];
    assert_eq!(field, "values.ports.web.exposedPort");
    assert!(
        problem.contains("charts/traefik/41.3.0/values.schema.json") && problem.contains("eighty"),
        "{problem}"
    );
}

/// `portkey render` keeps the charts' schema passes with the objects' (`portkey::cache`):
/// values that passed a `values.schema.json` at the last run skip it, and only passes are
/// kept, so a value that breaks the schema is found however warm the cache.
#[test]
fn a_chart_schema_is_trusted_only_for_values_that_passed_it() {
    use portkey::portkey_validate::Known;
    let charts = portkey::charts();
    let first = Known::from_keys([]);
    assert!(
        portkey::chart_defaults::check_known(&charts, &first)
            .errors
            .is_empty()
    );
    assert_eq!(first.counts(), (0, 0), "not counted as objects");
    let passed = first.passed();
    assert_eq!(
        passed.len(),
        3,
        "one pass per chart with a schema: traefik, cert-manager, metallb"
    );

    let broken: Vec<Chart> = charts
        .iter()
        .cloned()
        .map(|c| match c.name.as_str() {
            "traefik" => with_values(
                c,
                &json!({ "ports": { "web": { "exposedPort": "eighty" } } }),
            ),
            _ => c,
        })
        .collect();
    let second = Known::from_keys(passed.clone());
    let errors = portkey::chart_defaults::check_known(&broken, &second).errors;
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].field, "values.ports.web.exposedPort");
    let kept = second.passed();
    assert_eq!(kept.len(), 2, "traefik's broken values are not kept");
    assert!(kept.iter().all(|k| passed.contains(k)));
}

#[test]
fn traefik_33_redirect_values_fail_against_41() {
    // The pre-bump key: the 41.x schema closes `ports.*`, and the defaults lack it.
    let chart = with_values(
        release("traefik"),
        &json!({ "ports": { "web": { "redirectTo": { "port": "websecure" } } } }),
    );
    let found = problems(chart);
    assert!(
        found
            .iter()
            .any(|(f, p, _)| f == "values.ports.web" && p.contains("redirectTo")),
        "the schema rejects it: {found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(f, _, _)| f == "values.ports.web.redirectTo.port"),
        "the defaults lack it: {found:#?}"
    );
}

#[test]
fn a_chart_version_bump_without_defaults_fails_with_the_fix() {
    let mut chart = release("traefik");
    chart.version = "99.0.0".into();
    let err = portkey::build_with(
        &portkey::cluster::portkey(),
        portkey::catalogue(),
        portkey::charts()
            .into_iter()
            .map(|c| {
                if c.name == "traefik" {
                    chart.clone()
                } else {
                    c
                }
            })
            .collect(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("apps/infra/traefik.rs")
            && err.contains("field `version`")
            && err.contains("charts/traefik/99.0.0/")
            && err.contains("portkey charts pull"),
        "{err}"
    );
}

/// A fake `helm` in `bin/`: `show values` prints a fixed values.yaml, `pull` unpacks a
/// schema for traefik only; it logs its arguments to `helm.log`.
fn fake_helm(bin: &Path) {
    fs::create_dir_all(bin).unwrap();
    let script = r#"#!/bin/sh
echo "$@" >> "$(dirname "$0")/helm.log"
case "$1" in
  show) printf 'fixed: true\n' ;;
  pull)
    chart="$2"; dir=""
    while [ $# -gt 0 ]; do [ "$1" = "--untardir" ] && dir="$2"; shift; done
    mkdir -p "$dir/$chart"
    [ "$chart" = traefik ] && printf '{"type": "object"}' > "$dir/$chart/values.schema.json"
    exit 0 ;;
esac
"#;
    let path = bin.join("helm");
    fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn charts_pull_writes_only_the_missing_defaults_with_helm() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("charts");
    // Present: argo-cd at its pinned version; stale: an old traefik.
    let argo = release("argo-cd");
    fs::create_dir_all(dir.join("argo-cd").join(&argo.version)).unwrap();
    fs::write(
        dir.join("argo-cd").join(&argo.version).join("values.yaml"),
        "kept: 1\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("traefik/33.2.1")).unwrap();
    let charts = portkey::charts();
    let missing: Vec<&str> = portkey::chart_defaults::missing(&charts, &dir)
        .iter()
        .map(|c| c.chart.as_str())
        .collect();
    assert_eq!(missing.len(), charts.len() - 1, "{missing:?}");
    assert!(!missing.contains(&"argo-cd"));

    let bin = tmp.path().join("bin");
    fake_helm(&bin);
    let out = Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(["charts", "pull", "--dir"])
        .arg(&dir)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let traefik = release("traefik");
    let folder = dir.join("traefik").join(&traefik.version);
    assert_eq!(
        fs::read_to_string(folder.join("values.yaml")).unwrap(),
        "fixed: true\n"
    );
    assert!(folder.join("values.schema.json").is_file());
    assert!(!dir.join("volsync/0.16.0/values.schema.json").exists());
    // What was there is left alone, and the stale folder is named, never deleted.
    assert_eq!(
        fs::read_to_string(dir.join("argo-cd").join(&argo.version).join("values.yaml")).unwrap(),
        "kept: 1\n"
    );
    assert!(
        stderr.contains("traefik/33.2.1/ is pinned by no release"),
        "{stderr}"
    );
    assert!(dir.join("traefik/33.2.1").is_dir());
    let log = fs::read_to_string(bin.join("helm.log")).unwrap();
    assert!(
        log.contains(&format!(
            "show values traefik --repo {} --version {}",
            traefik.repo, traefik.version
        )),
        "{log}"
    );
    assert!(!log.contains("argo-cd"), "{log}");
    // A second run has nothing to do.
    let again = Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(["charts", "pull", "--dir"])
        .arg(&dir)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to pull"));
}

#[test]
fn charts_pull_without_helm_says_so_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(["charts", "pull", "--dir"])
        .arg(tmp.path())
        .env("PATH", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`helm` is not on PATH") && stderr.contains("fix: install helm"),
        "{stderr}"
    );
    assert!(
        fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

#[test]
fn charts_pull_reports_a_failing_helm_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let helm = bin.join("helm");
    fs::write(&helm, "#!/bin/sh\necho 'Error: no network' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&helm, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let dir = tmp.path().join("charts");
    let out = Command::new(env!("CARGO_BIN_EXE_portkey"))
        .args(["charts", "pull", "--dir"])
        .arg(&dir)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: traefik 41.3.0: `helm show values traefik")
            && stderr.contains("no network"),
        "{stderr}"
    );
    assert!(
        !dir.join("traefik").exists(),
        "nothing written for a failed pull"
    );
}
