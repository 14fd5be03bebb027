//! Branching of the exact search (bin completion): the children of a node and their order.
//!
//! The largest item type left must go in some node; one child per maximal bin that holds it (a
//! bin no other task left fits into: some optimal packing uses only such bins, so no optimum is
//! lost) and whose dual value does not already prove the child useless. Children are tried
//! holding the most of the LP solution first, then best dual value, so that the first dive
//! follows the LP.

use super::bound;
use super::colgen::Relaxation;
use super::instance::{Bin, Instance, Residual};
use super::knapsack::Knapsack;
use super::primal;
use std::time::Instant;

/// The most children of one search node; beyond, the search is no longer a proof.
pub const CHILDREN: usize = 5_000;

/// The children of a node: maximal bins holding `item` whose dual value under the node's duals
/// is at least `threshold`, in the order to try them, and whether the list is complete (not
/// capped by [`CHILDREN`] or the deadline).
///
/// Complexity: one maximal-bin enumeration per node type, plus sorting.
pub fn children(
    instance: &Instance,
    left: &Residual,
    relax: &Relaxation,
    item: usize,
    threshold: f64,
    deadline: Instant,
) -> (Vec<Bin>, bool) {
    let mut children: Vec<(f64, f64, Bin)> = Vec::new();
    let mut all = true;
    for k in 0..instance.nodes.len() {
        if left.nodes[k] == 0 || !instance.items[item].allowed[k] {
            continue;
        }
        let cap = instance.loose_capacity(k);
        let knapsack = Knapsack::new(instance, left, k, &relax.pi, cap, true);
        let limit = CHILDREN.saturating_sub(children.len());
        let (bins, complete) = knapsack.maximal_bins(Some(item), threshold, limit, deadline);
        all &= complete;
        for counts in bins {
            let bin = Bin {
                node_type: k,
                counts,
            };
            let value = dot(&relax.pi, &bin.counts);
            let lp = lp_weight(&bin, relax);
            children.push((value, lp, bin));
        }
    }
    children.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.total_cmp(&a.0)));
    let dive = dive_child(instance, left, relax, item);
    let rest = children
        .into_iter()
        .map(|(_, _, b)| b)
        .filter(|b| Some(b) != dive.as_ref());
    (dive.clone().into_iter().chain(rest).collect(), all)
}

/// The least dual value of a child bin that can lead below the incumbent, `room` bins above
/// the node's fixed ones: below it, the child's bound (the node's Lagrangian or Farley bound
/// minus the bin's dual value, plus the bin itself) already reaches the incumbent.
pub fn threshold(room: usize, left: &Residual, relax: &Relaxation) -> f64 {
    let room = room as f64 - 2.0 + bound::ROUNDING;
    let lagrangian = bound::lagrangian(&relax.pi, &left.items, &left.nodes, &relax.p_upper);
    let most = left
        .nodes
        .iter()
        .zip(&relax.p_upper)
        .filter(|(u, _)| **u > 0)
        .map(|(_, &p)| p)
        .fold(1.0, f64::max);
    let covered = dot(&relax.pi, &left.items);
    (lagrangian - room).max(covered - most * room) - 1e-9
}

/// The preferred child: the master column of largest value that holds `item`, clipped to what
/// is left and filled up greedily (largest item types first) until no task left fits.
/// Complexity: O(columns x item types + item types x resources).
pub fn dive_child(
    instance: &Instance,
    left: &Residual,
    relax: &Relaxation,
    item: usize,
) -> Option<Bin> {
    let (column, _) = relax
        .columns
        .iter()
        .zip(&relax.lp.lambda)
        .filter(|(c, l)| **l > 1e-6 && c.counts[item] > 0 && left.nodes[c.node_type] > 0)
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let mut bin = primal::clip(column, &left.items);
    let cap = instance.loose_capacity(bin.node_type);
    let mut load = instance.load(&bin.counts);
    for (i, it) in instance.items.iter().enumerate() {
        if !it.allowed[bin.node_type] {
            continue;
        }
        while bin.counts[i] < left.items[i]
            && load
                .iter()
                .zip(&it.demand)
                .zip(&cap)
                .all(|((l, d), c)| l + d <= *c)
        {
            bin.counts[i] += 1;
            for (l, d) in load.iter_mut().zip(&it.demand) {
                *l += d;
            }
        }
    }
    Some(bin)
}

/// `pi . counts`.
fn dot(pi: &[f64], counts: &[u32]) -> f64 {
    pi.iter().zip(counts).map(|(p, &c)| p * f64::from(c)).sum()
}

/// The largest LP value of a master column of the same node type that the bin contains.
fn lp_weight(bin: &Bin, relax: &Relaxation) -> f64 {
    relax
        .columns
        .iter()
        .zip(&relax.lp.lambda)
        .filter(|(c, l)| {
            **l > 1e-6
                && c.node_type == bin.node_type
                && c.counts.iter().zip(&bin.counts).all(|(a, b)| a <= b)
        })
        .map(|(_, &l)| l)
        .fold(0.0, f64::max)
}
