//! An app's NetworkPolicy admits exactly the apps that connect to it, in catalogue order
//! (`Catalogue::clients_of`, an index sorted by the app connected to, instead of a scan of
//! every app's connections for each app, which made N = 20,000 quadratic).

use crate::common::{app, compile, object};

/// The names of the pods each ingress rule of `app`'s NetworkPolicy admits by name.
fn admitted(manifests: &[portkey::portkey_compile::Manifest], app: &str) -> Vec<String> {
    let policy = object(manifests, "NetworkPolicy", app);
    policy["spec"]["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|rule| rule["from"].as_array().into_iter().flatten())
        .filter_map(|peer| {
            peer.pointer("/podSelector/matchLabels/app.kubernetes.io~1name")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn each_app_admits_exactly_its_clients_in_catalogue_order() {
    let manifests = compile(vec![
        app("z").talks_to("db", 8080),
        app("db"),
        app("db2"),
        // A name that sorts between `db` and `db2`'s clients, and a client of both.
        app("a").talks_to("db2", 8080).talks_to("db", 8080),
        app("lone"),
    ]);
    assert_eq!(admitted(&manifests, "db"), ["a", "z"]);
    assert_eq!(admitted(&manifests, "db2"), ["a"]);
    assert!(admitted(&manifests, "lone").is_empty());
    assert!(admitted(&manifests, "a").is_empty());
}
