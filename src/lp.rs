//! The assignment MILP behind `lp_optimal`, modelled with good_lp.
//!
//! Variables: `y[j]` (node `j` used), `x[i][j]` (task `i` on node `j`, only for pairs where the
//! task may run on the node and fits it empty). Two forms:
//! - when the starting solution places every task that fits some node, every such task must be
//!   placed (`sum_j x[i][j] = 1`), the objective is `min sum y`, and the lower bound is a
//!   constraint (`sum y >= bound`), so that the solver stops as soon as it meets it;
//! - otherwise, maximise the tasks placed, then minimise the nodes used:
//!   `min sum y - (nodes + 1) * sum x` with `sum_j x[i][j] <= 1`, so one more task placed is
//!   always worth more than every node.
//!
//! Constraints of both forms:
//! - capacity, per node and resource: `sum_i d[i][r] x[i][j] <= c[j][r] y[j]`;
//! - linking, a valid inequality that tightens the relaxation: `x[i][j] <= y[j]`;
//! - symmetry breaking among identical nodes `j < k`: `y[j] >= y[k]`.

use crate::model::Problem;
use crate::state::check_fit;
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};
use std::time::Duration;

/// What the MILP returned.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpResult {
    /// For every task its node, or `None`.
    pub assignment: Vec<Option<usize>>,
    /// Whether the solver proved this optimal.
    pub proven: bool,
}

/// Interchangeable nodes, grouped (each group in index order): identical capacity rows, and
/// admitted by the same tasks.
pub fn node_types(problem: &Problem) -> Vec<Vec<usize>> {
    let restricted: Vec<usize> = (0..problem.tasks())
        .filter(|&t| problem.allowed_nodes(t).is_some())
        .collect();
    let same = |a: usize, b: usize| {
        problem.capacity(a) == problem.capacity(b)
            && restricted
                .iter()
                .all(|&t| problem.allowed(t, a) == problem.allowed(t, b))
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for node in 0..problem.nodes() {
        match groups.iter_mut().find(|g| same(g[0], node)) {
            Some(group) => group.push(node),
            None => groups.push(vec![node]),
        }
    }
    groups
}

/// Renames nodes within each group of identical nodes so that the used ones come first, which
/// the symmetry-breaking constraints require of a starting solution. The packing is unchanged.
pub fn canonical(problem: &Problem, assignment: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut rename: Vec<usize> = (0..problem.nodes()).collect();
    let mut used = vec![false; problem.nodes()];
    for &node in assignment.iter().flatten() {
        used[node] = true;
    }
    for group in node_types(problem) {
        let (on, off): (Vec<usize>, Vec<usize>) = group.iter().partition(|&&n| used[n]);
        for (&from, &to) in on.iter().chain(&off).zip(&group) {
            rename[from] = to;
        }
    }
    assignment.iter().map(|a| a.map(|n| rename[n])).collect()
}

/// Solves the assignment MILP with the default back end, starting from `start` (a feasible
/// assignment), within `time_limit`. `bound` is a proven lower bound on the nodes needed to
/// place every task that fits some node ([`crate::bounds::lower_bound`]).
///
/// Errors: the back end's message when it fails or finds no solution in time.
pub fn solve(
    problem: &Problem,
    start: &[Option<usize>],
    bound: usize,
    time_limit: Duration,
) -> Result<MilpResult, String> {
    let start = canonical(problem, start);
    let (nodes, tasks) = (problem.nodes(), problem.tasks());
    let mut vars = ProblemVariables::new();
    let y: Vec<Variable> = (0..nodes)
        .map(|j| {
            let used = start.contains(&Some(j));
            vars.add(variable().binary().initial(f64::from(u8::from(used))))
        })
        .collect();
    // x[i] lists (node, variable) for the nodes task i fits when empty.
    let x: Vec<Vec<(usize, Variable)>> = (0..tasks)
        .map(|i| {
            (0..nodes)
                .filter(|&j| {
                    let cap = problem.capacity(j);
                    problem.allowed(i, j) && check_fit(problem.demand(i), cap, cap).is_ok()
                })
                .map(|j| {
                    let on = start[i] == Some(j);
                    (
                        j,
                        vars.add(variable().binary().initial(f64::from(u8::from(on)))),
                    )
                })
                .collect()
        })
        .collect();
    // Every task that fits some node is placed in the starting solution: require it.
    let full = x
        .iter()
        .zip(&start)
        .all(|(opts, s)| opts.is_empty() || s.is_some());
    let nodes_used: Expression = y.iter().copied().sum();
    let placed: Expression = x.iter().flatten().map(|&(_, v)| v).sum();
    let objective = if full {
        nodes_used.clone()
    } else {
        nodes_used.clone() - (nodes + 1) as f64 * placed
    };
    let mut model = backend(vars.minimise(objective), time_limit);
    for options in x.iter().filter(|o| !o.is_empty()) {
        let on_some_node: Expression = options.iter().map(|&(_, v)| v).sum();
        model.add_constraint(if full {
            on_some_node.eq(1.0)
        } else {
            on_some_node.leq(1.0)
        });
    }
    if full {
        model.add_constraint(nodes_used.geq(bound as f64));
    }
    let mut on_node: Vec<Vec<(usize, Variable)>> = vec![Vec::new(); nodes];
    for (i, options) in x.iter().enumerate() {
        for &(j, v) in options {
            on_node[j].push((i, v));
        }
    }
    for (j, candidates) in on_node.iter().enumerate() {
        for r in 0..problem.resources().len() {
            let load: Expression = candidates
                .iter()
                .map(|&(i, v)| problem.demand(i)[r] * v)
                .sum();
            model.add_constraint(load.leq(problem.capacity(j)[r] * y[j]));
        }
    }
    for &(j, v) in x.iter().flatten() {
        model.add_constraint(Expression::from(v).leq(y[j]));
    }
    for group in node_types(problem) {
        for pair in group.windows(2) {
            model.add_constraint(Expression::from(y[pair[1]]).leq(y[pair[0]]));
        }
    }
    let solution = model.solve().map_err(|e| e.to_string())?;
    let proven = matches!(solution.status(), good_lp::SolutionStatus::Optimal);
    let assignment = x
        .iter()
        .map(|opts| opts.iter().find(|o| solution.value(o.1) > 0.5).map(|o| o.0))
        .collect();
    Ok(MilpResult { assignment, proven })
}

#[cfg(feature = "microlp")]
pub(crate) fn backend(
    problem: good_lp::variable::UnsolvedProblem,
    time_limit: Duration,
) -> good_lp::solvers::microlp::MicroLpProblem {
    use good_lp::WithTimeLimit;
    problem
        .using(good_lp::solvers::microlp::microlp)
        .with_time_limit(time_limit.as_secs_f64())
}

#[cfg(not(feature = "microlp"))]
compile_error!("packsched needs a MILP back end: enable the `microlp` feature (the default)");
