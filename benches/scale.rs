//! Cost per placement as the cluster grows: every heuristic places a generated fleet workload
//! (4 tasks per node, asking for 85% of the scarcer resource) on 1,000, 10,000 and 100,000
//! nodes; throughput is in placements (tasks) per second.
//!
//! `dot_product` and `norm_diff` are measured by their per-task rule, as in the scale example
//! (their batch packing is quadratic in tasks); `repack` is left out. The 100,000-node cases of
//! the slowest strategies take minutes: run a subset with a filter, e.g.
//! `cargo bench --bench scale -- best_fit`.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use packsched::strategy::{Kind, greedy, registry};
use packsched::{Options, Problem, Strategy};
use std::hint::black_box;
use std::time::Duration;

/// Cluster sizes.
const NODES: [usize; 3] = [1_000, 10_000, 100_000];

/// Tasks per node.
const PER_NODE: usize = 4;

/// Strategies measured by their per-task rule.
const PER_TASK_RULE: [&str; 2] = ["dot_product", "norm_diff"];

fn run(strategy: &dyn Strategy, problem: &Problem, options: &Options) -> usize {
    let placement = if PER_TASK_RULE.contains(&strategy.name()) {
        let mut selector = strategy.selector(problem, options).unwrap();
        greedy(problem, &strategy.order(problem), selector.as_mut())
    } else {
        strategy.place(problem, options).unwrap()
    };
    placement.nodes_used()
}

fn scale(c: &mut Criterion) {
    let options = Options::default();
    let problems: Vec<(usize, Problem)> = NODES
        .iter()
        .map(|&n| (n, common::fleet(n, PER_NODE, 42)))
        .collect();
    for entry in registry()
        .iter()
        .filter(|e| e.kind == Kind::Heuristic && e.name != "repack")
    {
        let strategy = (entry.build)();
        let mut group = c.benchmark_group(format!("scale/{}", entry.name));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for (nodes, problem) in &problems {
            group.throughput(Throughput::Elements(problem.tasks() as u64));
            group.bench_with_input(BenchmarkId::from_parameter(nodes), problem, |b, p| {
                b.iter(|| run(strategy.as_ref(), black_box(p), &options))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, scale);
criterion_main!(benches);
