//! Indexes over nodes, so that a per-task rule finds its node without scanning every node.
//!
//! Scores linear in the weighted free fraction on each machine type (`best_fit`, `worst_fit`),
//! or bounded by a monotone function of it (`nomad_binpack`), are first asked of [`Linear`]:
//! per type, the nodes in that order in a treap with the most free capacity per subtree
//! (`keyed.rs`), nodes alike to the bit filed once (`alike.rs`), walked from the score's best
//! end; `balanced` asks it too, the nodes ordered by the difference of two free fractions and
//! walked from the task's own difference outward, both ways. `least_time` asks [`Least`]: all
//! nodes in order of work in short sorted runs with the most free capacity per run
//! (`sorted.rs`), the first that fits chosen; `least_connections`
//! asks [`Buckets`]: one bitset over the nodes per task count, for the smallest counts, the
//! nodes checked in (count, index) order. Where these give up, and for every other indexed
//! strategy, one structure serves: [`NodeTree`], a segment tree over blocks of
//! [`BLOCK`] nodes that keeps, per subtree, the most free capacity of any node in each resource
//! (the fit keys: a task fits no node of a subtree whose key is below its demand in some
//! resource) and, as a strategy needs them, the fewest tasks or least work of any node, and the
//! range of free fractions and capacities per resource, from which a strategy bounds its score
//! over the subtree. Queries:
//! - [`NodeTree::first_from`]: the first node in the tree's order, at or after a position, that
//!   fits (first fit, round robin): a descent that skips every subtree no node of which fits;
//! - [`NodeTree::best`]: branch and bound for the fitting node of highest score, ties to the
//!   lowest node index (least connections, least time, the packing scores);
//! - [`NodeTree::count`] and [`NodeTree::nth`]: the fitting nodes counted and the n-th one found
//!   (power of two choices).
//!
//! Searches in an order that placements only push nodes along (first fit's tree in index order,
//! [`Least`]'s order by work, [`Buckets`]' by count) start where the last search for the same
//! demand ended: [`Memo`], cleared by any change other than a placement of non-negative demand
//! it was told of.
//!
//! Exactness: the tree only prunes what cannot fit or cannot beat the best node found so far,
//! with bounds that are valid for the floating-point scores themselves; every node it returns
//! passed [`State::fits`](crate::State::fits) and was scored by the strategy's own function. So a
//! query returns exactly what the plain scan over all nodes returns (property tests in
//! `tests/index.rs` check it, after removals, failures and joins too).
//!
//! Staying in step with the state: a selector tells its tree about each placement and removal;
//! the tree compares the state's [`Stamp`](crate::state::Stamp) with the one it last saw and
//! rebuilds itself (O(nodes x resources)) when a change went by unseen, such as a node failure,
//! a join, or another state. A change told marks its leaf; marked leaves are summarized again
//! (with the tree nodes above them, as far as their summaries change) when the next query loads
//! a task, so that a run of placements on the nodes of one leaf costs one summary, and placements
//! that a selector makes without a query (round robin's next node) none until one is needed.
//! In a tree of fit keys only, over all nodes in a fixed order (first fit, round robin), a
//! placement of non-negative demand leaves its leaf's summary as it was, above the nodes: still
//! a bound, written again only once a search scans that leaf without a fit (`fresh.rs`).

mod alike;
mod buckets;
mod fresh;
mod groups;
mod keyed;
mod least;
mod linear;
mod memo;
mod order;
mod search;
mod sorted;
mod spec;
mod standby;
mod tree;

pub(crate) use alike::{Passed, row_hash};
pub(crate) use buckets::Buckets;
pub(crate) use least::Least;
pub(crate) use linear::{Linear, LinearBound, Walk};
pub(crate) use memo::Memo;
pub(crate) use order::few_allowed;
pub(crate) use search::Summary;
pub(crate) use spec::{Member, Order, Scalar, Spec};
pub(crate) use standby::Standby;
pub(crate) use tree::NodeTree;

use crate::state::Stamp;

/// Where an index that last applied the change stamped `seen` stands, told of the state's
/// change stamped `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// It has seen this change already.
    Current,
    /// This is the next change of the state it follows: it may apply it alone.
    Next,
    /// Another state, or changes went by unseen: it must be rebuilt.
    Lost,
}

impl Seen {
    /// How `now` follows `seen`.
    pub(crate) fn of(seen: Option<Stamp>, now: Stamp) -> Self {
        match seen {
            Some(seen) if seen == now => Self::Current,
            Some(seen) if seen.id == now.id && seen.changes + 1 == now.changes => Self::Next,
            _ => Self::Lost,
        }
    }
}

/// Runs `f` with `n` zeroed values: on the stack, 8 of them for most problems and 64 up to that
/// (the node tree's limit on resources), so that a bound, called for every subtree a search
/// visits, or a summary written again, does not clear 512 bytes each time; on the heap beyond.
pub(crate) fn scratch<R>(n: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    zeroed::<f64, R, 8, 64>(n, f)
}

/// [`scratch`] for `f32` values: 16 on the stack for most problems, up to 256 (a treap row of 4
/// groups of 64 resources).
pub(crate) fn scratch32<R>(n: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    zeroed::<f32, R, 16, 256>(n, f)
}

/// `n` zeroed values, in an array of `SMALL` or `LARGE` on the stack, or on the heap.
fn zeroed<T: Copy + Default, R, const SMALL: usize, const LARGE: usize>(
    n: usize,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    if n <= SMALL {
        f(&mut [T::default(); SMALL][..n])
    } else if n <= LARGE {
        f(&mut [T::default(); LARGE][..n])
    } else {
        f(&mut vec![T::default(); n])
    }
}
