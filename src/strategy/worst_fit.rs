//! `worst_fit`: kube-scheduler's LeastAllocated score, the emptiest node after placement.

use super::score::{
    Weights, mean_bounds, pad, scored_linear, used_after, utilization, weighted_mean,
};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::index::{Summary, Walk};
use crate::model::Problem;
use crate::state::TOLERANCE;
use ndarray::ArrayView1;

/// The fitting node with the most free capacity left after placement, averaged over resources
/// with weights: kube-scheduler's `NodeResourcesFit` plugin with the `LeastAllocated` scoring
/// strategy (`least_allocated.go`), the default of kube-scheduler. Spreads load; packs badly.
/// Tasks in priority order (higher first, then arrival).
///
/// Index: first the nodes of each machine type in order of their weighted free fraction (on one
/// type the score follows it linearly) in a treap that knows the most free capacity per
/// resource of every subtree (nodes alike to the bit filed once, by their lowest index), walked
/// from the emptiest past subtrees too full for the task, scoring nodes that fit until the
/// bound at the next node is below the best score found; the walk gives up after 4,096 nodes,
/// with more than 16 machine types, with negative demands or a node with more free than
/// capacity. Then branch and bound over the node tree
/// (nodes of one capacity grouped), with [`least_allocated`] evaluated at each subtree's most
/// free fraction and largest capacity as the bound. Both exact: the same node as scoring every
/// node (ties to the lowest index). A task restricted to at most one node in 8 scores its
/// allowed nodes instead.
///
/// Complexity per placement: O(types x log(nodes)) and O(log(nodes)) per node walked, usually
/// one or two per type (nodes of equal weighted free fraction but different free rows are all
/// walked); when the walk gives up, O(log(nodes) + 8) x resources per subtree searched, every
/// leaf of 8 nodes at worst; O(log(nodes)) x resources to file the node placed on again.
/// Memory: the treap (29 bytes per node and 4 x (1 + min(resources, 4)) per node and
/// resource), the groups of alike nodes (9 bytes per node, about 50 per group), the node tree if
/// a query needs it, the weights.
#[derive(Debug, Clone, Default)]
pub struct WorstFit {
    weights: Weights,
}

/// LeastAllocated: `sum_r w_r * (1 - u_r) / sum_r w_r` with `u_r = min(1, (capacity_r - free_r +
/// demand_r) / capacity_r)`, over the resources the node has; kube-scheduler's
/// `(capacity - requested) * 100 / capacity`, kept as a fraction.
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::least_allocated;
/// // cpu 6 of 8 used after placement, memory 2 of 8: (0.25 + 0.75) / 2.
/// let (d, f, c) = (array![2.0, 1.0], array![4.0, 7.0], array![8.0, 8.0]);
/// assert_eq!(least_allocated(d.view(), f.view(), c.view(), &[1.0, 1.0]), 0.5);
/// ```
pub fn least_allocated(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    weights: &[f64],
) -> f64 {
    let left = used_after(demand, free, capacity).map(|(r, u)| (r, 1.0 - u));
    weighted_mean(left, weights)
}

/// The bound of [`least_allocated`] over a subtree: each utilization at its lowest (most free
/// fraction, smallest demand share), the same mean; and, where utilizations follow free
/// fractions linearly, `(most weighted free - sum w x least share) / W + TOLERANCE` (padded; a
/// node the task fits has each free fraction at least the share less the tolerance), which does
/// not take each resource's most free fraction from another node. The smaller of the two.
pub(crate) fn least_allocated_bound(
    demand: &[f64],
    s: &Summary<'_>,
    weights: &[f64],
    _floor: f64,
) -> f64 {
    mean_bounds(
        (demand, s, weights),
        |r| s.share_lo(demand[r], r),
        |r, q| 1.0 - utilization(s.phi_hi[r], q),
        |total, shares| left_after(s.linear.1, shares, total),
    )
}

/// The bound of [`least_allocated`] on a machine type at weighted free fraction `emptiest`
/// (nodes with less have a lower bound): [`left_after`], padded.
fn least_allocated_linear(emptiest: f64, shares: f64, total: f64) -> f64 {
    pad(left_after(emptiest, shares, total))
}

/// LeastAllocated through the weighted sum of free fractions `linear` of a node: at most
/// `(linear - sum w x share) / W + TOLERANCE` (a node the task fits has each free fraction at
/// least its share less the tolerance), in real numbers; callers pad it.
fn left_after(linear: f64, shares: f64, total: f64) -> f64 {
    (linear - shares) / total + TOLERANCE
}

impl WorstFit {
    /// Worst fit with every resource weighted 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Worst fit with these per-resource weights (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

impl Strategy for WorstFit {
    fn name(&self) -> &str {
        "worst_fit"
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
            (least_allocated, least_allocated_bound),
            (least_allocated_linear, Walk::Emptiest),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn picks_the_node_emptiest_after_placement() {
        // Node 1 is larger. Task 0 (4, 1) leaves (6/10 + 9/10)/2 = 0.75 on node 0, (16/20 +
        // 19/20)/2 = 0.875 on node 1: node 1. Task 1 (2, 1): node 0 0.85, node 1 (14/20 +
        // 18/20)/2 = 0.8: node 0. Task 2 (8, 1): node 0 (0 + 0.8)/2 = 0.4, node 1 (8/20 + 18/20)/2
        // = 0.65: node 1. Task 3 (6, 1): node 0 (0.2 + 0.8)/2 = 0.5, node 1 (2/20 + 17/20)/2 =
        // 0.475: node 0.
        let p = problem(
            array![[10.0, 10.0], [20.0, 20.0]],
            array![[4.0, 1.0], [2.0, 1.0], [8.0, 1.0], [6.0, 1.0]],
        );
        let got = place(&WorstFit::new(), &p);
        assert_eq!(got.assignment, vec![Some(1), Some(0), Some(1), Some(0)]);
        let (d, f, c) = (array![4.0, 1.0], array![20.0, 20.0], array![20.0, 20.0]);
        assert_eq!(
            least_allocated(d.view(), f.view(), c.view(), &[1.0, 1.0]),
            0.875
        );
        assert_eq!(
            least_allocated(d.view(), f.view(), c.view(), &[1.0, 0.0]),
            0.8
        );
    }
}
