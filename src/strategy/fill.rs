//! Node-centric ("bin-centric") packing: one node at a time takes the best-scoring task.

use super::opening::Openings;
use super::score::ScoreFn;
use crate::model::Problem;
use crate::placement::{Placement, Unplaced};
use crate::state::State;

/// Packs node by node, as Tetris matches tasks to a machine with free resources and as the
/// bin-centric heuristics of Panigrahy et al. (2011) fill bins: the next node is the first not
/// yet filled in [`opening_order`](super::opening_order) for the resources some pending task asks
/// for (the largest first, except that nodes set aside for a scarce resource that no pending task
/// asks for wait: the GPU nodes that the GPU tasks need are not filled with other tasks while
/// other nodes are left); the current node takes, among the pending tasks of the highest pending priority that fit it,
/// the one with the highest `score(demand, free, capacity, weights)` (ties to the earliest task
/// index), until none fits; then the next node. Each priority level, higher first, runs over
/// every node (so lower priorities fill what higher ones left). A task that no node takes is
/// unplaced, with its reason at the end of its level.
///
/// Complexity: O(tasks x (tasks + nodes) x resources + nodes^2). Memory: the pending list.
pub(crate) fn fill(problem: &Problem, score: ScoreFn, weights: &[f64]) -> Placement {
    let mut state = State::new(problem);
    let mut unplaced = Vec::new();
    let mut openings = Openings::new(problem);
    for level in priority_levels(problem) {
        let mut pending = level;
        let mut filled = vec![false; problem.nodes()];
        while let Some(node) = next_node(&state, &mut openings, &pending, &filled) {
            filled[node] = true;
            while let Some(i) = best_task(&state, &pending, node, score, weights) {
                let task = pending.remove(i);
                // `best_task` only offers tasks that fit, so this cannot fail.
                let _ = state.place(task, node);
            }
        }
        let mut reasons = crate::unfit::Reasons::new();
        unplaced.extend(pending.into_iter().map(|task| Unplaced {
            task,
            reason: reasons.reason(&state, task),
        }));
    }
    Placement::heuristic(state.into_assignment(), unplaced)
}

/// The first node not yet filled in the opening order for the resources that `pending` asks for.
fn next_node(
    state: &State<'_>,
    openings: &mut Openings,
    pending: &[usize],
    filled: &[bool],
) -> Option<usize> {
    let problem = state.problem();
    let mut asked = vec![false; problem.resources().len()];
    for &t in pending {
        for (a, &d) in asked.iter_mut().zip(problem.demand(t)) {
            *a |= d > 0.0;
        }
    }
    openings
        .order(problem, asked)
        .iter()
        .copied()
        .find(|&n| !filled[n])
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
