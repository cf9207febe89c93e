//! [`SecretNames`]: Secrets by `(namespace, name)`, sorted, in two allocations, for the
//! references the lints and the bootstrap replay look up ([`crate::secrets::outside_git_names`]).

use crate::{Packed, PackedBuilder};

/// A set of Secrets by `(namespace, name)`, iterated in that order, each namespace and name
/// concatenated in one [`Packed`] text with where the namespace ends. At N = 20,000 apps a
/// `BTreeSet<(String, String)>` of the 40,000 Secrets kept outside Git took about 5 MB in
/// 80,000 allocations, held through the lints across objects (README, "Memory").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretNames(Packed<u32>);

/// Gathers a [`SecretNames`] in any order and with repeats; [`SecretNamesBuilder::finish`]
/// sorts it once. For names borrowed only for a moment, such as a visitor's.
#[derive(Debug, Default)]
pub struct SecretNamesBuilder(PackedBuilder<usize>);

impl SecretNamesBuilder {
    /// Adds Secret `name` in `namespace`.
    pub fn push(&mut self, namespace: &str, name: &str) {
        self.0.push_parts(namespace.len(), &[namespace, name]);
    }

    /// The set of what was pushed.
    pub fn finish(self) -> SecretNames {
        let all = self.0.finish();
        let key = |i: u32| split(all.text(i as usize), all.tag(i as usize));
        let n = u32::try_from(all.len()).unwrap_or(u32::MAX);
        let mut order: Vec<u32> = (0..n).collect();
        order.sort_unstable_by(|&a, &b| key(a).cmp(&key(b)));
        order.dedup_by(|a, b| key(*a) == key(*b));
        let bytes = order.iter().map(|&i| all.text(i as usize).len()).sum();
        let mut sorted = PackedBuilder::with_capacity(order.len(), bytes);
        for i in order {
            let i = i as usize;
            // Past u32::MAX bytes a namespace's end saturates; `split` keeps it in bounds.
            sorted.push(u32::try_from(all.tag(i)).unwrap_or(u32::MAX), all.text(i));
        }
        SecretNames(sorted.finish())
    }
}

impl SecretNames {
    /// The set of `pairs`, `(namespace, name)`, given in any order and with repeats.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut all = SecretNamesBuilder::default();
        for (namespace, name) in pairs {
            all.push(namespace, name);
        }
        all.finish()
    }

    /// Whether Secret `name` in `namespace` is in the set.
    pub fn contains(&self, namespace: &str, name: &str) -> bool {
        self.0
            .find_by(|end, text| split(text, end as usize).cmp(&(namespace, name)))
            .is_some()
    }

    /// How many Secrets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every Secret, `(namespace, name)`, in that order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.0.len()).map(|i| self.get(i))
    }

    fn get(&self, i: usize) -> (&str, &str) {
        split(self.0.text(i), self.0.tag(i) as usize)
    }
}

/// `text` split where its namespace ends.
fn split(text: &str, namespace_end: usize) -> (&str, &str) {
    text.split_at_checked(namespace_end).unwrap_or((text, ""))
}

#[cfg(test)]
mod tests {
    use super::SecretNames;

    /// Given in any order and with repeats, the set holds each pair once, in
    /// `(namespace, name)` order, and finds exactly those: a namespace and a name that
    /// concatenate alike stay apart.
    #[test]
    fn pairs_are_sorted_unique_and_found() {
        let names = SecretNames::from_pairs([
            ("media", "b"),
            ("home", "token"),
            ("media", "a"),
            ("home", "token"),
            ("hom", "etoken"),
        ]);
        assert_eq!(
            names.iter().collect::<Vec<_>>(),
            [
                ("hom", "etoken"),
                ("home", "token"),
                ("media", "a"),
                ("media", "b")
            ]
        );
        assert_eq!(names.len(), 4);
        assert!(names.contains("home", "token") && names.contains("hom", "etoken"));
        assert!(names.contains("media", "a") && names.contains("media", "b"));
        assert!(!names.contains("home", "etoken") && !names.contains("hometoken", ""));
        assert!(!names.contains("media", "c") && !names.contains("", ""));
        let empty = SecretNames::from_pairs([]);
        assert!(empty.is_empty() && !empty.contains("home", "token"));
        assert_eq!(empty, SecretNames::default());
    }
}
