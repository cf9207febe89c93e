//! The lint rules, one violating object per lint id: each is reported, and each is
//! silenced by its suppression annotation (or declared exception).

use k8s_openapi::Resource as _;
use portkey_compile::crd::external_secrets::ExternalSecret;
use portkey_compile::crd::volsync::ReplicationDestination;
use portkey_model::app::LINT_EXCEPTION_PREFIX;
use serde_json::{Value, json};

use super::{Context, Finding, Summary, at, check_catalogue, check_object};

mod index;
mod summary;

/// The domain the catalogue lints are given.
const DOMAIN: &str = "lab.example.org";
/// A pinned image: the image-digest lint passes.
const IMAGE: &str = "docker.io/library/nginx:1.27.0@sha256:2222222222222222222222222222222222222222222222222222222222222222";

const SOURCE: &str = "apps/test.rs";

fn container(name: &str, probes: bool) -> Value {
    let mut c = json!({
        "name": name,
        "image": IMAGE,
        "resources": {
            "requests": {"cpu": "10m", "memory": "64Mi"},
            "limits": {"memory": "128Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "capabilities": {"drop": ["ALL"]},
        },
    });
    if probes {
        c["livenessProbe"] = json!({"tcpSocket": {"port": "http"}});
        c["readinessProbe"] = json!({"tcpSocket": {"port": "http"}});
    }
    c
}

/// A Deployment that passes every per-object lint: pinned image, resources, probes, secure
/// context; its init container has no probes (init containers need none).
fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "lab",
            "labels": {"app.kubernetes.io/name": name},
        },
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {
                    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                    "initContainers": [container("wait", false)],
                    "containers": [container(name, true)],
                },
            },
        },
    })
}

fn main_c(d: &mut Value) -> &mut Value {
    &mut d["spec"]["template"]["spec"]["containers"][0]
}

fn annotate(mut object: Value, key: &str, reason: &str) -> Value {
    object["metadata"]["annotations"][key] = json!(reason);
    object
}

fn findings(object: &Value) -> Vec<Finding> {
    check_object(SOURCE, object).0
}

/// Asserts that `object` is reported exactly once, by `lint`, with `mention` in the message,
/// naming the source and the object.
fn assert_lint(object: &Value, lint: &str, mention: &str) {
    let found = findings(object);
    assert_eq!(found.len(), 1, "exactly one finding expected: {found:#?}");
    let f = &found[0];
    assert_eq!(f.lint, lint, "{f}");
    assert_eq!(f.source, SOURCE);
    assert_eq!(
        f.object,
        format!(
            "{}/lab/{}",
            object["kind"].as_str().unwrap(),
            object["metadata"]["name"].as_str().unwrap()
        )
    );
    assert!(f.message.contains(mention), "{f}");
    assert!(f.to_string().contains(&format!("[{lint}]")), "{f}");
}

fn assert_clean(object: &Value) {
    let found = findings(object);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn compliant_deployment_has_no_findings() {
    assert_clean(&deployment("web"));
}

#[test]
fn lint_image_digest_tag_without_digest() {
    let mut d = deployment("web");
    main_c(&mut d)["image"] = json!("docker.io/library/nginx:1.27.0");
    assert_lint(&d, "image-digest", "not pinned by digest");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}image-digest"),
        "Renovate pins it",
    ));
}

#[test]
fn lint_image_digest_latest() {
    let mut d = deployment("web");
    // `latest` is refused even with a digest.
    main_c(&mut d)["image"] = json!(format!(
        "docker.io/library/nginx:latest@sha256:{}",
        "2".repeat(64)
    ));
    assert_lint(&d, "image-digest", "`latest`");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}image-digest"),
        "upstream only publishes latest",
    ));
}

#[test]
fn lint_image_digest_missing_tag() {
    let mut d = deployment("web");
    // The registry port is not a tag.
    main_c(&mut d)["image"] = json!("registry.lan:5000/nginx");
    assert_lint(&d, "image-digest", "has no tag");
    // The init container is linted too.
    let mut d = deployment("web");
    d["spec"]["template"]["spec"]["initContainers"][0]["image"] = json!("busybox");
    assert_lint(&d, "image-digest", "container wait");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}image-digest"),
        "why",
    ));
}

#[test]
fn lint_resources() {
    for (pointer, what) in [
        ("/resources/requests/cpu", "a CPU request"),
        ("/resources/requests/memory", "a memory request"),
        ("/resources/limits/memory", "a memory limit"),
    ] {
        let mut d = deployment("web");
        let (parent, leaf) = pointer.rsplit_once('/').unwrap();
        main_c(&mut d)
            .pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(leaf);
        assert_lint(&d, "resources", what);
        assert_clean(&annotate(
            d,
            &format!("{LINT_EXCEPTION_PREFIX}resources"),
            "why",
        ));
    }
}

#[test]
fn lint_probes() {
    let mut d = deployment("web");
    main_c(&mut d)
        .as_object_mut()
        .unwrap()
        .remove("readinessProbe");
    assert_lint(&d, "probes", "readinessProbe");
    let mut d = deployment("web");
    main_c(&mut d)
        .as_object_mut()
        .unwrap()
        .remove("livenessProbe");
    assert_lint(&d, "probes", "livenessProbe");
    assert_clean(&annotate(
        d,
        &format!("{LINT_EXCEPTION_PREFIX}probes"),
        "a batch worker has nothing to probe",
    ));
}

#[test]
fn lint_security_run_as_non_root() {
    let mut d = deployment("web");
    d["spec"]["template"]["spec"]["securityContext"] =
        json!({"seccompProfile": {"type": "RuntimeDefault"}});
    assert_lint(&d, "security", "may run as root");
    assert_clean(&annotate(
        d.clone(),
        "portkey.dev/exception.run-as-root",
        "s6 init",
    ));
    assert_clean(&annotate(
        d.clone(),
        "portkey.dev/exception.privileged",
        "device plugin",
    ));
    // `security` is not a suppressible lint: its lint-exception annotation changes nothing.
    assert_lint(
        &annotate(d, &format!("{LINT_EXCEPTION_PREFIX}security"), "please"),
        "security",
        "may run as root",
    );
}

#[test]
fn lint_security_read_only_root_filesystem() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["readOnlyRootFilesystem"] = json!(false);
    assert_lint(&d, "security", "writable root filesystem");
    assert_clean(&annotate(
        d,
        "portkey.dev/exception.writable-root-filesystem",
        "writes to /app",
    ));
}

#[test]
fn lint_security_seccomp_profile() {
    let mut d = deployment("web");
    d["spec"]["template"]["spec"]["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("seccompProfile");
    assert_lint(&d, "security", "no seccomp profile");
    d["spec"]["template"]["spec"]["securityContext"]["seccompProfile"] =
        json!({"type": "Unconfined"});
    assert_lint(&d, "security", "no seccomp profile");
    d["spec"]["template"]["spec"]["securityContext"]["seccompProfile"] =
        json!({"type": "Localhost", "localhostProfile": "p.json"});
    assert_clean(&d);
}

#[test]
fn lint_security_allow_privilege_escalation() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("allowPrivilegeEscalation");
    assert_lint(&d, "security", "allows privilege escalation");
    // Only the privileged exception covers it.
    assert_lint(
        &annotate(d.clone(), "portkey.dev/exception.run-as-root", "why"),
        "security",
        "allows privilege escalation",
    );
    assert_clean(&annotate(d, "portkey.dev/exception.privileged", "why"));
}

#[test]
fn lint_security_drop_all() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["capabilities"]["drop"] = json!(["NET_RAW"]);
    assert_lint(&d, "security", "does not drop ALL");
    assert_clean(&annotate(d, "portkey.dev/exception.privileged", "why"));
}

#[test]
fn lint_security_added_capability() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["capabilities"]["add"] = json!(["NET_ADMIN"]);
    assert_lint(&d, "security", "adds capability NET_ADMIN");
    // Another capability's exception does not cover it.
    assert_lint(
        &annotate(
            d.clone(),
            "portkey.dev/exception.capability-net_raw",
            "ping",
        ),
        "security",
        "NET_ADMIN",
    );
    assert_clean(&annotate(
        d,
        "portkey.dev/exception.capability-net_admin",
        "VPN routes",
    ));
}

#[test]
fn lint_security_privileged() {
    let mut d = deployment("web");
    main_c(&mut d)["securityContext"]["privileged"] = json!(true);
    assert_lint(&d, "security", "is privileged");
    assert_clean(&annotate(
        d,
        "portkey.dev/exception.privileged",
        "device plugin",
    ));
}

#[test]
fn lint_names() {
    let mut d = deployment("web");
    d["metadata"]["name"] = json!("Web_App");
    assert_lint(&d, "names", "\"Web_App\"");
    let mut d = deployment("web");
    d["metadata"]["labels"]["example.com/long"] = json!("x".repeat(64));
    assert_lint(&d, "names", "label example.com/long");
    // A Service name is a DNS label: no dots, at most 63 characters.
    let service = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web.lab", "namespace": "lab"},
        "spec": {"selector": {"app.kubernetes.io/name": "web"}},
    });
    assert_lint(&service, "names", "at most 63");
    let mut long = service.clone();
    long["metadata"]["name"] = json!("s".repeat(64));
    assert_lint(&long, "names", "at most 63");
    // Not suppressible.
    assert_lint(
        &annotate(service, &format!("{LINT_EXCEPTION_PREFIX}names"), "please"),
        "names",
        "web.lab",
    );
}

#[test]
fn lint_exception_with_empty_reason_does_not_silence() {
    let mut d = deployment("web");
    main_c(&mut d)["image"] = json!("docker.io/library/nginx:1.27.0");
    let excused = annotate(d, &format!("{LINT_EXCEPTION_PREFIX}image-digest"), " ");
    assert_lint(&excused, "image-digest", "not pinned by digest");
}

// --- cross-object lints -------------------------------------------------------------------

fn context() -> Context {
    Context {
        domain: DOMAIN.into(),
        external_secrets: portkey_model::SecretNames::default(),
    }
}

fn catalogue_findings(objects: &[(&str, Value)], ctx: &Context) -> Vec<Finding> {
    let summaries: Vec<Summary> = objects
        .iter()
        .map(|(source, o)| check_object(source, o).1)
        .collect();
    check_catalogue(&summaries, ctx)
}

fn assert_catalogue_lint(findings: &[Finding], lint: &str, object: &str, mention: &str) {
    assert!(
        findings
            .iter()
            .any(|f| f.lint == lint && f.object == object && f.message.contains(mention)),
        "no [{lint}] finding on {object} mentioning {mention:?}: {findings:#?}"
    );
}

fn service(name: &str, selects: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "lab"},
        "spec": {"selector": {"app.kubernetes.io/name": selects}},
    })
}

fn ingress(name: &str, host: &str) -> Value {
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": "lab"},
        "spec": {"rules": [{"host": host}]},
    })
}

fn named(kind: &str, api_version: &str, name: &str) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": "lab"},
    })
}

#[test]
fn lint_duplicates() {
    let found = catalogue_findings(
        &[
            ("apps/a.rs", deployment("web")),
            ("apps/b.rs", deployment("web")),
            ("apps/b.rs", service("web", "web")),
        ],
        &context(),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(&found, "duplicates", "Deployment/lab/web", "apps/a.rs");
    assert_eq!(found[0].source, "apps/b.rs", "the second one is at fault");
}

#[test]
fn lint_duplicates_name_the_first_in_catalogue_order_and_come_in_it() {
    let found = catalogue_findings(
        &[
            ("apps/c.rs", deployment("web")),
            ("apps/a.rs", deployment("api")),
            ("apps/b.rs", deployment("web")),
            ("apps/e.rs", deployment("api")),
            ("apps/d.rs", deployment("web")),
        ],
        &context(),
    );
    let seen: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.source.as_str(), f.object.as_str(), f.message.as_str()))
        .collect();
    let also =
        |first: &str| format!("also produced by {first}; kind, namespace and name must be unique");
    assert_eq!(
        seen,
        [
            (
                "apps/b.rs",
                "Deployment/lab/web",
                also("apps/c.rs").as_str()
            ),
            (
                "apps/e.rs",
                "Deployment/lab/api",
                also("apps/a.rs").as_str()
            ),
            (
                "apps/d.rs",
                "Deployment/lab/web",
                also("apps/c.rs").as_str()
            ),
        ]
    );
}

#[test]
fn lint_service_selector() {
    let found = catalogue_findings(
        &[
            ("apps/web.rs", deployment("web")),
            ("apps/web.rs", service("web", "web")),
            ("apps/ghost.rs", service("ghost", "ghost")),
        ],
        &context(),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "service-selector",
        "Service/lab/ghost",
        "matches no workload",
    );
    // The selector prints as a map, as it always has.
    assert!(
        found[0]
            .message
            .starts_with(r#"selector {"app.kubernetes.io/name": "ghost"} matches"#),
        "{}",
        found[0].message
    );
    // A workload of the same name in another namespace does not count.
    let mut elsewhere = deployment("ghost");
    elsewhere["metadata"]["namespace"] = json!("tools");
    let found = catalogue_findings(
        &[
            ("apps/a.rs", elsewhere),
            ("apps/a.rs", service("ghost", "ghost")),
        ],
        &context(),
    );
    assert_catalogue_lint(&found, "service-selector", "Service/lab/ghost", "lab");
}

#[test]
fn lint_ingress_hosts_outside_the_domain() {
    let found = catalogue_findings(
        &[
            ("apps/web.rs", ingress("web", &format!("web.{DOMAIN}"))),
            ("apps/evil.rs", ingress("evil", "web.example.com")),
            // A suffix match without the dot is not inside the domain.
            ("apps/sly.rs", ingress("sly", &format!("sly{DOMAIN}"))),
        ],
        &context(),
    );
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "ingress-hosts",
        "Ingress/lab/evil",
        "outside the cluster domain",
    );
    assert_catalogue_lint(
        &found,
        "ingress-hosts",
        "Ingress/lab/sly",
        "outside the cluster domain",
    );
}

#[test]
fn lint_ingress_hosts_duplicate_host() {
    let host = format!("web.{DOMAIN}");
    let found = catalogue_findings(
        &[
            ("apps/web.rs", ingress("web", &host)),
            ("apps/copy.rs", ingress("copy", &host)),
        ],
        &context(),
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "ingress-hosts",
        "Ingress/lab/copy",
        "Ingress/lab/web",
    );
}

#[test]
fn lint_references() {
    let mut d = deployment("web");
    let pod = &mut d["spec"]["template"]["spec"];
    pod["volumes"] = json!([
        {"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}},
        {"name": "config", "configMap": {"name": "web-config"}},
        {"name": "certs", "secret": {"secretName": "web-certs"}},
    ]);
    pod["containers"][0]["env"] = json!([
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-token", "key": "t"}}},
    ]);
    let mut pvc = named("PersistentVolumeClaim", "v1", "web-restored");
    pvc["spec"] = json!({"dataSourceRef": {
        "apiGroup": ReplicationDestination::GROUP, "kind": ReplicationDestination::KIND,
        "name": "web-dst",
    }});
    let objects = vec![("apps/web.rs", d.clone()), ("apps/web.rs", pvc.clone())];

    let found = catalogue_findings(&objects, &context());
    for (object, what) in [
        ("Deployment/lab/web", "PersistentVolumeClaim web-data"),
        ("Deployment/lab/web", "ConfigMap web-config"),
        ("Deployment/lab/web", "Secret web-certs"),
        ("Deployment/lab/web", "Secret web-token"),
        (
            "PersistentVolumeClaim/lab/web-restored",
            "ReplicationDestination web-dst",
        ),
    ] {
        assert_catalogue_lint(&found, "references", object, what);
    }
    assert_eq!(found.len(), 5, "{found:#?}");

    // Each reference resolves once something provides it: the objects themselves, an
    // ExternalSecret's target, or a Secret the model declares as created outside Git.
    let mut external = named(
        ExternalSecret::KIND,
        ExternalSecret::API_VERSION,
        "web-token-es",
    );
    external["spec"] = json!({"target": {"name": "web-token"}});
    let mut ctx = context();
    ctx.external_secrets = portkey_model::SecretNames::from_pairs([("lab", "web-certs")]);
    let mut all = objects;
    all.extend([
        (
            "apps/web.rs",
            named("PersistentVolumeClaim", "v1", "web-data"),
        ),
        ("apps/web.rs", named("ConfigMap", "v1", "web-config")),
        ("apps/web.rs", external),
        (
            "apps/web.rs",
            named(
                ReplicationDestination::KIND,
                ReplicationDestination::API_VERSION,
                "web-dst",
            ),
        ),
    ]);
    let found = catalogue_findings(&all, &ctx);
    assert!(found.is_empty(), "{found:#?}");
    // ... in the same namespace only.
    let mut ctx = context();
    ctx.external_secrets = portkey_model::SecretNames::from_pairs([("tools", "web-certs")]);
    let found = catalogue_findings(&all, &ctx);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_catalogue_lint(
        &found,
        "references",
        "Deployment/lab/web",
        "Secret web-certs",
    );
}

#[test]
fn at_follows_object_keys_and_array_indices() {
    let v = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}], "": 1}});
    assert_eq!(at(&v, ""), Some(&v));
    assert_eq!(at(&v, "/spec/containers/1/name"), Some(&json!("b")));
    assert_eq!(at(&v, "/spec/"), Some(&json!(1)));
    assert_eq!(at(&v, "/spec/containers/2"), None);
    assert_eq!(at(&v, "/spec/containers/x"), None);
    assert_eq!(at(&v, "/spec/containers/0/name/deeper"), None);
    assert_eq!(at(&v, "/missing"), None);
}
