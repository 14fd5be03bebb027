//! One test per error variant, through the public API.

mod common;

use ndarray::array;
use packsched::prelude::*;
use packsched::{Location, scenario};

fn parse(json: &str) -> Error {
    scenario::from_json(json, "input").unwrap_err()
}

#[test]
fn empty_resource_list() {
    assert!(matches!(
        Resources::new(Vec::<String>::new()),
        Err(Error::EmptyResources)
    ));
    let e = parse(r#"{"resources": [], "capacity": [], "demand": []}"#);
    assert!(matches!(e, Error::EmptyResources), "{e}");
}

#[test]
fn empty_and_duplicate_resource_names() {
    assert!(matches!(
        Resources::new(["cpu", " "]),
        Err(Error::EmptyResourceName { index: 1 })
    ));
    let e = Resources::new(["cpu", "cpu"]).unwrap_err();
    assert!(
        matches!(&e, Error::DuplicateResource { name } if name == "cpu"),
        "{e}"
    );
}

#[test]
fn unknown_resource_name() {
    let r = Resources::new(["cpu", "memory"]).unwrap();
    let e = r.index("gpu").unwrap_err();
    assert!(matches!(&e, Error::UnknownResource { name, .. } if name == "gpu"));
    assert!(e.to_string().contains("cpu, memory"), "{e}");
}

#[test]
fn row_of_the_wrong_length_names_field_and_row() {
    let e =
        parse(r#"{"resources": ["cpu", "memory"], "capacity": [[4, 8]], "demand": [[1, 1], [2]]}"#);
    assert!(
        matches!(
            e,
            Error::RowLength {
                field: "demand",
                row: 1,
                expected: 2,
                found: 1
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "demand row 1: 1 values, expected 2 (one per resource)"
    );
}

#[test]
fn list_of_the_wrong_length() {
    let e = parse(
        r#"{"resources": ["cpu"], "capacity": [[4]], "demand": [[1], [2]], "priority": [1]}"#,
    );
    assert!(
        matches!(
            e,
            Error::LengthMismatch {
                field: "priority",
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn nan_demand_names_field_row_and_resource() {
    // Python's json module writes NaN: read it, then reject it with its place.
    let e = parse(
        r#"{"resources": ["cpu", "memory"], "capacity": [[4, 8]], "demand": [[1, 1], [2, NaN]]}"#,
    );
    match &e {
        Error::NotFinite { at, value } => {
            assert!(value.is_nan());
            assert_eq!(
                at,
                &Location {
                    field: "demand",
                    row: 1,
                    resource: Some("memory".into())
                }
            );
        }
        other => panic!("expected NotFinite, got {other}"),
    }
    assert_eq!(
        e.to_string(),
        "demand row 1 (memory): NaN is not a finite number"
    );
}

#[test]
fn infinite_capacity_and_duration() {
    let e = parse(r#"{"resources": ["cpu"], "capacity": [[Infinity]], "demand": []}"#);
    assert!(
        matches!(e, Error::NotFinite { ref at, .. } if at.field == "capacity"),
        "{e}"
    );
    let e = parse(
        r#"{"resources": ["cpu"], "capacity": [[1]], "demand": [[1]], "duration": [-Infinity]}"#,
    );
    assert!(
        matches!(e, Error::NotFinite { ref at, .. } if at.field == "duration"),
        "{e}"
    );
}

#[test]
fn negative_values() {
    let r = Resources::new(["cpu"]).unwrap();
    let e = Cluster::new(r.clone(), array![[4.0], [-1.0]]).unwrap_err();
    assert!(
        matches!(e, Error::Negative { ref at, value } if at.row == 1 && value == -1.0),
        "{e}"
    );
    let w = Workload::new(r, array![[1.0]]).unwrap();
    let e = w.with_arrival(vec![-2.0]).unwrap_err();
    assert_eq!(e.to_string(), "arrival row 0: -2 is negative");
}

#[test]
fn dependency_out_of_range() {
    let e = parse(
        r#"{"resources": ["cpu"], "capacity": [[4]], "demand": [[1], [1]], "depends_on": [[], [5]]}"#,
    );
    assert!(
        matches!(
            e,
            Error::DependencyOutOfRange {
                task: 1,
                dependency: 5,
                tasks: 2
            }
        ),
        "{e}"
    );
}

#[test]
fn dependency_cycle_names_the_tasks() {
    let e = parse(
        r#"{"resources": ["cpu"], "capacity": [[4]], "demand": [[1], [1], [1]], "depends_on": [[1], [2], [0]]}"#,
    );
    match &e {
        Error::DependencyCycle { tasks } => {
            let mut on = tasks[..tasks.len() - 1].to_vec();
            on.sort();
            assert_eq!(on, vec![0, 1, 2]);
        }
        other => panic!("expected a cycle, got {other}"),
    }
    assert!(
        e.to_string()
            .starts_with("depends_on: cycle through tasks "),
        "{e}"
    );
}

#[test]
fn cluster_and_workload_over_different_resources() {
    let cluster = Cluster::new(Resources::new(["cpu"]).unwrap(), array![[4.0]]).unwrap();
    let workload = Workload::new(Resources::new(["memory"]).unwrap(), array![[1.0]]).unwrap();
    assert!(matches!(
        Problem::new(cluster, workload),
        Err(Error::ResourceMismatch { .. })
    ));
}

#[test]
fn unknown_strategy() {
    let e = strategy::parse_list("round_robin,best_fitt").unwrap_err();
    assert!(
        matches!(&e, Error::UnknownStrategy { name, .. } if name == "best_fitt"),
        "{e}"
    );
    assert!(
        e.to_string().contains("round_robin"),
        "lists the known names: {e}"
    );
}

#[test]
fn strategy_without_a_rule_or_a_place() {
    struct Nothing;
    impl Strategy for Nothing {
        fn name(&self) -> &str {
            "nothing"
        }
        fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn packsched::Selector>> {
            None
        }
    }
    let p = common::problem(&["cpu"], array![[1.0]], array![[1.0]]);
    let e = Nothing.place(&p, &Options::default()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidOption {
                option: "strategy",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn missing_file() {
    let e = scenario::load("/no/such/scenario.json").unwrap_err();
    assert!(
        matches!(&e, Error::Io { path, .. } if path == "/no/such/scenario.json"),
        "{e}"
    );
}

#[test]
fn bad_json_and_unknown_key() {
    let e = parse(r#"{"resources": ["cpu"], "capacity": [[4]]"#);
    assert!(
        matches!(&e, Error::Parse { origin, .. } if origin == "input"),
        "{e}"
    );
    let e = parse(r#"{"resources": ["cpu"], "capacity": [[4]], "demnad": [[1]]}"#);
    assert!(e.to_string().contains("unknown field `demnad`"), "{e}");
    let e = parse(r#"{"resources": ["cpu"], "capacity": [["four"]], "demand": []}"#);
    assert!(e.to_string().contains("expected a number"), "{e}");
}

#[test]
fn a_valid_scenario_round_trips() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/default.json"
    ))
    .unwrap();
    let problem = scenario::from_json(&text, "default").unwrap();
    let again = scenario::from_json(&scenario::to_json(&problem), "again").unwrap();
    assert_eq!(problem, again);
    assert_eq!(problem.workload().dependencies(105), &[70]);
    assert_eq!(problem.cluster().node_name(17), "gpu-3");
}

#[test]
fn allowed_node_out_of_range() {
    let e = parse(
        r#"{"resources": ["cpu"], "capacity": [[4], [4]], "demand": [[1]], "allowed_nodes": [[0, 2]]}"#,
    );
    assert!(
        matches!(
            e,
            Error::NodeOutOfRange {
                field: "allowed_nodes",
                row: 0,
                node: 2,
                nodes: 2
            }
        ),
        "{e}"
    );
}

#[test]
fn negative_demand_only_when_explicitly_allowed() {
    let r = Resources::new(["cpu"]).unwrap();
    assert!(matches!(
        Workload::new(r.clone(), array![[-1.0]]),
        Err(Error::Negative { .. })
    ));
    let w = Workload::allowing_negative(r.clone(), array![[-1.0]]).unwrap();
    assert_eq!(w.task(0)[0], -1.0);
    // Still finite only.
    assert!(matches!(
        Workload::allowing_negative(r, array![[f64::NAN]]),
        Err(Error::NotFinite { .. })
    ));
    let json = r#"{"resources": ["cpu"], "capacity": [[4]], "demand": [[-1]]}"#;
    assert!(scenario::from_json(json, "input").is_err());
    let options = scenario::LoadOptions {
        allow_negative_demand: true,
    };
    assert!(scenario::from_json_with(json, "input", options).is_ok());
}
