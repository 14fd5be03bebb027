//! `nomad_binpack`: Nomad's ScoreFitBinPack, generalised to any number of resources.

use super::score::{Weights, scored};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::model::Problem;
use ndarray::ArrayView1;

/// The fitting node with the highest Nomad bin-packing score after placement: Nomad's default
/// `binpack` scheduler algorithm (`ScoreFitBinPack` in `nomad/structs/funcs.go`, the "BestFit v3"
/// of Google's data-center scheduling work). Like MostAllocated it prefers full nodes, but the
/// convex `10^free` weighs the largest free fraction most: of two nodes with the same total free
/// fraction, the one whose resources are evenly used scores higher. Tasks in priority order.
///
/// Complexity: O(nodes x resources) per placement. Memory: the weights.
#[derive(Debug, Clone, Default)]
pub struct NomadBinpack {
    weights: Weights,
}

/// ScoreFitBinPack generalised: `sum_r w_r * (10 - 10^free_r)` over the resources the node has,
/// where `free_r = (free_r - demand_r) / capacity_r` is the fraction left free after placement.
/// With unit weights and two resources (Nomad's cpu and memory) it is exactly Nomad's
/// `20 - (10^freeCpu + 10^freeMem)`, in 0..=18 (Nomad clamps to that range, which valid inputs
/// never leave); with `k` resources it lies in 0..=9k.
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::binpack_score;
/// // Placement leaves cpu 0.5 free, memory 0: 20 - (10^0.5 + 10^0) = 19 - sqrt(10).
/// let (d, f, c) = (array![2.0, 4.0], array![6.0, 4.0], array![8.0, 4.0]);
/// let s = binpack_score(d.view(), f.view(), c.view(), &[1.0, 1.0]);
/// assert!((s - (19.0 - 10f64.sqrt())).abs() < 1e-12);
/// ```
pub fn binpack_score(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    weights: &[f64],
) -> f64 {
    let mut score = 0.0;
    for (r, ((&d, &f), &c)) in demand.iter().zip(free).zip(capacity).enumerate() {
        if c > 0.0 {
            let left = ((f - d) / c).clamp(0.0, 1.0);
            score += weights[r] * (10.0 - 10f64.powf(left));
        }
    }
    score
}

impl NomadBinpack {
    /// Nomad's score with every resource weighted 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The score with these per-resource weights (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

impl Strategy for NomadBinpack {
    fn name(&self) -> &str {
        "nomad_binpack"
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        scored(problem, &self.weights, binpack_score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn prefers_evenly_used_nodes_where_most_allocated_ties() {
        // Two nodes of 10: node 0 already holds (9, 1), node 1 holds (5, 5). Task (1, 1) leaves
        // node 0 at free (0, 0.8): 20 - (1 + 10^0.8) = 12.69; node 1 at free (0.4, 0.4):
        // 20 - 2 * 10^0.4 = 14.98. The linear MostAllocated scores both 0.6 (a tie, node 0);
        // Nomad's exponential picks node 1.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[9.0, 1.0], [5.0, 5.0], [1.0, 1.0]],
        )
        .with_allowed_nodes(vec![Some(vec![0]), Some(vec![1]), None])
        .unwrap();
        let got = place(&NomadBinpack::new(), &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(1)]);
        let (d, c) = (array![1.0, 1.0], array![10.0, 10.0]);
        let node0 = binpack_score(d.view(), array![1.0, 9.0].view(), c.view(), &[1.0, 1.0]);
        let node1 = binpack_score(d.view(), array![5.0, 5.0].view(), c.view(), &[1.0, 1.0]);
        assert!((node0 - (19.0 - 10f64.powf(0.8))).abs() < 1e-12);
        assert!((node1 - (20.0 - 2.0 * 10f64.powf(0.4))).abs() < 1e-12);
    }
}
