//! The scale example (flags, JSON output, exit code 2 on bad input) and node sampling.

mod common;

use common::run_example;
use packsched::prelude::*;
use packsched::{Selector, State};
use serde_json::Value;

#[test]
fn scale_prints_speed_nodes_and_memory_per_strategy() {
    let args = [
        "--nodes",
        "300",
        "--tasks",
        "6000",
        "--strategies",
        "round_robin,best_fit,dot_product",
        "--format",
        "json",
    ];
    let (code, stdout, stderr) = run_example("scale", &args);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (report["nodes"].as_u64(), report["tasks"].as_u64()),
        (Some(300), Some(6000))
    );
    let runs = report["runs"].as_array().unwrap();
    let names: Vec<&str> = runs.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["round_robin", "best_fit", "dot_product"]);
    assert_eq!(runs[2]["mode"], "per-task rule");
    for run in runs {
        assert!(run["placements_per_second"].as_f64().unwrap() > 0.0);
        assert!(run["nodes_used"].as_u64().unwrap() <= 300);
        // The run allocates its state, index and result, not per placement.
        assert!(run["peak_heap_bytes"].as_u64().unwrap() > 6000 * 16);
        assert!(run["allocations"].as_u64().unwrap() < 6000, "{run}");
    }
    // Best fit packs tighter than round robin on the same workload.
    assert!(runs[1]["nodes_used"].as_u64() < runs[0]["nodes_used"].as_u64());
    let (code, table, _) = run_example("scale", &["--nodes", "50", "--tasks", "500"]);
    assert_eq!(code, 0);
    assert!(
        table.contains("placements/s") && table.contains("least_time"),
        "{table}"
    );
}

#[test]
fn scale_rejects_bad_input_with_exit_2() {
    for (args, needle) in [
        (vec!["--nodes", "ten"], "--nodes"),
        (vec!["--nodes", "0"], "node"),
        (vec!["--strategies", "best_fitt"], "best_fitt"),
        (vec!["--sample", "0"], "percentage"),
        (vec!["--bogus"], "unknown argument"),
    ] {
        let (code, stdout, stderr) = run_example("scale", &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stdout.is_empty() && stderr.contains(needle),
            "{args:?}: {stderr}"
        );
    }
}

/// A fleet of `nodes` nodes with `tasks` tasks.
fn fleet(nodes: usize, tasks: usize) -> Problem {
    packsched::generate::fleet(nodes, tasks, 3).unwrap()
}

#[test]
fn sampling_every_node_is_the_exact_rule_and_sampling_fewer_still_fits() {
    let p = fleet(250, 1500);
    let exact = Options::default();
    for name in ["best_fit", "worst_fit", "balanced", "nomad_binpack"] {
        let s = strategy::by_name(name).unwrap();
        assert!(s.samples(), "{name}");
        let all = exact
            .clone()
            .with_percentage_of_nodes_to_score(100.0)
            .unwrap();
        assert_eq!(
            s.place(&p, &all).unwrap().assignment,
            s.place(&p, &exact).unwrap().assignment,
            "{name}: 100% of nodes is the exact rule"
        );
        let some = exact
            .clone()
            .with_percentage_of_nodes_to_score(5.0)
            .unwrap();
        let sampled = s.place(&p, &some).unwrap();
        sampled.verify(&p).unwrap();
        assert_eq!(sampled.assignment, s.place(&p, &some).unwrap().assignment);
    }
    assert!(!strategy::by_name("first_fit").unwrap().samples());
}

#[test]
fn a_sampled_search_starts_where_the_last_one_stopped() {
    // 200 empty nodes, 10%: at least 100 fitting nodes are looked at, from node 0, then from
    // node 100. Best fit among empty equal nodes takes the first of each window.
    let r = Resources::new(["cpu", "memory"]).unwrap();
    let p = Problem::new(
        Cluster::new(r.clone(), ndarray::Array2::from_elem((200, 2), 10.0)).unwrap(),
        Workload::new(r, ndarray::array![[1.0, 1.0]]).unwrap(),
    )
    .unwrap();
    let options = Options::default()
        .with_percentage_of_nodes_to_score(10.0)
        .unwrap();
    let mut selector: Box<dyn Selector> = strategy::by_name("worst_fit")
        .unwrap()
        .selector(&p, &options)
        .unwrap();
    let state = State::new(&p);
    let first = selector.select(&state, 0).unwrap();
    let second = selector.select(&state, 0).unwrap();
    assert!(
        first < 100 && (100..200).contains(&second),
        "{first} {second}"
    );
}
