//! [`Packed`]: a list of strings in one allocation, each with a small tag, for the records a
//! render keeps per object or per path until the end (README, "Memory").

/// Strings, each with a tag `T`, in two allocations: the strings concatenated, and per
/// entry its tag and where it ends. Written once through a [`PackedBuilder`]; afterwards
/// only the tags change. A `Vec` of `(T, String)` takes a word-triple and an allocation per
/// string instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed<T> {
    text: Box<str>,
    entries: Box<[(T, u32)]>,
}

impl<T> Default for Packed<T> {
    fn default() -> Self {
        PackedBuilder::default().finish()
    }
}

impl<T: Copy> Packed<T> {
    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The string of entry `i`.
    pub fn text(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.entries[i - 1].1 as usize
        };
        self.text
            .get(start..self.entries[i].1 as usize)
            .unwrap_or_default()
    }

    /// The tag of entry `i`.
    pub fn tag(&self, i: usize) -> T {
        self.entries[i].0
    }

    /// The tag of entry `i`, to change it.
    pub fn tag_mut(&mut self, i: usize) -> &mut T {
        &mut self.entries[i].0
    }

    /// Every entry, `(tag, string)`, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (T, &str)> {
        (0..self.len()).map(|i| (self.tag(i), self.text(i)))
    }

    /// The index of an entry `order` finds equal, by binary search: the entries must be
    /// written in the order `order` compares them to what is sought (`Less` for an entry
    /// before it).
    pub fn find_by(&self, mut order: impl FnMut(T, &str) -> std::cmp::Ordering) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match order(self.tag(mid), self.text(mid)) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// Writes a [`Packed`]: [`PackedBuilder::push`] each entry, then [`PackedBuilder::finish`].
#[derive(Debug)]
pub struct PackedBuilder<T> {
    text: String,
    entries: Vec<(T, u32)>,
}

impl<T> Default for PackedBuilder<T> {
    fn default() -> Self {
        Self {
            text: String::new(),
            entries: Vec::new(),
        }
    }
}

impl<T> PackedBuilder<T> {
    /// A builder with room for `entries` entries of `bytes` bytes in all.
    pub fn with_capacity(entries: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            entries: Vec::with_capacity(entries),
        }
    }

    /// Appends `text`, tagged `tag`.
    pub fn push(&mut self, tag: T, text: &str) {
        self.text.push_str(text);
        // Past 4 GiB of text the ends saturate; `Packed::text` keeps slices in bounds.
        let end = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.entries.push((tag, end));
    }

    /// Appends `parts`, concatenated, as one entry tagged `tag`.
    pub fn push_parts(&mut self, tag: T, parts: &[&str]) {
        for part in parts {
            self.text.push_str(part);
        }
        let end = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.entries.push((tag, end));
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, in the order pushed.
    pub fn finish(self) -> Packed<T> {
        Packed {
            text: self.text.into_boxed_str(),
            entries: self.entries.into_boxed_slice(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Packed, PackedBuilder};

    #[test]
    fn entries_come_back_with_their_tags_and_tags_change_alone() {
        let mut b = PackedBuilder::default();
        b.push(1u8, "kind");
        b.push(2, "");
        b.push(3, "name");
        assert!(!b.is_empty());
        let mut p = b.finish();
        assert_eq!(p.len(), 3);
        assert_eq!(
            p.iter().collect::<Vec<_>>(),
            [(1, "kind"), (2, ""), (3, "name")]
        );
        let mut parts = PackedBuilder::default();
        parts.push_parts(7u8, &["na", "me"]);
        parts.push_parts(8, &[]);
        let parts = parts.finish();
        assert_eq!(parts.iter().collect::<Vec<_>>(), [(7, "name"), (8, "")]);
        assert_eq!(p.find_by(|_, text| text.cmp("name")), Some(2));
        assert_eq!(p.find_by(|tag, _| tag.cmp(&2)), Some(1));
        assert_eq!(p.find_by(|_, text| text.cmp("other")), None);
        *p.tag_mut(1) = 9;
        assert_eq!((p.tag(1), p.text(1)), (9, ""));
        assert_eq!(p.text(2), "name");
        let empty: Packed<u8> = Packed::default();
        assert!(empty.is_empty());
        assert_eq!(empty.iter().count(), 0);
    }
}
