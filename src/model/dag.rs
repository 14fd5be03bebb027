//! The dependency graph between tasks: topological order and cycle detection.

use crate::error::{Error, Result};

/// A topological order of the tasks (every task after the tasks it depends on), ties by index.
///
/// `depends_on[t]` lists the tasks `t` depends on; indices must be in range.
/// Errors: [`Error::DependencyCycle`] naming the tasks on one cycle.
///
/// Complexity: O(tasks + edges).
pub fn topological_order(depends_on: &[Vec<usize>]) -> Result<Vec<usize>> {
    let n = depends_on.len();
    let mut indegree = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (task, deps) in depends_on.iter().enumerate() {
        for &dep in deps {
            indegree[task] += 1;
            dependents[dep].push(task);
        }
    }
    let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
        .filter(|&t| indegree[t] == 0)
        .map(std::cmp::Reverse)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(std::cmp::Reverse(task)) = ready.pop() {
        order.push(task);
        for &next in &dependents[task] {
            indegree[next] -= 1;
            if indegree[next] == 0 {
                ready.push(std::cmp::Reverse(next));
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err(Error::DependencyCycle {
            tasks: find_cycle(depends_on, &indegree),
        })
    }
}

/// Checks that the dependencies form a DAG.
pub fn check_acyclic(depends_on: &[Vec<usize>]) -> Result<()> {
    topological_order(depends_on).map(|_| ())
}

/// Walks dependencies among the tasks left with a positive in-degree until one repeats.
fn find_cycle(depends_on: &[Vec<usize>], indegree: &[usize]) -> Vec<usize> {
    let start = indegree.iter().position(|&d| d > 0).unwrap_or(0);
    let mut seen_at = vec![usize::MAX; depends_on.len()];
    let mut path = Vec::new();
    let mut task = start;
    while seen_at[task] == usize::MAX {
        seen_at[task] = path.len();
        path.push(task);
        // A task left on the cycle side has a dependency also left there.
        task = depends_on[task]
            .iter()
            .copied()
            .find(|&d| indegree[d] > 0)
            .unwrap_or(task);
    }
    let mut cycle: Vec<usize> = path[seen_at[task]..].to_vec();
    cycle.reverse();
    cycle.push(cycle[0]);
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first() {
        let order = topological_order(&[vec![2], vec![], vec![1]]).unwrap();
        assert_eq!(order, vec![1, 2, 0]);
    }

    #[test]
    fn names_the_tasks_on_a_cycle() {
        // 0 -> 1 -> 2 -> 0, and 3 depends on the cycle.
        let err = topological_order(&[vec![2], vec![0], vec![1], vec![0]]).unwrap_err();
        match err {
            Error::DependencyCycle { tasks } => {
                assert_eq!(tasks.len(), 4);
                assert_eq!(tasks.first(), tasks.last());
                let mut on_cycle = tasks[..3].to_vec();
                on_cycle.sort();
                assert_eq!(on_cycle, vec![0, 1, 2]);
            }
            other => panic!("expected a cycle, got {other}"),
        }
    }

    #[test]
    fn self_dependency_is_a_cycle() {
        let err = topological_order(&[vec![], vec![1]]).unwrap_err();
        assert!(err.to_string().contains("1 -> 1"), "{err}");
    }
}
