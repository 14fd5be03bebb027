//! Completing a search node by enumeration: when the node's duals leave a small gap, every bin
//! that a better packing could use is listed, and an exact cover search over those bins either
//! finds such a packing or proves that there is none.
//!
//! Under duals `pi >= 0` a bin has reduced cost `rc = 1 - pi . counts`, at least `1 - P_k` for a
//! node of type `k` ([`super::bound`]): at least `-f` with `f = max(0, max_k P_k - 1)`. A packing
//! of the tasks `left` into `T' <= T` bins has `sum rc = T' - pi . left`, so every choice `S` of
//! some of its bins keeps
//!
//! ```text
//! sum_{b in S} rc(b) <= T - pi . left + (T - |S|) f
//! ```
//!
//! and each of its bins has `rc <= gap = T - pi . left + (T - 1) f`.
//!
//! 1. Enumeration (`columns`): per node type with a free node, the maximal bins worth at least
//!    `1 - gap` (the knapsack's enumeration), and every bin obtained from them by taking tasks
//!    out while the value stays at least `1 - gap`. A packable bin grows into a maximal one of
//!    at least its value, so every bin a packing into `T` bins can use is listed.
//! 2. Exact cover ([`complete`]): depth first; each level takes the item type with the fewest
//!    usable bins left (fail first) and tries them, least reduced cost first. A bin is usable
//!    while it takes no more of an item type than is left, a node of its type is free, and its
//!    reduced cost fits the inequality above. A level is cut when the tasks left exceed, in some
//!    resource, the capacity of the largest free nodes that may still be used.
//!
//! Complexity: the enumeration is exponential in the worst case (capped by [`MAX_COLUMNS`] and
//! the deadline); the cover search is capped by a node count; per level O(item types + bins
//! touched).

mod search;

use super::colgen::Relaxation;
use super::instance::{Bin, Instance, Residual};
use super::knapsack::Knapsack;
use search::Cover;
use std::collections::HashSet;
use std::time::Instant;

/// The most bins one enumeration may list; beyond, the node is left to branching.
pub const MAX_COLUMNS: usize = 50_000;

/// Allowance for rounding in the reduced-cost tests: bins are kept a little beyond the gap.
const SLACK: f64 = 1e-7;

/// What the completion of a node found.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// A packing of everything left into at most the target number of bins.
    Found(Vec<Bin>),
    /// Proven: no such packing exists.
    Impossible,
    /// The enumeration or the search hit its cap or the deadline: nothing is known.
    Unknown,
}

/// A bin of the enumeration, sparse: its node type, its (item type, count) pairs, its reduced
/// cost.
#[derive(Debug, Clone)]
pub(super) struct Column {
    pub(super) node_type: usize,
    pub(super) items: Vec<(usize, u32)>,
    pub(super) rc: f64,
}

/// Packs the tasks of `left` into at most `target` bins using only the bins the duals of
/// `relax` allow, visiting at most `node_limit` cover-search nodes.
pub fn complete(
    instance: &Instance,
    left: &Residual,
    relax: &Relaxation,
    target: usize,
    node_limit: u64,
    deadline: Instant,
) -> Completion {
    let f = left
        .nodes
        .iter()
        .zip(&relax.p_upper)
        .filter(|(u, _)| **u > 0)
        .map(|(_, &p)| (p - 1.0).max(0.0))
        .fold(0.0, f64::max);
    let covered: f64 = dot(&relax.pi, &left.items);
    let budget = target as f64 - covered + SLACK;
    if target == 0 || budget + (target - 1) as f64 * f < 0.0 {
        return Completion::Impossible;
    }
    let gap = budget + (target - 1) as f64 * f;
    let Some(columns) = columns(instance, left, &relax.pi, gap, deadline) else {
        return Completion::Unknown;
    };
    Cover::new(instance, left, columns, (target, budget, f)).run(node_limit, deadline)
}

/// Every bin of reduced cost at most `gap` under `pi`, or `None` past [`MAX_COLUMNS`] or the
/// deadline.
fn columns(
    instance: &Instance,
    left: &Residual,
    pi: &[f64],
    gap: f64,
    deadline: Instant,
) -> Option<Vec<Column>> {
    let least = 1.0 - gap;
    let mut out = Vec::new();
    for k in (0..instance.nodes.len()).filter(|&k| left.nodes[k] > 0) {
        let cap = instance.loose_capacity(k);
        let knapsack = Knapsack::new(instance, left, k, pi, cap, true);
        let (maximal, complete) = knapsack.maximal_bins(None, least, MAX_COLUMNS, deadline);
        if !complete {
            return None;
        }
        let mut seen = HashSet::new();
        for counts in maximal {
            let value = dot(pi, &counts);
            shrink(counts, value, 0, pi, least, &mut seen);
            if seen.len() > MAX_COLUMNS || Instant::now() >= deadline {
                return None;
            }
        }
        out.extend(seen.into_iter().map(|counts| {
            Column {
                node_type: k,
                rc: 1.0 - dot(pi, &counts),
                items: counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(i, &c)| (i, c))
                    .collect(),
            }
        }));
        if out.len() > MAX_COLUMNS {
            return None;
        }
    }
    Some(out)
}

/// Adds `counts` and every bin obtained from it by taking out tasks of item types `from..`
/// while the value stays at least `least` (each sub-bin once per starting bin).
fn shrink(
    counts: Vec<u32>,
    value: f64,
    from: usize,
    pi: &[f64],
    least: f64,
    seen: &mut HashSet<Vec<u32>>,
) {
    if seen.len() > MAX_COLUMNS || counts.iter().all(|&c| c == 0) {
        return;
    }
    for i in from..counts.len() {
        if counts[i] > 0 && value - pi[i] >= least {
            let mut smaller = counts.clone();
            smaller[i] -= 1;
            shrink(smaller, value - pi[i], i, pi, least, seen);
        }
    }
    seen.insert(counts);
}

/// `pi . counts`.
fn dot(pi: &[f64], counts: &[u32]) -> f64 {
    pi.iter().zip(counts).map(|(p, &c)| p * f64::from(c)).sum()
}

#[cfg(test)]
pub(super) mod tests;
