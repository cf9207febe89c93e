//! [`SortedSet`]: a set kept as a sorted `Vec`, for the small sets a render keeps one of per
//! app or per object until the end (README, "Memory").

use std::borrow::Borrow;

/// A set of `T`, sorted and without duplicates, in one `Vec`: it iterates in the order a
/// `BTreeSet` would. For the small sets kept per app or per object, where a `BTreeSet`'s
/// first node takes room for eleven entries (at N = 20,000 apps, the components' needs
/// alone took about 8 MB in B-tree nodes). Inserting is linear, so it is for sets of a few
/// entries, not for large ones.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortedSet<T>(Vec<T>);

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Ord> SortedSet<T> {
    /// An empty set (allocates nothing).
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// Adds `item`; false if it was there already.
    pub fn insert(&mut self, item: T) -> bool {
        match self.0.binary_search(&item) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, item);
                true
            }
        }
    }

    /// Removes `item`; false if it was not there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        match self.find(item) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether `item` is in the set.
    pub fn contains<Q: Ord + ?Sized>(&self, item: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.find(item).is_ok()
    }

    fn find<Q: Ord + ?Sized>(&self, item: &Q) -> Result<usize, usize>
    where
        T: Borrow<Q>,
    {
        self.0.binary_search_by(|x| x.borrow().cmp(item))
    }
}

impl<T> SortedSet<T> {
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The entries, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The entries, in order, as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// Frees the room left after the last entry (for a set kept to the end of a render).
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

impl<T: Ord> Extend<T> for SortedSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        for item in items {
            self.insert(item);
        }
    }
}

impl<T: Ord> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut all: Vec<T> = items.into_iter().collect();
        all.sort();
        all.dedup();
        Self(all)
    }
}

impl<'a, T> IntoIterator for &'a SortedSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> IntoIterator for SortedSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::SortedSet;

    #[test]
    fn a_sorted_set_keeps_each_entry_once_in_order() {
        let mut names: SortedSet<String> =
            ["b", "a", "c", "a"].map(String::from).into_iter().collect();
        assert!(!names.insert("b".into()), "b is there already");
        assert!(names.insert("0".into()));
        assert_eq!(names.as_slice(), ["0", "a", "b", "c"]);
        assert!(names.contains("c") && !names.contains("d"));
        assert!(names.remove("a") && !names.remove("a"));
        names.extend(["d".to_string(), "0".to_string()]);
        assert_eq!(names.iter().collect::<Vec<_>>(), ["0", "b", "c", "d"]);
        assert_eq!(names.len(), 4);
        assert!(!names.is_empty() && SortedSet::<String>::new().is_empty());
        let std: std::collections::BTreeSet<&str> = ["x", "a", "m", "a"].into();
        let ours: SortedSet<&str> = ["x", "a", "m", "a"].into_iter().collect();
        assert!(
            ours.iter().eq(std.iter()),
            "the order a BTreeSet iterates in"
        );
    }
}
