//! The name -> strategy map that `compare --strategies` and `all` read.

use super::{
    Balanced, BestFit, BestFitDecreasing, DotProduct, Drf, FirstFit, FirstFitDecreasing,
    LeastConnections, LeastTime, LocalSearch, LpOptimal, NomadBinpack, NormDiff, PowerOfTwo,
    Repack, RoundRobin, Strategy, WorstFit,
};
use crate::error::{Error, Result};

/// What kind of strategy an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Decides one task at a time, fast: the incumbents of exact strategies come from these.
    Heuristic,
    /// Improves the best heuristic's placement under a time limit (`local_search`); not run
    /// by the strategies that seed from the heuristics.
    Improvement,
    /// Searches for a proven optimum under a time limit.
    Exact,
}

/// A registered strategy: its name, kind, a one-line summary and its constructor.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The name `compare --strategies` accepts.
    pub name: &'static str,
    /// Heuristic, improvement or exact.
    pub kind: Kind,
    /// One line on what it does.
    pub summary: &'static str,
    /// Builds the strategy with its default configuration.
    pub build: fn() -> Box<dyn Strategy>,
}

static REGISTRY: &[Entry] = &[
    Entry {
        name: "round_robin",
        kind: Kind::Heuristic,
        summary: "nodes in turn, skipping nodes the task does not fit",
        build: || Box::new(RoundRobin),
    },
    Entry {
        name: "least_connections",
        kind: Kind::Heuristic,
        summary: "the fitting node with the fewest tasks",
        build: || Box::new(LeastConnections),
    },
    Entry {
        name: "least_time",
        kind: Kind::Heuristic,
        summary: "the fitting node whose placed work would finish first",
        build: || Box::new(LeastTime),
    },
    Entry {
        name: "best_fit",
        kind: Kind::Heuristic,
        summary: "the fitting node fullest after placement (kube-scheduler MostAllocated)",
        build: || Box::new(BestFit::new()),
    },
    Entry {
        name: "worst_fit",
        kind: Kind::Heuristic,
        summary: "the fitting node emptiest after placement (kube-scheduler LeastAllocated)",
        build: || Box::new(WorstFit::new()),
    },
    Entry {
        name: "balanced",
        kind: Kind::Heuristic,
        summary: "the fitting node whose resources end up most evenly used (BalancedAllocation)",
        build: || Box::new(Balanced),
    },
    Entry {
        name: "nomad_binpack",
        kind: Kind::Heuristic,
        summary: "the fitting node with the best Nomad ScoreFitBinPack (20 - sum 10^free)",
        build: || Box::new(NomadBinpack::new()),
    },
    Entry {
        name: "first_fit",
        kind: Kind::Heuristic,
        summary: "tasks in arrival order, each on the first node it fits",
        build: || Box::new(FirstFit),
    },
    Entry {
        name: "first_fit_decreasing",
        kind: Kind::Heuristic,
        summary: "tasks largest first (sum of demand fractions), each on the first node it fits",
        build: || Box::new(FirstFitDecreasing::new()),
    },
    Entry {
        name: "best_fit_decreasing",
        kind: Kind::Heuristic,
        summary: "tasks largest first, each on the fitting node fullest after placement",
        build: || Box::new(BestFitDecreasing::new()),
    },
    Entry {
        name: "dot_product",
        kind: Kind::Heuristic,
        summary: "node by node, the task best aligned with the free capacity (Tetris)",
        build: || Box::new(DotProduct::new()),
    },
    Entry {
        name: "norm_diff",
        kind: Kind::Heuristic,
        summary: "node by node, the task leaving the smallest L2 norm free (Panigrahy et al.)",
        build: || Box::new(NormDiff::new()),
    },
    Entry {
        name: "power_of_two",
        kind: Kind::Heuristic,
        summary: "two fitting nodes drawn with the seed, the less loaded taken",
        build: || Box::new(PowerOfTwo::new()),
    },
    Entry {
        name: "drf",
        kind: Kind::Heuristic,
        summary: "the tenant with the lowest dominant share next, placed by best fit (DRF)",
        build: || Box::new(Drf::new()),
    },
    Entry {
        name: "repack",
        kind: Kind::Heuristic,
        summary: "the best offline packing, consolidated with a small fixed budget",
        build: || Box::new(Repack),
    },
    Entry {
        name: "local_search",
        kind: Kind::Improvement,
        summary: "the best heuristic, improved by emptying nodes (ruin and recreate, tabu)",
        build: || Box::new(LocalSearch),
    },
    Entry {
        name: "lp_optimal",
        kind: Kind::Exact,
        summary: "exact: column generation bound and branch and bound, seeded with the best heuristic",
        build: || Box::new(LpOptimal),
    },
];

/// Every registered strategy, in a fixed order (heuristics first, then improvement, then exact).
pub fn registry() -> &'static [Entry] {
    REGISTRY
}

/// The registered names.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}

/// The strategy registered under `name`, or [`Error::UnknownStrategy`].
///
/// ```
/// let s = packsched::strategy::by_name("round_robin")?;
/// assert_eq!(s.name(), "round_robin");
/// assert!(packsched::strategy::by_name("round_robbin").is_err());
/// # Ok::<_, packsched::Error>(())
/// ```
pub fn by_name(name: &str) -> Result<Box<dyn Strategy>> {
    REGISTRY
        .iter()
        .find(|e| e.name == name)
        .map(|e| (e.build)())
        .ok_or_else(|| Error::UnknownStrategy {
            name: name.to_string(),
            known: names().join(", "),
        })
}

/// Strategies from a comma-separated list of names, or every registered one for `all`.
/// Duplicates are kept once, in first-mention order.
pub fn parse_list(list: &str) -> Result<Vec<Box<dyn Strategy>>> {
    if list.trim() == "all" {
        return Ok(REGISTRY.iter().map(|e| (e.build)()).collect());
    }
    let mut seen: Vec<&str> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen.into_iter().map(by_name).collect()
}
