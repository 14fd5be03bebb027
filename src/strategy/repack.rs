//! `repack`: the offline packings improved by local search, moving tasks toward fuller nodes
//! until nodes empty.

use super::ejection::empty_one;
use super::size::{Size, largest_capacity, largest_first};
use super::{DotProduct, FirstFitDecreasing, Options, Selector, Strategy};
use crate::error::Result;
use crate::model::Problem;
use crate::placement::{Placement, Status, Unplaced};
use crate::state::{State, TOLERANCE};
use ndarray::ArrayView1;

/// Consolidation, as a descheduler or Borg's repacking does it offline: six offline packings, each
/// improved by local search, the best kept (fewest unplaced, then fewest nodes). A step moves one task to another node in use, or swaps two tasks between nodes,
/// such that volume goes from a less loaded node to a more loaded one: the sum of squared node
/// loads ([`load_gain`]) strictly grows, so the search ends, and a node that loses its last task
/// is freed. Sources are tried least loaded first, which is where a node can be emptied.
/// Classic local search for bin packing (the objective of Falkenauer's grouping genetic
/// algorithm, 1996; the 1-0 and 1-1 neighbourhoods of Levine and Ducatelle, 2004). The number
/// of nodes never grows; priorities are kept, since the set of placed tasks does not shrink.
/// Batch only: there is no per-task rule.
///
/// The starts are first_fit_decreasing with each [`Size`], best_fit_decreasing, dot_product and
/// norm_diff; a start that already meets the lower bound ends the search. After the moves and
/// swaps, ejection chains try to empty one of the least loaded nodes (see `empty_one`), and the
/// search goes on while they succeed.
///
/// Complexity: the starts, then local search capped by a fixed count of elementary checks per
/// start (3,000,000: deterministic, about a second on 2,000 tasks on a shared 2-core machine,
/// milliseconds on 40). Memory: O(tasks + nodes) plus one state copy per ejection attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Repack;

/// The growth of the sum of squared loads when volume `delta` moves from a node with load
/// `from` to one with load `to`: `(to + delta)^2 + (from - delta)^2 - to^2 - from^2`.
///
/// ```
/// use packsched::strategy::load_gain;
/// assert_eq!(load_gain(0.5, 0.25, 0.125), 0.09375);
/// assert!(load_gain(0.25, 0.5, 0.125) < 0.0);
/// ```
pub fn load_gain(to: f64, from: f64, delta: f64) -> f64 {
    2.0 * delta * (to - from) + 2.0 * delta * delta
}

/// Whether swapping `a` (demand `da`, on a node with `free_a` of `cap_a`) and `b` (on the other)
/// fits both nodes.
fn swap_fits(
    (da, free_a, cap_a): (
        ArrayView1<'_, f64>,
        ArrayView1<'_, f64>,
        ArrayView1<'_, f64>,
    ),
    (db, free_b, cap_b): (
        ArrayView1<'_, f64>,
        ArrayView1<'_, f64>,
        ArrayView1<'_, f64>,
    ),
) -> bool {
    (0..da.len()).all(|r| {
        da[r] <= free_b[r] + db[r] + TOLERANCE * cap_b[r]
            && db[r] <= free_a[r] + da[r] + TOLERANCE * cap_a[r]
    })
}

impl Strategy for Repack {
    fn name(&self) -> &str {
        "repack"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        None
    }

    fn place(&self, problem: &Problem, options: &Options) -> Result<Placement> {
        let bound = crate::bounds::lower_bound(problem);
        let mut best: Option<Placement> = None;
        let starts: [&dyn Strategy; 6] = [
            &FirstFitDecreasing::new(),
            &FirstFitDecreasing::new().with_size(Size::Max),
            &FirstFitDecreasing::new().with_size(Size::L2),
            &super::BestFitDecreasing::new(),
            &DotProduct::new(),
            &super::NormDiff::new(),
        ];
        for start in starts {
            let placement = improve(problem, start.place(problem, options)?);
            let key = |p: &Placement| (p.unplaced.len(), p.nodes_used());
            if best.as_ref().is_none_or(|b| key(&placement) < key(b)) {
                best = Some(placement);
            }
            if best.as_ref().is_some_and(|b| key(b) == (0, bound)) {
                break;
            }
        }
        Ok(best.expect("two starts"))
    }
}

/// Local search from `start`, then any unplaced task that now fits placed (largest node first).
/// A start that places everything on as few nodes as the lower bound is returned as it is.
fn improve(problem: &Problem, start: Placement) -> Placement {
    if start.unplaced.is_empty() && start.nodes_used() <= crate::bounds::lower_bound(problem) {
        return start;
    }
    let mut state = State::new(problem);
    for (task, node) in start.assignment.iter().enumerate() {
        if let Some(node) = *node {
            // The start is a valid placement: every task fits where it is.
            let _ = state.place(task, node);
        }
    }
    let scale = largest_capacity(problem);
    let volume: Vec<f64> = (0..problem.tasks())
        .map(|t| Size::Sum.of(problem.demand(t), scale.view()))
        .collect();
    let work = Work(std::cell::Cell::new(0));
    loop {
        for _ in 0..problem.tasks() {
            if !step(&mut state, &volume, &work) {
                break;
            }
        }
        if !empty_one(&mut state, &volume, &work) {
            break;
        }
    }
    let nodes = largest_first(problem);
    let mut unplaced = Vec::new();
    for u in &start.unplaced {
        match nodes.iter().copied().find(|&n| state.fits(u.task, n)) {
            Some(n) => {
                let _ = state.place(u.task, n);
            }
            None => unplaced.push(u.task),
        }
    }
    Placement {
        assignment: state.assignment().to_vec(),
        unplaced: unplaced
            .into_iter()
            .map(|task| Unplaced {
                task,
                reason: state.reason(task),
            })
            .collect(),
        status: Status::Heuristic,
        bound: None,
        note: None,
    }
}

/// One improving move or swap, sources least loaded first; `false` at a local optimum.
fn step(state: &mut State<'_>, volume: &[f64], work: &Work) -> bool {
    let nodes = state.nodes();
    if !work.charge(volume.len()) {
        return false;
    }
    let mut load = vec![0.0; nodes];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (task, node) in state.assignment().iter().enumerate() {
        if let Some(n) = *node {
            load[n] += volume[task];
            members[n].push(task);
        }
    }
    let mut used: Vec<usize> = (0..nodes).filter(|&n| !members[n].is_empty()).collect();
    used.sort_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b)));
    let eps = 1e-9;
    for (i, &s) in used.iter().enumerate() {
        let targets = &used[i + 1..];
        for &a in &members[s] {
            if !work.charge(targets.len()) {
                return false;
            }
            let target = targets
                .iter()
                .copied()
                .find(|&m| load_gain(load[m], load[s], volume[a]) > eps && state.fits(a, m));
            if let Some(m) = target {
                return state.place(a, m).is_ok();
            }
            for &m in targets {
                if !work.charge(members[m].len()) {
                    return false;
                }
                for &b in &members[m] {
                    let delta = volume[a] - volume[b];
                    if delta > 0.0
                        && load_gain(load[m], load[s], delta) > eps
                        && swappable(state, a, s, b, m)
                    {
                        state.remove(a);
                        state.remove(b);
                        return state.place(a, m).is_ok() && state.place(b, s).is_ok();
                    }
                }
            }
        }
    }
    false
}

/// The work one improvement may do, in elementary checks (a fit test, a task looked at): a
/// deterministic cap, so that large inputs stay fast and the same input gives the same answer.
const BUDGET: usize = 3_000_000;

/// Counts work against [`BUDGET`].
pub(super) struct Work(std::cell::Cell<usize>);

impl Work {
    /// Charges `n` checks; `false` once the budget is spent.
    pub(super) fn charge(&self, n: usize) -> bool {
        self.0.set(self.0.get().saturating_add(n));
        self.0.get() <= BUDGET
    }
}

/// Whether `a` (on `s`) and `b` (on `m`) may trade nodes.
fn swappable(state: &State<'_>, a: usize, s: usize, b: usize, m: usize) -> bool {
    let problem = state.problem();
    problem.allowed(a, m)
        && problem.allowed(b, s)
        && swap_fits(
            (state.demand(a), state.free(s), state.capacity(s)),
            (state.demand(b), state.free(m), state.capacity(m)),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn gains_and_swaps_by_hand() {
        // Moving 0.1 from a node at 0.2 to one at 0.9: 1.0^2 + 0.1^2 - 0.9^2 - 0.2^2 = 0.16.
        assert!((load_gain(0.9, 0.2, 0.1) - 0.16).abs() < 1e-12);
        // a (3, 1) sits on a node with (0, 5) free, b (1, 1) on one with (2, 5) free: a fits
        // where b was (1 + 2 >= 3), b where a was; with only 1 cpu free beside b it does not.
        let (da, db) = (array![3.0, 1.0], array![1.0, 1.0]);
        let (fa, fb, cap) = (array![0.0, 5.0], array![2.0, 5.0], array![10.0, 10.0]);
        // a (3) fits where b (1) was plus 2 free; b fits where a was.
        assert!(swap_fits(
            (da.view(), fa.view(), cap.view()),
            (db.view(), fb.view(), cap.view())
        ));
        let tight = array![1.0, 5.0];
        assert!(!swap_fits(
            (da.view(), fa.view(), cap.view()),
            (db.view(), tight.view(), cap.view())
        ));
    }

    #[test]
    fn moves_empty_the_least_loaded_node() {
        // A bad start, one task per node: 5, 5, 3, 3 on nodes of 10 (loads 0.5, 0.5, 0.3, 0.3).
        // Node 2 sends its 3 to node 3 (equal loads: gain 2 * 0.3^2 > 0); then node 0, now the
        // least loaded, sends its 5 to node 1: {5, 5} and {3, 3}, two nodes.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 0.0], [5.0, 0.0], [3.0, 0.0], [3.0, 0.0]],
        );
        let start = Placement {
            assignment: vec![Some(0), Some(1), Some(2), Some(3)],
            unplaced: vec![],
            status: Status::Heuristic,
            bound: None,
            note: None,
        };
        let got = improve(&p, start);
        got.verify(&p).unwrap();
        assert_eq!(got.assignment, vec![Some(1), Some(1), Some(3), Some(3)]);
        assert_eq!(place(&Repack, &p).nodes_used(), 2);
    }
}
