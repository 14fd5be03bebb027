//! Primal heuristic: the restricted master as an integer program over the columns generated so
//! far (price and branch), solved with good_lp's MILP back end under a time cap.
//!
//! ```text
//! min sum_p lambda[p]   s.t.  sum_p counts[p][i] * lambda[p] >= left[i],
//!                             sum_{p of type k} lambda[p] <= free[k],
//!                             sum_p lambda[p] <= target,   lambda integer >= 0
//! ```
//!
//! A solution covers every task, maybe some twice; the surplus is taken out of the bins, which
//! keeps them packable. Complexity: one MILP of columns x item types; the time cap bounds it.

use super::instance::{Bin, Instance, Residual};
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};
use std::time::Duration;

/// Packs every task of `left` into at most `target` bins chosen among `columns`, or `None`
/// when the MILP finds none within `time_limit` (or fails).
pub fn solve(
    instance: &Instance,
    left: &Residual,
    columns: &[Bin],
    target: usize,
    time_limit: Duration,
) -> Option<Vec<Bin>> {
    let mut vars = ProblemVariables::new();
    let lambda: Vec<Variable> = columns
        .iter()
        .map(|c| vars.add(variable().integer().min(0).max(left.nodes[c.node_type])))
        .collect();
    let total: Expression = lambda.iter().copied().sum();
    let mut model = crate::lp::backend(vars.minimise(total.clone()), time_limit);
    for (i, &m) in left.items.iter().enumerate().filter(|(_, m)| **m > 0) {
        let covered: Expression = columns
            .iter()
            .zip(&lambda)
            .filter(|(c, _)| c.counts[i] > 0)
            .map(|(c, &v)| f64::from(c.counts[i]) * v)
            .sum();
        model.add_constraint(covered.geq(f64::from(m)));
    }
    for (k, &free) in left.nodes.iter().enumerate() {
        let used: Expression = columns
            .iter()
            .zip(&lambda)
            .filter(|(c, _)| c.node_type == k)
            .map(|(_, &v)| v)
            .sum();
        model.add_constraint(used.leq(f64::from(free)));
    }
    model.add_constraint(total.leq(target as f64));
    let solution = model.solve().ok()?;
    let mut bins = Vec::new();
    for (c, &v) in columns.iter().zip(&lambda) {
        let copies = solution.value(v).round().max(0.0) as usize;
        bins.extend(std::iter::repeat_n(c.clone(), copies));
    }
    trim(left, &mut bins);
    let placed_all = (0..left.items.len())
        .all(|i| bins.iter().map(|b| b.counts[i]).sum::<u32>() == left.items[i]);
    (placed_all && bins.iter().all(|b| instance.is_packable(b))).then_some(bins)
}

/// Takes surplus tasks out of the bins (last bins first) and drops bins left empty.
fn trim(left: &Residual, bins: &mut Vec<Bin>) {
    for (i, &m) in left.items.iter().enumerate() {
        let mut surplus = bins
            .iter()
            .map(|b| b.counts[i])
            .sum::<u32>()
            .saturating_sub(m);
        for bin in bins.iter_mut().rev() {
            let take = surplus.min(bin.counts[i]);
            bin.counts[i] -= take;
            surplus -= take;
        }
    }
    bins.retain(|b| b.counts.iter().any(|&c| c > 0));
}
