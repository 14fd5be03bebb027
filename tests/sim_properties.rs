//! Invariants of the simulator over random small clusters and workloads, for every strategy of
//! the registry that decides one task at a time, every queue policy, with and without
//! preemption and node failures.

use ndarray::Array2;
use packsched::sim::{Change, NodeEvent, QueuePolicy, SimReport, Simulator, Trace};
use packsched::state::{State, TOLERANCE};
use packsched::{Cluster, Options, Problem, Resources, Workload, strategy};
use proptest::prelude::*;

/// A random problem where every task fits some node when empty: (problem, events).
fn scenario(
    equal_priorities: bool,
    failures: bool,
) -> impl Strategy<Value = (Problem, Vec<NodeEvent>)> {
    let nodes = proptest::collection::vec((2u8..=8, 2u8..=8), 1..5);
    (nodes, 1usize..25, any::<u64>()).prop_map(move |(caps, tasks, seed)| {
        let mut rng = Lcg(seed);
        let n = caps.len();
        let capacity: Vec<f64> = caps
            .iter()
            .flat_map(|&(a, b)| [f64::from(a), f64::from(b)])
            .collect();
        let mut demand = Vec::new();
        let (mut duration, mut arrival, mut priority, mut deps) = (vec![], vec![], vec![], vec![]);
        for t in 0..tasks {
            let (a, b) = caps[rng.below(n)];
            demand.push((rng.below(usize::from(a)) + 1) as f64 * 0.5);
            demand.push((rng.below(usize::from(b)) + 1) as f64 * 0.5);
            duration.push(rng.below(5) as f64);
            arrival.push(rng.below(8) as f64);
            priority.push(if equal_priorities {
                0
            } else {
                rng.below(3) as i64
            });
            let d: Vec<usize> = (0..t).filter(|_| rng.below(8) == 0).collect();
            deps.push(d);
        }
        let r = Resources::new(["cpu", "memory"]).unwrap();
        let cluster =
            Cluster::new(r.clone(), Array2::from_shape_vec((n, 2), capacity).unwrap()).unwrap();
        let workload = Workload::new(r, Array2::from_shape_vec((tasks, 2), demand).unwrap())
            .unwrap()
            .with_duration(duration)
            .unwrap()
            .with_arrival(arrival)
            .unwrap()
            .with_priority(priority)
            .unwrap()
            .with_dependencies(deps)
            .unwrap();
        let problem = Problem::new(cluster, workload).unwrap();
        let mut events = Vec::new();
        if failures {
            // A node fails and an identical one joins later: capacity suffices in the end.
            let node = rng.below(n);
            let at = rng.below(6) as f64;
            events.push(NodeEvent {
                time: at,
                change: Change::Fail { node },
            });
            let (a, b) = caps[node];
            let capacity = vec![f64::from(a), f64::from(b)];
            let change = Change::Join {
                name: "spare".into(),
                capacity,
            };
            events.push(NodeEvent {
                time: at + rng.below(4) as f64,
                change,
            });
        }
        (problem, events)
    })
}

/// A tiny deterministic generator for the cases' details.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn simulate(
    p: &Problem,
    events: &[NodeEvent],
    queue: QueuePolicy,
    preemption: bool,
    name: &str,
) -> (SimReport, Trace) {
    let sim = Simulator::builder(p)
        .events(events.to_vec())
        .queue(queue)
        .preemption(preemption)
        .trace(true)
        .build()
        .unwrap();
    sim.run_traced(strategy::by_name(name).unwrap().as_ref())
        .unwrap()
}

/// The strategies the simulator can drive, found generically.
fn per_task_strategies(p: &Problem) -> Vec<&'static str> {
    let sim = Simulator::builder(p).build().unwrap();
    strategy::registry()
        .iter()
        .filter(|e| sim.supports((e.build)().as_ref()))
        .map(|e| e.name)
        .collect()
}

/// Capacity of every node that ever exists, initial then joined.
fn capacities(p: &Problem, events: &[NodeEvent]) -> Vec<Vec<f64>> {
    let mut caps: Vec<Vec<f64>> = (0..p.nodes()).map(|n| p.capacity(n).to_vec()).collect();
    let mut sorted = events.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    for e in &sorted {
        if let Change::Join { capacity, .. } = &e.change {
            caps.push(capacity.clone());
        }
    }
    caps
}

/// Checks that no node ever holds more than its capacity: a sweep over each node's runs,
/// releases before starts at the same instant.
fn never_over_capacity(p: &Problem, events: &[NodeEvent], trace: &Trace) -> Result<(), String> {
    let caps = capacities(p, events);
    for (node, cap) in caps.iter().enumerate() {
        let mut steps: Vec<(f64, i8, usize)> = Vec::new();
        for run in trace.runs.iter().filter(|r| r.node == node) {
            steps.push((run.start, 1, run.task));
            steps.push((run.end, -1, run.task));
        }
        steps.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut used = vec![0.0; cap.len()];
        for (time, sign, task) in steps {
            for (r, u) in used.iter_mut().enumerate() {
                *u += f64::from(sign) * p.demand(task)[r];
                if *u > cap[r] * (1.0 + 1e3 * TOLERANCE) + 1e-9 {
                    return Err(format!(
                        "node {node} over capacity at {time}: {u} > {}",
                        cap[r]
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks that every task is accounted for exactly once: completed (one completed run) or
/// listed unfinished.
fn accounted(p: &Problem, report: &SimReport, trace: &Trace) -> Result<(), String> {
    let mut seen = vec![0; p.tasks()];
    for run in trace.runs.iter().filter(|r| r.completed) {
        seen[run.task] += 1;
    }
    for u in &report.reasons {
        seen[u.task] += 1;
    }
    if let Some(t) = seen.iter().position(|&s| s != 1) {
        return Err(format!("task {t} accounted {} times", seen[t]));
    }
    if report.completed + report.unfinished != p.tasks() {
        return Err("completed + unfinished != tasks".into());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_task_completes_once_and_no_node_overflows((p, events) in scenario(false, true)) {
        for name in per_task_strategies(&p) {
            for queue in QueuePolicy::ALL {
                for preemption in [false, true] {
                    let (report, trace) = simulate(&p, &events, queue, preemption, name);
                    let case = format!("{name} {queue} preemption {preemption}");
                    prop_assert_eq!(report.completed, p.tasks(), "{}: {:?}", case, report.reasons);
                    accounted(&p, &report, &trace).map_err(|e| TestCaseError::fail(format!("{case}: {e}")))?;
                    never_over_capacity(&p, &events, &trace).map_err(|e| TestCaseError::fail(format!("{case}: {e}")))?;
                    // Dependencies: a task starts only after its dependencies completed.
                    let ends: Vec<f64> = ends_of(&p, &trace);
                    for run in &trace.runs {
                        for &d in p.workload().dependencies(run.task) {
                            prop_assert!(run.start >= ends[d], "{}: {} before {}", case, run.task, d);
                        }
                        prop_assert!(run.start >= p.workload().arrival(run.task));
                    }
                }
            }
        }
    }

    #[test]
    fn backfill_never_delays_the_reserved_head((p, events) in scenario(true, false)) {
        for name in per_task_strategies(&p) {
            let (report, trace) = simulate(&p, &events, QueuePolicy::Backfill, false, name);
            prop_assert_eq!(report.completed, p.tasks());
            for res in &trace.reserved {
                let start = trace
                    .runs
                    .iter()
                    .filter(|r| r.task == res.task && r.start >= res.at)
                    .map(|r| r.start)
                    .fold(f64::INFINITY, f64::min);
                prop_assert!(start <= res.time, "{}: task {} reserved at {} started {}", name, res.task, res.time, start);
            }
        }
    }

    #[test]
    fn same_input_same_report((p, events) in scenario(false, true)) {
        for queue in QueuePolicy::ALL {
            let (mut a, _) = simulate(&p, &events, queue, true, "least_connections");
            let (mut b, _) = simulate(&p, &events, queue, true, "least_connections");
            a.seconds = 0.0;
            b.seconds = 0.0;
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn choosing_among_the_fitting_nodes_is_the_full_scan((p, _) in scenario(false, false), order_seed in any::<u64>()) {
        // Every registered strategy with a per-task rule picks the same node from the list of
        // fitting nodes as from its own scan, on states built by its own choices.
        let mut rng = Lcg(order_seed);
        for entry in strategy::registry() {
            let s = (entry.build)();
            let (Some(mut scan), Some(mut among)) = (s.selector(&p, &Options::default()), s.selector(&p, &Options::default())) else {
                continue;
            };
            let mut state = State::new(&p);
            for _ in 0..p.tasks() * 2 {
                let task = rng.below(p.tasks());
                if let Some(node) = state.assignment()[task] {
                    state.remove(task);
                    scan.removed(&state, task, node);
                    among.removed(&state, task, node);
                    continue;
                }
                let fitting: Vec<usize> = (0..state.nodes()).filter(|&n| state.fits(task, n)).collect();
                let a = scan.select(&state, task);
                let b = if fitting.is_empty() { None } else { among.select_among(&state, task, &fitting) };
                prop_assert_eq!(a, b, "{}", entry.name);
                if let Some(node) = a {
                    state.place(task, node).unwrap();
                    scan.placed(&state, task, node);
                    among.placed(&state, task, node);
                }
            }
        }
    }
}

/// Per task, the end of its completed run.
fn ends_of(p: &Problem, trace: &Trace) -> Vec<f64> {
    let mut ends = vec![f64::INFINITY; p.tasks()];
    for run in trace.runs.iter().filter(|r| r.completed) {
        ends[run.task] = run.end;
    }
    ends
}

#[test]
fn runs_never_touch_a_failed_node() {
    let spec = packsched::sim::WorkloadSpec::new(packsched::generate::Class::Cluster, 6, 300, 9)
        .with_failures(3, 50.0)
        .with_durations(30.0, 1.0);
    let (p, events) = spec.generate().unwrap();
    for queue in QueuePolicy::ALL {
        let (report, trace) = simulate(&p, &events, queue, true, "round_robin");
        assert!(
            report.requeued > 0,
            "{queue}: the failures hit running tasks"
        );
        accounted(&p, &report, &trace).unwrap();
        never_over_capacity(&p, &events, &trace).unwrap();
        for e in &events {
            if let Change::Fail { node } = e.change {
                for run in trace.runs.iter().filter(|r| r.node == node) {
                    assert!(
                        run.end <= e.time,
                        "{queue}: task {} on node {node} after it failed",
                        run.task
                    );
                }
            }
        }
    }
}
