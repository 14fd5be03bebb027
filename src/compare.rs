//! Runs strategies side by side on one problem and summarises their answers.

use crate::bounds::lower_bound;
use crate::error::Result;
use crate::model::Problem;
use crate::placement::{Placement, Status, Unplaced};
use crate::stranded::{stranded, stranded_fraction};
use crate::strategy::{Options, Strategy};
use ndarray::Array1;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// One strategy's answer and how long it took.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The strategy's name.
    pub name: String,
    /// Its placement.
    pub placement: Placement,
    /// Wall-clock decision time, seconds.
    pub seconds: f64,
}

/// Every strategy's answer on one problem, with the problem's lower bound.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The fewest nodes any placement of every placeable task needs ([`lower_bound`]).
    pub lower_bound: usize,
    /// One outcome per strategy, in the order given.
    pub outcomes: Vec<Outcome>,
}

/// Runs each strategy on `problem` (in parallel, with rayon) and times it.
///
/// Errors: the first strategy error, if any (a bad strategy option).
pub fn compare(
    problem: &Problem,
    strategies: &[Box<dyn Strategy>],
    options: &Options,
) -> Result<Comparison> {
    let outcomes = strategies
        .par_iter()
        .map(|strategy| {
            let started = Instant::now();
            let placement = strategy.place(problem, options)?;
            Ok(Outcome {
                name: strategy.name().to_string(),
                placement,
                seconds: started.elapsed().as_secs_f64(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Comparison {
        lower_bound: lower_bound(problem),
        outcomes,
    })
}

/// The figures of one outcome, as the compare report prints them. Field names and meanings
/// are a stable contract: fields may be added, never renamed or redefined.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The strategy's name.
    pub name: String,
    /// For every task its node index, or `null`.
    pub assignment: Vec<Option<usize>>,
    /// Nodes with at least one task.
    pub nodes_used: usize,
    /// Tasks left unplaced.
    pub unplaced: usize,
    /// Wall-clock decision time, seconds.
    pub seconds: f64,
    /// `heuristic`, `optimal`, `feasible` or `fallback`.
    pub status: Status,
    /// The proven lower bound the strategy reports, if any.
    pub bound: Option<usize>,
    /// `nodes_used - bound` when the strategy reports a bound: 0 when proven optimal, else
    /// the most nodes a better placement could save.
    pub gap: Option<usize>,
    /// A remark from the strategy (why it fell back, what proved it).
    pub note: Option<String>,
    /// Mean over used nodes of a node's utilization (its mean over resources with capacity).
    pub mean_utilization: f64,
    /// Max over used nodes of a node's utilization.
    pub max_utilization: f64,
    /// Per resource: used / capacity summed over the used nodes.
    pub utilization: BTreeMap<String, f64>,
    /// Why each unplaced task was not placed.
    pub reasons: Vec<Unplaced>,
    /// Per resource: free capacity on used nodes that no task can use because another resource
    /// of the node is exhausted ([`crate::stranded`]), in the resource's units.
    pub stranded: BTreeMap<String, f64>,
    /// Per resource: `stranded` as a fraction of the used nodes' capacity.
    pub stranded_fraction: BTreeMap<String, f64>,
}

impl Summary {
    /// The figures of `outcome` on `problem`.
    pub fn new(problem: &Problem, outcome: &Outcome) -> Self {
        let p = &outcome.placement;
        let capacity = problem.cluster().capacity();
        let load = p.load(problem);
        let mut used = vec![false; problem.nodes()];
        for &n in p.assignment.iter().flatten() {
            used[n] = true;
        }
        let used_nodes: Vec<usize> = (0..problem.nodes()).filter(|&n| used[n]).collect();
        let node_util: Vec<f64> = used_nodes
            .iter()
            .map(|&n| mean_ratio(load.row(n).iter(), capacity.row(n).iter()))
            .collect();
        let utilization = problem
            .resources()
            .names()
            .iter()
            .enumerate()
            .map(|(r, name)| {
                let l: f64 = used_nodes.iter().map(|&n| load[[n, r]]).sum();
                let c: f64 = used_nodes.iter().map(|&n| capacity[[n, r]]).sum();
                (name.clone(), if c > 0.0 { l / c } else { 0.0 })
            })
            .collect();
        Self {
            name: outcome.name.clone(),
            assignment: p.assignment.clone(),
            nodes_used: used_nodes.len(),
            unplaced: p.unplaced.len(),
            seconds: outcome.seconds,
            status: p.status,
            bound: p.bound,
            gap: p.bound.map(|b| used_nodes.len().saturating_sub(b)),
            note: p.note.clone(),
            mean_utilization: mean(&node_util),
            max_utilization: node_util.iter().copied().fold(0.0, f64::max),
            utilization,
            reasons: p.unplaced.clone(),
            stranded: by_name(problem, stranded(problem, p)),
            stranded_fraction: by_name(problem, stranded_fraction(problem, p)),
        }
    }
}

/// Per-resource values keyed by resource name.
fn by_name(problem: &Problem, values: Array1<f64>) -> BTreeMap<String, f64> {
    problem
        .resources()
        .names()
        .iter()
        .cloned()
        .zip(values)
        .collect()
}

/// The mean of load / capacity over the resources with capacity.
fn mean_ratio<'a>(
    load: impl Iterator<Item = &'a f64>,
    capacity: impl Iterator<Item = &'a f64>,
) -> f64 {
    let ratios: Vec<f64> = load
        .zip(capacity)
        .filter(|(_, c)| **c > 0.0)
        .map(|(l, c)| l / c)
        .collect();
    mean(&ratios)
}

/// `cpu 1.2% memory 0.0%`: per-resource fractions as percentages.
pub fn percentages(fractions: &BTreeMap<String, f64>) -> String {
    fractions
        .iter()
        .map(|(name, f)| format!("{name} {:.1}%", 100.0 * f))
        .collect::<Vec<_>>()
        .join(" ")
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// The compare report: the lower bound and one summary per strategy.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The fewest nodes any placement of every placeable task needs.
    pub lower_bound: usize,
    /// One summary per strategy.
    pub strategies: Vec<Summary>,
}

impl Report {
    /// The report of a comparison.
    pub fn new(problem: &Problem, comparison: &Comparison) -> Self {
        Self {
            lower_bound: comparison.lower_bound,
            strategies: comparison
                .outcomes
                .iter()
                .map(|o| Summary::new(problem, o))
                .collect(),
        }
    }

    /// The report as JSON (the scripting contract).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises")
    }

    /// The report as a text table.
    pub fn to_table(&self) -> String {
        let mut out = format!(
            "{:<22} {:>6} {:>9} {:>10} {:>9} {:>10} {:>10}  {}\n",
            "strategy",
            "nodes",
            "unplaced",
            "util mean",
            "util max",
            "status",
            "seconds",
            "stranded (of used capacity)"
        );
        for s in &self.strategies {
            out += &format!(
                "{:<22} {:>6} {:>9} {:>9.1}% {:>8.1}% {:>10} {:>10.6}  {}\n",
                s.name,
                s.nodes_used,
                s.unplaced,
                100.0 * s.mean_utilization,
                100.0 * s.max_utilization,
                s.status.as_str(),
                s.seconds,
                percentages(&s.stranded_fraction)
            );
        }
        out
    }
}
