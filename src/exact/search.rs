//! The exact search: depth-first branch and bound over bins, bounded by column generation.
//!
//! A search node is the bins fixed so far and what is left. At each node:
//! 1. column generation on what is left gives a proven bound ([`super::colgen`]); the node is
//!    cut when the bins fixed plus that bound reach the incumbent;
//! 2. the LP solution is rounded into a full packing ([`super::primal::round`]), which may
//!    improve the incumbent;
//! 3. when the LP value is close to the bins a better packing may use (within a gap that
//!    starts at [`COVER_GAP`] and halves at each failure), column generation goes on to tighter
//!    duals and the node is completed by enumeration ([`super::cover`]): every bin those duals
//!    allow, then an exact cover search over them, which finds a better packing or proves that
//!    the node has none, within about twice the node's column generation time;
//! 4. otherwise branching ([`super::branching`], bin completion): one child per maximal bin
//!    holding the largest item type left, the LP's favourite first.
//!
//! The tree is searched by limited discrepancy search ([`Search::run`]): first the dive that
//! always takes the preferred child, then the paths that deviate once, twice, ... After the
//! first dive, price and dive ([`super::dive`]: LP-guided dives with column generation at each
//! step, for half the time left) and the restricted master MIP over the columns generated
//! so far ([`super::restricted`]) look for a better incumbent. Each new incumbent is handed to the
//! caller's improver, if any ([`Search::with_improver`]: `lp_optimal` runs the consolidation
//! engine of `local_search`).
//!
//! The search stops when the incumbent meets the root bound, at the deadline, or when the tree
//! is exhausted: then the incumbent is optimal, and if there is none no full packing exists.
//! Children lists are capped ([`super::branching::CHILDREN`]); a capped list makes the search
//! incomplete, and the result then claims no optimality beyond the bound.
//!
//! Complexity: exponential in the worst case; per node, one column generation plus one
//! enumeration per node type.

use super::bound;
use super::branching::{self, dive_child};
use super::colgen::{self, Pool, Relaxation, Stop};
use super::cover::{self, Completion};
use super::dive;
use super::instance::{Bin, Instance, Residual};
use super::primal;
use super::restricted;
use std::time::{Duration, Instant};

/// At first, nodes whose LP value is within this of the bins a better packing may use are
/// tried by enumeration ([`super::cover`]).
pub const COVER_GAP: f64 = 0.1;

/// The most cover-search nodes per search node.
pub const COVER_NODES: u64 = 20_000;

/// A primal heuristic run on each new incumbent: a full packing with fewer bins, or `None`.
pub type Improve<'a> = dyn Fn(&[Bin]) -> Option<Vec<Bin>> + 'a;

/// The state of one search.
pub struct Search<'a> {
    instance: &'a Instance,
    improve: Option<&'a Improve<'a>>,
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
    /// Nodes whose LP value is within this of the bins a better packing may use are tried by
    /// enumeration ([`super::cover`]).
    cover_gap: f64,
    /// The discrepancies (children other than the first) allowed on a path in this pass.
    budget: usize,
    /// Some child was skipped in this pass for lack of budget.
    skipped: bool,
    /// The root's duals, once solved.
    root_pi: Option<Vec<f64>>,
}

impl std::fmt::Debug for Search<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("z", &self.z)
            .field("root_bound", &self.root_bound)
            .field("complete", &self.complete)
            .field("nodes", &self.nodes)
            .finish_non_exhaustive()
    }
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
            improve: None,
            pool,
            deadline,
            best: incumbent,
            z,
            root_bound,
            complete: true,
            nodes: 0,
            cover_gap: COVER_GAP,
            budget: 0,
            skipped: false,
            root_pi: None,
        }
    }

    /// The same search, running `improve` on each new incumbent.
    pub fn with_improver(mut self, improve: &'a Improve<'a>) -> Self {
        self.improve = Some(improve);
        self
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
                self.price_and_dive(&root)?;
                self.restricted_master(&root);
            }
        }
        self.complete &= !self.skipped || self.closed();
        Ok(())
    }

    /// After the first dive: the restricted master MIP over the columns so far, for an
    /// incumbent one node better, with a quarter of the time left.
    fn restricted_master(&mut self, root: &Residual) {
        let left = self.time_left() / 4;
        if self.closed() || self.z == 0 || left.is_zero() {
            return;
        }
        let columns = self.pool.clipped(root);
        if let Some(bins) = restricted::solve(self.instance, root, &columns, self.z - 1, left) {
            self.offer(bins);
        }
    }

    /// After the first dive: price and dive ([`super::dive`]) from the root relaxation, for an
    /// incumbent one node better, with half the time left.
    fn price_and_dive(&mut self, root: &Residual) -> Result<(), String> {
        let left = self.time_left() / 2;
        let hint = self.root_pi.take();
        if self.closed() || self.z == 0 || left.is_zero() {
            return Ok(());
        }
        let deadline = Instant::now() + left;
        let (found, steps) = dive::run(
            self.instance,
            root,
            hint.as_deref(),
            &mut self.pool,
            self.z - 1,
            deadline,
        )?;
        self.nodes += steps;
        if let Some(bins) = found {
            self.offer(bins);
        }
        Ok(())
    }

    /// Whether the incumbent meets the proven bound.
    fn closed(&self) -> bool {
        self.best.is_some() && self.z <= self.root_bound
    }

    fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
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
        // The bins a better packing may use below this node.
        let target = self.z - 1 - fixed.len();
        let stop = Stop {
            known: if fixed.is_empty() { self.root_bound } else { 0 },
            at: target + 1,
            converge: None,
        };
        let started = Instant::now();
        let mut relax = colgen::solve(
            self.instance,
            left,
            &mut self.pool,
            stop,
            hint,
            self.deadline,
        )?;
        let took = started.elapsed();
        let lb = bound::proven(relax.bound);
        let try_cover =
            fixed.len() + lb < self.z && (target as f64) - relax.lp.value < self.cover_gap;
        if try_cover && !relax.converged {
            // Tighter duals for the enumeration, for at most as long again (and a twentieth of
            // the time left).
            let stop = Stop {
                converge: Some(Instant::now() + took.min(self.time_left() / 20)),
                ..stop
            };
            let pi = relax.pi.clone();
            relax = colgen::solve(
                self.instance,
                left,
                &mut self.pool,
                stop,
                Some(&pi),
                self.deadline,
            )?;
        }
        let lb = bound::proven(relax.bound);
        if fixed.is_empty() {
            self.root_bound = self.root_bound.max(lb);
            self.root_pi = Some(relax.pi.clone());
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
        if try_cover && self.complete_by_cover(fixed, left, &relax, took) {
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

    /// Tries to settle a node by enumeration ([`super::cover`]) within about twice `took` (the
    /// node's column generation time): whether nothing is left to search below it (a packing
    /// found meets the bound, or none better exists). A failure halves the gap below which the
    /// search tries again.
    fn complete_by_cover(
        &mut self,
        fixed: &[Bin],
        left: &Residual,
        relax: &Relaxation,
        took: Duration,
    ) -> bool {
        let target = self.z - 1 - fixed.len();
        let cap =
            Instant::now() + (2 * took + Duration::from_millis(20)).min(self.time_left() / 10);
        match cover::complete(
            self.instance,
            left,
            relax,
            target,
            COVER_NODES,
            cap.min(self.deadline),
        ) {
            Completion::Found(rest) => {
                self.offer(fixed.iter().cloned().chain(rest).collect());
                self.closed() || fixed.len() + bound::proven(relax.bound) >= self.z
            }
            Completion::Impossible => true,
            Completion::Unknown => {
                self.cover_gap /= 2.0;
                false
            }
        }
    }

    /// Keeps a full packing if it is valid and better than the incumbent; a new incumbent is
    /// handed to the improver, unless it meets the bound.
    fn offer(&mut self, bins: Vec<Bin>) {
        if !self.accept(bins) || self.closed() {
            return;
        }
        if let (Some(improve), Some(best)) = (self.improve, &self.best)
            && let Some(better) = improve(best)
        {
            self.accept(better);
        }
    }

    /// Keeps a full packing if it is valid and better than the incumbent; whether it did.
    fn accept(&mut self, bins: Vec<Bin>) -> bool {
        let better = bins.len() < self.z && bins.iter().all(|b| self.instance.is_packable(b));
        if better {
            self.z = bins.len();
            self.best = Some(bins);
        }
        better
    }

    /// The children of a node ([`branching::children`]), noting a capped list.
    fn children(
        &mut self,
        left: &Residual,
        relax: &Relaxation,
        item: usize,
        fixed: usize,
    ) -> Vec<Bin> {
        let threshold = branching::threshold(self.z - fixed, left, relax);
        let (children, complete) =
            branching::children(self.instance, left, relax, item, threshold, self.deadline);
        self.complete &= complete;
        children
    }
}
