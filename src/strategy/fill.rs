//! Node-centric ("bin-centric") packing: one node at a time takes the best-scoring task.

use super::score::ScoreFn;
use super::size::largest_first;
use crate::model::Problem;
use crate::placement::{Placement, Status, Unplaced};
use crate::state::State;

/// Packs node by node, as Tetris matches tasks to a machine with free resources and as the
/// bin-centric heuristics of Panigrahy et al. (2011) fill bins: nodes are taken largest first
/// ([`largest_first`]);
/// the current node takes, among the pending tasks of the highest pending priority that fit it,
/// the one with the highest `score(demand, free, capacity, weights)` (ties to the earliest task
/// index), until none fits; then the next node. Each priority level, higher first, runs over
/// every node (so lower priorities fill what higher ones left). A task that no node takes is
/// unplaced, with its reason at the end of its level.
///
/// Complexity: O(tasks x (tasks + nodes) x resources). Memory: the pending list.
pub(crate) fn fill(problem: &Problem, score: ScoreFn, weights: &[f64]) -> Placement {
    let mut state = State::new(problem);
    let mut unplaced = Vec::new();
    let nodes = largest_first(problem);
    for level in priority_levels(problem) {
        let mut pending = level;
        for &node in &nodes {
            while let Some(i) = best_task(&state, &pending, node, score, weights) {
                let task = pending.remove(i);
                // `best_task` only offers tasks that fit, so this cannot fail.
                let _ = state.place(task, node);
            }
        }
        unplaced.extend(pending.into_iter().map(|task| Unplaced {
            task,
            reason: state.reason(task),
        }));
    }
    unplaced.sort_by_key(|u| u.task);
    Placement {
        assignment: state.assignment().to_vec(),
        unplaced,
        status: Status::Heuristic,
        bound: None,
        note: None,
    }
}

/// The tasks grouped by priority, highest first, each group in index order.
fn priority_levels(problem: &Problem) -> Vec<Vec<usize>> {
    let w = problem.workload();
    let mut tasks: Vec<usize> = (0..problem.tasks()).collect();
    tasks.sort_by_key(|&t| (std::cmp::Reverse(w.priority(t)), t));
    tasks
        .chunk_by(|&a, &b| w.priority(a) == w.priority(b))
        .map(<[usize]>::to_vec)
        .collect()
}

/// The position in `pending` of the task that fits `node` with the highest score.
fn best_task(
    state: &State<'_>,
    pending: &[usize],
    node: usize,
    score: ScoreFn,
    weights: &[f64],
) -> Option<usize> {
    let (free, capacity) = (state.free(node), state.capacity(node));
    let mut best: Option<(usize, f64)> = None;
    for (i, &task) in pending.iter().enumerate() {
        if state.fits(task, node) {
            let s = score(state.demand(task), free, capacity, weights);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
    }
    best.map(|(i, _)| i)
}
