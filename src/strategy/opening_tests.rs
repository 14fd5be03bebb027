//! Unit tests of [`opening`](super).

use super::*;
use ndarray::array;

#[test]
fn gpu_nodes_the_gpu_tasks_need_open_last_for_other_tasks() {
    // Three GPU nodes of 4 GPUs; the GPU tasks ask for 5 GPUs: two nodes are set aside (the
    // largest two, 0 and 1), the third (2) is opened like any other.
    let r = crate::Resources::new(["cpu", "memory", "gpu"]).unwrap();
    let capacity = array![
        [64.0, 512.0, 4.0],
        [64.0, 512.0, 4.0],
        [48.0, 256.0, 4.0],
        [32.0, 128.0, 0.0]
    ];
    let demand = array![[8.0, 32.0, 0.0], [8.0, 32.0, 3.0], [8.0, 32.0, 2.0]];
    let p = Problem::new(
        crate::Cluster::new(r.clone(), capacity).unwrap(),
        crate::Workload::new(r, demand).unwrap(),
    )
    .unwrap();
    let aside = set_aside(&p);
    let flags: Vec<bool> = aside.iter().map(|a| a[2]).collect();
    assert_eq!(flags, vec![true, true, false, false]);
    assert_eq!(largest_first(&p), vec![0, 1, 2, 3]);
    assert_eq!(
        opening_order(&p, &aside, &[true, true, false]),
        vec![2, 3, 0, 1]
    );
    assert_eq!(
        opening_order(&p, &aside, &[true, true, true]),
        vec![0, 1, 2, 3]
    );
    let mut state = State::new(&p);
    let mut openings = Openings::new(&p);
    assert_eq!(openings.first_empty(&state, 0), Some(2));
    assert_eq!(openings.first_empty(&state, 1), Some(0));
    state.place(1, 0).unwrap();
    assert_eq!(openings.first_empty(&state, 2), Some(1), "node 0 is in use");
}

#[test]
fn the_opener_tree_opens_what_the_scan_opens_with_two_scarce_resources() {
    // GPU nodes, FPGA nodes, nodes with both and plain nodes, of several sizes; tasks asking
    // for either, both or neither: several classes of set-aside nodes, and tasks that may
    // take some classes and must leave others. Each task goes where the tree says; the scan
    // must agree at every step, until nodes run out.
    let r = crate::Resources::new(["cpu", "gpu", "fpga"]).unwrap();
    // GPU and FPGA nodes of equal size, so that the classes' largest-first ranks interleave.
    let kinds = [
        [32.0, 0.0, 0.0],
        [64.0, 4.0, 0.0],
        [64.0, 0.0, 4.0],
        [96.0, 8.0, 8.0],
        [16.0, 0.0, 0.0],
    ];
    let capacity: Vec<f64> = (0..40).flat_map(|n| kinds[(n * 7) % 5]).collect();
    let shapes = [
        [8.0, 0.0, 0.0],
        [8.0, 4.0, 0.0],
        [8.0, 0.0, 4.0],
        [8.0, 4.0, 4.0],
        [40.0, 0.0, 0.0],
    ];
    let demand: Vec<f64> = (0..60).flat_map(|t| shapes[(t * 3) % 5]).collect();
    let p = Problem::new(
        crate::Cluster::new(
            r.clone(),
            ndarray::Array2::from_shape_vec((40, 3), capacity).unwrap(),
        )
        .unwrap(),
        crate::Workload::new(r, ndarray::Array2::from_shape_vec((60, 3), demand).unwrap()).unwrap(),
    )
    .unwrap();
    let mut opener = Opener::new(&p);
    assert!(opener.classes.len() >= 3, "{:?}", opener.classes);
    let mut scan = Openings::new(&p);
    let mut state = State::new(&p);
    for task in 0..p.tasks() {
        let got = opener.first_empty(&state, task);
        assert_eq!(got, scan.first_empty(&state, task), "task {task}");
        if let Some(node) = got {
            state.place(task, node).unwrap();
            opener.changed(&state, node);
        }
    }
}

#[test]
fn a_task_that_must_take_a_set_aside_node_takes_the_largest_of_any_class() {
    // Nodes 0 and 2 are set aside for the GPU tasks, 1 and 3 for the FPGA tasks (all four
    // of one size: largest first is index order), node 4 is too small. A task asking for
    // neither fits only set-aside nodes: the first goes to node 0, the next to node 1 (of
    // the FPGA class, before node 2 of the GPU class, whose class comes first in the tree).
    let r = crate::Resources::new(["cpu", "gpu", "fpga"]).unwrap();
    let capacity = ndarray::array![
        [64.0, 4.0, 0.0],
        [64.0, 0.0, 4.0],
        [64.0, 4.0, 0.0],
        [64.0, 0.0, 4.0],
        [16.0, 0.0, 0.0]
    ];
    let demand = ndarray::array![
        [40.0, 0.0, 0.0],
        [40.0, 0.0, 0.0],
        [8.0, 4.0, 0.0],
        [8.0, 4.0, 0.0],
        [8.0, 0.0, 4.0],
        [8.0, 0.0, 4.0]
    ];
    let p = Problem::new(
        crate::Cluster::new(r.clone(), capacity).unwrap(),
        crate::Workload::new(r, demand).unwrap(),
    )
    .unwrap();
    let mut opener = Opener::new(&p);
    let mut scan = Openings::new(&p);
    let mut state = State::new(&p);
    for (task, want) in [(0, 0), (1, 1), (2, 2), (4, 3)] {
        assert_eq!(scan.first_empty(&state, task), Some(want), "task {task}");
        assert_eq!(opener.first_empty(&state, task), Some(want), "task {task}");
        state.place(task, want).unwrap();
        opener.changed(&state, want);
    }
}
