//! The pricing problem: a bounded multi-dimensional knapsack, solved exactly by depth-first
//! branch and bound.
//!
//! Given a value per item type (the master's duals), a node type's capacity and how many tasks
//! of each type are left, find the packing of one node of greatest value. Items are tried in
//! order of value per unit of surrogate weight ([`super::surrogate`]), each with its count from
//! the most that fits down to zero; a subtree is cut when its upper bound, the fractional
//! knapsack on the surrogate constraint over the items not yet decided, cannot beat the best
//! packing found. Item types with a negative demand (published instances have them) come
//! first, so that the room they make is known before the others are tried: an item that does
//! not fit then never fits deeper in the search.
//!
//! Complexity: exponential in the worst case (the problem is NP-hard), O(items x resources) per
//! search node; a node limit and the deadline cap it, and then the answer says it is not exact
//! and gives a valid upper bound instead.

use super::instance::{Instance, Residual};
use super::surrogate::{self, Entry, dot};

mod enumerate;
use std::time::Instant;

/// Search nodes after which pricing stops and reports a bound instead of an exact value.
pub const NODE_LIMIT: u64 = 2_000_000;

/// A candidate item type of one knapsack.
#[derive(Debug, Clone)]
struct Item {
    index: usize,
    value: f64,
    demand: Vec<f64>,
    max: u32,
}

/// The items of one knapsack, sorted for the search by value per unit of surrogate weight.
#[derive(Debug, Clone)]
pub struct Knapsack {
    items: Vec<Item>,
    capacity: Vec<f64>,
    /// The surrogate multipliers ([`super::surrogate`]).
    w: Vec<f64>,
    /// Per position, the item's surrogate weight `w . demand`.
    weight: Vec<f64>,
    /// suffix[p]: total value of the items at positions p.. (all copies).
    suffix: Vec<f64>,
    /// The items with a negative demand, at the first positions.
    negatives: usize,
    n_types: usize,
}

/// The best packing found and what is proven about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Priced {
    /// The value of the best packing found.
    pub value: f64,
    /// Its counts, per item type.
    pub counts: Vec<u32>,
    /// A proven upper bound on the best value: `value` itself when `exact`.
    pub upper: f64,
    /// Whether the search finished.
    pub exact: bool,
    /// Packings that improved on the best during the search, best last (extra columns).
    pub trail: Vec<Vec<u32>>,
    /// Search nodes visited.
    pub nodes: u64,
}

impl Knapsack {
    /// The knapsack of node type `node_type` for `values` (one per item type; only item types
    /// with a positive value, or every admitted one if `keep_zero`), the counts of `residual`
    /// and capacity `capacity`.
    pub fn new(
        instance: &Instance,
        residual: &Residual,
        node_type: usize,
        values: &[f64],
        capacity: Vec<f64>,
        keep_zero: bool,
    ) -> Self {
        let mut items: Vec<Item> = instance
            .items
            .iter()
            .enumerate()
            .filter(|(i, it)| {
                it.allowed[node_type] && residual.items[*i] > 0 && (keep_zero || values[*i] > 0.0)
            })
            .map(|(i, it)| Item {
                index: i,
                value: values[i].max(0.0),
                demand: it.demand.clone(),
                max: residual.items[i],
            })
            .collect();
        let entries: Vec<Entry<'_>> = items
            .iter()
            .map(|it| Entry {
                value: it.value,
                demand: &it.demand,
                max: it.max,
            })
            .collect();
        let w = surrogate::weights(&entries, &capacity);
        let weigh = |it: &Item| dot(&w, &it.demand);
        let negative = |it: &Item| it.demand.iter().any(|&d| d < 0.0);
        items.sort_by(|a, b| {
            let (ea, eb) = (
                a.value / weigh(a).max(1e-300),
                b.value / weigh(b).max(1e-300),
            );
            negative(b)
                .cmp(&negative(a))
                .then(eb.total_cmp(&ea))
                .then(weigh(b).total_cmp(&weigh(a)))
        });
        let negatives = items.iter().filter(|it| negative(it)).count();
        let weight = items.iter().map(weigh).collect();
        let mut suffix = vec![0.0; items.len() + 1];
        for p in (0..items.len()).rev() {
            suffix[p] = suffix[p + 1] + items[p].value * f64::from(items[p].max);
        }
        Self {
            items,
            capacity,
            w,
            weight,
            suffix,
            negatives,
            n_types: instance.items.len(),
        }
    }

    /// The number of candidate item types.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no candidate item type.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// An upper bound on the value the items at positions `pos..` can add within `free`: the
    /// fractional knapsack on the surrogate constraint, over the items that fit `free` on
    /// their own, walked in the search order (which is the surrogate's ratio order), capped by
    /// their total value. Complexity: O(items x resources) at worst, usually a few items.
    fn bound(&self, pos: usize, free: &[f64]) -> f64 {
        if pos < self.negatives {
            // Items with a negative demand still to decide: at most all their value, and the
            // others within the most room they can make.
            let mut room = free.to_vec();
            for it in &self.items[pos..self.negatives] {
                for (r, d) in room.iter_mut().zip(&it.demand) {
                    *r += f64::from(it.max) * (-d).max(0.0);
                }
            }
            let own = self.suffix[pos] - self.suffix[self.negatives];
            return own + self.bound(self.negatives, &room);
        }
        let mut cap = dot(&self.w, free).max(0.0);
        let mut value = 0.0;
        for p in pos..self.items.len() {
            let it = &self.items[p];
            if it.demand.iter().zip(free).any(|(d, f)| d > f) {
                continue;
            }
            let (s, max) = (self.weight[p], f64::from(it.max));
            let take = if s <= 0.0 { max } else { (cap / s).min(max) };
            value += take * it.value;
            cap -= take * s;
            if take < max {
                break;
            }
        }
        value.min(self.suffix[pos])
    }

    /// The most copies of the item at `pos` that fit into `free`.
    fn fitting(&self, pos: usize, free: &[f64]) -> u32 {
        let it = &self.items[pos];
        // One copy: a comparison per resource (the common case, distinct tasks).
        if it.max <= 1 {
            let fits = it
                .demand
                .iter()
                .zip(free)
                .all(|(d, f)| *d <= 0.0 || *d <= f + 1e-12 * d);
            return u32::from(fits) * it.max;
        }
        let mut most = it.max;
        for (d, f) in it.demand.iter().zip(free) {
            if *d > 0.0 {
                let k = (f / d + 1e-12).floor().max(0.0);
                most = most.min(k as u32);
            }
        }
        most
    }

    /// The packing of greatest value, by branch and bound; stops at `deadline` or after
    /// [`NODE_LIMIT`] nodes (then `exact` is false and `upper` the root bound).
    pub fn maximise(&self, deadline: Instant) -> Priced {
        self.maximise_until(deadline, f64::INFINITY)
    }

    /// [`Self::maximise`], stopped early (not exact) once a packing worth `enough` is found.
    pub fn maximise_until(&self, deadline: Instant, enough: f64) -> Priced {
        let mut search = Search {
            enough,
            k: self,
            counts: vec![0; self.items.len()],
            free: self.capacity.clone(),
            best: 0.0,
            best_counts: vec![0; self.items.len()],
            trail: Vec::new(),
            nodes: 0,
            aborted: false,
            deadline,
        };
        search.dfs(0, 0.0);
        let exact = !search.aborted;
        let upper = if exact {
            search.best
        } else {
            self.bound(0, &self.capacity).max(search.best)
        };
        let trail = search.trail.iter().map(|c| self.expand(c)).collect();
        Priced {
            value: search.best,
            counts: self.expand(&search.best_counts),
            upper,
            exact,
            trail,
            nodes: search.nodes,
        }
    }

    /// Counts per item type from counts per position.
    fn expand(&self, counts: &[u32]) -> Vec<u32> {
        let mut out = vec![0; self.n_types];
        for (it, &c) in self.items.iter().zip(counts) {
            out[it.index] = c;
        }
        out
    }

    fn take(&self, pos: usize, copies: u32, free: &mut [f64], sign: f64) {
        for (f, d) in free.iter_mut().zip(&self.items[pos].demand) {
            *f -= sign * f64::from(copies) * d;
        }
    }
}

struct Search<'a> {
    k: &'a Knapsack,
    enough: f64,
    counts: Vec<u32>,
    free: Vec<f64>,
    best: f64,
    best_counts: Vec<u32>,
    trail: Vec<Vec<u32>>,
    nodes: u64,
    aborted: bool,
    deadline: Instant,
}

impl Search<'_> {
    fn dfs(&mut self, pos: usize, value: f64) {
        if value > self.best + 1e-12 {
            self.best = value;
            self.best_counts.clone_from(&self.counts);
            self.trail.push(self.counts.clone());
            if self.trail.len() > 4 {
                self.trail.remove(0);
            }
            self.aborted |= value >= self.enough;
        }
        if pos == self.k.items.len() || self.aborted {
            return;
        }
        self.nodes += 1;
        if self.nodes >= NODE_LIMIT
            || (self.nodes.is_multiple_of(1024) && Instant::now() >= self.deadline)
        {
            self.aborted = true;
            return;
        }
        // Items that do not fit are skipped at once: the bound over the rest is the same.
        let mut pos = pos;
        let mut most = self.k.fitting(pos, &self.free);
        while most == 0 {
            pos += 1;
            if pos == self.k.items.len() {
                return;
            }
            most = self.k.fitting(pos, &self.free);
        }
        if value + self.k.bound(pos, &self.free) <= self.best + 1e-12 {
            return;
        }
        for c in (0..=most).rev() {
            self.counts[pos] = c;
            self.k.take(pos, c, &mut self.free, 1.0);
            self.dfs(pos + 1, value + f64::from(c) * self.k.items[pos].value);
            self.k.take(pos, c, &mut self.free, -1.0);
            if self.aborted {
                break;
            }
        }
        self.counts[pos] = 0;
    }
}

#[cfg(test)]
mod tests;
