//! `norm_diff`: the smallest L2 norm of the capacity left free after placement.

use super::fill::fill;
use super::score::{Weights, pad, scored};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::index::Summary;
use crate::model::Problem;
use crate::placement::Placement;
use ndarray::ArrayView1;

/// The norm-based greedy heuristic of Panigrahy et al., "Heuristics for vector bin packing"
/// (Microsoft Research, 2011), written for VM placement: the pair of task and node that leaves
/// the smallest L2 norm of normalised free capacity, i.e. the tightest fit in every resource at
/// once. Among the best performers of that study.
///
/// - A whole batch ([`Strategy::place`]) is packed node by node, as in the paper's bin-centric
///   form: the node takes the fitting task that minimises the norm until none fits, higher
///   priorities first. O(tasks x (tasks + nodes) x resources).
/// - One task at a time ([`Strategy::selector`]) it goes to the fitting node that minimises the
///   norm: a best fit in the L2 sense. Indexed: branch and bound over the node tree, the bound
///   from the least possible residual per resource in each subtree's ranges, exact (the same
///   node as scoring every node, ties to the lowest index); O(log(nodes) + 8) x resources per
///   subtree searched, like `best_fit` a few when tight fits are together, every leaf at worst.
///   Memory: the node tree.
#[derive(Debug, Clone, Default)]
pub struct NormDiff {
    weights: Weights,
}

/// Minus the weighted L2 norm of the free capacity left: `-sqrt(sum_r w_r * ((free_r - demand_r)
/// / capacity_r)^2)` over the resources the node has (higher is better, as every score here).
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::residual_norm;
/// // Left free: (4 - 1)/10 = 0.3 and (10 - 6)/10 = 0.4, norm 0.5.
/// let (d, f, c) = (array![1.0, 6.0], array![4.0, 10.0], array![10.0, 10.0]);
/// let s = residual_norm(d.view(), f.view(), c.view(), &[1.0, 1.0]);
/// assert!((s + 0.5).abs() < 1e-12);
/// ```
pub fn residual_norm(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    weights: &[f64],
) -> f64 {
    let mut sum = 0.0;
    for (r, ((&d, &f), &c)) in demand.iter().zip(free).zip(capacity).enumerate() {
        if c > 0.0 {
            sum += weights[r] * (f / c - d / c).powi(2);
        }
    }
    -sum.sqrt()
}

/// The bound of [`residual_norm`] over a subtree: per resource that every node has, the least
/// square of `free fraction - share` over their ranges (0 if the range holds 0), padded unless
/// every node of the subtree is alike (then the score itself).
pub(crate) fn residual_bound(demand: &[f64], s: &Summary<'_>, weights: &[f64], _floor: f64) -> f64 {
    let point = s.is_point();
    let mut sum = 0.0;
    for (r, &d) in demand.iter().enumerate().filter(|&(r, _)| s.every(r)) {
        let (q_lo, q_hi) = s.share(d, r);
        let (lo, hi) = (s.phi_lo[r] - q_hi, s.phi_hi[r] - q_lo);
        let least = if point || lo > 0.0 {
            lo
        } else if hi < 0.0 {
            hi
        } else {
            0.0
        };
        sum += weights[r] * least.powi(2);
    }
    if point { -sum.sqrt() } else { pad(-sum.sqrt()) }
}

impl NormDiff {
    /// The norm with every resource weighted 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The norm with these per-resource weights (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

impl Strategy for NormDiff {
    fn name(&self) -> &str {
        "norm_diff"
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        scored(
            problem,
            options,
            &self.weights,
            residual_norm,
            residual_bound,
        )
    }

    fn place(&self, problem: &Problem, _: &Options) -> Result<Placement> {
        let weights = self.weights.resolve(problem.resources().len())?;
        Ok(fill(problem, residual_norm, &weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn fills_a_node_with_the_tasks_that_leave_the_least() {
        // Node 0 (10, 10) empty: t2 (5, 5) leaves norm sqrt(0.5) ~ 0.71, t0 (6, 2) sqrt(0.16 +
        // 0.64) ~ 0.89, t1 (2, 6) the same, t3 (4, 4) sqrt(0.72) ~ 0.85: t2, free (5, 5). Then
        // t3 leaves sqrt(0.02) ~ 0.14 (t0 and t1 do not fit): t3, free (1, 1). Node 1 takes t0
        // (a tie with t1, lower index), then t1, leaving (0.2, 0.2).
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 2.0], [2.0, 6.0], [5.0, 5.0], [4.0, 4.0]],
        );
        let got = place(&NormDiff::new(), &p);
        assert_eq!(got.assignment, vec![Some(1), Some(1), Some(0), Some(0)]);
    }

    #[test]
    fn one_task_at_a_time_it_is_a_best_fit() {
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 5.0], [2.0, 2.0]],
        );
        let mut state = State::new(&p);
        state.place(0, 0).unwrap();
        let mut selector = NormDiff::new().selector(&p, &Options::default()).unwrap();
        assert_eq!(selector.select(&state, 1), Some(0));
    }
}
