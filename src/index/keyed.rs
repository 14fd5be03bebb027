//! Nodes in the order of a key, with the most free capacity per resource of every subtree: a
//! treap (a binary search tree kept balanced by random priorities; here a hash of the node, so
//! the same on every run), so that a walk in key order passes over whole subtrees of nodes too
//! full for a task. As in the node tree, the most is kept apart for the nodes of each scarcest
//! resource (least free fraction; modulo [`CORNERS`]): a subtree of nodes short of cpu and nodes
//! short of memory does not look as if one node had both.
//!
//! One arena serves several sets (the machine types of [`Linear`](super::Linear)): a node is in
//! at most one, each set is named by its root.

use super::order::scarcest;
use crate::state::TOLERANCE;

/// No node: an empty subtree.
pub(super) const NIL: u32 = u32::MAX;

/// What a walk does after a node: go on, stop, or give up (the caller answers otherwise).
type Step = Option<bool>;

/// At most this many groups of nodes by scarcest resource.
const CORNERS: usize = 4;

/// See the [module](self) documentation.
///
/// Memory: per node 24 bytes (children, key, priority, group) and 4 x (1 + groups) per
/// resource (its fit keys and the most of its subtree per group, as `f32` rounded up: bounds
/// for pruning, the state's own test deciding), with `min(resources, 4)` groups.
#[derive(Debug, Clone, Default)]
pub(super) struct Keyed {
    r: usize,
    /// Groups by scarcest resource.
    corners: usize,
    /// Per node, its place in the treap (together: a step of a walk reads one line).
    nodes: Vec<Node>,
    /// Per node, `free + TOLERANCE x capacity` per resource: the state's fit test is `demand <=`
    /// this.
    fit: Vec<f32>,
    /// Per node and group, the most of `fit` over the nodes of the group in its subtree, per
    /// resource (minus infinity for none); a last row for [`NIL`].
    most: Vec<f32>,
    /// The paths of an insertion or removal under way (kept, so that none allocates).
    trail: Vec<u32>,
}

/// A node's place in the treap.
#[derive(Debug, Clone, Copy, Default)]
struct Node {
    /// The key it was last inserted under.
    key: u64,
    left: u32,
    right: u32,
    /// Its priority: [`priority`], kept (a hash per comparison cost more than the load).
    priority: u32,
    /// Its group by scarcest resource.
    corner: u8,
}

/// The least `f32` at least `x`: a bound that rounding to `f32` does not lower.
///
/// Without a branch (whether the nearest `f32` is below `x` is not predictable): where it is,
/// one step up is one more in its bits when it is +0 or positive, one less when negative (it is
/// not -0 then: a positive `x` rounds to +0).
#[inline]
pub(super) fn up(x: f64) -> f32 {
    let f = x as f32;
    let (bits, below) = (f.to_bits(), u32::from(f64::from(f) < x));
    let step = 1u32.wrapping_sub(2 * (bits >> 31));
    f32::from_bits(bits.wrapping_add(below.wrapping_mul(step)))
}

/// The most `f32` at most `x`: a demand that rounding to `f32` does not raise (so `down(d) <=
/// up(f)` whenever `d <= f`).
pub(super) fn down(x: f64) -> f32 {
    -up(-x)
}

/// The larger of two bounds (neither is NaN: fit keys are rounded from checked rows).
#[inline]
pub(super) fn max(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// The bits of `x` as an unsigned number in the order of the values (negative ones below
/// positive ones, -0 just below 0).
pub(super) fn ordered_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// The inverse of [`ordered_bits`].
pub(super) fn from_ordered_bits(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// The priority of a node: a hash of its index (SplitMix64's finalizer), its high half.
fn priority(node: u32) -> u32 {
    let mut z = u64::from(node).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 32) as u32
}

impl Keyed {
    /// Room for `nodes` nodes of `resources` resources, all in no set.
    pub(super) fn new(nodes: usize, resources: usize) -> Self {
        let corners = resources.clamp(1, CORNERS);
        Self {
            r: resources,
            corners,
            nodes: (0..nodes as u32)
                .map(|n| Node {
                    key: 0,
                    left: NIL,
                    right: NIL,
                    priority: priority(n),
                    corner: 0,
                })
                .collect(),
            fit: vec![0.0; nodes * resources],
            // One more row, minus infinity throughout: the most of an empty subtree.
            most: vec![f32::NEG_INFINITY; (nodes + 1) * corners * resources],
            trail: Vec::new(),
        }
    }

    /// Adds `node` (in no set) under `key`, with its free and capacity rows, to the set rooted
    /// at `root`; returns the new root. O(log(nodes)) expected.
    pub(super) fn insert(
        &mut self,
        root: u32,
        node: u32,
        key: u64,
        (free, cap): (&[f64], &[f64]),
    ) -> u32 {
        let n = node as usize;
        self.nodes[n].key = key;
        (self.nodes[n].left, self.nodes[n].right) = (NIL, NIL);
        for j in 0..self.r {
            self.fit[n * self.r + j] = up(free[j] + TOLERANCE * cap[j]);
        }
        self.nodes[n].corner = (scarcest(free, cap) % self.corners) as u8;
        self.pull(node);
        self.insert_at(root, node)
    }

    /// Inserts `node` (its key and fit keys written, no children, its most pulled) into the set
    /// rooted at `root`: down the search path to the first node of lower priority, whose
    /// subtree is split around it; then the nodes above are written again, up to the first
    /// whose most does not change. Returns the new root.
    fn insert_at(&mut self, root: u32, node: u32) -> u32 {
        let (at, priority) = (self.at(node), self.nodes[node as usize].priority);
        let base = self.trail.len();
        let mut t = root;
        while t != NIL && self.nodes[t as usize].priority >= priority {
            self.trail.push(t);
            t = self.child(t, at < self.at(t));
        }
        if t != NIL {
            let (below, above) = self.split(t, at);
            (
                self.nodes[node as usize].left,
                self.nodes[node as usize].right,
            ) = (below, above);
            self.pull(node);
        }
        self.relink(root, base, at, node)
    }

    /// Puts `sub` in the place of the subtree at the end of the trail after `base` (the search
    /// path to `at` from `root`), writes the most of the nodes on the path again from the
    /// bottom, up to the first that does not change; takes the path off the trail; returns the
    /// root.
    fn relink(&mut self, root: u32, base: usize, at: (u64, u32), sub: u32) -> u32 {
        if self.trail.len() == base {
            return sub;
        }
        let parent = self.trail[self.trail.len() - 1];
        self.set_child(parent, at < self.at(parent), sub);
        while self.trail.len() > base {
            match self.trail.pop() {
                Some(t) if self.pull(t) => {}
                _ => break,
            }
        }
        self.trail.truncate(base);
        root
    }

    /// The left child of `t` if `left`, else the right one.
    fn child(&self, t: u32, left: bool) -> u32 {
        if left {
            self.nodes[t as usize].left
        } else {
            self.nodes[t as usize].right
        }
    }

    /// Makes `sub` the left child of `t` if `left`, else the right one.
    fn set_child(&mut self, t: u32, left: bool, sub: u32) {
        let node = &mut self.nodes[t as usize];
        if left {
            node.left = sub;
        } else {
            node.right = sub;
        }
    }

    /// The key `node` was last inserted under.
    pub(super) fn key(&self, node: u32) -> u64 {
        self.nodes[node as usize].key
    }

    /// A node's place in the order.
    fn at(&self, node: u32) -> (u64, u32) {
        (self.nodes[node as usize].key, node)
    }

    /// Takes `node` out of the set rooted at `root` (it must be there); returns the new root.
    /// O(log(nodes)) expected.
    pub(super) fn remove(&mut self, root: u32, node: u32) -> u32 {
        let at = self.at(node);
        let base = self.trail.len();
        let mut t = root;
        while t != node {
            if t == NIL {
                self.trail.truncate(base);
                return root;
            }
            self.trail.push(t);
            t = self.child(t, at < self.at(t));
        }
        let n = node as usize;
        let sub = self.merge(self.nodes[n].left, self.nodes[n].right);
        self.relink(root, base, at, sub)
    }

    /// Writes the most of `t`'s subtree from its own fit keys and its children's; returns
    /// whether it changed.
    fn pull(&mut self, t: u32) -> bool {
        let (n, r, width) = (t as usize, self.r, self.corners * self.r);
        // An empty child reads the last row, minus infinity.
        let row = |c: u32| (c as usize).min(self.nodes.len()) * width;
        let (left, right) = (row(self.nodes[n].left), row(self.nodes[n].right));
        let own = self.nodes[n].corner as usize * r;
        let rows = (left, right, own);
        // Rows of a size known when compiled for up to 4 resources (unrolled, no loop
        // overhead); any other size by the general loop.
        match r {
            1 => self.pull_rows::<1, 1>(n, rows),
            2 => self.pull_rows::<2, 4>(n, rows),
            3 => self.pull_rows::<3, 9>(n, rows),
            4 => self.pull_rows::<4, 16>(n, rows),
            _ => None,
        }
        .unwrap_or_else(|| self.pull_any(n, rows))
    }

    /// [`Keyed::pull`] for `R` resources in rows of `W` keys (`None` if they are not).
    #[inline]
    fn pull_rows<const R: usize, const W: usize>(
        &mut self,
        n: usize,
        (left, right, own): (usize, usize, usize),
    ) -> Option<bool> {
        let a = self.most.get(left..)?.first_chunk::<W>()?;
        let b = self.most.get(right..)?.first_chunk::<W>()?;
        let fit = self.fit.get(n * R..)?.first_chunk::<R>()?;
        let mut most: [f32; W] = std::array::from_fn(|i| max(a[i], b[i]));
        let mine = most.get_mut(own..)?.first_chunk_mut::<R>()?;
        for j in 0..R {
            mine[j] = max(mine[j], fit[j]);
        }
        let row = self.most.get_mut(n * W..)?.first_chunk_mut::<W>()?;
        // Compared as bits: any change counts.
        let mut changed = false;
        for i in 0..W {
            changed |= row[i].to_bits() != most[i].to_bits();
        }
        *row = most;
        Some(changed)
    }

    /// [`Keyed::pull`] for rows of any size.
    fn pull_any(&mut self, n: usize, (left, right, own): (usize, usize, usize)) -> bool {
        let (r, width) = (self.r, self.corners * self.r);
        super::scratch32(width, |most| {
            // Indexed loops over slices of one length: no bounds checks, no early exit.
            let (a, b) = (&self.most[left..][..width], &self.most[right..][..width]);
            for i in 0..width {
                most[i] = max(a[i], b[i]);
            }
            let (mine, fit) = (&mut most[own..][..r], &self.fit[n * r..][..r]);
            for j in 0..r {
                mine[j] = max(mine[j], fit[j]);
            }
            let row = &mut self.most[n * width..][..width];
            // Compared as bits: any change counts.
            let mut changed = false;
            for i in 0..width {
                changed |= row[i].to_bits() != most[i].to_bits();
                row[i] = most[i];
            }
            changed
        })
    }

    /// Splits the subtree at `t` into the nodes ordered before `at` and the others: down one
    /// path, each node hung on the side it belongs to, then their most written again from
    /// the bottom.
    fn split(&mut self, mut t: u32, at: (u64, u32)) -> (u32, u32) {
        let (mut below, mut above) = (Hook::default(), Hook::default());
        let base = self.trail.len();
        while t != NIL {
            self.trail.push(t);
            if self.at(t) < at {
                below.hang(self, t, false);
                t = self.nodes[t as usize].right;
            } else {
                above.hang(self, t, true);
                t = self.nodes[t as usize].left;
            }
        }
        below.hang(self, NIL, false);
        above.hang(self, NIL, true);
        self.pull_back(base);
        (below.root, above.root)
    }

    /// Joins two subtrees, every node of `a` ordered before every node of `b`: down the right
    /// side of `a` and the left side of `b`, the node of higher priority hung first.
    fn merge(&mut self, mut a: u32, mut b: u32) -> u32 {
        let mut hook = Hook::default();
        let base = self.trail.len();
        while a != NIL && b != NIL {
            if self.nodes[a as usize].priority > self.nodes[b as usize].priority {
                hook.hang(self, a, false);
                self.trail.push(a);
                a = self.nodes[a as usize].right;
            } else {
                hook.hang(self, b, true);
                self.trail.push(b);
                b = self.nodes[b as usize].left;
            }
        }
        hook.hang(self, if a == NIL { b } else { a }, false);
        self.pull_back(base);
        hook.root
    }

    /// Writes the most of the nodes on the trail after `base` again, the last first (each
    /// below the ones before it), and takes them off.
    fn pull_back(&mut self, base: usize) {
        while self.trail.len() > base {
            if let Some(t) = self.trail.pop() {
                self.pull(t);
            }
        }
    }
}

/// Where the next subtree of a split or merge hangs: the root, if none yet, else the free side
/// of the last node hung.
struct Hook {
    root: u32,
    last: Option<(u32, bool)>,
}

impl Default for Hook {
    fn default() -> Self {
        Self {
            root: NIL,
            last: None,
        }
    }
}

impl Hook {
    /// Hangs `t` here; its own `left` (or right) side is where the next one hangs. `NIL` ends
    /// the chain.
    fn hang(&mut self, keyed: &mut Keyed, t: u32, left: bool) {
        match self.last {
            None => self.root = t,
            Some((p, left)) => keyed.set_child(p, left, t),
        }
        self.last = (t != NIL).then_some((t, left));
    }
}

mod walk;

#[cfg(test)]
#[path = "keyed_tests.rs"]
mod tests;
