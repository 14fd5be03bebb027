//! Every indexed per-task rule picks exactly the node the plain full scan picks, on random
//! clusters, through placements, removals, node failures (told to the selector or not), joins
//! and cordons; the parallel scan picks what the sequential one picks.

use ndarray::{Array1, Array2};
use packsched::strategy::{
    self, Size, alignment, balance_score, binpack_score, connections_score, draw_by_rejection,
    finish_time, first_fitting, largest_first, least_allocated, most_allocated, next_in_turn,
    node_load, opening_order, requested, residual_norm, select_best, select_best_par, set_aside,
};
use packsched::{Cluster, Options, Problem, Resources, Selector, State, Workload};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The strategies whose selectors keep an index.
const INDEXED: [&str; 13] = [
    "round_robin",
    "least_connections",
    "least_time",
    "first_fit",
    "first_fit_decreasing",
    "best_fit",
    "worst_fit",
    "balanced",
    "nomad_binpack",
    "dot_product",
    "norm_diff",
    "best_fit_decreasing",
    "power_of_two",
];

/// The plain rules, scanning every node, with the state a rule keeps (round robin's pointer,
/// power of two's generator).
struct Reference {
    name: &'static str,
    next: usize,
    seed: u64,
    rng: ChaCha8Rng,
    open: Vec<usize>,
    aside: Vec<Vec<bool>>,
}

impl Reference {
    fn new(name: &'static str, problem: &Problem, seed: u64) -> Self {
        Self {
            name,
            next: 0,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            open: largest_first(problem),
            aside: set_aside(problem),
        }
    }

    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let d = state.demand(task);
        let w = vec![1.0; d.len()];
        let fits = |n: usize| state.fits(task, n);
        let by = |f: strategy::ScoreFn| {
            select_best(state, task, |n| f(d, state.free(n), state.capacity(n), &w))
        };
        // The offline heuristics: the nodes in use in `open` order (then joined nodes), else
        // the first empty node in opening order.
        let in_use_first = || {
            let joined = self.open.len()..state.nodes();
            let in_use = self.open.iter().copied().chain(joined.clone());
            first_fitting(in_use, |&n| state.task_count(n) > 0 && fits(n))
        };
        let opening = || {
            let order = opening_order(state.problem(), &self.aside, &requested(d));
            let joined = order.len()..state.nodes();
            let empty = order.into_iter().chain(joined);
            first_fitting(empty, |&n| state.task_count(n) == 0 && fits(n))
        };
        match self.name {
            "round_robin" => {
                let node = next_in_turn(self.next, state.nodes(), fits)?;
                self.next = (node + 1) % state.nodes();
                Some(node)
            }
            "least_connections" => {
                select_best(state, task, |n| connections_score(state.task_count(n)))
            }
            "least_time" => {
                let work = state.task_work(task);
                select_best(state, task, |n| -finish_time(state.work(n), work))
            }
            "first_fit" => first_fitting(0..state.nodes(), |&n| fits(n)),
            "first_fit_decreasing" => in_use_first().or_else(opening),
            "best_fit" => by(most_allocated),
            "worst_fit" => by(least_allocated),
            "balanced" => by(balance_score),
            "nomad_binpack" => by(binpack_score),
            "dot_product" => by(alignment),
            "norm_diff" => by(residual_norm),
            "best_fit_decreasing" => {
                let score = |n: usize| most_allocated(d, state.free(n), state.capacity(n), &w);
                let used = select_best(state, task, |n| {
                    if state.task_count(n) > 0 {
                        score(n)
                    } else {
                        f64::NEG_INFINITY
                    }
                });
                match used {
                    Some(n) if state.task_count(n) > 0 => Some(n),
                    _ => opening(),
                }
            }
            "power_of_two" => {
                // Rejection first, as the selector documents; ranks among every fitting node
                // when a draw runs out of tries.
                let nodes = state.nodes();
                let load = |n: usize| node_load(state.free(n), state.capacity(n), &w);
                if let Some((a, b)) =
                    draw_by_rejection(self.seed, task, state.changes(), nodes, fits)
                {
                    return Some(if load(b) < load(a) { b } else { a });
                }
                let fitting: Vec<usize> = (0..state.nodes()).filter(|&n| fits(n)).collect();
                let k = fitting.len();
                if k <= 1 {
                    return fitting.first().copied();
                }
                let i = self.rng.random_range(0..k);
                let j = (i + 1 + self.rng.random_range(0..k - 1)) % k;
                let (a, b) = (fitting[i.min(j)], fitting[i.max(j)]);
                Some(if load(b) < load(a) { b } else { a })
            }
            other => panic!("no reference for {other}"),
        }
    }
}

/// A change to the state between placements.
#[derive(Debug, Clone)]
enum Op {
    /// Place this task (modulo the tasks) if it is not placed.
    Place(usize),
    /// Remove this task if placed, and tell the selector.
    Remove(usize),
    /// Fail this node (modulo the nodes); tell the selector of each released task or not.
    Fail(usize, bool),
    /// A node of this machine type joins (the selector is not told).
    Join(usize),
    /// Cordon this node (modulo the nodes) or lift its cordon; tell the selector or not.
    Cordon(usize, bool),
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        8 => (0usize..1000).prop_map(Op::Place),
        3 => (0usize..1000).prop_map(Op::Remove),
        1 => ((0usize..1000), any::<bool>()).prop_map(|(n, t)| Op::Fail(n, t)),
        1 => (0usize..1000).prop_map(Op::Join),
        1 => ((0usize..1000), any::<bool>()).prop_map(|(n, t)| Op::Cordon(n, t)),
    ];
    proptest::collection::vec(op, 1..160)
}

/// A problem of a few machine types (some without a resource), demands on a coarse grid (so
/// that exact fits and ties are common), some tasks restricted to a few or many nodes, some
/// demands negative (the published instances' case).
fn problems() -> impl Strategy<Value = (Problem, Vec<Vec<f64>>)> {
    (
        1usize..=5,
        1usize..=70,
        1usize..=120,
        1usize..=4,
        any::<u64>(),
    )
        .prop_map(|(r, nodes, tasks, types, seed)| random_problem(r, nodes, tasks, types, seed))
}

fn random_problem(
    r: usize,
    nodes: usize,
    tasks: usize,
    types: usize,
    seed: u64,
) -> (Problem, Vec<Vec<f64>>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let shapes: Vec<Vec<f64>> = (0..types)
        .map(|_| {
            (0..r)
                .map(|_| f64::from(rng.random_range(0..=4u32)) * 4.0)
                .collect()
        })
        .collect();
    let negative = rng.random_range(0..10) == 0;
    let capacity: Vec<f64> = (0..nodes)
        .flat_map(|_| shapes[rng.random_range(0..types)].clone())
        .collect();
    let demand: Vec<f64> = (0..tasks * r)
        .map(|_| {
            let v = f64::from(rng.random_range(0..=12u32)) * 0.5;
            if negative && rng.random_range(0..8) == 0 {
                -v
            } else {
                v
            }
        })
        .collect();
    let names: Vec<String> = (0..r).map(|i| format!("r{i}")).collect();
    let res = Resources::new(names).unwrap();
    let capacity = Array2::from_shape_vec((nodes, r), capacity).unwrap();
    let demand = Array2::from_shape_vec((tasks, r), demand).unwrap();
    // Now and then some very long tasks, so that finish times of different work round equal
    // (least_time's ties by rounding).
    let long = rng.random_range(0..4) == 0;
    let duration: Vec<f64> = (0..tasks)
        .map(|_| match rng.random_range(1..=8u32) {
            7 | 8 if long => 1e16,
            7 | 8 => 1.0,
            d => f64::from(d) * 0.25,
        })
        .collect();
    let workload = if negative {
        Workload::allowing_negative(res.clone(), demand)
    } else {
        Workload::new(res.clone(), demand)
    };
    let workload = workload.unwrap().with_duration(duration).unwrap();
    let allowed: Vec<Option<Vec<usize>>> = (0..tasks)
        .map(|_| match rng.random_range(0..10) {
            0 => Some(vec![rng.random_range(0..nodes)]),
            1 => Some((0..nodes).filter(|_| rng.random_range(0..3) > 0).collect()),
            _ => None,
        })
        .collect();
    let problem = Problem::new(Cluster::new(res, capacity).unwrap(), workload)
        .unwrap()
        .with_allowed_nodes(allowed)
        .unwrap();
    (problem, shapes)
}

/// Drives one strategy's selector and the reference through `ops`, comparing every choice.
fn agree(name: &'static str, problem: &Problem, shapes: &[Vec<f64>], ops: &[Op]) {
    let options = Options::default().with_seed(7);
    let mut selector: Box<dyn Selector> = strategy::by_name(name)
        .unwrap()
        .selector(problem, &options)
        .unwrap();
    let mut reference = Reference::new(name, problem, options.seed);
    let mut state = State::new(problem);
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Place(t) => {
                let task = t % problem.tasks();
                if state.assignment()[task].is_some() {
                    continue;
                }
                let want = reference.select(&state, task);
                let got = selector.select(&state, task);
                assert_eq!(got, want, "{name}: step {step} task {task} ({op:?})");
                if let Some(node) = got {
                    state.place(task, node).unwrap();
                    selector.placed(&state, task, node);
                }
            }
            Op::Remove(t) => {
                let task = t % problem.tasks();
                if let Some(node) = state.remove(task) {
                    selector.removed(&state, task, node);
                }
            }
            Op::Fail(n, tell) => {
                let node = n % state.nodes();
                for task in state.fail_node(node) {
                    if tell {
                        selector.removed(&state, task, node);
                    }
                }
            }
            Op::Join(kind) => {
                let row = Array1::from(shapes[kind % shapes.len()].clone());
                state.add_node(row.view());
            }
            Op::Cordon(n, tell) => {
                let node = n % state.nodes();
                state.set_cordoned(node, !state.is_cordoned(node));
                if tell {
                    selector.node_changed(&state, node);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_index_picks_what_the_full_scan_picks((problem, shapes) in problems(), ops in ops()) {
        for name in INDEXED {
            agree(name, &problem, &shapes, &ops);
        }
    }

    #[test]
    fn placing_a_whole_workload_agrees_too((problem, shapes) in problems()) {
        // Every task in order: the long runs of placements that fill nodes.
        let ops: Vec<Op> = (0..problem.tasks()).map(Op::Place).collect();
        for name in INDEXED {
            agree(name, &problem, &shapes, &ops);
        }
    }
}

#[test]
fn first_fit_decreasing_opens_nodes_largest_first_by_its_index() {
    // The reference's order is what `FirstFitDecreasing` uses.
    let (problem, _) = random_problem(2, 40, 60, 3, 11);
    let order = strategy::decreasing_order(&problem, Size::Sum);
    let placed = strategy::by_name("first_fit_decreasing")
        .unwrap()
        .place(&problem, &Options::default())
        .unwrap();
    let mut reference = Reference::new("first_fit_decreasing", &problem, 0);
    let mut state = State::new(&problem);
    for &task in &order {
        if let Some(node) = reference.select(&state, task) {
            state.place(task, node).unwrap();
        }
    }
    assert_eq!(state.assignment(), &placed.assignment[..]);
}

#[test]
fn the_parallel_scan_picks_what_the_sequential_scan_picks() {
    // Above the parallel threshold, with many equal scores (ties to the lowest index) and
    // nodes that do not fit.
    let nodes = strategy::PARALLEL_NODES + 1500;
    for seed in 0..2 {
        let (problem, _) = random_problem(2, nodes, 330, 3, seed);
        let mut state = State::new(&problem);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for task in 0..300 {
            let node = rng.random_range(0..nodes);
            let _ = state.place(task, node);
        }
        let w = [1.0, 1.0];
        for task in 300..330 {
            let d = state.demand(task);
            for score in [most_allocated, balance_score] {
                let s = |n: usize| score(d, state.free(n), state.capacity(n), &w);
                assert_eq!(
                    select_best_par(&state, task, s),
                    select_best(&state, task, s),
                    "seed {seed} task {task}"
                );
            }
            let coarse = |n: usize| (state.task_count(n) % 2) as f64;
            assert_eq!(
                select_best_par(&state, task, coarse),
                select_best(&state, task, coarse)
            );
        }
    }
}
