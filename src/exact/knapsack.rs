//! The pricing problem: a bounded multi-dimensional knapsack, solved exactly by depth-first
//! branch and bound.
//!
//! Given a value per item type (the master's duals), a node type's capacity and how many tasks
//! of each type are left, find the packing of one node of greatest value. Items are tried in
//! order of value per unit of surrogate weight ([`super::surrogate`]), each with its count from
//! the most that fits down to zero; a subtree is cut when its upper bound, the fractional
//! knapsack on the surrogate constraint over the items not yet decided, cannot beat the best
//! packing found.
//!
//! Complexity: exponential in the worst case (the problem is NP-hard), O(items x resources) per
//! search node; a node limit and the deadline cap it, and then the answer says it is not exact
//! and gives a valid upper bound instead.

use super::instance::{Instance, Residual};
use super::surrogate::{self, Entry, dot};
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
        items.sort_by(|a, b| {
            let (ea, eb) = (
                a.value / weigh(a).max(1e-300),
                b.value / weigh(b).max(1e-300),
            );
            eb.total_cmp(&ea).then(weigh(b).total_cmp(&weigh(a)))
        });
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
        let mut search = Search {
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

    /// Every bin that holds at least one task of item type `forced`, to which no task left
    /// fits any more (a maximal bin), and whose value is at least `min_value`. At most `limit`
    /// bins: the flag is false when some were left out (or the deadline hit).
    ///
    /// Build the knapsack with `keep_zero` so that maximality sees every item type.
    pub fn maximal_bins(
        &self,
        forced: usize,
        min_value: f64,
        limit: usize,
        deadline: Instant,
    ) -> (Vec<Vec<u32>>, bool) {
        let Some(fpos) = self.items.iter().position(|it| it.index == forced) else {
            return (Vec::new(), true);
        };
        let mut e = Enumerate {
            k: self,
            counts: vec![0; self.items.len()],
            free: self.capacity.clone(),
            forced: fpos,
            min_value,
            limit,
            found: Vec::new(),
            complete: true,
            nodes: 0,
            deadline,
        };
        e.dfs(0, 0.0);
        let bins = e.found.iter().map(|c| self.expand(c)).collect();
        (bins, e.complete)
    }

    /// Fast pricing: greedy packings, each seeded with one of the first `seeds` item types in
    /// efficiency order and filled in that order; the distinct ones worth more than
    /// `threshold`, best first, at most `keep`. Complexity: O(seeds x items x resources).
    pub fn greedy(&self, threshold: f64, seeds: usize, keep: usize) -> Vec<Vec<u32>> {
        let mut found: Vec<(f64, Vec<u32>)> = Vec::new();
        for seed in 0..self.items.len().min(seeds) {
            let mut free = self.capacity.clone();
            let mut counts = vec![0u32; self.items.len()];
            let mut value = 0.0;
            for pos in std::iter::once(seed).chain(0..self.items.len()) {
                if counts[pos] > 0 && pos != seed {
                    continue;
                }
                let c = self
                    .fitting(pos, &free)
                    .min(self.items[pos].max - counts[pos]);
                counts[pos] += c;
                self.take(pos, c, &mut free, 1.0);
                value += f64::from(c) * self.items[pos].value;
            }
            if value > threshold && !found.iter().any(|(_, f)| *f == counts) {
                found.push((value, counts));
            }
        }
        found.sort_by(|a, b| b.0.total_cmp(&a.0));
        found.truncate(keep);
        found.into_iter().map(|(_, c)| self.expand(&c)).collect()
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
        }
        if pos == self.k.items.len() || self.aborted {
            return;
        }
        self.nodes += 1;
        if self.nodes >= NODE_LIMIT || (self.nodes % 1024 == 0 && Instant::now() >= self.deadline) {
            self.aborted = true;
            return;
        }
        if value + self.k.bound(pos, &self.free) <= self.best + 1e-12 {
            return;
        }
        let most = self.k.fitting(pos, &self.free);
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

struct Enumerate<'a> {
    k: &'a Knapsack,
    counts: Vec<u32>,
    free: Vec<f64>,
    forced: usize,
    min_value: f64,
    limit: usize,
    found: Vec<Vec<u32>>,
    complete: bool,
    nodes: u64,
    deadline: Instant,
}

impl Enumerate<'_> {
    fn dfs(&mut self, pos: usize, value: f64) {
        if !self.complete {
            return;
        }
        if pos == self.k.items.len() {
            if self.is_maximal() {
                if self.found.len() >= self.limit {
                    self.complete = false;
                    return;
                }
                self.found.push(self.counts.clone());
            }
            return;
        }
        self.nodes += 1;
        if self.nodes % 1024 == 0 && Instant::now() >= self.deadline {
            self.complete = false;
            return;
        }
        if value + self.k.bound(pos, &self.free) < self.min_value {
            return;
        }
        let most = self.k.fitting(pos, &self.free);
        let least = u32::from(pos == self.forced);
        for c in (least..=most).rev() {
            self.counts[pos] = c;
            self.k.take(pos, c, &mut self.free, 1.0);
            self.dfs(pos + 1, value + f64::from(c) * self.k.items[pos].value);
            self.k.take(pos, c, &mut self.free, -1.0);
        }
        self.counts[pos] = 0;
    }

    /// No item with copies left fits the free capacity.
    fn is_maximal(&self) -> bool {
        (0..self.k.items.len())
            .all(|p| self.counts[p] == self.k.items[p].max || self.k.fitting(p, &self.free) == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::Array2;
    use std::time::Duration;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    /// Brute force over every count vector.
    fn brute(inst: &Instance, res: &Residual, values: &[f64], cap: &[f64]) -> f64 {
        let n = inst.items.len();
        let mut best = 0.0_f64;
        let mut counts = vec![0u32; n];
        loop {
            let load = inst.load(&counts);
            if load.iter().zip(cap).all(|(l, c)| l <= c) {
                let v: f64 = counts
                    .iter()
                    .zip(values)
                    .map(|(&c, v)| f64::from(c) * v)
                    .sum();
                best = best.max(v);
            }
            let mut i = 0;
            while i < n {
                if counts[i] < res.items[i] {
                    counts[i] += 1;
                    break;
                }
                counts[i] = 0;
                i += 1;
            }
            if i == n {
                return best;
            }
        }
    }

    fn random_instance(seed: u64) -> (Instance, Vec<f64>) {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let n = 2 + next(5) as usize;
        let demand: Vec<f64> = (0..2 * n).map(|_| 1.0 + next(9) as f64).collect();
        let values: Vec<f64> = (0..n).map(|_| next(100) as f64 / 37.0).collect();
        let copies = (0..n).flat_map(|i| {
            let c = 1 + next(3) as usize;
            std::iter::repeat_n([demand[2 * i], demand[2 * i + 1]], c)
        });
        let rows: Vec<[f64; 2]> = copies.collect();
        let d = Array2::from_shape_fn((rows.len(), 2), |(t, r)| rows[t][r]);
        let p = problem(Array2::from_elem((1, 2), 12.0), d);
        let inst = Instance::new(&p);
        // Values follow the instance's own (sorted) order of distinct demand rows.
        let v = inst
            .items
            .iter()
            .map(|it| {
                let j = (0..n)
                    .find(|&j| [demand[2 * j], demand[2 * j + 1]] == it.demand[..])
                    .unwrap();
                values[j]
            })
            .collect();
        (inst, v)
    }

    #[test]
    fn matches_brute_force_on_random_small_knapsacks() {
        for seed in 0..200 {
            let (inst, values) = random_instance(seed);
            let res = inst.full();
            let cap = inst.loose_capacity(0);
            let k = Knapsack::new(&inst, &res, 0, &values, cap.clone(), false);
            let got = k.maximise(far());
            let want = brute(&inst, &res, &values, &cap);
            assert!(got.exact);
            assert!(
                (got.value - want).abs() < 1e-9,
                "seed {seed}: {} vs {want}",
                got.value
            );
            let load = inst.load(&got.counts);
            assert!(load.iter().zip(&cap).all(|(l, c)| l <= c));
            assert!(got.counts.iter().zip(&res.items).all(|(c, m)| c <= m));
        }
    }

    #[test]
    fn maximal_bins_are_maximal_contain_the_forced_item_and_are_all_there() {
        for seed in 0..60 {
            let (inst, values) = random_instance(seed);
            let res = inst.full();
            let cap = inst.loose_capacity(0);
            let k = Knapsack::new(&inst, &res, 0, &values, cap.clone(), true);
            let (bins, complete) = k.maximal_bins(0, 0.0, 100_000, far());
            assert!(complete);
            for b in &bins {
                assert!(b[0] >= 1);
                let load = inst.load(b);
                assert!(load.iter().zip(&cap).all(|(l, c)| l <= c));
                for j in 0..inst.items.len() {
                    if b[j] < res.items[j] {
                        let fits = inst.items[j]
                            .demand
                            .iter()
                            .zip(&load)
                            .zip(&cap)
                            .any(|((d, l), c)| l + d > *c);
                        assert!(fits, "seed {seed}: bin {b:?} not maximal");
                    }
                }
            }
            // The best bin containing item 0 is among them.
            let best = bins
                .iter()
                .map(|b| {
                    b.iter()
                        .zip(&values)
                        .map(|(&c, v)| f64::from(c) * v)
                        .sum::<f64>()
                })
                .fold(f64::MIN, f64::max);
            let forced_best = {
                let mut r = res.clone();
                r.items[0] -= 1;
                let k2 = Knapsack::new(
                    &inst,
                    &r,
                    0,
                    &values,
                    cap.iter()
                        .zip(&inst.items[0].demand)
                        .map(|(c, d)| c - d)
                        .collect(),
                    false,
                );
                k2.maximise(far()).value + values[0]
            };
            assert!((best - forced_best).abs() < 1e-9, "seed {seed}");
        }
    }
}
