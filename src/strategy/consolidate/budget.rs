//! The work budget of the consolidation engine: a count of elementary steps, and optionally a
//! wall-clock deadline as a guard.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Steps (one resource of one fit test, one task or node looked at) that the engine counts per
/// second of time limit: a conservative rate (measured at 30 to 90 million a second on a shared
/// 2-core machine under load), so that a budget derived from a time limit normally runs out well
/// before the wall clock does.
pub const STEPS_PER_SECOND: u64 = 20_000_000;

/// How the engine counts its work. The step count is deterministic; the deadline is not, and only
/// a deadline that runs out before the steps do can make two runs differ.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    used: Cell<u64>,
    deadline: Option<Instant>,
    timed_out: Cell<bool>,
}

/// How often, in steps, the deadline is looked at.
const CLOCK_EVERY: u64 = 1 << 16;

impl Budget {
    /// A budget of `limit` steps, with no deadline.
    pub fn steps(limit: u64) -> Self {
        Self {
            limit,
            used: Cell::new(0),
            deadline: None,
            timed_out: Cell::new(false),
        }
    }

    /// The same budget, also stopped at `deadline`.
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The steps that `time` buys at [`STEPS_PER_SECOND`].
    pub fn steps_for(time: Duration) -> u64 {
        (time.as_secs_f64() * STEPS_PER_SECOND as f64) as u64
    }

    /// Charges `n` steps; `false` once the steps or the deadline are spent.
    pub fn charge(&self, n: usize) -> bool {
        let before = self.used.get();
        let after = before.saturating_add(n as u64);
        self.used.set(after);
        if after > self.limit || self.timed_out.get() {
            return false;
        }
        if let Some(deadline) = self.deadline
            && (before / CLOCK_EVERY != after / CLOCK_EVERY)
            && Instant::now() >= deadline
        {
            self.timed_out.set(true);
            return false;
        }
        true
    }

    /// Whether any budget is left.
    pub fn left(&self) -> bool {
        self.used.get() <= self.limit && !self.timed_out.get()
    }

    /// The steps charged so far.
    pub fn used(&self) -> u64 {
        self.used.get()
    }

    /// Whether the deadline, not the step count, ended the run.
    pub fn timed_out(&self) -> bool {
        self.timed_out.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_out_and_a_past_deadline_stops_at_the_next_clock_check() {
        let b = Budget::steps(10);
        assert!(b.charge(10));
        assert!(!b.charge(1));
        assert!(!b.left() && !b.timed_out());
        let late = Budget::steps(u64::MAX).with_deadline(Instant::now());
        assert!(late.charge(1), "the clock is read every CLOCK_EVERY steps");
        assert!(!late.charge(CLOCK_EVERY as usize));
        assert!(late.timed_out());
        assert_eq!(
            Budget::steps_for(Duration::from_millis(500)),
            STEPS_PER_SECOND / 2
        );
    }
}
