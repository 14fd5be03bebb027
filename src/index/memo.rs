//! Where the last query for the same demand ended, for searches in an order that placements
//! only push nodes along: the next query for that demand may start there.
//!
//! Sound while free capacity only falls and a node's place in the order only moves later: a
//! node before the last answer for demand `d` did not fit `d` when it was asked, any node before
//! that answer now was before it then too (places only move later), and a placement has since
//! only taken capacity from it. So the first node that fits `d` now is at or after that answer.
//! The memo follows the state's [`Stamp`]: it forgets everything as soon as a change is not a
//! placement of non-negative demand that it was told of (a removal, a failure, a join, a
//! cordon, another state), and when its owner says that a place moved earlier.
//!
//! Only tasks that may run on every node are remembered (where a restricted task's search
//! ended says nothing of another task's). Demands are kept by their exact bits in a small
//! table, one entry per slot (a later demand of the same slot replaces it).

use super::Seen;
use crate::state::{Stamp, State};

/// Slots in the table: enough for the distinct shapes of a typical workload (pod templates,
/// instance sizes).
const SLOTS: usize = 256;

/// See the [module](self) documentation.
///
/// Memory: `SLOTS x (resources x 8 + 24)` bytes.
#[derive(Debug, Clone)]
pub(crate) struct Memo<K: Copy> {
    r: usize,
    stamp: Option<Stamp>,
    /// Per slot, the demand remembered (`r` values).
    demands: Vec<f64>,
    /// Per slot, where the last query for that demand ended, and in which generation.
    ends: Vec<(u64, Option<K>)>,
    /// The generation of the answers that hold: forgetting starts a new one.
    generation: u64,
    /// The task the last [`Memo::start`] asked for, its slot, and whether that slot held its
    /// demand: what [`Memo::record`] for the same task need not find again.
    last: Option<(usize, usize, bool)>,
}

impl<K: Copy> Memo<K> {
    /// An empty memo for demands of `resources` values.
    pub(crate) fn new(resources: usize) -> Self {
        Self {
            r: resources,
            stamp: None,
            demands: vec![0.0; SLOTS * resources],
            ends: vec![(0, None); SLOTS],
            generation: 0,
            last: None,
        }
    }

    /// Forgets every answer, in O(1).
    pub(crate) fn forget(&mut self) {
        self.generation += 1;
        self.stamp = None;
    }

    /// Told that the state's last change placed `task`: the answers still hold if it is the
    /// next change after the last one seen and took capacity only.
    pub(crate) fn placed(&mut self, state: &State<'_>, task: usize) {
        let now = state.stamp();
        let takes = state.takes_only(task);
        match Seen::of(self.stamp, now) {
            Seen::Current => {}
            Seen::Next if takes => self.stamp = Some(now),
            _ => self.forget(),
        }
    }

    /// Where the last query for `task`'s demand ended, if that answer still holds.
    #[inline(always)]
    pub(crate) fn start(&mut self, state: &State<'_>, task: usize) -> Option<K> {
        self.last = None;
        if self.stamp != Some(state.stamp()) {
            self.forget();
            self.stamp = Some(state.stamp());
            return None;
        }
        let (slot, demand) = self.slot(state, task)?;
        let (generation, end) = self.ends[slot];
        let same = self.demands[slot * self.r..(slot + 1) * self.r] == *demand;
        self.last = Some((task, slot, same));
        end.filter(|_| generation == self.generation && same)
    }

    /// Remembers where the query for `task` ended (`start` was asked first, at this state).
    #[inline(always)]
    pub(crate) fn record(&mut self, state: &State<'_>, task: usize, end: K) {
        let last = self.last.take();
        if self.stamp != Some(state.stamp()) {
            return;
        }
        if let Some((_, slot, true)) = last.filter(|l| l.0 == task) {
            self.ends[slot] = (self.generation, Some(end));
            return;
        }
        if let Some((slot, demand)) = self.slot(state, task) {
            self.demands[slot * self.r..(slot + 1) * self.r].copy_from_slice(demand);
            self.ends[slot] = (self.generation, Some(end));
        }
    }

    /// The slot of `task`'s demand, and the demand; `None` for a restricted task.
    fn slot<'p>(&self, state: &State<'p>, task: usize) -> Option<(usize, &'p [f64])> {
        if state.problem().allowed_nodes(task).is_some() {
            return None;
        }
        let demand = state.demand_row(task);
        let mut h = 0u64;
        for &d in demand {
            // Mixed so that every bit of each value reaches the low bits (values such as 0.5
            // or 2 differ only in their top bits).
            h = (h ^ d.to_bits()).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            h ^= h >> 29;
        }
        h = (h ^ (h >> 32)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        Some(((h >> 32) as usize % SLOTS, demand))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Problem, Resources, Workload};
    use ndarray::array;

    fn problem(demand: ndarray::Array2<f64>) -> Problem {
        let r = Resources::new(["cpu", "mem"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[8.0, 8.0], [8.0, 8.0]]).unwrap();
        Problem::new(cluster, Workload::allowing_negative(r, demand).unwrap()).unwrap()
    }

    #[test]
    fn an_answer_holds_while_only_placements_of_capacity_are_told() {
        let p = problem(array![[1.0, 2.0], [1.0, 2.0], [2.0, 1.0], [-1.0, 1.0]]);
        let mut state = State::new(&p);
        let mut memo = Memo::<usize>::new(2);
        assert_eq!(memo.start(&state, 0), None);
        memo.record(&state, 0, 1);
        // The same demand (another task), not another demand.
        assert_eq!(memo.start(&state, 1), Some(1));
        assert_eq!(memo.start(&state, 2), None);
        state.place(0, 1).unwrap();
        memo.placed(&state, 0);
        assert_eq!(memo.start(&state, 1), Some(1));
        // A change not told: forgotten.
        state.remove(0);
        assert_eq!(memo.start(&state, 1), None);
        memo.record(&state, 1, 0);
        // A placement that gives capacity back (a negative demand): forgotten.
        state.place(3, 0).unwrap();
        memo.placed(&state, 3);
        assert_eq!(memo.start(&state, 1), None);
    }

    #[test]
    fn a_record_after_its_start_is_written_where_the_start_found_the_demand() {
        let p = problem(array![[1.0, 2.0], [1.0, 2.0], [2.0, 1.0]]);
        let state = State::new(&p);
        let mut memo = Memo::<usize>::new(2);
        assert_eq!(memo.start(&state, 0), None);
        memo.record(&state, 0, 1);
        assert_eq!(memo.start(&state, 0), Some(1));
        memo.record(&state, 0, 2);
        assert_eq!(memo.start(&state, 1), Some(2));
        // A start for one task, then a record for another: the other's own slot.
        assert_eq!(memo.start(&state, 1), Some(2));
        memo.record(&state, 2, 9);
        assert_eq!(memo.start(&state, 0), Some(2));
        assert_eq!(memo.start(&state, 2), Some(9));
    }

    #[test]
    fn restricted_tasks_are_not_remembered() {
        let p = problem(array![[1.0, 2.0], [1.0, 2.0]])
            .with_allowed_nodes(vec![Some(vec![1]), None])
            .unwrap();
        let state = State::new(&p);
        let mut memo = Memo::<usize>::new(2);
        assert_eq!(memo.start(&state, 0), None);
        memo.record(&state, 0, 1);
        assert_eq!(memo.start(&state, 1), None);
        memo.record(&state, 1, 0);
        assert_eq!(memo.start(&state, 0), None);
        assert_eq!(memo.start(&state, 1), Some(0));
    }
}
