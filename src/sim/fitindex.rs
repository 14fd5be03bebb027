//! The simulator's fit index: a tree over nodes that keeps, per subtree, the most free capacity
//! in each resource, to list the nodes a task fits without testing every node.
//!
//! It only narrows the search: every node it lists passes the exact filter
//! ([`State::fits`]), and a strategy then chooses among exactly the nodes that fit
//! ([`Selector::select_among`](crate::Selector::select_among)), so the simulation is the
//! same as with a full scan. On a full cluster, "fits nowhere" costs O(log nodes) descents
//! instead of O(nodes).

use crate::state::{State, TOLERANCE};

/// A max-tree over nodes: leaf `n` holds, per resource, `free + TOLERANCE * capacity` (the
/// most a demand may be and still fit), or minus infinity for a failed node.
#[derive(Debug, Clone)]
pub(crate) struct FitIndex {
    dims: usize,
    leaves: usize,
    max: Vec<f64>,
}

/// What [`FitIndex::collect`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// Every fitting node is listed (maybe none).
    All,
    /// More than the limit fit; the list is cut.
    Many,
}

impl FitIndex {
    /// The index of a state's nodes.
    pub fn new(state: &State<'_>) -> Self {
        let dims = state.problem().resources().len();
        let leaves = state.nodes().next_power_of_two().max(1);
        let mut index = Self {
            dims,
            leaves,
            max: vec![f64::NEG_INFINITY; 2 * leaves * dims],
        };
        for node in 0..state.nodes() {
            index.set_leaf(state, node);
        }
        for i in (1..leaves).rev() {
            index.pull(i);
        }
        index
    }

    /// Refreshes a node after its free capacity or alive flag changed. O(resources x log
    /// nodes); a node beyond the tree's size (a join) rebuilds it, doubling its size.
    pub fn update(&mut self, state: &State<'_>, node: usize) {
        if node >= self.leaves {
            *self = Self::new(state);
            return;
        }
        self.set_leaf(state, node);
        let mut i = (self.leaves + node) / 2;
        // Up to the root, or to the first ancestor whose maxima did not change.
        while i >= 1 && self.pull(i) {
            i /= 2;
        }
    }

    fn set_leaf(&mut self, state: &State<'_>, node: usize) {
        let at = (self.leaves + node) * self.dims;
        let row = &mut self.max[at..at + self.dims];
        if state.is_alive(node) {
            let (free, capacity) = (state.free(node), state.capacity(node));
            for (r, m) in row.iter_mut().enumerate() {
                *m = free[r] + TOLERANCE * capacity[r];
            }
        } else {
            row.fill(f64::NEG_INFINITY);
        }
    }

    /// Recomputes node `i` from its children; `true` if it changed.
    fn pull(&mut self, i: usize) -> bool {
        let d = self.dims;
        let mut changed = false;
        for r in 0..d {
            let m = self.max[2 * i * d + r].max(self.max[(2 * i + 1) * d + r]);
            changed |= m != self.max[i * d + r];
            self.max[i * d + r] = m;
        }
        changed
    }

    fn admits(&self, i: usize, demand: &[f64]) -> bool {
        let row = &self.max[i * self.dims..(i + 1) * self.dims];
        demand.iter().zip(row).all(|(d, m)| d <= m)
    }

    /// Lists, in increasing order, the nodes a task of this `demand` fits now (the exact filter of
    /// [`State::fits`] for a task without allowed-node restrictions, which callers handle
    /// apart), stopping once more than `limit` fit. O(k log nodes) for k listed nodes
    /// when subtrees prune well.
    pub fn collect(
        &self,
        state: &State<'_>,
        demand: &[f64],
        limit: usize,
        out: &mut Vec<usize>,
    ) -> Found {
        out.clear();
        // Depth-first, left to right; the stack never holds more than one node per level plus
        // one, and levels are at most 64.
        let mut stack = [0usize; 130];
        let mut top = 0;
        stack[top] = 1;
        top += 1;
        while top > 0 {
            top -= 1;
            let i = stack[top];
            if !self.admits(i, demand) {
                continue;
            }
            if i >= self.leaves {
                // A leaf admits the demand exactly when it fits the node's free capacity (the
                // same sums as `check_fit`) and the node is up; a cordon is checked apart.
                let node = i - self.leaves;
                if !state.is_cordoned(node) {
                    out.push(node);
                    if out.len() > limit {
                        return Found::Many;
                    }
                }
                continue;
            }
            stack[top] = 2 * i + 1;
            stack[top + 1] = 2 * i;
            top += 2;
        }
        Found::All
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn lists_exactly_the_fitting_nodes_in_order() {
        let p = problem(
            array![[4.0, 4.0], [2.0, 8.0], [8.0, 2.0], [4.0, 4.0], [4.0, 4.0]],
            array![[3.0, 3.0], [1.0, 1.0]],
        );
        let mut state = State::new(&p);
        let mut index = FitIndex::new(&state);
        let mut out = Vec::new();
        assert_eq!(index.collect(&state, &[3.0, 3.0], 10, &mut out), Found::All);
        assert_eq!(out, vec![0, 3, 4]);
        state.place(0, 3).unwrap();
        index.update(&state, 3);
        state.fail_node(4);
        index.update(&state, 4);
        assert_eq!(index.collect(&state, &[3.0, 3.0], 10, &mut out), Found::All);
        assert_eq!(out, vec![0]);
        assert_eq!(index.collect(&state, &[1.0, 1.0], 1, &mut out), Found::Many);
        assert_eq!(out, vec![0, 1]);
        let joined = state.add_node(array![3.0, 3.0].view());
        index.update(&state, joined);
        index.collect(&state, &[3.0, 3.0], 10, &mut out);
        assert_eq!(out, vec![0, 5]);
    }
}
