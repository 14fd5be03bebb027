//! The nodes in order of a per-node number (placed work) in short sorted runs that keep the most
//! free capacity per run ([`Runs`]), for rules that prefer the fitting node with the least of it
//! (`least_time`): a walk from the least passes over runs too full for the task, and the first
//! node that fits has the best score.
//!
//! Exact as the full scan: the rule's score must be a function of the number alone that does
//! not rise with it (it falls, up to rounding, which may make neighbours equal). A query takes
//! the first node in (number, index) order that the task fits, then the first such node of a
//! larger number, and so on, until one scores below the best: nodes of one number after the
//! first are passed over (higher index, the same score), a larger number may still tie through
//! rounding and win by a lower index. Where the next number up already scores below the best,
//! no later node can tie and the query ends; so does it at the first node, fitting or not, that
//! scores below. It gives up (the caller asks the node tree) after [`VISITS`] fitting nodes.
//!
//! No search where a walk already looked: a query for a demand seen before starts at the place
//! where the walk showed the last query's first fitting node (if its neighbours there show it
//! still goes there, a few entries off at most), and the node placed is taken out of its run at
//! the place the walk showed it.

use super::keyed::{from_ordered_bits, ordered_bits};
use super::sorted::{Go, Place, Runs, Visit};
use super::{Memo, Seen};
use crate::state::{Stamp, State};

/// At most this many nodes that may fit are visited by one query before it gives up.
const VISITS: usize = 256;

/// Most nodes in a run of the order over `nodes` nodes: the power of two nearest the square
/// root, 8 to 256 (so a walk over every run's summary costs about as much as reading a few runs
/// through; measured at 1,000, 10,000 and 100,000 nodes: 32 a little better than 16, 128 as
/// good as 64, 256 as good as 128).
fn run_cap(nodes: usize) -> usize {
    let root = (nodes.max(1) as f64).sqrt();
    1 << root.log2().round().clamp(3.0, 8.0) as u32
}

/// A node's number: the state's task count or work of a node.
pub(crate) type NumberFn = fn(&State<'_>, usize) -> f64;

/// See the [module](self) documentation.
///
/// Memory: the runs' (see [`Runs`]), 1 byte per node, the memo.
#[derive(Debug, Clone)]
pub(crate) struct Least {
    number: NumberFn,
    stamp: Option<Stamp>,
    sorted: Runs,
    filed: Vec<bool>,
    /// Nodes not filed (their number is not a number): the index gives up while there are any.
    odd: usize,
    /// Where the last query for each demand found its first fitting node (and where the walk
    /// showed it): a placement only takes capacity and (while numbers only grow) moves its node
    /// later in the order.
    memo: Memo<((u64, u32), Option<Place>)>,
    /// Where the walk showed the last answer, to take it out without a search (the runs check
    /// that the node taken out is there).
    found: Option<Place>,
}

impl Least {
    /// An index by `number`, built on first use.
    pub(crate) fn new(number: NumberFn) -> Self {
        Self {
            number,
            stamp: None,
            sorted: Runs::default(),
            filed: Vec::new(),
            odd: 0,
            memo: Memo::new(0),
            found: None,
        }
    }

    /// Told that the state's last change placed `task` on `node`.
    pub(crate) fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.memo.placed(state, task);
        let hint = self.found.take();
        self.refile(state, node, hint);
    }

    /// Told that `node` changed by the state's last change (of any kind); any other change
    /// unseen means a rebuild at the next query.
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        self.memo.forget();
        self.found = None;
        self.refile(state, node, None);
    }

    /// Files `node` again after the state's last change (`hint`: where a walk showed it).
    fn refile(&mut self, state: &State<'_>, node: usize, hint: Option<Place>) {
        let now = state.stamp();
        match Seen::of(self.stamp, now) {
            Seen::Current => {}
            Seen::Next if self.filed.len() == state.nodes() && node < self.filed.len() => {
                let before = self.filed[node].then(|| self.sorted.key(node as u32));
                if before.is_some() {
                    self.sorted.remove(node as u32, hint);
                } else {
                    self.odd -= 1;
                }
                self.file(state, node);
                if before.is_none_or(|k| !self.filed[node] || self.sorted.key(node as u32) < k) {
                    // The node moved earlier in the order (or in or out of it).
                    self.memo.forget();
                }
                self.stamp = Some(now);
            }
            _ => self.stamp = None,
        }
    }

    /// Among the nodes `task` fits, the one of highest score, ties to the lowest index, for a
    /// score that is a function of the number alone and does not rise with it (`score_of`, from
    /// a node's number): `Some(answer)`, or `None` if the walk gave up.
    ///
    /// Complexity: O(log(nodes)) to find where the walk starts, then O(resources) per node read
    /// and per run passed over (runs too full for the task are passed over whole); usually a
    /// few nodes from the start one fits, and the score of the next number up shows that no
    /// later node can tie.
    pub(crate) fn best(
        &mut self,
        state: &State<'_>,
        task: usize,
        score_of: impl Fn(f64) -> f64,
    ) -> Option<Option<usize>> {
        if self.stamp != Some(state.stamp()) || self.filed.len() != state.nodes() {
            self.rebuild(state);
        }
        if self.odd > 0 {
            return None;
        }
        let demand = state.demand_row(task);
        let (from, hint) = self.memo.start(state, task).unwrap_or(((0, 0), None));
        let mut query = Query {
            state,
            task,
            memo: &mut self.memo,
            score_of,
            best: f64::NEG_INFINITY,
            best_node: u32::MAX,
            visits: 0,
            first: true,
            last: None,
            found: None,
        };
        let step = self.sorted.walk_from(from, hint, demand, &mut query);
        let (first, best_node, found) = (query.first, query.best_node, query.found);
        self.found = found;
        step?;
        if first {
            self.memo.record(state, task, ((u64::MAX, u32::MAX), None));
        }
        Some((best_node != u32::MAX).then_some(best_node as usize))
    }

    fn rebuild(&mut self, state: &State<'_>) {
        let nodes = state.nodes();
        self.sorted = Runs::new(nodes, state.resources(), run_cap(nodes));
        self.filed = vec![false; nodes];
        self.odd = 0;
        self.memo = Memo::new(state.resources());
        self.found = None;
        let mut entries = Vec::with_capacity(nodes);
        for n in 0..nodes {
            if let Some(key) = self.key_now(state, n) {
                entries.push((key, n as u32));
            }
        }
        let rows = |n: u32| (state.free_row(n as usize), state.capacity_row(n as usize));
        self.sorted.fill(&mut entries, rows);
        self.stamp = Some(state.stamp());
    }

    /// Files `node` under its number now (not a number: not filed, the index gives up).
    fn file(&mut self, state: &State<'_>, node: usize) {
        if let Some(key) = self.key_now(state, node) {
            let rows = (state.free_row(node), state.capacity_row(node));
            self.sorted.insert(node as u32, key, rows);
        }
    }

    /// `node`'s key now, its number's ordered bits, if its number is a number (else the index
    /// counts it odd); whether it is filed is set accordingly.
    fn key_now(&mut self, state: &State<'_>, node: usize) -> Option<u64> {
        let number = (self.number)(state, node);
        self.filed[node] = !number.is_nan();
        self.odd += usize::from(number.is_nan());
        self.filed[node].then(|| ordered_bits(number))
    }
}

/// One query's walk ([`Least::best`]): what it has found so far.
struct Query<'a, 'p, S> {
    state: &'a State<'p>,
    task: usize,
    memo: &'a mut Memo<((u64, u32), Option<Place>)>,
    /// The score of a node from its number.
    score_of: S,
    /// The best score so far, and its node (`u32::MAX`: none yet).
    best: f64,
    best_node: u32,
    /// Nodes visited that may fit.
    visits: usize,
    /// Whether the first node that fits is still to be remembered (for the next query).
    first: bool,
    /// The key of the best node so far.
    last: Option<u64>,
    /// Where the walk showed the best node.
    found: Option<Place>,
}

impl<S: Fn(f64) -> f64> Query<'_, '_, S> {
    /// The score of a node filed under `key`.
    #[inline(always)]
    fn score_at(&self, key: u64) -> f64 {
        (self.score_of)(from_ordered_bits(key))
    }
}

impl<S: Fn(f64) -> f64> Visit for Query<'_, '_, S> {
    /// A node scoring below the best ends the walk, fitting or not (so do all after it).
    #[inline(always)]
    fn stops_at(&mut self, key: u64) -> bool {
        self.last.is_some() && self.score_at(key) < self.best
    }

    #[inline(always)]
    fn visit(&mut self, key: u64, node: u32, fits: bool, place: Place) -> Go {
        if let Some(k) = self.last {
            if key == k {
                // Higher indices, the same score: none better.
                return Go::Past(k);
            }
            if self.stops_at(key) {
                return Go::Stop;
            }
        }
        if !fits {
            return Go::Next;
        }
        self.visits += 1;
        if self.visits > VISITS {
            return Go::GiveUp;
        }
        if !self.state.fits(self.task, node as usize) {
            return Go::Next;
        }
        if std::mem::take(&mut self.first) {
            self.memo
                .record(self.state, self.task, ((key, node), Some(place)));
        }
        let s = self.score_at(key);
        if s > self.best || node < self.best_node {
            (self.best, self.best_node) = (s, node);
            self.found = Some(place);
        }
        self.last = Some(key);
        // The other nodes of this number have higher indices and no higher score; one of a
        // larger number may still tie (rounding) with a lower index, unless the next number up
        // already scores below.
        match key.checked_add(1) {
            Some(next) if self.score_at(next) >= self.best => Go::Next,
            _ => Go::Stop,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Problem, Resources, Workload};
    use crate::strategy::{finish_time, select_best};
    use ndarray::array;

    #[test]
    fn a_larger_number_tying_by_rounding_wins_by_its_lower_index() {
        // Node 0 holds work 1, node 1 work 0.5, node 2 none; the task's work 1e16 makes all
        // finish at 1e16 (the spacing of doubles there is 2): a tie, to node 0, though its work
        // is the largest (the walk meets it last). Node 0 cordoned: node 1.
        let r = Resources::new(["cpu"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[4.0], [4.0], [4.0]]).unwrap();
        let workload = Workload::new(r, array![[1.0], [1.0], [1.0], [9.0]])
            .unwrap()
            .with_duration(vec![1.0, 0.5, 1e16, 1.0])
            .unwrap();
        let p = Problem::new(cluster, workload).unwrap();
        let mut state = State::new(&p);
        let mut least = Least::new(|state, n| state.work(n));
        for (task, node) in [(0, 0), (1, 1)] {
            state.place(task, node).unwrap();
            least.changed(&state, node);
        }
        let work = state.task_work(2);
        let score_of = |w: f64| -finish_time(w, work);
        let want = select_best(&state, 2, |n| score_of(state.work(n)));
        assert_eq!(want, Some(0));
        assert_eq!(least.best(&state, 2, score_of), Some(want));
        state.set_cordoned(0, true);
        let want = select_best(&state, 2, |n| score_of(state.work(n)));
        assert_eq!(want, Some(1));
        assert_eq!(least.best(&state, 2, score_of), Some(want));
        // A task that fits no node.
        assert_eq!(least.best(&state, 3, |_| 0.0), Some(None));
    }

    #[test]
    fn a_node_moved_earlier_is_asked_again() {
        // Numbers falling with the count (a placed node moves earlier): after node 0 takes the
        // first task of demand 3 it is still the first in order that fits 3, though the last
        // query for that demand ended at its old place.
        let r = Resources::new(["cpu"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[8.0], [8.0]]).unwrap();
        let workload = Workload::new(r, array![[3.0], [3.0]]).unwrap();
        let p = Problem::new(cluster, workload).unwrap();
        let mut state = State::new(&p);
        let mut least = Least::new(|state, n| -f64::from(state.task_count(n)));
        let score_of = |number: f64| -number;
        assert_eq!(least.best(&state, 0, score_of), Some(Some(0)));
        state.place(0, 0).unwrap();
        least.placed(&state, 0, 0);
        let count = |n: usize| f64::from(state.task_count(n));
        assert_eq!(select_best(&state, 1, count), Some(0));
        assert_eq!(least.best(&state, 1, score_of), Some(Some(0)));
    }

    #[test]
    fn a_resource_beyond_the_kept_fit_keys_is_still_tested() {
        // Nine resources: the runs keep fit keys for the first eight, the ninth is short on
        // node 0 (the least loaded); the task goes to node 1, as the full scan says.
        let names: Vec<String> = (0..9).map(|j| format!("r{j}")).collect();
        let r = Resources::new(names).unwrap();
        let mut capacity = ndarray::Array2::from_elem((3, 9), 4.0);
        capacity[[0, 8]] = 1.0;
        let cluster = Cluster::new(r.clone(), capacity).unwrap();
        let workload = Workload::new(r, ndarray::Array2::from_elem((2, 9), 2.0)).unwrap();
        let p = Problem::new(cluster, workload).unwrap();
        let mut state = State::new(&p);
        let mut least = Least::new(|state, n| state.work(n));
        let score_of = |w: f64| -w;
        let want = select_best(&state, 0, |n| score_of(state.work(n)));
        assert_eq!(want, Some(1));
        assert_eq!(least.best(&state, 0, score_of), Some(want));
        state.place(0, 1).unwrap();
        least.placed(&state, 0, 1);
        assert_eq!(least.best(&state, 1, score_of), Some(Some(2)));
    }
}
