//! `power_of_two`: two fitting nodes sampled at random, the less loaded taken.

use super::score::{Weights, weighted_mean};
use super::{Options, Selector, Strategy};
use crate::error::Result;
use crate::index::{NodeTree, Order, Spec, few_allowed};
use crate::model::Problem;
use crate::state::State;
use ndarray::ArrayView1;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The power of two choices (Mitzenmacher, "The power of two choices in randomized load
/// balancing", 2001): for each task, two distinct fitting nodes drawn uniformly at random, the
/// less loaded of them taken (ties to the lower index; the only fitting node if there is one).
/// Sparrow (Ousterhout et al., SOSP 2013) schedules with it, nginx has it as `random two`, and
/// it is the way to balance load without looking at every node. The draw is seeded with
/// [`Options::seed`] (ChaCha8): the same seed gives the same placement on any machine. Tasks in
/// priority order.
///
/// The filter comes first so that a fitting node is never missed (a production scheduler
/// samples first and filters after): each of the two is drawn uniformly among all nodes until
/// one fits, [`SAMPLE_TRIES`] draws at most (rejection sampling: uniform among the fitting nodes).
/// When a draw runs out of tries (few nodes fit), the fitting nodes are counted and two ranks
/// drawn: the node tree in index order keeps per subtree the most and the least free capacity
/// per resource, so the fitting nodes are counted a whole subtree at a time where all or none
/// fit, and the two drawn are found by descent, the same nodes as drawing from the list of
/// every fitting node (a task restricted to at most one node in 8 draws from its allowed nodes
/// instead). Either way the pair is uniform among pairs of fitting nodes.
///
/// Complexity per placement: O([`SAMPLE_TRIES`] x resources) when at least one node in a few fits;
/// otherwise O(8 x resources) per subtree that mixes nodes that fit and nodes that do not, O(1)
/// per subtree where all or none fit; every leaf of 8 nodes at worst.
/// Memory: the node tree (fit keys and least keys; see the memory table in the README), the
/// generator.
#[derive(Debug, Clone, Default)]
pub struct PowerOfTwo {
    weights: Weights,
}

/// The load of a node: its weighted mean utilization `sum_r w_r * (capacity_r - free_r) /
/// capacity_r / sum_r w_r` over the resources it has (before placement).
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::node_load;
/// // cpu 6 of 8 used, memory 1 of 4: (0.75 + 0.25) / 2.
/// let (f, c) = (array![2.0, 3.0], array![8.0, 4.0]);
/// assert_eq!(node_load(f.view(), c.view(), &[1.0, 1.0]), 0.5);
/// assert_eq!(node_load(f.view(), c.view(), &[3.0, 1.0]), 0.625);
/// ```
pub fn node_load(free: ArrayView1<'_, f64>, capacity: ArrayView1<'_, f64>, weights: &[f64]) -> f64 {
    let used = free
        .iter()
        .zip(capacity)
        .enumerate()
        .filter(|(_, (_, c))| **c > 0.0)
        .map(|(r, (f, c))| (r, (c - f) / c));
    weighted_mean(used, weights)
}

impl PowerOfTwo {
    /// Load as the unweighted mean utilization.
    pub fn new() -> Self {
        Self::default()
    }

    /// Load with these per-resource weights (see [`Weights::new`]).
    pub fn with_weights(mut self, weights: Vec<f64>) -> Result<Self> {
        self.weights = Weights::new(weights)?;
        Ok(self)
    }
}

/// Draws by rejection per node before the fitting nodes are counted (see
/// [`draw_by_rejection`]).
pub const SAMPLE_TRIES: usize = 8;

/// Two distinct fitting nodes by rejection, lower first, for `power_of_two`: a node drawn
/// uniformly among all `nodes` until one `fits` (at most [`SAMPLE_TRIES`] draws), then a second
/// the same way, distinct from the first; `None` if a draw runs out of tries (the strategy then
/// draws by rank among the counted fitting nodes; since the chance of running out does not
/// depend on which node was drawn first, the pair is uniform among pairs of fitting nodes either
/// way). The draws are a hash (SplitMix64) of the seed, the task and the state's change count,
/// mapped to a node by a 64-bit multiply (uniform up to `nodes / 2^64`): the same seed and the
/// same history give the same draws, and a query that finds nothing leaves no trace.
///
/// ```
/// use packsched::strategy::draw_by_rejection;
/// let every = draw_by_rejection(7, 0, 0, 100, |_| true).unwrap();
/// assert!(every.0 < every.1 && every.1 < 100);
/// assert_eq!(draw_by_rejection(7, 0, 0, 100, |_| true), Some(every));
/// assert_eq!(draw_by_rejection(7, 0, 0, 100, |n| n == 3), None);
/// assert_eq!(draw_by_rejection(7, 0, 0, 0, |_| true), None);
/// ```
pub fn draw_by_rejection(
    seed: u64,
    task: usize,
    changes: u64,
    nodes: usize,
    fits: impl Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    if nodes == 0 {
        return None;
    }
    let mut x = splitmix64(splitmix64(splitmix64(seed) ^ task as u64) ^ changes);
    let mut next = || {
        x = splitmix64(x);
        ((u128::from(x) * nodes as u128) >> 64) as usize
    };
    let a = (0..SAMPLE_TRIES).map(|_| next()).find(|&n| fits(n))?;
    let b = (0..SAMPLE_TRIES)
        .map(|_| next())
        .find(|&n| n != a && fits(n))?;
    Some((a.min(b), a.max(b)))
}

/// SplitMix64's output function of a state advanced by its increment.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct TwoChoices {
    seed: u64,
    rng: ChaCha8Rng,
    weights: Vec<f64>,
    fitting: Vec<usize>,
    tree: NodeTree,
}

impl TwoChoices {
    /// Two distinct ranks among `k` fitting nodes, lower first.
    fn draw(&mut self, k: usize) -> (usize, usize) {
        let i = self.rng.random_range(0..k);
        let j = (i + 1 + self.rng.random_range(0..k - 1)) % k;
        (i.min(j), i.max(j))
    }

    /// The less loaded of two distinct nodes drawn by rank from a list of the fitting nodes
    /// (in increasing order); the only one, if one.
    fn by_rank(&mut self, state: &State<'_>, fitting: &[usize]) -> Option<usize> {
        let k = fitting.len();
        if k <= 1 {
            return fitting.first().copied();
        }
        let (i, j) = self.draw(k);
        Some(self.less_loaded(state, fitting[i], fitting[j]))
    }

    /// The less loaded of two nodes, the first on a tie.
    fn less_loaded(&self, state: &State<'_>, a: usize, b: usize) -> usize {
        let load = |n: usize| node_load(state.free(n), state.capacity(n), &self.weights);
        if load(b) < load(a) { b } else { a }
    }
}

impl Selector for TwoChoices {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let fits = |n: usize| state.fits(task, n);
        if let Some((a, b)) =
            draw_by_rejection(self.seed, task, state.changes(), state.nodes(), fits)
        {
            return Some(self.less_loaded(state, a, b));
        }
        if let Some(allowed) = few_allowed(state, task) {
            let mut fitting = std::mem::take(&mut self.fitting);
            fitting.clear();
            fitting.extend(allowed.filter(|&n| state.fits(task, n)));
            let chosen = self.by_rank(state, &fitting);
            self.fitting = fitting;
            return chosen;
        }
        self.tree.load(state, task);
        let k = self.tree.count(state, task);
        if k <= 1 {
            return self.tree.nth(state, task, 0);
        }
        let (i, j) = self.draw(k);
        let a = self.tree.nth(state, task, i)?;
        let b = self.tree.nth(state, task, j)?;
        Some(self.less_loaded(state, a, b))
    }

    fn placed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.tree.changed(state, node);
    }

    fn select_among(&mut self, state: &State<'_>, task: usize, fitting: &[usize]) -> Option<usize> {
        let fits = |n: usize| fitting.binary_search(&n).is_ok();
        if let Some((a, b)) =
            draw_by_rejection(self.seed, task, state.changes(), state.nodes(), fits)
        {
            return Some(self.less_loaded(state, a, b));
        }
        self.by_rank(state, fitting)
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.tree.changed(state, node);
    }

    fn node_changed(&mut self, state: &State<'_>, node: usize) {
        self.tree.changed(state, node);
    }
}

impl Strategy for PowerOfTwo {
    fn name(&self) -> &str {
        "power_of_two"
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.weights.check(problem)
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        let weights = self.weights.resolve(problem.resources().len()).ok()?;
        let spec = Spec::new(Order::Index).with_key_min();
        Some(Box::new(TwoChoices {
            seed: options.seed,
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            weights,
            fitting: Vec::new(),
            tree: NodeTree::new(spec, problem.resources().len())?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::{place, problem};
    use ndarray::array;

    #[test]
    fn of_two_fitting_nodes_takes_the_less_loaded() {
        // Node 0 is half used, node 1 empty, node 2 too small for task 1: the two fitting nodes
        // are 0 and 1 whatever the draw, and node 1 is less loaded.
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [1.0, 1.0]],
            array![[5.0, 5.0], [2.0, 2.0]],
        )
        .with_allowed_nodes(vec![Some(vec![0]), None])
        .unwrap();
        for seed in 0..8 {
            let got = PowerOfTwo::new()
                .place(&p, &Options::default().with_seed(seed))
                .unwrap();
            assert_eq!(got.assignment, vec![Some(0), Some(1)], "seed {seed}");
        }
    }

    #[test]
    fn rejection_draws_only_fitting_nodes_about_uniformly() {
        // 30 nodes, every third fits: 10 fitting nodes, each in a fifth of the pairs.
        let fits = |n: usize| n.is_multiple_of(3);
        let mut seen = [0u32; 30];
        let mut drawn = 0;
        for task in 0..4000 {
            if let Some((a, b)) = draw_by_rejection(1, task, 5, 30, fits) {
                assert!(a < b && fits(a) && fits(b));
                seen[a] += 1;
                seen[b] += 1;
                drawn += 1;
            }
        }
        // Eight tries fail with chance (2/3)^8 for the first node, 0.7^8 for the second: about
        // 9.5% of the pairs are left to the draw by rank.
        assert!((3500..3740).contains(&drawn), "{drawn}");
        let expected = f64::from(drawn) / 5.0;
        for n in (0..30).filter(|&n| fits(n)) {
            let share = f64::from(seen[n]) / expected;
            assert!((0.9..1.1).contains(&share), "node {n}: {share}");
        }
    }

    #[test]
    fn the_seed_drives_the_draw_and_fixes_the_result() {
        // Eight empty nodes: the first task goes to the lower of two drawn nodes (a tie), so
        // different seeds spread it differently; the same seed always gives the same answer.
        let p = problem(
            ndarray::Array2::from_elem((8, 2), 10.0),
            ndarray::Array2::from_elem((6, 2), 1.0),
        );
        let by_seed: Vec<Vec<Option<usize>>> = (0..6)
            .map(|seed| {
                PowerOfTwo::new()
                    .place(&p, &Options::default().with_seed(seed))
                    .unwrap()
                    .assignment
            })
            .collect();
        assert!(by_seed.iter().any(|a| a != &by_seed[0]), "{by_seed:?}");
        let again = PowerOfTwo::new()
            .place(&p, &Options::default().with_seed(3))
            .unwrap();
        assert_eq!(again.assignment, by_seed[3]);
        assert_eq!(place(&PowerOfTwo::new(), &p).assignment, by_seed[0]);
    }
}
