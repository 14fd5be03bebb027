//! `first_fit_decreasing`: first fit over the tasks sorted largest first.

use super::first_fit::First;
use super::opening::Opener;
use super::size::{Size, decreasing_order, largest_first};
use super::{Options, Selector, Strategy};
use crate::index::{Member, Order, Spec};
use crate::model::Problem;
use crate::state::State;

/// Tasks sorted by size, largest first (within each priority, higher first), each on the first node
/// in use that it fits (nodes in use taken largest first, [`largest_first`](super::largest_first);
/// index order among nodes of one size), else on the empty node it opens by
/// [`opening_order`](super::opening_order): the largest first, except that nodes set aside for a
/// scarce resource the task does not ask for come last (a task without a GPU does not take the GPU
/// nodes that the GPU tasks need while another node fits). FFD, the classic offline bin-packing
/// heuristic (at most 11/9 OPT + 6/9 bins in one dimension, Dósa 2007), and the FFDSum / FFDMax /
/// FFDL2 family of vector packing that Panigrahy et al. ("Heuristics for vector bin packing", 2011)
/// compare. The size measure is a [`Size`]: the sum of demand fractions by default.
///
/// Complexity: O(tasks log tasks) to sort, then per placement first fit's: a descent of the node
/// tree of the nodes in use (leaves largest first, see `first_fit`), and when none fits one
/// descent per class of set-aside nodes in the tree of empty nodes (one class without scarce
/// resources; the classes hold the nodes set aside for the same resources, each largest first,
/// and every opening order is a merge of them). Memory: the task order, and the two node trees
/// with their leaf orders.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstFitDecreasing {
    size: Size,
}

impl FirstFitDecreasing {
    /// FFD with the sum of demand fractions as size.
    pub fn new() -> Self {
        Self::default()
    }

    /// FFD with another size measure.
    pub fn with_size(mut self, size: Size) -> Self {
        self.size = size;
        self
    }
}

impl Strategy for FirstFitDecreasing {
    fn name(&self) -> &str {
        "first_fit_decreasing"
    }

    fn order(&self, problem: &Problem) -> Vec<usize> {
        decreasing_order(problem, self.size)
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        Some(Box::new(InUseFirst {
            in_use: First::with_spec(
                problem,
                Spec::new(Order::Given(largest_first(problem).into())).with_member(Member::InUse),
            )?,
            opener: Opener::new(problem),
        }))
    }
}

/// First fit among the nodes in use, in `in_use` order (then nodes that joined later); else the
/// empty node that the task opens.
struct InUseFirst {
    in_use: First,
    opener: Opener,
}

impl Selector for InUseFirst {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        self.in_use
            .first(state, task)
            .or_else(|| self.opener.first_empty(state, task))
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
    fn sorting_first_packs_what_arrival_order_does_not() {
        // Arrival order 4, 4, 6, 6 takes three nodes with first fit (4+4, 6, 6); sorted 6, 6, 4,
        // 4 it takes two (6+4 twice).
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[4.0, 1.0], [4.0, 1.0], [6.0, 1.0], [6.0, 1.0]],
        );
        let got = place(&FirstFitDecreasing::new(), &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
        assert_eq!(place(&super::super::FirstFit, &p).nodes_used(), 3);
    }

    #[test]
    fn opens_the_largest_node_first() {
        // Node 1 is twice node 0: both tasks fit on it together.
        let p = problem(
            array![[5.0, 5.0], [10.0, 10.0]],
            array![[5.0, 5.0], [4.0, 4.0]],
        );
        let got = place(&FirstFitDecreasing::new(), &p);
        assert_eq!(got.assignment, vec![Some(1), Some(1)]);
        assert_eq!(place(&super::super::FirstFit, &p).nodes_used(), 2);
    }

    #[test]
    fn the_size_measure_changes_the_order() {
        // Scales 10, 10. Sum: t0 (5, 5) = 1.0 before t1 (8, 0) = 0.8. Max: t1 0.8 before t0 0.5.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 5.0], [8.0, 0.0]],
        );
        assert_eq!(FirstFitDecreasing::new().order(&p), vec![0, 1]);
        assert_eq!(
            FirstFitDecreasing::new().with_size(Size::Max).order(&p),
            vec![1, 0]
        );
    }
}
