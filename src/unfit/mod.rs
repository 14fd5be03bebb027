//! Reasons for many unplaced tasks, cheaply: the same [`Reason`] as [`State::reason`], without a
//! pass over every node for each task that fits nowhere.
//!
//! [`State::reason`] costs O(nodes x resources). A batch run that leaves many tasks unplaced
//! (first fit decreasing on a cluster whose memory-heavy tasks strand cpu) would spend most of its
//! time there. The reason depends on the state and the task's demand row only (for a task that
//! may run anywhere): on the most free of each resource over the alive nodes, on whether some
//! empty node fits the demand, and on the node closest to fitting it. [`Reasons`] keeps the
//! first, answers the second from the distinct capacity rows (and, for a task no empty node
//! fits, the whole reason: the largest capacities and the empty node closest to fitting it are
//! among those rows), and remembers the closest node per demand row. A placement only takes
//! capacity from one node, so these stay valid unless that node held a maximum or was a
//! remembered closest node; any other change clears them.

mod closest;
mod maxima;

use crate::index::{Passed, row_hash};
use crate::placement::Reason;
use crate::state::{Stamp, State, TOLERANCE};
use closest::Closest;
use maxima::Maxima;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;

/// Demand rows whose closest node is remembered at most: the oldest is forgotten beyond.
const REMEMBERED: usize = 64;

/// Per remembered demand row asked for again, the nodes closest to fitting it that are kept
/// (with the key of the next closest, below which they are still the closest after placements
/// elsewhere; a row asked for the first time keeps one); per resource, the nodes with the most
/// free that are kept.
const KEPT: usize = 32;

/// Demand rows known to fit nowhere, remembered at most (checked before every placement).
const UNFIT: usize = 8;

/// The most free capacity per resource over the alive nodes, the distinct capacity rows, and per
/// recent demand row its closest node, kept in step with a state through [`Reasons::placed`].
///
/// Memory: O(resources x (distinct capacity rows + 64)).
#[derive(Debug, Clone, Default)]
pub(crate) struct Reasons {
    /// The state's stamp this cache is in step with.
    stamp: Option<Stamp>,
    /// The most free per resource; none when to be found again.
    maxima: Option<Maxima>,
    /// The distinct capacity rows of the alive nodes, row-major.
    shapes: Vec<f64>,
    /// Demand rows with their closest nodes.
    closest: VecDeque<Closest>,
    /// Per node, how many remembered demand rows keep it among their closest, and how many
    /// resources among their most free.
    watched: Vec<u32>,
    /// Demand rows that fit no node: while only placements follow (free capacity only
    /// shrinks), neither they nor any demand at least as large in every resource fit anywhere.
    unfit: Vec<Vec<f64>>,
}

impl Reasons {
    /// An empty cache: filled on first use.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Told after `task` was placed on `node` (the state's last change): what the placement may
    /// have changed is forgotten (everything, if a negative demand gave capacity back).
    pub(crate) fn placed(&mut self, state: &State<'_>, task: usize, node: usize) {
        let Some(seen) = self.stamp else { return };
        let now = state.stamp();
        if seen.id != now.id || seen.changes + 1 != now.changes || !state.takes_only(task) {
            self.stamp = None;
            self.unfit.clear();
            return;
        }
        self.stamp = Some(now);
        if self.watched.get(node).is_some_and(|&w| w > 0) {
            let (free, cap) = (state.free_row(node), state.capacity_row(node));
            for c in &mut self.closest {
                c.moved(node, free, cap);
            }
            if let Some(m) = &mut self.maxima {
                m.moved(node, free);
            }
        }
    }

    /// Whether `task` is known to fit no node now, without a search: its demand is at least that
    /// of a task that fit nowhere (told by [`Reasons::reason`]) in every resource, and only
    /// placements came since. `false` when not known.
    ///
    /// Complexity: O(resources x 8).
    pub(crate) fn fits_nowhere(&self, state: &State<'_>, task: usize) -> bool {
        if self.unfit.is_empty()
            || self.stamp != Some(state.stamp())
            || state.problem().allowed_nodes(task).is_some()
        {
            return false;
        }
        let demand = state.demand_row(task);
        self.unfit
            .iter()
            .any(|u| u.iter().zip(demand).all(|(&u, &d)| u <= d))
    }

    /// Why `task` fits on no node now: [`State::reason`], the same value.
    ///
    /// Complexity: O(resources x (distinct capacity rows + 64)) when the maxima and the
    /// demand's closest node are known, or when no empty node fits it, or when no node has
    /// enough free of some resource; O(nodes x resources) to find the maxima or the closest
    /// node again.
    pub(crate) fn reason(&mut self, state: &State<'_>, task: usize) -> Reason {
        let restricted = state.problem().allowed_nodes(task).is_some();
        if restricted || !self.sync(state) {
            return state.reason(task);
        }
        let demand = state.demand(task);
        let r = state.resources();
        let fits_empty = self
            .shapes
            .chunks_exact(r)
            .any(|cap| (0..r).all(|j| demand[j] <= cap[j] + TOLERANCE * cap[j]));
        let row = state.demand_row(task);
        if !fits_empty {
            // No node fits it, nor will while only placements follow.
            self.remember_unfit(row);
            return state.too_large(demand, self.shapes.chunks_exact(r));
        }
        // Short of a resource on every node: the closest node does not matter.
        let most_free = self.maxima.as_ref().expect("synced").most();
        if let Some(reason) = state.insufficient(demand, most_free) {
            return reason;
        }
        let (node, gap_resource, gap) = self.closest_to(state, row);
        // Short on the closest node by more than the fit test's slack (and rounding): on
        // every node.
        if gap > 2.0 * TOLERANCE {
            self.remember_unfit(row);
        }
        let most_free = self.maxima.as_ref().expect("synced").most();
        state.short(demand, most_free, (node, gap_resource))
    }

    /// Remembers a demand row that fits nowhere, dropping those it is below in every resource
    /// (they are known already) and the oldest beyond [`UNFIT`].
    fn remember_unfit(&mut self, demand: &[f64]) {
        let below = |u: &[f64]| u.iter().zip(demand).all(|(&u, &d)| u <= d);
        if self.unfit.iter().any(|u| below(u)) {
            return;
        }
        self.unfit
            .retain(|u| !u.iter().zip(demand).all(|(&u, &d)| d <= u));
        if self.unfit.len() == UNFIT {
            self.unfit.remove(0);
        }
        self.unfit.push(demand.to_vec());
    }

    /// The alive node closest to fitting `demand` (as [`State::reason`] finds it: the least
    /// worst gap, ties to the lowest index), remembered with the next closest ones.
    fn closest_to(&mut self, state: &State<'_>, demand: &[f64]) -> (usize, usize, f64) {
        // A row asked for the first time keeps only its closest node (the scan passes over
        // more nodes by one resource); one asked again, [`KEPT`].
        let mut keep = 1;
        if let Some(i) = self.closest.iter().position(|c| c.demand == demand) {
            if let Some(found) = self.closest[i].least() {
                return found;
            }
            let gone = self.closest.remove(i).expect("found");
            self.unwatch(gone.kept.iter().map(|k| k.1));
            keep = KEPT;
        }
        let found = Closest::scan(state, demand, keep);
        if self.closest.len() == REMEMBERED
            && let Some(gone) = self.closest.pop_front()
        {
            self.unwatch(gone.kept.iter().map(|k| k.1));
        }
        self.watch(state, found.kept.iter().map(|k| k.1));
        self.closest.push_back(found);
        self.closest
            .back()
            .and_then(Closest::least)
            .expect("sync found an alive node")
    }

    /// Counts `nodes` as watched: placements on them are told to the kept lists.
    fn watch(&mut self, state: &State<'_>, nodes: impl Iterator<Item = usize>) {
        self.watched.resize(state.nodes(), 0);
        for n in nodes {
            self.watched[n] += 1;
        }
    }

    fn unwatch(&mut self, nodes: impl Iterator<Item = usize>) {
        for n in nodes {
            if let Some(w) = self.watched.get_mut(n) {
                *w = w.saturating_sub(1);
            }
        }
    }

    /// Brings the cache in step with the state; `false` if no node is alive.
    fn sync(&mut self, state: &State<'_>) -> bool {
        if self.stamp != Some(state.stamp()) {
            self.closest.clear();
            self.watched.clear();
            self.unfit.clear();
            self.maxima = None;
            self.shapes.clear();
        }
        if !self.maxima.as_mut().is_some_and(Maxima::settle) {
            if let Some(gone) = self.maxima.take() {
                self.unwatch(gone.nodes());
            }
            let found = Maxima::scan(state);
            if let Some(m) = &found {
                self.watch(state, m.nodes());
            }
            self.maxima = found;
        }
        if self.shapes.is_empty() {
            self.shapes = distinct_rows(state);
        }
        // With no node alive, [`State::reason`] answers, every time.
        self.stamp = self.maxima.is_some().then(|| state.stamp());
        self.stamp.is_some()
    }
}

/// The distinct capacity rows of the alive nodes, row-major, in order of first appearance.
///
/// Complexity: O(nodes x resources) expected (a hash of each row's bits).
fn distinct_rows(state: &State<'_>) -> Vec<f64> {
    let r = state.resources();
    // The first shape of each row hash (a collision is resolved by a search of all shapes).
    let mut first: HashMap<u64, usize, BuildHasherDefault<Passed>> = HashMap::default();
    let mut shapes: Vec<f64> = Vec::new();
    let rows = state.capacity_values().chunks_exact(r).zip(state.alive());
    for (cap, _) in rows.filter(|&(_, &up)| up) {
        let known = match first.entry(row_hash(0, cap)) {
            Entry::Occupied(e) => {
                shapes[e.get() * r..][..r] == *cap || shapes.chunks_exact(r).any(|s| s == cap)
            }
            Entry::Vacant(e) => {
                e.insert(shapes.len() / r);
                false
            }
        };
        if !known {
            shapes.extend_from_slice(cap);
        }
    }
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Problem, Resources, Workload};
    use ndarray::array;

    /// Places `tasks` in turn on the first node each fits, checking every reason on the way;
    /// the reasons given, by kind (insufficient, fragmented, other), and how many tasks were
    /// known to fit nowhere before the search.
    fn check_first_fit(p: &Problem, tasks: impl Iterator<Item = usize>) -> [usize; 4] {
        check_placing(p, tasks, 0)
    }

    #[test]
    fn tasks_larger_than_every_node_get_the_full_scans_reason_and_are_remembered() {
        let r = Resources::new(["cpu", "memory", "gpu"]).unwrap();
        let capacity = array![
            [8.0, 16.0, 0.0],
            [4.0, 64.0, 0.0],
            [8.0, 16.0, 0.0],
            [2.0, 8.0, 4.0],
            [4.0, 64.0, 0.0]
        ];
        // Each resource within some node, not all on one (the closest empty node blames cpu);
        // more gpu than any node has; dominating the first two (known to fit nowhere); one
        // that fits.
        let demand = array![
            [6.0, 32.0, 0.0],
            [1.0, 1.0, 8.0],
            [7.0, 40.0, 1.0],
            [6.0, 33.0, 0.0],
            [4.0, 32.0, 0.0]
        ];
        let workload = Workload::new(r.clone(), demand).unwrap();
        let p = Problem::new(Cluster::new(r.clone(), capacity).unwrap(), workload).unwrap();
        assert_eq!(check_first_fit(&p, 0..5), [0, 0, 4, 2]);
        let s = State::new(&p);
        let want = Reason::TooLarge {
            resource: "cpu".into(),
            requested: 6.0,
            largest: 8.0,
        };
        assert_eq!(Reasons::new().reason(&s, 0), want);
        // Two nodes equally close: the lower index blames its resource (memory here).
        let r = Resources::new(["cpu", "memory"]).unwrap();
        let capacity = array![[8.0, 4.0], [4.0, 8.0], [8.0, 4.0]];
        let workload = Workload::new(r.clone(), array![[6.0, 6.0], [6.0, 6.0]]).unwrap();
        let p = Problem::new(Cluster::new(r, capacity).unwrap(), workload).unwrap();
        assert_eq!(check_first_fit(&p, 0..2), [0, 0, 2, 1]);
        let s = State::new(&p);
        let reason = Reasons::new().reason(&s, 0);
        assert!(matches!(&reason, Reason::TooLarge { resource, .. } if resource == "memory"));
    }

    /// As `check_first_fit`, the search for each task starting `step` nodes after the last
    /// node used (0: first fit from node 0; 1: round robin).
    fn check_placing(p: &Problem, tasks: impl Iterator<Item = usize>, step: usize) -> [usize; 4] {
        let (mut s, mut reasons, mut kinds) = (State::new(p), Reasons::new(), [0; 4]);
        let mut start = 0;
        for t in tasks {
            let known = reasons.fits_nowhere(&s, t);
            kinds[3] += usize::from(known);
            let nodes = p.nodes();
            let found = (0..nodes)
                .map(|i| (start + i) % nodes)
                .find(|&n| s.fits(t, n));
            if let Some(n) = found {
                start = (n + step) % nodes * usize::from(step > 0);
            }
            match found {
                Some(n) => {
                    assert!(!known, "task {t} fits node {n}");
                    s.place(t, n).unwrap();
                    reasons.placed(&s, t, n);
                }
                None => {
                    let reason = reasons.reason(&s, t);
                    assert_eq!(reason, s.reason(t), "task {t}");
                    kinds[match reason {
                        Reason::Insufficient { .. } => 0,
                        Reason::Fragmented { .. } => 1,
                        _ => 2,
                    }] += 1;
                }
            }
        }
        kinds
    }

    #[test]
    fn the_same_reasons_as_the_full_scan() {
        let r = Resources::new(["cpu", "memory"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[4.0, 8.0], [4.0, 8.0], [2.0, 16.0]]);
        let demand = array![[3.0, 1.0], [3.0, 1.0], [2.0, 9.0], [2.0, 1.0], [1.0, 32.0]];
        let p = Problem::new(cluster.unwrap(), Workload::new(r, demand).unwrap()).unwrap();
        assert_eq!(check_first_fit(&p, 0..5), [1, 0, 1, 0]);
        // Many tasks unplaced, largest memory first, so that nodes run out of memory and not
        // cpu: a fragmented cluster.
        let p = crate::generate::fleet(40, 8_000, 7).unwrap();
        let mut order: Vec<usize> = (0..p.tasks()).collect();
        order.sort_by(|&a, &b| p.demand(b)[1].total_cmp(&p.demand(a)[1]));
        let fragmented = check_first_fit(&p, order.into_iter());
        // Twice the workload in index order: the cluster fills up.
        let demand = p.workload().demand().view();
        let twice = ndarray::concatenate(ndarray::Axis(0), &[demand, demand]).unwrap();
        let r = p.resources().clone();
        let p = Problem::new(p.cluster().clone(), Workload::new(r, twice).unwrap()).unwrap();
        let full = check_first_fit(&p, 0..p.tasks());
        assert!(
            full[1] > 100 && fragmented[1] > 100,
            "{full:?} {fragmented:?}"
        );
        // Round robin: placements land on the nodes kept as closest too.
        let turns = check_placing(&p, 0..p.tasks(), 1);
        assert!(turns[0] + turns[1] > 100, "{turns:?}");
    }
}
