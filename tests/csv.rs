//! CSV scenarios: round trips, and errors that name the file, the line and the column.

mod common;

use common::{data, scenario_files};
use packsched::Error;
use packsched::scenario::{self, csv};

#[test]
fn every_test_scenario_round_trips_through_csv() {
    for path in scenario_files() {
        let problem = scenario::load(&path).unwrap();
        let (nodes, tasks) = csv::to_csv(&problem).unwrap();
        let back = csv::from_csv(&nodes, "nodes.csv", &tasks, "tasks.csv")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(back, problem, "{}", path.display());
    }
}

#[test]
fn every_optional_column_round_trips() {
    let text = r#"{"resources": ["cpu", "memory"], "capacity": [[64, 256.5], [0.1, 1e-3]],
        "demand": [[2, 4], [8, 32], [1, 0.30000000000000004]], "priority": [0, -5, 3],
        "duration": [10.0, 3.5, 1.0], "arrival": [0.0, 0.0, 2.25], "depends_on": [[], [0], [0, 1]],
        "tenant": [" a", "b, with a comma", "\"quoted\""], "allowed_nodes": [null, [1, 0], []],
        "node_names": ["big", "small"], "task_names": ["web", "db", "cron"]}"#;
    let problem = scenario::from_json(text, "inline").unwrap();
    let (nodes, tasks) = csv::to_csv(&problem).unwrap();
    assert!(
        tasks.starts_with(
            "name,cpu,memory,priority,duration,arrival,depends_on,tenant,allowed_nodes\n"
        ),
        "{tasks}"
    );
    assert!(tasks.contains(",0;1,"), "{tasks}");
    assert!(tasks.contains(",none\n"), "{tasks}");
    let back = csv::from_csv(&nodes, "n", &tasks, "t").unwrap();
    assert_eq!(back, problem);

    let dir = common::TempDir::new("csv");
    let (n, t) = (dir.join("nodes.csv"), dir.join("tasks.csv"));
    csv::save(&problem, &n, &t).unwrap();
    assert_eq!(csv::load(&n, &t).unwrap(), problem);
}

#[test]
fn columns_are_matched_by_name_and_reserved_ones_are_optional() {
    let nodes = "name,cpu,gpu\na,4,1\nb, 8 ,0\n";
    let tasks = "gpu,cpu\n1,2\n0,8\n";
    let p = csv::from_csv(nodes, "n", tasks, "t").unwrap();
    assert_eq!(p.demand(0).to_vec(), vec![2.0, 1.0]);
    assert_eq!(p.capacity(1).to_vec(), vec![8.0, 0.0]);
    assert_eq!(p.cluster().node_name(1), "b");
    assert_eq!(p.workload().task_name(1), "task-1");
}

/// The error of reading these files, as (path, line, column, message).
fn csv_error(nodes: &str, tasks: &str) -> (String, u64, Option<String>, String) {
    match csv::from_csv(nodes, "nodes.csv", tasks, "tasks.csv").unwrap_err() {
        Error::Csv {
            path,
            line,
            column,
            message,
        } => (path, line, column, message),
        other => panic!("expected a CSV error, got {other}"),
    }
}

#[test]
fn a_malformed_row_names_the_file_line_and_column() {
    let nodes = "cpu,memory\n4,8\n4,8\n";
    let cases: &[(&str, &str, u64, Option<&str>, &str)] = &[
        (
            "cpu,memory\n1,2\n1,lots\n",
            "tasks.csv",
            3,
            Some("memory"),
            "not a number",
        ),
        (
            "cpu,memory\n1,NaN\n",
            "tasks.csv",
            2,
            Some("memory"),
            "not a finite number",
        ),
        (
            "cpu,memory\n1,2\n-1,2\n",
            "tasks.csv",
            3,
            Some("cpu"),
            "negative",
        ),
        (
            "cpu,memory\n1,2\n1,2,3\n",
            "tasks.csv",
            3,
            None,
            "3 fields, the header has 2",
        ),
        (
            "cpu,memory,priority\n1,2,1.5\n",
            "tasks.csv",
            2,
            Some("priority"),
            "not an integer",
        ),
        (
            "cpu,memory,depends_on\n1,2,\n1,2,0;7\n",
            "tasks.csv",
            3,
            Some("depends_on"),
            "task 7 does not exist",
        ),
        (
            "cpu,memory,allowed_nodes\n1,2,2\n",
            "tasks.csv",
            2,
            Some("allowed_nodes"),
            "node 2 does not exist",
        ),
        (
            "cpu,memory,gpu\n1,2,3\n",
            "tasks.csv",
            1,
            Some("gpu"),
            "not a resource",
        ),
        (
            "cpu\n1\n",
            "tasks.csv",
            1,
            None,
            "no column for resource \"memory\"",
        ),
        (
            "cpu,memory,duration\n1,2,\n",
            "tasks.csv",
            2,
            Some("duration"),
            "not a number",
        ),
    ];
    for (tasks, path, line, column, needle) in cases {
        let got = csv_error(nodes, tasks);
        assert_eq!(
            (got.0.as_str(), got.1, got.2.as_deref()),
            (*path, *line, *column),
            "{tasks:?}: {got:?}"
        );
        assert!(got.3.contains(needle), "{tasks:?}: {:?}", got.3);
    }
    let got = csv_error("cpu,memory\n4,8\n4,x\n", "cpu,memory\n");
    assert_eq!(
        (got.0.as_str(), got.1, got.2.as_deref()),
        ("nodes.csv", 3, Some("memory"))
    );
    let message = csv::from_csv("cpu,memory\n4,8\n4,x\n", "nodes.csv", "cpu,memory\n", "t")
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "nodes.csv line 3, column memory: \"x\" is not a number"
    );
}

#[test]
fn model_errors_still_apply() {
    let err = csv::from_csv("cpu\n4\n", "n", "cpu,depends_on\n1,1\n1,0\n", "t").unwrap_err();
    assert!(matches!(err, Error::DependencyCycle { .. }), "{err}");
    assert!(matches!(
        csv::from_csv("name\na\n", "n", "name\n", "t"),
        Err(Error::EmptyResources)
    ));
    assert!(csv::load(data("missing.csv"), data("missing.csv")).is_err());
    let reserved = scenario::from_json(
        r#"{"resources": ["tenant"], "capacity": [[1]], "demand": [[1]]}"#,
        "j",
    )
    .unwrap();
    assert!(matches!(csv::to_csv(&reserved), Err(Error::Csv { .. })));
}
