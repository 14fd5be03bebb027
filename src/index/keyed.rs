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
/// Memory: per node 21 bytes (children, key, priority, group) and 4 x (1 + groups) per resource (its fit
/// keys and the most of its subtree per group, as `f32` rounded up: bounds for pruning, the
/// state's own test deciding), with `min(resources, 4)` groups.
#[derive(Debug, Clone, Default)]
pub(super) struct Keyed {
    r: usize,
    /// Groups by scarcest resource.
    corners: usize,
    /// Per node, its group.
    corner: Vec<u8>,
    left: Vec<u32>,
    right: Vec<u32>,
    key: Vec<u64>,
    /// Per node, its priority in the treap: [`priority`], kept (a hash per comparison cost more
    /// than the load).
    priority: Vec<u32>,
    /// Per node, `free + TOLERANCE x capacity` per resource: the state's fit test is `demand <=`
    /// this.
    fit: Vec<f32>,
    /// Per node and group, the most of `fit` over the nodes of the group in its subtree, per
    /// resource (minus infinity for none); a last row for [`NIL`].
    most: Vec<f32>,
}

/// The least `f32` at least `x`: a bound that rounding to `f32` does not lower.
fn up(x: f64) -> f32 {
    let f = x as f32;
    if f64::from(f) >= x {
        f
    } else if f == 0.0 {
        f32::from_bits(1)
    } else if f > 0.0 {
        f32::from_bits(f.to_bits() + 1)
    } else {
        f32::from_bits(f.to_bits() - 1)
    }
}

/// The larger of two bounds (neither is NaN: fit keys are rounded from checked rows).
#[inline]
fn max(a: f32, b: f32) -> f32 {
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
            corner: vec![0; nodes],
            left: vec![NIL; nodes],
            right: vec![NIL; nodes],
            key: vec![0; nodes],
            priority: (0..nodes as u32).map(priority).collect(),
            fit: vec![0.0; nodes * resources],
            // One more row, minus infinity throughout: the most of an empty subtree.
            most: vec![f32::NEG_INFINITY; (nodes + 1) * corners * resources],
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
        self.key[n] = key;
        (self.left[n], self.right[n]) = (NIL, NIL);
        for j in 0..self.r {
            self.fit[n * self.r + j] = up(free[j] + TOLERANCE * cap[j]);
        }
        self.corner[n] = (scarcest(free, cap) % self.corners) as u8;
        self.pull(node);
        self.insert_at(root, node).0
    }

    /// Inserts `node` (its key and fit keys written, no children) into the subtree at `t`:
    /// down the search path to the first node of lower priority, whose subtree is split around
    /// it. Returns the subtree's new root and whether its most may have changed (the nodes
    /// above are written again only then).
    fn insert_at(&mut self, t: u32, node: u32) -> (u32, bool) {
        if t == NIL {
            return (node, true);
        }
        let (at, n) = (self.at(node), t as usize);
        if self.priority[node as usize] > self.priority[n] {
            let (below, above) = self.split(t, at);
            (self.left[node as usize], self.right[node as usize]) = (below, above);
            self.pull(node);
            return (node, true);
        }
        let changed = if at < self.at(t) {
            let (child, changed) = self.insert_at(self.left[n], node);
            self.left[n] = child;
            changed
        } else {
            let (child, changed) = self.insert_at(self.right[n], node);
            self.right[n] = child;
            changed
        };
        (t, changed && self.pull(t))
    }

    /// The key `node` was last inserted under.
    pub(super) fn key(&self, node: u32) -> u64 {
        self.key[node as usize]
    }

    /// A node's place in the order.
    fn at(&self, node: u32) -> (u64, u32) {
        (self.key[node as usize], node)
    }

    /// Takes `node` out of the set rooted at `root` (it must be there); returns the new root.
    /// O(log(nodes)) expected.
    pub(super) fn remove(&mut self, root: u32, node: u32) -> u32 {
        self.remove_at(root, node).0
    }

    /// [`Keyed::remove`], with whether the subtree's most may have changed.
    fn remove_at(&mut self, t: u32, node: u32) -> (u32, bool) {
        if t == NIL {
            return (NIL, false);
        }
        let n = t as usize;
        if t == node {
            return (self.merge(self.left[n], self.right[n]), true);
        }
        let changed = if self.at(node) < self.at(t) {
            let (child, changed) = self.remove_at(self.left[n], node);
            self.left[n] = child;
            changed
        } else {
            let (child, changed) = self.remove_at(self.right[n], node);
            self.right[n] = child;
            changed
        };
        (t, changed && self.pull(t))
    }

    /// Calls `visit(key, node, fits)` on the nodes of the set rooted at `root` in increasing
    /// (key, node) order, passing over subtrees where some resource of `demand` is above the fit
    /// keys of every node, until `visit` stops or gives up; returns what it returned last (go on
    /// if the set ran out). `fits` says whether the node's own fit keys hold the demand (a node
    /// that does not is still shown, so that a walk bounded by the key can stop there).
    /// O(log(nodes)) expected per node visited.
    pub(super) fn walk(
        &self,
        root: u32,
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool) -> Step,
    ) -> Step {
        self.walk_from(root, (0, 0), demand, visit)
    }

    /// [`Keyed::walk`] over the nodes at or after `from` in (key, node) order.
    pub(super) fn walk_from(
        &self,
        root: u32,
        from: (u64, u32),
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool) -> Step,
    ) -> Step {
        self.walk_toward(root, (from, true), demand, visit)
    }

    /// [`Keyed::walk`] backward: the nodes before `before` in decreasing (key, node) order.
    pub(super) fn walk_back_from(
        &self,
        root: u32,
        before: (u64, u32),
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool) -> Step,
    ) -> Step {
        self.walk_toward(root, (before, false), demand, visit)
    }

    /// The walk forward from `at` (inclusive) or backward from it (exclusive): down toward the
    /// near end, keeping the nodes whose near subtree is being walked on a stack (each visited
    /// after its near subtree, then its far subtree walked). Subtrees that cannot fit are
    /// passed over whole, as are the nodes and near subtrees on the wrong side of `at`.
    fn walk_toward(
        &self,
        root: u32,
        (at, forward): ((u64, u32), bool),
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool) -> Step,
    ) -> Step {
        let mut stack = Stack::default();
        let mut t = root;
        loop {
            while t != NIL && self.may_fit(t, demand) {
                let n = t as usize;
                let (near, far) = if forward {
                    (self.left[n], self.right[n])
                } else {
                    (self.right[n], self.left[n])
                };
                if (self.at(t) < at) == forward {
                    t = far;
                } else {
                    stack.push(t);
                    t = near;
                }
            }
            let Some(p) = stack.pop() else {
                return Some(true);
            };
            let n = p as usize;
            let fits = Self::holds(&self.fit[n * self.r..][..self.r], demand);
            match visit(self.key[n], p, fits) {
                Some(true) => t = if forward { self.right[n] } else { self.left[n] },
                other => return other,
            }
        }
    }

    /// Whether `demand` is at most `keys` in every resource.
    #[inline]
    fn holds(keys: &[f32], demand: &[f64]) -> bool {
        keys.iter().zip(demand).all(|(&k, &d)| d <= f64::from(k))
    }

    /// Whether some node of the subtree at `t` may fit `demand`: in some group, every resource
    /// is free enough on some node.
    #[inline]
    fn may_fit(&self, t: u32, demand: &[f64]) -> bool {
        let t = t as usize;
        match self.r {
            1 => self.may_fit_rows::<1, 1>(t, demand),
            2 => self.may_fit_rows::<2, 4>(t, demand),
            3 => self.may_fit_rows::<3, 9>(t, demand),
            4 => self.may_fit_rows::<4, 16>(t, demand),
            _ => None,
        }
        .unwrap_or_else(|| {
            let width = self.corners * self.r;
            self.most[t * width..][..width]
                .chunks_exact(self.r)
                .any(|most| Self::holds(most, demand))
        })
    }

    /// [`Keyed::may_fit`] for `R` resources in rows of `W` keys (`None` if they are not).
    #[inline]
    fn may_fit_rows<const R: usize, const W: usize>(
        &self,
        t: usize,
        demand: &[f64],
    ) -> Option<bool> {
        let most = self.most.get(t * W..)?.first_chunk::<W>()?;
        let d = demand.first_chunk::<R>()?;
        Some(
            most.chunks_exact(R)
                .any(|m| (0..R).all(|j| d[j] <= f64::from(m[j]))),
        )
    }

    /// Writes the most of `t`'s subtree from its own fit keys and its children's; returns
    /// whether it changed.
    fn pull(&mut self, t: u32) -> bool {
        let (n, r, width) = (t as usize, self.r, self.corners * self.r);
        // An empty child reads the last row, minus infinity.
        let row = |c: u32| (c as usize).min(self.left.len()) * width;
        let (left, right) = (row(self.left[n]), row(self.right[n]));
        let own = self.corner[n] as usize * r;
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
        for (m, &f) in most.get_mut(own..)?.iter_mut().zip(fit) {
            *m = max(*m, f);
        }
        let row = self.most.get_mut(n * W..)?.first_chunk_mut::<W>()?;
        // Compared as bits: any change counts.
        let changed = (0..W).fold(false, |c, i| c | (row[i].to_bits() != most[i].to_bits()));
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

    /// Splits the subtree at `t` into the nodes ordered before `at` and the others.
    fn split(&mut self, t: u32, at: (u64, u32)) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let n = t as usize;
        if (self.key[n], t) < at {
            let (below, above) = self.split(self.right[n], at);
            self.right[n] = below;
            self.pull(t);
            (t, above)
        } else {
            let (below, above) = self.split(self.left[n], at);
            self.left[n] = above;
            self.pull(t);
            (below, t)
        }
    }

    /// Joins two subtrees, every node of `a` ordered before every node of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.priority[a as usize] > self.priority[b as usize] {
            let right = self.merge(self.right[a as usize], b);
            self.right[a as usize] = right;
            self.pull(a);
            a
        } else {
            let left = self.merge(a, self.left[b as usize]);
            self.left[b as usize] = left;
            self.pull(b);
            b
        }
    }
}

/// The nodes of a walk waiting for their far subtree: on the call's stack up to a depth of 64
/// (a treap of a million nodes is rarely deeper than 60), on the heap beyond.
struct Stack {
    len: usize,
    near: [u32; 64],
    deep: Vec<u32>,
}

impl Default for Stack {
    fn default() -> Self {
        Self {
            len: 0,
            near: [NIL; 64],
            deep: Vec::new(),
        }
    }
}

impl Stack {
    #[inline]
    fn push(&mut self, t: u32) {
        match self.near.get_mut(self.len) {
            Some(slot) => *slot = t,
            None => self.deep.push(t),
        }
        self.len += 1;
    }

    #[inline]
    fn pop(&mut self) -> Option<u32> {
        self.len = self.len.checked_sub(1)?;
        match self.near.get(self.len) {
            Some(&t) => Some(t),
            None => self.deep.pop(),
        }
    }
}

#[cfg(test)]
#[path = "keyed_tests.rs"]
mod tests;
