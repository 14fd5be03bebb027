//! The select step in parallel: every fitting node scored on all cores, the same choice as the
//! sequential scan.

use crate::state::State;
use rayon::prelude::*;

/// Clusters of at least this many nodes are scored in parallel by [`select_best_par`]; on
/// smaller ones handing the work to other threads costs more than it saves.
pub const PARALLEL_NODES: usize = 4096;

/// [`select_best`](super::select_best) with the nodes filtered and scored in parallel (rayon)
/// on clusters of at least [`PARALLEL_NODES`] nodes, sequentially below. The same node as the
/// sequential scan: the partial results of runs of nodes are combined keeping the higher score
/// and, on equal scores, the lower index, which is the sequential rule (scores are never NaN).
///
/// Complexity: O(nodes x resources / threads) plus the cost of `score`. Memory: O(threads).
///
/// ```
/// use ndarray::array;
/// use packsched::prelude::*;
/// use packsched::State;
/// use packsched::strategy::{select_best, select_best_par};
/// let r = Resources::new(["cpu"])?;
/// let p = Problem::new(
///     Cluster::new(r.clone(), array![[4.0], [8.0], [8.0]])?,
///     Workload::new(r, array![[5.0]])?,
/// )?;
/// let state = State::new(&p);
/// let score = |n: usize| state.capacity(n)[0];
/// assert_eq!(select_best_par(&state, 0, score), Some(1));
/// assert_eq!(select_best_par(&state, 0, score), select_best(&state, 0, score));
/// # Ok::<_, packsched::Error>(())
/// ```
pub fn select_best_par(
    state: &State<'_>,
    task: usize,
    score: impl Fn(usize) -> f64 + Sync,
) -> Option<usize> {
    let nodes = state.nodes();
    if nodes < PARALLEL_NODES {
        return super::select_best(state, task, score);
    }
    (0..nodes)
        .into_par_iter()
        .with_min_len(1024)
        .filter(|&node| state.fits(task, node))
        .map(|node| (node, score(node)))
        .reduce_with(|a, b| {
            if b.1 > a.1 || (b.1 == a.1 && b.0 < a.0) {
                b
            } else {
                a
            }
        })
        .map(|(node, _)| node)
}
