//! Decision time of each strategy on a few scenario sizes.

mod common;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use packsched::strategy::{Kind, registry};
use packsched::{Options, scenario};
use std::hint::black_box;
use std::time::Duration;

/// (nodes, tasks) of the generated scenarios.
const SIZES: [(usize, usize); 3] = [(10, 50), (50, 500), (200, 5000)];

fn heuristics(c: &mut Criterion) {
    let options = Options::default();
    for entry in registry().iter().filter(|e| e.kind == Kind::Heuristic) {
        let strategy = (entry.build)();
        let mut group = c.benchmark_group(entry.name);
        for (nodes, tasks) in SIZES {
            let problem = common::cluster(nodes, tasks, 42);
            group.bench_with_input(BenchmarkId::from_parameter(tasks), &problem, |b, p| {
                b.iter(|| strategy.place(black_box(p), &options).unwrap())
            });
        }
        group.finish();
    }
}

/// local_search with a small budget (0.2 s of steps; it stops earlier at the lower bound): the
/// registry's heuristics, then the consolidation engine.
fn improvement(c: &mut Criterion) {
    let options = Options::default().with_time_limit(Duration::from_millis(200));
    for entry in registry().iter().filter(|e| e.kind == Kind::Improvement) {
        let strategy = (entry.build)();
        let mut group = c.benchmark_group(entry.name);
        group.sample_size(10);
        for (nodes, tasks) in SIZES {
            let problem = common::cluster(nodes, tasks, 42);
            group.bench_with_input(BenchmarkId::from_parameter(tasks), &problem, |b, p| {
                b.iter(|| strategy.place(black_box(p), &options).unwrap())
            });
        }
        group.finish();
    }
}

fn exact(c: &mut Criterion) {
    let options = Options::default().with_time_limit(Duration::from_secs(10));
    let mut group = c.benchmark_group("lp_optimal");
    group.sample_size(10);
    for file in ["correlated-20.json", "uniform-20.json"] {
        let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
        let problem = scenario::load(&path).unwrap();
        let strategy = packsched::strategy::by_name("lp_optimal").unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(file), &problem, |b, p| {
            b.iter(|| strategy.place(black_box(p), &options).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, heuristics, improvement, exact);
criterion_main!(benches);
