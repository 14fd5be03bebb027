//! EASY backfilling, as Slurm's `sched/backfill` with exact run times.
//!
//! When the head of the line fits nowhere, it gets a **reservation**: the earliest time at
//! which it fits some node, were the running tasks to end at their completion times, and that
//! node. The completions are read in time order from the event queue (O(k log k) for the k
//! completions up to the reservation), on a projection of the free capacity of the nodes they
//! touch. The reservation is kept while the same task heads the line and no node fails or
//! joins.
//!
//! Then up to `backfill_depth` tasks behind the head (Slurm's `bf_max_job_test`) may start now
//! on the node the strategy picks, unless that is the reserved node and the task would still
//! run at the reserved time without fitting into what the head leaves over there (the
//! **extra**). In that case the strategy is asked again with the reserved node cordoned, and the
//! task starts elsewhere or waits. So the head never starts later than its reservation, unless a
//! node fails or a task of higher priority takes its place.
//!
//! Cost per round: the candidates are read in order from the line (O(depth)); a candidate
//! whose demand is at least one that already fit nowhere in this round is skipped without a
//! search, so workloads of a few task shapes search the fit index a few times per round.

use super::engine::{Engine, Reserved};
use crate::state::{State, TOLERANCE, check_fit};
use ndarray::ArrayView1;

/// The head's reservation.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Reservation {
    /// The task at the head of the line.
    pub head: usize,
    /// The time by which it will start.
    pub time: f64,
    /// The node held for it.
    pub node: usize,
    /// Per resource, what the head leaves free on that node at that time.
    pub extra: Vec<f64>,
}

/// The reservation and the work space to compute it without allocating.
#[derive(Debug, Clone)]
pub(super) struct Planner {
    dims: usize,
    projected: Vec<f64>,
    marked: Vec<bool>,
    touched: Vec<usize>,
    reservation: Option<Reservation>,
    /// Demands that fit no node in this round, flat, at most [`FAILED`] of them.
    failed: Vec<f64>,
}

/// How many demands that fit nowhere a round remembers.
const FAILED: usize = 16;

impl Planner {
    /// A planner for a state's nodes.
    pub fn new(state: &State<'_>) -> Self {
        let dims = state.problem().resources().len();
        Self {
            dims,
            projected: vec![0.0; state.nodes() * dims],
            marked: vec![false; state.nodes()],
            touched: Vec::new(),
            reservation: None,
            failed: Vec::new(),
        }
    }

    /// Makes room for a node that joined.
    pub fn add_node(&mut self, state: &State<'_>) {
        self.projected.resize(state.nodes() * self.dims, 0.0);
        self.marked.resize(state.nodes(), false);
    }

    /// The current reservation.
    pub fn reservation(&self) -> Option<&Reservation> {
        self.reservation.as_ref()
    }

    /// Drops the reservation (a node failed or joined, or the head changed).
    pub fn clear(&mut self) {
        self.reservation = None;
    }

    /// Adds `demand` to node `node`'s projected free capacity (starting from its free capacity
    /// now) and returns the projected row.
    fn release(&mut self, state: &State<'_>, node: usize, demand: ArrayView1<'_, f64>) -> &[f64] {
        let row = &mut self.projected[node * self.dims..(node + 1) * self.dims];
        if !self.marked[node] {
            self.marked[node] = true;
            self.touched.push(node);
            for (p, f) in row.iter_mut().zip(state.free(node)) {
                *p = *f;
            }
        }
        for (p, d) in row.iter_mut().zip(demand) {
            *p += d;
        }
        row
    }

    /// Whether a demand at least as large in every resource as one that fit nowhere this round
    /// (within a round capacity only shrinks, so it fits nowhere either).
    fn known_to_fail(&self, demand: ArrayView1<'_, f64>) -> bool {
        self.failed
            .chunks_exact(self.dims)
            .any(|f| f.iter().zip(demand).all(|(f, d)| d >= f))
    }

    /// Remembers a demand that fits nowhere this round.
    fn note_failure(&mut self, demand: ArrayView1<'_, f64>) {
        if self.failed.len() < FAILED * self.dims {
            self.failed.extend(demand.iter());
        }
    }

    fn reset(&mut self) {
        for &node in &self.touched {
            self.marked[node] = false;
        }
        self.touched.clear();
    }
}

impl Engine<'_> {
    /// Lets tasks behind the blocked `head` start if they do not delay its reservation.
    pub(super) fn backfill(&mut self, head: usize) {
        let current = self.planner.reservation().is_some_and(|r| r.head == head);
        if !current && !self.reserve(head) {
            return;
        }
        let mut candidates = std::mem::take(&mut self.candidates);
        self.queue
            .behind_head(self.config.backfill_depth, &mut candidates);
        self.planner.failed.clear();
        for &task in &candidates {
            self.backfill_one(task);
        }
        self.candidates = candidates;
    }

    /// Computes the head's reservation; `false` if it fits nowhere even when every running
    /// task has ended.
    fn reserve(&mut self, head: usize) -> bool {
        let mut extra = self
            .planner
            .reservation
            .take()
            .map(|r| r.extra)
            .unwrap_or_default();
        extra.clear();
        let demand = self.problem.demand(head);
        let mut found = None;
        let (state, tasks, planner) = (&self.state, &self.tasks, &mut self.planner);
        self.completions.walk(|c| {
            let task = c.task as usize;
            if tasks[task].generation != c.generation {
                return true;
            }
            let node = state.assignment()[task].expect("a live completion is running");
            let projected = planner.release(state, node, state.demand(task));
            let fits = state.is_alive(node)
                && state.problem().allowed(head, node)
                && check_fit(demand, ArrayView1::from(projected), state.capacity(node)).is_ok();
            if fits {
                extra.extend(projected.iter().zip(demand).map(|(p, d)| p - d));
                found = Some((c.time(), node));
            }
            !fits
        });
        self.planner.reset();
        let Some((time, node)) = found else {
            return false;
        };
        if let Some(reserved) = &mut self.reserved {
            let at = self.now;
            reserved.push(Reserved {
                task: head,
                at,
                time,
                node,
            });
        }
        self.planner.reservation = Some(Reservation {
            head,
            time,
            node,
            extra,
        });
        true
    }

    /// Starts `task` now if that does not delay the reservation.
    fn backfill_one(&mut self, task: usize) {
        if self.tasks[task].tried_at == self.capacity_version {
            return;
        }
        let demand = self.problem.demand(task);
        let hopeless = self.planner.known_to_fail(demand);
        let chosen = if hopeless { None } else { self.choose(task) };
        let Some(node) = chosen else {
            // The index found no node at all (not a strategy declining): remember the demand.
            let unrestricted = self.problem.allowed_nodes(task).is_none();
            if !hopeless && unrestricted && self.fitting.is_empty() {
                self.planner.note_failure(demand);
            }
            if self.could_fit(task) {
                self.tasks[task].tried_at = self.capacity_version;
            } else {
                self.park(task);
            }
            return;
        };
        let (held, time) = {
            let res = self
                .planner
                .reservation()
                .expect("reserved before backfilling");
            (res.node, res.time)
        };
        if node != held || self.now + self.state.task_work(task) <= time {
            self.start(task, node);
            return;
        }
        let demand = self.problem.demand(task);
        let capacity = self.state.capacity(held);
        let extra = &mut self.planner.reservation.as_mut().expect("reserved").extra;
        if (0..demand.len()).all(|r| demand[r] <= extra[r] + TOLERANCE * capacity[r]) {
            for (e, d) in extra.iter_mut().zip(demand) {
                *e -= d;
            }
            self.start(task, node);
            return;
        }
        // The strategy picked the held node: ask again with it cordoned.
        self.state.set_cordoned(held, true);
        self.selector.node_changed(&self.state, held);
        let other = self.choose(task);
        self.state.set_cordoned(held, false);
        self.selector.node_changed(&self.state, held);
        if let Some(other) = other {
            self.start(task, other);
        }
    }
}
