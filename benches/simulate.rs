//! Simulator throughput: events handled per second (arrivals, completions, node events) on a
//! generated workload, by cluster size, for a cheap strategy (`round_robin`) under each queue
//! policy.
//!
//! The workload: the `cluster` class (three machine types), Poisson arrivals at 90% offered
//! load, lognormal durations (median 60 s, sigma 0.5), one node failure and its replacement.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use packsched::generate::Class;
use packsched::sim::{QueuePolicy, Simulator, WorkloadSpec};
use packsched::strategy;
use std::hint::black_box;

/// (nodes, tasks) of the runs.
const SIZES: [(usize, usize); 2] = [(1_000, 100_000), (10_000, 1_000_000)];

fn throughput(c: &mut Criterion) {
    let round_robin = strategy::by_name("round_robin").unwrap();
    for queue in QueuePolicy::ALL {
        let mut group = c.benchmark_group(format!("simulate_round_robin_{queue}"));
        group.sample_size(10);
        for (nodes, tasks) in SIZES {
            let (problem, events) = WorkloadSpec::new(Class::Cluster, nodes, tasks, 42)
                .with_load(0.9)
                .with_durations(60.0, 0.5)
                .with_failures(1, 600.0)
                .generate()
                .unwrap();
            let sim = Simulator::builder(&problem)
                .events(events)
                .queue(queue)
                .build()
                .unwrap();
            let events = sim.run(round_robin.as_ref()).unwrap().events;
            group.throughput(Throughput::Elements(events));
            group.bench_with_input(BenchmarkId::from_parameter(nodes), &sim, |b, sim| {
                b.iter(|| sim.run(black_box(round_robin.as_ref())).unwrap())
            });
        }
        group.finish();
    }
}

criterion_group!(benches, throughput);
criterion_main!(benches);
