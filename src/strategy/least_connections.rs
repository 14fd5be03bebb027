//! `least_connections`: the fitting node with the fewest tasks.

use super::{Options, Selector, Strategy, select_best_among};
use crate::index::{NodeTree, Order, Scalar, Spec, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// The fitting node with the fewest tasks placed on it, ties to the lowest index: the classic
/// load-balancer policy (nginx `least_conn`, HAProxy `leastconn`). Spreads tasks by count.
///
/// Index: the node tree in index order keeps per subtree the fewest tasks on a node and the fit
/// keys; branch and bound goes to the leftmost subtree that holds a node with the fewest tasks
/// and may fit, and skips the rest: exact (the node the full scan picks, ties to the lowest
/// index). A task restricted to at most one node in 8 checks its allowed nodes instead.
///
/// Complexity per placement: O(log(nodes) + 16) x resources per leaf visited, one or two when
/// the least loaded nodes fit; more when the least loaded nodes are too full for the task (the
/// tree skips them a subtree at a time where a resource is short on all of them); O(1) when the
/// task fits no node. Memory: the node tree (fit keys and a count: 8 x (resources + 1) bytes per
/// tree node, about 2 tree nodes per 16 nodes).
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
    tree: NodeTree,
}

impl Selector for Fewest {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let score = |n| connections_score(state.task_count(n));
        if let Some(allowed) = few_allowed(state, task) {
            return select_best_among(state, task, allowed, score);
        }
        self.tree.load(state, task);
        // The fewest tasks in a subtree bound the score of all its nodes (the count is exact).
        self.tree.best(state, task, |_, s| -s.scalar, score)
    }

    fn placed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.tree.changed(state, node);
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.tree.changed(state, node);
    }
}

impl Strategy for LeastConnections {
    fn name(&self) -> &str {
        "least_connections"
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        let spec = Spec::new(Order::Shape).with_scalar(Scalar::Count);
        let tree = NodeTree::new(spec, problem.resources().len())?;
        Some(Box::new(Fewest { tree }))
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
