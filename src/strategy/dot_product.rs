//! `dot_product`: Tetris's alignment of the task's demand with the node's free capacity.

use super::fill::fill;
use super::score::{Weights, pad, scored};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::index::{Summary, scratch};
use crate::model::Problem;
use crate::placement::Placement;
use ndarray::ArrayView1;

/// Tetris's packing (Grandl et al., "Multi-resource packing for cluster schedulers", SIGCOMM
/// 2014; prototyped in YARN): the alignment score of a task and a node is the dot product of the
/// task's demand and the node's free capacity, both normalised by the node's capacity. It favours
/// a task whose shape matches what the node has left, so nodes fill evenly in every resource.
///
/// - A whole batch ([`Strategy::place`]) is packed as Tetris matches work to a machine with free
///   resources: node by node, the node takes the fitting task of highest alignment until none
///   fits, higher priorities first (Panigrahy et al.'s bin-centric DotProduct heuristic).
///   O(tasks x (tasks + nodes) x resources).
/// - One task at a time ([`Strategy::selector`], for a simulator) it goes to the fitting node of
///   highest alignment, which, since an emptier node has more free capacity, spreads tasks like
///   `worst_fit` does. Indexed: branch and bound over the node tree with the alignment at each
///   subtree's largest free fraction and share as the bound, exact (the same node as scoring
///   every node, ties to the lowest index); O(log(nodes) + 8) x resources per subtree
///   searched, usually few since the emptiest nodes align best. Memory: the node tree.
#[derive(Debug, Clone, Default)]
pub struct DotProduct {
    weights: Weights,
}

/// The alignment `sum_r w_r * (demand_r / capacity_r) * (free_r / capacity_r)` over the
/// resources the node has (free capacity before placement, as in Tetris).
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::alignment;
/// // (2/8)(4/8) + (1/4)(2/4) = 0.125 + 0.125
/// let (d, f, c) = (array![2.0, 1.0], array![4.0, 2.0], array![8.0, 4.0]);
/// assert_eq!(alignment(d.view(), f.view(), c.view(), &[1.0, 1.0]), 0.25);
/// ```
pub fn alignment(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    weights: &[f64],
) -> f64 {
    if let (Some(d), Some(f), Some(c)) = (demand.as_slice(), free.as_slice(), capacity.as_slice()) {
        return alignment_rows(d, f, c, weights);
    }
    let mut score = 0.0;
    for (r, ((&d, &f), &c)) in demand.iter().zip(free).zip(capacity).enumerate() {
        if c > 0.0 {
            score += weights[r] * (d / c) * (f / c);
        }
    }
    score
}

/// [`alignment`] over contiguous rows: the same sum, in the same order.
fn alignment_rows(demand: &[f64], free: &[f64], capacity: &[f64], weights: &[f64]) -> f64 {
    let r = demand.len();
    let (free, capacity, weights) = (&free[..r], &capacity[..r], &weights[..r]);
    let mut score = 0.0;
    for j in 0..r {
        let c = capacity[j];
        if c > 0.0 {
            score += weights[j] * (demand[j] / c) * (free[j] / c);
        }
    }
    score
}

/// The bound of [`alignment`] over a subtree: per resource the largest product of a share and
/// a free fraction in their ranges (a resource only some nodes have: at least 0). With no
/// negative demand or free fraction this is the score at the corner of largest shares and free
/// fractions, exact in floating point (every operation is monotone there); otherwise padded. The
/// smaller of that and [`linear_alignment`].
pub(crate) fn alignment_bound(demand: &[f64], s: &Summary<'_>, weights: &[f64], floor: f64) -> f64 {
    scratch(demand.len(), |q| bound_with((demand, s, weights), q, floor))
}

/// [`alignment_bound`] with room for the demand shares.
fn bound_with(
    (demand, s, weights): (&[f64], &Summary<'_>, &[f64]),
    q: &mut [f64],
    floor: f64,
) -> f64 {
    let mut monotone = true;
    let mut score = 0.0;
    for (r, &d) in demand.iter().enumerate().filter(|&(r, _)| s.some(r)) {
        q[r] = s.share_hi(d, r);
        monotone &= d >= 0.0 && s.phi_lo[r] >= 0.0;
        let corner = |q: f64, phi: f64| weights[r] * q * phi;
        let term = if monotone {
            corner(q[r], s.phi_hi[r])
        } else {
            let q_lo = s.share_lo(d, r);
            corner(q[r], s.phi_hi[r])
                .max(corner(q_lo, s.phi_hi[r]))
                .max(corner(q[r], s.phi_lo[r]))
                .max(corner(q_lo, s.phi_lo[r]))
        };
        score += if s.every(r) { term } else { term.max(0.0) };
    }
    if !monotone {
        return if s.is_point() { score } else { pad(score) };
    }
    if score < floor || s.is_point() {
        // Below the best found already (the tighter bound is not needed), or every node's
        // score.
        return score;
    }
    score.min(linear_alignment(q, s, weights, floor).map_or(f64::INFINITY, pad))
}

/// With shares `q_r` at most `q_hi_r` (given): for a linear key `sum_r v_r phi_r` at most `H`
/// over the subtree and any `lambda >= 0`, `sum_r w_r q_r phi_r` is at most `lambda x H + sum_r
/// (w_r q_hi_r - lambda v_r)^+ phi_hi_r`: the bulk of the score taken from one node's free
/// fractions together. `lambda = min_r q_hi_r / t_r` over the weighted resources, with `v_r =
/// t_r w_r` (exact when the task's shape is the key's). The lesser over the plain key (`t = 1`)
/// and the key tilted toward the resource of the largest share (`t_k = 2`), the nearest the
/// task's shape (on the fleet benchmark the other tilts never gave a lesser bound: the same
/// subtrees searched, at 3/4 of the cost). For no negative share or free fraction (the caller's
/// test); `None` for nodes with different resources. Multiplications only: it runs for every
/// subtree a search visits.
fn linear_alignment(q_hi: &[f64], s: &Summary<'_>, weights: &[f64], floor: f64) -> Option<f64> {
    if s.all != s.any {
        return None;
    }
    // The weighted resources the nodes have, as bits; the two least shares among them.
    let present = (0..q_hi.len())
        .filter(|&j| s.every(j) && weights[j] > 0.0)
        .fold(0u64, |m, j| m | 1 << j);
    let ones = || {
        let mut m = present;
        std::iter::from_fn(move || {
            (m != 0).then(|| {
                let j = m.trailing_zeros() as usize;
                m &= m - 1;
                j
            })
        })
    };
    let (mut least, mut second, mut at) = (f64::INFINITY, f64::INFINITY, usize::MAX);
    for j in ones() {
        if q_hi[j] < least {
            (second, least, at) = (least, q_hi[j], j);
        } else {
            second = second.min(q_hi[j]);
        }
    }
    let through = |tilt: usize, most: f64| {
        // `tilt` out of range: the plain key.
        let others = if tilt == at { second } else { least };
        let lambda = if tilt < q_hi.len() {
            others.min(q_hi[tilt] * 0.5)
        } else {
            least
        };
        let lambda = if lambda.is_finite() { lambda } else { 0.0 };
        let mut rest = 0.0;
        for j in ones() {
            let factor = if j == tilt { 2.0 } else { 1.0 };
            rest += (weights[j] * (q_hi[j] - lambda * factor)).max(0.0) * s.phi_hi[j];
        }
        lambda * most + rest
    };
    // A tilt toward a resource the nodes lack (or unweighted) is the plain key.
    let mut best = through(usize::MAX, s.linear.1);
    let largest = ones().max_by(|&a, &b| q_hi[a].total_cmp(&q_hi[b]));
    if let Some(k) = largest.filter(|_| pad(best) >= floor) {
        best = best.min(through(k, s.tilted[k]));
    }
    Some(best)
}

impl DotProduct {
    /// The alignment with every resource weighted 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The alignment with these per-resource weights (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

impl Strategy for DotProduct {
    fn name(&self) -> &str {
        "dot_product"
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        scored(problem, options, &self.weights, alignment, alignment_bound)
    }

    fn place(&self, problem: &Problem, _: &Options) -> Result<Placement> {
        let weights = self.weights.resolve(problem.resources().len())?;
        Ok(fill(problem, alignment, &weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn fills_a_node_with_the_best_aligned_tasks() {
        // Node 0 empty (10, 10). Alignments: t0 (6, 1) 0.6 + 0.1 = 0.7, t1 (1, 6) 0.7, t2 (3, 3)
        // 0.6, t3 (4, 4) 0.8: t3 first, free (6, 6). Then t0 0.36 + 0.06 = 0.42, t1 0.42, t2
        // 0.36: t0 (tie, lower index), free (0, 5), where nothing else fits. Node 1 takes t1
        // (0.7 against 0.6), then t2 (free (9, 4): 0.27 + 0.12).
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [1.0, 6.0], [3.0, 3.0], [4.0, 4.0]],
        );
        let got = place(&DotProduct::new(), &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(1), Some(0)]);
    }

    #[test]
    fn one_task_at_a_time_it_prefers_the_node_with_more_room() {
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 5.0], [2.0, 2.0]],
        );
        let mut state = State::new(&p);
        state.place(0, 0).unwrap();
        let mut selector = DotProduct::new().selector(&p, &Options::default()).unwrap();
        // Node 0: 0.2 * 0.5 * 2 = 0.2; node 1: 0.2 * 1.0 * 2 = 0.4.
        assert_eq!(selector.select(&state, 1), Some(1));
    }
}
