//! Invariants of every registered strategy on random small clusters and workloads.

use ndarray::Array2;
use packsched::State;
use packsched::bounds::{lower_bound, lower_bound_of};
use packsched::strategy::{Kind, registry};
use packsched::{Cluster, Options, Placement, Problem, Resources, Status, Workload};
use proptest::prelude::*;
use std::time::Duration;

/// Values on a half-unit grid, so that exact fits and near misses both occur.
fn value(max: u32) -> impl Strategy<Value = f64> {
    (0..=2 * max).prop_map(|v| f64::from(v) / 2.0)
}

/// Per task, sometimes a restriction to some nodes (as node selectors and taints make).
fn allowed(nodes: usize, tasks: usize) -> impl Strategy<Value = Vec<Option<Vec<usize>>>> {
    proptest::collection::vec(
        proptest::option::weighted(0.2, proptest::collection::vec(0..nodes, 0..=nodes)),
        tasks,
    )
}

fn problems() -> impl Strategy<Value = Problem> {
    (1usize..=3, 1usize..=6, 0usize..=12)
        .prop_flat_map(|(r, n, t)| {
            (
                Just(r),
                proptest::collection::vec(value(10), n * r),
                proptest::collection::vec(value(7), t * r),
                proptest::collection::vec(-2i64..=2, t),
                allowed(n, t),
            )
        })
        .prop_map(|(r, cap, dem, priority, allowed)| {
            let names: Vec<String> = (0..r).map(|i| format!("r{i}")).collect();
            let res = Resources::new(names).unwrap();
            let capacity = Array2::from_shape_vec((cap.len() / r, r), cap).unwrap();
            let demand = Array2::from_shape_vec((dem.len() / r, r), dem).unwrap();
            let workload = Workload::new(res.clone(), demand)
                .unwrap()
                .with_priority(priority)
                .unwrap();
            Problem::new(Cluster::new(res, capacity).unwrap(), workload)
                .unwrap()
                .with_allowed_nodes(allowed)
                .unwrap()
        })
}

fn options() -> Options {
    Options::default().with_time_limit(Duration::from_secs(5))
}

/// (unplaced, nodes): lower is better.
fn key(p: &Placement) -> (usize, usize) {
    (p.unplaced.len(), p.nodes_used())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_strategy_keeps_the_invariants(problem in problems()) {
        let bound = lower_bound(&problem);
        let unplaceable = packsched::bounds::placeable(&problem).iter().filter(|p| !**p).count();
        let mut results = Vec::new();
        for entry in registry() {
            let strategy = (entry.build)();
            let placement = strategy.place(&problem, &options()).unwrap();
            // No node over capacity, no task on a node it may not run on; every unplaced task
            // has a reason.
            prop_assert!(placement.verify(&problem).is_ok(), "{}: {:?}", entry.name, placement.verify(&problem));
            // Nodes used never below the bound of the tasks placed...
            let placed: Vec<usize> = (0..problem.tasks()).filter(|&t| placement.assignment[t].is_some()).collect();
            prop_assert!(placement.nodes_used() >= lower_bound_of(&problem, &placed), "{}", entry.name);
            // ...nor below the problem's bound when every placeable task is placed.
            if placement.unplaced.len() == unplaceable {
                prop_assert!(placement.nodes_used() >= bound, "{}", entry.name);
            }
            // An unplaced task fits nowhere in the final state (its reason is still true).
            if placement.status != Status::Feasible && placement.status != Status::Fallback {
                let mut state = State::new(&problem);
                for (t, n) in placement.assignment.iter().enumerate() {
                    if let Some(n) = *n { state.place(t, n).unwrap(); }
                }
                for u in &placement.unplaced {
                    prop_assert!((0..problem.nodes()).all(|n| !state.fits(u.task, n)),
                        "{}: task {} fits somewhere but was left out", entry.name, u.task);
                }
            }
            // Same input, same answer.
            let again = strategy.place(&problem, &options()).unwrap();
            prop_assert_eq!(&again.assignment, &placement.assignment, "{} is not deterministic", entry.name);
            results.push((entry.name, placement));
        }
        let lp = &results.iter().find(|(n, _)| *n == "lp_optimal").unwrap().1;
        for (name, p) in &results {
            // lp_optimal starts from the heuristics it seeds from (not Kind::Improvement): never
            // worse than those, and never worse than anything when it proves its answer.
            let seeded = registry().iter().any(|e| e.name == *name && e.kind != Kind::Improvement);
            if seeded || lp.status == Status::Optimal {
                prop_assert!(key(lp) <= key(p), "lp_optimal {:?} worse than {} {:?}", key(lp), name, key(p));
            }
        }
        if lp.status == Status::Optimal {
            prop_assert_eq!(lp.bound, Some(lp.nodes_used()));
        }
        // A full placement never goes below lp_optimal's proven bound, nor below the bound.
        if lp.unplaced.len() == unplaceable {
            let b = lp.bound.expect("lp_optimal reports a bound");
            prop_assert!(b <= lp.nodes_used(), "bound {} above nodes {}", b, lp.nodes_used());
            prop_assert!(b >= bound);
        }
    }
}
