//! What happens at a time: the cluster's node events (an input) and the pending completions of
//! running tasks (the event queue), with a fixed order for events at the same time.
//!
//! At one instant the simulator handles, in this order: completions (by task index), node
//! events (failures and joins, in list order), arrivals (by task index); then one scheduling
//! round. A task that finishes at the instant its node fails has finished; a task that arrives
//! when another finishes sees the freed capacity.

use super::heap::MinHeap;
use crate::error::{Error, EventProblem, Location, Result};
use crate::model::Problem;
use serde::Serialize;

/// A change of the cluster at a time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeEvent {
    /// Seconds from the start.
    pub time: f64,
    /// What changes.
    #[serde(flatten)]
    pub change: Change,
}

/// A node failing or joining.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Change {
    /// The node fails: its tasks are evicted and requeued, and it takes no new task.
    Fail {
        /// The node's index: an initial node, or `nodes + k` for the k-th join.
        node: usize,
    },
    /// A new node registers with this name and capacity; its index is the next free one.
    Join {
        /// Its name.
        name: String,
        /// Its capacity, one value per resource.
        capacity: Vec<f64>,
    },
}

/// Checks node events against a problem, in the order given (the builder sorts them by time):
/// finite, non-negative times; failures of nodes that exist and are up; join capacities with
/// one finite, non-negative value per resource. Errors name the row.
pub fn validate(events: &[NodeEvent], problem: &Problem) -> Result<()> {
    let mut up = vec![true; problem.nodes()];
    for (row, event) in events.iter().enumerate() {
        check_number(event.time, "event time", row, None)?;
        match &event.change {
            Change::Fail { node } => {
                if !up.get(*node).copied().unwrap_or(false) {
                    let problem = EventProblem::UnknownNode {
                        node: node.to_string(),
                        time: event.time,
                    };
                    return Err(Error::Event { row, problem });
                }
                up[*node] = false;
            }
            Change::Join { capacity, .. } => {
                check_capacity(capacity, problem, row)?;
                up.push(true);
            }
        }
    }
    Ok(())
}

/// Checks a joining node's capacity row: one finite, non-negative value per resource.
pub(crate) fn check_capacity(capacity: &[f64], problem: &Problem, row: usize) -> Result<()> {
    let resources = problem.resources();
    if capacity.len() != resources.len() {
        return Err(Error::RowLength {
            field: "event capacity",
            row,
            expected: resources.len(),
            found: capacity.len(),
        });
    }
    for (r, &value) in capacity.iter().enumerate() {
        check_number(value, "event capacity", row, Some(resources.name(r)))?;
    }
    Ok(())
}

/// Checks that a number of an event row is finite and not negative.
pub(crate) fn check_number(
    value: f64,
    field: &'static str,
    row: usize,
    resource: Option<&str>,
) -> Result<()> {
    let at = || Location {
        field,
        row,
        resource: resource.map(str::to_string),
    };
    if !value.is_finite() {
        return Err(Error::NotFinite { at: at(), value });
    }
    if value < 0.0 {
        return Err(Error::Negative { at: at(), value });
    }
    Ok(())
}

/// A pending completion: ordered by time, then task index. `generation` tells a stale entry
/// (its task was evicted since) from a live one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Completion {
    /// The time's bits: for finite non-negative numbers, their order is the numbers' order.
    bits: u64,
    /// The task.
    pub task: u32,
    /// The task's run generation when it started.
    pub generation: u32,
}

impl Completion {
    /// A completion at `time` (finite, not negative).
    pub fn new(time: f64, task: u32, generation: u32) -> Self {
        // `+ 0.0` turns -0.0 into 0.0, whose bits order first.
        Self {
            bits: (time + 0.0).to_bits(),
            task,
            generation,
        }
    }

    /// When the task completes.
    pub fn time(&self) -> f64 {
        f64::from_bits(self.bits)
    }
}

/// The pending completions of running tasks, earliest first. Entries of evicted tasks stay
/// until they come up (the caller skips them) or until they outnumber the live ones, when they
/// are dropped: memory follows the running tasks, not the time simulated.
#[derive(Debug, Default)]
pub(crate) struct Completions {
    heap: MinHeap<Completion>,
    scratch: MinHeap<(Completion, usize)>,
    live: usize,
}

impl Completions {
    /// Adds a running task's completion.
    pub fn push(&mut self, completion: Completion) {
        self.live += 1;
        self.heap.push(completion);
    }

    /// The earliest entry, live or stale.
    pub fn peek(&self) -> Option<Completion> {
        self.heap.peek().copied()
    }

    /// Removes the earliest entry; `live` tells whether it was live.
    pub fn pop(&mut self, live: bool) -> Option<Completion> {
        let c = self.heap.pop()?;
        self.live -= usize::from(live);
        Some(c)
    }

    /// Forgets one live entry whose task was evicted; drops the stale entries once they
    /// outnumber the live ones.
    pub fn cancel(&mut self, is_live: impl FnMut(&Completion) -> bool) {
        self.live -= 1;
        if self.heap.len() > 2 * self.live + 1024 {
            self.heap.retain(is_live);
        }
    }

    /// Visits entries (stale ones too) earliest first until `visit` returns `false`.
    pub fn walk(&mut self, visit: impl FnMut(&Completion) -> bool) {
        self.heap.walk(&mut self.scratch, visit);
    }
}
