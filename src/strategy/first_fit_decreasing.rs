//! `first_fit_decreasing`: first fit over the tasks sorted largest first.

use super::first_fit::First;
use super::size::{Size, decreasing_order, largest_first};
use super::{Options, Selector, Strategy};
use crate::model::Problem;

/// Tasks sorted by size, largest first (within each priority, higher first), each on the first
/// node that it fits, nodes taken largest first ([`largest_first`](super::largest_first); index
/// order among nodes of one size): FFD, the classic offline bin-packing heuristic (at most 11/9 OPT + 6/9 bins
/// in one dimension, Dósa 2007), and the FFDSum / FFDMax / FFDL2 family of vector packing that
/// Panigrahy et al. ("Heuristics for vector bin packing", 2011) compare. The size measure is a
/// [`Size`]: the sum of demand fractions by default.
///
/// Complexity: O(tasks log tasks) to sort, then per placement first fit's: a descent of the node
/// tree, whose leaves are the nodes in opening order (see `first_fit`). Memory: the task order,
/// the node tree and the leaf order.
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
        Some(Box::new(First::new(problem, Some(largest_first(problem)))?))
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
