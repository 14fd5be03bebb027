//! The nodes by task count, for least connections without a search tree: one bitset over the
//! nodes per count, for a window of the [`WINDOW`] smallest counts; the query checks the nodes
//! in (count, index) order, so the first that fits is the choice, and a placement moves one bit.
//!
//! A query starts where the last query for the same demand found its node ([`Memo`]: a
//! placement only takes capacity and raises a count, so no node before that answer fits the
//! demand now), or at the window's smallest count. It gives up (the caller asks its tree) after
//! [`CHECKS`] nodes checked or [`WORDS`] words read, or at the end of the window while nodes
//! with larger counts exist; it answers that no node fits only when every node it holds was
//! passed over.
//!
//! The nodes held are those that admit tasks (up, not cordoned) and have room for the least
//! demand of the problem's tasks in every resource (a node without it fits no task: full nodes
//! would otherwise keep the window at their counts while the others' counts grow past it),
//! filed under their count. The window's base is at most the least count held: a count that
//! falls below it moves the window down (the buckets that leave it at the top are emptied, their
//! nodes counted as above it); when the bucket at the base empties the window moves up, refilled
//! from all nodes if some are above it.

use super::{Memo, Seen};
use crate::state::{Stamp, State, TOLERANCE};

/// Counts with a bitset: `base..base + WINDOW` (at most).
const WINDOW: usize = 16;
/// At most this many nodes are checked by one query before it gives up.
const CHECKS: usize = 2048;
/// At most this many words of the bitsets are read by one query before it gives up.
const WORDS: usize = 2048;
/// The count of a node not held.
const NONE: u32 = u32::MAX;

/// See the [module](self) documentation.
///
/// Memory: 4 bytes per node, [`WINDOW`] bits per node, the memo.
#[derive(Debug, Clone)]
pub(crate) struct Buckets {
    stamp: Option<Stamp>,
    /// Per node, the count it is filed under, or [`NONE`].
    count: Vec<u32>,
    /// The least count with a bitset.
    base: u32,
    /// Words per bitset.
    words: usize,
    /// [`WINDOW`] bitsets: count `c` of the window at slot `c % WINDOW`.
    bits: Vec<u64>,
    /// Nodes per slot.
    sizes: [u32; WINDOW],
    /// Nodes held with a count above the window.
    above: usize,
    /// Per resource, the least demand of any task of the problem
    /// ([`Workload::smallest_demand`](crate::Workload::smallest_demand)): a node short of it in
    /// some resource fits no task, and is not held.
    least: Vec<f64>,
    /// Counts with a bitset ([`WINDOW`], fewer in tests).
    window: usize,
    memo: Memo<(u32, u32)>,
}

impl Buckets {
    /// An index built on first use.
    pub(crate) fn new() -> Self {
        Self {
            stamp: None,
            count: Vec::new(),
            base: 0,
            words: 0,
            bits: Vec::new(),
            sizes: [0; WINDOW],
            above: 0,
            least: Vec::new(),
            window: WINDOW,
            memo: Memo::new(0),
        }
    }

    /// An index whose window is `window` counts (1 to [`WINDOW`]): tests move it often.
    #[cfg(test)]
    pub(crate) fn with_window(window: usize) -> Self {
        assert!((1..=WINDOW).contains(&window));
        Self {
            window,
            ..Self::new()
        }
    }

    /// Told that the state's last change placed `task` on `node`.
    pub(crate) fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        self.memo.placed(state, task);
        self.refile(state, node);
    }

    /// Told that `node` changed by the state's last change (of any kind); any other change
    /// unseen means a rebuild at the next query.
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        self.memo.forget();
        self.refile(state, node);
    }

    /// Among the nodes `task` fits, the one with the fewest tasks, ties to the lowest index:
    /// `Some(answer)`, or `None` if the query gave up.
    ///
    /// Complexity: O(1) per node checked and per word read, both bounded.
    pub(crate) fn fewest(&mut self, state: &State<'_>, task: usize) -> Option<Option<usize>> {
        if self.stamp != Some(state.stamp()) || self.count.len() != state.nodes() {
            self.rebuild(state);
        }
        self.settle(state);
        let start = self.memo.start(state, task).unwrap_or((0, 0));
        let (mut c, mut from) = if start.0 < self.base {
            (self.base, 0)
        } else {
            (start.0, start.1 as usize)
        };
        let (mut checks, mut read) = (0, 0);
        while (c as usize) < self.base as usize + self.window {
            let row = &self.bits[(c as usize % self.window) * self.words..][..self.words];
            let mut mask = u64::MAX.checked_shl(from as u32 % 64).unwrap_or(0);
            for (w, &word) in row.iter().enumerate().skip(from / 64) {
                read += 1;
                if read > WORDS {
                    return None;
                }
                let mut bits = word & mask;
                mask = u64::MAX;
                while bits != 0 {
                    let node = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    checks += 1;
                    if checks > CHECKS {
                        return None;
                    }
                    if state.fits(task, node) {
                        self.memo.record(state, task, (c, node as u32));
                        return Some(Some(node));
                    }
                }
            }
            (c, from) = (c + 1, 0);
        }
        if self.above > 0 {
            return None;
        }
        self.memo.record(state, task, (u32::MAX, 0));
        Some(None)
    }

    /// Told the answer for `task` that [`Buckets::fewest`] gave up on (found another way), to
    /// start the next query for its demand there.
    pub(crate) fn found(&mut self, state: &State<'_>, task: usize, answer: Option<usize>) {
        let end = answer.map_or((u32::MAX, 0), |n| (state.task_count(n), n as u32));
        self.memo.record(state, task, end);
    }

    /// Files `node` again after the state's last change.
    fn refile(&mut self, state: &State<'_>, node: usize) {
        let now = state.stamp();
        match Seen::of(self.stamp, now) {
            Seen::Current => {}
            Seen::Next if self.count.len() == state.nodes() && node < self.count.len() => {
                self.unfile(node);
                self.file(state, node);
                self.stamp = Some(now);
            }
            _ => self.stamp = None,
        }
    }

    fn rebuild(&mut self, state: &State<'_>) {
        let nodes = state.nodes();
        self.count = vec![NONE; nodes];
        self.words = nodes.div_ceil(64);
        if self.least.len() != state.resources() {
            self.least = state.problem().workload().smallest_demand();
        }
        self.memo = Memo::new(state.resources());
        self.stamp = Some(state.stamp());
        self.refill(state);
    }

    /// The window set at the least count held, every node filed again.
    fn refill(&mut self, state: &State<'_>) {
        let held = |n: usize| self.holds(state, n).then(|| state.task_count(n));
        self.base = (0..state.nodes()).filter_map(held).min().unwrap_or(0);
        self.bits = vec![0; self.window * self.words];
        self.sizes = [0; WINDOW];
        self.above = 0;
        self.count.fill(NONE);
        for n in 0..state.nodes() {
            self.file(state, n);
        }
    }

    /// Files `node` under its count now, if it admits tasks.
    fn file(&mut self, state: &State<'_>, node: usize) {
        if !self.holds(state, node) {
            return;
        }
        let c = state.task_count(node);
        if c < self.base {
            self.lower(c);
        }
        self.count[node] = c;
        match self.slot(c) {
            Some(s) => {
                self.bits[s * self.words + node / 64] |= 1 << (node % 64);
                self.sizes[s] += 1;
            }
            None => self.above += 1,
        }
    }

    /// Takes `node` out of its bucket.
    fn unfile(&mut self, node: usize) {
        let c = std::mem::replace(&mut self.count[node], NONE);
        if c == NONE {
            return;
        }
        match self.slot(c) {
            Some(s) => {
                self.bits[s * self.words + node / 64] &= !(1 << (node % 64));
                self.sizes[s] -= 1;
            }
            None => self.above -= 1,
        }
    }

    /// Whether `node` is held: it admits tasks and has room for the least demand.
    fn holds(&self, state: &State<'_>, node: usize) -> bool {
        let (free, cap) = (state.free_row(node), state.capacity_row(node));
        state.admits(node)
            && (self.least.iter().zip(free).zip(cap)).all(|((&d, &f), &c)| d <= f + TOLERANCE * c)
    }

    /// The slot of count `c`, if it is in the window.
    fn slot(&self, c: u32) -> Option<usize> {
        let w = self.window;
        (c >= self.base && ((c - self.base) as usize) < w).then_some(c as usize % w)
    }

    /// Moves the window down to start at `c`: the counts that leave it at the top are emptied.
    fn lower(&mut self, c: u32) {
        let w = self.window;
        let leaving = ((self.base - c) as usize).min(w);
        for k in w - leaving..w {
            let s = (self.base as usize + k) % w;
            self.above += self.sizes[s] as usize;
            self.sizes[s] = 0;
            self.bits[s * self.words..(s + 1) * self.words].fill(0);
        }
        self.base = c;
    }

    /// Moves the window up while its base bucket is empty: over empty buckets while no node is
    /// above the window, else to the least count held, refilled.
    fn settle(&mut self, state: &State<'_>) {
        while self.sizes[self.base as usize % self.window] == 0 {
            if self.above > 0 {
                self.refill(state);
                return;
            }
            if self.sizes.iter().all(|&s| s == 0) {
                return;
            }
            self.base += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Problem, Resources, Workload};
    use crate::strategy::{connections_score, select_best};
    use ndarray::Array2;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Asks `buckets` and the full scan for `task` and places it where both say.
    fn place(state: &mut State<'_>, buckets: &mut Buckets, task: usize) {
        let want = select_best(state, task, |n| connections_score(state.task_count(n)));
        match buckets.fewest(state, task) {
            Some(got) => assert_eq!(got, want, "task {task}"),
            None => buckets.found(state, task, want),
        }
        if let Some(node) = want {
            state.place(task, node).unwrap();
            buckets.placed(state, task, node);
        }
    }

    fn problem(capacity: Array2<f64>, demand: Array2<f64>) -> Problem {
        let r = Resources::new(["cpu"]).unwrap();
        let cluster = Cluster::new(r.clone(), capacity).unwrap();
        Problem::new(cluster, Workload::new(r, demand).unwrap()).unwrap()
    }

    #[test]
    fn the_window_moves_down_and_up_with_the_counts() {
        // Node 0 takes WINDOW + 2 tasks while the others are cordoned: the window follows its
        // count up; node 1 back with no task moves it down (node 0 above it), and as node 1
        // catches up the window is refilled.
        let p = problem(
            Array2::from_elem((3, 1), 100.0),
            Array2::from_elem((40, 1), 1.0),
        );
        let mut state = State::new(&p);
        let mut buckets = Buckets::new();
        for node in [1, 2] {
            state.set_cordoned(node, true);
            buckets.changed(&state, node);
        }
        for task in 0..WINDOW + 2 {
            place(&mut state, &mut buckets, task);
        }
        assert_eq!(state.task_count(0) as usize, WINDOW + 2);
        state.set_cordoned(1, false);
        buckets.changed(&state, 1);
        for task in WINDOW + 2..2 * WINDOW + 6 {
            place(&mut state, &mut buckets, task);
        }
        assert_eq!(state.task_count(1) as usize, WINDOW + 3);
    }

    #[test]
    fn small_windows_agree_with_the_full_scan() {
        // Random placements, removals and cordons with windows of 1 to 3 counts, so that the
        // window moves down, up, and is refilled often.
        for seed in 0..300 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let nodes = rng.random_range(1..12);
            let tasks = rng.random_range(1..80);
            let capacity =
                Array2::from_shape_fn((nodes, 1), |_| f64::from(rng.random_range(0..12u32)));
            let demand =
                Array2::from_shape_fn((tasks, 1), |_| f64::from(rng.random_range(0..4u32)));
            let p = problem(capacity, demand);
            let mut state = State::new(&p);
            let mut buckets = Buckets::with_window(rng.random_range(1..=3));
            for _ in 0..200 {
                let task = rng.random_range(0..tasks);
                match rng.random_range(0..10) {
                    0..6 if state.assignment()[task].is_none() => {
                        place(&mut state, &mut buckets, task);
                    }
                    6..9 => {
                        if let Some(node) = state.remove(task) {
                            buckets.changed(&state, node);
                        }
                    }
                    9 => {
                        let node = rng.random_range(0..nodes);
                        state.set_cordoned(node, !state.is_cordoned(node));
                        buckets.changed(&state, node);
                    }
                    _ => {}
                }
            }
        }
    }
}
