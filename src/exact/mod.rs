//! The exact method behind `lp_optimal`: branch and bound over the pattern (set-cover)
//! formulation, bounded by column generation.
//!
//! 1. [`instance`]: identical tasks become item types with a multiplicity, interchangeable
//!    nodes node types with a count;
//! 2. [`master`]: the restricted master LP through good_lp (Clarabel by default, HiGHS with
//!    the `highs` feature), with duals;
//! 3. [`knapsack`]: the pricing problem of each node type, a bounded multi-dimensional
//!    knapsack solved exactly by branch and bound;
//! 4. [`colgen`]: column generation, and [`bound`]: the lower bound PROVEN from any duals
//!    with the exactly solved pricing problems (Lagrangian and Farley), so that the LP solver's
//!    inexactness never makes a wrong claim;
//! 5. [`primal`]: greedy packings and LP rounding for incumbents; [`dive`]: price and dive
//!    (columns of the LP fixed one at a time, column generation after each);
//!    [`restricted`]: the restricted master MIP over the generated columns; the caller's improver ([`Improve`]) on
//!    each new incumbent;
//! 6. [`cover`]: a node completed by enumeration when its duals leave a small gap: every bin
//!    they allow, and an exact cover search over them;
//! 7. [`search`]: depth-first branch and bound over maximal bins ([`branching`]), each node
//!    bounded by column generation, until the incumbent meets the bound, the tree is
//!    exhausted, or time is up.
//!
//! [`solve`] ties them together: the best of the caller's start and the greedy packings is the
//! first incumbent; the result says what is proven.

pub mod bound;
pub mod branching;
pub mod colgen;
pub mod cover;
pub mod dive;
pub mod instance;
pub mod knapsack;
pub mod master;
pub mod primal;
pub mod restricted;
pub mod search;
pub mod surrogate;

use crate::bounds::lower_bound;
use crate::model::Problem;
use instance::{Bin, Instance};
use search::Search;
use std::time::{Duration, Instant};

/// What the exact method found and proved about packing every placeable task.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The best full placement found (every placeable task placed), if any.
    pub assignment: Option<Vec<Option<usize>>>,
    /// Its node count.
    pub nodes: Option<usize>,
    /// A proven lower bound on the nodes of any full placement.
    pub bound: usize,
    /// Proven: no full placement exists (then `assignment` is `None`).
    pub infeasible: bool,
    /// Search statistics: search nodes, columns, whether the search was a complete proof.
    pub note: String,
}

impl Outcome {
    /// Whether the placement found is proven optimal.
    pub fn optimal(&self) -> bool {
        self.nodes.is_some_and(|n| n <= self.bound)
    }
}

/// A primal heuristic for the search (the consolidation engine, say): given a placement of
/// every placeable task, one on fewer nodes, or `None`.
pub type Improve<'a> = dyn Fn(&[Option<usize>]) -> Option<Vec<Option<usize>>> + 'a;

/// Minimises the nodes used by a placement of every placeable task, within `time_limit`.
/// `start` is a known placement (a heuristic's); it seeds the search if it places every
/// placeable task. `improve`, if given, runs on each new incumbent the search finds; what it
/// returns is kept if it places every placeable task on fewer nodes.
///
/// Complexity: exponential in the worst case; the time limit caps it.
/// Errors: the LP back end's message.
pub fn solve(
    problem: &Problem,
    start: Option<&[Option<usize>]>,
    time_limit: Duration,
    improve: Option<&Improve<'_>>,
) -> Result<Outcome, String> {
    let started = Instant::now();
    let deadline = started + time_limit;
    let instance = Instance::new(problem);
    let full = instance.full();
    let mut candidates: Vec<Vec<Bin>> = primal::best_greedy(&instance, &full).into_iter().collect();
    if let Some(start) = start {
        let bins = instance.bins(problem, start);
        if covers(&instance, &bins) {
            candidates.push(bins);
        }
    }
    let seeds: Vec<Bin> = candidates.iter().flatten().cloned().collect();
    let incumbent = candidates.into_iter().min_by_key(Vec::len);
    let lifted = |bins: &[Bin]| -> Option<Vec<Bin>> {
        let assignment = instance.assignment(problem.tasks(), bins).ok()?;
        let better = instance.bins(problem, &improve?(&assignment)?);
        (better.len() < bins.len() && covers(&instance, &better)).then_some(better)
    };
    let mut search = Search::new(&instance, incumbent, seeds, lower_bound(problem), deadline);
    if improve.is_some() {
        search = search.with_improver(&lifted);
    }
    search.run()?;
    let total: u32 = full.nodes.iter().sum();
    let exhausted = search.complete;
    let (bound, infeasible) = match (&search.best, exhausted) {
        (Some(best), true) => (best.len(), false),
        (None, true) => (total as usize + 1, true),
        _ => (search.root_bound, search.root_bound > total as usize),
    };
    let assignment = match &search.best {
        Some(bins) => Some(instance.assignment(problem.tasks(), bins)?),
        None => None,
    };
    let proven = search.best.as_ref().is_some_and(|b| b.len() <= bound);
    let note = format!(
        "{} search nodes, {} item types, {} node types, {:.2} s{}",
        search.nodes,
        instance.items.len(),
        instance.nodes.len(),
        started.elapsed().as_secs_f64(),
        if exhausted || proven {
            ""
        } else {
            ", search cut short"
        }
    );
    Ok(Outcome {
        assignment,
        nodes: search.best.as_ref().map(Vec::len),
        bound,
        infeasible,
        note,
    })
}

/// Whether bins hold every task of every item type (a full placement).
fn covers(instance: &Instance, bins: &[Bin]) -> bool {
    (0..instance.items.len()).all(|i| {
        let placed: u32 = bins.iter().map(|b| b.counts[i]).sum();
        placed as usize == instance.items[i].tasks.len()
    })
}
