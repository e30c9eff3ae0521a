//! Per-thread memo tables for work that depends only on its input text: a formula's MathML,
//! a code block's highlighting, a chain's width. A course repeats itself (the same formula in
//! a question, its answer and its card; the same snippet in every variant of an exercise), and
//! each of these costs far more than a hash lookup. Each table is bounded: when full it is
//! emptied, so memory stays flat however large the course.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::thread::LocalKey;

/// Entries a table holds before it is emptied.
pub const LIMIT: usize = 4096;

/// A per-thread table: declare it with `thread_local!` and read it with [`get_or_insert`].
/// Keys are hashed with FxHash: many are a formula's whole MathML, which SipHash took longer
/// to hash than the lookup saves on a small formula.
pub type Table<K, V> = RefCell<HashMap<K, V, rustc_hash::FxBuildHasher>>;

/// The value for `key` in `table`, computed by `make` when the table does not have it. The
/// table does not stay borrowed while `make` runs, so `make` may use other tables (or this one).
pub fn get_or_insert<K, V, E>(
    table: &'static LocalKey<Table<K, V>>,
    key: K,
    make: impl FnOnce() -> Result<V, E>,
) -> Result<V, E>
where
    K: Eq + Hash,
    V: Clone,
{
    if let Some(hit) = table.with(|t| t.borrow().get(&key).cloned()) {
        return Ok(hit);
    }
    let value = make()?;
    table.with(|t| remember(t, key, value.clone()));
    Ok(value)
}

/// Files `value` under `key`, emptying the table first when it is full.
fn remember<K: Eq + Hash, V>(table: &Table<K, V>, key: K, value: V) {
    let mut t = table.borrow_mut();
    if t.len() >= LIMIT {
        t.clear();
    }
    t.insert(key, value);
}

/// [`get_or_insert`] in `table` itself, looked up by a borrowed form of its key (a `&str` for
/// a `Box<str>`): a hit makes no key. Tables keyed by a formula and whether it is set as a
/// display are kept as two tables, one per setting, so that the key is the formula alone.
pub fn get_or_insert_by<K, Q, V, E>(
    table: &Table<K, V>,
    key: &Q,
    make: impl FnOnce() -> Result<V, E>,
) -> Result<V, E>
where
    K: Borrow<Q> + Eq + Hash + for<'q> From<&'q Q>,
    Q: ?Sized + Eq + Hash,
    V: Clone,
{
    if let Some(hit) = table.borrow().get(key).cloned() {
        return Ok(hit);
    }
    let value = make()?;
    remember(table, K::from(key), value.clone());
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SQUARES: Table<u32, u32> = RefCell::new(HashMap::default());
    }

    #[test]
    fn computes_once_and_stays_bounded() {
        let mut calls = 0;
        for _ in 0..3 {
            let v: Result<u32, ()> = get_or_insert(&SQUARES, 7, || {
                calls += 1;
                Ok(49)
            });
            assert_eq!(v, Ok(49));
        }
        assert_eq!(calls, 1);
        for k in 0..(LIMIT as u32 + 10) {
            let _: Result<u32, ()> = get_or_insert(&SQUARES, k, || Ok(k * k));
        }
        assert!(SQUARES.with(|t| t.borrow().len()) <= LIMIT);
        // An error is not remembered.
        assert_eq!(get_or_insert(&SQUARES, 1_000_000, || Err("no")), Err("no"));
        assert!(SQUARES.with(|t| !t.borrow().contains_key(&1_000_000)));
    }

    thread_local! {
        static LENGTHS: Table<Box<str>, usize> = RefCell::new(HashMap::default());
    }

    #[test]
    fn looks_up_by_a_borrowed_key() {
        LENGTHS.with(|table| {
            let mut calls = 0;
            for _ in 0..3 {
                let v: Result<usize, ()> = get_or_insert_by(table, "abc", || {
                    calls += 1;
                    Ok(3)
                });
                assert_eq!(v, Ok(3));
            }
            assert_eq!(calls, 1);
            assert!(table.borrow().contains_key("abc"));
            for k in 0..(LIMIT + 10) {
                let _: Result<usize, ()> =
                    get_or_insert_by(table, k.to_string().as_str(), || Ok(k));
            }
            assert!(table.borrow().len() <= LIMIT);
        });
    }
}
