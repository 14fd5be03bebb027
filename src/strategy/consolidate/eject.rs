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
/// random number of insertions (3 to the number of open nodes, at least 10, plus the pending
/// count), so the search does not undo itself (unless every insertion would eject a tabu task). Every node stays within
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
        // When every insertion ejects a tabu task, the tabu list yields for once.
        let Some(best) = best_insertion(p, &nodes, &pending, &tabu, iteration, budget, rng)
            .or_else(|| best_insertion(p, &nodes, &pending, &[], iteration, budget, rng))
        else {
            return false;
        };
        for &o in &best.out {
            p.remove(o);
        }
        let placed = p.place(best.task, best.node);
        debug_assert!(placed, "checked by fits_without");
        tabu[best.task] = iteration + rng.random_range(3..=nodes.len().max(10)) + pending.len();
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
        budget.charge(nodes.len() * p.resources());
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
/// at most two ejectable tasks of that node, ties drawn at random; `None` if there is none or the
/// budget is spent.
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
    for &t in pending {
        for &m in nodes {
            let members = p.members(m);
            if !p.admits(t, m) {
                continue;
            }
            let slack = p.slack(t, m);
            // Fit tests made on this node, charged once it is done; the node's set-up counts as
            // a few.
            let mut tests = 4;
            for (i, &b1) in members.iter().enumerate() {
                let bound = best.as_ref().map_or(f64::INFINITY, |b| b.delta);
                let d1 = p.weight(b1) - p.weight(t);
                if is_tabu(tabu, b1, iteration) || d1 > bound + 1e-12 {
                    continue;
                }
                tests += 1;
                let with1: Vec<f64> = slack.iter().zip(p.demand(b1)).map(|(s, d)| s + d).collect();
                if with1.iter().all(|&x| x >= 0.0) {
                    offer(
                        &mut best,
                        &mut ties,
                        Insertion {
                            task: t,
                            node: m,
                            out: vec![b1],
                            delta: d1,
                        },
                        rng,
                    );
                    continue;
                }
                for &b2 in &members[i + 1..] {
                    let d2 = d1 + p.weight(b2);
                    if is_tabu(tabu, b2, iteration) || d2 > bound + 1e-12 {
                        continue;
                    }
                    tests += 1;
                    if with1.iter().zip(p.demand(b2)).all(|(s, d)| s + d >= 0.0) {
                        let ins = Insertion {
                            task: t,
                            node: m,
                            out: vec![b1, b2],
                            delta: d2,
                        };
                        offer(&mut best, &mut ties, ins, rng);
                    }
                }
            }
            if !budget.charge(tests * p.resources()) {
                return None;
            }
        }
    }
    best
}

/// Whether `task` may not be ejected at `iteration` (an empty list forbids nothing).
fn is_tabu(tabu: &[usize], task: usize, iteration: usize) -> bool {
    tabu.get(task).is_some_and(|&until| until > iteration)
}

/// Keeps `ins` if it changes the pending weight less than `best`, or as much, with probability
/// one over the number of ties so far (each tie equally likely to be kept).
fn offer(best: &mut Option<Insertion>, ties: &mut u32, ins: Insertion, rng: &mut impl Rng) {
    match best {
        Some(b) if ins.delta > b.delta + 1e-12 => {}
        Some(b) if ins.delta >= b.delta - 1e-12 => {
            *ties += 1;
            if rng.random_range(0..=*ties) == 0 {
                *best = Some(ins);
            }
        }
        _ => {
            *ties = 0;
            *best = Some(ins);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::packing::Rows;
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn cpu(sizes: &[f64], nodes: usize) -> crate::Problem {
        let demand =
            ndarray::Array2::from_shape_fn(
                (sizes.len(), 2),
                |(t, r)| {
                    if r == 0 { sizes[t] } else { 0.0 }
                },
            );
        problem(ndarray::Array2::from_elem((nodes, 2), 10.0), demand)
    }

    #[test]
    fn a_pending_task_goes_in_by_ejecting_a_lighter_one() {
        // Node 0 holds 4 and 4 (2 free), node 1 holds 3 and 3 (4 free): the pending 5 fits
        // neither. It first takes the place of a 3 on node 1 (pending weight 0.5 -> 0.3, the
        // largest drop), and a few insertions later all fit: {5, 4} and {4, 3, 3}.
        let p = cpu(&[4.0, 4.0, 3.0, 3.0, 5.0], 3);
        let rows = Rows::new(&p);
        let mut packing = Packing::new(&p, &[Some(0), Some(0), Some(1), Some(1), None], &rows);
        let how = Repair {
            iterations: 50,
            descent_every: 0,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let open = [true, true, false];
        assert!(repair(
            &mut packing,
            &open,
            vec![4],
            how,
            &Budget::steps(10_000),
            &mut rng
        ));
        let got = packing.placement();
        got.verify(&p).unwrap();
        assert_eq!((got.placed(), got.nodes_used()), (5, 2));
        // With no budget the search stops at once; with the only open node full it fails.
        let mut stuck = Packing::new(&p, &[Some(0), Some(0), Some(1), Some(1), None], &rows);
        let none = [true, false, false];
        assert!(!repair(
            &mut stuck,
            &none,
            vec![4],
            how,
            &Budget::steps(10_000),
            &mut rng
        ));
    }

    #[test]
    fn the_tabu_list_lets_the_search_leave_a_plateau() {
        // 5, 3 on node 0 and 5, 3 on node 1 (2 free each); the pending 4 needs {3, 3, 4} and
        // {5, 5}, which takes several insertions, some that do not lower the pending weight.
        let p = cpu(&[5.0, 3.0, 5.0, 3.0, 4.0], 3);
        let rows = Rows::new(&p);
        let start = [Some(0), Some(0), Some(1), Some(1), None];
        let how = Repair {
            iterations: 200,
            descent_every: 0,
        };
        for seed in 0..5 {
            let mut packing = Packing::new(&p, &start, &rows);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let budget = Budget::steps(1_000_000);
            assert!(repair(
                &mut packing,
                &[true, true, false],
                vec![4],
                how,
                &budget,
                &mut rng
            ));
            let got = packing.placement();
            got.verify(&p).unwrap();
            assert_eq!((got.placed(), got.nodes_used()), (5, 2), "seed {seed}");
        }
        let _ = array![0.0];
    }
}
