//! Seeded scenario factories shared by the benchmarks.

#![allow(dead_code)]

use ndarray::Array2;
use packsched::{Cluster, Problem, Resources, Workload};

/// SplitMix64: a tiny seeded generator, the same stream on every machine.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next value in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `nodes` nodes of three machine types and `tasks` tasks of 0.5..=3.5 cpu and 1..=25 memory, over
/// cpu and memory.
pub fn cluster(nodes: usize, tasks: usize, seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let types = [[32.0, 128.0], [64.0, 256.0], [16.0, 256.0]];
    let cap: Vec<f64> = (0..nodes).flat_map(|n| types[n % 3]).collect();
    let dem: Vec<f64> = (0..tasks)
        .flat_map(|_| {
            let cpu = (1.0 + 6.0 * rng.next_f64()).round() / 2.0;
            let mem = (1.0 + 24.0 * rng.next_f64()).round();
            [cpu, mem]
        })
        .collect();
    let r = Resources::new(["cpu", "memory"]).unwrap();
    Problem::new(
        Cluster::new(r.clone(), Array2::from_shape_vec((nodes, 2), cap).unwrap()).unwrap(),
        Workload::new(r, Array2::from_shape_vec((tasks, 2), dem).unwrap()).unwrap(),
    )
    .unwrap()
}

/// The scale benchmark's scenario: [`packsched::generate::fleet`] with `tasks_per_node` tasks
/// per node (their demands scaled so that the workload asks for 85% of the scarcer resource).
pub fn fleet(nodes: usize, tasks_per_node: usize, seed: u64) -> Problem {
    packsched::generate::fleet(nodes, nodes * tasks_per_node, seed).unwrap()
}
