//! What a simulation measures while it runs: time-weighted utilization and stranded capacity
//! per resource, the queue's length, and each completed task's wait.
//!
//! Every figure is kept incrementally (O(resources) per task start or stop), never by scanning
//! the nodes, and integrated between events; those up to the last completion (the makespan)
//! are reported.

use super::series::{Buckets, Series};
use crate::state::State;
use crate::stranded::stranded_exhausted as stranded;
use ndarray::ArrayView1;

/// Nearest-rank percentiles of `values` (sorted here): `p` in 0..=100.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The running figures of one simulation.
#[derive(Debug, Clone)]
pub(crate) struct Metrics {
    dims: usize,
    smallest: Vec<f64>,
    used: Vec<f64>,
    stranded_by_node: Vec<f64>,
    stranded: Vec<f64>,
    scratch: Vec<f64>,
    integral: Integral,
    at_makespan: Integral,
    /// The waits of completed tasks, in completion order.
    pub waits: Vec<f64>,
    /// The most tasks waiting at once.
    pub peak_waiting: usize,
    buckets: Buckets,
}

/// Integrals over time since 0.
#[derive(Debug, Clone, Default)]
pub(crate) struct Integral {
    /// Time covered.
    pub time: f64,
    /// Used capacity x time, per resource.
    pub used: Vec<f64>,
    /// Capacity of nodes up x time, per resource.
    pub capacity: Vec<f64>,
    /// Stranded capacity x time, per resource.
    pub stranded: Vec<f64>,
    /// Tasks waiting x time.
    pub waiting: f64,
}

impl Metrics {
    /// Figures for a state's problem, with `points` buckets of series.
    pub fn new(state: &State<'_>, points: usize) -> Self {
        let problem = state.problem();
        let dims = problem.resources().len();
        let smallest = problem.workload().smallest_demand();
        let zeros = Integral {
            used: vec![0.0; dims],
            capacity: vec![0.0; dims],
            stranded: vec![0.0; dims],
            ..Integral::default()
        };
        Self {
            dims,
            smallest,
            used: vec![0.0; dims],
            stranded_by_node: vec![0.0; state.nodes() * dims],
            stranded: vec![0.0; dims],
            scratch: vec![0.0; dims],
            integral: zeros.clone(),
            at_makespan: zeros,
            waits: Vec::new(),
            peak_waiting: 0,
            buckets: Buckets::new(points),
        }
    }

    /// Integrates the current figures from `from` to `to`, with `capacity` up (per resource)
    /// and `waiting` tasks in line.
    pub fn advance(&mut self, from: f64, to: f64, capacity: &[f64], waiting: usize) {
        let dt = to - from;
        if dt <= 0.0 {
            return;
        }
        let i = &mut self.integral;
        i.time += dt;
        let mut share = 0.0;
        let mut resources = 0;
        for (r, &c) in capacity.iter().enumerate().take(self.dims) {
            i.used[r] += self.used[r] * dt;
            i.capacity[r] += c * dt;
            i.stranded[r] += self.stranded[r] * dt;
            if c > 0.0 {
                share += self.used[r] / c;
                resources += 1;
            }
        }
        i.waiting += waiting as f64 * dt;
        let utilization = if resources > 0 {
            share / resources as f64
        } else {
            0.0
        };
        self.buckets.add(from, to, utilization, waiting as f64);
    }

    /// Notes the number of tasks waiting now.
    pub fn waiting(&mut self, waiting: usize) {
        self.peak_waiting = self.peak_waiting.max(waiting);
    }

    /// A task started (`sign` 1) or stopped (-1) with this demand.
    pub fn task(&mut self, demand: ArrayView1<'_, f64>, sign: f64) {
        for (u, d) in self.used.iter_mut().zip(demand) {
            *u += sign * d;
        }
    }

    /// Recomputes a node's stranded capacity after its free capacity, task count or alive flag
    /// changed. Only nodes that are up and run a task count.
    pub fn node_changed(&mut self, state: &State<'_>, node: usize) {
        let d = self.dims;
        if self.stranded_by_node.len() < state.nodes() * d {
            self.stranded_by_node.resize(state.nodes() * d, 0.0);
        }
        if state.is_alive(node) && state.task_count(node) > 0 {
            stranded(
                state.free(node),
                state.capacity(node),
                &self.smallest,
                &mut self.scratch,
            );
        } else {
            self.scratch.fill(0.0);
        }
        let old = &mut self.stranded_by_node[node * d..(node + 1) * d];
        for ((total, new), old) in self.stranded.iter_mut().zip(&self.scratch).zip(old) {
            *total += new - *old;
            *old = *new;
        }
    }

    /// A task completed after waiting `wait`: the figures so far are those of the makespan.
    pub fn completed(&mut self, wait: f64) {
        self.waits.push(wait);
        self.at_makespan.clone_from(&self.integral);
    }

    /// The integrals up to the last completion.
    pub fn at_makespan(&self) -> &Integral {
        &self.at_makespan
    }

    /// The series up to `end`.
    pub fn series(&self, end: f64) -> Series {
        self.buckets.finish(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn stranded_needs_another_resource_exhausted() {
        let cap = array![10.0, 10.0, 10.0];
        let smallest = [1.0, 1.0, 0.0];
        let mut out = [0.0; 3];
        // Nothing exhausted: nothing stranded.
        stranded(
            array![5.0, 5.0, 0.0].view(),
            cap.view(),
            &smallest,
            &mut out,
        );
        assert_eq!(out, [0.0; 3]);
        // Memory exhausted: cpu stranded; gpu (no task needs it) never exhausts, its 2 free
        // are stranded by memory.
        stranded(
            array![5.0, 0.5, 2.0].view(),
            cap.view(),
            &smallest,
            &mut out,
        );
        assert_eq!(out, [5.0, 0.0, 2.0]);
        // Both exhausted: each strands the other's leftover.
        stranded(
            array![0.5, 0.25, 0.0].view(),
            cap.view(),
            &smallest,
            &mut out,
        );
        assert_eq!(out, [0.5, 0.25, 0.0]);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 5.0);
        assert_eq!(percentile(&v, 95.0), 10.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
