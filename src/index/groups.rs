//! Buckets by task count for least connections: the leaf order sorted by count, most tasks
//! first, kept sorted by swaps as counts change by one.
//!
//! Positions `ends[c + 1]..ends[c]` hold the nodes with `c` tasks (`ends[c]` is the number of
//! nodes with at least `c`). When a node of bucket `c` gets a task it swaps with the first node
//! of its bucket, and the boundary moves up by one: it is now the last of bucket `c + 1`. A
//! removal is the mirror image. Two leaves change, each summarized again in O(BLOCK +
//! log(nodes / BLOCK)). Placing least connections' choice, the lowest index of its bucket, moves
//! it behind the nodes of the next bucket placed before it in the same round, so that buckets
//! stay nearly in index order.
//!
//! The fewest tasks among the nodes a task fits is then the bucket of the last fitting node in
//! leaf order (a descent from the right that skips whole subtrees of nodes too full for the
//! task, wherever their count puts them); the lowest index in that bucket comes from a search
//! of the bucket's positions that skips subtrees whose lowest node index is no better.

use super::search::Rows;
use super::tree::{BLOCK, NodeTree};
use crate::state::State;

impl NodeTree {
    /// After a rebuild in count order: the bucket boundaries and each node's sorted count.
    pub(super) fn group_counts(&mut self, state: &State<'_>) {
        let nodes = state.nodes();
        self.sorted_count = (0..nodes).map(|n| state.task_count(n)).collect();
        let most = self.sorted_count.iter().copied().max().unwrap_or(0) as usize;
        self.groups = vec![0; most + 2];
        for &c in &self.sorted_count {
            self.groups[c as usize] += 1;
        }
        for c in (0..=most).rev() {
            self.groups[c] += self.groups[c + 1];
        }
    }

    /// Moves `node` to the group of its count now, one up or down from the one it is in.
    pub(super) fn regroup(&mut self, state: &State<'_>, node: usize) {
        let (old, new) = (
            self.sorted_count[node] as usize,
            state.task_count(node) as usize,
        );
        let p = self.position(node);
        let q = if new == old + 1 {
            if self.groups.len() == old + 2 {
                self.groups.push(0);
            }
            self.groups[old + 1] += 1;
            self.groups[old + 1] as usize - 1
        } else if new + 1 == old {
            self.groups[old] -= 1;
            self.groups[old] as usize
        } else {
            p
        };
        self.sorted_count[node] = new as u32;
        self.swap_positions(p, q);
        self.update_block(p / BLOCK);
        if q / BLOCK != p / BLOCK {
            self.update_block(q / BLOCK);
        }
    }

    /// Among the nodes `task` fits (its demand loaded), the one with the fewest tasks, ties to
    /// the lowest index: the choice of the full scan.
    ///
    /// Complexity: the first fit's descent, then O(log(nodes / BLOCK) + BLOCK) per leaf of the
    /// group searched.
    pub(crate) fn fewest(&self, state: &State<'_>, task: usize) -> Option<usize> {
        let rows = Rows::new(state, task);
        let last = self.find(&rows, self.len.checked_sub(1)?, false)?;
        let count = self.sorted_count[self.node_at(last)] as usize;
        let (a, b) = (self.groups[count + 1] as usize, self.groups[count] as usize);
        let first = self.find(&rows, a, true)?;
        Some(self.lowest_in(&rows, a..b, self.node_at(first)))
    }

    /// The lowest node index among the fitting nodes at positions `range`, given one (`best`).
    fn lowest_in(
        &self,
        rows: &Rows<'_, '_>,
        range: std::ops::Range<usize>,
        mut best: usize,
    ) -> usize {
        let mut stack = [0u32; 130];
        stack[0] = 1;
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let t = stack[top] as usize;
            let (start, size) = self.span(t);
            let outside = start + size <= range.start || start >= range.end;
            if outside || self.first[t] as usize >= best || !self.may_fit(t) {
                continue;
            }
            if t >= self.leaves {
                let positions = start.max(range.start)..(start + size).min(range.end);
                for n in positions.map(|p| self.node_at(p)) {
                    if n < best && self.fits(rows, n) {
                        best = n;
                    }
                }
                continue;
            }
            // The child whose lowest index is lower is searched first.
            let (l, r) = (2 * t, 2 * t + 1);
            let (later, sooner) = if self.first[l] <= self.first[r] {
                (r, l)
            } else {
                (l, r)
            };
            stack[top] = later as u32;
            stack[top + 1] = sooner as u32;
            top += 2;
        }
        best
    }
}
