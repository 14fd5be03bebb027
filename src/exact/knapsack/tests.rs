//! The pricing knapsack against brute force, and the maximal-bin enumeration.

use super::*;
use crate::strategy::testing::problem;
use ndarray::Array2;
use std::time::Duration;

fn far() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

/// Brute force over every count vector.
fn brute(inst: &Instance, res: &Residual, values: &[f64], cap: &[f64]) -> f64 {
    let n = inst.items.len();
    let mut best = 0.0_f64;
    let mut counts = vec![0u32; n];
    loop {
        let load = inst.load(&counts);
        if load.iter().zip(cap).all(|(l, c)| l <= c) {
            let v: f64 = counts
                .iter()
                .zip(values)
                .map(|(&c, v)| f64::from(c) * v)
                .sum();
            best = best.max(v);
        }
        let mut i = 0;
        while i < n {
            if counts[i] < res.items[i] {
                counts[i] += 1;
                break;
            }
            counts[i] = 0;
            i += 1;
        }
        if i == n {
            return best;
        }
    }
}

fn random_instance(seed: u64) -> (Instance, Vec<f64>) {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let n = 2 + next(5) as usize;
    let demand: Vec<f64> = (0..2 * n).map(|_| 1.0 + next(9) as f64).collect();
    let values: Vec<f64> = (0..n).map(|_| next(100) as f64 / 37.0).collect();
    let copies = (0..n).flat_map(|i| {
        let c = 1 + next(3) as usize;
        std::iter::repeat_n([demand[2 * i], demand[2 * i + 1]], c)
    });
    let rows: Vec<[f64; 2]> = copies.collect();
    let d = Array2::from_shape_fn((rows.len(), 2), |(t, r)| rows[t][r]);
    let p = problem(Array2::from_elem((1, 2), 12.0), d);
    let inst = Instance::new(&p);
    // Values follow the instance's own (sorted) order of distinct demand rows.
    let v = inst
        .items
        .iter()
        .map(|it| {
            let j = (0..n)
                .find(|&j| [demand[2 * j], demand[2 * j + 1]] == it.demand[..])
                .unwrap();
            values[j]
        })
        .collect();
    (inst, v)
}

#[test]
fn matches_brute_force_on_random_small_knapsacks() {
    for seed in 0..200 {
        let (inst, values) = random_instance(seed);
        let res = inst.full();
        let cap = inst.loose_capacity(0);
        let k = Knapsack::new(&inst, &res, 0, &values, cap.clone(), false);
        let got = k.maximise(far());
        let want = brute(&inst, &res, &values, &cap);
        assert!(got.exact);
        assert!(
            (got.value - want).abs() < 1e-9,
            "seed {seed}: {} vs {want}",
            got.value
        );
        let load = inst.load(&got.counts);
        assert!(load.iter().zip(&cap).all(|(l, c)| l <= c));
        assert!(got.counts.iter().zip(&res.items).all(|(c, m)| c <= m));
    }
}

#[test]
fn maximal_bins_are_maximal_contain_the_forced_item_and_are_all_there() {
    for seed in 0..60 {
        let (inst, values) = random_instance(seed);
        let res = inst.full();
        let cap = inst.loose_capacity(0);
        let k = Knapsack::new(&inst, &res, 0, &values, cap.clone(), true);
        let (bins, complete) = k.maximal_bins(0, 0.0, 100_000, far());
        assert!(complete);
        for b in &bins {
            assert!(b[0] >= 1);
            let load = inst.load(b);
            assert!(load.iter().zip(&cap).all(|(l, c)| l <= c));
            for j in 0..inst.items.len() {
                if b[j] < res.items[j] {
                    let fits = inst.items[j]
                        .demand
                        .iter()
                        .zip(&load)
                        .zip(&cap)
                        .any(|((d, l), c)| l + d > *c);
                    assert!(fits, "seed {seed}: bin {b:?} not maximal");
                }
            }
        }
        // The best bin containing item 0 is among them.
        let best = bins
            .iter()
            .map(|b| {
                b.iter()
                    .zip(&values)
                    .map(|(&c, v)| f64::from(c) * v)
                    .sum::<f64>()
            })
            .fold(f64::MIN, f64::max);
        let forced_best = {
            let mut r = res.clone();
            r.items[0] -= 1;
            let k2 = Knapsack::new(
                &inst,
                &r,
                0,
                &values,
                cap.iter()
                    .zip(&inst.items[0].demand)
                    .map(|(c, d)| c - d)
                    .collect(),
                false,
            );
            k2.maximise(far()).value + values[0]
        };
        assert!((best - forced_best).abs() < 1e-9, "seed {seed}");
    }
}
