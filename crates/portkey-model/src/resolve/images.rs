//! The container image: a reference split into repository, tag and digest.

use crate::app::App;
use crate::error::Problems;

/// An image reference split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `registry/repository`.
    pub repository: String,
    /// Tag.
    pub tag: String,
    /// `sha256:<hex>`, when pinned.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `registry/repo:tag[@sha256:hex]`.
    pub fn parse(reference: &str) -> Result<Self, String> {
        let (name, digest) = match reference.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (reference, None),
        };
        if let Some(d) = digest {
            let hex = d
                .strip_prefix("sha256:")
                .ok_or_else(|| format!("digest {d:?} must start with \"sha256:\""))?;
            if hex.len() != 64
                || !hex
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            {
                return Err(format!(
                    "digest {d:?} must be sha256: followed by 64 lower-case hex digits"
                ));
            }
        }
        let slash = name.rfind('/').map_or(0, |i| i + 1);
        let Some(colon) = name[slash..].rfind(':').map(|i| i + slash) else {
            return Err(format!("{reference:?} has no tag; write repository:tag"));
        };
        let (repository, tag) = (&name[..colon], &name[colon + 1..]);
        if repository.is_empty()
            || repository
                .chars()
                .any(|c| c.is_whitespace() || c.is_ascii_uppercase())
        {
            return Err(format!(
                "repository {repository:?} must be non-empty lower-case without spaces"
            ));
        }
        if tag.is_empty()
            || tag.len() > 128
            || !tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(format!("tag {tag:?} must be 1–128 of [A-Za-z0-9._-]"));
        }
        Ok(Self {
            repository: repository.into(),
            tag: tag.into(),
            digest: digest.map(str::to_string),
        })
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.repository, self.tag)?;
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Tags that name a moving target rather than a release. An image on one of them changes
/// under the same manifest, so a sync can't be reproduced, and Renovate can't propose the
/// update as a reviewable diff.
pub const FLOATING_TAGS: [&str; 14] = [
    "latest", "main", "master", "stable", "edge", "nightly", "dev", "develop", "beta", "alpha",
    "rolling", "release", "next", "current",
];

impl ImageRef {
    /// Whether the tag names a moving target (`latest`, `main`, `stable`, …), whatever its
    /// case. A digest doesn't make it stable: Renovate's updates are tag changes.
    pub fn floating(&self) -> bool {
        FLOATING_TAGS.contains(&self.tag.to_ascii_lowercase().as_str())
    }
}

/// Parses the app's image reference, reporting it when malformed or when its tag floats.
/// The floating-tag rule holds even while the image-digest lint is suppressed.
///
/// Only checked: a well-formed reference is exactly `repository:tag[@digest]`, so compile
/// writes [`App::image`] as declared, and no resolved app holds a parsed copy of it.
pub(super) fn check(app: &App, p: &mut Problems<'_>) {
    let image = match ImageRef::parse(&app.image) {
        Ok(image) => image,
        Err(e) => {
            p.add(
                "image",
                e,
                "write `.image(\"registry/repository:tag\")`, optionally with `@sha256:<digest>`",
            );
            return;
        }
    };
    if image.floating() {
        p.add(
            "image",
            format!(
                "tag `{}` of {} floats: the image changes under the same manifest, so no sync can be reproduced and no update is reviewed",
                image.tag, image.repository
            ),
            "pin a release tag (`:1.34.3`); Renovate then proposes each update as a pull request",
        );
    }
}
