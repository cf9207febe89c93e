//! Renames keep the data: `.renamed_from(..)` on an app or a claim keeps the claim, its
//! restic repository Secret and its Volsync objects under their old names. Without it,
//! render warns that the backed-up claim disappears while a new one appears, and deleting
//! an app names the repository that keeps its data.

use super::*;
use portkey::cli::data_loss;

fn real() -> (portkey::portkey_model::cluster::Cluster, Vec<App>) {
    (portkey::cluster::portkey(), portkey::catalogue())
}

fn tree_of(
    cluster: &portkey::portkey_model::cluster::Cluster,
    apps: Vec<App>,
) -> BTreeMap<String, String> {
    portkey::build_with(cluster, apps, portkey::charts())
        .unwrap_or_else(|e| panic!("{e}"))
        .tree
}

/// The catalogue with grocy renamed to `pantry`, declared or not.
fn with_pantry(declared: bool) -> Vec<App> {
    let (_, mut apps) = real();
    let i = apps
        .iter()
        .position(|a| a.name == "grocy")
        .expect("grocy is in the catalogue");
    let mut pantry = apps.remove(i);
    pantry.name = "pantry".into();
    pantry.source = "apps/pantry.rs".into();
    if declared {
        pantry = pantry.renamed_from("grocy");
    }
    apps.push(pantry);
    apps
}

/// `kind/namespace/name` of every object in `tree` with that kind.
fn names_of(tree: &BTreeMap<String, String>, kind: &str) -> BTreeSet<String> {
    tree.iter()
        .filter(|(path, _)| {
            std::path::Path::new(path.as_str())
                .extension()
                .is_some_and(|e| e == "yaml")
        })
        .filter(|(_, text)| text.contains(&format!("\nkind: {kind}\n")))
        .filter_map(|(_, text)| {
            let name = text.lines().find_map(|l| l.strip_prefix("  name: "))?;
            let ns = text
                .lines()
                .find_map(|l| l.strip_prefix("  namespace: "))
                .unwrap_or("");
            Some(format!("{ns}/{name}"))
        })
        .collect()
}

#[test]
fn renaming_grocy_with_renamed_from_keeps_its_claim_and_repository_names() {
    let (cluster, apps) = real();
    let before = tree_of(&cluster, apps);
    let after = tree_of(&cluster, with_pantry(true));
    for kind in [
        "PersistentVolumeClaim",
        "ReplicationSource",
        "ReplicationDestination",
    ] {
        assert_eq!(names_of(&before, kind), names_of(&after, kind), "{kind}");
    }
    let claim = after
        .iter()
        .find(|(p, _)| p.ends_with("persistentvolumeclaim-grocy-config.yaml"))
        .map(|(p, t)| (p.clone(), t.clone()))
        .expect("the claim keeps its name");
    assert!(claim.0.starts_with("home/pantry/"), "{}", claim.0);
    assert!(claim.1.contains("name: grocy-config-dst"), "{}", claim.1);
    let source = after
        .iter()
        .find(|(p, _)| p.ends_with("replicationsource-grocy-config.yaml"))
        .map(|(_, t)| t.clone())
        .expect("the ReplicationSource keeps its name");
    assert!(
        source.contains("repository: grocy-volsync-secret"),
        "{source}"
    );
    // The Deployment is the new app's.
    assert!(
        after
            .keys()
            .any(|p| p == "home/pantry/deployment-pantry.yaml")
    );
    // And render has nothing to warn about.
    let warnings = data_loss::warnings(&data_loss::of_tree(&before), &data_loss::of_tree(&after));
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn renaming_without_renamed_from_warns_naming_the_fix() {
    let (cluster, apps) = real();
    let before = data_loss::of_tree(&tree_of(&cluster, apps));
    let after = data_loss::of_tree(&tree_of(&cluster, with_pantry(false)));
    let warnings = data_loss::warnings(&before, &after);
    let rename = warnings
        .iter()
        .find(|w| w.starts_with("[rename]") && w.contains("home/grocy-config"))
        .unwrap_or_else(|| panic!("no rename warning: {warnings:#?}"));
    assert!(rename.contains("`pantry-config`"), "{rename}");
    assert!(
        rename.contains("`.renamed_from(\"grocy\")` on the app `pantry`"),
        "{rename}"
    );
    assert!(rename.contains("grocy-volsync-secret"), "{rename}");
}

#[test]
fn renaming_a_volume_with_renamed_from_keeps_the_claim() {
    let cluster = test_cluster();
    let before = portkey::render(
        &cluster,
        vec![
            app("notes")
                .volume(Volume::claim("data", "/data", Memory::gi(1)).backup(Backup::daily())),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let after = portkey::render(
        &cluster,
        vec![
            app("notes").volume(
                Volume::claim("store", "/data", Memory::gi(1))
                    .renamed_from("data")
                    .backup(Backup::daily()),
            ),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        names_of(&before, "PersistentVolumeClaim"),
        names_of(&after, "PersistentVolumeClaim")
    );
    let deployment = &after["lab/notes/deployment-notes.yaml"];
    assert!(deployment.contains("claimName: notes-data"), "{deployment}");
    assert!(deployment.contains("name: store"), "{deployment}");
    // Undeclared, it warns and names the volume-level fix.
    let undeclared = portkey::render(
        &cluster,
        vec![
            app("notes")
                .volume(Volume::claim("store", "/data", Memory::gi(1)).backup(Backup::daily())),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let warnings = data_loss::warnings(
        &data_loss::of_tree(&before),
        &data_loss::of_tree(&undeclared),
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`.renamed_from(\"data\")` on the new volume")),
        "{warnings:#?}"
    );
}

#[test]
fn renamed_from_the_app_itself_is_an_error() {
    let e = find_problem(
        &problems(vec![app("notes").renamed_from("notes")]),
        "notes",
        "renamed_from",
        &["itself"],
    );
    assert!(e.fix.contains("former name"), "{e:#?}");
    find_problem(
        &problems(vec![app("notes").renamed_from("Old_Notes")]),
        "notes",
        "renamed_from",
        &["Old_Notes"],
    );
}

#[test]
fn deleting_an_app_with_backups_names_the_repository_that_keeps_the_data() {
    let (cluster, apps) = real();
    let before = data_loss::of_tree(&tree_of(&cluster, apps.clone()));
    let without: Vec<App> = apps.into_iter().filter(|a| a.name != "grocy").collect();
    let after = data_loss::of_tree(&tree_of(&cluster, without));
    let warnings = data_loss::warnings(&before, &after);
    let claim = warnings
        .iter()
        .find(|w| {
            w.starts_with("[destructive]") && w.contains("PersistentVolumeClaim home/grocy-config")
        })
        .unwrap_or_else(|| panic!("no warning for grocy's claim: {warnings:#?}"));
    assert!(
        claim.contains("restic repository `grocy-volsync-secret`"),
        "{claim}"
    );
}
