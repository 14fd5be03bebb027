//! A seeded workload generator for long simulations: Poisson arrivals, lognormal durations,
//! demands drawn from the classes of the scenario generator ([`Class`]), a priority mix, and
//! optionally node failures each followed by a replacement node joining.
//!
//! The arrival rate is set so that the offered load on the busiest resource is `load`: it is
//! `load x capacity / (mean demand x mean duration)` of that resource, the mean demand estimated
//! from a pilot sample of 4,096 demands drawn from the class with a stream of its own, the mean
//! duration the lognormal's `median x exp(sigma^2 / 2)`.

use super::events::{Change, NodeEvent};
use crate::error::{Error, Result};
use crate::generate::Class;
use crate::model::{Cluster, Problem, Resources, Workload};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// What to generate. Built with [`WorkloadSpec::new`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSpec {
    /// The class of the demands and of the node capacities.
    pub class: Class,
    /// Number of nodes.
    pub nodes: usize,
    /// Number of tasks.
    pub tasks: usize,
    /// Number of resources (ignored by `cluster`, which has three).
    pub dims: usize,
    /// Offered load on the busiest resource (1.0: demand equals capacity on average).
    pub load: f64,
    /// Median task duration, seconds.
    pub median_duration: f64,
    /// Sigma of the durations' lognormal (0: every task lasts the median).
    pub sigma: f64,
    /// Priorities and their weights.
    pub priorities: Vec<(i64, f64)>,
    /// Node failures, at uniform times over the arrivals' span, on distinct initial nodes.
    pub failures: usize,
    /// Seconds after a failure at which a replacement node of the same capacity joins.
    pub repair: f64,
    /// The seed.
    pub seed: u64,
}

impl WorkloadSpec {
    /// `tasks` tasks of `class` on `nodes` nodes: load 0.85, durations of median 600 s and sigma
    /// 1 (mean about 990 s), priorities 0 (80%), 1 (15%) and 2 (5%), two resources, no failures.
    pub fn new(class: Class, nodes: usize, tasks: usize, seed: u64) -> Self {
        Self {
            class,
            nodes,
            tasks,
            dims: 2,
            load: 0.85,
            median_duration: 600.0,
            sigma: 1.0,
            priorities: vec![(0, 0.80), (1, 0.15), (2, 0.05)],
            failures: 0,
            repair: 3600.0,
            seed,
        }
    }

    /// This spec with another offered load.
    pub fn with_load(mut self, load: f64) -> Self {
        self.load = load;
        self
    }

    /// This spec with other durations: lognormal with this median and sigma.
    pub fn with_durations(mut self, median: f64, sigma: f64) -> Self {
        self.median_duration = median;
        self.sigma = sigma;
        self
    }

    /// This spec with another priority mix: (priority, weight) pairs.
    pub fn with_priorities(mut self, priorities: Vec<(i64, f64)>) -> Self {
        self.priorities = priorities;
        self
    }

    /// This spec with node failures, each followed by a replacement joining `repair` seconds
    /// later.
    pub fn with_failures(mut self, failures: usize, repair: f64) -> Self {
        self.failures = failures;
        self.repair = repair;
        self
    }

    /// This spec with as many tasks as arrive, at the rate of its load, in `seconds` (at least
    /// one).
    pub fn with_span(mut self, seconds: f64) -> Self {
        let k = self.class.resources(self.dims).len();
        let capacity: Vec<f64> = (0..self.nodes.max(1))
            .flat_map(|n| self.class.capacity(k, n))
            .collect();
        let capacity = Array2::from_shape_vec((self.nodes.max(1), k), capacity).expect("rows");
        self.tasks = ((self.rate(&capacity) * seconds).round() as usize).max(1);
        self
    }

    /// This spec with another number of resources.
    pub fn with_dims(mut self, dims: usize) -> Self {
        self.dims = dims;
        self
    }

    fn check(&self) -> Result<()> {
        let bad = |option, message: String| Err(Error::InvalidOption { option, message });
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if self.nodes == 0 {
            return bad("nodes", "at least one node".into());
        }
        if !positive(self.load) {
            return bad("load", format!("{} is not a positive number", self.load));
        }
        let sigma_ok = self.sigma.is_finite() && self.sigma >= 0.0;
        if !(positive(self.median_duration) && sigma_ok) {
            return bad("durations", "median > 0 and sigma >= 0 expected".into());
        }
        if self.priorities.is_empty() || self.priorities.iter().any(|p| !positive(p.1)) {
            return bad("priorities", "at least one, each with a weight > 0".into());
        }
        if self.failures > self.nodes || !(self.repair.is_finite() && self.repair >= 0.0) {
            return bad("failures", "at most one per node, repair >= 0".into());
        }
        Ok(())
    }

    /// Generates the problem and its node events.
    ///
    /// ```
    /// use packsched::generate::Class;
    /// use packsched::sim::WorkloadSpec;
    /// let (problem, events) = WorkloadSpec::new(Class::Cluster, 12, 500, 7).with_failures(1, 60.0).generate()?;
    /// assert_eq!((problem.tasks(), problem.nodes(), events.len()), (500, 12, 2));
    /// assert_eq!(WorkloadSpec::new(Class::Cluster, 12, 500, 7).generate()?.0.tasks(), 500);
    /// # Ok::<_, packsched::Error>(())
    /// ```
    ///
    /// Errors: zero nodes or dimensions, a load, duration, priority weight or repair time that
    /// is not a positive (or for sigma and repair, non-negative) finite number, more failures
    /// than nodes.
    pub fn generate(&self) -> Result<(Problem, Vec<NodeEvent>)> {
        self.check()?;
        let resources = Resources::new(self.class.resources(self.dims))?;
        let k = resources.len();
        let capacity: Vec<f64> = (0..self.nodes)
            .flat_map(|n| self.class.capacity(k, n))
            .collect();
        let capacity = Array2::from_shape_vec((self.nodes, k), capacity).expect("rows of k");
        let rate = self.rate(&capacity);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let gaps = Exp::new(rate).expect("a positive rate");
        let durations = LogNormal::new(self.median_duration.ln(), self.sigma).expect("checked");
        let total: f64 = self.priorities.iter().map(|p| p.1).sum();
        let (mut demand, mut arrival, mut duration, mut priority) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut clock = 0.0;
        for _ in 0..self.tasks {
            clock += gaps.sample(&mut rng);
            arrival.push(clock);
            duration.push(durations.sample(&mut rng));
            demand.extend(self.class.demand(k, &mut rng));
            let mut pick = rng.random::<f64>() * total;
            let chosen = self.priorities.iter().find(|p| {
                pick -= p.1;
                pick < 0.0
            });
            priority.push(chosen.unwrap_or(&self.priorities[0]).0);
        }
        let events = self.failures(&capacity, clock, &mut rng);
        let demand = Array2::from_shape_vec((self.tasks, k), demand).expect("rows of k");
        let workload = Workload::new(resources.clone(), demand)?
            .with_arrival(arrival)?
            .with_duration(duration)?
            .with_priority(priority)?;
        let problem = Problem::new(Cluster::new(resources, capacity)?, workload)?;
        Ok((problem, events))
    }

    /// Tasks per second for the offered load, from a pilot sample of demands.
    fn rate(&self, capacity: &Array2<f64>) -> f64 {
        let k = capacity.ncols();
        let mut pilot = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5EED_F00D);
        let mut mean = vec![0.0; k];
        const PILOT: usize = 4096;
        for _ in 0..PILOT {
            for (m, d) in mean.iter_mut().zip(self.class.demand(k, &mut pilot)) {
                *m += d / PILOT as f64;
            }
        }
        let mean_duration = self.median_duration * (self.sigma * self.sigma / 2.0).exp();
        // Per resource, tasks per second that fill its capacity; the busiest sets the rate.
        let fill = (0..k)
            .filter(|&r| mean[r] > 0.0)
            .map(|r| capacity.column(r).sum() / (mean[r] * mean_duration))
            .fold(f64::INFINITY, f64::min);
        let fill = if fill.is_finite() { fill } else { 1.0 };
        (self.load * fill).max(f64::MIN_POSITIVE)
    }

    /// Failures on distinct initial nodes at uniform times in `[0, span]`, each followed by a
    /// replacement of the same capacity `repair` seconds later.
    fn failures(&self, capacity: &Array2<f64>, span: f64, rng: &mut ChaCha8Rng) -> Vec<NodeEvent> {
        let mut nodes: Vec<usize> = (0..self.nodes).collect();
        let mut events = Vec::new();
        for i in 0..self.failures {
            let j = rng.random_range(i..nodes.len());
            nodes.swap(i, j);
            let (node, time) = (nodes[i], rng.random::<f64>() * span);
            events.push(NodeEvent {
                time,
                change: Change::Fail { node },
            });
            events.push(NodeEvent {
                time: time + self.repair,
                change: Change::Join {
                    name: format!("node-{node}-replacement"),
                    capacity: capacity.row(node).to_vec(),
                },
            });
        }
        events.sort_by(|a, b| a.time.total_cmp(&b.time));
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_workload_and_load_near_target() {
        let spec = WorkloadSpec::new(Class::Uniform, 20, 4000, 3).with_durations(100.0, 0.5);
        let (a, _) = spec.generate().unwrap();
        assert_eq!(a, spec.generate().unwrap().0);
        assert_ne!(
            a,
            WorkloadSpec {
                seed: 4,
                ..spec.clone()
            }
            .generate()
            .unwrap()
            .0
        );
        // Offered load: total work / (capacity x span), on the busiest resource.
        let w = a.workload();
        let span = w.arrival(a.tasks() - 1);
        let offered = (0..2)
            .map(|r| {
                let work: f64 = (0..a.tasks())
                    .map(|t| a.demand(t)[r] * w.duration(t).unwrap())
                    .sum();
                work / (20.0 * 100.0 * span)
            })
            .fold(0.0, f64::max);
        assert!((0.75..0.95).contains(&offered), "{offered}");
        let arrivals: Vec<f64> = (0..a.tasks()).map(|t| w.arrival(t)).collect();
        assert!(arrivals.windows(2).all(|p| p[0] <= p[1]));
    }

    #[test]
    fn failures_come_with_replacements_and_bad_specs_are_errors() {
        let (p, events) = WorkloadSpec::new(Class::Cluster, 6, 100, 1)
            .with_failures(3, 10.0)
            .generate()
            .unwrap();
        super::super::events::validate(&events, &p).unwrap();
        assert_eq!(events.len(), 6);
        assert!(
            WorkloadSpec::new(Class::Cluster, 0, 10, 1)
                .generate()
                .is_err()
        );
        assert!(
            WorkloadSpec::new(Class::Cluster, 4, 10, 1)
                .with_load(-1.0)
                .generate()
                .is_err()
        );
        assert!(
            WorkloadSpec::new(Class::Cluster, 4, 10, 1)
                .with_failures(5, 1.0)
                .generate()
                .is_err()
        );
    }
}
