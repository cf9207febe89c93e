//! Objects already known to pass the embedded schemas: what lets a command skip building a
//! kind's validator when none of its objects changed since the last run.
//!
//! An object is known by a 128-bit hash of its JSON ([`key`]), the exact value the schema
//! would check. [`Known`] holds the keys a previous run recorded and records the keys of
//! this run's objects that pass. It is only sound for the same build of the validators:
//! whoever stores the keys between runs binds them to that build (`portkey render` keeps
//! them in the target directory, keyed by the file that holds this code; README, "The edit
//! loop"). Only passes are ever recorded, so a problem is always found afresh, with its
//! message.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::Schemas;

/// The key of one object: a 128-bit hash of its JSON text.
pub type Key = u128;

/// Two SipHash-1-3 hashes with fixed keys of the object's compact JSON, told apart by a
/// leading byte: deterministic within a build, which is all a key must be (see the module
/// documentation).
pub fn key(value: &Value) -> Key {
    key_with(&[], value)
}

/// The key of `value` checked against something else that is not part of this build's
/// code: `context` is hashed first, then a byte no JSON text holds (0xff), then the JSON
/// (a chart's `values.schema.json` and the values merged over its defaults).
pub fn key_with(context: &[u8], value: &Value) -> Key {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUFFER.with_borrow_mut(|json| {
        json.clear();
        if !context.is_empty() {
            json.extend_from_slice(context);
            json.push(0xff);
        }
        // Invariant: a `serde_json::Value` always serializes, and a `Vec` never fails.
        serde_json::to_writer(&mut *json, value).expect("a JSON value serializes");
        let mut first = DefaultHasher::new();
        first.write(json);
        let mut second = DefaultHasher::new();
        second.write_u8(1);
        second.write(json);
        (u128::from(first.finish()) << 64) | u128::from(second.finish())
    })
}

/// The keys a previous run recorded, and those this run's passing objects have.
#[derive(Debug, Default)]
pub struct Known {
    /// Whether passes are recorded (and keys computed at all): not for [`Known::none`].
    keeping: bool,
    before: BTreeSet<Key>,
    passed: Mutex<Vec<Key>>,
    hits: AtomicUsize,
    checked: AtomicUsize,
}

impl Known {
    /// Nothing known and nothing kept: every object is checked and no key is computed
    /// (what the library's own entry points use).
    pub fn none() -> Known {
        Known::default()
    }

    /// The keys a previous run of the same build recorded (none on a first run); this
    /// run's passes are kept for [`Known::passed`].
    pub fn from_keys(keys: impl IntoIterator<Item = Key>) -> Known {
        Known {
            keeping: true,
            before: keys.into_iter().collect(),
            ..Known::default()
        }
    }

    /// Checks `value` against `schemas` ([`Schemas::check`]) unless a previous run found it
    /// valid; a pass is recorded either way.
    pub fn check(&self, schemas: &Schemas, value: &Value) -> Vec<(String, String)> {
        self.checked.fetch_add(1, Ordering::Relaxed);
        let (problems, hit) = self.trusting(|| key(value), || schemas.check(value));
        if hit {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        problems
    }

    /// Runs `check` unless a previous run recorded `key()` as passing, and records the key
    /// when it passes (no problems): for checks other than the embedded schemas', which
    /// [`Known::counts`] leaves out. `key` is computed only when passes are kept.
    pub fn check_with<T>(
        &self,
        key: impl FnOnce() -> Key,
        check: impl FnOnce() -> Vec<T>,
    ) -> Vec<T> {
        self.trusting(key, check).0
    }

    /// The problems, and whether a previous run's pass stood in for the check.
    fn trusting<T>(
        &self,
        key: impl FnOnce() -> Key,
        check: impl FnOnce() -> Vec<T>,
    ) -> (Vec<T>, bool) {
        if !self.keeping {
            return (check(), false);
        }
        let key = key();
        if self.before.contains(&key) {
            self.record(key);
            return (Vec::new(), true);
        }
        let problems = check();
        if problems.is_empty() {
            self.record(key);
        }
        (problems, false)
    }

    fn record(&self, key: Key) {
        // Invariant: no thread panics while holding the lock (a push cannot panic).
        self.passed.lock().expect("not poisoned").push(key);
    }

    /// Whether no earlier run's verdict is trusted ([`Known::none`], or a first run), so
    /// that every object will be checked against its schema.
    pub fn knows_nothing(&self) -> bool {
        self.before.is_empty()
    }

    /// How many objects were checked, and how many of them a previous run already knew.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.checked.load(Ordering::Relaxed),
            self.hits.load(Ordering::Relaxed),
        )
    }

    /// The keys of this run's passing objects, sorted and without repeats: what the next
    /// run of the same build may trust.
    pub fn passed(self) -> Vec<Key> {
        // Invariant: as in `record`.
        let mut keys = self.passed.into_inner().expect("not poisoned");
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Known, key};
    use crate::Schemas;

    fn namespace(name: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    }

    #[test]
    fn keys_tell_objects_apart_and_agree_on_equal_ones() {
        assert_eq!(key(&namespace("a")), key(&namespace("a")));
        assert_ne!(key(&namespace("a")), key(&namespace("b")));
        // The two halves are two different hashes, not one repeated.
        let k = key(&namespace("a"));
        assert_ne!(k >> 64, k & u128::from(u64::MAX));
    }

    #[test]
    fn only_passes_are_recorded_and_a_known_key_skips_the_schema() {
        let schemas = Schemas::embedded();
        let bad =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}, "spek": 1});
        let first = Known::from_keys([]);
        assert!(first.check(schemas, &namespace("a")).is_empty());
        assert_eq!(first.check(schemas, &bad).len(), 1, "an unknown field");
        assert_eq!(first.counts(), (2, 0));
        let passed = first.passed();
        assert_eq!(passed, vec![key(&namespace("a"))]);

        // The next run trusts what the last one recorded, and nothing else.
        let second = Known::from_keys(passed);
        assert!(second.check(schemas, &namespace("a")).is_empty());
        assert_eq!(second.check(schemas, &bad).len(), 1);
        assert_eq!(second.counts(), (2, 1));
        assert_eq!(second.passed(), vec![key(&namespace("a"))]);

        // A recorded key is trusted without the schema: which is why the keys are bound to
        // one build of the validators by whoever stores them.
        let forged = Known::from_keys([key(&bad)]);
        assert!(forged.check(schemas, &bad).is_empty());
        assert_eq!(forged.counts(), (1, 1));

        // Nothing is kept by the library's own entry points.
        let none = Known::none();
        assert!(none.check(schemas, &namespace("a")).is_empty());
        assert_eq!(none.counts(), (1, 0));
        assert_eq!(none.passed(), Vec::<u128>::new());
    }

    #[test]
    fn other_checks_are_trusted_by_their_own_key_and_not_counted() {
        let value = namespace("a");
        let with = |context: &[u8]| super::key_with(context, &value);
        assert_ne!(with(b"schema one"), with(b"schema two"));
        assert_ne!(
            with(b"schema one"),
            key(&value),
            "the context is part of the key"
        );
        assert_eq!(with(b""), key(&value));

        let first = Known::from_keys([]);
        let mut runs = 0;
        let failing = first.check_with(
            || with(b"s"),
            || {
                runs += 1;
                vec!["bad"]
            },
        );
        assert_eq!((failing, runs), (vec!["bad"], 1));
        assert!(
            first
                .check_with(
                    || with(b"t"),
                    || {
                        runs += 1;
                        Vec::<&str>::new()
                    }
                )
                .is_empty()
        );
        assert_eq!((runs, first.counts()), (2, (0, 0)));
        let passed = first.passed();
        assert_eq!(passed, vec![with(b"t")], "only the pass is kept");

        let second = Known::from_keys(passed);
        assert!(
            second
                .check_with(
                    || with(b"t"),
                    || {
                        runs += 1;
                        vec!["never run"]
                    }
                )
                .is_empty()
        );
        assert_eq!(runs, 2, "a known pass skips the check");
        assert_eq!(
            second.check_with(|| with(b"s"), || vec!["bad"]),
            vec!["bad"]
        );
    }
}
