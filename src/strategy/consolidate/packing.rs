//! A placement under improvement: the allocation state with, per node, its tasks and its load.

use crate::model::Problem;
use crate::placement::{Placement, Status, Unplaced};
use crate::state::{State, TOLERANCE};
use crate::strategy::size::largest_capacity;

/// The per-task data the engine reads in its inner loops, flat: each task's weight (the sum of
/// its positive demand fractions, each resource scaled by its largest capacity on any node, so a
/// node's load is the sum of its tasks' weights; negative demands count 0, they only make room)
/// and its demand row.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    weight: Vec<f64>,
    demand: Vec<f64>,
    resources: usize,
}

impl Rows {
    pub(crate) fn new(problem: &Problem) -> Self {
        let scale = largest_capacity(problem);
        let weight = (0..problem.tasks())
            .map(|t| {
                let d = problem.demand(t);
                d.iter()
                    .zip(&scale)
                    .filter(|(_, s)| **s > 0.0)
                    .map(|(x, s)| x.max(0.0) / s)
                    .sum()
            })
            .collect();
        let demand = (0..problem.tasks())
            .flat_map(|t| problem.demand(t).to_vec())
            .collect();
        Self {
            weight,
            demand,
            resources: problem.resources().len(),
        }
    }

    /// A task's demand row.
    pub(crate) fn demand(&self, task: usize) -> &[f64] {
        &self.demand[task * self.resources..(task + 1) * self.resources]
    }
}

/// The state of a placement with each node's members and load kept up to date. Every change keeps
/// every node within capacity in every resource, and every task on a node it may run on.
#[derive(Debug, Clone)]
pub(crate) struct Packing<'p, 'w> {
    state: State<'p>,
    members: Vec<Vec<usize>>,
    load: Vec<f64>,
    rows: &'w Rows,
}

impl<'p, 'w> Packing<'p, 'w> {
    /// The packing of a valid placement's assignment.
    pub(crate) fn new(problem: &'p Problem, assignment: &[Option<usize>], rows: &'w Rows) -> Self {
        let mut p = Self {
            state: State::new(problem),
            members: vec![Vec::new(); problem.nodes()],
            load: vec![0.0; problem.nodes()],
            rows,
        };
        // Tasks with negative demands first, so that their partners fit in any order.
        let mut order: Vec<usize> = (0..assignment.len()).collect();
        order.sort_by_key(|&t| problem.demand(t).iter().all(|&d| d >= 0.0));
        for t in order {
            if let Some(n) = assignment[t] {
                let placed = p.place(t, n);
                debug_assert!(placed, "the start is a valid placement");
            }
        }
        p
    }

    pub(crate) fn problem(&self) -> &'p Problem {
        self.state.problem()
    }

    pub(crate) fn state(&self) -> &State<'p> {
        &self.state
    }

    pub(crate) fn nodes(&self) -> usize {
        self.members.len()
    }

    pub(crate) fn resources(&self) -> usize {
        self.rows.resources
    }

    pub(crate) fn demand(&self, task: usize) -> &'w [f64] {
        self.rows.demand(task)
    }

    /// Per resource, what is left of `node`'s free capacity (with the fit test's tolerance) once
    /// `task` is on it: negative where it does not fit. Adding an ejected task's demand gives
    /// back its share.
    pub(crate) fn slack(&self, task: usize, node: usize) -> Vec<f64> {
        let (free, cap) = (self.state.free(node), self.state.capacity(node));
        self.demand(task)
            .iter()
            .zip(free)
            .zip(cap)
            .map(|((d, f), c)| f + TOLERANCE * c - d)
            .collect()
    }

    /// Whether the node may hold `task` at all (alive, allowed).
    pub(crate) fn admits(&self, task: usize, node: usize) -> bool {
        self.state.is_alive(node) && self.problem().allowed(task, node)
    }

    pub(crate) fn tasks(&self) -> usize {
        self.rows.weight.len()
    }

    pub(crate) fn weight(&self, task: usize) -> f64 {
        self.rows.weight[task]
    }

    pub(crate) fn load(&self, node: usize) -> f64 {
        self.load[node]
    }

    pub(crate) fn members(&self, node: usize) -> &[usize] {
        &self.members[node]
    }

    pub(crate) fn node_of(&self, task: usize) -> Option<usize> {
        self.state.assignment()[task]
    }

    /// The nodes with at least one task, in index order.
    pub(crate) fn used(&self) -> Vec<usize> {
        (0..self.nodes())
            .filter(|&n| !self.members[n].is_empty())
            .collect()
    }

    pub(crate) fn used_count(&self) -> usize {
        self.members.iter().filter(|m| !m.is_empty()).count()
    }

    pub(crate) fn fits(&self, task: usize, node: usize) -> bool {
        self.state.fits(task, node)
    }

    /// Whether `task` would fit `node` once `out` (tasks on that node) left it.
    pub(crate) fn fits_without(&self, task: usize, node: usize, out: &[usize]) -> bool {
        if !self.admits(task, node) {
            return false;
        }
        let slack = self.slack(task, node);
        (0..slack.len())
            .all(|r| slack[r] + out.iter().map(|&o| self.demand(o)[r]).sum::<f64>() >= 0.0)
    }

    /// Whether a node is within capacity in every resource (a node can only go over by losing a
    /// task with a negative demand).
    pub(crate) fn within_capacity(&self, node: usize) -> bool {
        let (free, cap) = (self.state.free(node), self.state.capacity(node));
        free.iter().zip(cap).all(|(f, c)| *f >= -TOLERANCE * c)
    }

    /// Places `task` on `node` (moving it if placed elsewhere) if it fits and the node it leaves
    /// stays within capacity; `false` leaves everything unchanged.
    pub(crate) fn place(&mut self, task: usize, node: usize) -> bool {
        let from = self.node_of(task);
        if from == Some(node) {
            return true;
        }
        if self.state.place(task, node).is_err() {
            return false;
        }
        if let Some(f) = from {
            if !self.within_capacity(f) {
                let back = self.state.place(task, f).is_ok();
                debug_assert!(back, "it was there before");
                return false;
            }
            self.forget(task, f);
        }
        self.members[node].push(task);
        self.load[node] += self.rows.weight[task];
        true
    }

    /// Takes `task` off its node, returning the node; the node may be left over capacity if the
    /// task had a negative demand, which the caller must repair or undo.
    pub(crate) fn remove(&mut self, task: usize) -> Option<usize> {
        let node = self.state.remove(task)?;
        self.forget(task, node);
        Some(node)
    }

    fn forget(&mut self, task: usize, node: usize) {
        let members = &mut self.members[node];
        if let Some(i) = members.iter().position(|&t| t == task) {
            members.swap_remove(i);
        }
        self.load[node] -= self.rows.weight[task];
    }

    /// Takes every task off `node` and returns them.
    pub(crate) fn evict(&mut self, node: usize) -> Vec<usize> {
        let tasks = self.members[node].clone();
        for &t in &tasks {
            self.remove(t);
        }
        self.load[node] = 0.0;
        tasks
    }

    /// The placement: where each task is, and why each unplaced one fits nowhere.
    pub(crate) fn placement(&self) -> Placement {
        let assignment = self.state.assignment().to_vec();
        let mut reasons = crate::unfit::Reasons::new();
        let unplaced = (0..assignment.len())
            .filter(|&t| assignment[t].is_none())
            .map(|task| Unplaced {
                task,
                reason: reasons.reason(&self.state, task),
            })
            .collect();
        Placement {
            assignment,
            unplaced,
            status: Status::Heuristic,
            bound: None,
            note: None,
        }
    }
}
