//! `first_fit`: the first node, in index order, that the task fits.

use super::{Options, Selector, Strategy};
use crate::model::Problem;
use crate::state::State;

/// Tasks in arrival order (higher priority first), each on the first node in index order that it
/// fits: the classic bin-packing heuristic, and the order-preserving placement of simple batch
/// schedulers (Slurm's `select/linear` with default node order fills nodes in order).
///
/// Complexity: O(nodes x resources) per placement at worst, less when an early node fits.
/// Memory: none beyond the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstFit;

/// The choice rule: the first node in `order` that `fits`.
///
/// ```
/// use packsched::strategy::first_fitting;
/// assert_eq!(first_fitting(0..4, |&n| n >= 2), Some(2));
/// assert_eq!(first_fitting([3, 1, 2], |&n| n < 3), Some(1));
/// assert_eq!(first_fitting(0..4, |_| false), None);
/// ```
pub fn first_fitting(
    order: impl IntoIterator<Item = usize>,
    fits: impl FnMut(&usize) -> bool,
) -> Option<usize> {
    order.into_iter().find(fits)
}

/// The first-fit select step over nodes in a given order (then any node that joined later),
/// shared with `first_fit_decreasing`.
pub(crate) struct First {
    pub(crate) order: Vec<usize>,
}

impl Selector for First {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let joined = self.order.len()..state.nodes();
        let order = self.order.iter().copied().chain(joined);
        first_fitting(order, |&n| state.fits(task, n))
    }
}

impl Strategy for FirstFit {
    fn name(&self) -> &str {
        "first_fit"
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        Some(Box::new(First {
            order: (0..problem.nodes()).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn takes_the_first_node_that_fits_in_arrival_order() {
        // 6 and 5 do not share a node of 10; 4 goes back to node 0 (6 + 4), 5 to node 1.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [5.0, 1.0], [4.0, 1.0], [5.0, 1.0]],
        );
        let got = place(&FirstFit, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
    }
}
