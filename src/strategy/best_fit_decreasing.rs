//! `best_fit_decreasing`: best fit over the tasks sorted largest first.

use super::best_fit::{most_allocated, most_allocated_bound};
use super::opening::Opener;
use super::score::Weights;
use super::size::{Size, decreasing_order};
use super::{Options, Selector, Strategy, select_best_in};
use crate::error::Result;
use crate::index::{Member, NodeTree, Order, Spec, Summary, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// Tasks sorted by size, largest first (within each priority, higher first), each on the node in
/// use that is fullest after placement ([`most_allocated`], kube-scheduler's MostAllocated); a
/// node is opened only when no node in use fits, by [`opening_order`](super::opening_order)
/// (the largest first, except nodes set aside for a scarce resource the task does not ask for).
/// This is BFD, the offline form of classic best fit, which opens a bin only when it must; MostAllocated alone would rather open a small empty node
/// than fill a large one. The size measure is a [`Size`], the sum of demand fractions by
/// default; the score's per-resource weights are configurable as for `best_fit`.
///
/// Index: a node tree over the nodes in use (branch and bound for the fullest, as `best_fit`)
/// and one over the empty nodes in opening order (first fit, as `first_fit_decreasing`); exact,
/// the choice of the full scans. A task restricted to at most one node in 8 is placed by the scans
/// over its allowed nodes.
///
/// Complexity: O(tasks log tasks) to sort, then per placement best fit's search among the nodes
/// in use, and first fit's descent when none fits. Memory: the order, the weights, the
/// trees.
#[derive(Debug, Clone, Default)]
pub struct BestFitDecreasing {
    size: Size,
    weights: Weights,
}

impl BestFitDecreasing {
    /// BFD with the sum of demand fractions as size and unit weights.
    pub fn new() -> Self {
        Self::default()
    }

    /// BFD with another size measure.
    pub fn with_size(mut self, size: Size) -> Self {
        self.size = size;
        self
    }

    /// BFD with these per-resource weights in the best-fit score (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

impl Strategy for BestFitDecreasing {
    fn name(&self) -> &str {
        "best_fit_decreasing"
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn order(&self, problem: &Problem) -> Vec<usize> {
        decreasing_order(problem, self.size)
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        let r = problem.resources().len();
        let weights = self.weights.resolve(r).ok()?;
        let in_use = Spec::new(Order::Shape)
            .with_boxes(&weights)
            .with_member(Member::InUse);
        Some(Box::new(FullestInUse {
            weights,
            in_use: NodeTree::new(in_use, r)?,
            opener: Opener::new(problem),
        }))
    }
}

/// Best fit among the nodes in use, else the empty node that the task opens (then any node that
/// joined later).
struct FullestInUse {
    weights: Vec<f64>,
    in_use: NodeTree,
    opener: Opener,
}

impl Selector for FullestInUse {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let demand = state.demand(task);
        let weights = &self.weights;
        let score = |n| most_allocated(demand, state.free(n), state.capacity(n), weights);
        let in_use = match few_allowed(state, task) {
            Some(allowed) => {
                let in_use = allowed.filter(|&n| state.task_count(n) > 0);
                select_best_in(state, task, in_use, score)
            }
            None => {
                self.in_use.load(state, task);
                let bound =
                    |d: &[f64], s: &Summary<'_>, floor| most_allocated_bound(d, s, weights, floor);
                self.in_use.best(state, task, bound, score)
            }
        };
        in_use.or_else(|| self.opener.first_empty(state, task))
    }

    fn placed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.node_changed(state, node);
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.node_changed(state, node);
    }

    fn node_changed(&mut self, state: &State<'_>, node: usize) {
        self.in_use.changed(state, node);
        self.opener.changed(state, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn fills_a_node_in_use_before_opening_the_largest_empty_one() {
        // Sorted: t2 (6, 6), t0 (4, 4), t1 (1, 1). t2 opens node 1, the largest. t0 would make
        // the empty small node fuller (4/5 = 0.8) than node 1 (10/20 = 0.5), but node 1 is in use
        // and fits: t0 goes there, and t1 too. One node.
        let p = problem(
            array![[5.0, 5.0], [20.0, 20.0]],
            array![[4.0, 4.0], [1.0, 1.0], [6.0, 6.0]],
        );
        let got = place(&BestFitDecreasing::new(), &p);
        assert_eq!(got.nodes_used(), 1);
        // MostAllocated in arrival order puts t0 on the small node (0.8 > 0.2): two nodes.
        let arrival = place(&super::super::BestFit::new(), &p);
        assert_eq!((arrival.assignment[0], arrival.nodes_used()), (Some(0), 2));
    }

    #[test]
    fn sorts_then_takes_the_fullest_node() {
        // Sorted: 7 (t1), 5 (t0), 3 (t2), 2 (t3). 7 -> node 0; 5 does not fit node 0 -> node 1;
        // 3: node 0 ends at (10+2)/20 = 0.6, node 1 at (8+2)/20 = 0.5 -> node 0; 2: only node 1
        // fits (node 0 is full in cpu). Best fit in arrival order puts 5 on node 0, 7 on node 1,
        // then 3 with the 7 (0.6 against 0.5) and 2 with the 5.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 1.0], [7.0, 1.0], [3.0, 1.0], [2.0, 1.0]],
        );
        let got = place(&BestFitDecreasing::new(), &p);
        assert_eq!(got.assignment, vec![Some(1), Some(0), Some(0), Some(1)]);
        let arrival = place(&super::super::BestFit::new(), &p);
        assert_eq!(arrival.assignment, vec![Some(0), Some(1), Some(1), Some(0)]);
    }
}
