//! The ledger's paths, compactly: the directory's listing (fixed before the run, and at
//! N = 20,000 some 180,000 paths) packed in one string, sorted, with a slot per path
//! ([`Packed`]); a produced path the listing lacks (a new file) is appended to a second
//! packed list, in the order it came, which is sorted only at the end.
//!
//! A `BTreeMap<Box<str>, Slot>` spent about 97 bytes per path on top of the path's own 48
//! (a boxed string each, and B-tree nodes); the listing keeps 12, a new path 8 (README,
//! "Memory"). A first render into an empty folder produces nothing but new paths.

use portkey_model::{Packed, PackedBuilder};

use super::{Slot, Was};

/// Every path of one run's directory, each with its [`Slot`].
#[derive(Default)]
pub(super) struct Slots {
    /// The listed paths, in sorted order, each tagged with its slot.
    listed: Packed<Slot>,
    /// Produced paths that were not listed (new files), each with the id of its source, in
    /// the order they were produced. Never searched: a new path produced twice is found
    /// when they are sorted ([`Slots::sorted`]).
    added: PackedBuilder<u32>,
}

/// A run's paths in sorted order ([`Slots::sorted`]), and the new paths produced more than
/// once.
pub(super) struct Sorted {
    listed: Packed<Slot>,
    added: Packed<u32>,
    /// Indices into `added` in path order, each path once (its first).
    order: Vec<u32>,
    /// Each new path produced more than once, with the sources of every time it was, in
    /// the order produced.
    pub(super) repeated: Vec<(u32, Vec<u32>)>,
}

impl Slots {
    /// The listing: `(path, slot)` in any order, each path once.
    pub(super) fn listing(mut paths: Vec<(String, Slot)>) -> Self {
        paths.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let bytes = paths.iter().map(|(p, _)| p.len()).sum();
        let mut listed = PackedBuilder::with_capacity(paths.len(), bytes);
        for (path, slot) in paths {
            listed.push(slot, &path);
        }
        Self {
            listed: listed.finish(),
            added: PackedBuilder::default(),
        }
    }

    /// Where `rel` is in the listing.
    fn find(&self, rel: &str) -> Option<usize> {
        self.listed.find_by(|_, path| path.cmp(rel))
    }

    /// `rel`'s slot, if the path is listed: on disk, or produced already. A new path has
    /// none until the end, however often it is produced.
    pub(super) fn get(&self, rel: &str) -> Option<Slot> {
        self.find(rel).map(|i| self.listed.tag(i))
    }

    /// A listed path's slot, to change it.
    pub(super) fn get_mut(&mut self, rel: &str) -> Option<&mut Slot> {
        self.find(rel).map(|i| self.listed.tag_mut(i))
    }

    /// Records `rel` as produced from `source`: a listed path's slot is set, with what the
    /// disk held there (`was`); a new path is appended.
    pub(super) fn produce(&mut self, rel: &str, source: u32, was: Was) {
        match self.get_mut(rel) {
            Some(slot) => *slot = Slot::Produced { source, was },
            None => self.added.push(source, rel),
        }
    }

    /// Every path in sorted order, with the new paths produced more than once.
    pub(super) fn sorted(self) -> Sorted {
        let added = self.added.finish();
        let n = u32::try_from(added.len()).unwrap_or(u32::MAX);
        let mut order: Vec<u32> = (0..n).collect();
        // Stable: a path produced twice keeps its first time first.
        order.sort_by(|&a, &b| added.text(a as usize).cmp(added.text(b as usize)));
        let mut repeated: Vec<(u32, Vec<u32>)> = Vec::new();
        order.dedup_by(|later, first| {
            let same = added.text(*later as usize) == added.text(*first as usize);
            if same {
                match repeated.last_mut() {
                    Some((at, sources)) if at == first => sources.push(added.tag(*later as usize)),
                    _ => repeated.push((
                        *first,
                        vec![added.tag(*first as usize), added.tag(*later as usize)],
                    )),
                }
            }
            same
        });
        Sorted {
            listed: self.listed,
            added,
            order,
            repeated,
        }
    }
}

impl Sorted {
    /// The path of a new path's index (as [`Sorted::repeated`] holds it).
    pub(super) fn added_path(&self, i: u32) -> &str {
        self.added.text(i as usize)
    }

    /// Every path with its slot, in sorted order; a new path once.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, Slot)> {
        let mut listed = self.listed.iter().map(|(s, p)| (p, s)).peekable();
        let mut added = self
            .order
            .iter()
            .map(|&i| {
                let i = i as usize;
                (
                    self.added.text(i),
                    Slot::Produced {
                        source: self.added.tag(i),
                        was: Was::Absent,
                    },
                )
            })
            .peekable();
        std::iter::from_fn(move || match (listed.peek(), added.peek()) {
            (Some(l), Some(a)) if a.0 < l.0 => added.next(),
            (Some(_), _) => listed.next(),
            (None, _) => added.next(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Slot, Slots};
    use crate::ledger::Was;

    fn on_disk() -> Slot {
        Slot::OnDisk { link: false }
    }

    /// Each path in order, with its source when produced.
    fn names(slots: Slots) -> Vec<(String, Option<u32>)> {
        let sorted = slots.sorted();
        sorted
            .iter()
            .map(|(p, s)| {
                let source = match s {
                    Slot::Produced { source, .. } => Some(source),
                    Slot::OnDisk { .. } => None,
                };
                (p.to_string(), source)
            })
            .collect()
    }

    /// The listing is found in any order given, new paths go beside it, and the merged
    /// order is byte order (`a.yaml` before `a/x`, as a `BTreeMap` of the paths sorts).
    #[test]
    fn listed_and_added_paths_are_found_and_merge_in_byte_order() {
        let mut slots = Slots::listing(vec![
            ("a/x".into(), on_disk()),
            ("c".into(), on_disk()),
            ("a.yaml".into(), on_disk()),
        ]);
        assert!(slots.get("a/x").is_some());
        assert!(slots.get("a.yaml").is_some());
        assert!(slots.get("b").is_none());
        assert!(slots.get("").is_none());
        slots.produce("d/e", 4, Was::Absent);
        slots.produce("b", 1, Was::Absent);
        slots.produce("c", 2, Was::Same);
        slots.produce("0", 3, Was::Absent);
        assert!(matches!(
            slots.get("c"),
            Some(Slot::Produced {
                source: 2,
                was: Was::Same
            })
        ));
        if let Some(Slot::Produced { was, .. }) = slots.get_mut("c") {
            *was = Was::Differs;
        }
        assert!(matches!(
            slots.get("c"),
            Some(Slot::Produced {
                was: Was::Differs,
                ..
            })
        ));
        // A new path is not looked up while the run goes on.
        assert!(slots.get("b").is_none() && slots.get_mut("b").is_none());
        assert_eq!(
            names(slots),
            [
                ("0", Some(3)),
                ("a.yaml", None),
                ("a/x", None),
                ("b", Some(1)),
                ("c", Some(2)),
                ("d/e", Some(4))
            ]
            .map(|(p, s)| (p.to_string(), s))
        );
    }

    /// A new path produced more than once comes out once, as first produced, and is
    /// reported with every source in the order produced; the others are not.
    #[test]
    fn a_new_path_produced_again_is_found_when_sorted() {
        let mut slots = Slots::listing(vec![("listed".into(), on_disk())]);
        slots.produce("twice", 7, Was::Absent);
        slots.produce("once", 1, Was::Absent);
        slots.produce("thrice", 5, Was::Absent);
        slots.produce("twice", 3, Was::Absent);
        slots.produce("thrice", 6, Was::Absent);
        slots.produce("thrice", 2, Was::Absent);
        let sorted = slots.sorted();
        let repeated: Vec<(&str, &[u32])> = sorted
            .repeated
            .iter()
            .map(|(at, sources)| (sorted.added_path(*at), sources.as_slice()))
            .collect();
        assert_eq!(
            repeated,
            [("thrice", &[5, 6, 2][..]), ("twice", &[7, 3][..])]
        );
        let paths: Vec<(&str, Option<u32>)> = sorted
            .iter()
            .map(|(p, s)| match s {
                Slot::Produced { source, .. } => (p, Some(source)),
                Slot::OnDisk { .. } => (p, None),
            })
            .collect();
        assert_eq!(
            paths,
            [
                ("listed", None),
                ("once", Some(1)),
                ("thrice", Some(5)),
                ("twice", Some(7))
            ]
        );
    }

    #[test]
    fn an_empty_listing_holds_only_what_is_produced() {
        let mut slots = Slots::listing(Vec::new());
        assert!(slots.get("x").is_none());
        slots.produce("x", 0, Was::Absent);
        assert_eq!(names(slots), [("x".to_string(), Some(0))]);
    }
}
