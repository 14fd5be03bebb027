//! `nomad_binpack`: Nomad's ScoreFitBinPack, generalised to any number of resources.

use super::score::{BoundFn, ScoreFn, Weights, pad, scored_linear};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::index::{LinearBound, Summary, Walk};
use crate::model::Problem;
use ndarray::ArrayView1;

/// The fitting node with the highest Nomad bin-packing score after placement: Nomad's default
/// `binpack` scheduler algorithm (`ScoreFitBinPack` in `nomad/structs/funcs.go`, the "BestFit v3"
/// of Google's data-center scheduling work). Like MostAllocated it prefers full nodes, but the
/// convex `10^free` weighs the largest free fraction most: of two nodes with the same total free
/// fraction, the one whose resources are evenly used scores higher. Tasks in priority order.
///
/// Index: on each machine type the score is at most a falling function of the node's weighted
/// free fraction `L` (see `binpack_linear`), so each type's nodes are kept in order of `L` (the
/// Linear index's treap, which passes over subtrees too full for the task) and walked from the
/// fullest, each fitting node scored, until that bound falls below the best score found: exact
/// (the same node as scoring every node, ties to the lowest index). Where that index gives up
/// (more than 16 machine types, negative demands, more free than capacity, more than 4,096 nodes
/// visited), branch and bound over the node tree (nodes of one capacity grouped), with the
/// score evaluated at each subtree's least free fraction left as the bound. A task restricted
/// to at most one node in 8 scores its allowed nodes instead.
///
/// Complexity per placement: O(types x log(nodes)) to start the walks and O(log(nodes) +
/// resources) per node visited (the bound is tight for nodes evenly used; more are visited
/// where the fullest are uneven), subtrees too full passed over whole; each placement re-files
/// one node, O(log(nodes)). The node tree's fallback: O(log(nodes) + 8) x resources per subtree
/// searched. Memory: the node tree and the Linear index (see the memory table in the README),
/// the weights.
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
            score += binpack_term(f / c, d / c, weights[r]);
        }
    }
    score
}

/// One resource's term from its free fraction and the demand's share: decreasing in the free
/// fraction, increasing in the share. `10^left` as `2^(left x log2 10)`: the same value to
/// within a unit in the last place, for fewer instructions than `powf`.
fn binpack_term(free_fraction: f64, share: f64, weight: f64) -> f64 {
    let left = (free_fraction - share).clamp(0.0, 1.0);
    weight * (10.0 - (left * std::f64::consts::LOG2_10).exp2())
}

/// The bound of [`binpack_score`] over a subtree: each term at the least free fraction and the
/// largest share (a resource only some nodes have: its term or 0, whichever is larger), padded
/// unless every node of the subtree is alike.
pub(crate) fn binpack_bound(demand: &[f64], s: &Summary<'_>, weights: &[f64], _floor: f64) -> f64 {
    let mut score = 0.0;
    for (r, &d) in demand.iter().enumerate().filter(|&(r, _)| s.some(r)) {
        let term = binpack_term(s.phi_lo[r], s.share(d, r).1, weights[r]);
        score += if s.every(r) { term } else { term.max(0.0) };
    }
    if s.is_point() { score } else { pad(score) }
}

/// The bound of [`binpack_score`] on a machine type at weighted free fraction `fullest` (nodes
/// with more have a lower bound). With `x_r = phi_r - q_r` the fraction left free after
/// placement, each term is at most `w_r (10 - 10^x_r)` (the clamp to 0..=1 only lowers it: `x_r`
/// is at most 1, the index filing no node with a free fraction above 1 nor asked for negative
/// demands), and `sum_r w_r 10^x_r` is at least `W 10^t` with `t`
/// their weighted mean (`10^x` is convex), `t = (L - sum_r w_r q_r) / W`. So the score is at
/// most `W (10 - 10^t)`, which falls as `L` grows; padded, and by `W x 1e-9` beyond against
/// rounding in the score's terms, where the bound is near 0.
fn binpack_linear(fullest: f64, shares: f64, total: f64) -> f64 {
    let mean = (fullest - shares) / total;
    pad(total * (10.0 - (mean * std::f64::consts::LOG2_10).exp2() + 1e-9))
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

    fn samples(&self) -> bool {
        true
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        let rule = (binpack_score as ScoreFn, binpack_bound as BoundFn);
        let walk = (binpack_linear as LinearBound, Walk::Fullest);
        scored_linear(problem, options, &self.weights, rule, walk)
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
