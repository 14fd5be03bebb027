//! The exact search: depth-first branch and bound over bins, bounded by column generation.
//!
//! A search node is the bins fixed so far and what is left. At each node:
//! 1. column generation on what is left gives a proven bound ([`super::colgen`]); the node is
//!    cut when the bins fixed plus that bound reach the incumbent;
//! 2. the LP solution is rounded into a full packing ([`super::primal::round`]), which may
//!    improve the incumbent;
//! 3. branching (bin completion): the largest item type left must go in some node; one child
//!    per maximal bin that holds it (a bin no other task left fits into: some optimal packing
//!    uses only such bins, so no optimum is lost) and whose reduced cost does not already prove
//!    the child useless (bound of the child >= bound of the node - dual value of the bin).
//!    Children are tried holding the most of the LP solution first, then best reduced cost,
//!    so that the first dive follows the LP.
//!
//! The tree is searched by limited discrepancy search ([`Search::run`]): first the dive that
//! always takes the preferred child, then the paths that deviate once, twice, ... After the
//! first dive, the restricted master MIP over the columns generated so far
//! ([`super::restricted`]) looks for a better incumbent.
//!
//! The search stops when the incumbent meets the root bound, at the deadline, or when the tree
//! is exhausted: then the incumbent is optimal, and if there is none no full packing exists.
//! Children lists are capped ([`CHILDREN`]); a capped list makes the search incomplete, and
//! the result then claims no optimality beyond the bound.
//!
//! Complexity: exponential in the worst case; per node, one column generation plus one
//! enumeration per node type.

use super::bound;
use super::colgen::{self, Pool, Relaxation};
use super::instance::{Bin, Instance, Residual};
use super::knapsack::Knapsack;
use super::primal;
use super::restricted;
use std::time::Instant;

/// The most children of one search node; beyond, the search is no longer a proof.
pub const CHILDREN: usize = 5_000;

/// The state of one search.
#[derive(Debug)]
pub struct Search<'a> {
    instance: &'a Instance,
    pool: Pool,
    deadline: Instant,
    /// The best full packing found.
    pub best: Option<Vec<Bin>>,
    /// Its size, or one more than the nodes there are when there is none.
    pub z: usize,
    /// The proven root bound (0 until the root is solved).
    pub root_bound: usize,
    /// The search covered every child it needed (no cap, no deadline).
    pub complete: bool,
    /// Search nodes visited.
    pub nodes: u64,
    /// The discrepancies (children other than the first) allowed on a path in this pass.
    budget: usize,
    /// Some child was skipped in this pass for lack of budget.
    skipped: bool,
}

impl<'a> Search<'a> {
    /// A search with a starting incumbent (if any) and seed columns.
    pub fn new(
        instance: &'a Instance,
        incumbent: Option<Vec<Bin>>,
        seeds: Vec<Bin>,
        root_bound: usize,
        deadline: Instant,
    ) -> Self {
        let mut pool = Pool::default();
        for bin in seeds.into_iter().chain(incumbent.iter().flatten().cloned()) {
            pool.add(bin);
        }
        let total: u32 = instance.full().nodes.iter().sum();
        let z = incumbent.as_ref().map_or(total as usize + 1, Vec::len);
        Self {
            instance,
            pool,
            deadline,
            best: incumbent,
            z,
            root_bound,
            complete: true,
            nodes: 0,
            budget: 0,
            skipped: false,
        }
    }

    /// Runs the search from the whole problem, as limited discrepancy search: pass `b` follows
    /// the preferred child everywhere except on at most `b` nodes of a path, and the passes go
    /// on until one skipped nothing (then the tree is exhausted), the incumbent meets the bound,
    /// or time is up.
    ///
    /// Errors: the LP back end's message.
    pub fn run(&mut self) -> Result<(), String> {
        let root = self.instance.full();
        for budget in 0.. {
            self.budget = budget;
            self.skipped = false;
            self.node(&mut Vec::new(), &root, None, 0)?;
            if self.closed() || !self.complete || !self.skipped {
                break;
            }
            if budget == 0 {
                self.restricted_master(&root);
            }
        }
        self.complete &= !self.skipped || self.closed();
        Ok(())
    }

    /// After the first dive: the restricted master MIP over the columns so far, for an
    /// incumbent one node better, with a quarter of the time left.
    fn restricted_master(&mut self, root: &Residual) {
        let left = self.deadline.saturating_duration_since(Instant::now()) / 4;
        if self.closed() || self.z == 0 || left.is_zero() {
            return;
        }
        let columns = self.pool.clipped(root);
        if let Some(bins) = restricted::solve(self.instance, root, &columns, self.z - 1, left) {
            self.offer(bins);
        }
    }

    /// Whether the incumbent meets the proven bound.
    fn closed(&self) -> bool {
        self.best.is_some() && self.z <= self.root_bound
    }

    fn out_of_time(&mut self) -> bool {
        let out = Instant::now() >= self.deadline;
        if out {
            self.complete = false;
        }
        out
    }

    fn node(
        &mut self,
        fixed: &mut Vec<Bin>,
        left: &Residual,
        hint: Option<&[f64]>,
        spent: usize,
    ) -> Result<(), String> {
        self.nodes += 1;
        if left.is_empty() {
            self.offer(fixed.clone());
            return Ok(());
        }
        if self.closed() || self.out_of_time() || fixed.len() + 1 >= self.z {
            return Ok(());
        }
        let stop_at = self.z - fixed.len();
        let known = if fixed.is_empty() { self.root_bound } else { 0 };
        let relax = colgen::solve(
            self.instance,
            left,
            &mut self.pool,
            known,
            stop_at,
            hint,
            self.deadline,
        )?;
        let lb = bound::proven(relax.bound);
        if fixed.is_empty() {
            self.root_bound = self.root_bound.max(lb);
        }
        if fixed.len() + lb >= self.z {
            return Ok(());
        }
        if let Some(rest) = primal::round(self.instance, left, &relax.columns, &relax.lp.lambda) {
            self.offer(fixed.iter().cloned().chain(rest).collect());
        }
        if self.closed() || fixed.len() + lb >= self.z {
            return Ok(());
        }
        let Some(item) = (0..left.items.len()).find(|&i| left.items[i] > 0) else {
            return Ok(());
        };
        let children = if spent >= self.budget {
            // Only the preferred child is within budget: skip the enumeration.
            self.skipped = true;
            let dive = dive_child(self.instance, left, &relax, item);
            match dive {
                Some(bin) => vec![bin],
                None => self.children(left, &relax, item, fixed.len()),
            }
        } else {
            self.children(left, &relax, item, fixed.len())
        };
        for (rank, child) in children.into_iter().enumerate() {
            let cost = spent + usize::from(rank > 0);
            if cost > self.budget {
                self.skipped = true;
                break;
            }
            let Some(next) = left.without(&child) else {
                continue;
            };
            fixed.push(child);
            self.node(fixed, &next, Some(&relax.pi), cost)?;
            fixed.pop();
            if self.closed() || self.out_of_time() {
                break;
            }
        }
        Ok(())
    }

    /// Keeps a full packing if it is valid and better than the incumbent.
    fn offer(&mut self, bins: Vec<Bin>) {
        if bins.len() < self.z && bins.iter().all(|b| self.instance.is_packable(b)) {
            self.z = bins.len();
            self.best = Some(bins);
        }
    }

    /// The children of a node: maximal bins holding `item` that may still lead below the
    /// incumbent, in the order to try them.
    fn children(
        &mut self,
        left: &Residual,
        relax: &Relaxation,
        item: usize,
        fixed: usize,
    ) -> Vec<Bin> {
        let threshold = self.threshold(left, relax, fixed);
        let mut children: Vec<(f64, f64, Bin)> = Vec::new();
        for k in 0..self.instance.nodes.len() {
            if left.nodes[k] == 0 || !self.instance.items[item].allowed[k] {
                continue;
            }
            let knapsack = Knapsack::new(
                self.instance,
                left,
                k,
                &relax.pi,
                self.instance.loose_capacity(k),
                true,
            );
            let limit = CHILDREN.saturating_sub(children.len());
            let (bins, complete) = knapsack.maximal_bins(item, threshold, limit, self.deadline);
            self.complete &= complete;
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
        let dive = dive_child(self.instance, left, relax, item);
        let rest = children
            .into_iter()
            .map(|(_, _, b)| b)
            .filter(|b| Some(b) != dive.as_ref());
        dive.clone().into_iter().chain(rest).collect()
    }

    /// The least dual value of a child bin that can lead below the incumbent: below it, the
    /// child's bound (the node's Lagrangian or Farley bound minus the bin's dual value, plus
    /// the bin itself) already reaches the incumbent.
    fn threshold(&self, left: &Residual, relax: &Relaxation, fixed: usize) -> f64 {
        let room = self.z as f64 - fixed as f64 - 2.0 + bound::ROUNDING;
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
}

/// The preferred child: the master column of largest value that holds `item`, clipped to what
/// is left and filled up greedily (largest item types first) until no task left fits.
/// Complexity: O(columns x item types + item types x resources).
fn dive_child(
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
