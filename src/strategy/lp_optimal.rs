//! `lp_optimal`: the exact method of [`crate::exact`], never worse than the best heuristic.

use super::consolidate::{Budget, consolidate};
use super::{Kind, Options, Selector, Strategy, registry};
use crate::bounds::{lower_bound, placeable};
use crate::error::Result;
use crate::exact;
use crate::lp;
use crate::model::Problem;
use crate::placement::{Placement, Status, Unplaced};
use crate::state::State;
use std::time::Instant;

/// Minimises the nodes used (after placing every task that can be placed), under the time limit
/// of [`Options`], and proves it where it can.
///
/// It first runs every registered heuristic and keeps the best (fewest unplaced, then fewest
/// nodes). If that meets the per-resource lower bound of [`crate::bounds`], it is proven optimal
/// and no solver runs. Otherwise the consolidation engine of `local_search`
/// ([`consolidate`](super::consolidate())) improves it with the steps that a tenth of the time
/// limit buys and the seed of [`Options`] (deterministic; the wall clock is only a guard); if
/// that meets the lower bound, it is proven at once. The better of the two starts the exact
/// method of [`crate::exact`] (branch and bound on the pattern formulation, bounded by column
/// generation with a proven Lagrangian bound, nodes completed by enumeration when the gap is
/// small), which hands each new incumbent to the consolidation engine again
/// (`INCUMBENT_STEPS`). If no placement of every placeable task is found (the cluster may be
/// too small), the assignment MILP of [`crate::lp`] maximises the tasks placed, then minimises
/// the nodes, in the time left. The status says honestly what happened:
/// - `optimal`: the nodes used meet a proven bound (the bound is then the node count);
/// - `feasible`: the time limit hit; a better solution than the heuristics' (from the search or
///   from consolidation) is kept, with the proven bound beside it (the gap is the difference);
/// - `fallback`: the solver failed or found nothing better; the best heuristic's answer kept,
///   and the note says why.
///
/// Complexity: exponential at worst; the time limit caps it. Memory: O(columns x item types).
#[derive(Debug, Clone, Copy, Default)]
pub struct LpOptimal;

impl Strategy for LpOptimal {
    fn name(&self) -> &str {
        "lp_optimal"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        None
    }

    fn place(&self, problem: &Problem, options: &Options) -> Result<Placement> {
        let started = Instant::now();
        let deadline = started + options.time_limit;
        let bound = lower_bound(problem);
        let unplaceable = placeable(problem).iter().filter(|p| !**p).count();
        let (best_name, mut best) = best_heuristic(problem, options)?;
        best.bound = Some(bound);
        let meets = |p: &Placement| p.unplaced.len() == unplaceable && p.nodes_used() <= bound;
        if meets(&best) {
            best.status = Status::Optimal;
            best.note = Some(format!("{best_name} meets the lower bound"));
            return Ok(best);
        }
        let seed = consolidated(problem, &best, options, deadline);
        if meets(&seed) {
            return Ok(Placement {
                status: Status::Optimal,
                bound: Some(seed.nodes_used()),
                note: Some(format!("consolidating {best_name} meets the lower bound")),
                ..seed
            });
        }
        let key = Placement::rank;
        let start = if key(&seed) < key(&best) {
            &seed
        } else {
            &best
        };
        let full = start.unplaced.len() == unplaceable;
        let left = options.time_limit.saturating_sub(started.elapsed());
        // Without a full start the cluster may be too small: keep time for the MILP.
        let budget = if full { left } else { left / 2 };
        let improve = |assignment: &[Option<usize>]| {
            improve_incumbent(problem, assignment, options.seed, deadline)
        };
        let note = match exact::solve(problem, Some(&start.assignment), budget, Some(&improve)) {
            Ok(found) if found.assignment.is_some() => {
                let heuristic = (best, best_name.as_str());
                return Ok(judge_exact(problem, found, heuristic, seed, bound));
            }
            Ok(found) if full => {
                let bound = bound.max(found.bound);
                let why = format!("exact: nothing found ({})", found.note);
                return Ok(keep_best(best, &best_name, seed, bound, &why));
            }
            Ok(found) if found.infeasible => "no node count places every task".to_string(),
            Ok(found) => format!("no full placement found ({})", found.note),
            Err(message) => format!("exact: {message}"),
        };
        let left = options.time_limit.saturating_sub(started.elapsed());
        match lp::solve(problem, &start.assignment, bound, left) {
            Ok(found) => {
                let mut placed = judge(problem, found, best, &best_name, unplaceable);
                placed.note = Some(format!("{note}; {}", placed.note.unwrap_or_default()));
                Ok(placed)
            }
            Err(message) => {
                let why = format!("{note}; solver: {message}");
                Ok(keep_best(best, &best_name, seed, bound, &why))
            }
        }
    }
}

/// The steps of the consolidation engine on the best heuristic's placement: those that a tenth
/// of the time limit buys at [`STEPS_PER_SECOND`](super::consolidate::STEPS_PER_SECOND).
fn seed_steps(options: &Options) -> u64 {
    Budget::steps_for(options.time_limit / 10)
}

/// The steps of the consolidation engine on each new incumbent of the exact search.
pub const INCUMBENT_STEPS: u64 = 20_000_000;

/// The best heuristic's placement improved by the consolidation engine (what `local_search`
/// runs) with [`seed_steps`] and the seed of `options`; the wall clock at `deadline` is only a
/// guard.
fn consolidated(
    problem: &Problem,
    best: &Placement,
    options: &Options,
    deadline: Instant,
) -> Placement {
    let budget = Budget::steps(seed_steps(options)).with_deadline(deadline);
    consolidate(problem, best, options.seed, &budget).0
}

/// An incumbent of the exact search improved by the consolidation engine with
/// [`INCUMBENT_STEPS`]: its assignment if it uses fewer nodes and places as many tasks.
fn improve_incumbent(
    problem: &Problem,
    assignment: &[Option<usize>],
    seed: u64,
    deadline: Instant,
) -> Option<Vec<Option<usize>>> {
    let start = from_assignment(problem, assignment.to_vec());
    let budget = Budget::steps(INCUMBENT_STEPS).with_deadline(deadline);
    let (got, _) = consolidate(problem, &start, seed, &budget);
    let better = got.nodes_used() < start.nodes_used() && got.placed() >= start.placed();
    better.then_some(got.assignment)
}

/// When the exact method finds nothing: the consolidated placement if it improves on the best
/// heuristic (`feasible`), else the heuristic's (`fallback`), with the proven bound and `why`.
fn keep_best(
    mut best: Placement,
    best_name: &str,
    seed: Placement,
    bound: usize,
    why: &str,
) -> Placement {
    let key = Placement::rank;
    if key(&seed) < key(&best) {
        return Placement {
            status: Status::Feasible,
            bound: Some(bound),
            note: Some(format!("{why}; consolidation improves on {best_name}")),
            ..seed
        };
    }
    best.status = Status::Fallback;
    best.bound = Some(bound);
    best.note = Some(format!("{why}; kept {best_name}"));
    best
}

/// Turns the exact method's full placement into the answer: `optimal` when it meets the
/// proven bound, `feasible` when it improves on the heuristic, else the heuristic's answer.
fn judge_exact(
    problem: &Problem,
    found: exact::Outcome,
    (mut best, best_name): (Placement, &str),
    seed: Placement,
    resource_bound: usize,
) -> Placement {
    let bound = found.bound.max(resource_bound);
    let optimal = found.optimal() || found.nodes.is_some_and(|n| n <= bound);
    let solved = from_assignment(problem, found.assignment.unwrap_or_default());
    if let Err(violation) = solved.verify(problem) {
        let why = format!("exact answer rejected ({violation})");
        return keep_best(best, best_name, seed, bound, &why);
    }
    let key = Placement::rank;
    if optimal && key(&solved) <= key(&best) {
        let nodes = solved.nodes_used();
        return Placement {
            status: Status::Optimal,
            bound: Some(nodes),
            note: Some(format!("proven: meets the bound {bound} ({})", found.note)),
            ..solved
        };
    }
    if key(&solved) < key(&best) {
        return Placement {
            status: Status::Feasible,
            bound: Some(bound),
            note: Some(format!(
                "time limit; improves on {best_name}; proven bound {bound} ({})",
                found.note
            )),
            ..solved
        };
    }
    best.status = Status::Fallback;
    best.bound = Some(bound);
    best.note = Some(format!(
        "time limit; nothing better than {best_name} found; proven bound {bound} ({})",
        found.note
    ));
    best
}

/// The best registered heuristic's placement: fewest unplaced, then fewest nodes, ties to the
/// first registered.
pub(crate) fn best_heuristic(problem: &Problem, options: &Options) -> Result<(String, Placement)> {
    let mut best: Option<(String, Placement)> = None;
    for entry in registry().iter().filter(|e| e.kind == Kind::Heuristic) {
        let placement = (entry.build)().place(problem, options)?;
        let key = Placement::rank;
        if best.as_ref().is_none_or(|(_, b)| key(&placement) < key(b)) {
            best = Some((entry.name.to_string(), placement));
        }
    }
    Ok(best.expect("the registry has heuristics"))
}

/// Turns the solver's answer into a placement, or keeps the heuristic's if it is not better.
fn judge(
    problem: &Problem,
    found: lp::MilpResult,
    mut best: Placement,
    best_name: &str,
    unplaceable: usize,
) -> Placement {
    let solved = from_assignment(problem, found.assignment);
    if let Err(violation) = solved.verify(problem) {
        best.status = Status::Fallback;
        best.note = Some(format!(
            "solver answer rejected ({violation}); kept {best_name}"
        ));
        return best;
    }
    let key = Placement::rank;
    let bound = best.bound;
    let meets_bound = solved.unplaced.len() == unplaceable && Some(solved.nodes_used()) <= bound;
    if (found.proven || meets_bound) && key(&solved) <= key(&best) {
        let nodes = solved.nodes_used();
        let how = if meets_bound {
            "meets the lower bound"
        } else {
            "proven by the solver"
        };
        return Placement {
            status: Status::Optimal,
            bound: Some(nodes),
            note: Some(how.into()),
            ..solved
        };
    }
    if key(&solved) < key(&best) {
        return Placement {
            status: Status::Feasible,
            bound,
            note: Some(format!("time limit; improves on {best_name}")),
            ..solved
        };
    }
    best.status = Status::Fallback;
    best.note = Some(format!("time limit; nothing better than {best_name} found"));
    best
}

/// A placement from an assignment, with a reason for each unplaced task against the final state.
fn from_assignment(problem: &Problem, assignment: Vec<Option<usize>>) -> Placement {
    let mut state = State::new(problem);
    for (task, node) in assignment.iter().enumerate() {
        if let Some(node) = *node {
            // A node the task does not fit is caught by `verify` on the returned placement.
            let _ = state.place(task, node);
        }
    }
    let unplaced = (0..problem.tasks())
        .filter(|&t| assignment[t].is_none())
        .map(|task| Unplaced {
            task,
            reason: state.reason(task),
        })
        .collect();
    Placement {
        assignment,
        unplaced,
        status: Status::Heuristic,
        bound: None,
        note: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn finds_the_packing_the_heuristics_miss() {
        // Four nodes of 10; tasks 6,4,6,4 fit in two nodes (6+4 twice). The spreading
        // heuristics use all four; the lower bound is 2, so the answer is proven.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [6.0, 1.0], [4.0, 1.0], [4.0, 1.0]],
        );
        let got = place(&LpOptimal, &p);
        assert_eq!(
            (got.nodes_used(), got.status, got.bound),
            (2, Status::Optimal, Some(2))
        );
    }

    #[test]
    fn proves_an_optimum_above_the_resource_bound() {
        // Three tasks of 6 on nodes of 10: the bound says 2, but no two share a node.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [6.0, 1.0], [6.0, 1.0]],
        );
        let got = place(&LpOptimal, &p);
        assert_eq!((got.nodes_used(), got.status), (3, Status::Optimal));
        assert!(
            got.note.as_deref().unwrap().starts_with("proven"),
            "{:?}",
            got.note
        );
    }

    #[test]
    fn places_as_many_tasks_as_possible_when_the_cluster_is_too_small() {
        // Two nodes of 10, tasks 5,7,7,3,3: at most four fit (7+3 twice); the MILP proves it
        // and the fifth task is left with a reason.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 1.0], [7.0, 1.0], [7.0, 1.0], [3.0, 1.0], [3.0, 1.0]],
        );
        let got = place(&LpOptimal, &p);
        assert_eq!(got.placed(), 4);
        assert_eq!(got.unplaced.len(), 1);
        assert_eq!(got.status, Status::Optimal);
    }

    #[test]
    fn respects_allowed_nodes_and_breaks_symmetry_only_among_interchangeable_nodes() {
        // Identical nodes, but task 2 may run only on node 3: the packing is {0,1} and {2}
        // on node 3, and the symmetry constraints must not force node 3 off.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 1.0], [5.0, 1.0], [5.0, 1.0]],
        )
        .with_allowed_nodes(vec![None, None, Some(vec![3])])
        .unwrap();
        let got = place(&LpOptimal, &p);
        assert_eq!(got.assignment[2], Some(3));
        assert_eq!((got.nodes_used(), got.status), (2, Status::Optimal));
    }

    #[test]
    fn a_task_no_node_admits_is_reported_as_such() {
        let p = problem(array![[10.0, 10.0]], array![[1.0, 1.0]])
            .with_allowed_nodes(vec![Some(vec![])])
            .unwrap();
        let got = place(&LpOptimal, &p);
        assert_eq!(got.unplaced[0].reason, crate::Reason::NotAllowed);
    }
}
