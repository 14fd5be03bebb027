//! Queries over the node tree: first fitting node in order, branch and bound for the best
//! score, counting the fitting nodes and finding the n-th.

use super::tree::{BLOCK, NodeTree};
use crate::state::{State, TOLERANCE};

/// What a subtree holds, for a strategy's score bound: per resource the least and the most
/// free fraction (`free / capacity`) and capacity over its nodes that have the resource (capacity
/// above 0), which resources all and any of them have, and the least scalar.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary<'a> {
    /// Per resource: the least free fraction.
    pub(crate) phi_lo: &'a [f64],
    /// Per resource: the most free fraction.
    pub(crate) phi_hi: &'a [f64],
    /// Per resource: the least capacity.
    pub(crate) cap_lo: &'a [f64],
    /// Per resource: the most capacity.
    pub(crate) cap_hi: &'a [f64],
    /// Bit `r`: every node of the subtree has resource `r`.
    pub(crate) all: u64,
    /// Bit `r`: some node of the subtree has resource `r`.
    pub(crate) any: u64,
    /// The least [`Scalar`](super::Scalar) of a node.
    pub(crate) scalar: f64,
    /// The least and the most weighted sum of free fractions (over the resources a node has,
    /// with the weights the tree was built with).
    pub(crate) linear: (f64, f64),
    /// Per resource `k`, the most weighted sum of free fractions with `k`'s weight taken twice
    /// (a linear key tilted toward `k`).
    pub(crate) tilted: &'a [f64],
    /// Per pair of resources `a < b` in order, the least and the most `phi_a - phi_b` over
    /// nodes that have both (empty if the tree does not keep them).
    pub(crate) pair_lo: &'a [f64],
    /// See `pair_lo`.
    pub(crate) pair_hi: &'a [f64],
}

impl Summary<'_> {
    /// Whether every node of the subtree has the same free fractions and capacities, so that a
    /// score computed from the ranges is each node's score.
    pub(crate) fn is_point(&self) -> bool {
        self.all == self.any
            && (0..self.phi_lo.len()).all(|j| {
                self.any & (1 << j) == 0
                    || (self.phi_lo[j] == self.phi_hi[j] && self.cap_lo[j] == self.cap_hi[j])
            })
    }

    /// Whether every node has resource `r`.
    pub(crate) fn every(&self, r: usize) -> bool {
        self.all & (1 << r) != 0
    }

    /// Whether some node has resource `r`.
    pub(crate) fn some(&self, r: usize) -> bool {
        self.any & (1 << r) != 0
    }

    /// The range of `demand / capacity` over the subtree's capacities of resource `r` (which
    /// end is larger depends on the sign of the demand).
    pub(crate) fn share(&self, demand: f64, r: usize) -> (f64, f64) {
        let (a, b) = (demand / self.cap_hi[r], demand / self.cap_lo[r]);
        if demand >= 0.0 { (a, b) } else { (b, a) }
    }

    /// The largest `demand / capacity` over the subtree's capacities of resource `r`.
    pub(crate) fn share_hi(&self, demand: f64, r: usize) -> f64 {
        demand
            / if demand >= 0.0 {
                self.cap_lo[r]
            } else {
                self.cap_hi[r]
            }
    }

    /// The least `demand / capacity` over the subtree's capacities of resource `r`.
    pub(crate) fn share_lo(&self, demand: f64, r: usize) -> f64 {
        demand
            / if demand >= 0.0 {
                self.cap_hi[r]
            } else {
                self.cap_lo[r]
            }
    }
}

/// What the filter of one query reads: the state's rows, and the task.
pub(super) struct Rows<'a, 'p> {
    state: &'a State<'p>,
    free: &'a [f64],
    cap: &'a [f64],
    task: usize,
    restricted: bool,
}

impl<'a, 'p> Rows<'a, 'p> {
    pub(super) fn new(state: &'a State<'p>, task: usize) -> Self {
        Self {
            state,
            free: state.free_values(),
            cap: state.capacity_values(),
            task,
            restricted: state.problem().allowed_nodes(task).is_some(),
        }
    }
}

/// Whether `demand` (of `R` resources) is at most some run of `R` keys in every resource: the
/// test without a branch per resource, for the usual small numbers of resources.
#[inline]
fn any_corner<const R: usize>(demand: &[f64], keys: &[f64]) -> bool {
    let d: &[f64; R] = demand.try_into().expect("R resources");
    keys.chunks_exact(R).any(|corner| {
        let mut ok = true;
        for j in 0..R {
            ok &= d[j] <= corner[j];
        }
        ok
    })
}

/// The stack of branch and bound: tree nodes with their bounds. A depth-first search pushes two
/// children per level, so 2 per level of a tree of at most 2^64 leaves is enough.
const STACK: usize = 130;

impl NodeTree {
    /// Whether some node of subtree `t` may fit the loaded demand: in one group of nodes by
    /// scarcest resource, no resource is short on every node.
    pub(super) fn may_fit(&self, t: usize) -> bool {
        let keys = &self.data[t * self.layout.stride..][..self.layout.corners * self.r];
        match self.r {
            2 => any_corner::<2>(&self.demand, keys),
            3 => any_corner::<3>(&self.demand, keys),
            4 => any_corner::<4>(&self.demand, keys),
            _ => keys
                .chunks_exact(self.r)
                .any(|corner| self.demand.iter().zip(corner).all(|(&d, &k)| d <= k)),
        }
    }

    /// Whether every position of subtree `t` holds a node the loaded demand fits (false for a
    /// restricted task, whose allowed nodes the keys know nothing of).
    fn all_fit(&self, t: usize) -> bool {
        if self.restricted {
            return false;
        }
        let o = self
            .layout
            .key_min
            .expect("a tree that counts keeps least keys");
        let keys = &self.data[t * self.layout.stride + o..][..self.r];
        self.demand.iter().zip(keys).all(|(&d, &k)| d <= k)
    }

    /// The filter for one node, [`State::check`]'s: the resources (the same test on the
    /// state's rows), the node held by the tree (alive, and a member), the task allowed there.
    pub(super) fn fits(&self, rows: &Rows<'_, '_>, node: usize) -> bool {
        let base = node * self.r;
        let (free, cap) = (
            &rows.free[base..base + self.r],
            &rows.cap[base..base + self.r],
        );
        (0..self.r).all(|j| self.demand[j] <= free[j] + TOLERANCE * cap[j])
            && self.holds(rows.state, node)
            && (!rows.restricted || rows.state.problem().allowed(rows.task, node))
    }

    /// Subtree `t`'s summary for bounds.
    fn summary(&self, t: usize) -> Summary<'_> {
        let (r, lay) = (self.r, self.layout);
        let row = &self.data[t * lay.stride..(t + 1) * lay.stride];
        let none: &[f64] = &[];
        let (phi_lo, phi_hi, cap_lo, cap_hi, linear, tilted, all, any) = match lay.boxes {
            Some(o) => {
                // One slice of the boxes, cut in turn: one bounds check for all of them.
                let boxes = &row[o..o + 6 * r + 2];
                let (phi_lo, rest) = boxes.split_at(r);
                let (phi_hi, rest) = rest.split_at(r);
                let (cap_lo, rest) = rest.split_at(r);
                let (cap_hi, rest) = rest.split_at(r);
                let (linear, tilted) = rest.split_at(2);
                // The least of each tilted key, then the most.
                let tilted = &tilted[r..];
                let masks = &self.masks[2 * t..2 * t + 2];
                let (all, any) = (masks[0], masks[1]);
                (
                    phi_lo,
                    phi_hi,
                    cap_lo,
                    cap_hi,
                    (linear[0], linear[1]),
                    tilted,
                    all,
                    any,
                )
            }
            None => (none, none, none, none, (0.0, 0.0), none, 0, 0),
        };
        let (pair_lo, pair_hi) = match lay.pairs {
            Some(o) => row[o..o + r * (r - 1)].split_at(r * (r - 1) / 2),
            None => (none, none),
        };
        Summary {
            phi_lo,
            phi_hi,
            cap_lo,
            cap_hi,
            all,
            any,
            scalar: lay.scalar.map_or(0.0, |o| row[o]),
            linear,
            tilted,
            pair_lo,
            pair_hi,
        }
    }

    /// The positions of leaf `block`.
    fn block_positions(&self, block: usize) -> std::ops::Range<usize> {
        let start = block * BLOCK;
        start.min(self.len)..(start + BLOCK).min(self.len)
    }

    /// The first position of subtree `t` and its number of positions.
    pub(super) fn span(&self, t: usize) -> (usize, usize) {
        let depth_below = self.leaves.trailing_zeros() - (usize::BITS - 1 - t.leading_zeros());
        let blocks = 1usize << depth_below;
        (((t << depth_below) - self.leaves) * BLOCK, blocks * BLOCK)
    }

    /// The first node in leaf order, at position `from` or after, that `task` fits (its demand
    /// loaded with [`NodeTree::load`]).
    ///
    /// Complexity: O(log(nodes / BLOCK) + BLOCK) per leaf visited; a leaf is visited only if
    /// every resource is free enough on some node of it. O(1) when no node has enough of some
    /// resource.
    pub(crate) fn first_from(&self, state: &State<'_>, task: usize, from: usize) -> Option<usize> {
        if from >= self.len {
            return None;
        }
        let p = self.find(&Rows::new(state, task), from, true)?;
        Some(self.order[p] as usize)
    }

    /// The position of the first node in leaf order from `from` on (`forward`), or the last at
    /// or before it, that the loaded demand fits: up to the next subtree in that direction,
    /// down its nearest branch that may fit, a leaf scanned, and on.
    pub(super) fn find(&self, rows: &Rows<'_, '_>, from: usize, forward: bool) -> Option<usize> {
        if !self.may_fit(1) {
            return None;
        }
        let scan = |block: usize, limit: Option<usize>| {
            let range = self.block_positions(block);
            let fits = |&p: &usize| self.fits(rows, self.order[p] as usize);
            let found = match (forward, limit) {
                (true, l) => (l.unwrap_or(0).max(range.start)..range.end).find(fits),
                (false, l) => (range.start..range.end.min(l.map_or(usize::MAX, |l| l + 1)))
                    .rev()
                    .find(fits),
            };
            if found.is_none() {
                self.wanting(block);
            }
            found
        };
        // A left child is even; moving on means the sibling to the right (forward) or left.
        let (near, far) = if forward { (0, 1) } else { (1, 0) };
        let mut t = self.leaves + from / BLOCK;
        if self.may_fit(t)
            && let Some(p) = scan(t - self.leaves, Some(from))
        {
            return Some(p);
        }
        loop {
            while t & 1 == far {
                t >>= 1;
            }
            if t <= 1 {
                return None;
            }
            t = if forward { t + 1 } else { t - 1 };
            if !self.may_fit(t) {
                continue;
            }
            while t < self.leaves {
                if self.may_fit(2 * t + near) {
                    t = 2 * t + near;
                } else if self.may_fit(2 * t + far) {
                    t = 2 * t + far;
                } else {
                    break;
                }
            }
            if t >= self.leaves
                && let Some(p) = scan(t - self.leaves, None)
            {
                return Some(p);
            }
        }
    }

    /// Branch and bound: among the nodes `task` fits (its demand loaded with
    /// [`NodeTree::load`]), the one with the highest `score`, ties to the lowest node index: the
    /// choice of [`select_best`](crate::strategy::select_best). `bound(demand, summary, floor)`
    /// must be at least the score of every node of a subtree with that summary, or, when every
    /// such score is below `floor` (the best score found so far), any value below `floor`;
    /// subtrees whose bound is below the best score found (or equal to it, with only higher
    /// node indices) are skipped, children are searched higher bound first.
    ///
    /// Complexity: O(log(nodes / BLOCK) + BLOCK) per leaf visited, at most every leaf; how many
    /// are visited depends on how tight the bound is.
    pub(crate) fn best(
        &self,
        state: &State<'_>,
        task: usize,
        bound: impl Fn(&[f64], &Summary<'_>, f64) -> f64,
        mut score: impl FnMut(usize) -> f64,
    ) -> Option<usize> {
        if !self.may_fit(1) {
            return None;
        }
        let rows = Rows::new(state, task);
        let (l, q) = self.effort.get();
        self.effort.set((l, q + 1));
        let bound_of = |t: usize, floor| bound(&self.demand, &self.summary(t), floor);
        let (mut best, mut best_node) = (f64::NEG_INFINITY, usize::MAX);
        let mut stack = [(0u32, 0.0f64); STACK];
        stack[0] = (1, bound_of(1, best));
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let (t, b) = (stack[top].0 as usize, stack[top].1);
            if b < best || (b == best && self.first[t] as usize > best_node) {
                continue;
            }
            if t >= self.leaves {
                let (l, q) = self.effort.get();
                self.effort.set((l + 1, q));
                for p in self.block_positions(t - self.leaves) {
                    let node = self.order[p] as usize;
                    if !self.fits(&rows, node) {
                        continue;
                    }
                    let s = score(node);
                    if s > best || (s == best && node < best_node) {
                        (best, best_node) = (s, node);
                    }
                }
                continue;
            }
            let (l, r) = (2 * t, 2 * t + 1);
            let bl = self.may_fit(l).then(|| bound_of(l, best));
            let br = self.may_fit(r).then(|| bound_of(r, best));
            // Push the weaker child first, so that the stronger is searched first.
            // Bounds that differ by no more than rounding are taken as equal, so that ties
            // (nodes alike) are searched lowest index first.
            let left_first = match (bl, br) {
                (Some(x), Some(y)) => {
                    let near = (x - y).abs() <= 1e-9 * x.abs().max(y.abs());
                    if near {
                        self.first[l] < self.first[r]
                    } else {
                        x > y
                    }
                }
                _ => true,
            };
            let pairs = if left_first {
                [(r, br), (l, bl)]
            } else {
                [(l, bl), (r, br)]
            };
            for (c, bc) in pairs {
                if let Some(bc) = bc {
                    stack[top] = (c as u32, bc);
                    top += 1;
                }
            }
        }
        (best_node != usize::MAX).then_some(best_node)
    }

    /// Counts the nodes `task` fits (its demand loaded), remembering the counts per subtree for
    /// [`NodeTree::nth`]. Whole subtrees are counted by their least keys, except for a task
    /// restricted to some nodes.
    ///
    /// Complexity: O(BLOCK + resources) per subtree that holds both nodes that fit and nodes that
    /// do not; O(1) when all or none fit.
    pub(crate) fn count(&mut self, state: &State<'_>, task: usize) -> usize {
        self.restricted = state.problem().allowed_nodes(task).is_some();
        self.count_at(&Rows::new(state, task), 1) as usize
    }

    fn count_at(&mut self, rows: &Rows<'_, '_>, t: usize) -> u32 {
        let c = if !self.may_fit(t) {
            0
        } else if self.all_fit(t) {
            self.span(t).1 as u32
        } else if t >= self.leaves {
            let range = self.block_positions(t - self.leaves);
            range
                .filter(|&p| self.fits(rows, self.order[p] as usize))
                .count() as u32
        } else {
            self.count_at(rows, 2 * t) + self.count_at(rows, 2 * t + 1)
        };
        self.counts[t] = c;
        c
    }

    /// The `k`-th (from 0) node in leaf order that `task` fits, after [`NodeTree::count`] for
    /// the same task and state.
    ///
    /// Complexity: O(log(nodes / BLOCK) + BLOCK).
    pub(crate) fn nth(&self, state: &State<'_>, task: usize, mut k: usize) -> Option<usize> {
        let rows = Rows::new(state, task);
        let mut t = 1;
        loop {
            if !self.may_fit(t) {
                return None;
            }
            if self.all_fit(t) {
                let (start, size) = self.span(t);
                return (k < size).then(|| self.order[start + k] as usize);
            }
            if t >= self.leaves {
                let range = self.block_positions(t - self.leaves);
                return range
                    .map(|p| self.order[p] as usize)
                    .filter(|&n| self.fits(&rows, n))
                    .nth(k);
            }
            let left = 2 * t;
            let in_left = if !self.may_fit(left) {
                0
            } else if self.all_fit(left) {
                self.span(left).1
            } else {
                self.counts[left] as usize
            };
            if k < in_left {
                t = left;
            } else {
                k -= in_left;
                t = left + 1;
            }
        }
    }
}
