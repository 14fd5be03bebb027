//! A deterministic discrete-event simulator that drives any per-task placement strategy
//! through time.
//!
//! Tasks arrive at their `arrival` time (0 without one), become ready once every task they
//! depend on has completed, wait in a queue, start on the node the strategy picks, hold their
//! demand for their `duration` (1 s without one), then release it. Nodes fail (their tasks go
//! back in line, counted as requeued) and join (offered to the strategy from then on) as the
//! node events say. The run ends when nothing is left to happen; every task is then either
//! completed or reported unfinished with the reason.
//!
//! ```
//! use ndarray::array;
//! use packsched::prelude::*;
//! use packsched::sim::{Change, NodeEvent, QueuePolicy, Simulator};
//!
//! let r = Resources::new(["cpu"])?;
//! let cluster = Cluster::new(r.clone(), array![[4.0], [4.0]])?;
//! let workload = Workload::new(r, array![[4.0], [4.0], [2.0]])?
//!     .with_duration(vec![10.0, 10.0, 5.0])?;
//! let problem = Problem::new(cluster, workload)?;
//! // Node 1 fails at t=2: task 1 goes back in line and restarts on node 0 when task 0 ends.
//! let events = vec![NodeEvent { time: 2.0, change: Change::Fail { node: 1 } }];
//! let sim = Simulator::builder(&problem).events(events).queue(QueuePolicy::Fifo).build()?;
//! let report = sim.run(strategy::by_name("round_robin")?.as_ref())?;
//! assert_eq!((report.completed, report.requeued, report.makespan), (3, 1, 25.0));
//! // Task 1 waited 2..10 after its eviction; task 2 waited 0..20 for a node with room.
//! assert_eq!((report.wait.p50, report.wait.max), (8.0, 20.0));
//! # Ok::<_, packsched::Error>(())
//! ```
//!
//! ## Design
//! - Time: completions sit in a min-heap keyed by (time, task); arrivals and node events are
//!   read from sorted lists. Events at one instant run in a fixed order (completions by task
//!   index, node events in list order, arrivals by task index), then one scheduling round, so
//!   runs are deterministic. Memory follows nodes and tasks, not time.
//! - Queue policies ([`QueuePolicy`]): `fifo`, `priority`, `backfill` (EASY, as Slurm).
//!   Optional preemption as kube-scheduler's ([`SimulatorBuilder::preemption`]).
//! - Nodes: a [`NodeRegistry`] that nodes register with and leave.
//! - Speed: a round runs only when capacity was freed or the line changed; a fit index over
//!   nodes lists the nodes a task fits, and the strategy chooses among them
//!   ([`Selector::select_among`]), so a full cluster costs
//!   O(log nodes) per attempt, not O(nodes). No allocation per event.
//! - Batch-only strategies (those without a per-task [`Selector`], such as `lp_optimal`) are
//!   not simulated: [`Error::BatchOnly`]. A MILP solved per round under a time limit would make
//!   runs depend on the machine's speed, and the simulator promises the same result for the
//!   same input.

mod backfill;
mod engine;
pub(crate) mod events;
mod fitindex;
mod generate;
mod heap;
mod metrics;
mod pass;
mod preempt;
mod queue;
mod registry;
mod report;
mod running;
mod series;

pub use engine::{Reserved, Run};
pub use events::{Change, NodeEvent, validate};
pub use generate::WorkloadSpec;
pub use queue::QueuePolicy;
pub use registry::NodeRegistry;
pub use report::{SimReport, Unfinished, WaitStats, Why, table};
pub use series::Series;

use crate::error::{Error, Result};
use crate::model::Problem;
use crate::strategy::{Options, Selector, Strategy};
use engine::Engine;
use rayon::prelude::*;
use std::sync::Arc;
use std::time::Instant;

/// Told how many more tasks are done (completed, or at the end, left unfinished); the counts of
/// one run add up to its tasks. Shared by parallel runs.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// The simulator's settings.
#[derive(Clone)]
pub struct Config {
    /// The queue policy.
    pub queue: QueuePolicy,
    /// Whether a blocked head may preempt lower priorities.
    pub preemption: bool,
    /// How many tasks behind the head backfilling may start per round.
    pub backfill_depth: usize,
    /// The strategies' options (seed).
    pub options: Options,
    /// Buckets in each report's series.
    pub series_points: usize,
    /// Whether runs keep a trace (one record per task start).
    pub trace: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            queue: QueuePolicy::Fifo,
            preemption: false,
            backfill_depth: 100,
            options: Options::default(),
            series_points: 200,
            trace: false,
        }
    }
}

/// Builds a [`Simulator`]: the problem, its node events and the settings.
pub struct SimulatorBuilder<'p> {
    problem: &'p Problem,
    events: Vec<NodeEvent>,
    config: Config,
    progress: Option<Progress>,
}

impl<'p> SimulatorBuilder<'p> {
    /// Node failures and joins (any order; sorted by time, ties kept in order).
    pub fn events(mut self, events: Vec<NodeEvent>) -> Self {
        self.events = events;
        self
    }

    /// The queue policy (default `fifo`).
    pub fn queue(mut self, queue: QueuePolicy) -> Self {
        self.config.queue = queue;
        self
    }

    /// Whether a blocked head may evict lower-priority tasks (default off).
    pub fn preemption(mut self, on: bool) -> Self {
        self.config.preemption = on;
        self
    }

    /// How many tasks behind the head backfilling may consider per round (default 100, as
    /// Slurm's `bf_max_job_test` bounds its backfill cycle).
    pub fn backfill_depth(mut self, depth: usize) -> Self {
        self.config.backfill_depth = depth;
        self
    }

    /// The strategies' options (their seed).
    pub fn options(mut self, options: Options) -> Self {
        self.config.options = options;
        self
    }

    /// Buckets in the reports' series (default 200).
    pub fn series_points(mut self, points: usize) -> Self {
        self.config.series_points = points;
        self
    }

    /// Whether runs keep a trace for [`Simulator::run_traced`] (default off).
    pub fn trace(mut self, on: bool) -> Self {
        self.config.trace = on;
        self
    }

    /// Progress reports, for a progress bar.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Checks the events against the problem and builds the simulator.
    ///
    /// Errors: a node event with a bad time or capacity, a failure of a node that is not up
    /// ([`validate`]). (A dependency cycle is rejected earlier, when the workload is made:
    /// [`Workload::with_dependencies`](crate::Workload::with_dependencies).)
    pub fn build(mut self) -> Result<Simulator<'p>> {
        self.events.sort_by(|a, b| a.time.total_cmp(&b.time));
        validate(&self.events, self.problem)?;
        Ok(Simulator {
            problem: self.problem,
            events: self.events,
            config: self.config,
            progress: self.progress,
        })
    }
}

/// A simulation set up for one problem: run it with one strategy or several.
pub struct Simulator<'p> {
    problem: &'p Problem,
    events: Vec<NodeEvent>,
    config: Config,
    progress: Option<Progress>,
}

/// A run's trace: every run of a task on a node and, under backfill, every reservation made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// One record per start, in the order the runs ended.
    pub runs: Vec<Run>,
    /// The reservations, in the order they were made.
    pub reserved: Vec<Reserved>,
}

impl<'p> Simulator<'p> {
    /// A builder for a simulation of `problem`.
    pub fn builder(problem: &'p Problem) -> SimulatorBuilder<'p> {
        SimulatorBuilder {
            problem,
            events: Vec::new(),
            config: Config::default(),
            progress: None,
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The node events, sorted by time.
    pub fn events(&self) -> &[NodeEvent] {
        &self.events
    }

    /// Whether `strategy` decides one task at a time, as the simulator needs.
    pub fn supports(&self, strategy: &dyn Strategy) -> bool {
        self.selector(strategy).is_ok()
    }

    fn selector(&self, strategy: &dyn Strategy) -> Result<Box<dyn Selector>> {
        strategy
            .selector(self.problem, &self.config.options)
            .ok_or_else(|| Error::BatchOnly {
                strategy: strategy.name().to_string(),
            })
    }

    /// Simulates one strategy. Errors: [`Error::BatchOnly`] for a strategy without a per-task
    /// rule.
    pub fn run(&self, strategy: &dyn Strategy) -> Result<SimReport> {
        self.run_traced(strategy).map(|(report, _)| report)
    }

    /// Simulates one strategy and returns its trace too (empty unless the builder asked for
    /// one).
    pub fn run_traced(&self, strategy: &dyn Strategy) -> Result<(SimReport, Trace)> {
        let selector = self.selector(strategy)?;
        let started = Instant::now();
        let mut engine = Engine::new(self.problem, &self.events, &self.config, selector);
        let quiet = |_| {};
        match &self.progress {
            Some(progress) => engine.run(progress.as_ref()),
            None => engine.run(&quiet),
        }
        let report = engine.report(strategy.name(), started.elapsed().as_secs_f64());
        let trace = Trace {
            runs: engine.runs.take().unwrap_or_default(),
            reserved: engine.reserved.take().unwrap_or_default(),
        };
        Ok((report, trace))
    }

    /// Simulates several strategies in parallel (rayon); reports in the order given.
    pub fn run_all(&self, strategies: &[Box<dyn Strategy>]) -> Result<Vec<SimReport>> {
        strategies
            .par_iter()
            .map(|s| self.run(s.as_ref()))
            .collect()
    }
}
