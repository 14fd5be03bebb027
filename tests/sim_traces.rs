//! Small simulations whose waits and makespan are worked out by hand in the comments.

use ndarray::{Array2, array};
use packsched::prelude::*;
use packsched::sim::{Change, NodeEvent, QueuePolicy, SimReport, Simulator, Trace, Why};

/// One task of a trace: cpu, duration, arrival, priority, dependencies.
struct T(f64, f64, f64, i64, &'static [usize]);

fn problem(capacity: Array2<f64>, tasks: &[T]) -> Problem {
    let r = Resources::new(["cpu"]).unwrap();
    let demand = Array2::from_shape_vec((tasks.len(), 1), tasks.iter().map(|t| t.0).collect());
    let workload = Workload::new(r.clone(), demand.unwrap())
        .unwrap()
        .with_duration(tasks.iter().map(|t| t.1).collect())
        .unwrap()
        .with_arrival(tasks.iter().map(|t| t.2).collect())
        .unwrap()
        .with_priority(tasks.iter().map(|t| t.3).collect())
        .unwrap()
        .with_dependencies(tasks.iter().map(|t| t.4.to_vec()).collect())
        .unwrap();
    Problem::new(Cluster::new(r, capacity).unwrap(), workload).unwrap()
}

fn simulate(
    p: &Problem,
    queue: QueuePolicy,
    preemption: bool,
    events: Vec<NodeEvent>,
) -> (SimReport, Trace) {
    let sim = Simulator::builder(p)
        .queue(queue)
        .preemption(preemption)
        .events(events)
        .trace(true)
        .build()
        .unwrap();
    let strategy = strategy::by_name("round_robin").unwrap();
    sim.run_traced(strategy.as_ref()).unwrap()
}

/// Per task, its last start time and its node, from the trace.
fn starts(trace: &Trace, tasks: usize) -> Vec<(f64, usize)> {
    let mut out = vec![(f64::NAN, usize::MAX); tasks];
    for run in trace.runs.iter().filter(|r| r.completed) {
        out[run.task] = (run.start, run.node);
    }
    out
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// One node of 4 cpu. a (2 cpu, 4 s) from 0; b (3 cpu, 2 s) at 1 does not fit beside a;
/// c (2 cpu, 3 s) and d (1 cpu, 2 s) at 2; e (1 cpu, 5 s) at 3.
fn five_tasks() -> Problem {
    problem(
        array![[4.0]],
        &[
            T(2.0, 4.0, 0.0, 0, &[]),
            T(3.0, 2.0, 1.0, 0, &[]),
            T(2.0, 3.0, 2.0, 0, &[]),
            T(1.0, 2.0, 2.0, 0, &[]),
            T(1.0, 5.0, 3.0, 0, &[]),
        ],
    )
}

#[test]
fn fifo_head_blocks_the_line() {
    // b blocks the line until a ends at 4 (c, d, e wait behind it although d and e fit).
    // At 4: b starts (1 cpu left), c (2) blocks. At 6: b ends; c, d, e start (4 cpu).
    // Ends: a 4, b 6, d 8, c 9, e 11. Waits: a 0, b 3, c 4, d 4, e 3.
    let (r, trace) = simulate(&five_tasks(), QueuePolicy::Fifo, false, vec![]);
    let s: Vec<f64> = starts(&trace, 5).iter().map(|s| s.0).collect();
    assert_eq!(s, vec![0.0, 4.0, 6.0, 6.0, 6.0]);
    assert_eq!(r.makespan, 11.0);
    assert_eq!(r.wait.mean, mean(&[0.0, 3.0, 4.0, 4.0, 3.0]));
    assert_eq!((r.wait.p50, r.wait.max), (3.0, 4.0));
    // Arrivals and completions: 10 events.
    assert_eq!((r.completed, r.events), (5, 10));
}

#[test]
fn backfill_starts_what_does_not_delay_the_head() {
    // At 1, b is reserved node 0 at 4 (when a ends), leaving 1 cpu extra.
    // At 2: c (2 cpu, ends 5 > 4, more than the extra) waits; d (ends 4) starts.
    // At 3: e (ends 8 > 4) fits in the extra 1 cpu: starts.
    // At 4: a and d end, b starts on time (3 of 4 cpu with e). c is reserved at 6.
    // At 6: b ends, c starts. Ends: d 4, a 4, b 6, e 8, c 9.
    let (r, trace) = simulate(&five_tasks(), QueuePolicy::Backfill, false, vec![]);
    let s: Vec<f64> = starts(&trace, 5).iter().map(|s| s.0).collect();
    assert_eq!(s, vec![0.0, 4.0, 6.0, 2.0, 3.0]);
    assert_eq!(r.makespan, 9.0);
    assert_eq!(r.wait.mean, mean(&[0.0, 3.0, 4.0, 0.0, 0.0]));
    let reserved: Vec<(usize, f64, f64)> = trace
        .reserved
        .iter()
        .map(|x| (x.task, x.at, x.time))
        .collect();
    assert_eq!(reserved, vec![(1, 1.0, 4.0), (2, 4.0, 6.0)]);
}

#[test]
fn priority_serves_higher_priority_first() {
    // One node of 4 cpu. a (4 cpu, 2 s) from 0. At 1: b (2 cpu, prio 0), c (2 cpu, prio 5),
    // d (4 cpu, prio 1). At 2 the order is c, d, b: c starts, d blocks (b waits behind it).
    // At 3 c ends, d starts; at 4 d ends, b starts; b ends at 5.
    // FIFO instead takes b, c at 2 (both fit), d at 3: makespan 4.
    let p = problem(
        array![[4.0]],
        &[
            T(4.0, 2.0, 0.0, 0, &[]),
            T(2.0, 1.0, 1.0, 0, &[]),
            T(2.0, 1.0, 1.0, 5, &[]),
            T(4.0, 1.0, 1.0, 1, &[]),
        ],
    );
    let (r, trace) = simulate(&p, QueuePolicy::Priority, false, vec![]);
    let s: Vec<f64> = starts(&trace, 4).iter().map(|s| s.0).collect();
    assert_eq!(s, vec![0.0, 4.0, 2.0, 3.0]);
    assert_eq!(r.makespan, 5.0);
    assert_eq!(r.wait.mean, mean(&[0.0, 3.0, 1.0, 2.0]));
    let (r, trace) = simulate(&p, QueuePolicy::Fifo, false, vec![]);
    let s: Vec<f64> = starts(&trace, 4).iter().map(|s| s.0).collect();
    assert_eq!(s, vec![0.0, 2.0, 2.0, 3.0]);
    assert_eq!(r.makespan, 4.0);
}

#[test]
fn a_failed_node_requeues_its_tasks_and_a_joined_node_takes_them() {
    // Two nodes of 4 cpu; a (4 cpu, 10 s), b and c (2 cpu, 6 s) from 0. Round robin: a on
    // node 0, b and c on node 1. Node 1 fails at 3: b and c go back in line, in their places.
    // A node of 2 cpu joins at 5: b restarts there (ends 11). c waits until a ends at 10 and
    // restarts on node 0 (ends 16). Waits: a 0, b 2 (3..5), c 7 (3..10).
    let p = problem(
        array![[4.0], [4.0]],
        &[
            T(4.0, 10.0, 0.0, 0, &[]),
            T(2.0, 6.0, 0.0, 0, &[]),
            T(2.0, 6.0, 0.0, 0, &[]),
        ],
    );
    let events = vec![
        NodeEvent {
            time: 5.0,
            change: Change::Join {
                name: "spare".into(),
                capacity: vec![2.0],
            },
        },
        NodeEvent {
            time: 3.0,
            change: Change::Fail { node: 1 },
        },
    ];
    let (r, trace) = simulate(&p, QueuePolicy::Fifo, false, events);
    assert_eq!(starts(&trace, 3), vec![(0.0, 0), (5.0, 2), (10.0, 0)]);
    assert_eq!((r.makespan, r.requeued, r.completed), (16.0, 2, 3));
    assert_eq!(r.wait.mean, mean(&[0.0, 2.0, 7.0]));
    let evicted: Vec<(usize, f64, f64)> = trace
        .runs
        .iter()
        .filter(|x| !x.completed)
        .map(|x| (x.task, x.start, x.end))
        .collect();
    assert_eq!(evicted, vec![(1, 0.0, 3.0), (2, 0.0, 3.0)]);
    // Arrivals 3, completions 3, node events 2.
    assert_eq!(r.events, 8);
}

#[test]
fn dependencies_hold_tasks_until_their_parents_complete() {
    // One node of 4 cpu. a (2 cpu, 3 s), b (2 cpu, 2 s), e (2 cpu, 5 s) from 0; c (4 cpu, 1 s)
    // after a and b; d (1 cpu, 1 s) after c. At 0: a, b start; e waits. At 2: b ends, e starts
    // (ends 7). At 3: a ends, c is ready but needs the whole node: it waits until 7, ends 8;
    // d starts at 8, ends 9. Waits: a 0, b 0, c 4 (ready at 3), d 0, e 2.
    let p = problem(
        array![[4.0]],
        &[
            T(2.0, 3.0, 0.0, 0, &[]),
            T(2.0, 2.0, 0.0, 0, &[]),
            T(4.0, 1.0, 0.0, 0, &[0, 1]),
            T(1.0, 1.0, 0.0, 0, &[2]),
            T(2.0, 5.0, 0.0, 0, &[]),
        ],
    );
    let (r, trace) = simulate(&p, QueuePolicy::Fifo, false, vec![]);
    let s: Vec<f64> = starts(&trace, 5).iter().map(|s| s.0).collect();
    assert_eq!(s, vec![0.0, 0.0, 7.0, 8.0, 2.0]);
    assert_eq!(r.makespan, 9.0);
    assert_eq!(r.wait.mean, mean(&[0.0, 0.0, 4.0, 0.0, 2.0]));
}

#[test]
fn preemption_evicts_the_fewest_lower_priority_tasks() {
    // One node of 4 cpu: a (3 cpu, 10 s) and b (1 cpu, 10 s) at priority 0 from 0; c (2 cpu,
    // 2 s, priority 5) at 1 fits nowhere. Evicting b alone is not enough, a alone is: a goes
    // back in line, c runs 1..3, a restarts at 3 (ends 13). b ends at 10.
    let p = problem(
        array![[4.0]],
        &[
            T(3.0, 10.0, 0.0, 0, &[]),
            T(1.0, 10.0, 0.0, 0, &[]),
            T(2.0, 2.0, 1.0, 5, &[]),
        ],
    );
    let (r, trace) = simulate(&p, QueuePolicy::Priority, true, vec![]);
    let s: Vec<f64> = starts(&trace, 3).iter().map(|s| s.0).collect();
    assert_eq!(s, vec![3.0, 0.0, 1.0]);
    assert_eq!((r.makespan, r.preempted, r.requeued), (13.0, 1, 0));
    assert_eq!(r.wait.mean, mean(&[2.0, 0.0, 0.0]));
    // Without preemption c waits for a: starts at 10.
    let (r, _) = simulate(&p, QueuePolicy::Priority, false, vec![]);
    assert_eq!((r.makespan, r.preempted, r.wait.max), (12.0, 0, 9.0));
}

#[test]
fn tasks_that_cannot_run_are_set_aside_and_reported() {
    // Node of 4 cpu. a (8 cpu) fits no node: it does not block b and c behind it in FIFO.
    // d depends on a and never becomes ready.
    let p = problem(
        array![[4.0]],
        &[
            T(8.0, 1.0, 0.0, 0, &[]),
            T(2.0, 1.0, 0.0, 0, &[]),
            T(2.0, 1.0, 0.0, 0, &[]),
            T(1.0, 1.0, 0.0, 0, &[0]),
        ],
    );
    let (r, _) = simulate(&p, QueuePolicy::Fifo, false, vec![]);
    assert_eq!(
        (r.completed, r.unfinished, r.never_placed, r.makespan),
        (2, 2, 2, 1.0)
    );
    assert_eq!(r.reasons[0].task, 0);
    assert!(matches!(
        &r.reasons[0].why,
        Why::Placement { reason: Reason::TooLarge { requested, largest, .. } } if *requested == 8.0 && *largest == 4.0
    ));
    assert_eq!(r.reasons[1].why, Why::Dependency { dependency: 0 });
    // A node large enough joins at 5: a runs then, d after it.
    let join = NodeEvent {
        time: 5.0,
        change: Change::Join {
            name: "big".into(),
            capacity: vec![8.0],
        },
    };
    let (r, _) = simulate(&p, QueuePolicy::Fifo, false, vec![join]);
    assert_eq!((r.completed, r.makespan, r.wait.max), (4, 7.0, 5.0));
}

#[test]
fn batch_only_strategies_are_a_typed_error() {
    let p = five_tasks();
    let sim = Simulator::builder(&p).build().unwrap();
    let lp = strategy::by_name("lp_optimal").unwrap();
    assert!(!sim.supports(lp.as_ref()));
    let err = sim.run(lp.as_ref()).unwrap_err();
    assert!(
        matches!(err, Error::BatchOnly { ref strategy } if strategy == "lp_optimal"),
        "{err}"
    );
}

#[test]
fn events_naming_nodes_that_are_not_up_are_rejected() {
    let p = five_tasks();
    let fail = |time, node| NodeEvent {
        time,
        change: Change::Fail { node },
    };
    for events in [
        vec![fail(1.0, 1)],
        vec![fail(1.0, 0), fail(2.0, 0)],
        vec![fail(f64::NAN, 0)],
    ] {
        assert!(Simulator::builder(&p).events(events).build().is_err());
    }
}
