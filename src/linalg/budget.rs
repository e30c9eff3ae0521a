//! The work budget: every arithmetic operation on numbers charges it, so a computation that
//! would take too long (a product of big matrices of big fractions, a circuit that calls itself
//! through layers of functions) stops with an error instead of hanging a build.
//!
//! The budget is per thread and is reset by the evaluator for each top-level expression, so it
//! bounds one check, not a page. Costs approximate the machine work: one unit for a float
//! operation or a small exact one, more for exact numbers with many digits (big-number
//! multiplication and the gcd that keeps fractions reduced grow with the square of the size).

use std::cell::Cell;

use super::{LinalgError, Result};

/// Work units one top-level expression may use (a few tenths of a second in a release build).
pub const MAX_WORK: u64 = 2_000_000;

thread_local! {
    static LEFT: Cell<u64> = const { Cell::new(MAX_WORK) };
    /// Units charged on this thread since it started, never reset: bounds work made of many
    /// expressions (an exercise's variants).
    static SPENT: Cell<u64> = const { Cell::new(0) };
}

/// Gives the current thread a fresh budget of `limit` units.
pub fn reset(limit: u64) {
    LEFT.with(|l| l.set(limit));
}

/// Takes `units` from the budget; an error once it is spent.
pub fn charge(units: u64) -> Result<()> {
    LEFT.with(|l| {
        let left = l.get();
        if left < units {
            l.set(0);
            Err(LinalgError::Budget)
        } else {
            l.set(left - units);
            SPENT.with(|s| s.set(s.get().saturating_add(units)));
            Ok(())
        }
    })
}

/// Units charged on this thread so far, across every reset.
pub fn spent() -> u64 {
    SPENT.with(Cell::get)
}

/// Units left (for tests and diagnostics).
pub fn left() -> u64 {
    LEFT.with(Cell::get)
}
