//! The consolidation engine of `local_search` and `repack`: a placement improved by emptying
//! nodes.
//!
//! One engine, configured by its budget: `repack` gives it a small, fixed share of the time
//! limit (it is a heuristic that `lp_optimal` seeds from), `local_search` the whole limit.

mod budget;
mod eject;
mod moves;
mod packing;

pub use budget::{Budget, STEPS_PER_SECOND};
pub use moves::load_gain;

use crate::bounds::lower_bound;
use crate::model::Problem;
use crate::placement::Placement;
use crate::strategy::opening::Openings;
use crate::strategy::priority_order;
use eject::{Repair, repair};
use moves::descent;
use packing::{Packing, Rows};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What an improvement run did, beside its placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consolidation {
    /// Nodes used by the start and by the result.
    pub nodes: (usize, usize),
    /// Attempts to empty a node, and how many succeeded.
    pub attempts: (u64, u64),
    /// Steps of work charged.
    pub steps: u64,
    /// Whether the wall-clock deadline, not the step budget, ended the run (the answer may then
    /// depend on the machine's speed).
    pub timed_out: bool,
}

/// Improves `start`, a valid placement of `problem`: never more nodes, and every task placed in
/// the start stays placed (tasks the start left out are placed if they now fit). A start that
/// places every task on as few nodes as the lower bound is returned as it is.
///
/// 1. Tasks the start left out are placed where they fit, or inserted by ejection.
/// 2. A descent of moves and swaps pushes volume toward fuller nodes ([`load_gain`]).
/// 3. Then, until the lower bound is met, the budget is spent or many attempts in a row failed
///    (100 + 10 per node in use), attempts to empty one node:
///    the least loaded node first, later a node drawn at random among the less loaded (a
///    tournament of two), whose tasks, with a few more drawn at random from other nodes (ruin),
///    become pending and are re-placed on the remaining nodes by the insert-and-eject search of
///    consistent neighbourhood search (recreate). A success is kept and followed by a descent;
///    a failure is dropped. Every random choice comes from a ChaCha8 stream seeded with `seed`.
///
/// The same problem, start, seed and step budget give the same answer: the steps are counted,
/// not timed. Only when `budget`'s deadline runs out first can the answer depend on the clock,
/// which the [`Consolidation`] report says.
///
/// Complexity: bounded by the budget; each insertion is O(pending x nodes x tasks per node^2 x
/// resources). Memory: O(tasks + nodes x resources) per copy, two copies.
pub fn consolidate(
    problem: &Problem,
    start: &Placement,
    seed: u64,
    budget: &Budget,
) -> (Placement, Consolidation) {
    let start_nodes = start.nodes_used();
    let bound = lower_bound(problem);
    if start.unplaced.is_empty() && start_nodes <= bound {
        let report = Consolidation {
            nodes: (start_nodes, start_nodes),
            attempts: (0, 0),
            steps: budget.used(),
            timed_out: false,
        };
        return (start.clone(), report);
    }
    let rows = Rows::new(problem);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best = Packing::new(problem, &start.assignment, &rows);
    place_left_out(&mut best, start_nodes, budget, &mut rng);
    let open = open_mask(&best);
    descent(&mut best, &open, budget);
    let (mut attempts, mut successes, mut in_a_row) = (0u64, 0u64, 0u64);
    let copy = problem.tasks() + problem.nodes() * problem.resources().len();
    while budget.charge(copy)
        && best.used_count() > bound.max(1)
        && in_a_row < stagnation(best.used_count())
    {
        let mut trial = best.clone();
        let mut open = open_mask(&trial);
        let node = pick_node(&trial, attempts, &mut rng);
        open[node] = false;
        let mut pending = trial.evict(node);
        pending.extend(ruin(&mut trial, &open, &mut rng));
        let how = Repair {
            iterations: attempt_length(problem.tasks(), attempts),
            descent_every: 25,
        };
        attempts += 1;
        in_a_row += 1;
        if repair(&mut trial, &open, pending, how, budget, &mut rng) {
            descent(&mut trial, &open, budget);
            successes += 1;
            in_a_row = 0;
            best = trial;
        }
    }
    place_left_out(&mut best, start_nodes, budget, &mut rng);
    let placement = best.placement();
    let report = Consolidation {
        nodes: (start_nodes, placement.nodes_used()),
        attempts: (attempts, successes),
        steps: budget.used(),
        timed_out: budget.timed_out(),
    };
    (placement, report)
}

/// The nodes in use.
fn open_mask(p: &Packing<'_, '_>) -> Vec<bool> {
    (0..p.nodes()).map(|n| !p.members(n).is_empty()).collect()
}

/// Failed attempts in a row after which the search stops: it has likely met the optimum, which
/// the lower bound does not always show.
fn stagnation(nodes: usize) -> u64 {
    100 + 10 * nodes as u64
}

/// Insertions per attempt: longer for larger problems, and growing slowly with failures.
fn attempt_length(tasks: usize, attempts: u64) -> usize {
    let base = tasks.clamp(100, 4_000);
    base + base * (attempts.min(64) as usize) / 16
}

/// The node to empty: the least loaded on the first attempt, then the less loaded of two drawn
/// at random among the nodes in use.
fn pick_node(p: &Packing<'_, '_>, attempt: u64, rng: &mut ChaCha8Rng) -> usize {
    let used = p.used();
    let lighter = |a: usize, b: usize| {
        if (p.load(b), b) < (p.load(a), a) {
            b
        } else {
            a
        }
    };
    if attempt == 0 {
        return used.iter().copied().reduce(lighter).expect("a node in use");
    }
    let a = used[rng.random_range(0..used.len())];
    let b = used[rng.random_range(0..used.len())];
    lighter(a, b)
}

/// Takes up to three tasks, drawn at random from open nodes, off their nodes (those whose node
/// stays within capacity without them) and returns them.
fn ruin(p: &mut Packing<'_, '_>, open: &[bool], rng: &mut ChaCha8Rng) -> Vec<usize> {
    let count = rng.random_range(0..=3usize);
    let mut taken = Vec::new();
    for _ in 0..count {
        let t = rng.random_range(0..p.tasks());
        let Some(n) = p.node_of(t).filter(|&n| open[n]) else {
            continue;
        };
        p.remove(t);
        if p.within_capacity(n) {
            taken.push(t);
        } else {
            let back = p.place(t, n);
            debug_assert!(back, "it was there");
        }
    }
    taken
}

/// Places the tasks the packing leaves out, highest priority first: on a node in use if one fits,
/// else by a short insert-and-eject search over the nodes in use, else on the empty node it opens
/// (`opening_order`) if it fits as long as the nodes used stay within `max_nodes`.
fn place_left_out(
    p: &mut Packing<'_, '_>,
    max_nodes: usize,
    budget: &Budget,
    rng: &mut ChaCha8Rng,
) {
    let problem = p.problem();
    let left: Vec<usize> = priority_order(problem)
        .into_iter()
        .filter(|&t| p.node_of(t).is_none())
        .collect();
    if left.is_empty() {
        return;
    }
    let mut openings = Openings::new(problem);
    for t in left {
        let open = open_mask(p);
        let mut trial = p.clone();
        let how = Repair {
            iterations: 200,
            descent_every: 0,
        };
        if repair(&mut trial, &open, vec![t], how, budget, rng) {
            *p = trial;
        } else if p.used_count() < max_nodes
            && let Some(n) = openings.first_empty(p.state(), t)
        {
            p.place(t, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::Status;
    use crate::strategy::testing::problem;
    use ndarray::Array2;

    fn start(assignment: Vec<Option<usize>>, p: &Problem) -> Placement {
        let mut s = Packing::new(p, &assignment, &Rows::new(p)).placement();
        s.status = Status::Heuristic;
        s
    }

    #[test]
    fn a_task_the_start_left_out_is_placed_by_repacking_and_none_is_dropped() {
        // Two nodes of 10: 5 + 3 on each, and a 4 that fits neither. Repacked as {5, 5} and
        // {3, 3, 4}, every task is placed on the same two nodes.
        let sizes = [5.0, 3.0, 5.0, 3.0, 4.0];
        let demand = Array2::from_shape_fn((5, 2), |(t, r)| if r == 0 { sizes[t] } else { 1.0 });
        let p = problem(Array2::from_elem((2, 2), 10.0), demand);
        let s = start(vec![Some(0), Some(0), Some(1), Some(1), None], &p);
        assert_eq!(s.unplaced.len(), 1);
        let (got, report) = consolidate(&p, &s, 3, &Budget::steps(1_000_000));
        got.verify(&p).unwrap();
        assert_eq!((got.placed(), got.nodes_used()), (5, 2));
        assert_eq!(report.nodes, (2, 2));
        assert!(!report.timed_out);
    }

    #[test]
    fn allowed_nodes_hold_and_the_seed_decides_the_answer() {
        // Twelve tasks of 3 on twelve nodes of 10, one per node: four nodes suffice (3 + 3 + 3).
        // Task 0 may only run on node 11: wherever the others go, it stays there.
        let p = problem(
            Array2::from_elem((12, 2), 10.0),
            Array2::from_shape_fn((12, 2), |(_, r)| if r == 0 { 3.0 } else { 0.0 }),
        );
        let mut allowed = vec![None; 12];
        allowed[0] = Some(vec![11]);
        let p = p.with_allowed_nodes(allowed).unwrap();
        let mut assignment: Vec<Option<usize>> = (0..12).map(Some).collect();
        assignment[0] = Some(11);
        assignment[11] = Some(0);
        let s = start(assignment, &p);
        for seed in [1, 2] {
            let budget = || Budget::steps(2_000_000);
            let (got, _) = consolidate(&p, &s, seed, &budget());
            got.verify(&p).unwrap();
            assert_eq!((got.nodes_used(), got.assignment[0]), (4, Some(11)));
            let (again, _) = consolidate(&p, &s, seed, &budget());
            assert_eq!(again.assignment, got.assignment, "seed {seed}");
        }
    }
}
