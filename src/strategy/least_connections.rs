//! `least_connections`: the fitting node with the fewest tasks.

use super::{Options, Selector, Strategy, select_best_among, select_best_in};
use crate::index::{Buckets, NodeTree, Order, Spec, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// The fitting node with the fewest tasks placed on it, ties to the lowest index: the classic
/// load-balancer policy (nginx `least_conn`, HAProxy `leastconn`). Spreads tasks by count.
///
/// Index: first one bitset over the nodes per task count, for the 16 smallest counts of the
/// nodes with room for the least demand of any task (`src/index/buckets.rs`): the nodes are
/// checked in (count, index) order and the first that fits is the choice. A query starts where the last query for the same demand found its node
/// (placements only take capacity and raise counts, so no node before that answer fits the
/// demand now; any other change clears that memo, `src/index/memo.rs`), and gives up to the node
/// tree after 2,048 nodes checked, or at the end of the window while nodes with larger counts
/// exist. The node tree: buckets by count, as its leaves: nodes sorted by their task count, kept
/// sorted by swapping a node to the edge of its bucket when its count changes by one. The first
/// node in that order the task fits (a descent that skips subtrees too full for it) has the
/// fewest tasks; its bucket is then searched for the lowest index that fits. Exact: the node the
/// full scan picks. A task restricted to at most one node in 8 checks its allowed nodes instead.
///
/// Complexity per placement: O(1) to move the node's bit and O(1) per node checked (usually a
/// few: the memo starts near the answer); O(nodes) when the window moves up past counts held
/// only above it; where the bitsets give up, O(log(nodes) + 8) x resources per leaf visited,
/// usually a few, after bringing the tree up to date (O(8 + log(nodes)) x resources per leaf
/// changed since its last use); O(1) when the task fits no node. Memory: 4 bytes and 16 bits per
/// node and the memo for the bitsets, the node tree (fit keys; see the memory table in the
/// README), the bucket bounds (4 bytes per count value), 4 bytes per node for the sorted count.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeastConnections;

/// The score: fewer tasks score higher.
///
/// ```
/// use packsched::strategy::connections_score;
/// assert!(connections_score(1) > connections_score(2));
/// ```
pub fn connections_score(tasks_on_node: u32) -> f64 {
    -f64::from(tasks_on_node)
}

struct Fewest {
    buckets: Buckets,
    tree: NodeTree,
}

impl Selector for Fewest {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let score = |n| connections_score(state.task_count(n));
        if let Some(allowed) = few_allowed(state, task) {
            return select_best_in(state, task, allowed, score);
        }
        if let Some(found) = self.buckets.fewest(state, task) {
            return found;
        }
        self.tree.load(state, task);
        let found = self.tree.fewest(state, task);
        self.buckets.found(state, task, found);
        found
    }

    fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.buckets.placed(state, task, node);
        self.tree.changed(state, node);
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.changed(state, node);
    }

    fn node_changed(&mut self, state: &State<'_>, node: usize) {
        self.changed(state, node);
    }

    fn select_among(&mut self, state: &State<'_>, _: usize, fitting: &[usize]) -> Option<usize> {
        select_best_among(fitting, |n| connections_score(state.task_count(n)))
    }
}

impl Fewest {
    fn changed(&mut self, state: &State<'_>, node: usize) {
        self.buckets.changed(state, node);
        self.tree.changed(state, node);
    }
}

impl Strategy for LeastConnections {
    fn name(&self) -> &str {
        "least_connections"
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        let spec = Spec::new(Order::Count);
        let tree = NodeTree::new(spec, problem.resources().len())?;
        let buckets = Buckets::new();
        Some(Box::new(Fewest { buckets, tree }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn picks_the_node_with_fewest_tasks() {
        // Ties go to the lower index: 0 -> node 0, 1 -> node 1 (0 tasks), 2 -> node 0 (tie at
        // one task each), 3 -> node 1 (fewer), 4 -> node 1 (node 0 is full).
        let p = problem(
            array![[4.0, 4.0], [8.0, 8.0]],
            array![[3.0, 3.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0]],
        );
        let got = place(&LeastConnections, &p);
        assert_eq!(
            got.assignment,
            vec![Some(0), Some(1), Some(0), Some(1), Some(1)]
        );
    }
}
