//! `best_fit`: kube-scheduler's MostAllocated score, the fullest node after placement.

use super::score::{
    Weights, mean_bounds, pad, scored_linear, used_after, utilization, weighted_mean,
};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::index::{Summary, Walk};
use crate::model::Problem;
use crate::state::TOLERANCE;
use ndarray::ArrayView1;

/// The fitting node whose utilization after placement, averaged over resources with weights, is
/// highest: kube-scheduler's `NodeResourcesFit` plugin with the `MostAllocated` scoring strategy
/// (`most_allocated.go`), the bin-packing setting of Kubernetes clusters that autoscale down.
/// Tasks in priority order (higher first, then arrival).
///
/// Index: on each machine type MostAllocated falls as the weighted free fraction `L` grows
/// (linearly, up to the fit tolerance), so each type's nodes are kept ordered by `L` in a treap
/// that knows the most free capacity per resource of every subtree (nodes alike to the bit, of
/// one type and free row, filed once, by their lowest index); a query walks each type from the
/// fullest, passing over subtrees too full for the task, scoring nodes that fit until the bound
/// at the next node's `L` is below the best score. Where that walk gives up (more than 4,096
/// nodes visited, more than 16 machine types, a negative demand, a node with more free than
/// capacity), branch and bound
/// over the node tree (nodes of one capacity grouped), with [`most_allocated`] evaluated at
/// each subtree's least free fraction and least capacity as the bound. Both exact: the same
/// node as scoring every node (ties to the lowest index). A task restricted to at most one node
/// in 8 scores its allowed nodes instead.
///
/// Complexity per placement: the walk O(types x log(nodes)) plus O(log(nodes)) per node it
/// visits, usually one or two per type; O(log(nodes)) x resources to re-file the node placed
/// on. The tree, where asked: O(log(nodes) + 8) x resources per subtree searched. Memory: the
/// treap (29 bytes per node and 4 x (1 + min(resources, 4)) per node and resource), the groups
/// of alike nodes (9 bytes per node, about 50 per group), the node tree if a query needs it (see
/// the memory table in the README), the weights.
#[derive(Debug, Clone, Default)]
pub struct BestFit {
    weights: Weights,
}

/// MostAllocated: `sum_r w_r * u_r / sum_r w_r` with `u_r = min(1, (capacity_r - free_r +
/// demand_r) / capacity_r)`, over the resources the node has (kube-scheduler scores a resource of
/// zero capacity 0 but keeps its weight; leaving it out keeps nodes with and without, say, GPUs
/// comparable). kube-scheduler scales to integers 0..=100; this keeps the fraction, so that
/// near-ties are not rounded into ties.
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::most_allocated;
/// // cpu 6 of 8 used after placement, memory 2 of 8: (0.75 + 0.25) / 2.
/// let (d, f, c) = (array![2.0, 1.0], array![4.0, 7.0], array![8.0, 8.0]);
/// assert_eq!(most_allocated(d.view(), f.view(), c.view(), &[1.0, 1.0]), 0.5);
/// ```
pub fn most_allocated(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    weights: &[f64],
) -> f64 {
    weighted_mean(used_after(demand, free, capacity), weights)
}

/// The bound of [`most_allocated`] over a subtree: each utilization at its highest (least free
/// fraction, largest demand share), the same mean; and, where utilizations follow free
/// fractions linearly, `(W - least weighted free + sum w x largest share) / W` (padded), which
/// does not take each resource's least free fraction from another node. The smaller of the two.
pub(crate) fn most_allocated_bound(
    demand: &[f64],
    s: &Summary<'_>,
    weights: &[f64],
    _floor: f64,
) -> f64 {
    mean_bounds(
        (demand, s, weights),
        |r| s.share_hi(demand[r], r),
        |r, q| utilization(s.phi_lo[r], q),
        |total, shares| (total - s.linear.0 + shares) / total,
    )
}

/// The bound of [`most_allocated`] on a machine type at weighted free fraction `fullest`
/// (nodes with more have a lower bound): with free fractions in 0..=1 and no negative demand,
/// each utilization is at most `1 - phi + share`, so the score is at most `(W - linear + sum w x
/// share) / W` in real numbers; padded, and by the tolerance beyond (its value is small where the
/// terms nearly cancel).
fn most_allocated_linear(fullest: f64, shares: f64, total: f64) -> f64 {
    pad((total - fullest + shares) / total + TOLERANCE)
}

impl BestFit {
    /// Best fit with every resource weighted 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Best fit with these per-resource weights (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

impl Strategy for BestFit {
    fn name(&self) -> &str {
        "best_fit"
    }

    fn samples(&self) -> bool {
        true
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        scored_linear(
            problem,
            options,
            &self.weights,
            (most_allocated, most_allocated_bound),
            (most_allocated_linear, Walk::Fullest),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn picks_the_node_fullest_after_placement() {
        // After task 0 on node 0 (a tie, lowest index), task 1 scores node 0 at
        // ((4+2)/10 + (1+1)/10)/2 = 0.4 and node 1 at (2/10 + 1/10)/2 = 0.15: node 0. Task 2
        // (cpu 5) fits only node 1.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[4.0, 1.0], [2.0, 1.0], [5.0, 1.0]],
        );
        let got = place(&BestFit::new(), &p);
        assert_eq!(got.assignment, vec![Some(0), Some(0), Some(1)]);
    }

    #[test]
    fn weights_change_the_choice_and_are_validated() {
        // Node 0 has cpu used, node 1 memory. A cpu-heavy weight prefers node 0, a memory-heavy
        // one node 1.
        let (d, c) = (array![1.0, 1.0], array![10.0, 10.0]);
        let (f0, f1) = (array![2.0, 10.0], array![10.0, 4.0]);
        let score =
            |f: &ndarray::Array1<f64>, w: &[f64]| most_allocated(d.view(), f.view(), c.view(), w);
        assert!(score(&f0, &[3.0, 1.0]) > score(&f1, &[3.0, 1.0]));
        assert!(score(&f0, &[1.0, 3.0]) < score(&f1, &[1.0, 3.0]));
        // (0.9 * 3 + 0.1 * 1) / 4 = 0.7
        assert!((score(&f0, &[3.0, 1.0]) - 0.7).abs() < 1e-12);
        let p = problem(array![[10.0, 10.0]], array![[1.0, 1.0]]);
        let bad = BestFit::new().with_weights(vec![1.0, 1.0, 1.0]).unwrap();
        assert!(matches!(
            bad.place(&p, &Options::default()),
            Err(crate::Error::InvalidOption { .. })
        ));
        assert!(BestFit::new().with_weights(vec![1.0, -0.5]).is_err());
    }
}
