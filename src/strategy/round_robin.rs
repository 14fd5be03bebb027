//! `round_robin`: nodes in turn.

use super::{Options, Selector, Strategy};
use crate::index::{NodeTree, Order, Spec, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// Nodes in turn, skipping the nodes a task does not fit: the classic load-balancer policy
/// (nginx's and HAProxy's default). Spreads tasks evenly by count, blind to their size.
///
/// Index: the next 32 nodes in turn are checked one by one; past them, the node tree in index
/// order finds the next fitting node at or after the pointer by descent, skipping every subtree
/// where some resource is short on all nodes; exact (the node the cyclic scan finds). A task
/// restricted to at most one node in 8 checks its allowed nodes instead.
///
/// Complexity per placement: O(resources) when one of the next nodes fits; else O(32 +
/// log(nodes) + 8) x resources per leaf of 8 nodes visited, one leaf when the fitting nodes'
/// free capacity is seen by the tree, O(1) when the task fits no node. Memory: one pointer and the node tree
/// (fit keys; see the memory table in the README).
#[derive(Debug, Clone, Copy, Default)]
pub struct RoundRobin;

/// The choice rule: the first node at or after `start`, cyclically over `nodes`, that `fits`.
///
/// ```
/// use packsched::strategy::next_in_turn;
/// assert_eq!(next_in_turn(2, 4, |n| n != 2), Some(3));
/// assert_eq!(next_in_turn(3, 4, |n| n == 1), Some(1));
/// assert_eq!(next_in_turn(0, 4, |_| false), None);
/// ```
pub fn next_in_turn(
    start: usize,
    nodes: usize,
    mut fits: impl FnMut(usize) -> bool,
) -> Option<usize> {
    (0..nodes).map(|i| (start + i) % nodes).find(|&n| fits(n))
}

/// Nodes in turn checked one by one before the tree is asked.
const WINDOW: usize = 32;

struct Turn {
    next: usize,
    tree: NodeTree,
}

impl Turn {
    fn choose(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let nodes = state.nodes();
        // The next few nodes in turn first: the pointer's node fits most tasks, and a short
        // look past it is cheaper than bringing the tree up to date.
        if let Some(node) = (0..WINDOW.min(nodes))
            .map(|i| (self.next + i) % nodes)
            .find(|&n| state.fits(task, n))
        {
            return Some(node);
        }
        if let Some(allowed) = few_allowed(state, task) {
            // The first in turn: the least distance, cyclically, from the pointer.
            return allowed
                .filter(|&n| state.fits(task, n))
                .min_by_key(|&n| (n + nodes - self.next) % nodes);
        }
        self.tree.load(state, task);
        let tree = &self.tree;
        tree.first_from(state, task, self.next)
            .or_else(|| tree.first_from(state, task, 0))
    }
}

impl Selector for Turn {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let node = self.choose(state, task)?;
        self.next = (node + 1) % state.nodes();
        Some(node)
    }

    fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.tree.took(state, task, node);
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.tree.changed(state, node);
    }

    fn node_changed(&mut self, state: &State<'_>, node: usize) {
        self.tree.changed(state, node);
    }

    fn select_among(&mut self, state: &State<'_>, _: usize, fitting: &[usize]) -> Option<usize> {
        // The first fitting node at or after the pointer, cyclically: the same as the scan.
        let after = fitting.partition_point(|&n| n < self.next);
        let node = *fitting.get(after).or(fitting.first())?;
        self.next = (node + 1) % state.nodes();
        Some(node)
    }
}

impl Strategy for RoundRobin {
    fn name(&self) -> &str {
        "round_robin"
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        let tree = NodeTree::new(Spec::new(Order::Index), problem.resources().len())?;
        Some(Box::new(Turn { next: 0, tree }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn takes_nodes_in_turn_and_skips_full_ones() {
        // Three nodes; task 2 is too big for node 2, so it goes on to node 0.
        let p = problem(
            array![[4.0, 4.0], [4.0, 4.0], [1.0, 1.0]],
            array![[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [1.0, 1.0]],
        );
        let got = place(&RoundRobin, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
    }
}
