//! Re-placing pending tasks on the open nodes: direct fits first, then insertions that eject up
//! to two tasks of the node, steered by a tabu list (consistent neighbourhood search).

use super::budget::Budget;
use super::moves::descent;
use super::packing::Packing;
use rand::{Rng, RngExt};

/// How a repair searches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Repair {
    /// Insertions tried before giving up.
    pub(crate) iterations: usize,
    /// Every this many insertions, a descent of moves and swaps reshapes the open nodes.
    pub(crate) descent_every: usize,
}

/// One insertion: `task` onto `node`, ejecting `out`, changing the pending weight by `delta`.
#[derive(Debug, Clone)]
struct Insertion {
    task: usize,
    node: usize,
    out: Vec<usize>,
    delta: f64,
}

/// Places every task of `pending` on the nodes where `open` is true, or returns `false` (the
/// packing then holds a partial state that the caller discards).
///
/// A task that fits an open node goes to the fullest such node (best fit, largest tasks first).
/// When none fits, the search inserts a pending task into an open node and ejects one or two of
/// that node's tasks so that it fits, choosing among all pending tasks and open nodes the
/// insertion that lowers the pending weight most (or raises it least), ties broken at random;
/// the ejected tasks become pending. A task just inserted is tabu (may not be ejected) for a
/// random number of insertions, so the search does not undo itself. Every node stays within
/// capacity throughout: the search is consistent, as in Buljubasic and Vasquez's consistent
/// neighbourhood search for bin packing (Computers & OR, 2016), whose insert-and-eject
/// neighbourhood this is.
///
/// Complexity: per insertion O(pending x open nodes x tasks per node^2 x resources).
pub(crate) fn repair(
    p: &mut Packing<'_, '_>,
    open: &[bool],
    mut pending: Vec<usize>,
    how: Repair,
    budget: &Budget,
    rng: &mut impl Rng,
) -> bool {
    let nodes: Vec<usize> = (0..p.nodes()).filter(|&n| open[n]).collect();
    let mut tabu = vec![0usize; p.tasks()];
    place_direct(p, &nodes, &mut pending, budget);
    for iteration in 1..=how.iterations {
        if pending.is_empty() {
            return true;
        }
        let Some(best) = best_insertion(p, &nodes, &pending, &tabu, iteration, budget, rng) else {
            return false;
        };
        for &o in &best.out {
            p.remove(o);
        }
        let placed = p.place(best.task, best.node);
        debug_assert!(placed, "checked by fits_without");
        tabu[best.task] = iteration + rng.random_range(3..=10) + pending.len();
        pending.retain(|&t| t != best.task);
        pending.extend(best.out);
        if how.descent_every > 0 && iteration % how.descent_every == 0 {
            descent(p, open, budget);
        }
        place_direct(p, &nodes, &mut pending, budget);
    }
    pending.is_empty()
}

/// Places, largest first, each pending task that fits an open node on the fullest such node.
fn place_direct(
    p: &mut Packing<'_, '_>,
    nodes: &[usize],
    pending: &mut Vec<usize>,
    budget: &Budget,
) {
    pending.sort_by(|&a, &b| p.weight(b).total_cmp(&p.weight(a)).then(a.cmp(&b)));
    let mut left = Vec::new();
    for &t in pending.iter() {
        budget.charge(nodes.len());
        let target = nodes
            .iter()
            .copied()
            .filter(|&n| p.fits(t, n))
            .max_by(|&x, &y| p.load(x).total_cmp(&p.load(y)).then(y.cmp(&x)));
        if !target.is_some_and(|n| p.place(t, n)) {
            left.push(t);
        }
    }
    *pending = left;
}

/// The insertion of least pending-weight change over every pending task, open node and set of
/// at most two ejectable tasks of that node; `None` if there is none or the budget is spent.
fn best_insertion(
    p: &Packing<'_, '_>,
    nodes: &[usize],
    pending: &[usize],
    tabu: &[usize],
    iteration: usize,
    budget: &Budget,
    rng: &mut impl Rng,
) -> Option<Insertion> {
    let mut best: Option<Insertion> = None;
    let mut ties = 0u32;
    let mut consider = |ins: Insertion, rng: &mut dyn FnMut(u32) -> bool| match &best {
        Some(b) if ins.delta > b.delta + 1e-12 => {}
        Some(b) if ins.delta >= b.delta - 1e-12 => {
            ties += 1;
            if rng(ties + 1) {
                best = Some(ins);
            }
        }
        _ => {
            ties = 0;
            best = Some(ins);
        }
    };
    let mut coin = |n: u32| rng.random_range(0..n) == 0;
    for &t in pending {
        for &m in nodes {
            let members = p.members(m);
            if !budget.charge(1 + members.len() * members.len()) {
                return None;
            }
            if !p.problem().allowed(t, m) {
                continue;
            }
            let free: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&b| tabu[b] <= iteration)
                .collect();
            for (i, &b1) in free.iter().enumerate() {
                if p.fits_without(t, m, &[b1]) {
                    let delta = p.weight(b1) - p.weight(t);
                    consider(
                        Insertion {
                            task: t,
                            node: m,
                            out: vec![b1],
                            delta,
                        },
                        &mut coin,
                    );
                    continue;
                }
                for &b2 in &free[i + 1..] {
                    if p.fits_without(t, m, &[b1, b2]) {
                        let delta = p.weight(b1) + p.weight(b2) - p.weight(t);
                        consider(
                            Insertion {
                                task: t,
                                node: m,
                                out: vec![b1, b2],
                                delta,
                            },
                            &mut coin,
                        );
                    }
                }
            }
        }
    }
    best
}
