//! Lower bounds on the number of nodes any placement needs.

use crate::model::Problem;
use crate::state::{TOLERANCE, check_fit};

/// Whether each task fits at least one allowed node's full capacity. A task that fits no node can
/// never be placed, so the bounds leave it out.
///
/// Complexity: O(tasks x nodes x resources).
pub fn placeable(problem: &Problem) -> Vec<bool> {
    (0..problem.tasks())
        .map(|t| {
            (0..problem.nodes()).any(|n| {
                let cap = problem.capacity(n);
                problem.allowed(t, n) && check_fit(problem.demand(t), cap, cap).is_ok()
            })
        })
        .collect()
}

/// The fewest nodes that can hold every placeable task: per resource, the fewest of the largest
/// nodes whose capacities add up to the tasks' total demand, the maximum over resources, and at
/// least 1 when there is any placeable task.
///
/// Valid for any placement that places every placeable task. A placement that leaves placeable
/// tasks out may use fewer nodes; [`lower_bound_of`] bounds the tasks it did place.
///
/// ```
/// use ndarray::array;
/// use packsched::{Cluster, Problem, Resources, Workload, bounds::lower_bound};
/// let r = Resources::new(["cpu", "memory"])?;
/// let cluster = Cluster::new(r.clone(), array![[4.0, 8.0], [4.0, 8.0], [4.0, 8.0]])?;
/// let workload = Workload::new(r, array![[3.0, 1.0], [3.0, 1.0], [1.0, 1.0]])?;
/// // 7 cpu need two nodes of 4.
/// assert_eq!(lower_bound(&Problem::new(cluster, workload)?), 2);
/// # Ok::<_, packsched::Error>(())
/// ```
///
/// Complexity: O(tasks x nodes x resources + resources x nodes log nodes).
pub fn lower_bound(problem: &Problem) -> usize {
    let tasks: Vec<usize> = placeable(problem)
        .iter()
        .enumerate()
        .filter(|(_, p)| **p)
        .map(|(t, _)| t)
        .collect();
    lower_bound_of(problem, &tasks)
}

/// The per-resource bound of [`lower_bound`] for a subset of the tasks.
pub fn lower_bound_of(problem: &Problem, tasks: &[usize]) -> usize {
    if tasks.is_empty() {
        return 0;
    }
    let by_resource = (0..problem.resources().len()).map(|r| {
        let total: f64 = tasks.iter().map(|&t| problem.demand(t)[r]).sum();
        let mut caps: Vec<f64> = problem.cluster().capacity().column(r).to_vec();
        caps.sort_unstable_by(|a, b| b.total_cmp(a));
        nodes_to_cover(total, &caps)
    });
    by_resource.max().unwrap_or(0).max(1)
}

/// The fewest leading entries of `caps` (sorted largest first) that add up to `total`, or all of
/// them when even that falls short.
pub fn nodes_to_cover(total: f64, caps: &[f64]) -> usize {
    let mut sum = 0.0_f64;
    for (k, &cap) in caps.iter().enumerate() {
        if sum + TOLERANCE * sum.max(total) >= total {
            return k;
        }
        sum += cap;
    }
    caps.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_with_the_largest_first() {
        assert_eq!(nodes_to_cover(0.0, &[4.0, 2.0]), 0);
        assert_eq!(nodes_to_cover(4.0, &[4.0, 2.0]), 1);
        assert_eq!(nodes_to_cover(5.0, &[4.0, 2.0]), 2);
        assert_eq!(nodes_to_cover(9.0, &[4.0, 2.0]), 2);
        // 0.1 + 0.2 is 0.30000000000000004: rounding must not cost a node.
        assert_eq!(nodes_to_cover(0.1 + 0.2, &[0.3, 0.3]), 1);
    }
}
