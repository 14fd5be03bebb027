//! The move and swap neighbourhoods: volume pushed from less loaded nodes to more loaded ones.

use super::budget::Budget;
use super::packing::Packing;

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

/// Below this, a gain is rounding.
const EPS: f64 = 1e-9;

/// Improving moves and swaps among the nodes where `open` is true until none is left (or the
/// budget is spent); returns whether anything changed.
///
/// A move takes one task to another open node; a swap trades two tasks of different weight
/// between two open nodes. Either must fit, and must strictly grow the sum of squared node loads
/// ([`load_gain`]), so volume only flows toward fuller nodes and the descent ends; a node that
/// loses its last task is freed. Sources are tried least loaded first, the node that can be
/// emptied; a move goes to the fullest node that takes the task. These are the 1-0 and 1-1
/// neighbourhoods of bin-packing local search (Levine and Ducatelle, 2004) under the objective
/// of Falkenauer's grouping genetic algorithm (1996).
///
/// Complexity: O(open nodes^2 x tasks per node^2 x resources) per improvement, at most.
pub(crate) fn descent(p: &mut Packing<'_, '_>, open: &[bool], budget: &Budget) -> bool {
    let mut changed = false;
    while budget.left() && improve_once(p, open, budget) {
        changed = true;
    }
    changed
}

/// The first improving move or swap, sources least loaded first.
fn improve_once(p: &mut Packing<'_, '_>, open: &[bool], budget: &Budget) -> bool {
    let mut nodes: Vec<usize> = (0..p.nodes())
        .filter(|&n| open[n] && !p.members(n).is_empty())
        .collect();
    nodes.sort_by(|&a, &b| p.load(a).total_cmp(&p.load(b)).then(a.cmp(&b)));
    if !budget.charge(p.nodes()) {
        return false;
    }
    for (i, &s) in nodes.iter().enumerate() {
        let sources: Vec<usize> = p.members(s).to_vec();
        for &a in &sources {
            if !budget.charge(nodes.len() * p.resources()) {
                return false;
            }
            if move_up(p, a, s, &nodes[i + 1..]) {
                return true;
            }
            for &m in &nodes[i + 1..] {
                if !budget.charge(1 + p.members(m).len() * p.resources()) {
                    return false;
                }
                if swap_up(p, a, s, m) {
                    return true;
                }
            }
        }
    }
    false
}

/// Moves `a` from `s` to the fullest node of `targets` it fits with a positive gain.
fn move_up(p: &mut Packing<'_, '_>, a: usize, s: usize, targets: &[usize]) -> bool {
    let w = p.weight(a);
    let best = targets
        .iter()
        .copied()
        .filter(|&m| load_gain(p.load(m), p.load(s), w) > EPS && p.fits(a, m))
        .max_by(|&x, &y| p.load(x).total_cmp(&p.load(y)).then(y.cmp(&x)));
    best.is_some_and(|m| p.place(a, m))
}

/// Swaps `a` (on `s`) with a lighter task of `m` if both fit and the gain is positive.
fn swap_up(p: &mut Packing<'_, '_>, a: usize, s: usize, m: usize) -> bool {
    for i in 0..p.members(m).len() {
        let b = p.members(m)[i];
        let delta = p.weight(a) - p.weight(b);
        if delta > 0.0 && load_gain(p.load(m), p.load(s), delta) > EPS && swap(p, a, b) {
            // The members changed; the caller starts over.
            return true;
        }
    }
    false
}

/// Swaps two placed tasks between their nodes if both fit and both nodes stay within capacity;
/// `false` leaves everything unchanged.
pub(crate) fn swap(p: &mut Packing<'_, '_>, a: usize, b: usize) -> bool {
    let (Some(s), Some(m)) = (p.node_of(a), p.node_of(b)) else {
        return false;
    };
    if s == m || !p.fits_without(a, m, &[b]) || !p.fits_without(b, s, &[a]) {
        return false;
    }
    p.remove(a);
    p.remove(b);
    let ok = p.place(a, m) && p.place(b, s);
    debug_assert!(ok, "checked by fits_without");
    ok
}

#[cfg(test)]
mod tests {
    use super::super::packing::Rows;
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn gains_by_hand() {
        // Moving 0.1 from a node at 0.2 to one at 0.9: 1.0^2 + 0.1^2 - 0.9^2 - 0.2^2 = 0.16.
        assert!((load_gain(0.9, 0.2, 0.1) - 0.16).abs() < 1e-12);
    }

    #[test]
    fn moves_empty_the_least_loaded_node() {
        // One task per node: 5, 5, 3, 3 on nodes of 10 (weights 0.5, 0.5, 0.3, 0.3). Node 2, the
        // least loaded, sends its 3 to the fullest node it fits, node 0 (8); node 3 then sends
        // its 3 to node 1, the fullest it fits (5 + 3): two nodes. Last, a swap of a 5 and a 3
        // between those two (loads 0.8 and 0.8) fills one node: {5, 5} and {3, 3}.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[5.0, 0.0], [5.0, 0.0], [3.0, 0.0], [3.0, 0.0]],
        );
        let w = Rows::new(&p);
        let mut packing = Packing::new(&p, &[Some(0), Some(1), Some(2), Some(3)], &w);
        assert!(descent(&mut packing, &[true; 4], &Budget::steps(1_000)));
        let got = packing.placement();
        got.verify(&p).unwrap();
        assert_eq!(got.assignment, vec![Some(1), Some(1), Some(0), Some(0)]);
    }

    #[test]
    fn a_swap_sends_the_heavier_task_to_the_fuller_node() {
        // Node 0: t0 (6, 1) and t1 (1, 5), load 0.7 + 0.6; node 1: t2 (2, 1) and t3 (7, 5), load
        // 0.3 + 1.2, free (1, 4). No move fits node 1; swapping t1 (0.6) with the lighter t2
        // (0.3) fits both ways ((8, 10) and (8, 2)) and sends 0.3 to the fuller node.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [1.0, 5.0], [2.0, 1.0], [7.0, 5.0]],
        );
        let w = Rows::new(&p);
        let mut packing = Packing::new(&p, &[Some(0), Some(0), Some(1), Some(1)], &w);
        assert!(descent(&mut packing, &[true; 2], &Budget::steps(1_000)));
        let got = packing.placement();
        got.verify(&p).unwrap();
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
    }

    #[test]
    fn a_task_with_a_negative_demand_stays_while_a_partner_needs_it() {
        // Task 1 asks -2 memory: with it, 6 + 6 memory fit a node of 10. Moving it away would
        // put node 0 over capacity; the swap and the move must refuse.
        let r = crate::Resources::new(["cpu", "memory"]).unwrap();
        let p = crate::Problem::new(
            crate::Cluster::new(r.clone(), array![[10.0, 10.0], [10.0, 10.0]]).unwrap(),
            crate::Workload::allowing_negative(
                r,
                array![[1.0, 6.0], [1.0, -2.0], [1.0, 6.0], [1.0, 1.0]],
            )
            .unwrap(),
        )
        .unwrap();
        let w = Rows::new(&p);
        let mut packing = Packing::new(&p, &[Some(0), Some(0), Some(0), Some(1)], &w);
        assert!(!packing.place(1, 1));
        assert!(!swap(&mut packing, 1, 3));
        descent(&mut packing, &[true; 2], &Budget::steps(1_000));
        packing.placement().verify(&p).unwrap();
        assert_eq!(packing.node_of(1), Some(0));
    }
}
