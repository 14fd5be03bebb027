//! The completion by enumeration against brute force on small random instances.

use super::*;
use crate::exact::colgen::{self, Pool, Stop};
use crate::model::Problem;
use crate::strategy::testing::problem;
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The fewest bins of capacity `cap` that hold every row of `items`, by exhaustive search.
pub(crate) fn optimum(items: &[[f64; 2]], cap: f64) -> usize {
    fn go(items: &[[f64; 2]], cap: f64, loads: &mut Vec<[f64; 2]>, best: &mut usize) {
        let Some((first, rest)) = items.split_first() else {
            *best = (*best).min(loads.len());
            return;
        };
        for b in 0..loads.len() {
            if loads[b][0] + first[0] <= cap && loads[b][1] + first[1] <= cap {
                loads[b][0] += first[0];
                loads[b][1] += first[1];
                go(rest, cap, loads, best);
                loads[b][0] -= first[0];
                loads[b][1] -= first[1];
            }
        }
        if loads.len() + 1 < *best {
            loads.push(*first);
            go(rest, cap, loads, best);
            loads.pop();
        }
    }
    let mut best = items.len();
    go(items, cap, &mut Vec::new(), &mut best);
    best
}

/// `n` tasks of two resources, sizes drawn from 2..=`most` and 1..=`most` with `seed`, and as
/// many nodes of 10: the sizes, and the problem.
pub(crate) fn random(seed: u64, n: usize, most: u8) -> (Vec<[f64; 2]>, Problem) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let items: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            [
                f64::from(rng.random_range(2..=most)),
                f64::from(rng.random_range(1..=most)),
            ]
        })
        .collect();
    let demand = Array2::from_shape_fn((n, 2), |(t, r)| items[t][r]);
    (items, problem(Array2::from_elem((n, 2), 10.0), demand))
}

#[test]
fn finds_the_optimum_and_proves_that_one_bin_fewer_is_impossible() {
    let far = || Instant::now() + Duration::from_secs(60);
    for seed in 0..40 {
        // Nine tasks of two resources with sizes from a small set (so that some tasks are
        // identical: item types with a multiplicity), nodes of 10.
        let (items, p) = random(seed, 9, 6);
        let inst = Instance::new(&p);
        let full = inst.full();
        let stop = Stop {
            known: 0,
            at: usize::MAX,
            converge: Some(far()),
        };
        let relax = colgen::solve(&inst, &full, &mut Pool::default(), stop, None, far()).unwrap();
        let best = optimum(&items, 10.0);
        match complete(&inst, &full, &relax, best, u64::MAX, far()) {
            Completion::Found(bins) => {
                assert!(bins.len() <= best, "seed {seed}");
                assert!(bins.iter().all(|b| inst.is_packable(b)), "seed {seed}");
                for (i, item) in inst.items.iter().enumerate() {
                    let placed: u32 = bins.iter().map(|b| b.counts[i]).sum();
                    assert_eq!(placed as usize, item.tasks.len(), "seed {seed}");
                }
            }
            other => panic!("seed {seed}: {other:?} with the optimum {best} as target"),
        }
        let below = complete(&inst, &full, &relax, best - 1, u64::MAX, far());
        assert_eq!(below, Completion::Impossible, "seed {seed}, optimum {best}");
    }
}
