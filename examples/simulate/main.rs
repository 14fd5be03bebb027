//! Simulates placement strategies through time: arrivals, completions, dependencies, a queue
//! policy, node failures and joins; prints makespan, waits, utilization, stranded capacity and
//! event throughput per strategy.
//!
//! ```text
//! cargo run --release --example simulate -- [--scenario FILE] [--strategies a,b,c|all]
//!     [--queue fifo|priority|backfill] [--preemption] [--seed N] [--format table|json]
//!     [--plot FILE.svg] [--nodes N] [--span SECONDS] [--load X]
//! ```
//! Without `--scenario`: a generated day of work (cluster class, Poisson arrivals at 90% load,
//! lognormal durations, two node failures each replaced two hours later) on 48 nodes.
//! Scenario files without arrivals or durations: every task arrives at 0 and runs 1 s.
//! Bad input: one line on stderr, exit code 2, nothing on stdout.

#[path = "../common/mod.rs"]
mod common;
mod plot;

use common::{Args, Format};
use indicatif::{ProgressBar, ProgressStyle};
use packsched::generate::Class;
use packsched::prelude::*;
use packsched::scenario;
use packsched::sim::{NodeEvent, QueuePolicy, SimReport, Simulator, WorkloadSpec};
use serde::Serialize;
use std::io::IsTerminal;
use std::sync::Arc;

const USAGE: &str = "usage: simulate [--scenario FILE] [--strategies a,b,c|all] \
[--queue fifo|priority|backfill] [--preemption] [--seed N] [--format table|json] \
[--plot FILE.svg] [--nodes N] [--span SECONDS] [--load X]";

/// The JSON report: the input's shape, the strategies left out and why, one report each.
#[derive(Serialize)]
struct Output<'a> {
    scenario: &'a str,
    nodes: usize,
    resources: &'a [String],
    tasks: usize,
    node_events: usize,
    queue: QueuePolicy,
    preemption: bool,
    seed: u64,
    skipped: Vec<Skipped>,
    strategies: &'a [SimReport],
}

#[derive(Serialize)]
struct Skipped {
    strategy: String,
    reason: String,
}

fn main() {
    let valued = [
        "--scenario",
        "--strategies",
        "--queue",
        "--seed",
        "--format",
        "--plot",
        "--nodes",
        "--span",
        "--load",
    ];
    let switches = ["--help", "--preemption"];
    common::main_with(&valued, &switches, USAGE, &strategy::names(), run);
}

fn run(args: &Args) -> Result<String, String> {
    let format = args.format()?;
    let queue: QueuePolicy = args
        .get("--queue")
        .unwrap_or("fifo")
        .parse()
        .map_err(|e: Error| e.to_string())?;
    let seed: u64 = args.parse_or("--seed", 0)?;
    let preemption = args.has("--preemption");
    let (origin, problem, events) = load(args, seed)?;
    let list = args.get("--strategies").unwrap_or("all");
    let all = strategy::parse_list(list).map_err(|e| e.to_string())?;
    let probe = Simulator::builder(&problem)
        .build()
        .map_err(|e| e.to_string())?;
    let (strategies, skipped): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|s| probe.supports(s.as_ref()));
    if list.trim() != "all"
        && let Some(s) = skipped.first()
    {
        return Err(probe.run(s.as_ref()).unwrap_err().to_string());
    }
    let bar = progress_bar(problem.tasks() * strategies.len());
    let counter = bar.clone();
    let sim = Simulator::builder(&problem)
        .events(events)
        .queue(queue)
        .preemption(preemption)
        .options(Options::default().with_seed(seed))
        .progress(Arc::new(move |n| counter.inc(n)))
        .build()
        .map_err(|e| e.to_string())?;
    let reports = sim.run_all(&strategies).map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    if let Some(path) = args.get("--plot") {
        plot::write(path, &origin, &reports).map_err(|e| format!("--plot {path}: {e}"))?;
    }
    let skipped: Vec<Skipped> = skipped
        .iter()
        .map(|s| Skipped {
            strategy: s.name().to_string(),
            reason: "batch-only (no per-task rule): the simulator places tasks one at a time"
                .into(),
        })
        .collect();
    let output = Output {
        scenario: &origin,
        nodes: problem.nodes(),
        resources: problem.resources().names(),
        tasks: problem.tasks(),
        node_events: sim.events().len(),
        queue,
        preemption,
        seed,
        skipped,
        strategies: &reports,
    };
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&output).expect("serialises") + "\n",
        Format::Table => table(&output),
    })
}

/// The scenario file with its events, or the generated day.
fn load(args: &Args, seed: u64) -> Result<(String, Problem, Vec<NodeEvent>), String> {
    if let Some(path) = args.get("--scenario") {
        let (problem, events) = scenario::load_simulation(path).map_err(|e| e.to_string())?;
        return Ok((path.to_string(), problem, events));
    }
    let nodes: usize = args.parse_or("--nodes", 48)?;
    let span: f64 = args.parse_or("--span", 86_400.0)?;
    if !(span.is_finite() && span > 0.0) {
        return Err(format!(
            "--span: {span} is not a positive number of seconds"
        ));
    }
    let load: f64 = args.parse_or("--load", 0.9)?;
    let (problem, events) = WorkloadSpec::new(Class::Cluster, nodes, 0, seed)
        .with_load(load)
        .with_failures(2.min(nodes), 7200.0)
        .with_span(span)
        .generate()
        .map_err(|e| e.to_string())?;
    Ok(("generated".to_string(), problem, events))
}

fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} tasks {elapsed}")
        .expect("a valid template");
    bar.set_style(style);
    bar
}

fn table(o: &Output<'_>) -> String {
    let mut out = format!(
        "scenario {}: {} nodes x {} resources ({}), {} tasks, {} node events; queue {}, \
         preemption {}\n\n",
        o.scenario,
        o.nodes,
        o.resources.len(),
        o.resources.join(", "),
        o.tasks,
        o.node_events,
        o.queue,
        if o.preemption { "on" } else { "off" },
    );
    out += &packsched::sim::table(o.strategies);
    for s in &o.skipped {
        out += &format!("\nskipped {}: {}", s.strategy, s.reason);
    }
    if !o.skipped.is_empty() {
        out += "\n";
    }
    out
}
