//! What a simulation reports, per strategy and queue policy.

use super::engine::Engine;
use super::metrics::percentile;
use super::queue::QueuePolicy;
use super::series::Series;
use crate::placement::Reason;
use serde::Serialize;
use std::collections::BTreeMap;

/// Wait times of the completed tasks, seconds: the time each spent ready but not running
/// (summed over its spells in line when it was requeued).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaitStats {
    /// The mean.
    pub mean: f64,
    /// The median (nearest rank).
    pub p50: f64,
    /// The 95th percentile (nearest rank).
    pub p95: f64,
    /// The 99th percentile (nearest rank).
    pub p99: f64,
    /// The longest.
    pub max: f64,
}

impl WaitStats {
    /// The statistics of some waits.
    pub fn of(waits: &[f64]) -> Self {
        let mut sorted = waits.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len().max(1) as f64;
        Self {
            mean: sorted.iter().sum::<f64>() / n,
            p50: percentile(&sorted, 50.0),
            p95: percentile(&sorted, 95.0),
            p99: percentile(&sorted, 99.0),
            max: sorted.last().copied().unwrap_or(0.0),
        }
    }
}

/// Why a task did not complete.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Why {
    /// It fits no node that is up: the reason, with the data, at the end of the run.
    Placement {
        /// Why it fits nowhere.
        reason: Reason,
    },
    /// A task it depends on never completed.
    Dependency {
        /// That task.
        dependency: usize,
    },
    /// It fits some node, but the strategy chose none.
    Declined,
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Why::Placement { reason } => write!(f, "{reason}"),
            Why::Dependency { dependency } => {
                write!(f, "depends on task {dependency}, which never completed")
            }
            Why::Declined => write!(f, "fits a node, but the strategy chose none"),
        }
    }
}

/// A task that did not complete.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unfinished {
    /// The task.
    pub task: usize,
    /// How many times it started (0: never placed; more: evicted and never placed again).
    pub started: u32,
    /// Why.
    #[serde(flatten)]
    pub why: Why,
}

/// One strategy's simulation under one queue policy. Every figure except `seconds` is the same
/// for the same input on any machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimReport {
    /// The strategy.
    pub strategy: String,
    /// The queue policy.
    pub queue: QueuePolicy,
    /// Whether preemption was on.
    pub preemption: bool,
    /// Tasks in the workload: `completed + unfinished`.
    pub tasks: usize,
    /// Tasks that ran to completion.
    pub completed: usize,
    /// Tasks that did not complete (listed in `reasons`).
    pub unfinished: usize,
    /// Unfinished tasks that never started.
    pub never_placed: usize,
    /// Evictions by node failures (a task evicted twice counts twice).
    pub requeued: u64,
    /// Evictions by preemption.
    pub preempted: u64,
    /// Time of the last completion, seconds from 0.
    pub makespan: f64,
    /// Wait times of the completed tasks.
    pub wait: WaitStats,
    /// Per resource, time-weighted over `[0, makespan]`: used / capacity of the nodes up.
    pub utilization: BTreeMap<String, f64>,
    /// Per resource, time-weighted over `[0, makespan]`: stranded / capacity of the nodes up
    /// (see [`stranded`](crate::stranded)).
    pub stranded: BTreeMap<String, f64>,
    /// Time-weighted mean of the tasks waiting over `[0, makespan]`.
    pub mean_waiting: f64,
    /// The most tasks waiting at once.
    pub peak_waiting: usize,
    /// Events handled: arrivals, completions, node failures and joins.
    pub events: u64,
    /// Wall-clock time of the run, seconds (the only figure that varies between runs).
    pub seconds: f64,
    /// Why each unfinished task did not complete, by task index.
    pub reasons: Vec<Unfinished>,
    /// Utilization and tasks waiting over time.
    pub series: Series,
}

impl SimReport {
    /// Events handled per second of wall-clock time.
    pub fn events_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.events as f64 / self.seconds
        } else {
            0.0
        }
    }
}

impl Engine<'_> {
    /// The report of a finished run.
    pub(super) fn report(&self, strategy: &str, seconds: f64) -> SimReport {
        let names = self.problem.resources().names();
        let at = self.metrics.at_makespan();
        let ratio = |num: &[f64]| -> BTreeMap<String, f64> {
            names
                .iter()
                .enumerate()
                .map(|(r, name)| {
                    let c = at.capacity[r];
                    (name.clone(), if c > 0.0 { num[r] / c } else { 0.0 })
                })
                .collect()
        };
        // The same reasons as the state's, without a pass over the nodes for each.
        let mut cache = crate::unfit::Reasons::new();
        let reasons: Vec<Unfinished> = (0..self.problem.tasks())
            .filter(|&t| !self.tasks[t].done)
            .map(|task| Unfinished {
                task,
                started: self.tasks[task].starts,
                why: self.why(task, &mut cache),
            })
            .collect();
        SimReport {
            strategy: strategy.to_string(),
            queue: self.config.queue,
            preemption: self.config.preemption,
            tasks: self.problem.tasks(),
            completed: self.completed,
            unfinished: reasons.len(),
            never_placed: reasons.iter().filter(|u| u.started == 0).count(),
            requeued: self.requeued,
            preempted: self.preempted,
            makespan: self.makespan,
            wait: WaitStats::of(&self.metrics.waits),
            utilization: ratio(&at.used),
            stranded: ratio(&at.stranded),
            mean_waiting: if at.time > 0.0 {
                at.waiting / at.time
            } else {
                0.0
            },
            peak_waiting: self.metrics.peak_waiting,
            events: self.processed,
            seconds,
            reasons,
            series: self.metrics.series(self.makespan),
        }
    }

    fn why(&self, task: usize, cache: &mut crate::unfit::Reasons) -> Why {
        let w = self.problem.workload();
        if let Some(&dependency) = w.dependencies(task).iter().find(|&&d| !self.tasks[d].done) {
            return Why::Dependency { dependency };
        }
        if (0..self.state.nodes()).any(|n| self.state.fits(task, n)) {
            return Why::Declined;
        }
        Why::Placement {
            reason: cache.reason(&self.state, task),
        }
    }
}

/// The reports as a text table: one row per strategy, then utilization and stranded capacity
/// per resource, then the first unfinished tasks of each strategy with the reason.
pub fn table(reports: &[SimReport]) -> String {
    let mut out = format!(
        "{:<20} {:>10} {:>9} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>10} {:>5} {:>9} {:>9}\n",
        "strategy",
        "makespan",
        "wait mean",
        "p50",
        "p95",
        "p99",
        "completed",
        "requeued",
        "preempted",
        "unfinished",
        "never",
        "events",
        "events/s"
    );
    for r in reports {
        out += &format!(
            "{:<20} {:>10.1} {:>9.1} {:>8.1} {:>8.1} {:>8.1} {:>9} {:>8} {:>9} {:>10} {:>5} {:>9} {:>9.3e}\n",
            r.strategy,
            r.makespan,
            r.wait.mean,
            r.wait.p50,
            r.wait.p95,
            r.wait.p99,
            r.completed,
            r.requeued,
            r.preempted,
            r.unfinished,
            r.never_placed,
            r.events,
            r.events_per_second()
        );
    }
    let Some(first) = reports.first() else {
        return out;
    };
    out += &format!("\n{:<20}", "utilization/stranded");
    for name in first.utilization.keys() {
        out += &format!(" {name:>16}");
    }
    out += "\n";
    for r in reports {
        out += &format!("{:<20}", r.strategy);
        for (name, u) in &r.utilization {
            let s = r.stranded.get(name).copied().unwrap_or(0.0);
            out += &format!(" {:>7.1}% / {:>4.1}%", 100.0 * u, 100.0 * s);
        }
        out += "\n";
    }
    for r in reports.iter().filter(|r| r.unfinished > 0) {
        out += &format!("\n{} left {} tasks unfinished:\n", r.strategy, r.unfinished);
        for u in r.reasons.iter().take(5) {
            let when = match u.started {
                0 => "never placed".to_string(),
                n => format!("started {n} times"),
            };
            out += &format!("  task {} ({when}): {}\n", u.task, u.why);
        }
        if r.reasons.len() > 5 {
            out += &format!(
                "  ... and {} more (see --format json)\n",
                r.reasons.len() - 5
            );
        }
    }
    out
}
