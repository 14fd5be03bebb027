//! `first_fit`: the first node, in index order, that the task fits.

use super::{Options, Selector, Strategy};
use crate::index::{Member, Memo, NodeTree, Order, Spec, few_allowed};
use crate::model::Problem;
use crate::state::State;

/// Tasks in arrival order (higher priority first), each on the first node in index order that it
/// fits: the classic bin-packing heuristic, and the order-preserving placement of simple batch
/// schedulers (Slurm's `select/linear` with default node order fills nodes in order).
///
/// Index: a segment tree over nodes (leaves of 8 nodes) keeps per subtree the most free
/// capacity of any node in each resource; the first fitting node is found by descent, skipping
/// every subtree where some resource is short on all nodes, and a task that fits no node is
/// rejected at the root. The search starts where the last one for the same demand ended (a
/// memo of 256 demands, `src/index/memo.rs`): placements only take capacity, so no node before
/// that answer fits the demand now; any other change (a removal, failure, join or cordon)
/// clears the memo. Exact: the node the scan in index order finds. A task restricted to at most
/// one node in 8 checks its allowed nodes instead.
///
/// Complexity per placement: O(log(nodes) + 8) x resources per leaf visited: one when the
/// tree's per-resource maxima come from one node, more where one node has the cpu and another
/// the memory; only the leaves after where the last search for the same demand ended; O(1)
/// when the task fits no node. Memory: the node tree (fit keys; see the memory table in the
/// README), the memo (256 x (8 x resources + 24) bytes).
#[derive(Debug, Clone, Copy, Default)]
pub struct FirstFit;

/// The choice rule: the first node in `order` that `fits`.
///
/// ```
/// use packsched::strategy::first_fitting;
/// assert_eq!(first_fitting(0..4, |&n| n >= 2), Some(2));
/// assert_eq!(first_fitting([3, 1, 2], |&n| n < 3), Some(1));
/// assert_eq!(first_fitting(0..4, |_| false), None);
/// ```
pub fn first_fitting(
    order: impl IntoIterator<Item = usize>,
    fits: impl FnMut(&usize) -> bool,
) -> Option<usize> {
    order.into_iter().find(fits)
}

/// The first-fit select step over nodes in a given order (then any node that joined later),
/// shared with `first_fit_decreasing`: the node tree with its leaves in that order.
pub(crate) struct First {
    tree: NodeTree,
    /// Where the last search for each demand ended, to start the next one there: for trees of
    /// every node in a fixed order, where placements only take capacity (see [`Memo`]).
    memo: Option<Memo<usize>>,
}

impl First {
    /// First fit over the nodes in `order` (a permutation of the problem's nodes), or in index
    /// order for `None`.
    pub(crate) fn new(problem: &Problem, order: Option<Vec<usize>>) -> Option<Self> {
        let order = order.map_or(Order::Index, |o| Order::Given(o.into()));
        Self::with_spec(problem, Spec::new(order))
    }

    /// First fit over the nodes a tree of this spec holds, in its order.
    pub(crate) fn with_spec(problem: &Problem, spec: Spec) -> Option<Self> {
        let r = problem.resources().len();
        let fixed = matches!(spec.order, Order::Index | Order::Given(_));
        let memo = (fixed && spec.member == Member::All).then(|| Memo::new(r));
        let tree = NodeTree::new(spec, r)?;
        Some(Self { tree, memo })
    }

    /// The first node in the tree's order that `task` fits.
    pub(crate) fn first(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        self.tree.load(state, task);
        if let Some(allowed) = few_allowed(state, task) {
            let tree = &self.tree;
            return allowed
                .filter(|&n| tree.holds(state, n) && state.fits(task, n))
                .min_by_key(|&n| tree.position(n));
        }
        let Some(memo) = &mut self.memo else {
            return self.tree.first_from(state, task, 0);
        };
        let from = memo.start(state, task).unwrap_or(0);
        let found = self.tree.first_from(state, task, from);
        let end = found.map_or(usize::MAX, |n| self.tree.position(n));
        memo.record(state, task, end);
        found
    }

    /// Told that the state's last change placed `task` on `node`.
    pub(crate) fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.tree.took(state, task, node);
        if let Some(memo) = &mut self.memo {
            memo.placed(state, task);
        }
    }

    /// Told that `node` changed by the state's last change (of any kind).
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        self.tree.changed(state, node);
        if let Some(memo) = &mut self.memo {
            memo.forget();
        }
    }
}

impl Selector for First {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        self.first(state, task)
    }

    fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        First::placed(self, state, task, node);
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.changed(state, node);
    }

    fn node_changed(&mut self, state: &State<'_>, node: usize) {
        self.changed(state, node);
    }
}

impl Strategy for FirstFit {
    fn name(&self) -> &str {
        "first_fit"
    }

    fn selector(&self, problem: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        Some(Box::new(First::new(problem, None)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn takes_the_first_node_that_fits_in_arrival_order() {
        // 6 and 5 do not share a node of 10; 4 goes back to node 0 (6 + 4), 5 to node 1.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [5.0, 1.0], [4.0, 1.0], [5.0, 1.0]],
        );
        let got = place(&FirstFit, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
    }
}
