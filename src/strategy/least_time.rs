//! `least_time`: the fitting node whose placed work would finish first.

use super::{Options, Selector, Strategy, select_best_among, select_best_in};
use crate::index::{Least, NodeTree, Order, Scalar, Spec, Standby, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// The fitting node whose placed work, run one task after another, would finish first with this
/// task added: work is the sum of the tasks' durations, 1 per task without a duration. The
/// load-balancer policy of nginx Plus (`least_time`). Ties to the lowest index.
///
/// Index: first the nodes in order of (placed work, index) in short sorted runs, each keeping the
/// most free capacity per resource of its nodes (`src/index/least.rs`, `src/index/sorted.rs`):
/// the first node in that order the task fits, passing over runs too full for it and starting
/// where the last query for the same demand found its first node (placements only take capacity
/// and move nodes later in that order; any other change clears that memo, `src/index/memo.rs`),
/// then the first of each larger work while its finish time rounds equal to the best (a tie, won
/// by a lower index): not looked for when the next work up already finishes later, and ended at
/// the first node, fitting or not, that finishes later; it gives up after 256 nodes that may fit.
/// Then the full scan answers, or, once such queries come often (`src/index/standby.rs`, as in
/// `least_connections`), the node tree, kept in step from then on until they stop. The node tree
/// keeps per subtree the least work on a node and the fit keys; branch and bound with
/// `-finish_time(least work, task work)` as the bound (monotone, so valid in floating point) goes
/// to the subtree of the least loaded node that may fit: exact (the node the full scan picks,
/// ties to the lowest index, also where two sums round equal). A task restricted to at most one
/// node in 8 checks its allowed nodes instead.
///
/// Complexity per placement: O(log(nodes) + nodes / run + run x resources) to find the node and
/// to file it again (runs of about the square root of the nodes: 128 at 10,000; filing appends
/// to the run, which is put in order when a walk next reads it), usually a few nodes read from
/// where the memo starts; where it gives up, O(nodes x resources) by the scan, or with the tree
/// O(log(nodes) + 8) x resources per leaf visited; O(1) when the task fits no node (the runs
/// pass over nodes by the first 8 resources: more are tested node by node).
/// Memory: the runs (12 bytes per node, and 32 bytes per room in a run, 48 beyond 4 resources,
/// 1 to 4 rooms per node), the node tree (fit keys and the least work; see the memory table in
/// the README).
#[derive(Debug, Clone, Copy, Default)]
pub struct LeastTime;

/// When the node's work would finish with the task added: `placed_work + task_work`.
///
/// ```
/// use packsched::strategy::finish_time;
/// assert_eq!(finish_time(3.0, 1.5), 4.5);
/// ```
pub fn finish_time(placed_work: f64, task_work: f64) -> f64 {
    placed_work + task_work
}

struct Earliest {
    least: Least,
    tree: NodeTree,
    /// Whether the tree is kept in step (`src/index/standby.rs`).
    standby: Standby,
}

impl Selector for Earliest {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let work = state.task_work(task);
        let score = |n| -finish_time(state.work(n), work);
        if let Some(allowed) = few_allowed(state, task) {
            return select_best_in(state, task, allowed, score);
        }
        if let Some(found) = self.least.best(state, task, |w| -finish_time(w, work)) {
            return found;
        }
        if !self.standby.fall_back() {
            return select_best_in(state, task, 0..state.nodes(), score);
        }
        self.tree.load(state, task);
        self.tree
            .best(state, task, |_, s, _| -finish_time(s.scalar, work), score)
    }

    fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.least.placed(state, task, node);
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

    fn select_among(&mut self, state: &State<'_>, task: usize, fitting: &[usize]) -> Option<usize> {
        let work = state.task_work(task);
        select_best_among(fitting, |n| -finish_time(state.work(n), work))
    }
}

impl Earliest {
    fn changed(&mut self, state: &State<'_>, node: usize) {
        self.least.changed(state, node);
        if self.standby.changed(state.nodes()) {
            self.tree.changed(state, node);
        }
    }
}

impl Strategy for LeastTime {
    fn name(&self) -> &str {
        "least_time"
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        let spec = Spec::new(Order::Load).with_scalar(Scalar::Work);
        let tree = NodeTree::new(spec, problem.resources().len())?;
        let least = Least::new(|state, n| state.work(n));
        let standby = Standby::default();
        Some(Box::new(Earliest {
            least,
            tree,
            standby,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Problem, Resources, Workload};
    use crate::strategy::testing::place;
    use ndarray::array;

    #[test]
    fn picks_the_node_that_finishes_first() {
        let r = Resources::new(["cpu"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[10.0], [10.0]]).unwrap();
        let workload = Workload::new(r, array![[1.0], [1.0], [1.0], [1.0]])
            .unwrap()
            .with_duration(vec![10.0, 3.0, 4.0, 2.0])
            .unwrap();
        let p = Problem::new(cluster, workload).unwrap();
        // Work after each step: [10,0] -> [10,3] -> [10,7] -> [10,9]; least connections would
        // have alternated.
        let got = place(&LeastTime, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(1), Some(1)]);
    }
}
