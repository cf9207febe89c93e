//! The lints' index of objects by key ([`Objects`](crate::lint::Objects)): what it answers
//! does not depend on the hash it groups keys by.

use super::{Summary, check_object, deployment, service};

/// The objects' index compares keys only where hashes are equal: with every key given one
/// hash it finds the same duplicates, in the same order, and the same objects.
#[test]
fn the_object_index_answers_the_same_when_every_hash_collides() {
    let objects = [
        ("apps/c.rs", deployment("web")),
        ("apps/a.rs", deployment("api")),
        ("apps/b.rs", deployment("web")),
        ("apps/b.rs", service("web", "web")),
        ("apps/e.rs", deployment("api")),
        ("apps/d.rs", deployment("web")),
    ];
    let summaries: Vec<Summary> = objects
        .iter()
        .map(|(source, o)| check_object(source, o).1)
        .collect();
    let answers = |index: &crate::lint::Objects<'_, Summary>| {
        let duplicates: Vec<(String, String)> = index
            .duplicates()
            .into_iter()
            .map(|(later, first)| (later.source.to_string(), first.source.to_string()))
            .collect();
        let found = [
            ("Deployment", "web", "lab"),
            ("Deployment", "api", "lab"),
            ("Service", "web", "lab"),
            ("Service", "api", "lab"),
            ("Deployment", "web", "other"),
        ]
        .map(|(kind, name, namespace)| index.contains(kind, name, namespace));
        (duplicates, found)
    };
    let hashed = answers(&crate::lint::Objects::of(&summaries));
    let colliding = answers(&crate::lint::Objects::hashed_by(&summaries, |_, _, _| 7));
    assert_eq!(
        hashed.0,
        [
            ("apps/b.rs", "apps/c.rs"),
            ("apps/e.rs", "apps/a.rs"),
            ("apps/d.rs", "apps/c.rs")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(hashed.1, [true, true, true, false, false]);
    assert_eq!(colliding, hashed);
}
