//! What-if on a Kubernetes cluster's export: do the pending pods fit the current nodes, under
//! which strategy, and how many nodes would all pods need if packed again?
//!
//! ```text
//! kubectl get nodes -o json > nodes.json
//! kubectl get pods -A -o json > pods.json
//! cargo run --release --example k8s_whatif -- --nodes nodes.json --pods pods.json
//!     [--strategies a,b,c|all] [--format table|json] [--time-limit SECONDS] [--seed N]
//! ```
//! Without `--nodes` and `--pods`: the samples in `examples/data/` (a generated cluster, see
//! `examples/data/README.md`). Bad input: one line on stderr, exit code 2, nothing on stdout.

mod common;

use common::{Args, Format, fail};
use packsched::k8s;
use packsched::prelude::*;

const SAMPLE_NODES: &str = include_str!("data/k8s-nodes.json");
const SAMPLE_PODS: &str = include_str!("data/k8s-pods.json");

const USAGE: &str = "usage: k8s_whatif [--nodes FILE --pods FILE] [--strategies a,b,c|all] \
[--format table|json] [--time-limit SECONDS] [--seed N]";

fn main() {
    let args = Args::parse(
        &[
            "--nodes",
            "--pods",
            "--strategies",
            "--format",
            "--time-limit",
            "--seed",
        ],
        &["--help"],
    )
    .unwrap_or_else(|e| fail(format!("{e} (see --help)")));
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
        .with_time_limit(args.seconds_or("--time-limit", 5.0)?)
        .with_seed(args.parse_or("--seed", 0)?);
    let strategies = strategy::parse_list(args.get("--strategies").unwrap_or("all"))
        .map_err(|e| e.to_string())?;
    let (origin, nodes, pods) = match (args.get("--nodes"), args.get("--pods")) {
        (Some(n), Some(p)) => (
            format!("{n} and {p}"),
            k8s::load_nodes(n).map_err(|e| e.to_string())?,
            k8s::load_pods(p).map_err(|e| e.to_string())?,
        ),
        (None, None) => (
            "the samples (examples/data/k8s-*.json)".to_string(),
            k8s::read_nodes(SAMPLE_NODES, "k8s-nodes.json").map_err(|e| e.to_string())?,
            k8s::read_pods(SAMPLE_PODS, "k8s-pods.json").map_err(|e| e.to_string())?,
        ),
        _ => return Err("give both --nodes and --pods, or neither (see --help)".into()),
    };
    let report = k8s::what_if(&nodes, &pods, &strategies, &options).map_err(|e| e.to_string())?;
    Ok(match format {
        Format::Json => report.to_json() + "\n",
        Format::Table => format!("what-if on {origin}\n{}", report.to_table()),
    })
}
