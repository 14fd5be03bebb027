//! The mutable allocation: free capacity per node and resource, counters per node, and the hard
//! fit filter that every strategy shares.
//!
//! Layout: the free capacity is one contiguous nodes x resources array (row-major); per-node
//! counters (tasks placed, work placed, alive) sit beside it. Placing or removing a task allocates
//! nothing and costs O(resources).
//!
//! Every change (place, remove, a node failing, joining or being cordoned) advances
//! [`State::changes`], so that an index over nodes can tell whether it has seen every change (see [`State::stamp`]).

use crate::model::Problem;
use crate::placement::Reason;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use std::sync::atomic::{AtomicU64, Ordering};

/// Relative slack of the fit test, against rounding in sums of fractional demands: a demand
/// fits when `demand <= free + TOLERANCE * capacity` in every resource.
pub const TOLERANCE: f64 = 1e-9;

/// Why a task does not fit one node: the first resource short, how much was asked, how much
/// was free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shortfall {
    /// The resource (column) that is short.
    pub resource: usize,
    /// The task's demand of it.
    pub requested: f64,
    /// What the node had free.
    pub free: f64,
}

/// Why the filter step turned a node down for a task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rejection {
    /// The node has failed.
    Down,
    /// The task may not run there (its allowed nodes exclude it).
    NotAllowed,
    /// A resource is short.
    Short(Shortfall),
}

impl From<Shortfall> for Rejection {
    fn from(s: Shortfall) -> Self {
        Rejection::Short(s)
    }
}

/// The filter step: does `demand` fit into `free` (a node whose full capacity is `capacity`)
/// in every resource? `Err` names the first resource that is short.
///
/// Complexity: O(resources).
pub fn check_fit(
    demand: ArrayView1<'_, f64>,
    free: ArrayView1<'_, f64>,
    capacity: ArrayView1<'_, f64>,
) -> Result<(), Shortfall> {
    fit_rows(demand.iter(), free.iter(), capacity.iter())
}

/// [`check_fit`] over any rows of values.
fn fit_rows<'a>(
    demand: impl Iterator<Item = &'a f64>,
    free: impl Iterator<Item = &'a f64>,
    capacity: impl Iterator<Item = &'a f64>,
) -> Result<(), Shortfall> {
    for (resource, ((&d, &f), &c)) in demand.zip(free).zip(capacity).enumerate() {
        if d > f + TOLERANCE * c {
            return Err(Shortfall {
                resource,
                requested: d,
                free: f,
            });
        }
    }
    Ok(())
}

/// Which state and how many changes it has seen: an index over nodes that recorded the stamp of
/// the last change it applied knows it is up to date when the stamp is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// The state's identity: unique per [`State::new`] and per clone.
    pub id: u64,
    /// The number of changes made to it so far ([`State::changes`]).
    pub changes: u64,
}

/// The source of state identities.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// The allocation of a problem's tasks to nodes, updated one placement at a time.
///
/// Nodes may fail (their tasks are released) and new nodes may join, so that a simulator can
/// drive the same state through time.
///
/// Memory: the capacity and the free capacity (2 x 8 bytes per node and resource), 13 bytes of
/// counters per node, 16 bytes per task (its node).
#[derive(Debug)]
pub struct State<'p> {
    problem: &'p Problem,
    /// The number of resources: the length of each row below.
    r: usize,
    /// Nodes x resources, row-major (joined nodes appended).
    capacity: Vec<f64>,
    /// Nodes x resources, row-major.
    free: Vec<f64>,
    /// The problem's demand, tasks x resources, row-major.
    demand: &'p [f64],
    tasks_on: Vec<u32>,
    work_on: Vec<f64>,
    alive: Vec<bool>,
    cordoned: Vec<bool>,
    assignment: Vec<Option<usize>>,
    id: u64,
    changes: u64,
}

impl Clone for State<'_> {
    /// A copy with its own identity, so that an index built over the original is not mistaken
    /// for one over the copy.
    fn clone(&self) -> Self {
        Self {
            problem: self.problem,
            r: self.r,
            demand: self.demand,
            capacity: self.capacity.clone(),
            free: self.free.clone(),
            tasks_on: self.tasks_on.clone(),
            work_on: self.work_on.clone(),
            alive: self.alive.clone(),
            cordoned: self.cordoned.clone(),
            assignment: self.assignment.clone(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            changes: self.changes,
        }
    }
}

impl<'p> State<'p> {
    /// An empty allocation: every node alive and free, no task placed.
    pub fn new(problem: &'p Problem) -> Self {
        // Row-major whatever the problem's layout, so that a node's row is one slice.
        let matrix = problem.cluster().capacity();
        let (nodes, r) = matrix.dim();
        let capacity: Vec<f64> = matrix.iter().copied().collect();
        Self {
            problem,
            r,
            demand: problem.workload().demand_values(),
            free: capacity.clone(),
            capacity,
            tasks_on: vec![0; nodes],
            work_on: vec![0.0; nodes],
            alive: vec![true; nodes],
            cordoned: vec![false; nodes],
            assignment: vec![None; problem.tasks()],
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            changes: 0,
        }
    }

    /// The number of changes so far: every placement, removal, node failure, join and cordon
    /// adds one (a failure also adds one per task it releases, a move one for the removal).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// This state's identity and [`State::changes`].
    pub fn stamp(&self) -> Stamp {
        Stamp {
            id: self.id,
            changes: self.changes,
        }
    }

    /// The number of resources.
    pub fn resources(&self) -> usize {
        self.r
    }

    /// The problem this state allocates.
    pub fn problem(&self) -> &'p Problem {
        self.problem
    }

    /// The number of nodes, failed ones included.
    pub fn nodes(&self) -> usize {
        self.alive.len()
    }

    /// The demand row of a task.
    pub fn demand(&self, task: usize) -> ArrayView1<'p, f64> {
        self.problem.demand(task)
    }

    /// The demand row of a task as a slice, one value per resource.
    pub fn demand_row(&self, task: usize) -> &'p [f64] {
        &self.demand[task * self.r..(task + 1) * self.r]
    }

    /// The full capacity of a node.
    pub fn capacity(&self, node: usize) -> ArrayView1<'_, f64> {
        ArrayView1::from(self.capacity_row(node))
    }

    /// The free capacity of a node.
    pub fn free(&self, node: usize) -> ArrayView1<'_, f64> {
        ArrayView1::from(self.free_row(node))
    }

    /// The free capacity of a node as a slice, one value per resource.
    pub fn free_row(&self, node: usize) -> &[f64] {
        &self.free[node * self.r..(node + 1) * self.r]
    }

    /// The full capacity of a node as a slice, one value per resource.
    pub fn capacity_row(&self, node: usize) -> &[f64] {
        &self.capacity[node * self.r..(node + 1) * self.r]
    }

    /// The free capacity of every node as one row-major slice: node `n`'s row starts at
    /// `n x resources`.
    pub fn free_values(&self) -> &[f64] {
        &self.free
    }

    /// The capacity of every node as one row-major slice, as [`State::free_values`].
    pub fn capacity_values(&self) -> &[f64] {
        &self.capacity
    }

    /// The free capacity of every node, nodes x resources.
    pub fn free_matrix(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.nodes(), self.r), &self.free).expect("nodes x resources")
    }

    /// The capacity of every node, nodes x resources (joined nodes included).
    pub fn capacity_matrix(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.nodes(), self.r), &self.capacity).expect("nodes x resources")
    }

    /// How many tasks are placed on a node.
    pub fn task_count(&self, node: usize) -> u32 {
        self.tasks_on[node]
    }

    /// The work placed on a node: the sum of its tasks' durations, 1 per task without one.
    pub fn work(&self, node: usize) -> f64 {
        self.work_on[node]
    }

    /// Whether a node is up (not failed).
    pub fn is_alive(&self, node: usize) -> bool {
        self.alive[node]
    }

    /// Per node, whether it is up: [`State::is_alive`] of every node.
    pub(crate) fn alive(&self) -> &[bool] {
        &self.alive
    }

    /// Where each task is placed.
    pub fn assignment(&self) -> &[Option<usize>] {
        &self.assignment
    }

    /// Where each task is placed, taking the state apart (no copy).
    pub fn into_assignment(self) -> Vec<Option<usize>> {
        self.assignment
    }

    /// The work a task adds to its node: its duration, or 1 without one.
    pub fn task_work(&self, task: usize) -> f64 {
        self.problem.workload().duration(task).unwrap_or(1.0)
    }

    /// Whether a node is cordoned: up, keeping its tasks, but admitting no new one.
    pub fn is_cordoned(&self, node: usize) -> bool {
        self.cordoned[node]
    }

    /// Cordons a node (`true`, as `kubectl cordon`: it keeps its tasks but admits no new one,
    /// which the filter reports as [`Rejection::Down`]) or lifts the cordon (`false`). A
    /// simulator uses it to keep a node reserved for a waiting task while it asks a strategy
    /// where another task should go.
    pub fn set_cordoned(&mut self, node: usize, cordoned: bool) {
        self.cordoned[node] = cordoned;
        self.changes += 1;
    }

    /// Whether a node admits new tasks: up and not cordoned.
    pub fn admits(&self, node: usize) -> bool {
        self.alive[node] && !self.cordoned[node]
    }

    /// The filter step for one node: `Ok` if the node is alive and not cordoned, the task may
    /// run there, and it fits the node's free capacity in every resource.
    pub fn check(&self, task: usize, node: usize) -> Result<(), Rejection> {
        if !self.alive[node] || self.cordoned[node] {
            return Err(Rejection::Down);
        }
        if !self.problem.allowed(task, node) {
            return Err(Rejection::NotAllowed);
        }
        let (free, capacity) = (self.free_row(node), self.capacity_row(node));
        Ok(fit_rows(
            self.demand_row(task).iter(),
            free.iter(),
            capacity.iter(),
        )?)
    }

    /// Whether placing `task` only takes capacity: no demand of it is negative (only a
    /// workload made with [`Workload::allowing_negative`](crate::Workload::allowing_negative)
    /// has such). Indexes kept in step with placements rely on free capacity only falling.
    pub(crate) fn takes_only(&self, task: usize) -> bool {
        !self.problem.workload().has_negative() || self.demand_row(task).iter().all(|&d| d >= 0.0)
    }

    /// Whether `task` fits on `node` now.
    pub fn fits(&self, task: usize, node: usize) -> bool {
        // [`State::check`]'s tests, without building the rejection.
        let (demand, free, capacity) = (
            self.demand_row(task),
            self.free_row(node),
            self.capacity_row(node),
        );
        self.admits(node)
            && self.problem.allowed(task, node)
            && demand
                .iter()
                .zip(free.iter().zip(capacity))
                .all(|(&d, (&f, &c))| d <= f + TOLERANCE * c)
    }

    /// Places a task on a node after checking the fit; `Err` leaves the state unchanged.
    /// A task already placed elsewhere is moved.
    pub fn place(&mut self, task: usize, node: usize) -> Result<(), Rejection> {
        if self.assignment[task] == Some(node) {
            return Ok(());
        }
        // The same tests as `check`; the rejection is built only where one fails.
        if !self.fits(task, node) {
            self.check(task, node)?;
        }
        if self.assignment[task].is_some() {
            self.remove(task);
        }
        let demand = self.demand_row(task);
        for (f, &d) in self.free[node * self.r..][..self.r].iter_mut().zip(demand) {
            *f -= d;
        }
        self.tasks_on[node] += 1;
        self.work_on[node] += self.task_work(task);
        self.assignment[task] = Some(node);
        self.changes += 1;
        Ok(())
    }

    /// Removes a task from its node, returning the node it was on.
    pub fn remove(&mut self, task: usize) -> Option<usize> {
        let node = self.assignment[task].take()?;
        let demand = self.demand_row(task);
        for (f, &d) in self.free[node * self.r..][..self.r].iter_mut().zip(demand) {
            *f += d;
        }
        self.tasks_on[node] -= 1;
        self.work_on[node] -= self.task_work(task);
        self.changes += 1;
        Some(node)
    }

    /// Adds a node with this capacity (one value per resource) and returns its index.
    ///
    /// Panics if `capacity` has the wrong length; callers validate it first.
    pub fn add_node(&mut self, capacity: ArrayView1<'_, f64>) -> usize {
        assert_eq!(capacity.len(), self.r, "one capacity per resource");
        self.capacity.extend(capacity.iter());
        self.free.extend(capacity.iter());
        self.tasks_on.push(0);
        self.work_on.push(0.0);
        self.alive.push(true);
        self.cordoned.push(false);
        self.changes += 1;
        self.nodes() - 1
    }

    /// Marks a node failed and releases its tasks, which are returned in index order.
    pub fn fail_node(&mut self, node: usize) -> Vec<usize> {
        let evicted: Vec<usize> = (0..self.assignment.len())
            .filter(|&t| self.assignment[t] == Some(node))
            .collect();
        for &task in &evicted {
            self.remove(task);
        }
        self.alive[node] = false;
        self.changes += 1;
        evicted
    }

    /// The used capacity of every node, nodes x resources.
    pub fn used(&self) -> Array2<f64> {
        &self.capacity_matrix() - &self.free_matrix()
    }

    /// Why a task fits on no node now, with the data: see [`Reason`].
    ///
    /// Complexity: O(nodes x resources), one pass over the nodes (two when the task is larger
    /// than every empty node). A batch run ([`greedy`](crate::strategy::greedy)) gives the same
    /// value through a cache that is usually O(resources) per unplaced task.
    pub fn reason(&self, task: usize) -> Reason {
        if !self.alive.contains(&true) {
            return Reason::NoNodes;
        }
        let candidates =
            || (0..self.nodes()).filter(|&n| self.alive[n] && self.problem.allowed(task, n));
        let demand = self.demand(task);
        let d = demand.to_vec();
        let r = self.resources();
        let mut most_free = Array1::from_elem(r, f64::NEG_INFINITY);
        let (mut any, mut fits_empty, mut closest) = (false, false, None);
        let (all_free, all_cap) = (self.free_values(), self.capacity_values());
        for n in candidates() {
            any = true;
            let (free, cap) = (&all_free[n * r..][..r], &all_cap[n * r..][..r]);
            for j in 0..r {
                most_free[j] = most_free[j].max(free[j]);
            }
            // `check_fit` against the empty node.
            fits_empty |= (0..r).all(|j| d[j] <= cap[j] + TOLERANCE * cap[j]);
            closest = nearer(closest, n, worst_gap(&d, free, cap));
        }
        let Some((node, gap_resource, _)) = closest else {
            debug_assert!(!any);
            return Reason::NotAllowed;
        };
        if !fits_empty {
            return self.too_large(demand, candidates().map(|n| self.capacity_row(n)));
        }
        self.short(demand, &most_free, (node, gap_resource))
    }

    /// Why a demand that no empty node fits fits no node: [`Reason::TooLarge`], from the
    /// capacity rows of the nodes it may run on (`capacities`, in order of their nodes; a row
    /// that repeats an earlier one may be left out), not empty. The resource blamed is the one
    /// whose demand most exceeds the largest capacity of it, else the one short on the node
    /// that comes closest to fitting it empty (ties to the lowest index).
    ///
    /// Complexity: O(rows x resources).
    pub(crate) fn too_large<'c>(
        &self,
        demand: ArrayView1<'_, f64>,
        capacities: impl Iterator<Item = &'c [f64]>,
    ) -> Reason {
        let d = demand.to_vec();
        let mut largest = Array1::from_elem(d.len(), f64::NEG_INFINITY);
        let mut empty = None;
        for (row, cap) in capacities.enumerate() {
            for (l, &c) in largest.iter_mut().zip(cap) {
                *l = l.max(c);
            }
            empty = nearer(empty, row, worst_gap(&d, cap, cap));
        }
        let (_, short, _) = empty.expect("a capacity row");
        let resource = scarcest(demand, &largest).unwrap_or(short);
        Reason::TooLarge {
            resource: self.problem.resources().name(resource).to_string(),
            requested: demand[resource],
            largest: largest[resource],
        }
    }

    /// Why a demand that some empty node fits fits no node now, given the most free per
    /// resource over the nodes and the closest node (with its resource short): no node has
    /// enough of some resource ([`State::insufficient`]), else the closest node is short.
    pub(crate) fn short(
        &self,
        demand: ArrayView1<'_, f64>,
        most_free: &Array1<f64>,
        (node, gap_resource): (usize, usize),
    ) -> Reason {
        self.insufficient(demand, most_free)
            .unwrap_or_else(|| Reason::Fragmented {
                node,
                resource: self.problem.resources().name(gap_resource).to_string(),
                requested: demand[gap_resource],
                free: self.free_row(node)[gap_resource],
                most_free: most_free[gap_resource],
            })
    }

    /// [`Reason::Insufficient`] if `demand` exceeds the most free of some resource over the
    /// nodes (`most_free`): the resource it exceeds the most, relative to that.
    pub(crate) fn insufficient(
        &self,
        demand: ArrayView1<'_, f64>,
        most_free: &Array1<f64>,
    ) -> Option<Reason> {
        let resource = scarcest(demand, most_free)?;
        Some(Reason::Insufficient {
            resource: self.problem.resources().name(resource).to_string(),
            requested: demand[resource],
            most_free: most_free[resource],
        })
    }
}

/// The node with the smaller shortfall `(resource, gap)`, the earlier on a tie.
pub(crate) fn nearer(
    best: Option<(usize, usize, f64)>,
    node: usize,
    (resource, gap): (usize, f64),
) -> Option<(usize, usize, f64)> {
    match best {
        Some(b) if b.2 <= gap => Some(b),
        _ => Some((node, resource, gap)),
    }
}

/// The resource whose demand most exceeds (relative to it) the most available on any node
/// (`most`), if any does.
fn scarcest(demand: ArrayView1<'_, f64>, most: &Array1<f64>) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (r, (&d, &m)) in demand.iter().zip(most).enumerate() {
        if d > m * (1.0 + TOLERANCE) {
            let ratio = if m > 0.0 { d / m } else { f64::INFINITY };
            if best.is_none_or(|(_, b)| ratio > b) {
                best = Some((r, ratio));
            }
        }
    }
    best.map(|(r, _)| r)
}

/// The resource with the largest shortfall relative to capacity, and that shortfall.
pub(crate) fn worst_gap(demand: &[f64], free: &[f64], capacity: &[f64]) -> (usize, f64) {
    let mut worst = (0, f64::NEG_INFINITY);
    for (r, ((&d, &f), &c)) in demand.iter().zip(free).zip(capacity).enumerate() {
        let gap = (d - f) / c.max(f64::MIN_POSITIVE);
        if gap > worst.1 {
            worst = (r, gap);
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Resources, Workload};
    use ndarray::{Array2, array};

    fn problem(capacity: Array2<f64>, demand: Array2<f64>) -> Problem {
        let r = Resources::new(["cpu", "memory"]).unwrap();
        Problem::new(
            Cluster::new(r.clone(), capacity).unwrap(),
            Workload::new(r, demand).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn fit_names_the_first_short_resource() {
        let cap = array![4.0, 8.0];
        assert_eq!(
            check_fit(array![4.0, 8.0].view(), cap.view(), cap.view()),
            Ok(())
        );
        let short = check_fit(array![1.0, 9.0].view(), cap.view(), cap.view()).unwrap_err();
        assert_eq!(
            short,
            Shortfall {
                resource: 1,
                requested: 9.0,
                free: 8.0
            }
        );
    }

    #[test]
    fn rounding_in_sums_does_not_reject_an_exact_fit() {
        let p = problem(
            array![[1.0, 1.0]],
            array![[0.1, 0.0], [0.2, 0.0], [0.7, 0.0]],
        );
        let mut s = State::new(&p);
        for task in 0..3 {
            s.place(task, 0).unwrap();
        }
        assert_eq!(s.task_count(0), 3);
    }

    #[test]
    fn place_remove_and_fail_keep_counters_exact() {
        let p = problem(
            array![[4.0, 8.0], [4.0, 8.0]],
            array![[1.0, 2.0], [3.0, 6.0]],
        );
        let mut s = State::new(&p);
        s.place(0, 0).unwrap();
        s.place(1, 0).unwrap();
        assert_eq!(s.free(0).to_vec(), vec![0.0, 0.0]);
        assert_eq!((s.task_count(0), s.work(0)), (2, 2.0));
        assert!(
            s.place(0, 0).is_ok(),
            "placing where it already is changes nothing"
        );
        s.place(0, 1).unwrap();
        assert_eq!(s.free(0).to_vec(), vec![1.0, 2.0]);
        assert_eq!(s.fail_node(0), vec![1]);
        assert!(!s.fits(1, 0), "a failed node admits nothing");
        assert_eq!(s.assignment(), &[Some(1), None]);
        let joined = s.add_node(array![8.0, 8.0].view());
        assert_eq!((joined, s.nodes()), (2, 3));
        assert!(s.fits(1, joined));
    }

    #[test]
    fn reason_too_large_names_the_resource_and_the_largest_node() {
        let p = problem(array![[4.0, 8.0], [2.0, 16.0]], array![[1.0, 32.0]]);
        let reason = State::new(&p).reason(0);
        assert_eq!(
            reason,
            Reason::TooLarge {
                resource: "memory".into(),
                requested: 32.0,
                largest: 16.0
            }
        );
    }

    #[test]
    fn reason_insufficient_gives_the_most_free() {
        let p = problem(
            array![[4.0, 8.0], [4.0, 8.0]],
            array![[3.0, 1.0], [3.0, 1.0], [2.0, 1.0]],
        );
        let mut s = State::new(&p);
        s.place(0, 0).unwrap();
        s.place(1, 1).unwrap();
        assert_eq!(
            s.reason(2),
            Reason::Insufficient {
                resource: "cpu".into(),
                requested: 2.0,
                most_free: 1.0
            }
        );
    }

    #[test]
    fn reason_fragmented_points_at_the_closest_node() {
        // Node 0 has cpu left, node 1 memory: the task needs both.
        let p = problem(
            array![[4.0, 8.0], [4.0, 8.0]],
            array![[1.0, 7.0], [3.0, 1.0], [2.0, 4.0]],
        );
        let mut s = State::new(&p);
        s.place(0, 0).unwrap();
        s.place(1, 1).unwrap();
        match s.reason(2) {
            Reason::Fragmented {
                node,
                resource,
                requested,
                free,
                most_free,
            } => {
                assert_eq!((node, resource.as_str()), (1, "cpu"));
                assert_eq!((requested, free, most_free), (2.0, 1.0, 3.0));
            }
            other => panic!("expected fragmentation, got {other:?}"),
        }
    }
}
