//! `repack`: the best offline packing, consolidated with a small, fixed budget.

use super::consolidate::{Budget, consolidate};
use super::size::Size;
use super::{
    BestFitDecreasing, DotProduct, FirstFitDecreasing, NormDiff, Options, Selector, Strategy,
};
use crate::error::Result;
use crate::model::Problem;
use crate::placement::Placement;
use std::time::{Duration, Instant};

/// The steps of the consolidation engine that `repack` may use: about a fifth of a second of
/// work on a shared 2-core machine.
pub const REPACK_STEPS: u64 = 3_000_000;

/// Consolidation as a fast heuristic, the thin configuration of `local_search`'s engine that
/// `lp_optimal` seeds from: the best of six offline packings (first_fit_decreasing with each
/// [`Size`], best_fit_decreasing, dot_product and norm_diff; fewest unplaced, then fewest nodes)
/// improved by the same consolidation engine as `local_search` (moves and swaps toward fuller
/// nodes, then attempts to empty nodes by ruin and recreate), seed 0, with a budget of
/// [`REPACK_STEPS`] steps or the steps that a quarter of the time limit buys, whichever is fewer.
/// The starts are charged to that budget by their complexity (tasks x nodes x resources for the
/// task-by-task ones, tasks x (tasks + nodes) x resources for the node-by-node ones), in the order
/// above, and a start the budget cannot pay for is skipped (the first one always runs): on
/// thousands of tasks, the quadratic node-by-node starts are left to `lp_optimal`'s and
/// `local_search`'s own runs of dot_product and norm_diff.
/// Deterministic: the budget is counted in steps; a wall-clock guard at half the time limit only
/// cuts in on a machine far slower than the engine's assumed rate. The number of nodes never
/// grows; priorities are kept, since the set of placed tasks does not shrink. Batch only: there
/// is no per-task rule.
///
/// Complexity: the starts (O(tasks^2 x resources) for the node-by-node ones), then the budget.
/// Memory: O(tasks + nodes x resources).
#[derive(Debug, Clone, Copy, Default)]
pub struct Repack;

impl Strategy for Repack {
    fn name(&self) -> &str {
        "repack"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        None
    }

    fn place(&self, problem: &Problem, options: &Options) -> Result<Placement> {
        let started = Instant::now();
        let starts: [&dyn Strategy; 6] = [
            &FirstFitDecreasing::new(),
            &FirstFitDecreasing::new().with_size(Size::Max),
            &FirstFitDecreasing::new().with_size(Size::L2),
            &BestFitDecreasing::new(),
            &DotProduct::new(),
            &NormDiff::new(),
        ];
        let steps = REPACK_STEPS.min(Budget::steps_for(options.time_limit / 4));
        let (t, n, r) = (problem.tasks(), problem.nodes(), problem.resources().len());
        // The starts' costs in steps, estimated from their complexity: the task-by-task ones
        // scan the nodes per task, the node-by-node ones the tasks per placement and per node.
        let costs = [t * n * r; 4].into_iter().chain([t * (t + n) * r; 2]);
        let mut spent = 0u64;
        let mut best: Option<Placement> = None;
        for (start, cost) in starts.into_iter().zip(costs) {
            spent += cost as u64;
            if best.is_some() && spent > steps {
                break;
            }
            let placement = start.place(problem, options)?;
            let key = Placement::rank;
            if best.as_ref().is_none_or(|b| key(&placement) < key(b)) {
                best = Some(placement);
            }
        }
        let start = best.expect("six starts");
        let steps = steps.saturating_sub(spent);
        let guard: Duration = options.time_limit / 2;
        let budget = Budget::steps(steps).with_deadline(started + guard);
        Ok(consolidate(problem, &start, 0, &budget).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn consolidates_what_the_offline_packings_leave() {
        // Tasks 6, 6, 4, 4, 5, 5 on nodes of 10 (cpu): FFD pairs 6+4 twice and 5+5: three nodes,
        // the bound; repack keeps it.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![
                [6.0, 1.0],
                [6.0, 1.0],
                [4.0, 1.0],
                [4.0, 1.0],
                [5.0, 1.0],
                [5.0, 1.0]
            ],
        );
        assert_eq!(place(&Repack, &p).nodes_used(), 3);
    }
}
