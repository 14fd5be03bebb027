//! The node tree: layout, construction, and updates as the state changes.

use crate::state::{Stamp, State, TOLERANCE};

/// Nodes per leaf of the tree: a leaf is scanned, the levels above are searched. 16 keeps the
/// tree small (about 2 / 16 of a summary per node) while a leaf scan stays a few cache lines.
pub(crate) const BLOCK: usize = 16;

/// A per-node number whose minimum each subtree keeps, for rules that prefer the node with the
/// least of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// Nothing beyond the fit keys.
    None,
    /// The tasks on the node (least connections).
    Count,
    /// The work on the node (least time).
    Work,
}

/// Which alive nodes the tree holds; the others are treated as absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    /// Every alive node.
    All,
    /// Alive nodes with at least one task (best fit decreasing's nodes in use).
    InUse,
}

/// The order of the tree's leaves: the order of "first" queries, and the grouping that makes
/// score bounds tight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Order {
    /// Node index order.
    Index,
    /// These nodes in this order (a permutation of the problem's nodes), then joined nodes.
    Given(Vec<usize>),
    /// Nodes of equal capacity together (capacity rows in lexicographic order), index order
    /// among them: a subtree of one machine type has exact score bounds.
    Shape,
}

/// What a tree keeps.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    order: Order,
    member: Member,
    scalar: Scalar,
    boxes: bool,
    key_min: bool,
}

impl Spec {
    /// Fit keys only, leaves in `order`, every alive node a member.
    pub(crate) fn new(order: Order) -> Self {
        Self {
            order,
            member: Member::All,
            scalar: Scalar::None,
            boxes: false,
            key_min: false,
        }
    }

    /// Also the minimum of a per-node number.
    pub(crate) fn with_scalar(mut self, scalar: Scalar) -> Self {
        self.scalar = scalar;
        self
    }

    /// Also, per resource, the range of free fractions and capacities (for score bounds).
    pub(crate) fn with_boxes(mut self) -> Self {
        self.boxes = true;
        self
    }

    /// Also the least fit key per resource (to count fitting nodes by whole subtrees).
    pub(crate) fn with_key_min(mut self) -> Self {
        self.key_min = true;
        self
    }

    /// Only these nodes.
    pub(crate) fn with_member(mut self, member: Member) -> Self {
        self.member = member;
        self
    }
}

/// Offsets of the fields in one tree node's row of `data`; the fit keys (the most of `free +
/// TOLERANCE x capacity` per resource) come first.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub(super) stride: usize,
    pub(super) key_min: Option<usize>,
    /// Free fraction low, high; capacity low, high: four runs of `r` values.
    pub(super) boxes: Option<usize>,
    pub(super) scalar: Option<usize>,
}

impl Layout {
    fn new(spec: &Spec, r: usize) -> Self {
        let mut next = r;
        let mut take = |on: bool, width: usize| {
            on.then(|| {
                next += width;
                next - width
            })
        };
        let key_min = take(spec.key_min, r);
        let boxes = take(spec.boxes, 4 * r);
        let scalar = take(spec.scalar != Scalar::None, 1);
        Self {
            stride: next,
            key_min,
            boxes,
            scalar,
        }
    }
}

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
    stamp: Option<Stamp>,
    /// The demand of the task being placed.
    pub(super) demand: Vec<f64>,
    /// Per tree node, the fitting nodes counted by the last [`NodeTree::count`].
    pub(super) counts: Vec<u32>,
}

impl NodeTree {
    /// An empty tree for a problem with `resources` resources, built on first use; `None` if
    /// the spec needs resource masks and there are more than 64 resources.
    pub(crate) fn new(spec: Spec, resources: usize) -> Option<Self> {
        if spec.boxes && resources > 64 {
            return None;
        }
        Some(Self {
            layout: Layout::new(&spec, resources),
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
        })
    }

    /// Brings the tree up to date with `state` (a rebuild if a change went by unseen) and loads
    /// `task`'s demand for the queries.
    pub(crate) fn load(&mut self, state: &State<'_>, task: usize) {
        if self.stamp != Some(state.stamp()) || self.len != state.nodes() {
            self.rebuild(state);
        }
        for (d, &v) in self.demand.iter_mut().zip(state.demand(task)) {
            *d = v;
        }
    }

    /// Told that `node` changed by the state's last change (a placement or a removal there).
    /// If some other change went by unseen, the tree is rebuilt at its next use.
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        let now = state.stamp();
        match self.stamp {
            Some(seen) if seen == now => {}
            Some(seen)
                if seen.id == now.id
                    && seen.changes + 1 == now.changes
                    && self.len == state.nodes() =>
            {
                self.update(state, node);
                self.stamp = Some(now);
            }
            _ => self.stamp = None,
        }
    }

    /// The position of a node in the leaf order.
    pub(crate) fn position(&self, node: usize) -> usize {
        self.pos[node] as usize
    }

    /// Whether a node is held by the tree now (alive, and a member).
    pub(crate) fn holds(&self, state: &State<'_>, node: usize) -> bool {
        state.is_alive(node)
            && match self.spec.member {
                Member::All => true,
                Member::InUse => state.task_count(node) > 0,
            }
    }

    fn rebuild(&mut self, state: &State<'_>) {
        let nodes = state.nodes();
        self.order = leaf_order(&self.spec.order, state);
        self.pos = vec![0; nodes];
        for (p, &n) in self.order.iter().enumerate() {
            self.pos[n as usize] = p as u32;
        }
        self.len = nodes;
        self.leaves = nodes.div_ceil(BLOCK).max(1).next_power_of_two();
        let size = 2 * self.leaves;
        self.data = vec![0.0; size * self.layout.stride];
        self.masks = vec![0; if self.spec.boxes { 2 * size } else { 0 }];
        self.first = vec![u32::MAX; size];
        self.counts = vec![0; size];
        for b in 0..self.leaves {
            self.summarize_block(state, b);
        }
        for t in (1..self.leaves).rev() {
            self.merge(t);
        }
        self.stamp = Some(state.stamp());
    }

    fn update(&mut self, state: &State<'_>, node: usize) {
        let block = self.position(node) / BLOCK;
        self.summarize_block(state, block);
        let mut t = (self.leaves + block) / 2;
        while t >= 1 {
            self.merge(t);
            t /= 2;
        }
    }

    /// Writes the summary of leaf `block` from the nodes in it.
    fn summarize_block(&mut self, state: &State<'_>, block: usize) {
        let (r, lay) = (self.r, self.layout);
        let t = self.leaves + block;
        let row = &mut self.data[t * lay.stride..(t + 1) * lay.stride];
        row[..r].fill(f64::NEG_INFINITY);
        if let Some(o) = lay.key_min {
            row[o..o + r].fill(f64::INFINITY);
        }
        if let Some(o) = lay.boxes {
            row[o..o + r].fill(f64::INFINITY);
            row[o + r..o + 2 * r].fill(f64::NEG_INFINITY);
            row[o + 2 * r..o + 3 * r].fill(f64::INFINITY);
            row[o + 3 * r..o + 4 * r].fill(f64::NEG_INFINITY);
        }
        if let Some(o) = lay.scalar {
            row[o] = f64::INFINITY;
        }
        let start = block * BLOCK;
        let end = (start + BLOCK).min(self.len).max(start);
        let (mut all, mut any, mut first) = (u64::MAX, 0u64, u32::MAX);
        // Whether every position holds a member (for the least fit key).
        let mut complete = end - start == BLOCK;
        for p in start..end {
            let node = self.order[p] as usize;
            first = first.min(node as u32);
            let held = state.is_alive(node)
                && match self.spec.member {
                    Member::All => true,
                    Member::InUse => state.task_count(node) > 0,
                };
            if !held {
                complete = false;
                continue;
            }
            let (free, cap) = (state.free_row(node), state.capacity_row(node));
            for j in 0..r {
                let key = free[j] + TOLERANCE * cap[j];
                row[j] = row[j].max(key);
                if let Some(o) = lay.key_min {
                    row[o + j] = row[o + j].min(key);
                }
            }
            if let Some(o) = lay.boxes {
                let mut mask = 0u64;
                for j in (0..r).filter(|&j| cap[j] > 0.0) {
                    let phi = free[j] / cap[j];
                    row[o + j] = row[o + j].min(phi);
                    row[o + r + j] = row[o + r + j].max(phi);
                    row[o + 2 * r + j] = row[o + 2 * r + j].min(cap[j]);
                    row[o + 3 * r + j] = row[o + 3 * r + j].max(cap[j]);
                    mask |= 1 << j;
                }
                all &= mask;
                any |= mask;
            }
            if let Some(o) = lay.scalar {
                let v = match self.spec.scalar {
                    Scalar::Count => f64::from(state.task_count(node)),
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
    fn merge(&mut self, t: usize) {
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
        maxes(0, r, row);
        if let Some(o) = lay.key_min {
            mins(o, o + r, row);
        }
        if let Some(o) = lay.boxes {
            mins(o, o + r, row);
            maxes(o + r, o + 2 * r, row);
            mins(o + 2 * r, o + 3 * r, row);
            maxes(o + 3 * r, o + 4 * r, row);
            self.masks[2 * t] = self.masks[4 * t] & self.masks[4 * t + 2];
            self.masks[2 * t + 1] = self.masks[4 * t + 1] | self.masks[4 * t + 3];
        }
        if let Some(o) = lay.scalar {
            mins(o, o + 1, row);
        }
        self.first[t] = self.first[2 * t].min(self.first[2 * t + 1]);
    }
}

/// The leaf order of a spec over the state's nodes.
fn leaf_order(order: &Order, state: &State<'_>) -> Vec<u32> {
    let nodes = state.nodes();
    let mut out: Vec<u32> = match order {
        Order::Index => (0..nodes as u32).collect(),
        Order::Given(given) => given
            .iter()
            .map(|&n| n as u32)
            .chain((given.len() as u32)..nodes as u32)
            .collect(),
        Order::Shape => {
            let mut all: Vec<u32> = (0..nodes as u32).collect();
            all.sort_by(|&a, &b| {
                let (ca, cb) = (
                    state.capacity_row(a as usize),
                    state.capacity_row(b as usize),
                );
                ca.iter()
                    .zip(cb)
                    .map(|(x, y)| x.total_cmp(y))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(a.cmp(&b))
            });
            all
        }
    };
    out.truncate(nodes);
    out
}

/// The nodes a restricted task may run on (its allowed nodes, then any node that joined since),
/// in increasing order, when they are few enough (at most one node in 8) that checking each
/// beats searching the tree; `None` for an unrestricted task or a long list.
pub(crate) fn few_allowed<'a>(
    state: &State<'a>,
    task: usize,
) -> Option<impl Iterator<Item = usize> + 'a> {
    let problem = state.problem();
    let list = problem.allowed_nodes(task)?;
    let (known, now) = (problem.nodes(), state.nodes());
    (list.len() * 8 <= now).then(|| list.iter().copied().chain(known..now))
}
