//! Helpers for the strategies' unit tests.

use crate::model::{Cluster, Problem, Resources, Workload};
use crate::placement::Placement;
use crate::strategy::{Options, Strategy};
use ndarray::Array2;

/// A two-resource (cpu, memory) problem.
pub fn problem(capacity: Array2<f64>, demand: Array2<f64>) -> Problem {
    let r = Resources::new(["cpu", "memory"]).unwrap();
    Problem::new(
        Cluster::new(r.clone(), capacity).unwrap(),
        Workload::new(r, demand).unwrap(),
    )
    .unwrap()
}

/// Places with default options and checks the invariants.
pub fn place(strategy: &dyn Strategy, problem: &Problem) -> Placement {
    let placement = strategy.place(problem, &Options::default()).unwrap();
    placement.verify(problem).unwrap();
    placement
}
