//! Every strategy on the benchmark scenarios (copies of ../shared/scenarios in tests/data).

mod common;

use packsched::prelude::*;
use packsched::scenario;
use std::time::Duration;

#[test]
fn every_strategy_gives_a_valid_placement_and_lp_is_never_worse() {
    let strategies = strategy::parse_list("all").unwrap();
    let options = Options::default().with_time_limit(Duration::from_secs(2));
    for path in common::scenario_files() {
        let problem = scenario::load(&path).unwrap();
        let comparison = compare(&problem, &strategies, &options).unwrap();
        let lp = comparison
            .outcomes
            .iter()
            .find(|o| o.name == "lp_optimal")
            .unwrap();
        for outcome in &comparison.outcomes {
            let p = &outcome.placement;
            p.verify(&problem)
                .unwrap_or_else(|e| panic!("{} on {}: {e}", outcome.name, path.display()));
            assert!(
                p.unplaced.is_empty(),
                "{} on {}",
                outcome.name,
                path.display()
            );
            assert!(p.nodes_used() >= comparison.lower_bound);
            assert!(
                lp.placement.nodes_used() <= p.nodes_used(),
                "lp_optimal worse than {} on {}",
                outcome.name,
                path.display()
            );
        }
    }
}

#[test]
fn lp_optimal_proves_the_known_optima() {
    // Best known values from shared/scenarios/README.md, proven there by CP-SAT.
    for (file, optimum) in [
        ("uniform-20.json", 8),
        ("correlated-20.json", 7),
        ("cluster-200.json", 9),
    ] {
        let problem = scenario::load(common::data(file)).unwrap();
        let got = strategy::by_name("lp_optimal")
            .unwrap()
            .place(&problem, &Options::default())
            .unwrap();
        assert_eq!(
            (got.nodes_used(), got.status),
            (optimum, Status::Optimal),
            "{file}: {:?}",
            got.note
        );
    }
}
