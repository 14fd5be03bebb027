//! `best_fit_decreasing`: best fit over the tasks sorted largest first.

use super::best_fit::most_allocated;
use super::score::{Weights, scored};
use super::size::{Size, decreasing_order};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::model::Problem;

/// Tasks sorted by size, largest first (within each priority, higher first), each on the fitting
/// node that is fullest after placement ([`most_allocated`], kube-scheduler's MostAllocated):
/// BFD, the offline form of best fit. The size measure is a [`Size`], the sum of demand
/// fractions by default; the score's per-resource weights are configurable as for `best_fit`.
///
/// Complexity: O(tasks log tasks) to sort, then O(nodes x resources) per placement.
/// Memory: the order and the weights.
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
        scored(problem, &self.weights, most_allocated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

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
