//! Enumeration of the maximal bins that hold a given item type: the children of a search node.
//!
//! The same branch and bound as the pricing search, but it keeps every leaf whose value reaches
//! a threshold and to which no task left fits (a maximal bin), instead of only the best.
//!
//! Complexity: exponential in the worst case; capped by a count and the deadline.

use super::Knapsack;
use std::time::Instant;

impl Knapsack {
    /// Every bin that holds at least one task of item type `forced` (any bin if `None`), to
    /// which no task left fits any more (a maximal bin), and whose value is at least
    /// `min_value`. At most `limit` bins: the flag is false when some were left out (or the
    /// deadline hit).
    ///
    /// Build the knapsack with `keep_zero` so that maximality sees every item type.
    pub fn maximal_bins(
        &self,
        forced: Option<usize>,
        min_value: f64,
        limit: usize,
        deadline: Instant,
    ) -> (Vec<Vec<u32>>, bool) {
        let fpos = match forced {
            Some(forced) => match self.items.iter().position(|it| it.index == forced) {
                Some(p) => p,
                None => return (Vec::new(), true),
            },
            None => usize::MAX,
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
        if self.nodes.is_multiple_of(1024) && Instant::now() >= self.deadline {
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
