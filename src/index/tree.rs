//! The node tree: layout, construction, and updates as the state changes.

use crate::state::{Stamp, State, TOLERANCE};

/// Nodes per leaf of the tree: a leaf is scanned, the levels above are searched. 8 keeps the
/// tree small (about 2 / 8 of a summary per node) and a leaf scan short (measured against 16 on
/// the scale example: faster for every indexed strategy).
pub(crate) const BLOCK: usize = 8;

use super::Seen;
use super::fresh::Fresh;
use super::order::{fold_keys, leaf_order, scarcest, shape_ranks};
use super::spec::{Layout, Member, Order, Scalar, Spec};

/// A segment tree over blocks of nodes; see the [module](super) documentation.
///
/// Memory: per tree node (about `2 x nodes / BLOCK` of them, rounded up to a power of two) the
/// fields of its [`Spec`] in f64 (`resources` fit keys, optionally `resources` more, `4 x
/// resources` for boxes, 1 scalar), two 64-bit masks with boxes and a 32-bit first node; 8 bytes
/// per node for the leaf order and its inverse; the demand of one task.
#[derive(Debug, Clone)]
pub(crate) struct NodeTree {
    spec: Spec,
    pub(super) r: usize,
    pub(super) layout: Layout,
    /// Position -> node.
    pub(super) order: Vec<u32>,
    /// Node -> position.
    pos: Vec<u32>,
    /// Positions in use (the number of nodes).
    pub(super) len: usize,
    /// Leaves (blocks) of the tree: a power of two.
    pub(super) leaves: usize,
    pub(super) data: Vec<f64>,
    /// Per tree node: resources every node has, resources some node has (bits).
    pub(super) masks: Vec<u64>,
    /// Per tree node: the lowest node index in its subtree.
    pub(super) first: Vec<u32>,
    pub(super) stamp: Option<Stamp>,
    /// The demand of the task being placed.
    pub(super) demand: Vec<f64>,
    /// Per tree node, the fitting nodes counted by the last [`NodeTree::count`].
    pub(super) counts: Vec<u32>,
    /// Whether the task of the last [`NodeTree::count`] is restricted to some nodes.
    pub(super) restricted: bool,
    /// Per node, the rank of its capacity row among the distinct rows (for [`Order::Shape`]),
    /// kept across re-sorts: capacities change only when nodes join.
    shapes: Vec<u32>,
    /// With [`Order::Count`]: per count `c`, the number of nodes with at least `c` tasks (one
    /// more entry than the largest count, the last 0).
    pub(super) groups: Vec<u32>,
    /// With [`Order::Count`]: per node, the count its position is sorted by.
    pub(super) sorted_count: Vec<u32>,
    /// Leaves whose nodes changed since their summary was written, to summarize again (with the
    /// tree nodes above them) before the next query: a run of placements on one leaf costs one
    /// summary, and a selector that answers without the tree (round robin's next node) none.
    pub(super) dirty: Vec<u32>,
    /// Per leaf: [`Fresh::Written`], [`Fresh::Dirty`] (in `dirty`), or [`Fresh::Above`].
    pub(super) pending: Vec<Fresh>,
    /// Whether the summaries may be left above the nodes they sum up after placements
    /// ([`NodeTree::took`]): for trees of fit keys only, over every node in a fixed order.
    pub(super) lazy: bool,
    /// Leaves left above their nodes that a search scanned without finding a fit: written
    /// again at the next [`NodeTree::load`].
    pub(super) wanting: std::cell::RefCell<Vec<u32>>,
    /// Leaves searched and searches since the last rebuild, to re-sort a [`Order::Shape`]
    /// tree whose order no longer helps.
    pub(super) effort: std::cell::Cell<(u64, u64)>,
}

impl NodeTree {
    /// An empty tree for a problem with `resources` resources, built on first use; `None` if
    /// the spec needs resource masks and there are more than 64 resources.
    pub(crate) fn new(spec: Spec, resources: usize) -> Option<Self> {
        if spec.boxes.is_some() && resources > 64 {
            return None;
        }
        let layout = Layout::new(&spec, resources);
        let lazy = matches!(spec.order, Order::Index | Order::Given(_))
            && spec.member == Member::All
            && layout.stride == layout.corners * resources;
        Some(Self {
            layout,
            lazy,
            spec,
            r: resources,
            order: Vec::new(),
            pos: Vec::new(),
            len: 0,
            leaves: 0,
            data: Vec::new(),
            masks: Vec::new(),
            first: Vec::new(),
            stamp: None,
            demand: vec![0.0; resources],
            counts: Vec::new(),
            restricted: false,
            shapes: Vec::new(),
            groups: Vec::new(),
            sorted_count: Vec::new(),
            dirty: Vec::new(),
            pending: Vec::new(),
            wanting: std::cell::RefCell::new(Vec::new()),
            effort: std::cell::Cell::new((0, 0)),
        })
    }

    /// Brings the tree up to date with `state` (a rebuild if a change went by unseen) and loads
    /// `task`'s demand for the queries.
    pub(crate) fn load(&mut self, state: &State<'_>, task: usize) {
        if matches!(self.spec.order, Order::Shape | Order::Load) {
            // Re-sort when the searches since the last sort visited, beyond two leaves each,
            // 16 times as many leaves as there are (a sort and rebuild cost about as much as
            // visiting every leaf 10 to 20 times).
            let (leaves, searches) = self.effort.get();
            if leaves > 2 * searches + 16 * self.leaves as u64 + 16 {
                self.stamp = None;
            }
        }
        if self.stamp != Some(state.stamp()) || self.len != state.nodes() {
            self.rebuild(state);
        }
        self.flush(state);
        for (d, &v) in self.demand.iter_mut().zip(state.demand_row(task)) {
            *d = v;
        }
    }

    /// Told that `node` changed by the state's last change (a placement or a removal there).
    /// If some other change went by unseen, the tree is rebuilt at its next use.
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        let now = state.stamp();
        match Seen::of(self.stamp, now) {
            Seen::Current => {}
            Seen::Next if self.len == state.nodes() => {
                if self.spec.order == Order::Count {
                    self.regroup(state, node);
                } else {
                    self.update(node);
                }
                self.stamp = Some(now);
            }
            _ => self.stamp = None,
        }
    }

    /// The node at a position of the leaf order.
    pub(super) fn node_at(&self, position: usize) -> usize {
        self.order[position] as usize
    }

    /// Swaps the nodes at two positions of the leaf order (their leaves are to be summarized
    /// again).
    pub(super) fn swap_positions(&mut self, a: usize, b: usize) {
        self.order.swap(a, b);
        self.pos[self.order[a] as usize] = a as u32;
        self.pos[self.order[b] as usize] = b as u32;
    }

    /// The position of a node in the leaf order.
    pub(crate) fn position(&self, node: usize) -> usize {
        self.pos[node] as usize
    }

    /// Whether a node is held by the tree now (alive, not cordoned, and a member).
    pub(crate) fn holds(&self, state: &State<'_>, node: usize) -> bool {
        held(self.spec.member, state, node)
    }

    pub(super) fn rebuild(&mut self, state: &State<'_>) {
        let nodes = state.nodes();
        if self.spec.order == Order::Shape && self.shapes.len() != nodes {
            self.shapes = shape_ranks(state);
        }
        // The old order goes before the new one is made, and the arrays are filled again in
        // place: a rebuild (a re-sort of the order) holds no second copy of the tree.
        self.order = Vec::new();
        self.order = leaf_order(&self.spec, state, &self.shapes);
        if self.spec.order == Order::Count {
            self.group_counts(state);
        }
        refill(&mut self.pos, nodes, 0);
        for (p, &n) in self.order.iter().enumerate() {
            self.pos[n as usize] = p as u32;
        }
        self.len = nodes;
        self.leaves = nodes.div_ceil(BLOCK).max(1).next_power_of_two();
        let size = 2 * self.leaves;
        refill(&mut self.data, size * self.layout.stride, 0.0);
        let masks = if self.spec.boxes.is_some() {
            2 * size
        } else {
            0
        };
        refill(&mut self.masks, masks, 0);
        refill(&mut self.first, size, u32::MAX);
        self.dirty.clear();
        self.wanting.get_mut().clear();
        refill(&mut self.pending, self.leaves, Fresh::Written);
        refill(
            &mut self.counts,
            if self.spec.key_min { size } else { 0 },
            0,
        );
        for b in 0..self.leaves {
            self.summarize_block(state, b);
        }
        for t in (1..self.leaves).rev() {
            self.merge(t);
        }
        self.stamp = Some(state.stamp());
        self.effort.set((0, 0));
    }

    /// Writes the summary of leaf `block` from the nodes in it.
    pub(super) fn summarize_block(&mut self, state: &State<'_>, block: usize) {
        let (r, lay, member) = (self.r, self.layout, self.spec.member);
        let t = self.leaves + block;
        let row = &mut self.data[t * lay.stride..(t + 1) * lay.stride];
        row[..lay.corners * r].fill(f64::NEG_INFINITY);
        if let Some(o) = lay.key_min {
            row[o..o + r].fill(f64::INFINITY);
        }
        if let Some(o) = lay.boxes {
            row[o..o + r].fill(f64::INFINITY);
            row[o + r..o + 2 * r].fill(f64::NEG_INFINITY);
            row[o + 2 * r..o + 3 * r].fill(f64::INFINITY);
            row[o + 3 * r..o + 4 * r].fill(f64::NEG_INFINITY);
            row[o + 4 * r] = f64::INFINITY;
            row[o + 4 * r + 1] = f64::NEG_INFINITY;
            row[o + 4 * r + 2..o + 5 * r + 2].fill(f64::INFINITY);
            row[o + 5 * r + 2..o + 6 * r + 2].fill(f64::NEG_INFINITY);
        }
        if let Some(o) = lay.scalar {
            row[o] = f64::INFINITY;
        }
        let half = r * r.saturating_sub(1) / 2;
        if let Some(o) = lay.pairs {
            row[o..o + half].fill(f64::INFINITY);
            row[o + half..o + 2 * half].fill(f64::NEG_INFINITY);
        }
        let start = block * BLOCK;
        let end = (start + BLOCK).min(self.len).max(start);
        let (mut all, mut any, mut first) = (u64::MAX, 0u64, u32::MAX);
        // Whether every position holds a member (for the least fit key).
        let mut complete = end - start == BLOCK;
        for p in start..end {
            let node = self.order[p] as usize;
            first = first.min(node as u32);
            if !held(member, state, node) {
                complete = false;
                continue;
            }
            let (free, cap) = (state.free_row(node), state.capacity_row(node));
            let keys = &mut row[..lay.corners * r];
            match r {
                2 => fold_keys::<2>(keys, free, cap),
                3 => fold_keys::<3>(keys, free, cap),
                4 => fold_keys::<4>(keys, free, cap),
                _ => {
                    let corner = scarcest(free, cap) % lay.corners * r;
                    for j in 0..r {
                        keys[corner + j] = keys[corner + j].max(free[j] + TOLERANCE * cap[j]);
                    }
                }
            }
            if let Some(o) = lay.key_min {
                for j in 0..r {
                    row[o + j] = row[o + j].min(free[j] + TOLERANCE * cap[j]);
                }
            }
            if let (Some(o), Some(w)) = (lay.boxes, &self.spec.boxes) {
                let (mut mask, mut linear) = (0u64, 0.0);
                for j in (0..r).filter(|&j| cap[j] > 0.0) {
                    let phi = free[j] / cap[j];
                    linear += w[j] * phi;
                    row[o + j] = row[o + j].min(phi);
                    row[o + r + j] = row[o + r + j].max(phi);
                    row[o + 2 * r + j] = row[o + 2 * r + j].min(cap[j]);
                    row[o + 3 * r + j] = row[o + 3 * r + j].max(cap[j]);
                    mask |= 1 << j;
                }
                row[o + 4 * r] = row[o + 4 * r].min(linear);
                row[o + 4 * r + 1] = row[o + 4 * r + 1].max(linear);
                for k in 0..r {
                    // Tilted toward resource k: its weight taken twice.
                    let tilted = if cap[k] > 0.0 {
                        linear + w[k] * (free[k] / cap[k])
                    } else {
                        linear
                    };
                    row[o + 4 * r + 2 + k] = row[o + 4 * r + 2 + k].min(tilted);
                    row[o + 5 * r + 2 + k] = row[o + 5 * r + 2 + k].max(tilted);
                }
                if let Some(o) = lay.pairs {
                    let mut k = 0;
                    for a in 0..r {
                        for b in a + 1..r {
                            if cap[a] > 0.0 && cap[b] > 0.0 {
                                let d = free[a] / cap[a] - free[b] / cap[b];
                                row[o + k] = row[o + k].min(d);
                                row[o + half + k] = row[o + half + k].max(d);
                            }
                            k += 1;
                        }
                    }
                }
                all &= mask;
                any |= mask;
            }
            if let Some(o) = lay.scalar {
                let v = match self.spec.scalar {
                    Scalar::Work => state.work(node),
                    Scalar::None => 0.0,
                };
                row[o] = row[o].min(v);
            }
        }
        if let (Some(o), false) = (lay.key_min, complete) {
            row[o..o + r].fill(f64::NEG_INFINITY);
        }
        if lay.boxes.is_some() {
            self.masks[2 * t] = all;
            self.masks[2 * t + 1] = any;
        }
        self.first[t] = first;
    }

    /// Tree node `t` from its two children.
    pub(super) fn merge(&mut self, t: usize) {
        let (r, lay) = (self.r, self.layout);
        let s = lay.stride;
        let (head, tail) = self.data.split_at_mut(2 * t * s);
        let row = &mut head[t * s..(t + 1) * s];
        let (a, b) = tail[..2 * s].split_at(s);
        let maxes = |lo: usize, hi: usize, row: &mut [f64]| {
            for j in lo..hi {
                row[j] = a[j].max(b[j]);
            }
        };
        let mins = |lo: usize, hi: usize, row: &mut [f64]| {
            for j in lo..hi {
                row[j] = a[j].min(b[j]);
            }
        };
        maxes(0, lay.corners * r, row);
        if let Some(o) = lay.key_min {
            mins(o, o + r, row);
        }
        if let Some(o) = lay.boxes {
            mins(o, o + r, row);
            maxes(o + r, o + 2 * r, row);
            mins(o + 2 * r, o + 3 * r, row);
            maxes(o + 3 * r, o + 4 * r, row);
            mins(o + 4 * r, o + 4 * r + 1, row);
            maxes(o + 4 * r + 1, o + 4 * r + 2, row);
            mins(o + 4 * r + 2, o + 5 * r + 2, row);
            maxes(o + 5 * r + 2, o + 6 * r + 2, row);
            self.masks[2 * t] = self.masks[4 * t] & self.masks[4 * t + 2];
            self.masks[2 * t + 1] = self.masks[4 * t + 1] | self.masks[4 * t + 3];
        }
        if let Some(o) = lay.scalar {
            mins(o, o + 1, row);
        }
        if let Some(o) = lay.pairs {
            let half = r * (r - 1) / 2;
            mins(o, o + half, row);
            maxes(o + half, o + 2 * half, row);
        }
        self.first[t] = self.first[2 * t].min(self.first[2 * t + 1]);
    }
}

/// Whether a tree whose members are `member` holds `node` now: the node admits tasks (alive, not
/// cordoned) and is a member.
fn held(member: Member, state: &State<'_>, node: usize) -> bool {
    state.admits(node)
        && match member {
            Member::All => true,
            Member::InUse => state.task_count(node) > 0,
            Member::Empty => state.task_count(node) == 0,
        }
}

/// `v` as `len` copies of `value`, in the room it has (no second array while the old one is
/// still held).
fn refill<T: Clone>(v: &mut Vec<T>, len: usize, value: T) {
    v.clear();
    v.resize(len, value);
}
