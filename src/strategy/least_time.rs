//! `least_time`: the fitting node whose placed work would finish first.

use super::{Options, Selector, Strategy, select_best, select_best_among};
use crate::model::Problem;
use crate::state::State;

/// The fitting node whose placed work, run one task after another, would finish first with this
/// task added: work is the sum of the tasks' durations, 1 per task without a duration. The
/// load-balancer policy of nginx Plus (`least_time`). Ties to the lowest index.
///
/// Complexity: O(nodes x resources) per placement. Memory: none beyond the state.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeastTime;

/// When the node's work would finish with the task added: `placed_work + task_work`.
///
/// ```
/// use packsched::strategy::finish_time;
/// assert_eq!(finish_time(3.0, 1.5), 4.5);
/// ```
pub fn finish_time(placed_work: f64, task_work: f64) -> f64 {
    placed_work + task_work
}

struct Earliest;

impl Selector for Earliest {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let work = state.task_work(task);
        select_best(state, task, |n| -finish_time(state.work(n), work))
    }

    fn select_among(&mut self, state: &State<'_>, task: usize, fitting: &[usize]) -> Option<usize> {
        let work = state.task_work(task);
        select_best_among(fitting, |n| -finish_time(state.work(n), work))
    }
}

impl Strategy for LeastTime {
    fn name(&self) -> &str {
        "least_time"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        Some(Box::new(Earliest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Problem, Resources, Workload};
    use crate::strategy::testing::place;
    use ndarray::array;

    #[test]
    fn picks_the_node_that_finishes_first() {
        let r = Resources::new(["cpu"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[10.0], [10.0]]).unwrap();
        let workload = Workload::new(r, array![[1.0], [1.0], [1.0], [1.0]])
            .unwrap()
            .with_duration(vec![10.0, 3.0, 4.0, 2.0])
            .unwrap();
        let p = Problem::new(cluster, workload).unwrap();
        // Work after each step: [10,0] -> [10,3] -> [10,7] -> [10,9]; least connections would
        // have alternated.
        let got = place(&LeastTime, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(1), Some(1)]);
    }
}
