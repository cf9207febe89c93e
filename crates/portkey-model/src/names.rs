//! Kubernetes name rules, checked once in the model so that every error can name the app and field.
//! Where the API server has a rule for the same string, the verdict is its
//! ([`crate::apimachinery`]); these add the offending character and the fix to the message.

use crate::apimachinery;

/// Longest DNS-1123 / DNS-1035 label (Service, Namespace, container and port names).
pub const MAX_LABEL: usize = 63;

/// Checks an RFC 1035 label: lower-case alphanumerics and `-`, starting with a letter,
/// ending alphanumeric, at most 63 characters. Services and namespaces need this form.
///
/// Returns the reason the name is invalid.
pub fn check_label(name: &str) -> Result<(), String> {
    check_label_max(name, MAX_LABEL)
}

/// Like [`check_label`], with a shorter limit (port names allow 15).
pub fn check_label_max(name: &str, max: usize) -> Result<(), String> {
    if name.is_empty() {
        return Err("must not be empty".into());
    }
    if name.len() > max {
        return Err(format!(
            "is {} characters long; the limit is {max}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "contains {c:?}; only lower-case letters, digits and '-' are allowed"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a lower-case letter".into());
    }
    if name.ends_with('-') {
        return Err("must end with a letter or digit".into());
    }
    Ok(())
}

/// The first character of `value` that `allowed` refuses, quoted for a message.
fn offending(value: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    value
        .chars()
        .find(|c| !allowed(*c))
        .map(|c| format!("{c:?}"))
}

/// Checks a DNS-1123 subdomain (dot-separated labels, at most 253 characters), as used for
/// host names and most object names. The verdict is apimachinery's `IsDNS1123Subdomain`
/// ([`apimachinery::dns1123_subdomain`]); the message adds what to change.
pub fn check_subdomain(name: &str) -> Result<(), String> {
    let Err(upstream) = apimachinery::dns1123_subdomain(name) else {
        return Ok(());
    };
    let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    Err(if name.len() > apimachinery::SUBDOMAIN_MAX {
        format!(
            "is {} characters long; the limit is {}",
            name.len(),
            apimachinery::SUBDOMAIN_MAX
        )
    } else if let Some(c) = offending(name, lower) {
        format!("contains {c}; only lower-case letters, digits, '-' and '.' are allowed")
    } else if name.split('.').any(str::is_empty) {
        "has an empty part between dots".into()
    } else if let Some(part) = name
        .split('.')
        .find(|p| p.starts_with('-') || p.ends_with('-'))
    {
        format!("part {part:?} must start and end with a letter or digit")
    } else {
        upstream
    })
}

/// Checks a label or annotation key as the API server does (apimachinery's
/// `validation.IsQualifiedName`, [`apimachinery::qualified_name`]): an optional DNS-1123
/// subdomain prefix and `/`, then a name of 1–63 characters of `[A-Za-z0-9._-]`, starting
/// and ending alphanumeric. The message adds the offending part and character.
pub fn check_qualified_name(key: &str) -> Result<(), String> {
    let Err(upstream) = apimachinery::qualified_name(key) else {
        return Ok(());
    };
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && let Err(e) = check_subdomain(prefix)
    {
        return Err(format!("prefix {prefix:?} {e}"));
    }
    let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    Err(if name.is_empty() || name.len() > apimachinery::LABEL_MAX {
        format!("name part {name:?} must be 1–63 characters")
    } else if let Some(c) = offending(name, part) {
        format!(
            "name part {name:?} contains {c}; only letters, digits, '-', '_' and '.' are allowed"
        )
    } else if !edge(name.chars().next()) || !edge(name.chars().last()) {
        format!("name part {name:?} must start and end with a letter or digit")
    } else {
        upstream
    })
}

/// Checks a Secret or ConfigMap key as the API server does (`validation.IsConfigMapKey`,
/// [`apimachinery::config_map_key`]): 1–253 characters of `[-._a-zA-Z0-9]`, not `.` or
/// `..`, and not starting with `..`.
pub fn check_config_key(key: &str) -> Result<(), String> {
    let Err(upstream) = apimachinery::config_map_key(key) else {
        return Ok(());
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    Err(
        if key.is_empty() || key.len() > apimachinery::SUBDOMAIN_MAX {
            "must be 1–253 characters".into()
        } else if let Some(c) = offending(key, allowed) {
            format!("contains {c}; only letters, digits, '-', '_' and '.' are allowed")
        } else {
            upstream
        },
    )
}

/// Checks an environment variable name as Kubernetes accepts it (`[-._a-zA-Z][-._a-zA-Z0-9]*`).
pub fn check_env_name(name: &str) -> Result<(), String> {
    let ok_first = |c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_');
    match name.chars().next() {
        None => Err("must not be empty".into()),
        Some(c) if !ok_first(c) => Err(format!("must not start with {c:?}")),
        _ => match name.chars().find(|c| !(ok_first(*c) || c.is_ascii_digit())) {
            Some(c) => Err(format!("contains {c:?}")),
            None => Ok(()),
        },
    }
}

/// Checks an absolute path without `..` components, as used for mount paths.
pub fn check_abs_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err("must be an absolute path (start with '/')".into());
    }
    if path.split('/').any(|p| p == "..") {
        return Err("must not contain '..'".into());
    }
    Ok(())
}

/// Checks a relative sub-path (no leading `/`, no `..`).
pub fn check_rel_path(path: &str) -> Result<(), String> {
    if path.is_empty() || path.starts_with('/') {
        return Err("must be a non-empty relative path (no leading '/')".into());
    }
    if path.split('/').any(|p| p == "..") {
        return Err("must not contain '..'".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(check_label("vaultwarden").is_ok());
        assert!(check_label("paperless-redis").is_ok());
        assert!(check_label("Vaultwarden").unwrap_err().contains("'V'"));
        assert!(check_label("9lives").unwrap_err().contains("start"));
        assert!(check_label("a-").unwrap_err().contains("end"));
        assert!(check_label("").is_err());
        assert!(check_label(&"a".repeat(64)).unwrap_err().contains("64"));
        assert!(check_label("my_app").is_err());
    }

    #[test]
    fn subdomains() {
        assert!(check_subdomain("vault.themainfreak.com").is_ok());
        assert!(
            check_subdomain("vault..com")
                .unwrap_err()
                .contains("empty part")
        );
        assert!(
            check_subdomain("-a.com")
                .unwrap_err()
                .contains("start and end")
        );
        assert!(check_subdomain("Vault.com").unwrap_err().contains("'V'"));
        assert!(check_subdomain("").is_err());
    }

    /// The model's checks and the API-server stage's predicates agree on every value:
    /// the verdict is the predicate's.
    #[test]
    fn the_verdicts_are_apimachinery_s() {
        let values = [
            "",
            ".",
            "..",
            "..a",
            "a",
            "A",
            "a.b",
            "a..b",
            "-a",
            "a-",
            "a_b",
            "a/b",
            "/a",
            "a/",
            "example.com/Name",
            "Example.com/name",
            "a/b/c",
            "x y",
            "k8s.io/a-b.c_d",
            &"a".repeat(64),
            &"a".repeat(254),
        ];
        for v in values {
            assert_eq!(
                check_subdomain(v).is_ok(),
                apimachinery::dns1123_subdomain(v).is_ok(),
                "subdomain {v:?}"
            );
            assert_eq!(
                check_qualified_name(v).is_ok(),
                apimachinery::qualified_name(v).is_ok(),
                "qualified name {v:?}"
            );
            assert_eq!(
                check_config_key(v).is_ok(),
                apimachinery::config_map_key(v).is_ok(),
                "config key {v:?}"
            );
        }
        assert!(check_config_key("..a").unwrap_err().contains(".."));
    }

    #[test]
    fn env_and_paths() {
        assert!(check_env_name("RESTIC_PASSWORD").is_ok());
        assert!(check_env_name("1X").is_err());
        assert!(check_env_name("A B").is_err());
        assert!(check_abs_path("/config").is_ok());
        assert!(check_abs_path("config").is_err());
        assert!(check_abs_path("/a/../b").is_err());
        assert!(check_rel_path("music").is_ok());
        assert!(check_rel_path("/music").is_err());
    }
}
