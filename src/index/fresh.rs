//! Keeping the node tree's summaries in step: leaves written again before the next query, or,
//! after a placement in a tree of fit keys only, left above their nodes until a search finds
//! one wanting.
//!
//! A summary of fit keys is the most free capacity per resource over a subtree's nodes (per
//! group by scarcest resource). A placement only takes capacity from one node, so the summary
//! written before it is still at least every node's free capacity: a search that skips a
//! subtree because some resource is short on all its nodes by the old summary skips only
//! subtrees where that holds now too, and the nodes of a leaf are checked on the state itself.
//! Left as it is, such a leaf costs a scan that finds nothing; it is written again after the
//! first search that does so. A node that changes group keeps, in its old group, a key at least
//! its free capacity: still a bound for it.

use super::tree::{BLOCK, NodeTree};
use super::{Seen, scratch};
use crate::state::State;

/// How a leaf's summary stands to its nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fresh {
    /// Written from the nodes as they are.
    Written,
    /// To be written again before the next query (a node changed in any way).
    Dirty,
    /// At least the nodes' free capacity (placements only since it was written).
    Above,
}

impl NodeTree {
    /// Told that `task` was placed on `node` (the state's last change). In a lazy tree the
    /// leaf's summary is left as it is when the task takes capacity only; otherwise as
    /// [`NodeTree::changed`].
    pub(crate) fn took(&mut self, state: &State<'_>, task: usize, node: usize) {
        let now = state.stamp();
        let takes = state.takes_only(task);
        match Seen::of(self.stamp, now) {
            Seen::Next if self.lazy && takes && self.len == state.nodes() => {
                let block = self.position(node) / BLOCK;
                if self.pending[block] == Fresh::Written {
                    self.pending[block] = Fresh::Above;
                }
                self.stamp = Some(now);
            }
            _ => self.changed(state, node),
        }
    }

    pub(super) fn update(&mut self, node: usize) {
        self.update_block(self.position(node) / BLOCK);
    }

    /// Marks leaf `block` to be summarized again before the next query.
    pub(super) fn update_block(&mut self, block: usize) {
        if self.pending[block] != Fresh::Dirty {
            self.pending[block] = Fresh::Dirty;
            self.dirty.push(block as u32);
        }
    }

    /// Told by a search that leaf `block` was scanned without a fit: if its summary is above
    /// its nodes, it is written again at the next load.
    pub(super) fn wanting(&self, block: usize) {
        if self.pending[block] == Fresh::Above {
            self.wanting.borrow_mut().push(block as u32);
        }
    }

    /// Summarizes the leaves marked since the last query again, and those found wanting, and
    /// the tree nodes above them.
    pub(super) fn flush(&mut self, state: &State<'_>) {
        while let Some(block) = self.wanting.get_mut().pop() {
            self.update_block(block as usize);
        }
        while let Some(block) = self.dirty.pop() {
            self.pending[block as usize] = Fresh::Written;
            self.resummarize(state, block as usize);
        }
    }

    /// Summarizes leaf `block` again and the tree nodes above it, as far as they change.
    fn resummarize(&mut self, state: &State<'_>, block: usize) {
        self.summarize_block(state, block);
        let mut t = (self.leaves + block) / 2;
        let s = self.layout.stride;
        scratch(s, |old| {
            while t >= 1 {
                // Above a tree node whose summary did not change, nothing changes.
                old.copy_from_slice(&self.data[t * s..(t + 1) * s]);
                let masks = |m: &[u64]| m.get(2 * t..2 * t + 2).map(|m| (m[0], m[1]));
                let before = (masks(&self.masks), self.first[t]);
                self.merge(t);
                let same = *old == self.data[t * s..(t + 1) * s]
                    && before == (masks(&self.masks), self.first[t]);
                if same {
                    break;
                }
                t /= 2;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Order, Spec};
    use crate::strategy::testing::problem;
    use ndarray::Array2;

    #[test]
    fn a_leaf_left_above_its_nodes_is_written_again_once_found_wanting() {
        // Two leaves of 8 nodes with room for two tasks each.
        let p = problem(
            Array2::from_elem((16, 2), 2.0),
            Array2::from_elem((40, 2), 1.0),
        );
        let mut state = State::new(&p);
        let mut tree = NodeTree::new(Spec::new(Order::Index), 2).unwrap();
        assert!(tree.lazy);
        for task in 0..16 {
            tree.load(&state, task);
            let node = task / 2;
            assert_eq!(tree.first_from(&state, task, 0), Some(node));
            state.place(task, node).unwrap();
            tree.took(&state, task, node);
            assert_eq!(tree.pending[node / BLOCK], Fresh::Above, "task {task}");
        }
        // The first leaf is full but its summary still says a task may fit: the search scans
        // it, finds nothing, and has it written again.
        assert!(tree.may_fit(tree.leaves));
        tree.load(&state, 16);
        assert_eq!(tree.first_from(&state, 16, 0), Some(8));
        assert_eq!(*tree.wanting.borrow(), vec![0]);
        tree.load(&state, 17);
        assert_eq!(tree.pending[0], Fresh::Written);
        assert!(!tree.may_fit(tree.leaves));
        // A tree with more than the fit keys is written again before every query.
        let mut counting = NodeTree::new(Spec::new(Order::Index).with_key_min(), 2).unwrap();
        assert!(!counting.lazy);
        counting.load(&state, 16);
        state.place(16, 8).unwrap();
        counting.took(&state, 16, 8);
        assert_eq!(counting.pending[1], Fresh::Dirty);
    }
}
