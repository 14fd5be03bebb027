//! `balanced`: kube-scheduler's BalancedAllocation score, the node whose resources end up
//! equally used.

use super::score::{BoundFn, ScoreFn, pad, scored_around, used_after, utilization};
use super::{Options, Selector, Strategy};
use crate::index::{Summary, scratch};
use crate::model::Problem;
use crate::state::TOLERANCE;
use ndarray::ArrayView1;

/// The fitting node where the utilization fractions of the resources are closest to each other
/// after placement (smallest standard deviation): kube-scheduler's
/// `NodeResourcesBalancedAllocation` plugin (`balanced_allocation.go`), enabled by default next
/// to LeastAllocated, after Wei Huang et al., "An energy efficient virtual machine placement
/// algorithm with balanced resource utilization" (2013). It avoids nodes with one resource
/// exhausted and the others idle (stranded capacity). Tasks in priority order.
///
/// Index: on each machine type, the gap of two resources' utilizations after placement is the
/// distance of the node's difference of free fractions `phi_a - phi_b` from the task's `q_a -
/// q_b`; with two resources the score is 1 minus half that gap, with more at most 1 minus the
/// gap over their number. So each type's nodes are kept in order of that difference (the
/// Linear index's treap, which passes over subtrees too full for the task) and walked from the
/// task's value outward both ways until the bound falls below the best score found: exact (the
/// choice of scoring every node, ties to the lowest index). Where that index gives up (more
/// than 16 machine types, a type with one resource, negative demands, more free than capacity,
/// more than 4,096 nodes visited), branch and bound over the node tree (nodes of one capacity
/// grouped); its bound is 1 minus a lower bound of the standard deviation from each subtree's
/// ranges of utilization after placement. A task restricted to at most one node in 8 scores
/// its allowed nodes instead.
///
/// Complexity per placement: O(types x log(nodes)) to start the walks and O(log(nodes) +
/// resources) per node visited, subtrees too full passed over whole; each placement re-files
/// one node, O(log(nodes)). On a three-resource type the bound counts one pair only, so more of
/// its nodes are visited. The node tree's fallback: O(log(nodes) + 8) x resources^2 per
/// subtree searched, loose where a subtree mixes nodes on both sides of the task's shape.
/// Memory: the node tree and the Linear index (see the memory table in the README).
#[derive(Debug, Clone, Copy, Default)]
pub struct Balanced;

/// BalancedAllocation: `1 - std`, where `std = sqrt(sum_r (u_r - mean)^2 / k)` over the `k`
/// resources the node has, `u_r = min(1, (capacity_r - free_r + demand_r) / capacity_r)`. With two
/// resources this is kube-scheduler's `1 - |u_cpu - u_mem| / 2`; with one, 1. Range 0..=1.
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::balance_score;
/// // After placement cpu is 0.75 used, memory 0.25: std 0.25, score 0.75.
/// let (d, f, c) = (array![2.0, 1.0], array![4.0, 7.0], array![8.0, 8.0]);
/// assert_eq!(balance_score(d.view(), f.view(), c.view(), &[]), 0.75);
/// ```
pub fn balance_score(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    _weights: &[f64],
) -> f64 {
    balance_of(used_after(demand, free, capacity).map(|(_, u)| u))
}

/// `1 - std` of some utilizations; 1 for none.
fn balance_of(fractions: impl Iterator<Item = f64> + Clone) -> f64 {
    let (sum, k) = fractions
        .clone()
        .fold((0.0, 0usize), |(s, k), u| (s + u, k + 1));
    if k == 0 {
        return 1.0;
    }
    let k = k as f64;
    let mean = sum / k;
    let variance = fractions.map(|u| (u - mean).powi(2)).sum::<f64>() / k;
    1.0 - variance.sqrt()
}

/// The bound of [`balance_score`] over a subtree. Utilizations after placement `u_r = 1 -
/// phi_r + q_r` lie in ranges `[lo_r, hi_r]`; the variance is `sum_{a<b} (u_a - u_b)^2 / k^2`, so
/// at least the same sum of squared gaps: for each pair, the distance from 0 of the range of
/// `u_a - u_b`, from the ranges of `u_a` and `u_b`, or, tighter, from the subtree's range of
/// `phi_a - phi_b` (less the tolerance, which the cap of utilizations at 1 may take off for a
/// node the task fits). Exact for two resources; the score itself where every node of the
/// subtree is alike; 1 where nodes have different resources.
pub(crate) fn balance_bound(demand: &[f64], s: &Summary<'_>, _weights: &[f64], _floor: f64) -> f64 {
    if s.all != s.any {
        return 1.0;
    }
    let r = demand.len();
    scratch(2 * r, |q| {
        let (q_lo, q_hi) = q.split_at_mut(r);
        bound_with(demand, s, q_lo, q_hi)
    })
}

/// [`balance_bound`] with room for the demand shares.
fn bound_with(demand: &[f64], s: &Summary<'_>, q_lo: &mut [f64], q_hi: &mut [f64]) -> f64 {
    let r = demand.len();
    for j in (0..r).filter(|&j| s.every(j)) {
        (q_lo[j], q_hi[j]) = s.share(demand[j], j);
    }
    let high = |j: usize| utilization(s.phi_lo[j], q_hi[j]);
    let present = (0..r).filter(|&j| s.every(j));
    if s.is_point() {
        return balance_of(present.map(high));
    }
    let low = |j: usize| utilization(s.phi_hi[j], q_lo[j]);
    // The pair ranges hold where utilizations are not capped below (no negative demand, no
    // more free than capacity).
    let linear = present
        .clone()
        .all(|j| demand[j] >= 0.0 && s.phi_hi[j] <= 1.0);
    let (mut gaps, mut k, mut pair) = (0.0, 0usize, 0);
    for a in 0..r {
        k += usize::from(s.every(a));
        for b in a + 1..r {
            if s.every(a) && s.every(b) {
                let mut gap = (low(a) - high(b)).max(low(b) - high(a)).max(0.0);
                if linear && !s.pair_lo.is_empty() {
                    // u_a - u_b = (q_a - q_b) - (phi_a - phi_b).
                    let lo = q_lo[a] - q_hi[b] - s.pair_hi[pair];
                    let hi = q_hi[a] - q_lo[b] - s.pair_lo[pair];
                    gap = gap.max(lo.max(-hi).max(0.0) - 2.0 * TOLERANCE);
                }
                gaps += gap * gap;
            }
            pair += 1;
        }
    }
    if k == 0 {
        return 1.0;
    }
    let variance = gaps / (k * k) as f64;
    pad(1.0 - variance.sqrt()).min(1.0)
}

/// The bound of [`balance_score`] on a machine type of `count` resources, over its nodes whose
/// difference of the first two free fractions `phi_a - phi_b` is at least as far from the
/// task's `q_a - q_b` (`task`) as `difference` is: their utilizations after placement differ by
/// that distance (`u_a - u_b = (q_a - q_b) - (phi_a - phi_b)`), less the tolerance that the cap
/// of utilizations at 1 may take off for a node the task fits; the standard deviation is at
/// least their difference over `count` (exactly half of it for two resources). Padded.
fn balance_around(difference: f64, task: f64, count: f64) -> f64 {
    let gap = ((task - difference).abs() - 2.0 * TOLERANCE).max(0.0);
    pad(1.0 - gap / count)
}

impl Strategy for Balanced {
    fn name(&self) -> &str {
        "balanced"
    }

    fn samples(&self) -> bool {
        true
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        let rule = (balance_score as ScoreFn, balance_bound as BoundFn);
        scored_around(problem, options, rule, balance_around)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn picks_the_node_whose_resources_end_up_equally_used() {
        // Node 0 holds a cpu-heavy task (cpu 0.6, memory 0.1 used), node 1 a memory-heavy one
        // (0.1, 0.6). Task 2 is memory-heavy (0.1, 0.5): on node 0 it gives (0.7, 0.6), std
        // 0.05; on node 1 (0.2, 1.1 -> does not fit). Task 3 is cpu-heavy (0.3, 0.0): node 0
        // would give (1.0, 0.6), std 0.2; node 1 (0.4, 0.6), std 0.1: node 1.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [1.0, 6.0], [1.0, 5.0], [3.0, 0.0]],
        )
        .with_allowed_nodes(vec![Some(vec![0]), Some(vec![1]), None, None])
        .unwrap();
        let got = place(&Balanced, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
        // Three resources: fractions 0.2, 0.5, 0.8 -> std sqrt(0.06) ~ 0.2449.
        let (d, f, c) = (
            array![0.0, 0.0, 0.0],
            array![8.0, 5.0, 2.0],
            array![10.0, 10.0, 10.0],
        );
        let s = balance_score(d.view(), f.view(), c.view(), &[]);
        assert!((s - (1.0 - 0.06f64.sqrt())).abs() < 1e-12, "{s}");
    }
}
