//! The restricted master LP of the pattern (set-cover) formulation, through good_lp.
//!
//! Over a set of columns (bins), with `lambda[p]` the number of nodes packed as bin `p`:
//!
//! ```text
//! min  sum_p lambda[p] + big * sum_i s[i]
//! s.t. sum_p counts[p][i] * lambda[p] + s[i] >= left[i]   for each item type i   (dual pi[i] >= 0)
//!      sum_{p of node type k} lambda[p]      <= free[k]   for each node type k   (dual mu[k] <= 0)
//!      lambda, s >= 0
//! ```
//!
//! The artificial `s` keeps every restricted master feasible (when the node counts bind, or
//! before enough columns exist). The duals need not be exact: the bound is proven from them
//! with exactly solved pricing problems ([`super::bound`]).
//!
//! Back end: Clarabel (pure Rust, interior point) by default, HiGHS with the `highs` feature.

use super::instance::{Bin, Instance, Residual};
use good_lp::{
    Constraint, Expression, ProblemVariables, Solution, SolutionWithDual, SolverModel, Variable,
    constraint::ConstraintReference, variable,
};

/// A solved restricted master.
#[derive(Debug, Clone, PartialEq)]
pub struct MasterLp {
    /// The objective value (including artificial cost).
    pub value: f64,
    /// Per column, its value.
    pub lambda: Vec<f64>,
    /// Per item type, the dual of its cover row (0 for types with nothing left).
    pub pi: Vec<f64>,
    /// Per node type, the dual of its count row (at most 0).
    pub mu: Vec<f64>,
    /// Total value of the artificial variables.
    pub artificial: f64,
}

/// Solves the restricted master over `columns` for `residual`.
///
/// Complexity: one LP of (item types + node types) rows and (columns + item types) columns.
/// Errors: the back end's message.
pub fn solve(
    instance: &Instance,
    residual: &Residual,
    columns: &[Bin],
    big: f64,
) -> Result<MasterLp, String> {
    let mut vars = ProblemVariables::new();
    let lambda: Vec<Variable> = columns
        .iter()
        .map(|_| vars.add(variable().min(0.0)))
        .collect();
    let rows: Vec<usize> = (0..instance.items.len())
        .filter(|&i| residual.items[i] > 0)
        .collect();
    let slack: Vec<Variable> = rows.iter().map(|_| vars.add(variable().min(0.0))).collect();
    let objective: Expression = lambda.iter().copied().sum::<Expression>()
        + big * slack.iter().copied().sum::<Expression>();
    let mut constraints: Vec<Constraint> = Vec::new();
    for (&i, &s) in rows.iter().zip(&slack) {
        let covered: Expression = columns
            .iter()
            .zip(&lambda)
            .filter(|(c, _)| c.counts[i] > 0)
            .map(|(c, &v)| f64::from(c.counts[i]) * v)
            .sum();
        constraints.push((covered + s).geq(f64::from(residual.items[i])));
    }
    let count_rows: Vec<usize> = (0..instance.nodes.len())
        .filter(|&k| columns.iter().any(|c| c.node_type == k))
        .collect();
    for &k in &count_rows {
        let used: Expression = columns
            .iter()
            .zip(&lambda)
            .filter(|(c, _)| c.node_type == k)
            .map(|(_, &v)| v)
            .sum();
        constraints.push(used.leq(f64::from(residual.nodes[k])));
    }
    let (values, duals) = backend::solve(vars.minimise(objective.clone()), constraints, |s| {
        lambda
            .iter()
            .chain(&slack)
            .map(|&v| s.value(v))
            .collect::<Vec<f64>>()
    })?;
    let (lam, art) = values.split_at(lambda.len());
    let mut pi = vec![0.0; instance.items.len()];
    for (&i, d) in rows.iter().zip(&duals) {
        pi[i] = d.max(0.0);
    }
    let mut mu = vec![0.0; instance.nodes.len()];
    for (&k, d) in count_rows.iter().zip(&duals[rows.len()..]) {
        mu[k] = d.min(0.0);
    }
    let lam: Vec<f64> = lam.iter().map(|v| v.max(0.0)).collect();
    let artificial: f64 = art.iter().map(|v| v.max(0.0)).sum();
    Ok(MasterLp {
        value: lam.iter().sum::<f64>() + big * artificial,
        lambda: lam,
        pi,
        mu,
        artificial,
    })
}

/// Solves with the selected back end; returns `read(solution)` and the duals of `constraints`
/// in order.
#[cfg(feature = "highs")]
mod backend {
    use super::*;

    pub fn solve<T>(
        problem: good_lp::variable::UnsolvedProblem,
        constraints: Vec<Constraint>,
        read: impl Fn(&good_lp::solvers::highs::HighsSolution) -> T,
    ) -> Result<(T, Vec<f64>), String> {
        let mut model = problem
            .using(good_lp::solvers::highs::highs)
            .set_threads(1)
            .set_parallel(good_lp::solvers::highs::HighsParallelType::Off);
        let refs = add_all(&mut model, constraints);
        let mut solution = model.solve().map_err(|e| e.to_string())?;
        let value = read(&solution);
        let duals = solution.compute_dual();
        let duals = refs
            .into_iter()
            .map(|r| good_lp::DualValues::dual(&duals, r))
            .collect();
        Ok((value, duals))
    }
}

#[cfg(all(feature = "clarabel", not(feature = "highs")))]
mod backend {
    use super::*;

    pub fn solve<T>(
        problem: good_lp::variable::UnsolvedProblem,
        constraints: Vec<Constraint>,
        read: impl Fn(&good_lp::solvers::clarabel::ClarabelSolution) -> T,
    ) -> Result<(T, Vec<f64>), String> {
        let mut model = problem.using(good_lp::solvers::clarabel::clarabel);
        let refs = add_all(&mut model, constraints);
        let mut solution = model.solve().map_err(|e| e.to_string())?;
        let value = read(&solution);
        let duals = solution.compute_dual();
        let duals = refs
            .into_iter()
            .map(|r| good_lp::DualValues::dual(&duals, r))
            .collect();
        Ok((value, duals))
    }
}

#[cfg(not(any(feature = "clarabel", feature = "highs")))]
compile_error!(
    "packsched's exact solver needs an LP back end: enable `clarabel` (a default) or `highs`"
);

fn add_all(model: &mut impl SolverModel, constraints: Vec<Constraint>) -> Vec<ConstraintReference> {
    constraints
        .into_iter()
        .map(|c| model.add_constraint(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn duals_price_the_cover_rows() {
        // Two items of 6 on three nodes of 10: only singletons exist, LP value 2, the cover
        // dual 1 (the count row does not bind: its dual is 0).
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [6.0, 1.0]],
        );
        let inst = Instance::new(&p);
        let res = inst.full();
        let cols = vec![Bin {
            node_type: 0,
            counts: vec![1],
        }];
        let lp = solve(&inst, &res, &cols, 10.0).unwrap();
        assert!((lp.value - 2.0).abs() < 1e-6, "{lp:?}");
        assert!((lp.pi[0] - 1.0).abs() < 1e-6, "{lp:?}");
        assert!(lp.mu[0].abs() < 1e-6, "{lp:?}");
        assert!(lp.artificial < 1e-6);
    }
}
