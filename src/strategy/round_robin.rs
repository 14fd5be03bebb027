//! `round_robin`: nodes in turn.

use super::{Options, Selector, Strategy};
use crate::model::Problem;
use crate::state::State;

/// Nodes in turn, skipping the nodes a task does not fit: the classic load-balancer policy
/// (nginx's and HAProxy's default). Spreads tasks evenly by count, blind to their size.
///
/// Complexity: O(resources) per placement when the next node fits, O(nodes x resources) at
/// worst. Memory: one pointer.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoundRobin;

/// The choice rule: the first node at or after `start`, cyclically over `nodes`, that `fits`.
///
/// ```
/// use packsched::strategy::next_in_turn;
/// assert_eq!(next_in_turn(2, 4, |n| n != 2), Some(3));
/// assert_eq!(next_in_turn(3, 4, |n| n == 1), Some(1));
/// assert_eq!(next_in_turn(0, 4, |_| false), None);
/// ```
pub fn next_in_turn(
    start: usize,
    nodes: usize,
    mut fits: impl FnMut(usize) -> bool,
) -> Option<usize> {
    (0..nodes).map(|i| (start + i) % nodes).find(|&n| fits(n))
}

struct Turn {
    next: usize,
}

impl Selector for Turn {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let node = next_in_turn(self.next, state.nodes(), |n| state.fits(task, n))?;
        self.next = (node + 1) % state.nodes();
        Some(node)
    }

    fn select_among(&mut self, state: &State<'_>, _: usize, fitting: &[usize]) -> Option<usize> {
        // The first fitting node at or after the pointer, cyclically: the same as the scan.
        let after = fitting.partition_point(|&n| n < self.next);
        let node = *fitting.get(after).or(fitting.first())?;
        self.next = (node + 1) % state.nodes();
        Some(node)
    }
}

impl Strategy for RoundRobin {
    fn name(&self) -> &str {
        "round_robin"
    }

    fn selector(&self, _: &Problem, _: &Options) -> Option<Box<dyn Selector>> {
        Some(Box::new(Turn { next: 0 }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn takes_nodes_in_turn_and_skips_full_ones() {
        // Three nodes; task 2 is too big for node 2, so it goes on to node 0.
        let p = problem(
            array![[4.0, 4.0], [4.0, 4.0], [1.0, 1.0]],
            array![[1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [1.0, 1.0]],
        );
        let got = place(&RoundRobin, &p);
        assert_eq!(got.assignment, vec![Some(0), Some(1), Some(0), Some(1)]);
    }
}
