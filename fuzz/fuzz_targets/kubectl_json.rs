//! kubectl exports (nodes JSON, NUL, pods JSON): import never panics; the what-if's two
//! problems are placed by every strategy within capacity, and its report renders.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use packsched::k8s;
use packsched::strategy::{Kind, Options, registry};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let Some((nodes, pods)) = common::two_texts(data) else {
        return;
    };
    let (Ok(nodes), Ok(pods)) = (
        k8s::read_nodes(nodes, "nodes"),
        k8s::read_pods(pods, "pods"),
    ) else {
        return;
    };
    let (fit, repack) =
        k8s::problems(&nodes, &pods).expect("an import always makes valid problems");
    common::place_and_check(&fit);
    common::place_and_check(&repack);
    if repack.tasks() * nodes.len().max(1) <= 20_000 {
        let heuristics: Vec<_> = registry()
            .iter()
            .filter(|e| e.kind == Kind::Heuristic)
            .map(|e| (e.build)())
            .collect();
        let options = Options::default().with_time_limit(Duration::from_millis(100));
        let report = k8s::what_if(&nodes, &pods, &heuristics, &options).expect("what-if runs");
        let _ = (report.to_table(), report.to_json());
    }
});
