//! A large cluster and a workload of many small services that about fills it: the scale
//! benchmark's scenario.

use crate::error::{Error, Result};
use crate::model::{Cluster, Problem, Resources, Workload};
use ndarray::Array2;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The share of the cluster's cpu or memory (whichever is scarcer) that the workload asks for.
pub const FLEET_FILL: f64 = 0.85;

/// Machine types (cpu, memory GiB, gpu), by node index modulo 10: 5 general, 3 small, 1
/// high-memory, 1 GPU node in each 10.
const TYPES: [[f64; 3]; 10] = [
    [64.0, 256.0, 0.0],
    [32.0, 128.0, 0.0],
    [64.0, 256.0, 0.0],
    [32.0, 128.0, 0.0],
    [64.0, 256.0, 0.0],
    [64.0, 512.0, 0.0],
    [64.0, 256.0, 0.0],
    [32.0, 128.0, 0.0],
    [64.0, 256.0, 0.0],
    [96.0, 768.0, 8.0],
];

/// A cluster of `nodes` nodes over cpu, memory (GiB) and gpu, of four machine types (half
/// general 64 cpu / 256 GiB, 30% small 32 / 128, 10% high-memory 64 / 512, 10% GPU 96 / 768 / 8
/// GPUs), and `tasks` tasks drawn from a service mix: 55% tiny (0.1..=0.5 cpu, 0.25..=1 GiB), 30%
/// small (0.5..=1 cpu, 1..=4 GiB), 10% medium (2..=4 cpu, 4..=16 GiB), 4% memory-heavy (1..=2
/// cpu, 16..=32 GiB) and GPU jobs (4 cpu, 32 GiB, 1 or 2 GPUs) for about 70% of the GPUs (at
/// most 1% of tasks). Cpu and memory demands are then scaled together so that the workload asks
/// for [`FLEET_FILL`] of the cluster's cpu or memory, whichever is scarcer, and rounded to 10
/// millicores and 16 MiB: with 100 tasks per node (Nomad's C1M ratio was 200) the mix is about
/// as drawn. Each task has a duration of 10 s to 3 h (log-uniform, for `least_time`). The same
/// sizes and seed give the same scenario on any machine (ChaCha8).
///
/// ```
/// use packsched::generate::fleet;
/// let p = fleet(100, 10_000, 1)?;
/// assert_eq!((p.nodes(), p.tasks(), p.resources().len()), (100, 10_000, 3));
/// assert_eq!(p, fleet(100, 10_000, 1)?);
/// # Ok::<_, packsched::Error>(())
/// ```
///
/// Errors ([`Error::InvalidOption`]): no nodes.
pub fn fleet(nodes: usize, tasks: usize, seed: u64) -> Result<Problem> {
    if nodes == 0 {
        return Err(Error::InvalidOption {
            option: "nodes",
            message: "a fleet needs at least one node".into(),
        });
    }
    let capacity: Vec<f64> = (0..nodes).flat_map(|n| TYPES[n % TYPES.len()]).collect();
    let capacity = Array2::from_shape_vec((nodes, 3), capacity).expect("rows of 3");
    let gpus: f64 = capacity.column(2).sum();
    let gpu_share = (0.7 * gpus / 1.5 / tasks.max(1) as f64).min(0.01);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut demand = Array2::zeros((tasks, 3));
    let mut duration = Vec::with_capacity(tasks);
    for mut row in demand.rows_mut() {
        let [cpu, memory, gpu] = service(&mut rng, gpu_share);
        row[0] = cpu;
        row[1] = memory;
        row[2] = gpu;
        duration.push(10f64.powf(rng.random_range(1.0..4.0)).round());
    }
    let asked = |r: usize| demand.column(r).sum() / capacity.column(r).sum();
    let scale = FLEET_FILL / asked(0).max(asked(1)).max(f64::MIN_POSITIVE);
    for mut row in demand.rows_mut() {
        row[0] = round_to(row[0] * scale, 0.01);
        row[1] = round_to(row[1] * scale, 1.0 / 64.0);
    }
    let resources = Resources::new(["cpu", "memory", "gpu"])?;
    let workload = Workload::new(resources.clone(), demand)?.with_duration(duration)?;
    Problem::new(Cluster::new(resources, capacity)?, workload)
}

/// One task's (cpu, memory, gpu) before scaling.
fn service(rng: &mut impl Rng, gpu_share: f64) -> [f64; 3] {
    let pick = |rng: &mut dyn Rng, options: &[f64]| options[rng.random_range(0..options.len())];
    let kind: f64 = rng.random();
    if kind < gpu_share {
        return [4.0, 32.0, pick(rng, &[1.0, 2.0])];
    }
    let kind: f64 = rng.random();
    let (cpu, memory): (&[f64], &[f64]) = if kind < 0.55 {
        (&[0.1, 0.25, 0.5], &[0.25, 0.5, 1.0])
    } else if kind < 0.85 {
        (&[0.5, 1.0], &[1.0, 2.0, 4.0])
    } else if kind < 0.95 {
        (&[2.0, 4.0], &[4.0, 8.0, 16.0])
    } else {
        (&[1.0, 2.0], &[16.0, 32.0])
    };
    [pick(rng, cpu), pick(rng, memory), 0.0]
}

/// `value` rounded to a multiple of `step`, at least one step.
fn round_to(value: f64, step: f64) -> f64 {
    ((value / step).round() * step).max(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_about_the_fill_of_the_scarcer_resource() {
        let p = fleet(200, 20_000, 3).unwrap();
        let asked = |r: usize| {
            p.workload().demand().column(r).sum() / p.cluster().capacity().column(r).sum()
        };
        let (cpu, memory, gpu) = (asked(0), asked(1), asked(2));
        assert!(
            (cpu.max(memory) - FLEET_FILL).abs() < 0.01,
            "{cpu} {memory}"
        );
        assert!(gpu > 0.3 && gpu < 1.0, "{gpu}");
        assert_ne!(p, fleet(200, 20_000, 4).unwrap());
        assert!(fleet(0, 10, 1).is_err());
    }
}
