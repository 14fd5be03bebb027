//! Compares placement strategies on one scenario: nodes used, tasks unplaced, utilization,
//! status and decision time, next to the lower bound.
//!
//! ```text
//! cargo run --release --example compare -- [--scenario FILE] [--strategies a,b,c|all]
//!     [--format table|json] [--time-limit SECONDS] [--seed N]
//! ```
//! Bad input: one line on stderr, exit code 2, nothing on stdout.

mod common;

use common::{ALLOW_NEGATIVE, Args, Format, fail, load_scenario};
use packsched::prelude::*;
use packsched::scenario;

/// The embedded default: 18 nodes of three machine types, 150 mixed tasks.
const DEFAULT_SCENARIO: &str = include_str!("data/default.json");

const USAGE: &str = "usage: compare [--scenario FILE] [--strategies a,b,c|all] \
[--format table|json] [--time-limit SECONDS] [--seed N] [--allow-negative-demand]";

fn main() {
    let args = Args::parse(
        &[
            "--scenario",
            "--strategies",
            "--format",
            "--time-limit",
            "--seed",
        ],
        &["--help", ALLOW_NEGATIVE],
    )
    .unwrap_or_else(|e| fail(format!("{e}\n{USAGE}")));
    if args.has("--help") {
        println!("{USAGE}\nstrategies: {}", strategy::names().join(", "));
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
        .with_time_limit(args.seconds_or("--time-limit", 10.0)?)
        .with_seed(args.parse_or("--seed", 0)?);
    let strategies = strategy::parse_list(args.get("--strategies").unwrap_or("all"))
        .map_err(|e| e.to_string())?;
    let (origin, problem) = match args.get("--scenario") {
        Some(path) => (path.to_string(), load_scenario(args, path)?),
        None => (
            "default".to_string(),
            scenario::from_json(DEFAULT_SCENARIO, "default").map_err(|e| e.to_string())?,
        ),
    };
    let comparison = compare(&problem, &strategies, &options).map_err(|e| e.to_string())?;
    let report = Report::new(&problem, &comparison);
    Ok(match format {
        Format::Json => report.to_json() + "\n",
        Format::Table => format!(
            "scenario {origin}: {} nodes x {} resources ({}), {} tasks; lower bound {} nodes\n\n{}",
            problem.nodes(),
            problem.resources().len(),
            problem.resources().names().join(", "),
            problem.tasks(),
            comparison.lower_bound,
            report.to_table()
        ),
    })
}
