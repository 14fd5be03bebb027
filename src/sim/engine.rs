//! The event loop: the clock jumps from one instant to the next at which something happens
//! (a completion, a node event, an arrival), handles everything at that instant in a fixed
//! order (see [`events`](super::events)), then runs one scheduling round if anything changed
//! that could let a waiting task start.

use super::Config;
use super::backfill::Planner;
use super::events::{Change, Completion, Completions, NodeEvent};
use super::fitindex::FitIndex;
use super::metrics::Metrics;
use super::queue::{QueuePolicy, ReadyQueue};
use super::registry::NodeRegistry;
use super::running::Running;
use crate::model::Problem;
use crate::state::State;
use crate::strategy::Selector;

/// Events between two progress reports.
const PROGRESS_EVERY: u64 = 1 << 16;

/// Per task: where it stands and what it has waited. One record of 64 bytes per task, so that
/// handling a task's event touches one cache line of it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Task {
    /// When it last joined the line.
    pub ready_at: f64,
    /// Time waited so far, over all its spells in line.
    pub wait: f64,
    /// When it last started.
    pub started_at: f64,
    /// The capacity version at which it was last tried as a backfill candidate and fit nowhere.
    pub tried_at: u64,
    /// Place in line, given when it first becomes ready.
    pub seq: u32,
    /// Dependencies not yet completed.
    pub deps_left: u32,
    /// Bumped when it is evicted, so that its pending completion turns stale.
    pub generation: u32,
    /// How many times it started.
    pub starts: u32,
    /// The registry version at which it was last seen to fit some node that is up.
    pub fits_at: u32,
    /// Its dependents: `dependents[first..end]` of the engine.
    pub dependents: (u32, u32),
    /// Whether its arrival time has come.
    pub arrived: bool,
    /// Whether it completed.
    pub done: bool,
}

/// The task records and the flat list of dependents they index.
fn tasks(problem: &Problem) -> (Vec<Task>, Vec<u32>) {
    let w = problem.workload();
    let n = problem.tasks();
    let mut count = vec![0u32; n + 1];
    for t in 0..n {
        for &d in w.dependencies(t) {
            count[d + 1] += 1;
        }
    }
    for t in 0..n {
        count[t + 1] += count[t];
    }
    let mut dependents = vec![0u32; count[n] as usize];
    let mut fill = count.clone();
    for t in 0..n {
        for &d in w.dependencies(t) {
            dependents[fill[d] as usize] = t as u32;
            fill[d] += 1;
        }
    }
    let records = (0..n)
        .map(|t| Task {
            ready_at: 0.0,
            wait: 0.0,
            started_at: 0.0,
            tried_at: u64::MAX,
            seq: u32::MAX,
            deps_left: w.dependencies(t).len() as u32,
            generation: 0,
            starts: 0,
            fits_at: u32::MAX,
            dependents: (count[t], count[t + 1]),
            arrived: false,
            done: false,
        })
        .collect();
    (records, dependents)
}

/// One run of a task on a node, kept when a trace is asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    /// The task.
    pub task: usize,
    /// The node.
    pub node: usize,
    /// When it started.
    pub start: f64,
    /// When it stopped: completed, or evicted.
    pub end: f64,
    /// Whether it ran to completion.
    pub completed: bool,
}

/// The reservation each blocked head got first under backfill, kept with a trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reserved {
    /// The head of the queue.
    pub task: usize,
    /// When it was made.
    pub at: f64,
    /// The time the head is guaranteed to start by.
    pub time: f64,
    /// The node held for it.
    pub node: usize,
}

/// Everything one simulation run holds.
pub(super) struct Engine<'a> {
    pub problem: &'a Problem,
    pub config: &'a Config,
    pub state: State<'a>,
    pub selector: Box<dyn Selector>,
    pub registry: NodeRegistry,
    pub index: FitIndex,
    /// The tasks on each node, kept for preemption only.
    pub running: Option<Running>,
    pub queue: ReadyQueue,
    pub completions: Completions,
    pub tasks: Vec<Task>,
    pub dependents: Vec<u32>,
    pub arrivals: Vec<u32>,
    pub next_arrival: usize,
    pub events: &'a [NodeEvent],
    pub next_event: usize,
    pub parked: Vec<usize>,
    pub now: f64,
    pub next_seq: u32,
    pub metrics: Metrics,
    pub planner: Planner,
    pub min_priority: i64,
    /// Capacity freed since the last round (a completion, an eviction, a join).
    pub freed: bool,
    /// Bumped whenever capacity is freed.
    pub capacity_version: u64,
    /// Tasks joined the line since the last round.
    pub new_ready: bool,
    /// The head that could not start in the last round.
    pub blocked_head: Option<usize>,
    pub fitting: Vec<usize>,
    /// A demand row copied out, when the workload's rows are not contiguous.
    pub demand: Vec<f64>,
    pub candidates: Vec<usize>,
    pub victims: Vec<usize>,
    pub completed: usize,
    pub requeued: u64,
    pub preempted: u64,
    pub processed: u64,
    pub makespan: f64,
    pub runs: Option<Vec<Run>>,
    pub reserved: Option<Vec<Reserved>>,
}

impl<'a> Engine<'a> {
    /// A run of `selector` over a problem and its node events, nothing started yet.
    pub fn new(
        problem: &'a Problem,
        events: &'a [NodeEvent],
        config: &'a Config,
        selector: Box<dyn Selector>,
    ) -> Self {
        let state = State::new(problem);
        let w = problem.workload();
        let (tasks, dependents) = tasks(problem);
        let mut arrivals: Vec<u32> = (0..problem.tasks() as u32).collect();
        arrivals.sort_by(|&a, &b| {
            w.arrival(a as usize)
                .total_cmp(&w.arrival(b as usize))
                .then(a.cmp(&b))
        });
        let trace = config.trace;
        Self {
            registry: NodeRegistry::new(&state),
            index: FitIndex::new(&state),
            running: config
                .preemption
                .then(|| Running::new(problem.nodes(), problem.tasks())),
            queue: ReadyQueue::new(problem.tasks(), config.queue),
            completions: Completions::default(),
            tasks,
            metrics: Metrics::new(&state, config.series_points),
            planner: Planner::new(&state),
            min_priority: (0..problem.tasks())
                .map(|t| w.priority(t))
                .min()
                .unwrap_or(0),
            state,
            problem,
            config,
            selector,
            dependents,
            arrivals,
            next_arrival: 0,
            events,
            next_event: 0,
            parked: Vec::new(),
            now: 0.0,
            next_seq: 0,
            freed: false,
            capacity_version: 0,
            new_ready: false,
            blocked_head: None,
            fitting: Vec::new(),
            demand: Vec::new(),
            candidates: Vec::new(),
            victims: Vec::new(),
            completed: 0,
            requeued: 0,
            preempted: 0,
            processed: 0,
            makespan: 0.0,
            runs: trace.then(Vec::new),
            reserved: (trace && config.queue == QueuePolicy::Backfill).then(Vec::new),
        }
    }

    /// Runs until nothing is left to happen. `progress` is told, now and then, how many more
    /// tasks completed, and at the end how many tasks remain, so that its counts add up to the
    /// tasks.
    pub fn run(&mut self, progress: &dyn Fn(u64)) {
        let (mut told, mut next_report) = (0, PROGRESS_EVERY);
        while let Some(time) = self.next_time() {
            let waiting = self.waiting();
            let (from, capacity) = (self.now, self.registry.up_capacity());
            self.metrics.advance(from, time, capacity, waiting);
            self.now = time;
            self.complete_due();
            self.node_events_due();
            self.arrivals_due();
            if self.round_needed() {
                self.schedule();
            }
            self.metrics.waiting(self.waiting());
            if self.processed >= next_report {
                progress(self.completed as u64 - told);
                told = self.completed as u64;
                next_report += PROGRESS_EVERY;
            }
        }
        progress(self.problem.tasks() as u64 - told);
    }

    /// Tasks waiting: in line, or set aside until a node they fit joins.
    pub fn waiting(&self) -> usize {
        self.queue.len() + self.parked.len()
    }

    fn live(&self, c: &Completion) -> bool {
        self.tasks[c.task as usize].generation == c.generation
    }

    /// The next instant at which something happens.
    fn next_time(&mut self) -> Option<f64> {
        while let Some(c) = self.completions.peek() {
            if self.live(&c) {
                break;
            }
            self.completions.pop(false);
        }
        let completion = self.completions.peek().map(|c| c.time());
        let arrival = self
            .arrivals
            .get(self.next_arrival)
            .map(|&t| self.problem.workload().arrival(t as usize));
        let event = self.events.get(self.next_event).map(|e| e.time);
        [completion, arrival, event]
            .into_iter()
            .flatten()
            .min_by(f64::total_cmp)
    }

    fn complete_due(&mut self) {
        while let Some(c) = self.completions.peek() {
            if c.time() != self.now {
                return;
            }
            let live = self.live(&c);
            self.completions.pop(live);
            if let Some(next) = self.completions.peek() {
                self.warm(next.task as usize);
            }
            if live {
                self.complete(c.task as usize);
            }
        }
    }

    /// Reads what the completion of `task` will touch, so that its cache misses overlap with
    /// the work in between: completions come in random task order, and these reads are most of
    /// a completion's cost on large runs.
    fn warm(&self, task: usize) {
        let record = self.tasks[task].generation;
        let node = self.state.assignment()[task];
        let demand = self.problem.demand(task)[0];
        let duration = self.problem.workload().duration(task);
        std::hint::black_box((record, node, demand, duration));
    }

    fn complete(&mut self, task: usize) {
        self.processed += 1;
        let node = self.stop(task);
        self.record_run(task, node, true);
        self.tasks[task].done = true;
        self.completed += 1;
        self.makespan = self.now;
        self.metrics.completed(self.tasks[task].wait);
        let (first, end) = self.tasks[task].dependents;
        for i in first..end {
            let next = self.dependents[i as usize] as usize;
            let record = &mut self.tasks[next];
            record.deps_left -= 1;
            if record.deps_left == 0 && record.arrived {
                self.make_ready(next);
            }
        }
    }

    fn node_events_due(&mut self) {
        while let Some(event) = self.events.get(self.next_event) {
            if event.time != self.now {
                return;
            }
            self.next_event += 1;
            self.processed += 1;
            match &event.change {
                Change::Fail { node } => self.fail(*node),
                Change::Join { name, capacity } => self.join(name.clone(), capacity),
            }
        }
    }

    fn fail(&mut self, node: usize) {
        let evicted = self.registry.leave(&mut self.state, node, self.now);
        for task in evicted {
            self.evicted(task, node);
            self.enqueue(task, true);
            self.requeued += 1;
        }
        self.node_changed(node);
        if self.planner.reservation().is_some_and(|r| r.node == node) {
            self.planner.clear();
        }
    }

    fn join(&mut self, name: String, capacity: &[f64]) {
        let node = self
            .registry
            .register(&mut self.state, name, capacity, self.now);
        if let Some(running) = &mut self.running {
            running.add_node();
        }
        self.planner.add_node(&self.state);
        self.node_changed(node);
        for task in std::mem::take(&mut self.parked) {
            self.enqueue(task, false);
        }
        self.freed = true;
        self.capacity_version += 1;
        self.planner.clear();
    }

    /// Keeps a task's run in the trace, if one is kept.
    pub fn record_run(&mut self, task: usize, node: usize, completed: bool) {
        if let Some(runs) = &mut self.runs {
            runs.push(Run {
                task,
                node,
                start: self.tasks[task].started_at,
                end: self.now,
                completed,
            });
        }
    }

    /// Tells the fit index and the metrics that a node's free capacity changed.
    pub fn refresh(&mut self, node: usize) {
        self.index.update(&self.state, node);
        self.metrics.node_changed(&self.state, node);
    }

    /// Tells the index, the metrics and the selector that a node joined, failed, or was
    /// cordoned or uncordoned.
    pub fn node_changed(&mut self, node: usize) {
        self.refresh(node);
        self.selector.node_changed(&self.state, node);
    }

    fn arrivals_due(&mut self) {
        while let Some(&task) = self.arrivals.get(self.next_arrival) {
            let task = task as usize;
            if self.problem.workload().arrival(task) != self.now {
                return;
            }
            self.next_arrival += 1;
            self.processed += 1;
            self.tasks[task].arrived = true;
            if self.tasks[task].deps_left == 0 {
                self.make_ready(task);
            }
        }
    }

    /// A task whose arrival has come and whose dependencies completed joins the line.
    fn make_ready(&mut self, task: usize) {
        self.tasks[task].seq = self.next_seq;
        self.next_seq += 1;
        self.enqueue(task, true);
    }

    /// Puts a task in line with the place it got when it first became ready; `restart` starts
    /// a new spell of waiting now (a first arrival, a requeue), otherwise the spell goes on
    /// (a task set aside and brought back).
    pub fn enqueue(&mut self, task: usize, restart: bool) {
        if restart {
            self.tasks[task].ready_at = self.now;
        }
        let priority = self.problem.workload().priority(task);
        self.queue.push(task, priority, self.tasks[task].seq);
        self.new_ready = true;
    }

    /// Whether a scheduling round could start anything: capacity was freed, the head changed,
    /// or (backfill) new tasks could pass the head.
    fn round_needed(&mut self) -> bool {
        let head = self.queue.head();
        let needed = head.is_some()
            && (self.freed
                || head != self.blocked_head
                || (self.new_ready && self.config.queue == QueuePolicy::Backfill));
        self.freed = false;
        self.new_ready = false;
        needed
    }
}
