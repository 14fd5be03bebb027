//! Stranded resources: free capacity that no task can use because another resource of its node
//! is exhausted (the fragmentation measure of Borg, Verma et al., EuroSys 2015, section 5.5).
//!
//! Precisely: on a node that runs at least one task, the free amount `free_r` of resource `r` is
//! **stranded** when
//! 1. no task of the workload that asks for `r` (demand `> 0`) fits the node's free capacity in
//!    every resource, and
//! 2. at least one task that asks for `r` would fit in `r` alone (`0 < demand_r <= free_r`) but
//!    is short of some other resource `s != r` on that node.
//!
//! So free capacity is not stranded when a task could still use it (condition 1), nor when it is
//! only too small or unwanted (no task fits in `r` alone, or no task asks for `r`: condition 2);
//! it is stranded when the node's other resources block it. "The workload" is every task's
//! demand vector, placed or not; node restrictions (`allowed_nodes`) are not considered. Fits use
//! the tolerance of [`crate::state::check_fit`].

use crate::model::Problem;
use crate::placement::Placement;
use crate::state::{TOLERANCE, check_fit};
use ndarray::{Array1, Array2, ArrayView1, Axis};

/// Per resource, the stranded free capacity of one node with `free` left of `capacity`, given
/// the workload's distinct demand rows `shapes` (tasks x resources).
///
/// ```
/// use ndarray::array;
/// use packsched::stranded::stranded_on;
/// // Memory is exhausted: the 3 free cpu are stranded, since the task (1, 1) would fit in cpu
/// // but not in memory.
/// let shapes = array![[1.0, 1.0]];
/// let got = stranded_on(array![3.0, 0.0].view(), array![4.0, 8.0].view(), &shapes);
/// assert_eq!(got.to_vec(), vec![3.0, 0.0]);
/// ```
///
/// Complexity: O(shapes x resources^2).
pub fn stranded_on(
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    shapes: &Array2<f64>,
) -> Array1<f64> {
    let fits = |d: ArrayView1<'_, f64>| check_fit(d, free, capacity).is_ok();
    let within = |d: f64, r: usize| d <= free[r] + TOLERANCE * capacity[r];
    Array1::from_iter((0..free.len()).map(|r| {
        if free[r] <= TOLERANCE * capacity[r] {
            return 0.0;
        }
        let wanting = || shapes.rows().into_iter().filter(move |d| d[r] > 0.0);
        let usable = wanting().any(fits);
        let blocked =
            wanting().any(|d| within(d[r], r) && (0..d.len()).any(|s| s != r && !within(d[s], s)));
        if !usable && blocked { free[r] } else { 0.0 }
    }))
}

/// The O(resources) form of [`stranded_on`], for the simulator, which keeps it at every event:
/// per resource, the free capacity of one node counts as stranded when *another* resource of the
/// node is exhausted, that is has less free than the smallest demand of it in the workload
/// (`smallest`, per resource, zeros included). Then no task of the workload fits the node at all.
/// Stricter than [`stranded_on`], which also counts capacity that only the tasks asking for it
/// cannot use; a resource whose own leftover is too small is fragmented, not stranded.
///
/// Writes one value per resource into `out`. Pure, O(resources).
///
/// ```
/// use ndarray::array;
/// use packsched::stranded::stranded_exhausted;
/// // 10 cpu free but memory exhausted (0.5 left, every task needs at least 1): the cpu is
/// // stranded, and so is the 0.5 of memory only if cpu were exhausted too.
/// let mut out = [0.0; 2];
/// stranded_exhausted(array![10.0, 0.5].view(), array![64.0, 256.0].view(), &[0.5, 1.0], &mut out);
/// assert_eq!(out, [10.0, 0.0]);
/// ```
pub fn stranded_exhausted(
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
    smallest: &[f64],
    out: &mut [f64],
) {
    let exhausted = |r: usize| free[r] + TOLERANCE * capacity[r] < smallest[r];
    let count = (0..free.len()).filter(|&r| exhausted(r)).count();
    for (r, o) in out.iter_mut().enumerate() {
        let others = count - usize::from(exhausted(r));
        *o = if others > 0 { free[r] } else { 0.0 };
    }
}

/// Per resource, the stranded capacity summed over the nodes a placement uses.
///
/// Complexity: O(nodes x resources + tasks log tasks + used nodes x distinct demands x
/// resources^2).
pub fn stranded(problem: &Problem, placement: &Placement) -> Array1<f64> {
    let capacity = problem.cluster().capacity();
    let free = capacity - &placement.load(problem);
    let shapes = distinct_rows(problem.workload().demand());
    let mut total = Array1::zeros(capacity.ncols());
    for node in used_nodes(placement, problem.nodes()) {
        total += &stranded_on(free.row(node), capacity.row(node), &shapes);
    }
    total
}

/// Per resource, [`stranded`] as a fraction of the used nodes' capacity (0 where they have none).
pub fn stranded_fraction(problem: &Problem, placement: &Placement) -> Array1<f64> {
    let capacity = problem.cluster().capacity();
    let used = used_nodes(placement, problem.nodes());
    let used_capacity = capacity.select(Axis(0), &used).sum_axis(Axis(0));
    let mut share = stranded(problem, placement);
    share.zip_mut_with(&used_capacity, |s, &c| {
        *s = if c > 0.0 { *s / c } else { 0.0 }
    });
    share
}

fn used_nodes(placement: &Placement, nodes: usize) -> Vec<usize> {
    let mut used = vec![false; nodes];
    for &n in placement.assignment.iter().flatten() {
        used[n] = true;
    }
    (0..nodes).filter(|&n| used[n]).collect()
}

/// The distinct rows of a matrix (bitwise equal), in sorted order.
fn distinct_rows(matrix: &Array2<f64>) -> Array2<f64> {
    let mut rows: Vec<Vec<f64>> = matrix.rows().into_iter().map(|r| r.to_vec()).collect();
    rows.sort_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    rows.dedup();
    let k = matrix.ncols();
    Array2::from_shape_vec((rows.len(), k), rows.concat()).expect("rows of k")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::Status;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn only_capacity_blocked_by_another_resource_is_stranded() {
        let shapes = array![[2.0, 1.0], [1.0, 3.0]];
        let cap = array![10.0, 10.0];
        let on =
            |free: ndarray::Array1<f64>| stranded_on(free.view(), cap.view(), &shapes).to_vec();
        // Something still fits: nothing is stranded.
        assert_eq!(on(array![2.0, 1.0]), vec![0.0, 0.0]);
        // Memory 0.5 left: both tasks fit in cpu but not memory -> 5 cpu stranded; the 0.5
        // memory is too small for any task, which is not stranding.
        assert_eq!(on(array![5.0, 0.5]), vec![5.0, 0.0]);
        // cpu 0.5 left: the 9 memory is stranded.
        assert_eq!(on(array![0.5, 9.0]), vec![0.0, 9.0]);
        // A resource no task asks for is never stranded.
        let gpu_free = stranded_on(
            array![0.0, 4.0, 8.0].view(),
            array![8.0, 8.0, 8.0].view(),
            &array![[1.0, 1.0, 0.0]],
        );
        assert_eq!(gpu_free.to_vec(), vec![0.0, 4.0, 0.0]);
    }

    #[test]
    fn sums_over_used_nodes_only() {
        // Node 0 holds (9, 2): 1 cpu, 8 memory free; task shapes need 2 cpu: 8 memory stranded.
        // Node 1 is unused: its free capacity does not count.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[9.0, 2.0], [2.0, 2.0]],
        );
        let placement = Placement {
            assignment: vec![Some(0), Some(1)],
            unplaced: vec![],
            status: Status::Heuristic,
            bound: None,
            note: None,
        };
        // Node 1 holds (2, 2): 8 and 8 free, the task (2, 2) fits: nothing stranded there.
        assert_eq!(stranded(&p, &placement).to_vec(), vec![0.0, 8.0]);
        assert_eq!(stranded_fraction(&p, &placement).to_vec(), vec![0.0, 0.4]);
    }
}
