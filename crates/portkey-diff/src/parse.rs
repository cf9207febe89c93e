//! Reading a tree: every `---`-separated YAML document becomes an [`Object`] keyed by
//! [`ObjectKey`], with the app it belongs to.

use serde_json::Value;

use crate::{Error, Object, ObjectKey, Objects, Tree};

/// Whether a path under `generated/` holds YAML objects.
pub fn is_yaml(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Parses every YAML file of `tree` into objects by key. `side` names the tree in errors.
pub fn objects(tree: &Tree, side: &'static str) -> Result<Objects, Error> {
    parse(tree.iter().collect(), side)
}

/// Parses `files` (`(path, text)`) into objects by key, on every core: YAML parsing is
/// most of a diff's time. The first error in file order is the one returned.
pub(crate) fn parse(files: Vec<(&String, &String)>, side: &'static str) -> Result<Objects, Error> {
    let files: Vec<(&String, &String)> = files.into_iter().filter(|(p, _)| is_yaml(p)).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(files.len() / 32 + 1);
    let chunk = files.len().div_ceil(threads).max(1);
    let parts: Vec<Result<Vec<(ObjectKey, Object)>, Error>> = std::thread::scope(|s| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(p, t)| parse_file(p, t, side))
                        .collect::<Result<Vec<_>, _>>()
                        .map(|v| v.into_iter().flatten().collect())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a YAML parser thread panicked"))
            .collect()
    });
    let mut out = Objects::new();
    for part in parts {
        insert_all(&mut out, part?, side)?;
    }
    Ok(out)
}

/// Adds `objects` to `out`; an object already there is an error naming both files.
pub(crate) fn insert_all(
    out: &mut Objects,
    objects: impl IntoIterator<Item = (ObjectKey, Object)>,
    side: &'static str,
) -> Result<(), Error> {
    for (key, object) in objects {
        if let Some(first) = out.get(&key) {
            return Err(Error::Duplicate {
                side,
                first: first.path.clone(),
                second: object.path,
                key: Box::new(key),
            });
        }
        out.insert(key, object);
    }
    Ok(())
}

fn parse_file(
    path: &str,
    text: &str,
    side: &'static str,
) -> Result<Vec<(ObjectKey, Object)>, Error> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| Error::Yaml {
        side,
        path: path.to_string(),
        message: e.to_string(),
    })?;
    docs.into_iter()
        .filter(|d| !d.is_null())
        .enumerate()
        .map(|(i, value)| {
            let key = key_of(&value).map_err(|problem| Error::NotAnObject {
                side,
                path: path.to_string(),
                index: i + 1,
                problem,
            })?;
            let object = Object {
                app: app_of(path, &value),
                path: path.to_string(),
                value,
            };
            Ok((key, object))
        })
        .collect()
}

fn key_of(value: &Value) -> Result<ObjectKey, String> {
    if !value.is_object() {
        return Err("not a mapping".into());
    }
    let field = |pointer: &str, what: &str| match value.pointer(pointer) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        None => Err(format!("no {what}")),
        Some(_) => Err(format!("{what} is not a non-empty string")),
    };
    Ok(ObjectKey {
        api_version: field("/apiVersion", "apiVersion")?,
        kind: field("/kind", "kind")?,
        namespace: field("/metadata/namespace", "metadata.namespace").unwrap_or_default(),
        name: field("/metadata/name", "metadata.name")?,
    })
}

/// The app an object belongs to: its `app.kubernetes.io/name` label, else its
/// `app.kubernetes.io/part-of` label, else (an Argo CD Application) the Application's name,
/// else its directory under `generated/` (`cluster/storage`, `argocd`).
pub fn app_of(path: &str, value: &Value) -> String {
    let labels = &value["metadata"]["labels"];
    for label in ["app.kubernetes.io/name", "app.kubernetes.io/part-of"] {
        if let Some(name) = labels[label].as_str().filter(|s| !s.is_empty()) {
            return name.to_string();
        }
    }
    if value["kind"] == "Application"
        && let Some(name) = value["metadata"]["name"].as_str()
    {
        return name.to_string();
    }
    match path.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => "(top level)".to_string(),
    }
}
