//! A placement under improvement: the allocation state with, per node, its tasks and its load.

use crate::model::Problem;
use crate::placement::{Placement, Status, Unplaced};
use crate::state::{State, TOLERANCE};
use crate::strategy::size::largest_capacity;

/// The weight of each task: the sum of its positive demand fractions, each resource scaled by its
/// largest capacity on any node (a node's load is the sum of its tasks' weights). Negative demands
/// count 0: they only ever make room.
pub(crate) fn weights(problem: &Problem) -> Vec<f64> {
    let scale = largest_capacity(problem);
    (0..problem.tasks())
        .map(|t| {
            let d = problem.demand(t);
            d.iter()
                .zip(&scale)
                .filter(|(_, s)| **s > 0.0)
                .map(|(x, s)| x.max(0.0) / s)
                .sum()
        })
        .collect()
}

/// The state of a placement with each node's members and load kept up to date. Every change keeps
/// every node within capacity in every resource, and every task on a node it may run on.
#[derive(Debug, Clone)]
pub(crate) struct Packing<'p, 'w> {
    state: State<'p>,
    members: Vec<Vec<usize>>,
    load: Vec<f64>,
    weight: &'w [f64],
}

impl<'p, 'w> Packing<'p, 'w> {
    /// The packing of a valid placement's assignment.
    pub(crate) fn new(
        problem: &'p Problem,
        assignment: &[Option<usize>],
        weight: &'w [f64],
    ) -> Self {
        let mut p = Self {
            state: State::new(problem),
            members: vec![Vec::new(); problem.nodes()],
            load: vec![0.0; problem.nodes()],
            weight,
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

    pub(crate) fn nodes(&self) -> usize {
        self.members.len()
    }

    pub(crate) fn tasks(&self) -> usize {
        self.weight.len()
    }

    pub(crate) fn weight(&self, task: usize) -> f64 {
        self.weight[task]
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
        let problem = self.problem();
        if !problem.allowed(task, node) || !self.state.is_alive(node) {
            return false;
        }
        let (free, cap, d) = (
            self.state.free(node),
            self.state.capacity(node),
            problem.demand(task),
        );
        (0..d.len()).all(|r| {
            let back: f64 = out.iter().map(|&o| problem.demand(o)[r]).sum();
            d[r] <= free[r] + back + TOLERANCE * cap[r]
        })
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
        self.load[node] += self.weight[task];
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
        self.load[node] -= self.weight[task];
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
        let unplaced = (0..assignment.len())
            .filter(|&t| assignment[t].is_none())
            .map(|task| Unplaced {
                task,
                reason: self.state.reason(task),
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
