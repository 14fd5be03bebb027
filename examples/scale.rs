//! Placement speed and memory at scale: a generated workload of 1,000,000 tasks on 10,000 nodes
//! (by default), placed by each strategy, with placements per second, nodes used and the heap
//! each run took.
//!
//! ```text
//! cargo run --release --example scale -- [--nodes N] [--tasks N] [--strategies a,b,c|all]
//!     [--seed N] [--sample PERCENT] [--format table|json]
//! ```
//! The workload is [`packsched::generate::fleet`]: four machine types, a mix of small services
//! that asks for 85% of the scarcer resource. Each strategy places the whole workload with
//! [`Strategy::place`], except `dot_product` and `norm_diff`, whose batch packing is node by node
//! and quadratic in tasks: for them the per-task rule (the one a simulator calls, and the one the
//! node tree indexes) places the tasks in priority order. `repack` (local search over six
//! offline packings) is left out of `all`; name it to run it. `--sample` sets kube-scheduler's
//! percentageOfNodesToScore for the packing scores.
//!
//! Memory is measured with a counting allocator: the peak of heap bytes in use during the run
//! minus the bytes in use before it (the problem, with its demand and capacity matrices, is
//! already allocated), so it counts the state, the indexes, the order and the placement returned.
//! Bad input: one line on stderr, exit code 2.

mod common;

use common::{Args, Format, fail};
use packsched::prelude::*;
use packsched::strategy::{Kind, greedy, registry};
use serde::Serialize;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const USAGE: &str = "usage: scale [--nodes N] [--tasks N] [--strategies a,b,c|all] [--seed N] \
[--sample PERCENT] [--format table|json]";

/// Strategies whose batch placement is quadratic in tasks: their per-task rule is measured.
const PER_TASK_RULE: [&str; 2] = ["dot_product", "norm_diff"];

/// The system allocator, counting the bytes in use, their peak and the allocations.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's layout is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let now = if new_size >= layout.size() {
            IN_USE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size()
        } else {
            IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed)
                - (layout.size() - new_size)
        };
        PEAK.fetch_max(now, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `dealloc`, and `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One strategy's run.
#[derive(Serialize)]
struct Run {
    name: String,
    /// `batch` (Strategy::place) or `per-task rule` (greedy over the selector).
    mode: &'static str,
    seconds: f64,
    placements_per_second: f64,
    nodes_used: usize,
    unplaced: usize,
    /// Peak heap in use during the run, above what was in use before it.
    peak_heap_bytes: usize,
    /// `peak_heap_bytes / (tasks + nodes)`: the target is at most 64.
    bytes_per_task_and_node: f64,
    /// Heap allocations during the run (none per placement: a handful in all).
    allocations: usize,
}

#[derive(Serialize)]
struct Report {
    nodes: usize,
    tasks: usize,
    seed: u64,
    /// Megabytes of the demand and capacity matrices (not counted in the runs).
    matrices_mb: f64,
    runs: Vec<Run>,
}

fn main() {
    let args = Args::parse(
        &[
            "--nodes",
            "--tasks",
            "--strategies",
            "--seed",
            "--sample",
            "--format",
        ],
        &["--help"],
    )
    .unwrap_or_else(|e| fail(format!("{e}\n{USAGE}")));
    if args.has("--help") {
        println!("{USAGE}");
        return;
    }
    if let Err(message) = run(&args) {
        fail(message);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let format = args.format()?;
    let nodes: usize = args.parse_or("--nodes", 10_000)?;
    let tasks: usize = args.parse_or("--tasks", 1_000_000)?;
    let seed: u64 = args.parse_or("--seed", 1)?;
    let mut options = Options::default().with_seed(seed);
    if let Some(p) = args.get("--sample") {
        let p: f64 = p
            .parse()
            .map_err(|_| format!("--sample: {p:?} is not a number"))?;
        options = options
            .with_percentage_of_nodes_to_score(p)
            .map_err(|e| e.to_string())?;
    }
    let strategies = match args.get("--strategies").unwrap_or("all") {
        "all" => registry()
            .iter()
            .filter(|e| e.kind == Kind::Heuristic && e.name != "repack")
            .map(|e| (e.build)())
            .collect(),
        list => strategy::parse_list(list).map_err(|e| e.to_string())?,
    };
    let problem = packsched::generate::fleet(nodes, tasks, seed).map_err(|e| e.to_string())?;
    let matrices = 8 * 3 * (nodes + tasks);
    if format == Format::Table {
        println!(
            "fleet: {nodes} nodes, {tasks} tasks, 3 resources, seed {seed}; demand and capacity \
             matrices {:.1} MB (not counted below)",
            matrices as f64 / 1e6
        );
        println!("{}", Run::header());
    }
    let mut runs = Vec::new();
    for s in &strategies {
        let run = measure(s.as_ref(), &problem, &options)?;
        if format == Format::Table {
            println!("{}", run.line());
        }
        runs.push(run);
    }
    if format == Format::Json {
        let report = Report {
            nodes,
            tasks,
            seed,
            matrices_mb: matrices as f64 / 1e6,
            runs,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("serialises")
        );
    }
    Ok(())
}

/// Places the problem with one strategy, timing it and counting the heap.
fn measure(s: &dyn Strategy, problem: &Problem, options: &Options) -> Result<Run, String> {
    let per_task = PER_TASK_RULE.contains(&s.name());
    let (before, allocations) = (
        IN_USE.load(Ordering::Relaxed),
        ALLOCATIONS.load(Ordering::Relaxed),
    );
    PEAK.store(before, Ordering::Relaxed);
    let started = Instant::now();
    let placement = if per_task {
        s.check(problem).map_err(|e| e.to_string())?;
        let mut selector = s
            .selector(problem, options)
            .ok_or_else(|| format!("{} has no per-task rule", s.name()))?;
        greedy(problem, &s.order(problem), selector.as_mut())
    } else {
        s.place(problem, options).map_err(|e| e.to_string())?
    };
    let seconds = started.elapsed().as_secs_f64();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations;
    let tasks = problem.tasks();
    Ok(Run {
        name: s.name().to_string(),
        mode: if per_task { "per-task rule" } else { "batch" },
        seconds,
        placements_per_second: tasks as f64 / seconds,
        nodes_used: placement.nodes_used(),
        unplaced: placement.unplaced.len(),
        peak_heap_bytes: peak,
        bytes_per_task_and_node: peak as f64 / (tasks + problem.nodes()) as f64,
        allocations,
    })
}

impl Run {
    fn header() -> String {
        format!(
            "{:<22} {:>13} {:>9} {:>14} {:>7} {:>9} {:>10} {:>9} {:>7}",
            "strategy",
            "mode",
            "seconds",
            "placements/s",
            "nodes",
            "unplaced",
            "heap MB",
            "B/(t+n)",
            "allocs"
        )
    }

    fn line(&self) -> String {
        format!(
            "{:<22} {:>13} {:>9.3} {:>14.0} {:>7} {:>9} {:>10.1} {:>9.1} {:>7}",
            self.name,
            self.mode,
            self.seconds,
            self.placements_per_second,
            self.nodes_used,
            self.unplaced,
            self.peak_heap_bytes as f64 / 1e6,
            self.bytes_per_task_and_node,
            self.allocations
        )
    }
}
