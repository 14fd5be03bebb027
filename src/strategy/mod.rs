//! Placement strategies behind one trait, picked by name from a registry.
//!
//! A heuristic is three separate steps, as in kube-scheduler's framework and Nomad's rank
//! iterators:
//! 1. **filter**: the nodes a task fits, [`State::fits`] (the hard constraint);
//! 2. **score**: a pure function per strategy over the task's and the node's rows;
//! 3. **select**: the best score, ties to the lowest node index ([`select_best`]).
//!
//! A [`Strategy`] turns a whole workload into a [`Placement`]; its [`Selector`] is the
//! per-task rule that a batch run, or a simulator, calls one task at a time.

mod balanced;
mod best_fit;
mod best_fit_decreasing;
mod consolidate;
mod dot_product;
mod drf;
mod fill;
mod first_fit;
mod first_fit_decreasing;
mod least_connections;
mod least_time;
mod local_search;
mod lp_optimal;
mod nomad_binpack;
mod norm_diff;
mod opening;
mod parallel;
mod power_of_two;
mod registry;
mod repack;
mod round_robin;
mod sample;
mod score;
mod size;
#[cfg(test)]
pub(crate) mod testing;
mod worst_fit;

pub use balanced::{Balanced, balance_score};
pub use best_fit::{BestFit, most_allocated};
pub use best_fit_decreasing::BestFitDecreasing;
pub use consolidate::{Budget, Consolidation, STEPS_PER_SECOND, consolidate, load_gain};
pub use dot_product::{DotProduct, alignment};
pub use drf::{Drf, dominant_share};
pub use first_fit::{FirstFit, first_fitting};
pub use first_fit_decreasing::FirstFitDecreasing;
pub use least_connections::{LeastConnections, connections_score};
pub use least_time::{LeastTime, finish_time};
pub use local_search::LocalSearch;
pub use lp_optimal::LpOptimal;
pub use nomad_binpack::{NomadBinpack, binpack_score};
pub use norm_diff::{NormDiff, residual_norm};
pub use opening::{opening_order, requested, set_aside};
pub use parallel::{PARALLEL_NODES, select_best_par};
pub use power_of_two::{PowerOfTwo, SAMPLE_TRIES, draw_by_rejection, node_load};
pub use registry::{Entry, Kind, by_name, names, parse_list, registry};
pub use repack::{REPACK_STEPS, Repack};
pub use round_robin::{RoundRobin, next_in_turn};
pub use sample::nodes_to_find;
pub use score::{ScoreFn, Weights, used_after, weighted_mean};
pub use size::{Size, decreasing_order, largest_capacity, largest_first};
pub use worst_fit::{WorstFit, least_allocated};

use crate::error::Result;
use crate::model::Problem;
use crate::placement::{Placement, Unplaced, record};
use crate::state::State;
use std::time::Duration;

/// Run options shared by all strategies.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The time budget of exact and improvement strategies (`lp_optimal`, ...).
    pub time_limit: Duration,
    /// The seed of randomised strategies: the same seed gives the same result.
    pub seed: u64,
    /// Node sampling as kube-scheduler's `percentageOfNodesToScore`, off (`None`) by default:
    /// the packing scores (`best_fit`, `worst_fit`, `balanced`, `nomad_binpack`, and the
    /// per-task rules of `dot_product` and `norm_diff`) then score only the first
    /// [`nodes_to_find`] fitting nodes from where the last search stopped, instead of finding the
    /// best of all. Faster on large clusters, at a cost in packing that the quality example's
    /// `--sample` shows. A percentage in (0, 100]; set it with
    /// [`Options::with_percentage_of_nodes_to_score`], which checks it.
    pub percentage_of_nodes_to_score: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            seed: 0,
            percentage_of_nodes_to_score: None,
        }
    }
}

impl Options {
    /// These options with another time limit.
    pub fn with_time_limit(mut self, time_limit: Duration) -> Self {
        self.time_limit = time_limit;
        self
    }

    /// These options with another seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// These options with node sampling (see [`Options::percentage_of_nodes_to_score`]).
    ///
    /// Errors ([`Error::InvalidOption`](crate::Error::InvalidOption)): a percentage that is not
    /// in (0, 100].
    ///
    /// ```
    /// use packsched::Options;
    /// assert!(Options::default().with_percentage_of_nodes_to_score(10.0).is_ok());
    /// assert!(Options::default().with_percentage_of_nodes_to_score(0.0).is_err());
    /// assert!(Options::default().with_percentage_of_nodes_to_score(f64::NAN).is_err());
    /// ```
    pub fn with_percentage_of_nodes_to_score(mut self, percent: f64) -> Result<Self> {
        if !(percent > 0.0 && percent <= 100.0) {
            return Err(crate::Error::InvalidOption {
                option: "percentage_of_nodes_to_score",
                message: format!("{percent} is not a percentage in (0, 100]"),
            });
        }
        self.percentage_of_nodes_to_score = Some(percent);
        Ok(self)
    }
}

/// The per-task choice of a strategy, with whatever state it keeps during one run (a round
/// robin pointer, an index over nodes).
pub trait Selector: Send {
    /// Picks a node that `task` fits now, or `None` if it fits none.
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize>;

    /// Told after `task` was placed on `node`, for selectors that keep an index.
    fn placed(&mut self, _state: &State<'_>, _task: usize, _node: usize) {}

    /// Told after `task` was removed from `node` (completion, failure, preemption).
    fn removed(&mut self, _state: &State<'_>, _task: usize, _node: usize) {}

    /// Told after a node joined, failed, or was cordoned or uncordoned, for selectors that keep
    /// an index over nodes.
    fn node_changed(&mut self, _state: &State<'_>, _node: usize) {}

    /// The same choice as [`Selector::select`], when the caller already knows every node `task`
    /// fits now: `fitting`, in increasing order (a simulator finds them with its own index).
    /// Selectors whose rule only looks at fitting nodes override it to skip the full scan; the
    /// default calls `select`.
    fn select_among(&mut self, state: &State<'_>, task: usize, fitting: &[usize]) -> Option<usize> {
        let _ = fitting;
        self.select(state, task)
    }
}

/// A placement strategy: decides which node each task of a workload runs on.
pub trait Strategy: Send + Sync {
    /// The registry name, e.g. `round_robin`.
    fn name(&self) -> &str;

    /// The per-task rule, for strategies that decide one task at a time; `None` for strategies
    /// that only solve whole workloads (`lp_optimal`).
    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>>;

    /// Checks the strategy's options against a problem (weights of the right length, ...).
    /// [`Strategy::place`] calls it first; a caller that drives the [`Selector`] itself should
    /// too. Default: nothing to check.
    fn check(&self, _problem: &Problem) -> Result<()> {
        Ok(())
    }

    /// Whether [`Options::percentage_of_nodes_to_score`] changes what [`Strategy::place`] does
    /// (the packing scores that sample nodes as kube-scheduler does). Default: no.
    fn samples(&self) -> bool {
        false
    }

    /// The order in which a batch is placed. Default: [`priority_order`].
    fn order(&self, problem: &Problem) -> Vec<usize> {
        priority_order(problem)
    }

    /// Places the whole workload. Default: tasks in [`Strategy::order`], each on the node its
    /// [`Selector`] picks ([`greedy`]).
    fn place(&self, problem: &Problem, options: &Options) -> Result<Placement> {
        self.check(problem)?;
        let order = self.order(problem);
        let mut selector =
            self.selector(problem, options)
                .ok_or_else(|| crate::Error::InvalidOption {
                    option: "strategy",
                    message: format!(
                        "{} has no per-task rule and must implement place",
                        self.name()
                    ),
                })?;
        Ok(greedy(problem, &order, selector.as_mut()))
    }
}

impl std::fmt::Debug for dyn Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Strategy({})", self.name())
    }
}

/// Higher priority first, then earlier arrival, then task index.
///
/// Complexity: O(tasks) when the tasks are already in that order (as when there are no
/// priorities or arrivals, a batch's usual case: then no comparison), else O(tasks log tasks).
pub fn priority_order(problem: &Problem) -> Vec<usize> {
    let w = problem.workload();
    let cmp = |&a: &usize, &b: &usize| {
        w.priority(b)
            .cmp(&w.priority(a))
            .then(w.arrival(a).total_cmp(&w.arrival(b)))
            .then(a.cmp(&b))
    };
    let mut order: Vec<usize> = (0..problem.tasks()).collect();
    // No priorities or arrivals: in order of index (no pass to check).
    if !w.plain() && !order.is_sorted_by(|a, b| cmp(a, b).is_le()) {
        order.sort_unstable_by(cmp);
    }
    order
}

/// Places tasks in `order`, each on the node `selector` picks; a task no node fits is recorded
/// with its [`Reason`](crate::Reason) at the moment it was rejected.
pub fn greedy(problem: &Problem, order: &[usize], selector: &mut dyn Selector) -> Placement {
    let mut state = State::new(problem);
    let mut unplaced = Vec::new();
    let mut reasons = crate::unfit::Reasons::new();
    for &task in order {
        // A selector returns only nodes the task fits; `place` checks again all the same.
        // A task as large as one that fit nowhere still fits nowhere: no search.
        let known_unfit = reasons.fits_nowhere(&state, task);
        match (!known_unfit)
            .then(|| selector.select(&state, task))
            .flatten()
            .filter(|&node| state.place(task, node).is_ok())
        {
            Some(node) => {
                reasons.placed(&state, task, node);
                selector.placed(&state, task, node);
            }
            None => record(
                &mut unplaced,
                Unplaced {
                    task,
                    reason: reasons.reason(&state, task),
                },
            ),
        }
    }
    Placement::heuristic(state.into_assignment(), unplaced)
}

/// [`select_best`] over a known list of fitting nodes (in increasing order): the same choice,
/// in O(fitting) instead of O(nodes).
pub fn select_best_among(fitting: &[usize], mut score: impl FnMut(usize) -> f64) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for &node in fitting {
        let s = score(node);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((node, s));
        }
    }
    best.map(|(node, _)| node)
}

/// The select step: among the nodes `task` fits, the one with the highest `score`, ties to the
/// lowest node index. This is the plain full scan that every index must agree with.
///
/// Complexity: O(nodes x resources) plus the cost of `score`.
pub fn select_best(
    state: &State<'_>,
    task: usize,
    score: impl FnMut(usize) -> f64,
) -> Option<usize> {
    select_best_in(state, task, 0..state.nodes(), score)
}

/// [`select_best`] over some nodes, in increasing order.
pub(crate) fn select_best_in(
    state: &State<'_>,
    task: usize,
    nodes: impl Iterator<Item = usize>,
    mut score: impl FnMut(usize) -> f64,
) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for node in nodes {
        if !state.fits(task, node) {
            continue;
        }
        let s = score(node);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((node, s));
        }
    }
    best.map(|(node, _)| node)
}
