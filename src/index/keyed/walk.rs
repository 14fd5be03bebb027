//! Walks over a set of the treap in key order, passing over subtrees that cannot fit a demand.

use super::{Keyed, NIL, Step};

impl Keyed {
    /// Calls `visit(key, node, fits)` on the nodes of the set rooted at `root` in increasing
    /// (key, node) order, passing over subtrees where some resource of `demand` is above the fit
    /// keys of every node, until `visit` stops or gives up; returns what it returned last (go on
    /// if the set ran out). `fits` says whether the node's own fit keys hold the demand (a node
    /// that does not is still shown, so that a walk bounded by the key can stop there).
    /// O(log(nodes)) expected per node visited.
    pub(in crate::index) fn walk(
        &self,
        root: u32,
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool) -> Step,
    ) -> Step {
        self.walk_from(root, (0, 0), demand, visit)
    }

    /// [`Keyed::walk`] over the nodes at or after `from` in (key, node) order.
    pub(in crate::index) fn walk_from(
        &self,
        root: u32,
        from: (u64, u32),
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool) -> Step,
    ) -> Step {
        self.walk_toward(root, (from, true), demand, visit)
    }

    /// [`Keyed::walk`] backward: the nodes before `before` in decreasing (key, node) order.
    pub(in crate::index) fn walk_back_from(
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
        // A walk from the first node has no side to pass over.
        let whole = forward && at == (0, 0);
        loop {
            while t != NIL {
                // The near child is the left one walking forward.
                if !whole && (self.at(t) < at) == forward {
                    // Only the far side counts: it is asked at its own root.
                    t = self.child(t, !forward);
                } else if self.may_fit(t, demand) {
                    stack.push(t);
                    t = self.child(t, forward);
                } else {
                    break;
                }
            }
            let Some(p) = stack.pop() else {
                return Some(true);
            };
            let n = p as usize;
            let fits = Self::holds(&self.fit[n * self.r..][..self.r], demand);
            match visit(self.nodes[n].key, p, fits) {
                Some(true) => t = self.child(p, !forward),
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
mod tests {
    use super::*;

    #[test]
    fn the_walk_stack_goes_on_past_its_first_64() {
        let mut stack = Stack::default();
        for t in 0..150 {
            stack.push(t);
        }
        let popped: Vec<u32> = std::iter::from_fn(|| stack.pop()).collect();
        assert_eq!(popped, (0..150).rev().collect::<Vec<u32>>());
        stack.push(7);
        assert_eq!((stack.pop(), stack.pop()), (Some(7), None));
    }
}
