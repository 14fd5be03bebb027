//! `least_connections`: the fitting node with the fewest tasks.

use super::{Options, Selector, Strategy, select_best, select_best_among};
use crate::model::Problem;
use crate::state::State;

/// The fitting node with the fewest tasks placed on it, ties to the lowest index: the classic
/// load-balancer policy (nginx `least_conn`, HAProxy `leastconn`). Spreads tasks by count.
///
/// Complexity: O(nodes x resources) per placement. Memory: none beyond the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeastConnections;

/// The score: fewer tasks score higher.
///
/// ```
/// use packsched::strategy::connections_score;
/// assert!(connections_score(1) > connections_score(2));
/// ```
pub fn connections_score(tasks_on_node: u32) -> f64 {
    -f64::from(tasks_on_node)
}

struct Fewest;

impl Selector for Fewest {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        select_best(state, task, |n| connections_score(state.task_count(n)))
    }

    fn select_among(&mut self, state: &State<'_>, _: usize, fitting: &[usize]) -> Option<usize> {
        select_best_among(fitting, |n| connections_score(state.task_count(n)))
    }
}

impl Strategy for LeastConnections {
    fn name(&self) -> &str {
        "least_connections"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        Some(Box::new(Fewest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn picks_the_node_with_fewest_tasks() {
        // Ties go to the lower index: 0 -> node 0, 1 -> node 1 (0 tasks), 2 -> node 0 (tie at
        // one task each), 3 -> node 1 (fewer), 4 -> node 1 (node 0 is full).
        let p = problem(
            array![[4.0, 4.0], [8.0, 8.0]],
            array![[3.0, 3.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0]],
        );
        let got = place(&LeastConnections, &p);
        assert_eq!(
            got.assignment,
            vec![Some(0), Some(1), Some(0), Some(1), Some(1)]
        );
    }
}
