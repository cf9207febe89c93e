//! Kubernetes name rules, checked once in the model so that every error can name the app and field.

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

/// Checks a DNS-1123 subdomain (dot-separated labels, at most 253 characters), as used for
/// host names and most object names.
pub fn check_subdomain(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err(format!(
            "is {} characters long; the limit is 253",
            name.len()
        ));
    }
    for part in name.split('.') {
        if part.is_empty() {
            return Err("has an empty part between dots".into());
        }
        if let Some(c) = part
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(format!(
                "contains {c:?}; only lower-case letters, digits, '-' and '.' are allowed"
            ));
        }
        if part.starts_with('-') || part.ends_with('-') {
            return Err(format!(
                "part {part:?} must start and end with a letter or digit"
            ));
        }
    }
    Ok(())
}

/// Checks a label or annotation key as the API server does (apimachinery's
/// `validation.IsQualifiedName`): an optional DNS-1123 subdomain prefix and `/`, then a
/// name of 1–63 characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric.
pub fn check_qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        check_subdomain(prefix).map_err(|e| format!("prefix {prefix:?} {e}"))?;
    }
    if name.is_empty() || name.len() > 63 {
        return Err(format!("name part {name:?} must be 1–63 characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "name part {name:?} contains {c:?}; only letters, digits, '-', '_' and '.' are allowed"
        ));
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(name.chars().next()) || !edge(name.chars().last()) {
        return Err(format!(
            "name part {name:?} must start and end with a letter or digit"
        ));
    }
    Ok(())
}

/// Checks a Secret or ConfigMap key as the API server does (`validation.IsConfigMapKey`):
/// 1–253 characters of `[-._a-zA-Z0-9]`, and not `.` or `..`.
pub fn check_config_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > 253 {
        return Err("must be 1–253 characters".into());
    }
    if key == "." || key == ".." {
        return Err(format!("must not be {key:?}"));
    }
    match key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        Some(c) => Err(format!(
            "contains {c:?}; only letters, digits, '-', '_' and '.' are allowed"
        )),
        None => Ok(()),
    }
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
        assert!(check_subdomain("vault..com").is_err());
        assert!(check_subdomain("-a.com").is_err());
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
