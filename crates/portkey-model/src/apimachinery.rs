//! The string predicates of apimachinery's `k8s.io/apimachinery/pkg/util/validation`
//! (`validation.go`), written by hand as byte scans: no regex is compiled, nothing is
//! allocated unless a value fails.
//!
//! Each returns `Err(detail)` with the upstream wording of the first failure, and names
//! the Go function it follows. They are the one definition of what the API server accepts:
//! the model's name checks ([`crate::names`]) decide with them (adding the offending
//! character to the message), and the API-server stage of `portkey-validate` checks every
//! compiled object with them.

/// The longest DNS-1123 label, DNS-1035 label, label value and qualified name part:
/// `DNS1123LabelMaxLength`, `DNS1035LabelMaxLength`, `LabelValueMaxLength`,
/// `qualifiedNameMaxLength`.
pub const LABEL_MAX: usize = 63;
/// The longest DNS-1123 subdomain: `DNS1123SubdomainMaxLength`.
pub const SUBDOMAIN_MAX: usize = 253;
/// The longest IANA service name (a port name): `IsValidPortName`'s 15.
pub const PORT_NAME_MAX: usize = 15;

/// The result of a predicate: `Err` carries what is wrong, in upstream's words.
pub type Check = Result<(), String>;

fn too_long(max: usize, len: usize) -> String {
    format!("must be no more than {max} characters (it has {len})")
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `IsDNS1123Label`: at most 63 lowercase alphanumerics or `-`, starting and ending with
/// an alphanumeric (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`).
pub fn dns1123_label(value: &str) -> Check {
    let b = value.as_bytes();
    if b.len() > LABEL_MAX {
        return Err(too_long(LABEL_MAX, b.len()));
    }
    if b.is_empty()
        || !lower_alnum(b[0])
        || !lower_alnum(b[b.len() - 1])
        || !b.iter().all(|&c| lower_alnum(c) || c == b'-')
    {
        return Err("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character".into());
    }
    Ok(())
}

/// `IsDNS1123Subdomain`: at most 253 characters, DNS-1123 labels joined by `.`.
pub fn dns1123_subdomain(value: &str) -> Check {
    if value.len() > SUBDOMAIN_MAX {
        return Err(too_long(SUBDOMAIN_MAX, value.len()));
    }
    // `dns1123SubdomainFmt` is labels of `dns1123LabelFmt` joined by dots, with only the
    // whole name's length limited: a part may be longer than a label's 63.
    let part_ok = |part: &[u8]| {
        !part.is_empty()
            && lower_alnum(part[0])
            && lower_alnum(part[part.len() - 1])
            && part.iter().all(|&c| lower_alnum(c) || c == b'-')
    };
    if value.is_empty() || !value.as_bytes().split(|&c| c == b'.').all(part_ok) {
        return Err("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character".into());
    }
    Ok(())
}

/// `IsWildcardDNS1123Subdomain` or `IsDNS1123Subdomain`: an Ingress host may start with
/// `*.` (`validateIngressRules`).
pub fn host(value: &str) -> Check {
    match value.strip_prefix("*.") {
        Some(rest) => dns1123_subdomain(rest),
        None => dns1123_subdomain(value),
    }
}

/// `IsDNS1035Label`: a DNS-1123 label that starts with a letter (`[a-z]([-a-z0-9]*[a-z0-9])?`).
pub fn dns1035_label(value: &str) -> Check {
    let b = value.as_bytes();
    if b.len() > LABEL_MAX {
        return Err(too_long(LABEL_MAX, b.len()));
    }
    if b.is_empty()
        || !b[0].is_ascii_lowercase()
        || !lower_alnum(b[b.len() - 1])
        || !b.iter().all(|&c| lower_alnum(c) || c == b'-')
    {
        return Err("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character".into());
    }
    Ok(())
}

/// The name part of a qualified name, or a non-empty label value:
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
fn qualified_part(b: &[u8]) -> bool {
    !b.is_empty()
        && alnum(b[0])
        && alnum(b[b.len() - 1])
        && b.iter()
            .all(|&c| alnum(c) || c == b'-' || c == b'_' || c == b'.')
}

/// `IsQualifiedName`: an optional DNS-1123 subdomain prefix and `/`, then a name of at
/// most 63 alphanumerics, `-`, `_` or `.`, starting and ending with an alphanumeric.
/// Label keys and (lowercased) annotation keys are qualified names.
pub fn qualified_name(value: &str) -> Check {
    let (prefix, name) = match value.split_once('/') {
        Some((prefix, name)) => {
            if prefix.is_empty() {
                return Err("prefix part must be non-empty".into());
            }
            if name.contains('/') {
                return Err("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')".into());
            }
            (Some(prefix), name)
        }
        None => (None, value),
    };
    if let Some(prefix) = prefix {
        dns1123_subdomain(prefix).map_err(|e| format!("prefix part {e}"))?;
    }
    if name.is_empty() {
        return Err("name part must be non-empty".into());
    }
    if name.len() > LABEL_MAX {
        return Err(format!("name part {}", too_long(LABEL_MAX, name.len())));
    }
    if !qualified_part(name.as_bytes()) {
        return Err("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into());
    }
    Ok(())
}

/// `IsValidLabelValue`: empty, or at most 63 alphanumerics, `-`, `_` or `.`, starting and
/// ending with an alphanumeric.
pub fn label_value(value: &str) -> Check {
    if value.len() > LABEL_MAX {
        return Err(too_long(LABEL_MAX, value.len()));
    }
    if !value.is_empty() && !qualified_part(value.as_bytes()) {
        return Err("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into());
    }
    Ok(())
}

/// `IsConfigMapKey`: at most 253 characters of `[-._a-zA-Z0-9]`, not `.` or `..` and not
/// starting with `..` (Secret and ConfigMap keys).
pub fn config_map_key(value: &str) -> Check {
    if value.len() > SUBDOMAIN_MAX {
        return Err(too_long(SUBDOMAIN_MAX, value.len()));
    }
    if value.is_empty()
        || !value
            .bytes()
            .all(|c| alnum(c) || c == b'-' || c == b'_' || c == b'.')
    {
        return Err(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'".into(),
        );
    }
    if value == "." {
        return Err("must not be '.'".into());
    }
    if value == ".." {
        return Err("must not be '..'".into());
    }
    if value.starts_with("..") {
        return Err("must not start with '..'".into());
    }
    Ok(())
}

/// `IsRelaxedEnvVarName`, the rule since the `RelaxedEnvironmentVariableValidation`
/// feature went GA (Kubernetes 1.34): non-empty, printable ASCII (space included), no `=`.
/// The older `IsEnvVarName` (`[-._a-zA-Z][-._a-zA-Z0-9]*`) is stricter; portkey's model
/// keeps to it for its own apps.
pub fn env_var_name(value: &str) -> Check {
    if value.is_empty() {
        return Err("environment variable name must be non-empty".into());
    }
    if !value
        .bytes()
        .all(|c| (b' '..=b'~').contains(&c) && c != b'=')
    {
        return Err(
            "a valid environment variable name must consist only of printable ASCII characters other than '='".into(),
        );
    }
    Ok(())
}

/// `IsValidPortNum`: 1 to 65535 inclusive.
pub fn port_num(value: i64) -> Check {
    if (1..=65535).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "must be between 1 and 65535, inclusive (it is {value})"
        ))
    }
}

/// `IsValidPortName` (an IANA_SVC_NAME, RFC 6335): at most 15 lowercase alphanumerics or
/// `-`, at least one letter, no leading, trailing or doubled `-`.
pub fn port_name(value: &str) -> Check {
    let b = value.as_bytes();
    if b.len() > PORT_NAME_MAX || b.is_empty() {
        return Err(format!(
            "must be no more than {PORT_NAME_MAX} characters and non-empty (it has {})",
            b.len()
        ));
    }
    if !b.iter().all(|&c| lower_alnum(c) || c == b'-') {
        return Err(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into(),
        );
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Err("must contain at least one letter (a-z)".into());
    }
    if value.contains("--") {
        return Err("must not contain consecutive hyphens".into());
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err("must not begin or end with a hyphen".into());
    }
    Ok(())
}

/// `IsValidUserID` and `IsValidGroupID`: 0 to 2147483647 inclusive.
pub fn id(value: i64) -> Check {
    if (0..=i64::from(i32::MAX)).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "must be between 0 and 2147483647, inclusive (it is {value})"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1123_label_boundaries() {
        assert!(dns1123_label(&"a".repeat(63)).is_ok());
        assert!(dns1123_label(&"a".repeat(64)).unwrap_err().contains("63"));
        for good in ["a", "0", "a-b", "abc123"] {
            assert!(dns1123_label(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "A", "a_b", "a.b"] {
            assert!(dns1123_label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dns1123_subdomain_boundaries() {
        let label = "a".repeat(63);
        let name = format!("{label}.{label}.{label}.{}", "a".repeat(61));
        assert_eq!(name.len(), 253);
        assert!(dns1123_subdomain(&name).is_ok());
        assert!(
            dns1123_subdomain(&format!("{name}a"))
                .unwrap_err()
                .contains("253")
        );
        for bad in ["", "a..b", ".a", "a.", "a_b", "A.b", "a.-b"] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad}");
        }
        // Only the whole name is limited, not each part (IsDNS1123Subdomain).
        assert!(dns1123_subdomain(&format!("{}.com", "a".repeat(64))).is_ok());
        assert!(host("*.example.com").is_ok());
        assert!(host("*").is_err());
        assert!(host("a.*.com").is_err());
    }

    #[test]
    fn dns1035_label_starts_with_a_letter() {
        assert!(dns1035_label("web").is_ok());
        assert!(dns1035_label(&format!("a{}", "0".repeat(62))).is_ok());
        assert!(dns1035_label(&format!("a{}", "0".repeat(63))).is_err());
        for bad in ["1web", "", "web-", "We"] {
            assert!(dns1035_label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn qualified_names_and_label_values() {
        for good in ["app", "app.kubernetes.io/name", "A_b.c-D", "example.com/X"] {
            assert!(qualified_name(good).is_ok(), "{good}");
        }
        assert!(qualified_name(&"a".repeat(63)).is_ok());
        assert!(qualified_name(&"a".repeat(64)).is_err());
        for bad in [
            "",
            "/a",
            "a/",
            "a/b/c",
            "-a",
            "a b",
            "Example.com/a",
            "a_/b",
        ] {
            assert!(qualified_name(bad).is_err(), "{bad}");
        }
        assert!(label_value("").is_ok());
        assert!(label_value(&"v".repeat(63)).is_ok());
        assert!(label_value(&"v".repeat(64)).is_err());
        assert!(label_value("x y").is_err());
        assert!(label_value("-x").is_err());
    }

    #[test]
    fn config_map_keys() {
        for good in ["a", "config.yaml", "-_.x", ".env"] {
            assert!(config_map_key(good).is_ok(), "{good}");
        }
        assert!(config_map_key(&"k".repeat(253)).is_ok());
        assert!(config_map_key(&"k".repeat(254)).is_err());
        for bad in ["", ".", "..", "..a", "a/b", "a b"] {
            assert!(config_map_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn env_var_names_are_relaxed() {
        for good in ["TZ", "my.env-name", "1ABC", "a b"] {
            assert!(env_var_name(good).is_ok(), "{good}");
        }
        for bad in ["", "A=B", "tab\there", "é"] {
            assert!(env_var_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports_and_ids() {
        assert!(port_num(1).is_ok() && port_num(65535).is_ok());
        assert!(port_num(0).is_err() && port_num(65536).is_err() && port_num(-1).is_err());
        for good in ["http", "a", "web-1", "a23456789012345"] {
            assert!(port_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a234567890123456",
            "123",
            "a--b",
            "-a",
            "a-",
            "HTTP",
            "a_b",
        ] {
            assert!(port_name(bad).is_err(), "{bad}");
        }
        assert!(id(0).is_ok() && id(2_147_483_647).is_ok());
        assert!(id(-1).is_err() && id(2_147_483_648).is_err());
    }
}
