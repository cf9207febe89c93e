//! Renovate's custom manager must see every image portkey emits, with its tag and digest,
//! so that a bump in `apps/` is all it takes to update what runs.

use std::collections::BTreeSet;

use regex::Regex;

use crate::common::root;

/// (file pattern, match string) pairs of the regex managers in renovate.json.
fn managers() -> Vec<(Vec<Regex>, Vec<Regex>)> {
    let text = std::fs::read_to_string(root().join("renovate.json")).expect("renovate.json");
    let config: serde_json::Value = serde_json::from_str(&text).expect("renovate.json is JSON");
    let ignore = config["ignorePaths"].as_array().expect("ignorePaths");
    assert!(
        ignore.iter().any(|p| p == "generated/**"),
        "renovate must ignore generated/ (CI regenerates it)"
    );
    config["customManagers"]
        .as_array()
        .expect("customManagers")
        .iter()
        .map(|m| {
            let files = m["managerFilePatterns"]
                .as_array()
                .expect("managerFilePatterns")
                .iter()
                .map(|p| {
                    let p = p.as_str().expect("pattern string");
                    let inner = p
                        .strip_prefix('/')
                        .and_then(|p| p.strip_suffix('/'))
                        .expect("/regex/ pattern");
                    Regex::new(inner).expect("file pattern compiles")
                })
                .collect();
            let strings = m["matchStrings"]
                .as_array()
                .expect("matchStrings")
                .iter()
                .map(|s| Regex::new(s.as_str().expect("string")).expect("matchString compiles"))
                .collect();
            (files, strings)
        })
        .collect()
}

/// Every `image:` value in generated/.
fn generated_images() -> BTreeSet<String> {
    let mut images = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root().join("generated")) {
        let entry = entry.expect("walk generated/");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read");
        for line in text.lines() {
            if let Some(v) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("image: ")
            {
                images.insert(v.trim_matches(['"', '\'']).to_string());
            }
        }
    }
    images
}

/// Every image reference Renovate's managers find in the repository.
fn renovate_matches() -> BTreeSet<String> {
    let managers = managers();
    let mut found = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root()).into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        !(name == "target" || name == ".git" || name == "generated")
    }) {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(root())
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        for (files, strings) in &managers {
            if !files.iter().any(|f| f.is_match(&rel)) {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).expect("read");
            for re in strings {
                for c in re.captures_iter(&text) {
                    let mut image = format!("{}:{}", &c["depName"], &c["currentValue"]);
                    if let Some(d) = c.name("currentDigest") {
                        image.push('@');
                        image.push_str(d.as_str());
                    }
                    found.insert(image);
                }
            }
        }
    }
    found
}

#[test]
fn every_generated_image_is_managed_by_renovate() {
    let generated = generated_images();
    assert!(
        generated.len() >= 10,
        "expected the catalogue's images in generated/, found {generated:?}"
    );
    let matched = renovate_matches();
    let missing: Vec<&String> = generated.difference(&matched).collect();
    assert!(
        missing.is_empty(),
        "images in generated/ that renovate.json does not match (tag and digest): {missing:?}"
    );
}

#[test]
fn manager_captures_tag_and_digest() {
    let managers = managers();
    let re = &managers[0].1[0];
    let digest = "a".repeat(64);
    let line = format!(r#".image("ghcr.io/jellyfin/jellyfin:10.11.3@sha256:{digest}")"#);
    let c = re.captures(&line).expect("matches a pinned image");
    assert_eq!(&c["depName"], "ghcr.io/jellyfin/jellyfin");
    assert_eq!(&c["currentValue"], "10.11.3");
    assert_eq!(
        c.name("currentDigest").map(|m| m.as_str()),
        Some(format!("sha256:{digest}").as_str())
    );
    let c = re
        .captures(r#".image("lscr.io/linuxserver/grocy:v4.5.0-ls287")"#)
        .expect("matches");
    assert_eq!(&c["currentValue"], "v4.5.0-ls287");
    assert!(c.name("currentDigest").is_none());
    assert!(
        re.captures(r#".env("DOMAIN", "https://vault.example.com")"#)
            .is_none()
    );
}

/// Every chart release Argo CD installs (`repoURL`, `chart`, `targetRevision` of the
/// Applications in generated/argocd) as Renovate's helm manager sees it in apps/.
#[test]
fn every_chart_version_is_managed_by_renovate() {
    let managers = managers();
    let mut generated = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root().join("generated/argocd")) {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("read");
        let field = |key: &str| {
            text.lines().find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{key}: "))
                    .map(|v| v.trim_matches('"').to_string())
            })
        };
        if let (Some(chart), Some(repo), Some(version)) =
            (field("chart"), field("repoURL"), field("targetRevision"))
        {
            generated.insert(format!("{repo} {chart} {version}"));
        }
    }
    assert!(
        generated.len() >= 8,
        "expected the chart releases in generated/argocd, found {generated:?}"
    );
    let helm: Vec<&Regex> = managers
        .iter()
        .flat_map(|(_, strings)| strings)
        .filter(|r| r.as_str().contains("registryUrl"))
        .collect();
    assert!(!helm.is_empty(), "renovate.json has no helm manager");
    let mut matched = BTreeSet::new();
    for entry in walkdir::WalkDir::new(root().join("apps")) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).expect("read");
            for re in &helm {
                for c in re.captures_iter(&text) {
                    matched.insert(format!(
                        "{} {} {}",
                        &c["registryUrl"], &c["depName"], &c["currentValue"]
                    ));
                }
            }
        }
    }
    let missing: Vec<&String> = generated.difference(&matched).collect();
    assert!(
        missing.is_empty(),
        "chart releases Renovate does not see: {missing:?}"
    );
}

/// A chart bump's pull request says how to refresh `charts/`: the render on its branch
/// fails until the new version's defaults are there.
#[test]
fn a_chart_bump_pull_request_says_to_pull_the_defaults() {
    let config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("renovate.json")).expect("renovate.json"),
    )
    .expect("JSON");
    let rule = config["packageRules"]
        .as_array()
        .expect("packageRules")
        .iter()
        .find(|r| r["matchDatasources"] == serde_json::json!(["helm"]))
        .expect("a rule for the helm datasource");
    let notes = rule["prBodyNotes"].to_string();
    assert!(
        notes.contains("charts pull") && notes.contains("charts/PROVENANCE.md"),
        "{notes}"
    );
}
