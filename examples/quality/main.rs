//! Packing quality of every strategy over a set of scenarios: nodes used relative to the lower
//! bound and to lp_optimal (mean, worst), tasks unplaced, stranded resources, decision time.
//!
//! ```text
//! cargo run --release --example quality -- [--scenarios DIR] [--generate SPECS]
//!     [--strategies a,b,c|all] [--time-limit SECONDS] [--seed N] [--sample PERCENT]
//!     [--format table|json]
//! ```
//! `SPECS` is a comma-separated list of `class:tasks:seeds`, where `class` is `uniform`,
//! `correlated`, `anticorrelated`, `cluster` or `all`, and `seeds` one seed `N` or a range
//! `A-B`. Without `--scenarios` or `--generate`, the default set is generated (see `DEFAULT`).
//! Strategies run one after the other (decision times are not disturbed by each other);
//! lp_optimal always runs, as the reference. `--sample PERCENT` adds, for each strategy that
//! samples nodes (kube-scheduler's percentageOfNodesToScore), a run with sampling named
//! `name@PERCENT%`, next to the exact one: the quality cost of sampling. Bad input: one line on
//! stderr, exit code 2.
//!
//! A scenario folder that holds `published.tsv` (published instances with their published
//! optimum and best heuristic, as `tests/data/external/`) adds the published-instances view;
//! local_search then always runs. `--allow-negative-demand` loads instances with a negative
//! item size (the published triplet instances).

#[path = "../common/mod.rs"]
mod common;
mod published;

use common::{ALLOW_NEGATIVE, Args, Format, fail, load_scenario};
use packsched::generate::{Class, Spec};
use packsched::prelude::*;
use packsched::stranded::stranded_fraction;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

const USAGE: &str = "usage: quality [--scenarios DIR] [--generate class:tasks:seeds,...] \
[--strategies a,b,c|all] [--time-limit SECONDS] [--seed N] [--sample PERCENT] \
[--format table|json] [--allow-negative-demand]";

/// The generated set used when no scenarios are given.
const DEFAULT: &str = "uniform:20:1-3,correlated:20:1-3,anticorrelated:20:1-3,cluster:200:1-3";

fn main() {
    let args = Args::parse(
        &[
            "--scenarios",
            "--generate",
            "--strategies",
            "--time-limit",
            "--seed",
            "--sample",
            "--format",
        ],
        &["--help", ALLOW_NEGATIVE],
    )
    .unwrap_or_else(|e| fail(format!("{e}\n{USAGE}")));
    if args.has("--help") {
        println!("{USAGE}\ndefault set: {DEFAULT}");
        return;
    }
    match run(&args) {
        Ok(output) => print!("{output}"),
        Err(message) => fail(message),
    }
}

fn run(args: &Args) -> Result<String, String> {
    let format = args.format()?;
    let options = Options::default()
        .with_time_limit(args.seconds_or("--time-limit", 2.0)?)
        .with_seed(args.parse_or("--seed", 0)?);
    let mut strategies = strategy::parse_list(args.get("--strategies").unwrap_or("all"))
        .map_err(|e| e.to_string())?;
    if !strategies.iter().any(|s| s.name() == "lp_optimal") {
        strategies.push(strategy::by_name("lp_optimal").map_err(|e| e.to_string())?);
    }
    let mut problems = Vec::new();
    let mut figures = None;
    if let Some(dir) = args.get("--scenarios") {
        problems.extend(load_dir(args, dir)?);
        figures = published::read(std::path::Path::new(dir))?;
    }
    if figures.is_some() && !strategies.iter().any(|s| s.name() == "local_search") {
        strategies.insert(
            strategies.len() - 1,
            strategy::by_name("local_search").map_err(|e| e.to_string())?,
        );
    }
    if let Some(specs) = args.get("--generate") {
        problems.extend(generate(specs)?);
    }
    if problems.is_empty() {
        problems = generate(DEFAULT)?;
    }
    let sampled = match args.get("--sample") {
        None => None,
        Some(p) => {
            let percent: f64 = p
                .parse()
                .map_err(|_| format!("--sample: {p:?} is not a number"))?;
            let with = options.clone().with_percentage_of_nodes_to_score(percent);
            Some((with.map_err(|e| e.to_string())?, p.to_string()))
        }
    };
    let scenarios: Vec<Scenario> = problems
        .iter()
        .map(|(name, p)| measure(name, p, &strategies, &options, sampled.as_ref()))
        .collect::<Result<_, _>>()?;
    let report = Quality {
        strategies: aggregate(&scenarios),
        published: figures.map(|f| published::rows(&scenarios, &f)),
        scenarios,
    };
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&report).expect("serialises") + "\n",
        Format::Table => report.table(),
    })
}

/// The `*.json` files of a folder, sorted by name.
fn load_dir(args: &Args, dir: &str) -> Result<Vec<(String, Problem)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{dir}: {e}"))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{dir}: no .json scenario files"));
    }
    paths
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            load_scenario(args, &p.to_string_lossy()).map(|problem| (name, problem))
        })
        .collect()
}

/// Scenarios from `class:tasks:seeds` specs.
fn generate(specs: &str) -> Result<Vec<(String, Problem)>, String> {
    let mut out = Vec::new();
    for spec in specs.split(',').map(str::trim) {
        let bad = |why: &str| format!("--generate {spec:?}: {why}; expected class:tasks:seeds");
        let [class, tasks, seeds] = spec.split(':').collect::<Vec<_>>()[..] else {
            return Err(bad("three fields"));
        };
        let classes = match class {
            "all" => Class::ALL.to_vec(),
            name => vec![name.parse::<Class>().map_err(|e| bad(&e.to_string()))?],
        };
        let tasks: usize = tasks.parse().map_err(|_| bad("tasks is not a count"))?;
        let (first, last) = match seeds.split_once('-') {
            Some((a, b)) => (a.parse::<u64>(), b.parse::<u64>()),
            None => (seeds.parse(), seeds.parse()),
        };
        let (Ok(first), Ok(last)) = (first, last) else {
            return Err(bad("seeds is not N or A-B"));
        };
        for class in classes {
            for seed in first..=last {
                let problem = Spec::new(class, tasks, seed)
                    .generate()
                    .map_err(|e| e.to_string())?;
                out.push((format!("{class}:{tasks}:{seed}"), problem));
            }
        }
    }
    Ok(out)
}

/// One strategy on one scenario.
#[derive(Serialize)]
struct Run {
    name: String,
    nodes_used: usize,
    /// The proven lower bound the strategy reports (lp_optimal), if any.
    bound: Option<usize>,
    unplaced: usize,
    seconds: f64,
    status: Status,
    stranded_fraction: BTreeMap<String, f64>,
}

/// Every strategy on one scenario, with the references.
#[derive(Serialize)]
struct Scenario {
    name: String,
    tasks: usize,
    resources: usize,
    nodes: usize,
    lower_bound: usize,
    /// lp_optimal's nodes and status; its proven bound when it has one.
    lp_nodes: usize,
    lp_status: Status,
    lp_bound: Option<usize>,
    /// The heuristics with the fewest (unplaced, nodes), and their nodes.
    best_heuristics: Vec<String>,
    best_nodes: usize,
    runs: Vec<Run>,
}

fn measure(
    name: &str,
    problem: &Problem,
    strategies: &[Box<dyn Strategy>],
    options: &Options,
    sampled: Option<&(Options, String)>,
) -> Result<Scenario, String> {
    let mut runs = Vec::new();
    for s in strategies {
        runs.push(run_one(problem, s.as_ref(), options, s.name().to_string())?);
        if let Some((with, percent)) = sampled.filter(|_| s.samples()) {
            runs.push(run_one(
                problem,
                s.as_ref(),
                with,
                format!("{}@{percent}%", s.name()),
            )?);
        }
    }
    let lp = runs.iter().find(|r| r.name == "lp_optimal").expect("added");
    let (lp_nodes, lp_status) = (lp.nodes_used, lp.status);
    let lp_bound = (lp_status == Status::Optimal).then_some(lp_nodes);
    let key = |r: &Run| (r.unplaced, r.nodes_used);
    let heuristics = runs.iter().filter(|r| r.name != "lp_optimal");
    let best = heuristics.clone().map(key).min().unwrap_or((0, 0));
    Ok(Scenario {
        name: name.to_string(),
        tasks: problem.tasks(),
        resources: problem.resources().len(),
        nodes: problem.nodes(),
        lower_bound: packsched::bounds::lower_bound(problem),
        lp_nodes,
        lp_status,
        lp_bound,
        best_heuristics: heuristics
            .filter(|r| key(r) == best)
            .map(|r| r.name.clone())
            .collect(),
        best_nodes: best.1,
        runs,
    })
}

/// One strategy on one scenario with some options, under a name.
fn run_one(
    problem: &Problem,
    s: &dyn Strategy,
    options: &Options,
    name: String,
) -> Result<Run, String> {
    let started = Instant::now();
    let placement = s.place(problem, options).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    let names = problem.resources().names().iter().cloned();
    Ok(Run {
        name,
        nodes_used: placement.nodes_used(),
        bound: placement.bound,
        unplaced: placement.unplaced.len(),
        seconds,
        status: placement.status,
        stranded_fraction: names.zip(stranded_fraction(problem, &placement)).collect(),
    })
}

/// A mean and a worst value.
#[derive(Serialize, Clone, Copy)]
struct Spread {
    mean: f64,
    worst: f64,
}

impl Spread {
    fn of(values: &[f64], worst: fn(f64, f64) -> f64) -> Self {
        let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
        let worst = values.iter().copied().reduce(worst).unwrap_or(0.0);
        Self { mean, worst }
    }
}

/// One strategy over every scenario.
#[derive(Serialize)]
struct Aggregate {
    name: String,
    /// nodes used / lower bound.
    over_lower_bound: Spread,
    /// nodes used / lp_optimal's nodes.
    over_lp_optimal: Spread,
    /// Scenarios where it used the fewest nodes of all heuristics.
    best_in: usize,
    unplaced: usize,
    /// Per scenario, the largest per-resource stranded fraction.
    stranded_fraction: Spread,
    seconds: Spread,
}

fn aggregate(scenarios: &[Scenario]) -> Vec<Aggregate> {
    let names: Vec<String> = scenarios[0].runs.iter().map(|r| r.name.clone()).collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let runs: Vec<(&Scenario, &Run)> = scenarios.iter().map(|s| (s, &s.runs[i])).collect();
            let ratio = |f: fn(&Scenario) -> usize| -> Vec<f64> {
                runs.iter()
                    .map(|(s, r)| r.nodes_used as f64 / f(s).max(1) as f64)
                    .collect()
            };
            let stranded: Vec<f64> = runs
                .iter()
                .map(|(_, r)| r.stranded_fraction.values().copied().fold(0.0, f64::max))
                .collect();
            let seconds: Vec<f64> = runs.iter().map(|(_, r)| r.seconds).collect();
            Aggregate {
                over_lower_bound: Spread::of(&ratio(|s| s.lower_bound), f64::max),
                over_lp_optimal: Spread::of(&ratio(|s| s.lp_nodes), f64::max),
                best_in: runs
                    .iter()
                    .filter(|(s, _)| s.best_heuristics.contains(&name))
                    .count(),
                unplaced: runs.iter().map(|(_, r)| r.unplaced).sum(),
                stranded_fraction: Spread::of(&stranded, f64::max),
                seconds: Spread::of(&seconds, f64::max),
                name,
            }
        })
        .collect()
}

#[derive(Serialize)]
struct Quality {
    scenarios: Vec<Scenario>,
    strategies: Vec<Aggregate>,
    /// The published-instances view, when the scenario folder has `published.tsv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<Vec<published::Row>>,
}

impl Quality {
    fn table(&self) -> String {
        let mut out = format!(
            "{:<24} {:>5} {:>5} {:>4} {:>14} {:>5} {:>7} {:>7}  {}\n",
            "scenario",
            "tasks",
            "nodes",
            "LB",
            "lp_optimal",
            "best",
            "/LB",
            "/lp",
            "best heuristics"
        );
        for s in &self.scenarios {
            out += &format!(
                "{:<24} {:>5} {:>5} {:>4} {:>4} {:>9} {:>5} {:>7.3} {:>7.3}  {}\n",
                s.name,
                s.tasks,
                s.nodes,
                s.lower_bound,
                s.lp_nodes,
                s.lp_status.as_str(),
                s.best_nodes,
                s.best_nodes as f64 / s.lower_bound.max(1) as f64,
                s.best_nodes as f64 / s.lp_nodes.max(1) as f64,
                abbreviate(&s.best_heuristics)
            );
        }
        out += &format!(
            "\n{:<22} {:>15} {:>15} {:>5} {:>8} {:>15} {:>19}\n",
            "strategy", "nodes/LB", "nodes/lp", "best", "unplaced", "stranded %", "ms per scenario"
        );
        out += &format!(
            "{:<22} {:>15} {:>15} {:>5} {:>8} {:>15} {:>19}\n",
            "", "mean  worst", "mean  worst", "in", "total", "mean  worst", "mean    max"
        );
        for a in &self.strategies {
            out += &format!(
                "{:<22} {:>7.3} {:>7.3} {:>7.3} {:>7.3} {:>5} {:>8} {:>7.2} {:>7.2} {:>9.2} {:>9.2}\n",
                a.name,
                a.over_lower_bound.mean,
                a.over_lower_bound.worst,
                a.over_lp_optimal.mean,
                a.over_lp_optimal.worst,
                a.best_in,
                a.unplaced,
                100.0 * a.stranded_fraction.mean,
                100.0 * a.stranded_fraction.worst,
                1e3 * a.seconds.mean,
                1e3 * a.seconds.worst
            );
        }
        if let Some(rows) = &self.published {
            out += &published::table(rows);
        }
        out
    }
}

/// The names, or the first three and a count.
fn abbreviate(names: &[String]) -> String {
    match names.len() {
        0..=3 => names.join(", "),
        n => format!("{} and {} more", names[..3].join(", "), n - 3),
    }
}
