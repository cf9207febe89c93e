//! The ledger's paths, compactly: the directory's listing (fixed before the run, and at
//! N = 20,000 some 160,000 paths) packed in one string, sorted, with a slot per path
//! ([`Packed`]); a produced path the listing lacks goes into a small map beside it.
//!
//! A `BTreeMap<Box<str>, Slot>` spent about 97 bytes per path on top of the path's own 48
//! (a boxed string each, and B-tree nodes); this keeps 12 (README, "Memory").

use std::collections::BTreeMap;

use portkey_model::{Packed, PackedBuilder};

use super::Slot;

/// Every path of one run's directory, each with its [`Slot`].
#[derive(Default)]
pub(super) struct Slots {
    /// The listed paths, in sorted order, each tagged with its slot.
    listed: Packed<Slot>,
    /// Produced paths that were not listed (new files).
    added: BTreeMap<Box<str>, Slot>,
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
            added: BTreeMap::new(),
        }
    }

    /// Where `rel` is in the listing.
    fn find(&self, rel: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.listed.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.listed.text(mid).cmp(rel) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// `rel`'s slot, if the path is listed or was produced.
    pub(super) fn get(&self, rel: &str) -> Option<Slot> {
        match self.find(rel) {
            Some(i) => Some(self.listed.tag(i)),
            None => self.added.get(rel).copied(),
        }
    }

    /// `rel`'s slot, to change it.
    pub(super) fn get_mut(&mut self, rel: &str) -> Option<&mut Slot> {
        match self.find(rel) {
            Some(i) => Some(self.listed.tag_mut(i)),
            None => self.added.get_mut(rel),
        }
    }

    /// Sets `rel`'s slot.
    pub(super) fn insert(&mut self, rel: &str, slot: Slot) {
        match self.get_mut(rel) {
            Some(s) => *s = slot,
            None => {
                self.added.insert(rel.into(), slot);
            }
        }
    }

    /// Every path with its slot, in sorted order.
    pub(super) fn sorted(&self) -> impl Iterator<Item = (&str, Slot)> {
        let mut listed = self.listed.iter().map(|(s, p)| (p, s)).peekable();
        let mut added = self.added.iter().map(|(p, s)| (&**p, *s)).peekable();
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

    fn produced(source: u32) -> Slot {
        Slot::Produced {
            source,
            was: Was::Absent,
        }
    }

    fn names(slots: &Slots) -> Vec<(String, bool)> {
        slots
            .sorted()
            .map(|(p, s)| (p.to_string(), matches!(s, Slot::Produced { .. })))
            .collect()
    }

    /// The listing is found in any order given, a new path goes beside it, and the merged
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
        slots.insert("b", produced(1));
        slots.insert("c", produced(2));
        slots.insert("0", produced(3));
        slots.insert("d/e", produced(4));
        assert!(matches!(
            slots.get("c"),
            Some(Slot::Produced { source: 2, .. })
        ));
        if let Some(Slot::Produced { was, .. }) = slots.get_mut("b") {
            *was = Was::Differs;
        }
        assert!(matches!(
            slots.get("b"),
            Some(Slot::Produced {
                was: Was::Differs,
                ..
            })
        ));
        assert_eq!(
            names(&slots),
            [
                ("0", true),
                ("a.yaml", false),
                ("a/x", false),
                ("b", true),
                ("c", true),
                ("d/e", true)
            ]
            .map(|(p, b)| (p.to_string(), b))
        );
        let expected: std::collections::BTreeSet<&str> =
            ["0", "a.yaml", "a/x", "b", "c", "d/e"].into();
        assert!(names(&slots).iter().map(|(p, _)| p.as_str()).eq(expected));
    }

    #[test]
    fn an_empty_listing_holds_only_what_is_produced() {
        let mut slots = Slots::listing(Vec::new());
        assert!(slots.get("x").is_none());
        slots.insert("x", produced(0));
        assert_eq!(names(&slots), [("x".to_string(), true)]);
    }
}
