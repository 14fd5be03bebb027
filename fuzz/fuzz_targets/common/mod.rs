//! Shared by the fuzz targets: place a valid problem with every registered strategy and check
//! the placement's invariants (no node over capacity, allowed nodes respected, a reason for
//! every unplaced task).

#![allow(dead_code)]

use packsched::Problem;
use packsched::scenario::csv;
use packsched::strategy::{Kind, Options, registry};
use std::time::Duration;

/// Places `problem` with every strategy of the registry (exact and improvement strategies only
/// on tiny problems, with a 100 ms budget) and panics on a broken invariant.
pub fn place_and_check(problem: &Problem) {
    if problem.tasks() * problem.nodes().max(1) > 20_000 {
        return;
    }
    let tiny = problem.tasks() <= 8 && problem.nodes() <= 4;
    let options = Options::default().with_time_limit(Duration::from_millis(100));
    for entry in registry() {
        if entry.kind != Kind::Heuristic && !tiny {
            continue;
        }
        let placement = (entry.build)()
            .place(problem, &options)
            .unwrap_or_else(|e| panic!("{} failed on a valid problem: {e}", entry.name));
        if let Err(violation) = placement.verify(problem) {
            panic!("{}: {violation}", entry.name);
        }
    }
}

/// Writes a valid problem as CSV and reads it back: the same problem, or a CSV error for a
/// resource name that a header cannot hold.
pub fn csv_round_trip(problem: &Problem) {
    if let Ok((nodes, tasks)) = csv::to_csv(problem) {
        let back = csv::from_csv(&nodes, "nodes", &tasks, "tasks")
            .unwrap_or_else(|e| panic!("written CSV does not read back: {e}\n{nodes}\n{tasks}"));
        assert_eq!(&back, problem, "CSV round trip changed the problem");
    }
}

/// Splits the input at the first NUL byte: two texts for targets that read two files.
pub fn two_texts(data: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(data).ok()?;
    Some(text.split_once('\0').unwrap_or((text, "")))
}
