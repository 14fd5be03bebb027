//! Price and dive: a primal heuristic of the exact search for instances whose LP bound is tight.
//!
//! A dive fixes one bin at a time and runs column generation again on what is left, until
//! everything is packed or the bins fixed plus the bound of what is left exceed the target.
//! At each level the [`LOOKAHEAD`] master columns of largest LP value (clipped to what is left)
//! are each fixed in turn and what is left is solved (strong diving); the child of least LP
//! value is preferred. Every child is also tried by LP rounding and by completion by
//! enumeration ([`super::cover`], capped in nodes and time), which packs what is left or proves
//! that it cannot be packed in the bins left: deep in a dive, the gap is small and this settles
//! a child in milliseconds.
//!
//! A failed child is followed by the next (limited discrepancy, as in Sadykov et al., "Primal
//! heuristics for branch and price: the assets of diving methods", 2019): at most
//! [`DISCREPANCIES`] times on a path, at most [`WIDTH`] children per level, the children tried
//! before being tabu (never fixed) below the next.
//!
//! Complexity: per level [`LOOKAHEAD`] column generations and completions; at most
//! `(1 + levels x (WIDTH - 1))^DISCREPANCIES` dives; the deadline caps it.

use super::bound;
use super::colgen::{self, Pool, Relaxation, Stop};
use super::cover::{self, Completion};
use super::instance::{Bin, Instance, Residual};
use super::primal;
use super::search::COVER_NODES;
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// The most columns other than the preferred one fixed on one path.
pub const DISCREPANCIES: usize = 2;

/// The candidates tried per level (the preferred one and the others).
pub const WIDTH: usize = 3;

/// The columns of largest LP value evaluated per level (fixed, then column generation on
/// what is left): the child of least LP value is preferred.
pub const LOOKAHEAD: usize = 3;

/// The completion by enumeration of a dive node runs for at most about twice its column
/// generation time, capped by this, plus a fifth of this.
const COVER_TIME: Duration = Duration::from_millis(100);

/// LP values below this are not fixed.
const LEAST: f64 = 1e-3;

/// One price-and-dive run.
struct Dive<'a, 'p> {
    instance: &'a Instance,
    pool: &'p mut Pool,
    target: usize,
    deadline: Instant,
    found: Option<Vec<Bin>>,
    steps: u64,
}

/// Packs every task of `root` into at most `target` bins by price and dive, before `deadline`;
/// `None` if the dives find no such packing. `hint`: duals for the first restricted master (the
/// root's); new columns go to `pool`. Also returns the dive steps taken.
///
/// Errors: the LP back end's message.
pub fn run(
    instance: &Instance,
    root: &Residual,
    hint: Option<&[f64]>,
    pool: &mut Pool,
    target: usize,
    deadline: Instant,
) -> Result<(Option<Vec<Bin>>, u64), String> {
    let mut dive = Dive {
        instance,
        pool,
        target,
        deadline,
        found: None,
        steps: 0,
    };
    if let Some(relax) = dive.evaluate(&[], root, hint)? {
        dive.step(
            &mut Vec::new(),
            root,
            &relax,
            &HashSet::new(),
            DISCREPANCIES,
        )?;
    }
    Ok((dive.found, dive.steps))
}

impl Dive<'_, '_> {
    /// Fixes one more bin below `fixed` from the relaxation of `left`, then dives on; `tabu`
    /// columns are never fixed, `budget` discrepancies are left. Whether the search is over
    /// (found, or out of time).
    fn step(
        &mut self,
        fixed: &mut Vec<Bin>,
        left: &Residual,
        relax: &Relaxation,
        tabu: &HashSet<Bin>,
        budget: usize,
    ) -> Result<bool, String> {
        let mut children = Vec::new();
        for bin in candidates(left, relax, tabu).into_iter().take(LOOKAHEAD) {
            if Instant::now() >= self.deadline {
                return Ok(true);
            }
            let Some(next) = left.without(&bin) else {
                continue;
            };
            fixed.push(bin);
            let child = self.evaluate(fixed, &next, Some(&relax.pi))?;
            let bin = fixed.pop().expect("pushed above");
            if self.found.is_some() {
                return Ok(true);
            }
            if let Some(child) = child {
                children.push((child.lp.value, bin, next, child));
            }
        }
        children.sort_by(|a, b| a.0.total_cmp(&b.0));
        let width = if budget > 0 { WIDTH } else { 1 };
        let mut tabu = tabu.clone();
        for (rank, (_, bin, next, child)) in children.into_iter().take(width).enumerate() {
            fixed.push(bin);
            let cost = usize::from(rank > 0);
            let over = self.step(fixed, &next, &child, &tabu, budget - cost)?;
            let bin = fixed.pop().expect("pushed above");
            if over {
                return Ok(true);
            }
            tabu.insert(bin);
        }
        Ok(false)
    }

    /// After fixing the bins of `fixed`: what is left, `next`, is packed or bounded; its
    /// relaxation (column generation from `hint` duals, the parent's) if the dive may go on
    /// below it. A packing found is kept in `self.found`.
    fn evaluate(
        &mut self,
        fixed: &[Bin],
        next: &Residual,
        hint: Option<&[f64]>,
    ) -> Result<Option<Relaxation>, String> {
        self.steps += 1;
        if next.is_empty() {
            self.found = Some(fixed.to_vec());
            return Ok(None);
        }
        if fixed.len() >= self.target {
            return Ok(None);
        }
        let room = self.target - fixed.len();
        let stop = Stop {
            known: 0,
            at: room + 1,
            converge: Some(self.deadline),
        };
        let started = Instant::now();
        let relax = colgen::solve(self.instance, next, self.pool, stop, hint, self.deadline)?;
        if bound::proven(relax.bound) > room || relax.lp.value > room as f64 + 1e-6 {
            return Ok(None);
        }
        let took = started.elapsed().min(COVER_TIME);
        let cap = (Instant::now() + 2 * took + COVER_TIME / 5).min(self.deadline);
        match cover::complete(self.instance, next, &relax, room, COVER_NODES, cap) {
            Completion::Found(rest) => {
                self.found = Some(fixed.iter().cloned().chain(rest).collect());
                return Ok(None);
            }
            Completion::Impossible => return Ok(None),
            Completion::Unknown => {}
        }
        if let Some(rest) = primal::round(self.instance, next, &relax.columns, &relax.lp.lambda)
            && rest.len() <= room
        {
            self.found = Some(fixed.iter().cloned().chain(rest).collect());
            return Ok(None);
        }
        Ok(Some(relax))
    }
}

/// The columns of the LP solution not tabu, clipped to what is left, largest LP value first.
fn candidates(left: &Residual, relax: &Relaxation, tabu: &HashSet<Bin>) -> Vec<Bin> {
    let mut order: Vec<(f64, Bin)> = relax
        .columns
        .iter()
        .zip(&relax.lp.lambda)
        .filter(|(c, l)| **l >= LEAST && left.nodes[c.node_type] > 0)
        .map(|(c, &l)| (l, primal::clip(c, &left.items)))
        .filter(|(_, b)| b.counts.iter().any(|&c| c > 0) && !tabu.contains(b))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut seen = HashSet::new();
    order
        .into_iter()
        .map(|(_, b)| b)
        .filter(|b| seen.insert(b.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::cover::tests::{optimum, random};
    use std::time::Duration;

    #[test]
    fn dives_to_valid_packings_and_never_below_the_optimum() {
        let mut reached = 0;
        for seed in 0..30 {
            // Ten tasks of two resources on nodes of 10, as in the cover tests.
            let (items, p) = random(seed, 10, 7);
            let inst = Instance::new(&p);
            let full = inst.full();
            let best = optimum(&items, 10.0);
            let far = Instant::now() + Duration::from_secs(60);
            let run = |target| run(&inst, &full, None, &mut Pool::default(), target, far);
            let (below, _) = run(best - 1).unwrap();
            assert!(below.is_none(), "seed {seed}: below the optimum {best}");
            if let (Some(bins), _) = run(best).unwrap() {
                assert!(bins.len() <= best, "seed {seed}");
                assert!(bins.iter().all(|b| inst.is_packable(b)), "seed {seed}");
                for (i, item) in inst.items.iter().enumerate() {
                    let placed: u32 = bins.iter().map(|b| b.counts[i]).sum();
                    assert_eq!(placed as usize, item.tasks.len(), "seed {seed}");
                }
                reached += 1;
            }
        }
        // Measured: every one of the 30.
        assert!(
            reached >= 28,
            "the dives reach the optimum {reached} times in 30"
        );
    }
}
