//! The simulate example's contract: flags, JSON output, determinism, the plot, exit code 2 on
//! bad input.

mod common;

use common::{run_example, scenario_files, temp_file};
use serde_json::Value;

/// Runs simulate expecting bad input: exit 2, one line on stderr, nothing on stdout.
fn rejects(args: &[&str], needle: &str) {
    let (code, stdout, stderr) = run_example("simulate", args);
    assert_eq!(code, 2, "args {args:?}: stderr {stderr}");
    assert!(stdout.is_empty(), "no partial output: {stdout}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run_example("simulate", &all);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// Every task completed or listed unfinished, once.
fn accounted(report: &Value) {
    let tasks = report["tasks"].as_u64().unwrap();
    let completed = report["completed"].as_u64().unwrap();
    let reasons = report["reasons"].as_array().unwrap();
    assert_eq!(
        completed + reasons.len() as u64,
        tasks,
        "{}",
        report["strategy"]
    );
    assert_eq!(report["unfinished"].as_u64().unwrap(), reasons.len() as u64);
}

#[test]
fn default_day_prints_a_row_per_strategy() {
    // The generated day on the default cluster, for one strategy to keep the test quick.
    let (code, stdout, stderr) = run_example("simulate", &["--strategies", "round_robin"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("scenario generated: 48 nodes"),
        "{stdout}"
    );
    for column in [
        "makespan",
        "p99",
        "requeued",
        "events/s",
        "utilization/stranded",
    ] {
        assert!(stdout.contains(column), "{column} missing from\n{stdout}");
    }
    assert!(stdout.contains("\nround_robin"), "{stdout}");
    assert!(
        stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {stderr}"
    );
}

#[test]
fn every_scenario_runs_and_accounts_for_every_task() {
    for file in scenario_files() {
        let report = json(&["--scenario", file.to_str().unwrap(), "--queue", "backfill"]);
        let strategies = report["strategies"].as_array().unwrap();
        assert!(!strategies.is_empty());
        for s in strategies {
            accounted(s);
            // No arrivals or durations: all arrive at 0 and run 1 s.
            assert!(s["makespan"].as_f64().unwrap() >= 1.0, "{}", file.display());
        }
        let skipped = report["skipped"].as_array().unwrap();
        assert!(skipped.iter().any(|s| s["strategy"] == "lp_optimal"));
    }
}

#[test]
fn same_seed_same_json_apart_from_seconds() {
    let run = |seed: &str| {
        let args = [
            "--format", "json", "--span", "1800", "--seed", seed, "--queue", "priority",
        ];
        let (code, stdout, stderr) = run_example("simulate", &args);
        assert_eq!(code, 0, "{stderr}");
        // Blank the wall-clock figures, the only ones allowed to differ.
        let lines: Vec<String> = stdout
            .lines()
            .map(|l| match l.trim_start().starts_with("\"seconds\":") {
                true => "seconds".to_string(),
                false => l.to_string(),
            })
            .collect();
        lines.join("\n")
    };
    let a = run("5");
    assert_eq!(a, run("5"));
    assert_ne!(a, run("6"));
}

#[test]
fn scenario_events_fail_and_join_nodes() {
    let path = temp_file(
        "events.json",
        r#"{"resources": ["cpu"], "capacity": [[4], [4]], "node_names": ["a", "b"],
            "demand": [[4], [2], [2]], "duration": [10, 6, 6],
            "events": [{"time": 3, "kind": "fail", "node": "b"},
                       {"time": 5, "kind": "join", "capacity": [2], "name": "spare"}]}"#,
    );
    let report = json(&[
        "--scenario",
        path.to_str().unwrap(),
        "--strategies",
        "round_robin",
    ]);
    assert_eq!(report["node_events"], 2);
    let s = &report["strategies"][0];
    assert_eq!(
        (s["requeued"].as_u64(), s["makespan"].as_f64()),
        (Some(2), Some(16.0))
    );
    accounted(s);
}

#[test]
fn plot_writes_a_readable_svg() {
    let dir = common::TempDir::new("plot");
    let path = dir.join("sim.svg");
    let args = ["--span", "1800", "--plot", path.to_str().unwrap()];
    let (code, _, stderr) = run_example("simulate", &args);
    assert_eq!(code, 0, "{stderr}");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..100]);
    for text in [
        "utilization",
        "tasks waiting",
        "hours",
        "round_robin",
        "least_time",
    ] {
        assert!(svg.contains(text), "{text} missing from the SVG");
    }
    assert!(
        svg.matches("<polyline").count() >= 6,
        "two panels of three lines"
    );
}

#[test]
fn bad_input_exits_2_with_one_line() {
    rejects(&["--queue", "lifo"], "\"lifo\" is not a queue policy");
    rejects(
        &["--strategies", "round_robin,nope"],
        "unknown strategy \"nope\"",
    );
    rejects(&["--strategies", "lp_optimal"], "batch-only");
    rejects(&["--seed", "x"], "--seed");
    rejects(&["--span", "-5"], "--span");
    rejects(&["--format", "xml"], "--format");
    rejects(&["--scenarios", "x"], "unknown argument");
    rejects(&["--scenario", "/no/such/file.json"], "/no/such/file.json");
    let bad = [
        (
            r#"{"time": 1, "kind": "fail", "node": 9}"#,
            "events row 0: no node 9 is up",
        ),
        (
            r#"{"time": NaN, "kind": "fail", "node": 0}"#,
            "event time row 0: NaN",
        ),
        (
            r#"{"time": 1, "kind": "join", "capacity": [1, 2]}"#,
            "event capacity row 0: 2 values",
        ),
        (r#"{"time": 1, "kind": "explode", "node": 0}"#, "explode"),
    ];
    for (event, needle) in bad {
        let text = format!(
            r#"{{"resources": ["cpu"], "capacity": [[4]], "demand": [[1]], "events": [{event}]}}"#
        );
        let path = temp_file("bad-event.json", &text);
        rejects(&["--scenario", path.to_str().unwrap()], needle);
    }
    let cycle = temp_file(
        "cycle.json",
        r#"{"resources": ["cpu"], "capacity": [[4]], "demand": [[1], [1]], "depends_on": [[1], [0]]}"#,
    );
    rejects(
        &["--scenario", cycle.to_str().unwrap()],
        "cycle through tasks",
    );
    let plot = ["--span", "60", "--plot", "/no/such/dir/x.svg"];
    rejects(&plot, "--plot");
}
