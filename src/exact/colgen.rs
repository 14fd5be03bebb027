//! Column generation: the LP relaxation of the pattern formulation and its proven bound.
//!
//! Each round solves the restricted master ([`super::master`]) over the pool's columns (clipped
//! to what is left), prices every node type with free nodes exactly ([`super::knapsack`]), adds
//! the packings of negative reduced cost `1 - mu[k] - pi . counts`, and records the proven bound
//! of that round's duals ([`super::bound`]). It stops when no column prices out (the LP is
//! solved), when the bound reaches `stop_at` (the caller can prune), when the bound's ceiling
//! meets the LP value's (no more rounds can raise it), or at the deadline.
//!
//! Complexity per round: one LP plus one knapsack per node type.

use super::bound;
use super::instance::{Bin, Instance, Residual};
use super::knapsack::Knapsack;
use super::master::{self, MasterLp};
use std::collections::HashSet;
use std::time::Instant;

/// Columns seen so far, shared by every node of a search.
#[derive(Debug, Clone, Default)]
pub struct Pool {
    columns: Vec<Bin>,
    seen: HashSet<Bin>,
}

impl Pool {
    /// Adds a column unless it is already there or empty; whether it was added.
    pub fn add(&mut self, bin: Bin) -> bool {
        let new = bin.counts.iter().any(|&c| c > 0) && !self.seen.contains(&bin);
        if new {
            self.seen.insert(bin.clone());
            self.columns.push(bin);
        }
        new
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the pool is empty.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The distinct columns clipped to `residual` (no more of an item type than is left), of
    /// node types with a free node.
    pub fn clipped(&self, residual: &Residual) -> Vec<Bin> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for c in &self.columns {
            if residual.nodes[c.node_type] == 0 {
                continue;
            }
            let counts: Vec<u32> = c
                .counts
                .iter()
                .zip(&residual.items)
                .map(|(&a, &m)| a.min(m))
                .collect();
            let bin = Bin {
                node_type: c.node_type,
                counts,
            };
            if bin.counts.iter().any(|&x| x > 0) && seen.insert(bin.clone()) {
                out.push(bin);
            }
        }
        out
    }
}

/// The relaxation of one residual problem.
#[derive(Debug, Clone)]
pub struct Relaxation {
    /// The best proven (fractional) lower bound on the nodes the residual needs.
    pub bound: f64,
    /// The duals that gave `bound`, and the pricing upper bounds under them.
    pub pi: Vec<f64>,
    /// Per node type, an upper bound on the best packing value under `pi`.
    pub p_upper: Vec<f64>,
    /// The last restricted master solved.
    pub lp: MasterLp,
    /// Its columns, in the order of `lp.lambda`.
    pub columns: Vec<Bin>,
    /// Whether the LP was solved to optimality (no column priced out).
    pub converged: bool,
}

/// When column generation may stop before the LP is solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    /// A bound already proven for the residual.
    pub known: usize,
    /// The bound at which the caller prunes.
    pub at: usize,
    /// Until this instant, go on while columns price out even once the bound's ceiling meets
    /// the LP value's: the duals then prove as much as the LP can, which tightens reduced-cost
    /// tests ([`super::cover`]).
    pub converge: Option<Instant>,
}

/// Runs column generation on `residual`, adding new columns to `pool`, until `stop` allows;
/// `hint` duals (the parent node's) pick the first round's columns when the pool is large.
///
/// Errors: the LP back end's message.
pub fn solve(
    instance: &Instance,
    residual: &Residual,
    pool: &mut Pool,
    stop: Stop,
    hint: Option<&[f64]>,
    deadline: Instant,
) -> Result<Relaxation, String> {
    let Stop {
        known,
        at: stop_at,
        converge,
    } = stop;
    let big = 1.0 + residual.nodes.iter().map(|&u| f64::from(u)).sum::<f64>();
    let mut best: Option<Relaxation> = None;
    let mut round = 0usize;
    // The columns only grow within one call, so that the LP value never goes up.
    let mut columns = select(pool.clipped(residual), hint);
    let mut present: HashSet<Bin> = columns.iter().cloned().collect();
    loop {
        round += 1;
        let lp = master::solve(instance, residual, &columns, big)?;
        let lp_value = lp.value;
        // Cheap greedy pricing first; the exact one (which proves a bound) when it finds
        // nothing, every few rounds, and at the deadline.
        // Once the LP cannot prove more than is known, one exact round gives the duals'
        // bound and ends.
        let converging = converge.is_some_and(|until| Instant::now() < until);
        let enough = !converging && bound::proven(lp_value - LP_SLACK) <= known;
        if !enough && !round.is_multiple_of(EXACT_EVERY) && Instant::now() < deadline {
            let quick = price_greedy(instance, residual, &lp);
            if enter(quick, &mut columns, &mut present, pool) {
                continue;
            }
        }
        let (p_upper, found, exact) = price(instance, residual, &lp, deadline);
        let found: Vec<Bin> = found.into_iter().filter(|b| !present.contains(b)).collect();
        let value = bound::best(&lp.pi, &residual.items, &residual.nodes, &p_upper);
        let converged = found.is_empty() && exact;
        let improved = best.as_ref().is_none_or(|b| value > b.bound);
        let bound_now = best.as_ref().map_or(value, |b| b.bound.max(value));
        if improved {
            best = Some(Relaxation {
                bound: value,
                pi: lp.pi.clone(),
                p_upper,
                lp,
                columns: columns.clone(),
                converged,
            });
        } else if let Some(b) = best.as_mut() {
            b.lp = lp;
            b.columns.clone_from(&columns);
            b.converged = converged;
        }
        let proven = bound::proven(bound_now).max(known);
        // No column found by an unfinished pricing search: another round would repeat it.
        let done = found.is_empty()
            || proven >= stop_at
            || (!converging && proven >= bound::proven(lp_value - LP_SLACK))
            || Instant::now() >= deadline;
        enter(found, &mut columns, &mut present, pool);
        if done {
            let mut out = best.ok_or("column generation ran no round")?;
            out.bound = out.bound.max(known as f64);
            return Ok(out);
        }
    }
}

/// The most columns in one restricted master: beyond, those of least reduced cost under the
/// latest duals are kept (the previous master's basis has reduced cost 0 and stays).
pub const MAX_COLUMNS: usize = 400;

/// The columns of a restricted master: all, or the [`MAX_COLUMNS`] of least reduced cost
/// `1 - pi . counts` under `pi`. Complexity: O(columns x item types + columns log columns).
fn select(mut columns: Vec<Bin>, pi: Option<&[f64]>) -> Vec<Bin> {
    let Some(pi) = pi.filter(|_| columns.len() > MAX_COLUMNS) else {
        return columns;
    };
    let value = |b: &Bin| -> f64 {
        b.counts
            .iter()
            .zip(pi)
            .map(|(&c, p)| f64::from(c) * p)
            .sum()
    };
    let mut keyed: Vec<(f64, Bin)> = columns.drain(..).map(|b| (-value(&b), b)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    keyed.truncate(MAX_COLUMNS);
    keyed.into_iter().map(|(_, b)| b).collect()
}

/// Adds new columns to the master's and to the pool; whether any was new to the master.
fn enter(
    found: Vec<Bin>,
    columns: &mut Vec<Bin>,
    present: &mut HashSet<Bin>,
    pool: &mut Pool,
) -> bool {
    let mut entered = false;
    for bin in found {
        if present.insert(bin.clone()) {
            columns.push(bin.clone());
            entered = true;
        }
        pool.add(bin);
    }
    entered
}

/// Allowance for the LP solver's inexact objective in the stopping tests (never in a bound).
const LP_SLACK: f64 = 1e-5;

/// Least reduced cost improvement for a column to enter: above the interior-point solver's
/// dual accuracy, so that columns already present do not re-enter.
const ENTER: f64 = 1e-6;

/// Reduced-cost improvement at which the exact pricing stops early with its packing.
const FAR_ENOUGH: f64 = 0.05;

/// Rounds between two exact pricing rounds while the greedy one still finds columns.
const EXACT_EVERY: usize = 8;

/// Greedy pricing of every node type with free nodes: columns of negative reduced cost.
fn price_greedy(instance: &Instance, residual: &Residual, lp: &MasterLp) -> Vec<Bin> {
    let mut found = Vec::new();
    for (k, &free) in residual.nodes.iter().enumerate() {
        if free == 0 {
            continue;
        }
        let knapsack = Knapsack::new(
            instance,
            residual,
            k,
            &lp.pi,
            instance.loose_capacity(k),
            false,
        );
        let threshold = 1.0 - lp.mu[k] + ENTER;
        for counts in knapsack.greedy(threshold, GREEDY_SEEDS, GREEDY_KEEP) {
            found.push(Bin {
                node_type: k,
                counts,
            });
        }
    }
    found
}

/// Seeds and columns kept per node type by the greedy pricing.
const GREEDY_SEEDS: usize = 40;
const GREEDY_KEEP: usize = 12;

/// Prices every node type with free nodes: the upper bounds `P_k`, the new columns, and
/// whether every pricing problem was solved exactly.
fn price(
    instance: &Instance,
    residual: &Residual,
    lp: &MasterLp,
    deadline: Instant,
) -> (Vec<f64>, Vec<Bin>, bool) {
    let mut p_upper = vec![0.0; instance.nodes.len()];
    let mut exact = true;
    let mut found = Vec::new();
    for (k, &free) in residual.nodes.iter().enumerate() {
        if free == 0 {
            continue;
        }
        let knapsack = Knapsack::new(
            instance,
            residual,
            k,
            &lp.pi,
            instance.loose_capacity(k),
            false,
        );
        // A packing far above the entering threshold makes this round's bound weak anyway:
        // enough to enter, no need to prove the maximum.
        let priced = knapsack.maximise_until(deadline, 1.0 - lp.mu[k] + FAR_ENOUGH);
        p_upper[k] = priced.upper;
        exact &= priced.exact;
        let threshold = 1.0 - lp.mu[k] + ENTER;
        if priced.value > threshold {
            for counts in priced.trail.into_iter().rev() {
                let value: f64 = counts
                    .iter()
                    .zip(&lp.pi)
                    .map(|(&c, p)| f64::from(c) * p)
                    .sum();
                if value > threshold {
                    found.push(Bin {
                        node_type: k,
                        counts,
                    });
                }
            }
        }
    }
    (p_upper, found, exact)
}
