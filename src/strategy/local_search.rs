//! `local_search`: the best constructive placement, improved by emptying nodes for as long as
//! the time limit allows.

use super::consolidate::{Budget, consolidate};
use super::{Entry, Kind, Options, Selector, Strategy, registry};
use crate::error::Result;
use crate::model::Problem;
use crate::placement::Placement;
use std::time::{Duration, Instant};

/// Consolidation, as a descheduler or Borg's offline repacking does it: the best placement of
/// the registered heuristics (fewest unplaced, then fewest nodes; `repack` among them) is
/// improved by the consolidation engine (`consolidate`): moves and swaps that push volume to
/// fuller nodes, then repeated attempts to empty one node: its tasks, with a few others drawn at
/// random (ruin), are re-placed on the remaining nodes by insertions that eject up to two tasks,
/// steered by a tabu list (recreate). It stops at the lower bound of [`crate::bounds`] or when
/// its budget is spent.
///
/// The answer has never more nodes than its start, and every task the start placed stays placed,
/// so priorities are kept; allowed nodes and capacity in every resource are respected throughout.
///
/// Budget and determinism: the search counts its work in steps; the budget is the time limit of
/// [`Options`] (left after the start) times
/// [`STEPS_PER_SECOND`](super::consolidate::STEPS_PER_SECOND), a conservative rate, so that it
/// normally ends well before the limit. The same problem, seed ([`Options::seed`]) and time limit
/// give the same answer on any machine. The wall clock is a guard only: on a machine slower than
/// that rate the search is cut at the time limit, and then (the note says so) the answer may
/// depend on the machine's speed. The same holds for the start: the heuristics run `repack` first,
/// then in registry order, and once the time limit is spent (on very large inputs with a short
/// limit) the rest are skipped.
///
/// Complexity: the heuristics' (about O(tasks^2 x resources)), then at most the budget.
/// Memory: O(tasks + nodes x resources).
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalSearch;

impl LocalSearch {
    /// Improves a given placement (the current cluster's, a heuristic's) with the budget and seed
    /// of `options`, counting the whole time limit from now.
    pub fn improve(&self, problem: &Problem, start: &Placement, options: &Options) -> Placement {
        improve_within(problem, start, options, Instant::now(), options.time_limit)
    }
}

/// Improves `start` with the budget that `limit` (from `started`) leaves.
fn improve_within(
    problem: &Problem,
    start: &Placement,
    options: &Options,
    started: Instant,
    limit: Duration,
) -> Placement {
    let left = limit.saturating_sub(started.elapsed());
    let budget = Budget::steps(Budget::steps_for(left)).with_deadline(started + limit);
    let (mut placement, report) = consolidate(problem, start, options.seed, &budget);
    let (from, to) = report.nodes;
    let mut note = format!(
        "{} of {} attempts emptied a node: {from} -> {to} nodes; {} steps",
        report.attempts.1, report.attempts.0, report.steps
    );
    if report.timed_out {
        note += "; cut by the time limit (the answer may depend on the machine's speed)";
    }
    placement.note = Some(note);
    placement
}

impl Strategy for LocalSearch {
    fn name(&self) -> &str {
        "local_search"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        None
    }

    fn place(&self, problem: &Problem, options: &Options) -> Result<Placement> {
        let started = Instant::now();
        let mut best: Option<Placement> = None;
        // repack first: budgeted, and the best start on most inputs.
        let heuristics = registry().iter().filter(|e| e.kind == Kind::Heuristic);
        let (first, rest): (Vec<&Entry>, Vec<&Entry>) =
            heuristics.partition(|e| e.name == "repack");
        for entry in first.into_iter().chain(rest) {
            if best.is_some() && started.elapsed() >= options.time_limit {
                break;
            }
            let placement = (entry.build)().place(problem, options)?;
            let key = Placement::rank;
            if best.as_ref().is_none_or(|b| key(&placement) < key(b)) {
                best = Some(placement);
            }
        }
        let start = best.expect("the registry has heuristics");
        Ok(improve_within(
            problem,
            &start,
            options,
            started,
            options.time_limit,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn never_worse_than_its_start_and_the_same_for_a_seed() {
        // Nine tasks of 4 and nine of 3 on nodes of 10 (cpu): a start with one task per node.
        let mut demand = Vec::new();
        for i in 0..18 {
            demand.extend([if i % 2 == 0 { 4.0 } else { 3.0 }, 1.0]);
        }
        let p = problem(
            ndarray::Array2::from_elem((18, 2), 10.0),
            ndarray::Array2::from_shape_vec((18, 2), demand).unwrap(),
        );
        let start = Placement {
            assignment: (0..18).map(Some).collect(),
            unplaced: vec![],
            status: crate::Status::Heuristic,
            bound: None,
            note: None,
        };
        let options = Options::default().with_seed(7);
        let got = LocalSearch.improve(&p, &start, &options);
        got.verify(&p).unwrap();
        // 4 + 3 + 3 fills a node: 63 cpu need 7 nodes (the lower bound), and it gets there.
        assert_eq!(got.nodes_used(), 7);
        assert_eq!(got.placed(), 18);
        assert_eq!(
            LocalSearch.improve(&p, &start, &options).assignment,
            got.assignment
        );
        let _ = array![0.0];
    }
}
