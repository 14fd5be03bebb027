//! Node sampling, as kube-scheduler's `percentageOfNodesToScore`: score only some fitting nodes.

use super::Selector;
use super::score::ScoreFn;
use crate::state::State;

/// How many fitting nodes a sampled search looks for on a cluster of `nodes` nodes with
/// `percent` of nodes to score: kube-scheduler's `numFeasibleNodesToFind` with an explicit
/// percentage. Every node on clusters under 100 nodes; else `nodes x percent / 100`, but at least
/// 100.
///
/// ```
/// use packsched::strategy::nodes_to_find;
/// assert_eq!(nodes_to_find(10.0, 50), 50);
/// assert_eq!(nodes_to_find(10.0, 500), 100);
/// assert_eq!(nodes_to_find(10.0, 10_000), 1_000);
/// assert_eq!(nodes_to_find(100.0, 10_000), 10_000);
/// ```
pub fn nodes_to_find(percent: f64, nodes: usize) -> usize {
    const AT_LEAST: usize = 100;
    if nodes < AT_LEAST {
        return nodes;
    }
    let k = (nodes as f64 * percent.clamp(0.0, 100.0) / 100.0) as usize;
    k.clamp(AT_LEAST, nodes)
}

/// The sampled select step: from where the last search stopped, nodes in turn (cyclically)
/// until [`nodes_to_find`] fitting ones are found; the one with the highest score among them,
/// ties to the lowest index (kube-scheduler breaks ties at random). The next search starts after
/// the last node looked at, as kube-scheduler's `nextStartNodeIndex`.
///
/// Complexity: O(nodes looked at x resources) per placement, about `nodes_to_find / (fraction of
/// nodes that fit)`. Memory: one position.
pub(crate) struct Sampled {
    score: ScoreFn,
    weights: Vec<f64>,
    percent: f64,
    next: usize,
}

impl Sampled {
    pub(crate) fn new(score: ScoreFn, weights: Vec<f64>, percent: f64) -> Self {
        Self {
            score,
            weights,
            percent,
            next: 0,
        }
    }
}

impl Selector for Sampled {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let nodes = state.nodes();
        if nodes == 0 {
            return None;
        }
        let want = nodes_to_find(self.percent, nodes);
        let demand = state.demand(task);
        let start = self.next % nodes;
        let (mut found, mut seen) = (0, 0);
        let mut best: Option<(usize, f64)> = None;
        while seen < nodes && found < want {
            let node = (start + seen) % nodes;
            seen += 1;
            if !state.fits(task, node) {
                continue;
            }
            found += 1;
            let s = (self.score)(
                demand,
                state.free(node),
                state.capacity(node),
                &self.weights,
            );
            if best.is_none_or(|(b, bs)| s > bs || (s == bs && node < b)) {
                best = Some((node, s));
            }
        }
        self.next = (start + seen) % nodes;
        best.map(|(node, _)| node)
    }
}
