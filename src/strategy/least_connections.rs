//! `least_connections`: the fitting node with the fewest tasks.

use super::{Options, Selector, Strategy, select_best_among, select_best_in};
use crate::index::{Buckets, NodeTree, Order, Spec, Standby, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// The fitting node with the fewest tasks placed on it, ties to the lowest index: the classic
/// load-balancer policy (nginx `least_conn`, HAProxy `leastconn`). Spreads tasks by count.
///
/// Index: first one bitset over the nodes per task count, for the 16 smallest counts of the nodes
/// with room for the least demand of any task (`src/index/buckets.rs`): the nodes are checked in
/// (count, index) order and the first that fits is the choice. A query starts where the last query
/// for the same demand found its node (placements only take capacity and raise counts, so no node
/// before that answer fits the demand now; any other change clears that memo, `src/index/memo.rs`),
/// and gives up after 2,048 nodes checked, or at the end of the window while nodes with larger
/// counts exist. Then the full scan answers, or, once such queries come often (8 in a row, each
/// within a quarter as many placements as there are nodes of the last; `src/index/standby.rs`), the
/// node tree, kept in step from then on until they stop. The node tree: buckets by count, as its
/// leaves: nodes sorted by their task count, kept sorted by swapping a node to the edge of its
/// bucket when its count changes by one. The first node in that order the task fits (a descent that
/// skips subtrees too full for it) has the fewest tasks; its bucket is then searched for the lowest
/// index that fits. Exact: the node the full scan picks. A task restricted to at most one node in 8
/// checks its allowed nodes instead.
///
/// Complexity per placement: O(1) to move the node's bit and O(1) per node checked (usually a few:
/// the memo starts near the answer); O(nodes) when the window moves up past counts held only above
/// it; where the bitsets give up, O(nodes x resources) by the scan, or with the tree O(log(nodes) +
/// 8) x resources per leaf visited, usually a few, after bringing the tree up to date (O(8 +
/// log(nodes)) x resources per leaf changed since its last use); O(1) when the task fits no node.
/// Memory: 4 bytes and 16 bits per node and the memo for the bitsets, the node tree (fit keys; see
/// the memory table in the README), the bucket bounds (4 bytes per count value), 4 bytes per node
/// for the sorted count.
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
    /// Whether the tree is kept in step (`src/index/standby.rs`).
    standby: Standby,
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
        let found = if self.standby.fall_back() {
            self.tree.load(state, task);
            self.tree.fewest(state, task)
        } else {
            select_best_in(state, task, 0..state.nodes(), score)
        };
        self.buckets.found(state, task, found);
        found
    }

    fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.buckets.placed(state, task, node);
        if self.standby.changed(state.nodes()) {
            self.tree.changed(state, node);
        }
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
        if self.standby.changed(state.nodes()) {
            self.tree.changed(state, node);
        }
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
        let standby = Standby::default();
        Some(Box::new(Fewest {
            buckets,
            tree,
            standby,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::select_best;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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

    #[test]
    fn the_scan_and_the_kept_tree_agree_with_the_full_scan() {
        // Buckets of one count give up often: the first fallbacks are answered by the scan,
        // later ones by the tree, kept in step through placements and removals.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut random = |rows: usize, lo: f64, hi: f64| {
            ndarray::Array2::from_shape_fn((rows, 2), |_| rng.random_range(lo..hi).round())
        };
        let p = problem(random(40, 4.0, 32.0), random(1_500, 1.0, 12.0));
        let tree = NodeTree::new(Spec::new(Order::Count), p.resources().len()).unwrap();
        let mut fewest = Fewest {
            buckets: Buckets::with_window(1),
            tree,
            standby: Standby::default(),
        };
        let (mut state, mut rng) = (State::new(&p), ChaCha8Rng::seed_from_u64(10));
        let mut kept = [0, 0];
        for task in 0..p.tasks() {
            let want = select_best(&state, task, |n| connections_score(state.task_count(n)));
            assert_eq!(fewest.select(&state, task), want, "task {task}");
            kept[usize::from(fewest.standby.kept())] += 1;
            if let Some(node) = want {
                state.place(task, node).unwrap();
                fewest.placed(&state, task, node);
            }
            let gone = rng.random_range(0..=task);
            if rng.random_range(0..2) == 0
                && let Some(node) = state.remove(gone)
            {
                fewest.removed(&state, gone, node);
            }
        }
        assert!(kept[0] > 10 && kept[1] > 100, "{kept:?}");
    }
}
