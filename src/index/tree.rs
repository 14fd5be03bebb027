//! The node tree: layout, construction, and updates as the state changes.

use crate::state::{Stamp, State, TOLERANCE};

/// Nodes per leaf of the tree: a leaf is scanned, the levels above are searched. 16 keeps the
/// tree small (about 2 / 16 of a summary per node) while a leaf scan stays a few cache lines.
pub(crate) const BLOCK: usize = 16;

/// At most this many groups of nodes by scarcest resource keep their own fit keys.
const MAX_CORNERS: usize = 4;

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
    /// Nodes of equal capacity together (capacity rows in lexicographic order), then by how
    /// full they are (16 bands of their least free fraction), index order among equals: a
    /// subtree of one machine type has exact score bounds, and full nodes sit together so that
    /// the fit keys skip them a subtree at a time. The tree re-sorts itself when its searches
    /// visit many more leaves than they return nodes.
    Shape,
}

/// What a tree keeps.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    order: Order,
    member: Member,
    scalar: Scalar,
    /// With boxes: the weights of the linear key.
    boxes: Option<Vec<f64>>,
    key_min: bool,
}

impl Spec {
    /// Fit keys only, leaves in `order`, every alive node a member.
    pub(crate) fn new(order: Order) -> Self {
        Self {
            order,
            member: Member::All,
            scalar: Scalar::None,
            boxes: None,
            key_min: false,
        }
    }

    /// Also the minimum of a per-node number.
    pub(crate) fn with_scalar(mut self, scalar: Scalar) -> Self {
        self.scalar = scalar;
        self
    }

    /// Also, per resource, the range of free fractions and capacities, and the range of the
    /// weighted sum of free fractions over the resources a node has (for score bounds).
    pub(crate) fn with_boxes(mut self, weights: &[f64]) -> Self {
        self.boxes = Some(weights.to_vec());
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

/// Offsets of the fields in one tree node's row of `data`. The fit keys come first: `corners`
/// runs of `r` values, run `k` the most of `free + TOLERANCE x capacity` per resource over the
/// nodes whose scarcest resource (least free fraction) is `k` modulo `corners`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    pub(super) stride: usize,
    pub(super) corners: usize,
    pub(super) key_min: Option<usize>,
    /// Free fraction low, high; capacity low, high: four runs of `r` values; then the least and
    /// the most weighted sum of free fractions.
    pub(super) boxes: Option<usize>,
    pub(super) scalar: Option<usize>,
}

impl Layout {
    fn new(spec: &Spec, r: usize) -> Self {
        let corners = r.clamp(1, MAX_CORNERS);
        let mut next = corners * r;
        let mut take = |on: bool, width: usize| {
            on.then(|| {
                next += width;
                next - width
            })
        };
        let key_min = take(spec.key_min, r);
        let boxes = take(spec.boxes.is_some(), 4 * r + 2);
        let scalar = take(spec.scalar != Scalar::None, 1);
        Self {
            stride: next,
            corners,
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
    /// Whether the task of the last [`NodeTree::count`] is restricted to some nodes.
    pub(super) restricted: bool,
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
            restricted: false,
            effort: std::cell::Cell::new((0, 0)),
        })
    }

    /// Brings the tree up to date with `state` (a rebuild if a change went by unseen) and loads
    /// `task`'s demand for the queries.
    pub(crate) fn load(&mut self, state: &State<'_>, task: usize) {
        if self.spec.order == Order::Shape {
            // Re-sort when the searches since the last sort visited, beyond two leaves each,
            // about as many leaves as four sorts cost (a sort is about a scan of every leaf).
            let (leaves, searches) = self.effort.get();
            if leaves > 2 * searches + 4 * self.leaves as u64 + 16 {
                self.stamp = None;
            }
        }
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
        self.masks = vec![
            0;
            if self.spec.boxes.is_some() {
                2 * size
            } else {
                0
            }
        ];
        self.first = vec![u32::MAX; size];
        self.counts = vec![0; size];
        for b in 0..self.leaves {
            self.summarize_block(state, b);
        }
        for t in (1..self.leaves).rev() {
            self.merge(t);
        }
        self.stamp = Some(state.stamp());
        self.effort.set((0, 0));
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
            let corner = scarcest(free, cap) % lay.corners * r;
            for j in 0..r {
                let key = free[j] + TOLERANCE * cap[j];
                row[corner + j] = row[corner + j].max(key);
                if let Some(o) = lay.key_min {
                    row[o + j] = row[o + j].min(key);
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
            self.masks[2 * t] = self.masks[4 * t] & self.masks[4 * t + 2];
            self.masks[2 * t + 1] = self.masks[4 * t + 1] | self.masks[4 * t + 3];
        }
        if let Some(o) = lay.scalar {
            mins(o, o + 1, row);
        }
        self.first[t] = self.first[2 * t].min(self.first[2 * t + 1]);
    }
}

/// How free a node is, in 17 bands of its least free fraction (0: full or failed, 16: empty).
fn fullness_band(state: &State<'_>, node: usize) -> u8 {
    if !state.is_alive(node) {
        return 0;
    }
    let (free, cap) = (state.free_row(node), state.capacity_row(node));
    let j = scarcest(free, cap);
    let phi = if cap[j] > 0.0 { free[j] / cap[j] } else { 1.0 };
    (16.0 * phi).clamp(0.0, 16.0) as u8
}

/// The resource with the least free fraction among those the node has (0 if none).
fn scarcest(free: &[f64], capacity: &[f64]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (j, (&f, &c)) in free.iter().zip(capacity).enumerate() {
        if c > 0.0 && f / c < best.1 {
            best = (j, f / c);
        }
    }
    best.0
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
            let band: Vec<u8> = (0..nodes).map(|n| fullness_band(state, n)).collect();
            let mut all: Vec<u32> = (0..nodes as u32).collect();
            all.sort_by(|&a, &b| {
                let (a, b) = (a as usize, b as usize);
                let (ca, cb) = (state.capacity_row(a), state.capacity_row(b));
                ca.iter()
                    .zip(cb)
                    .map(|(x, y)| x.total_cmp(y))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(band[a].cmp(&band[b]))
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
