//! Version comparison for image tags and chart versions, and image references.
//!
//! A version is read as a sequence of segments: runs of digits (numbers) and runs of
//! letters, every other character (`.`, `-`, `_`, `+`) separating them, a leading `v`
//! dropped. Two versions are compared segment by segment: numerically where both are
//! numbers, by text where both are words, and a number is above a word (`1.2.0.1` after
//! `1.2.0-rc1`). When one runs out, the longer is higher if its next segment is a number
//! (`1.2.1` after `1.2`) and lower if it is a word, a pre-release (`1.2.0-rc1` before
//! `1.2.0`). Tags that do not start with a number (`latest`, `stable`) are not versions.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    Number(u128),
    Word(&'a str),
}

fn segments(v: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            // A run of digits too long for u128 is compared as text.
            out.push(
                v[start..i]
                    .parse()
                    .map_or(Segment::Word(&v[start..i]), Segment::Number),
            );
        } else if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Segment::Word(&v[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

/// Drops one leading `v` or `V` before a digit (`v1.2.3`).
fn trim_v(v: &str) -> &str {
    match v.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => v,
    }
}

/// Whether `v` reads as a version (starts with a digit, after an optional `v`).
pub fn is_version(v: &str) -> bool {
    trim_v(v).starts_with(|c: char| c.is_ascii_digit())
}

/// Compares two versions as the module describes; `None` when either is not a version.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    if !is_version(a) || !is_version(b) {
        return None;
    }
    let (left, right) = (segments(trim_v(a)), segments(trim_v(b)));
    for pair in left.iter().zip(&right) {
        let order = match pair {
            (Segment::Number(p), Segment::Number(q)) => p.cmp(q),
            (Segment::Word(p), Segment::Word(q)) => p.cmp(q),
            (Segment::Number(_), Segment::Word(_)) => Ordering::Greater,
            (Segment::Word(_), Segment::Number(_)) => Ordering::Less,
        };
        if order != Ordering::Equal {
            return Some(order);
        }
    }
    let tail = |longer: &[Segment<'_>], shorter: usize| match longer.get(shorter) {
        Some(Segment::Number(_)) => Ordering::Greater,
        Some(Segment::Word(_)) => Ordering::Less,
        None => Ordering::Equal,
    };
    Some(match left.len().cmp(&right.len()) {
        Ordering::Greater => tail(&left, right.len()),
        Ordering::Less => tail(&right, left.len()).reverse(),
        Ordering::Equal => Ordering::Equal,
    })
}

/// An image reference split into repository, tag and digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image<'a> {
    /// `ghcr.io/home-operations/sonarr` (with any registry port).
    pub repository: &'a str,
    /// `4.0.19.3001`, if tagged.
    pub tag: Option<&'a str>,
    /// `sha256:...`, if pinned.
    pub digest: Option<&'a str>,
}

/// Splits `registry/repo:tag@digest`.
pub fn image(reference: &str) -> Image<'_> {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[slash..].rfind(':') {
        Some(i) => Image {
            repository: &name[..slash + i],
            tag: Some(&name[slash + i + 1..]),
            digest,
        },
        None => Image {
            repository: name,
            tag: None,
            digest,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    #[test]
    fn segments_compare_numerically() {
        assert_eq!(compare("1.10.0", "1.9.0"), Some(Greater));
        assert_eq!(compare("17.2", "17.11"), Some(Less));
        assert_eq!(compare("v2.0.0", "2.0.0"), Some(Equal));
        assert_eq!(compare("4.0.19.3001", "4.0.19.999"), Some(Greater));
        assert_eq!(compare("2024.10.1", "2024.9.30"), Some(Greater));
    }

    #[test]
    fn longer_and_pre_releases() {
        assert_eq!(compare("1.2.1", "1.2"), Some(Greater));
        assert_eq!(compare("1.2", "1.2.1"), Some(Less));
        assert_eq!(compare("1.2.0-rc1", "1.2.0"), Some(Less));
        assert_eq!(compare("1.2.0", "1.2.0-rc1"), Some(Greater));
        assert_eq!(compare("1.2.0-rc10", "1.2.0-rc9"), Some(Greater));
        assert_eq!(compare("1.2.0-beta", "1.2.0-alpha"), Some(Greater));
        assert_eq!(compare("1.2.0.1", "1.2.0-rc1"), Some(Greater));
    }

    #[test]
    fn words_are_not_versions() {
        assert_eq!(compare("latest", "1.0"), None);
        assert_eq!(compare("1.0", "stable"), None);
        assert!(is_version("v1"));
        assert!(!is_version("vnext"));
    }

    #[test]
    fn huge_numbers_do_not_panic() {
        let big = "1.".to_string() + &"9".repeat(60);
        assert_eq!(compare(&big, &big), Some(Equal));
    }

    #[test]
    fn image_references() {
        assert_eq!(
            image("ghcr.io/a/b:1.2@sha256:ff"),
            Image {
                repository: "ghcr.io/a/b",
                tag: Some("1.2"),
                digest: Some("sha256:ff"),
            }
        );
        let ported = image("registry:5000/b");
        assert_eq!((ported.repository, ported.tag), ("registry:5000/b", None));
        assert_eq!(image("nginx:1.27").tag, Some("1.27"));
    }
}
