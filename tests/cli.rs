//! The compare example's contract: flags, JSON output, exit code 2 on bad input.

mod common;

use common::{data, run_example, temp_file};
use packsched::scenario;
use serde_json::Value;

/// Runs compare expecting bad input: exit 2, one line on stderr, nothing on stdout.
fn rejects(args: &[&str], needle: &str) {
    let (code, stdout, stderr) = run_example("compare", args);
    assert_eq!(code, 2, "args {args:?}: stderr {stderr}");
    assert!(stdout.is_empty(), "no partial output: {stdout}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

#[test]
fn default_run_prints_the_table_for_every_strategy() {
    let (code, stdout, stderr) = run_example("compare", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("lower bound"), "{stdout}");
    for name in packsched::strategy::names() {
        assert!(stdout.contains(name), "{name} missing from\n{stdout}");
    }
}

#[test]
fn json_contract_with_valid_placements() {
    let path = data("uniform-20.json");
    let (code, stdout, stderr) = run_example(
        "compare",
        &[
            "--scenario",
            path.to_str().unwrap(),
            "--strategies",
            "all",
            "--format",
            "json",
            "--time-limit",
            "5",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let problem = scenario::load(&path).unwrap();
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let bound = report["lower_bound"].as_u64().unwrap() as usize;
    assert_eq!(bound, packsched::bounds::lower_bound(&problem));
    let strategies = report["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), packsched::strategy::names().len());
    for s in strategies {
        let name = s["name"].as_str().unwrap();
        let assignment: Vec<Option<usize>> =
            serde_json::from_value(s["assignment"].clone()).unwrap();
        let placement = packsched::Placement {
            assignment,
            unplaced: serde_json::from_value::<Vec<Value>>(s["reasons"].clone())
                .unwrap()
                .iter()
                .map(|r| packsched::Unplaced {
                    task: r["task"].as_u64().unwrap() as usize,
                    reason: packsched::Reason::NoNodes,
                })
                .collect(),
            status: packsched::Status::Heuristic,
            bound: None,
            note: None,
        };
        placement
            .verify(&problem)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            s["nodes_used"].as_u64().unwrap() as usize,
            placement.nodes_used(),
            "{name}"
        );
        assert_eq!(
            s["unplaced"].as_u64().unwrap() as usize,
            placement.unplaced.len(),
            "{name}"
        );
        assert!(s["seconds"].as_f64().unwrap() >= 0.0);
        let status = s["status"].as_str().unwrap();
        if name == "lp_optimal" {
            assert!(
                ["optimal", "feasible", "fallback"].contains(&status),
                "{status}"
            );
        } else {
            assert_eq!(status, "heuristic", "{name}");
        }
    }
    let lp = strategies
        .iter()
        .find(|s| s["name"] == "lp_optimal")
        .unwrap();
    let best = strategies
        .iter()
        .map(|s| s["nodes_used"].as_u64().unwrap())
        .min()
        .unwrap();
    assert_eq!(lp["nodes_used"].as_u64().unwrap(), best);
}

#[test]
fn nan_demand_exits_2_naming_the_place() {
    let path = temp_file(
        "nan.json",
        r#"{"resources": ["cpu", "memory"], "capacity": [[4, 8]], "demand": [[1, NaN]]}"#,
    );
    rejects(
        &["--scenario", path.to_str().unwrap()],
        "demand row 0 (memory): NaN",
    );
}

#[test]
fn cycle_exits_2() {
    let path = temp_file(
        "cycle.json",
        r#"{"resources": ["cpu"], "capacity": [[4]], "demand": [[1], [1]], "depends_on": [[1], [0]]}"#,
    );
    rejects(
        &["--scenario", path.to_str().unwrap()],
        "cycle through tasks",
    );
}

#[test]
fn unknown_strategy_exits_2() {
    rejects(
        &["--strategies", "round_robin,nope"],
        "unknown strategy \"nope\"",
    );
}

#[test]
fn missing_file_and_bad_json_exit_2() {
    rejects(&["--scenario", "/no/such/file.json"], "/no/such/file.json");
    let path = temp_file("bad.json", "{\"resources\": [\"cpu\"], ");
    rejects(&["--scenario", path.to_str().unwrap()], "bad.json");
}

#[test]
fn bad_flags_exit_2() {
    rejects(&["--scenarios", "x"], "unknown argument");
    rejects(&["--format", "xml"], "--format");
    rejects(&["--time-limit", "-1"], "--time-limit");
    rejects(&["--seed", "many"], "--seed");
    rejects(&["--scenario"], "needs a value");
}

#[test]
fn negative_demand_exits_2_unless_explicitly_allowed() {
    let path = temp_file(
        "negative.json",
        r#"{"resources": ["cpu", "memory"], "capacity": [[10, 10], [10, 10]],
            "demand": [[6, 4], [5, 7], [-1, 0]]}"#,
    );
    let path = path.to_str().unwrap();
    rejects(&["--scenario", path], "--allow-negative-demand");
    let (code, stdout, stderr) = run_example(
        "compare",
        &[
            "--scenario",
            path,
            "--allow-negative-demand",
            "--format",
            "json",
            "--strategies",
            "lp_optimal",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    // 6 + 5 - 1 = 10 cpu: the negative item lets the two others share a node.
    let lp = &report["strategies"][0];
    assert_eq!(lp["unplaced"], 0);
    assert!(lp["nodes_used"].as_u64().unwrap() <= 2);
}
