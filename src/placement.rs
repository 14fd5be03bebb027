//! The result of a strategy: where each task went, why the others did not, and how honest the
//! strategy can be about the quality of the answer.

use crate::model::Problem;
use crate::state::TOLERANCE;
use ndarray::Array2;
use serde::Serialize;

/// How a result was obtained, and what it proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A heuristic's answer: no claim of optimality.
    Heuristic,
    /// Proven optimal: the number of nodes meets a proven lower bound or the solver's proof.
    Optimal,
    /// The exact method stopped at its time limit; the best solution it found is kept and is
    /// better than the heuristics' (see the placement's bound for the remaining gap).
    Feasible,
    /// The exact method failed or found nothing better: the best heuristic's answer is kept.
    Fallback,
}

impl Status {
    /// The lowercase name used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Heuristic => "heuristic",
            Status::Optimal => "optimal",
            Status::Feasible => "feasible",
            Status::Fallback => "fallback",
        }
    }
}

/// Why a task was left unplaced, with the data to act on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The task fits no node even when that node is empty. `resource` is the one whose demand
    /// most exceeds `largest`, the most capacity of it on any node; if every resource is within
    /// some node's capacity (no single node has all of them), it is the resource short on the
    /// node that comes closest.
    TooLarge {
        /// The resource short.
        resource: String,
        /// The task's demand of it.
        requested: f64,
        /// The largest capacity of it on any alive node.
        largest: f64,
    },
    /// No node has enough of `resource` free now: the most free on any node is `most_free`.
    Insufficient {
        /// The resource short.
        resource: String,
        /// The task's demand of it.
        requested: f64,
        /// The most free of it on any alive node.
        most_free: f64,
    },
    /// Each resource is free on some node, but no node has them all at once (fragmentation).
    /// On `node`, the node that comes closest, `resource` falls short.
    Fragmented {
        /// The node that comes closest to fitting the task.
        node: usize,
        /// The resource short on that node.
        resource: String,
        /// The task's demand of it.
        requested: f64,
        /// What that node has free of it.
        free: f64,
        /// The most free of it on any alive node.
        most_free: f64,
    },
    /// The cluster has no alive node.
    NoNodes,
    /// No alive node admits the task: its allowed nodes (labels, taints, affinity) exclude
    /// every one.
    NotAllowed,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::TooLarge {
                resource,
                requested,
                largest,
            } => write!(
                f,
                "too large: asks {requested} {resource}, the largest node has {largest}"
            ),
            Reason::Insufficient {
                resource,
                requested,
                most_free,
            } => write!(
                f,
                "insufficient {resource}: asks {requested}, at most {most_free} free on any node"
            ),
            Reason::Fragmented {
                node,
                resource,
                requested,
                free,
                ..
            } => write!(
                f,
                "fragmented: no node has every resource free; closest node {node} has {free} \
                 {resource} free of {requested} asked"
            ),
            Reason::NoNodes => write!(f, "no alive node"),
            Reason::NotAllowed => write!(f, "no alive node admits the task"),
        }
    }
}

/// Appends to a list of unplaced tasks that grows by an eighth when full, rather than doubling:
/// a run that leaves many tasks unplaced keeps at most an eighth of the list unused.
pub(crate) fn record(unplaced: &mut Vec<Unplaced>, item: Unplaced) {
    if unplaced.len() == unplaced.capacity() {
        unplaced.reserve_exact(unplaced.len() / 8 + 16);
    }
    unplaced.push(item);
}

/// A task left unplaced and the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unplaced {
    /// The task index.
    pub task: usize,
    /// Why it was not placed.
    #[serde(flatten)]
    pub reason: Reason,
}

/// A strategy's answer for a whole workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// For every task, its node, or `None` if unplaced.
    pub assignment: Vec<Option<usize>>,
    /// For every unplaced task, the reason.
    pub unplaced: Vec<Unplaced>,
    /// How the answer was obtained.
    pub status: Status,
    /// A proven lower bound on the nodes needed, when the strategy computed one.
    pub bound: Option<usize>,
    /// A remark from the strategy: why it fell back, what its solver reported.
    pub note: Option<String>,
}

impl Placement {
    /// A heuristic's answer: the assignment of a finished run and its unplaced tasks (sorted
    /// here by task).
    pub(crate) fn heuristic(assignment: Vec<Option<usize>>, mut unplaced: Vec<Unplaced>) -> Self {
        // Task indices are distinct: the unstable sort gives the stable order, without the
        // stable sort's buffer of half the list.
        unplaced.sort_unstable_by_key(|u| u.task);
        Self {
            assignment,
            unplaced,
            status: Status::Heuristic,
            bound: None,
            note: None,
        }
    }

    /// How good an answer is, smaller better: fewer tasks unplaced, then fewer nodes used
    /// (how every strategy that picks among placements compares them).
    pub(crate) fn rank(&self) -> (usize, usize) {
        (self.unplaced.len(), self.nodes_used())
    }

    /// The number of nodes with at least one task.
    pub fn nodes_used(&self) -> usize {
        let Some(&most) = self.assignment.iter().flatten().max() else {
            return 0;
        };
        let mut seen = vec![false; most + 1];
        let mut used = 0;
        for &node in self.assignment.iter().flatten() {
            used += usize::from(!std::mem::replace(&mut seen[node], true));
        }
        used
    }

    /// The number of tasks placed.
    pub fn placed(&self) -> usize {
        self.assignment.iter().flatten().count()
    }

    /// The capacity each node's tasks use, nodes x resources.
    pub fn load(&self, problem: &Problem) -> Array2<f64> {
        let mut load = Array2::zeros(problem.cluster().capacity().raw_dim());
        for (task, node) in self.assignment.iter().enumerate() {
            if let Some(node) = *node {
                let mut row = load.row_mut(node);
                row += &problem.demand(task);
            }
        }
        load
    }

    /// Utilization per node and resource: used / capacity, 0 where the capacity is 0.
    pub fn utilization(&self, problem: &Problem) -> Array2<f64> {
        let capacity = problem.cluster().capacity();
        let mut util = self.load(problem);
        util.zip_mut_with(capacity, |u, &c| *u = if c > 0.0 { *u / c } else { 0.0 });
        util
    }

    /// Checks the invariants: one entry per task, nodes in range and allowed, no node over
    /// capacity in any resource, and every unplaced task given exactly one reason.
    pub fn verify(&self, problem: &Problem) -> Result<(), String> {
        if self.assignment.len() != problem.tasks() {
            return Err(format!(
                "{} assignments for {} tasks",
                self.assignment.len(),
                problem.tasks()
            ));
        }
        if let Some(node) = self
            .assignment
            .iter()
            .flatten()
            .find(|&&n| n >= problem.nodes())
        {
            return Err(format!("node {node} out of range"));
        }
        if let Some((task, node)) = self
            .assignment
            .iter()
            .enumerate()
            .find_map(|(t, n)| n.filter(|&n| !problem.allowed(t, n)).map(|n| (t, n)))
        {
            return Err(format!(
                "task {task} on node {node}, which it may not run on"
            ));
        }
        let load = self.load(problem);
        for ((node, r), &used) in load.indexed_iter() {
            let cap = problem.cluster().capacity()[[node, r]];
            if used > cap * (1.0 + 1e3 * TOLERANCE) + f64::EPSILON {
                return Err(format!(
                    "node {node} over capacity in {}: {used} > {cap}",
                    problem.resources().name(r)
                ));
            }
        }
        let mut reasons: Vec<usize> = self.unplaced.iter().map(|u| u.task).collect();
        reasons.sort_unstable();
        let unplaced: Vec<usize> = (0..problem.tasks())
            .filter(|&t| self.assignment[t].is_none())
            .collect();
        if reasons != unplaced {
            return Err(format!(
                "unplaced tasks {unplaced:?} but reasons for {reasons:?}"
            ));
        }
        Ok(())
    }
}
