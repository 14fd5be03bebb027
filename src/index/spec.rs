//! What a node tree keeps, and where each field sits in a tree node's row.

/// At most this many groups of nodes by scarcest resource keep their own fit keys.
const MAX_CORNERS: usize = 4;

/// A per-node number whose minimum each subtree keeps, for rules that prefer the node with the
/// least of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// Nothing beyond the fit keys.
    None,
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
    /// Alive nodes without a task (the empty nodes the offline heuristics open).
    Empty,
}

/// The order of the tree's leaves: the order of "first" queries, and the grouping that makes
/// score bounds tight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Order {
    /// Node index order.
    Index,
    /// These nodes in this order (a permutation of the problem's nodes), then joined nodes;
    /// shared, so that the owner of the order and the trees over it hold one copy.
    Given(std::sync::Arc<[usize]>),
    /// Nodes of equal capacity together (capacity rows in lexicographic order), then by how
    /// full they are (bands of their least free fraction), then by how unbalanced (bands of the
    /// first two resources' difference of free fractions; with `pairs`, unbalance first), index
    /// order among equals: a subtree of one machine type has exact score bounds, nodes of a
    /// leaf have about the same free fractions in both resources (tight bounds for scores that
    /// weigh them differently), and full nodes sit together so that the fit keys skip them a
    /// subtree at a time. The tree re-sorts itself when its searches visit many more leaves
    /// than they return nodes.
    Shape,
    /// Nodes by how full they are (bands of their least free fraction), then by the tree's
    /// [`Scalar`], then index: the least loaded nodes that still have room sit together. The
    /// tree re-sorts itself as [`Order::Shape`] does.
    Load,
    /// Nodes by the tasks on them, most first, kept so by swaps as counts change (see
    /// `groups.rs`): a bucket per count, so that the last fitting node in leaf order has the
    /// fewest tasks.
    Count,
}

/// What a tree keeps.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) order: Order,
    pub(crate) member: Member,
    pub(super) scalar: Scalar,
    /// With boxes: the weights of the linear key.
    pub(super) boxes: Option<Vec<f64>>,
    /// With boxes: also the range of the difference of free fractions per pair of resources,
    /// and [`Order::Shape`] ordered by the first two resources' difference.
    pub(super) pairs: bool,
    pub(super) key_min: bool,
}

impl Spec {
    /// Fit keys only, leaves in `order`, every alive node a member.
    pub(crate) fn new(order: Order) -> Self {
        Self {
            order,
            member: Member::All,
            scalar: Scalar::None,
            boxes: None,
            pairs: false,
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

    /// With boxes, also per pair of resources the range of the difference of their free
    /// fractions over nodes that have both, and nodes of a shape ordered by that difference for
    /// the first two resources (how unbalanced they are) before how full.
    pub(crate) fn with_pairs(mut self) -> Self {
        self.pairs = true;
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
    /// Per pair of resources `a < b` (in order), the least then the most `phi_a - phi_b`.
    pub(super) pairs: Option<usize>,
    pub(super) scalar: Option<usize>,
}

impl Layout {
    pub(super) fn new(spec: &Spec, r: usize) -> Self {
        let corners = r.clamp(1, MAX_CORNERS);
        let mut next = corners * r;
        let mut take = |on: bool, width: usize| {
            on.then(|| {
                next += width;
                next - width
            })
        };
        let key_min = take(spec.key_min, r);
        let boxes = take(spec.boxes.is_some(), 6 * r + 2);
        let pairs = take(spec.boxes.is_some() && spec.pairs, r * (r - 1));
        let scalar = take(spec.scalar != Scalar::None, 1);
        Self {
            stride: next,
            corners,
            key_min,
            boxes,
            pairs,
            scalar,
        }
    }
}
