//! Writes a generated scenario: one of the classes of the packing literature, seeded, the same
//! on any machine.
//!
//! ```text
//! cargo run --release --example generate -- --class uniform|correlated|anticorrelated|cluster
//!     [--tasks N] [--seed N] [--nodes N] [--dims N] [--out FILE]
//! ```
//! Without `--out`, the scenario JSON goes to stdout. Bad input: one line on stderr, exit code 2.

mod common;

use common::{Args, fail};
use packsched::generate::{Class, Spec};
use packsched::scenario;

const USAGE: &str = "usage: generate --class uniform|correlated|anticorrelated|cluster \
[--tasks N] [--seed N] [--nodes N] [--dims N] [--out FILE]";

fn main() {
    let args = Args::parse(
        &["--class", "--tasks", "--seed", "--nodes", "--dims", "--out"],
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
    let class: Class = args
        .get("--class")
        .ok_or_else(|| format!("--class is required\n{USAGE}"))?
        .parse()
        .map_err(|e: packsched::Error| e.to_string())?;
    let mut spec = Spec::new(
        class,
        args.parse_or("--tasks", 40)?,
        args.parse_or("--seed", 0)?,
    );
    if args.get("--nodes").is_some() {
        spec = spec.with_nodes(args.parse_or("--nodes", 0)?);
    }
    if args.get("--dims").is_some() {
        spec = spec.with_dims(args.parse_or("--dims", 2)?);
    }
    let problem = spec.generate().map_err(|e| e.to_string())?;
    match args.get("--out") {
        Some(path) => scenario::save(&problem, path).map_err(|e| e.to_string()),
        None => {
            println!("{}", scenario::to_json(&problem));
            Ok(())
        }
    }
}
