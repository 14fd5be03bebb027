//! Unit tests of [`linear`](super).

use super::*;
use crate::model::{Cluster, Problem, Resources, Workload};
use crate::strategy::{
    ScoreFn, balance_score, binpack_score, least_allocated, most_allocated, select_best,
};
use ndarray::{Array2, array};

/// LeastAllocated's bound, padded generously.
fn emptiest(l: f64, shares: f64, total: f64) -> f64 {
    (l - shares) / total + 1e-6
}

/// MostAllocated's bound, padded generously.
fn fullest(l: f64, shares: f64, total: f64) -> f64 {
    (total - l + shares) / total + 1e-6
}

/// BalancedAllocation's bound around the task's difference, padded generously.
fn around(difference: f64, task: f64, count: f64) -> f64 {
    1.0 - ((task - difference).abs() - 1e-6).max(0.0) / count + 1e-6
}

/// Nomad's bin-packing bound (10^x convex), padded generously.
fn convex(l: f64, shares: f64, total: f64) -> f64 {
    total * (10.0 - 10f64.powf((l - shares) / total)) + 1e-6
}

/// The walks, each with a score and its bound.
const WALKS: [(ScoreFn, LinearBound, Walk); 4] = [
    (least_allocated, emptiest, Walk::Emptiest),
    (most_allocated, fullest, Walk::Fullest),
    (balance_score, around, Walk::Around),
    (binpack_score, convex, Walk::Fullest),
];

fn problem(capacity: Array2<f64>, demand: Array2<f64>) -> Problem {
    let r = Resources::new(["cpu", "memory"]).unwrap();
    let cluster = Cluster::new(r.clone(), capacity).unwrap();
    Problem::new(cluster, Workload::new(r, demand).unwrap()).unwrap()
}

/// The nodes filed: in the treap, or following a node there.
fn filed(index: &Linear) -> usize {
    let mut ordered = 0;
    for t in &index.types {
        index
            .keyed
            .walk(t.root, &[f64::NEG_INFINITY; 2], &mut |_, n, _| {
                ordered += 1 + index.alike.followers(n).count();
                Some(true)
            });
    }
    ordered
}

#[test]
fn answers_as_the_full_scan_and_gives_up_on_many_types() {
    for (score_fn, bound, walk) in WALKS {
        // Two machine types; tasks placed one after another, each choice checked.
        let capacity =
            Array2::from_shape_fn((40, 2), |(n, r)| [[8.0, 16.0], [4.0, 32.0]][n % 2][r]);
        let demand = Array2::from_shape_fn((120, 2), |(t, r)| ((t * 7 + r * 3) % 5) as f64 + 0.5);
        let p = problem(capacity, demand);
        let (mut state, mut index) = (State::new(&p), Linear::new(&[1.0; 2], (bound, walk)));
        let mut answered = 0;
        for task in 0..p.tasks() {
            let d = p.demand(task);
            let score = |n: usize| score_fn(d, state.free(n), state.capacity(n), &[1.0; 2]);
            let want = select_best(&state, task, score);
            if let Some(got) = index.best(&state, task, score) {
                assert_eq!(got, want, "{walk:?}, task {task}");
                answered += 1;
            }
            if let Some(node) = want {
                state.place(task, node).unwrap();
                index.changed(&state, node);
            }
        }
        assert_eq!(answered, p.tasks());
        // Nodes filled within the fit tolerance (3 less five times 0.6 leaves about -2e-16
        // free) are still answered for.
        let p = problem(
            array![[3.0, 3.0], [3.0, 3.0]],
            Array2::from_elem((12, 2), 0.6),
        );
        let (mut state, mut index) = (State::new(&p), Linear::new(&[1.0; 2], (bound, walk)));
        for task in 0..p.tasks() {
            let d = p.demand(task);
            let score = |n: usize| score_fn(d, state.free(n), state.capacity(n), &[1.0; 2]);
            let want = select_best(&state, task, score);
            assert_eq!(
                index.best(&state, task, score),
                Some(want),
                "{walk:?} {task}"
            );
            if let Some(node) = want {
                state.place(task, node).unwrap();
                index.changed(&state, node);
            }
        }
        assert!((0..2).all(|n| state.free_row(n)[0] < 0.0 && state.task_count(n) == 5));
        // Every node filed once: none left behind by a full node (weighted free fraction
        // 0) filed again.
        assert_eq!(filed(&index), p.nodes());
        let p = problem(
            array![[2.0, 2.0], [2.0, 2.0]],
            array![[1.0, 1.0], [1.0, 1.0]],
        );
        let (mut state, mut index) = (State::new(&p), Linear::new(&[1.0; 2], (bound, walk)));
        assert_eq!(index.best(&state, 0, |_| 0.0), Some(Some(0)));
        for task in 0..2 {
            state.place(task, 0).unwrap();
            index.changed(&state, 0);
        }
        state.remove(0);
        index.changed(&state, 0);
        assert_eq!(filed(&index), 2);
        // Seventeen machine types: the index does not answer.
        let capacity = Array2::from_shape_fn((17, 2), |(n, _)| 10.0 + n as f64);
        let p = problem(capacity, array![[1.0, 1.0]]);
        let state = State::new(&p);
        let mut index = Linear::new(&[1.0; 2], (bound, walk));
        assert_eq!(index.best(&state, 0, |_| 0.0), None);
    }
}
