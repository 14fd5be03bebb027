//! Preemption, as kube-scheduler's `DefaultPreemption`: a head of the line that fits nowhere
//! may evict tasks of strictly lower priority from one node to make room.
//!
//! On each node that is up and admits the head, the victims are its running tasks of lower
//! priority, lowest priority first (then the most recently started first), taken until the
//! head fits; then, highest priority first, each victim is spared if the head still fits
//! without evicting it. Among the nodes where this works, the one with the lowest highest-victim
//! priority wins, then the fewest victims, then the lowest index. The victims go back in line
//! (keeping their place, so behind the head) and are counted as preempted; the head starts on
//! that node, as kube-scheduler's nominated node.
//!
//! Complexity: O(nodes + running tasks) per attempt; attempted only for a head whose priority
//! is above the lowest of the workload, in a round where it fits nowhere.

use super::engine::Engine;
use crate::state::TOLERANCE;

impl Engine<'_> {
    /// Tries to start `head` by preempting; `true` if it started.
    pub(super) fn preempt_for(&mut self, head: usize) -> bool {
        let priority = self.problem.workload().priority(head);
        if priority <= self.min_priority {
            return false;
        }
        let mut best: Option<((i64, usize, usize), Vec<usize>)> = None;
        let mut victims = std::mem::take(&mut self.victims);
        let mut free = Vec::new();
        for node in 0..self.state.nodes() {
            if !self.state.is_alive(node) || !self.problem.allowed(head, node) {
                continue;
            }
            if !self.victims_on((node, head, priority), &mut victims, &mut free) {
                continue;
            }
            let w = self.problem.workload();
            let top = victims
                .iter()
                .map(|&v| w.priority(v))
                .max()
                .unwrap_or(i64::MIN);
            let key = (top, victims.len(), node);
            if best.as_ref().is_none_or(|(b, _)| key < *b) {
                let mut kept = best.map(|(_, v)| v).unwrap_or_default();
                kept.clone_from(&victims);
                best = Some((key, kept));
            }
        }
        self.victims = victims;
        let Some(((_, _, node), chosen)) = best else {
            return false;
        };
        for &victim in &chosen {
            self.evicted(victim, node);
            self.preempted += 1;
        }
        self.planner.clear();
        self.start(head, node);
        // Back in line after the head left it.
        for &victim in &chosen {
            self.enqueue(victim, true);
        }
        true
    }

    /// The fewest lower-priority tasks on `node` whose eviction lets `head` fit, into
    /// `victims`; `false` if evicting all of them is not enough. `free` is work space.
    fn victims_on(
        &self,
        (node, head, priority): (usize, usize, i64),
        victims: &mut Vec<usize>,
        free: &mut Vec<f64>,
    ) -> bool {
        let w = self.problem.workload();
        victims.clear();
        let running = self.running.as_ref().expect("kept when preemption is on");
        victims.extend(running.on(node).filter(|&t| w.priority(t) < priority));
        if victims.is_empty() {
            return false;
        }
        // Lowest priority first; among equals the most recently started first (the running list
        // is newest first and the sort is stable).
        victims.sort_by_key(|&t| w.priority(t));
        let demand = self.problem.demand(head);
        let capacity = self.state.capacity(node);
        free.clear();
        free.extend(self.state.free(node));
        let fits = |free: &[f64], without: Option<usize>| {
            let spared = without.map(|v| self.problem.demand(v));
            (0..demand.len()).all(|r| {
                let back = spared.as_ref().map_or(0.0, |d| d[r]);
                demand[r] <= free[r] - back + TOLERANCE * capacity[r]
            })
        };
        let mut taken = 0;
        while !fits(free, None) {
            let Some(&v) = victims.get(taken) else {
                return false;
            };
            for (f, d) in free.iter_mut().zip(self.problem.demand(v)) {
                *f += d;
            }
            taken += 1;
        }
        victims.truncate(taken);
        // Spare victims, highest priority first, while the head still fits without them.
        for i in (0..victims.len()).rev() {
            if fits(free, Some(victims[i])) {
                for (f, d) in free.iter_mut().zip(self.problem.demand(victims[i])) {
                    *f -= d;
                }
                victims.remove(i);
            }
        }
        true
    }
}
