//! Nodes of each machine type in order of their weighted free fraction, for a score that is
//! linear in it (`worst_fit`'s LeastAllocated, `best_fit`'s MostAllocated) or bounded by a
//! monotone function of it (`nomad_binpack`).
//!
//! On nodes of one capacity row (a machine type), such a score is, up to the fit tolerance and
//! rounding, a linear function of `L = sum_r w_r x free_r / capacity_r` (over the resources the
//! type has): the emptiest fitting node of each type has the best LeastAllocated score of its
//! type, the fullest fitting node the best MostAllocated score. [`Linear`] keeps each type's
//! nodes ordered by `L` in a treap that knows, per subtree, the most free capacity per resource
//! ([`Keyed`]), and a query walks each type from the emptiest (or the fullest), passing over
//! subtrees of nodes too full for the task and scoring the nodes that fit, until the score's
//! bound at the next node's `L` is below the best score found. A score that falls with the
//! distance of `phi_a - phi_b` (the free fractions of the type's first two resources) from a
//! value of the task's (`balanced`: the gap of the two utilizations after placement) has the
//! nodes ordered by that difference instead ([`Walk::Around`]), walked from the task's value
//! upward, then downward from just below it, each walk stopping where the bound at the
//! distance reached is below the best score. It is the branch and bound of the node tree with
//! one node per step, and so as exact: every node passed over either does not
//! fit or is bounded by a valid bound of the floating-point score, every node returned passed
//! the state's fit test and was scored by the strategy's own function, ties go to the lowest
//! index (a walk stops only on a bound strictly below, so every node of a score equal to the
//! best is scored).
//!
//! It gives up (the caller asks the node tree) when a walk visits more than [`VISITS`] nodes in
//! all (many nodes of about the same weighted free fraction), when there are more than
//! [`MAX_TYPES`] machine types, when a demand is negative, when some node has more free than
//! capacity (the linear bound assumes none has; less than none, a node filled within the fit
//! tolerance, is fine), or, walking around a difference, when a type has fewer than two
//! resources.

use super::Seen;
use super::alike::{Alike, Joined, Left, row_hash};
use super::keyed::{Keyed, NIL, from_ordered_bits, ordered_bits};
use crate::state::{Rejection, Stamp, State};

/// At most this many nodes are visited by one query before it gives up.
pub(crate) const VISITS: usize = 4096;

/// With more machine types than this, the index is not used.
pub(crate) const MAX_TYPES: usize = 16;

/// A per-type walk's bound: from a node's weighted free fraction `L`, the task's weighted share
/// of the type's capacity and the total weight of the type's resources, an upper bound of the
/// score of every node of the type that the task fits and that the walk reaches after that
/// node (those with less `L` walking from the emptiest, with more from the fullest). Walking
/// around a difference ([`Walk::Around`]): from the node's difference, the task's, and the
/// number of resources the type has, for the nodes farther from the task's difference.
pub(crate) type LinearBound = fn(f64, f64, f64) -> f64;

/// Which order each type's nodes are kept in, and where a walk starts from: the score's best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walk {
    /// By weighted free fraction, from the largest (scores that grow with it).
    Emptiest,
    /// By weighted free fraction, from the smallest (scores that fall as it grows).
    Fullest,
    /// By the difference `phi_a - phi_b` of the free fractions of the type's first two
    /// resources, from the task's `q_a - q_b` (its shares of them) outward, both ways: scores
    /// that fall with the distance between the two (`balanced`: the gap of the two
    /// utilizations after placement).
    Around,
}

/// Where a node is filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filed {
    /// Nowhere: a free fraction above 1 (or not a number).
    Odd,
    /// In its type's treap, or following an alike node there.
    Ordered,
}

/// One machine type: its capacity row, the total weight of its resources (walking around a
/// difference: their number), its first two resources and the root of its nodes in the treap.
#[derive(Debug, Clone)]
struct Type {
    capacity: Vec<f64>,
    total: f64,
    pair: Option<(usize, usize)>,
    root: u32,
}

impl Type {
    /// The task's term of the bound on this type: its weighted share of the capacity, or
    /// (walking around a difference) the difference of its shares of the first two resources.
    fn task_term(&self, demand: &[f64], weights: &[f64], walk: Walk) -> f64 {
        let cap = &self.capacity;
        match (walk, self.pair) {
            (Walk::Around, Some((a, b))) => demand[a] / cap[a] - demand[b] / cap[b],
            _ => (0..demand.len())
                .filter(|&r| cap[r] > 0.0)
                .map(|r| weights[r] * demand[r] / cap[r])
                .sum(),
        }
    }
}

/// See the [module](self) documentation.
///
/// Memory: per node 5 bytes (its type, where it is filed), the treap's (see [`Keyed`]) and the
/// groups of alike nodes' (see [`Alike`]).
#[derive(Debug, Clone)]
pub(crate) struct Linear {
    weights: Vec<f64>,
    bound: LinearBound,
    walk: Walk,
    stamp: Option<Stamp>,
    types: Vec<Type>,
    type_of: Vec<u32>,
    /// Per node, where it is filed.
    filed: Vec<Filed>,
    keyed: Keyed,
    /// Alike nodes: only the lowest index of each group is in the treap.
    alike: Alike,
    /// Nodes not filed because a free fraction is above 1 (or not a number).
    odd: usize,
    /// Whether the problem has few enough machine types.
    usable: bool,
}

impl Linear {
    /// An index walking from one end of the order, with this bound; built on first use.
    pub(crate) fn new(weights: &[f64], (bound, walk): (LinearBound, Walk)) -> Self {
        Self {
            weights: weights.to_vec(),
            bound,
            walk,
            stamp: None,
            types: Vec::new(),
            type_of: Vec::new(),
            filed: Vec::new(),
            keyed: Keyed::default(),
            alike: Alike::default(),
            odd: 0,
            usable: true,
        }
    }

    /// Told that `node` changed by the state's last change; any other change unseen means a
    /// rebuild at the next query.
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        let now = state.stamp();
        match Seen::of(self.stamp, now) {
            Seen::Current => {}
            Seen::Next if node < self.filed.len() && self.filed.len() == state.nodes() => {
                self.unfile(state, node);
                self.file(state, node);
                self.stamp = Some(now);
            }
            _ => self.stamp = None,
        }
    }

    /// Among the nodes `task` fits, the one of highest `score`, ties to the lowest index:
    /// `Some(answer)`, or `None` if the index cannot answer (see the module documentation).
    ///
    /// Complexity: O(types x log(nodes)) to start each walk, O(log(nodes) + resources) per node
    /// visited (at most [`VISITS`]), subtrees too full for the task passed over whole.
    pub(crate) fn best(
        &mut self,
        state: &State<'_>,
        task: usize,
        mut score: impl FnMut(usize) -> f64,
    ) -> Option<Option<usize>> {
        if self.stamp != Some(state.stamp()) || self.filed.len() != state.nodes() {
            self.rebuild(state);
        }
        let demand = state.demand_row(task);
        if !self.usable || self.odd > 0 || !state.takes_only(task) {
            return None;
        }
        let (mut best, mut best_node, mut visits) = (f64::NEG_INFINITY, usize::MAX, 0);
        // One node of the walk: whether to go on (`None` to give up). The nodes alike to it are
        // asked in index order while it and they are down, cordoned or not allowed; after one
        // that the resources decide (fitting or not), the others are passed over.
        let alike = &self.alike;
        let mut visit = |l: f64, node: u32, fits: bool, shares: f64, total: f64| {
            // The bound falls along the walk: a node below the best ends it, fitting or not.
            if (self.bound)(l, shares, total) < best {
                return Some(false);
            }
            if !fits {
                return Some(true);
            }
            for node in std::iter::once(node).chain(alike.followers(node)) {
                visits += 1;
                if visits > VISITS {
                    return None;
                }
                let node = node as usize;
                match state.check(task, node) {
                    Ok(()) => {
                        let s = score(node);
                        if s > best || (s == best && node < best_node) {
                            (best, best_node) = (s, node);
                        }
                        break;
                    }
                    Err(Rejection::Short(_)) => break,
                    Err(_) => {}
                }
            }
            Some(true)
        };
        let (keyed, walk) = (&self.keyed, self.walk);
        let l_of = |key: u64| match walk {
            Walk::Emptiest => from_ordered_bits(!key),
            Walk::Fullest | Walk::Around => from_ordered_bits(key),
        };
        for ty in &self.types {
            let term = ty.task_term(demand, &self.weights, walk);
            let mut step = |key, node, fits| visit(l_of(key), node, fits, term, ty.total);
            if walk == Walk::Around {
                let at = (ordered_bits(term), 0);
                keyed.walk_from(ty.root, at, demand, &mut step)?;
                keyed.walk_back_from(ty.root, at, demand, &mut step)?;
            } else {
                keyed.walk(ty.root, demand, &mut step)?;
            }
        }
        Some((best_node != usize::MAX).then_some(best_node))
    }

    fn rebuild(&mut self, state: &State<'_>) {
        let nodes = state.nodes();
        self.types.clear();
        self.type_of = vec![0; nodes];
        self.filed = vec![Filed::Odd; nodes];
        self.keyed = Keyed::new(nodes, state.resources());
        self.alike = Alike::new(nodes);
        self.odd = 0;
        self.usable = true;
        for n in 0..nodes {
            let cap = state.capacity_row(n);
            let t = match self.types.iter().position(|t| t.capacity == cap) {
                Some(t) => t,
                None if self.types.len() == MAX_TYPES => {
                    self.usable = false;
                    break;
                }
                None => {
                    let present = (0..cap.len()).filter(|&r| cap[r] > 0.0);
                    let mut two = present.clone();
                    let pair = two.next().zip(two.next());
                    let total = match self.walk {
                        Walk::Around if pair.is_some() => present.count() as f64,
                        Walk::Around => 0.0,
                        _ => present.map(|r| self.weights[r]).sum(),
                    };
                    self.types.push(Type {
                        capacity: cap.to_vec(),
                        total,
                        pair,
                        root: NIL,
                    });
                    self.types.len() - 1
                }
            };
            self.type_of[n] = t as u32;
        }
        if !self.usable || self.types.iter().any(|t| t.total <= 0.0) {
            self.usable = false;
            self.types.clear();
        } else {
            for n in 0..nodes {
                self.file(state, n);
            }
        }
        self.stamp = Some(state.stamp());
    }

    /// Files `node` under its weighted free fraction now (or counts it odd).
    fn file(&mut self, state: &State<'_>, node: usize) {
        if !self.usable {
            return;
        }
        let (free, cap) = (state.free_row(node), state.capacity_row(node));
        let mut l = 0.0;
        for r in (0..free.len()).filter(|&r| cap[r] > 0.0) {
            let phi = free[r] / cap[r];
            // Below 0 (a node filled within the fit tolerance) the bounds still hold for the
            // tasks the node fits; above 1 they do not.
            if phi.is_nan() || phi > 1.0 {
                self.filed[node] = Filed::Odd;
                self.odd += 1;
                return;
            }
            l += self.weights[r] * phi;
        }
        let t = self.type_of[node];
        let key = match (self.walk, self.types[t as usize].pair) {
            (Walk::Emptiest, _) => !ordered_bits(l),
            (Walk::Around, Some((a, b))) => ordered_bits(free[a] / cap[a] - free[b] / cap[b]),
            _ => ordered_bits(l),
        };
        self.filed[node] = Filed::Ordered;
        let type_of = &self.type_of;
        let alike =
            |other: u32| type_of[other as usize] == t && state.free_row(other as usize) == free;
        let joined = self.alike.join(node as u32, row_hash(t, free), alike);
        let ty = &mut self.types[t as usize];
        if let Joined::Replaces(old) = joined {
            ty.root = self.keyed.remove(ty.root, old);
        }
        if joined != Joined::Follows {
            ty.root = self.keyed.insert(ty.root, node as u32, key, (free, cap));
        }
    }

    /// Takes `node` out of the index (its row in `state` may have changed already).
    fn unfile(&mut self, state: &State<'_>, node: usize) {
        if !self.usable {
            return;
        }
        if self.filed[node] == Filed::Odd {
            self.odd -= 1;
            return;
        }
        let ty = &mut self.types[self.type_of[node] as usize];
        let left = self.alike.leave(node as u32);
        if left == Left::Followed {
            return;
        }
        let key = self.keyed.key(node as u32);
        ty.root = self.keyed.remove(ty.root, node as u32);
        if let Left::Succeeded(next) = left {
            let rows = (
                state.free_row(next as usize),
                state.capacity_row(next as usize),
            );
            ty.root = self.keyed.insert(ty.root, next, key, rows);
        }
    }
}

#[cfg(test)]
#[path = "linear_tests.rs"]
mod tests;
