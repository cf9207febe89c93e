//! `portkey render`'s memory of which objects passed the embedded schemas, between runs of
//! one build: `<target>/portkey/validated` (README, "The edit loop").
//!
//! Building a kind's validator is most of a small render's work, and after an app edit
//! almost every object is the one the last run checked. The file holds the keys of the
//! objects the last run found valid ([`portkey_validate::known`]), under a header naming
//! the build that found them: the path, device, inode, size and modification time of the
//! file the validators' code was loaded from (the debug build's `libportkey_dylib.so`, or
//! the binary itself), read from `/proc/self/maps`. Any rebuild of that code writes a new
//! file, so keys never outlive the validators that found them. Elsewhere than Linux there
//! is no such map and no cache: every object is checked, as always.
//!
//! It is kept only inside a target directory that exists already (`$CARGO_TARGET_DIR`, else
//! `<project root>/target`), so a render outside a cargo project writes nothing beside its
//! output. A cache that cannot be read, or is of another build, is ignored; one that cannot
//! be written is skipped. Neither ever changes what a render writes or reports: only passes
//! are kept, so every problem is found afresh.

use std::path::{Path, PathBuf};

use portkey_validate::Known;
use portkey_validate::known::Key;

/// The first line of the file: its format.
const FORMAT: &str = "portkey validated objects v1";

/// Where the cache lives, and the build it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    /// `<target>/portkey/validated`.
    pub path: PathBuf,
    /// The build of the validators (see the module documentation).
    pub build: String,
}

impl Cache {
    /// The cache of the project at `root`, if it has a target directory and this build is
    /// identifiable.
    pub fn of_project(root: &Path) -> Option<Cache> {
        let target = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => root.join(dir),
            None => root.join("target"),
        };
        if !target.is_dir() {
            return None;
        }
        Some(Cache {
            path: target.join("portkey").join("validated"),
            build: build()?,
        })
    }

    /// What the last run of this build recorded; nothing if the file is missing, damaged,
    /// or another build's.
    pub fn load(&self) -> Known {
        Known::from_keys(
            std::fs::read(&self.path)
                .ok()
                .and_then(|bytes| parse(&bytes, &self.build))
                .unwrap_or_default(),
        )
    }

    /// Replaces the file with `keys` (a temporary file renamed over it, so a reader never
    /// sees half of one). A failure is ignored: the cache only saves time.
    pub fn store(&self, keys: &[Key]) {
        let Some(dir) = self.path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        // One temporary name per process: two renders at once each rename a whole file.
        let tmp = dir.join(format!(".validated.{}", std::process::id()));
        if std::fs::write(&tmp, serialize(&self.build, keys)).is_err()
            || std::fs::rename(&tmp, &self.path).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The file: the format line, the build line, then 16 bytes per key (little-endian).
pub fn serialize(build: &str, keys: &[Key]) -> Vec<u8> {
    let mut out = format!("{FORMAT}\n{build}\n").into_bytes();
    out.reserve(keys.len() * 16);
    for k in keys {
        out.extend_from_slice(&k.to_le_bytes());
    }
    out
}

/// The keys of a file of `build`; `None` if it is another build's or damaged.
pub fn parse(bytes: &[u8], build: &str) -> Option<Vec<Key>> {
    let header = format!("{FORMAT}\n{build}\n");
    let body = bytes.strip_prefix(header.as_bytes())?;
    if body.len() % 16 != 0 {
        return None;
    }
    Some(
        body.chunks_exact(16)
            .map(|c| Key::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect(),
    )
}

/// The file this build's validators were loaded from, as `dev inode size mtime`: not its
/// path, since cargo runs the debug binary against a hard link of the library
/// (`target/debug/`) and the binary alone finds it in `target/debug/deps/`.
#[cfg(target_os = "linux")]
fn build() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let probe: fn() -> &'static portkey_validate::Schemas = portkey_validate::Schemas::embedded;
    let file = mapped_file(
        &std::fs::read_to_string("/proc/self/maps").ok()?,
        probe as usize,
    )?;
    let meta = std::fs::metadata(&file).ok()?;
    Some(format!(
        "{} {} {} {}.{:09}",
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec()
    ))
}

#[cfg(not(target_os = "linux"))]
fn build() -> Option<String> {
    None
}

/// The file mapped at `address` in a `/proc/<pid>/maps` text (`start-end perms offset dev
/// inode path`), if it is a file.
pub fn mapped_file(maps: &str, address: usize) -> Option<PathBuf> {
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        if !(start..end).contains(&address) {
            return None;
        }
        let path = fields.nth(4)?;
        path.starts_with('/').then(|| PathBuf::from(path))
    })
}

#[cfg(test)]
mod tests {
    use super::{mapped_file, parse, serialize};

    #[test]
    fn the_file_round_trips_and_refuses_another_build_or_damage() {
        let keys = vec![1, u128::MAX, 7 << 70];
        let bytes = serialize("/lib/a.so 1 2 3 4.5", &keys);
        assert_eq!(parse(&bytes, "/lib/a.so 1 2 3 4.5"), Some(keys));
        assert_eq!(parse(&bytes, "/lib/a.so 1 2 3 4.6"), None, "another build");
        assert_eq!(
            parse(&bytes[..bytes.len() - 1], "/lib/a.so 1 2 3 4.5"),
            None
        );
        assert_eq!(parse(b"garbage", "/lib/a.so 1 2 3 4.5"), None);
    }

    #[test]
    fn the_mapped_file_is_the_one_holding_the_address() {
        let maps = "\
55d0c0000000-55d0c0001000 r--p 00000000 fd:00 1234  /usr/bin/portkey
7f0000000000-7f0000100000 r-xp 00010000 fd:00 5678  /work/target/debug/deps/libportkey_dylib.so
7f0000200000-7f0000300000 rw-p 00000000 00:00 0 
7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0  [vdso]
";
        assert_eq!(
            mapped_file(maps, 0x7f00_0000_0abc).as_deref(),
            Some(std::path::Path::new(
                "/work/target/debug/deps/libportkey_dylib.so"
            ))
        );
        assert_eq!(mapped_file(maps, 0x7f00_0020_0000), None, "anonymous");
        assert_eq!(mapped_file(maps, 0x7ffd_0000_0010), None, "not a file");
        assert_eq!(mapped_file(maps, 0x1000), None, "unmapped");
    }

    /// On Linux this process's own validators are identifiable: the test binary holds them.
    #[cfg(target_os = "linux")]
    #[test]
    fn this_build_is_identified_by_the_file_holding_the_validators() {
        use std::os::unix::fs::MetadataExt;
        let build = super::build().expect("identifiable on Linux");
        let exe = std::fs::metadata(std::env::current_exe().expect("the test binary"))
            .expect("its metadata");
        let expected = format!("{} {} {} ", exe.dev(), exe.ino(), exe.size());
        assert!(build.starts_with(&expected), "{build} is not {expected}…");
    }
}
