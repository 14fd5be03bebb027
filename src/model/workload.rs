//! A workload: tasks x resources demand, with optional per-task attributes.

use super::{Resources, check_acyclic, check_len, check_list, check_matrix, check_matrix_signed};
use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView1};

/// A workload: a tasks x resources demand matrix and optional per-task priority (higher first),
/// duration (seconds), arrival time (seconds), dependencies (task indices forming a DAG), tenant
/// and name.
///
/// Built with [`Workload::new`] and the `with_*` methods, each of which validates what it adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    resources: Resources,
    demand: Array2<f64>,
    priority: Option<Vec<i64>>,
    duration: Option<Vec<f64>>,
    arrival: Option<Vec<f64>>,
    depends_on: Option<Vec<Vec<usize>>>,
    tenant: Option<Vec<String>>,
    names: Option<Vec<String>>,
    /// Whether some demand is negative (only [`Workload::allowing_negative`] admits one).
    negative: bool,
}

impl Workload {
    /// A workload with one row of `demand` per task, one column per resource.
    ///
    /// Errors: a column count that differs from the resources, a NaN, infinite or negative value.
    pub fn new(resources: Resources, demand: Array2<f64>) -> Result<Self> {
        check_matrix("demand", &demand, &resources)?;
        Ok(Self::unchecked(resources, demand))
    }

    /// A workload whose demands may be negative: for published vector-packing instances whose
    /// generators leave a negative size (the triplet classes fill every bin exactly, and one item
    /// may be below zero in a dimension). A scheduler's demand is never negative, so
    /// [`Workload::new`] rejects it; use this only for such research instances. Loads stay sums
    /// of demands, so every fit test and bound remains valid.
    ///
    /// Errors: a column count that differs from the resources, a NaN or infinite value.
    pub fn allowing_negative(resources: Resources, demand: Array2<f64>) -> Result<Self> {
        check_matrix_signed("demand", &demand, &resources, true)?;
        Ok(Self::unchecked(resources, demand))
    }

    fn unchecked(resources: Resources, demand: Array2<f64>) -> Self {
        // Row-major whatever the caller's layout, so that a task's row is one slice.
        let demand = if demand.is_standard_layout() {
            demand
        } else {
            demand.as_standard_layout().into_owned()
        };
        let negative = demand.iter().any(|&d| d < 0.0);
        Self {
            resources,
            demand,
            negative,
            priority: None,
            duration: None,
            arrival: None,
            depends_on: None,
            tenant: None,
            names: None,
        }
    }

    /// Sets per-task priorities: higher is placed first. Any integer, negative included.
    pub fn with_priority(mut self, priority: Vec<i64>) -> Result<Self> {
        check_len("priority", "task", priority.len(), self.tasks())?;
        self.priority = Some(priority);
        Ok(self)
    }

    /// Sets per-task durations in seconds (finite, not negative).
    pub fn with_duration(mut self, duration: Vec<f64>) -> Result<Self> {
        check_list("duration", &duration, self.tasks())?;
        self.duration = Some(duration);
        Ok(self)
    }

    /// Sets per-task arrival times in seconds (finite, not negative).
    pub fn with_arrival(mut self, arrival: Vec<f64>) -> Result<Self> {
        check_list("arrival", &arrival, self.tasks())?;
        self.arrival = Some(arrival);
        Ok(self)
    }

    /// Sets the dependencies: `depends_on[t]` lists the tasks that must complete before `t`.
    ///
    /// Errors: an index out of range, a cycle (naming the tasks on it).
    pub fn with_dependencies(mut self, depends_on: Vec<Vec<usize>>) -> Result<Self> {
        let tasks = self.tasks();
        check_len("depends_on", "task", depends_on.len(), tasks)?;
        for (task, deps) in depends_on.iter().enumerate() {
            if let Some(&dependency) = deps.iter().find(|&&d| d >= tasks) {
                return Err(Error::DependencyOutOfRange {
                    task,
                    dependency,
                    tasks,
                });
            }
        }
        check_acyclic(&depends_on)?;
        self.depends_on = Some(depends_on);
        Ok(self)
    }

    /// Sets the tenant (owner) of each task, used by fairness policies.
    pub fn with_tenants(mut self, tenant: Vec<String>) -> Result<Self> {
        check_len("tenant", "task", tenant.len(), self.tasks())?;
        self.tenant = Some(tenant);
        Ok(self)
    }

    /// Names the tasks, one name per row.
    pub fn with_names(mut self, names: Vec<String>) -> Result<Self> {
        check_len("task_names", "task", names.len(), self.tasks())?;
        self.names = Some(names);
        Ok(self)
    }

    /// The resource dimensions.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// The demand matrix, tasks x resources.
    pub fn demand(&self) -> &Array2<f64> {
        &self.demand
    }

    /// Whether some task's demand is negative in some resource (it gives capacity back).
    pub(crate) fn has_negative(&self) -> bool {
        self.negative
    }

    /// The demand of one task.
    pub fn task(&self, task: usize) -> ArrayView1<'_, f64> {
        self.demand.row(task)
    }

    /// The demand of every task as one row-major slice: task `t`'s row starts at `t x
    /// resources`.
    pub fn demand_values(&self) -> &[f64] {
        self.demand
            .as_slice()
            .expect("a workload's demand is kept row-major")
    }

    /// Per resource, the least demand of any task (infinity without tasks): a node with less
    /// free than this in some resource fits no task of the workload.
    ///
    /// ```
    /// use ndarray::array;
    /// use packsched::{Resources, Workload};
    /// let r = Resources::new(["cpu", "memory"]).unwrap();
    /// let w = Workload::new(r, array![[2.0, 1.0], [0.5, 4.0]]).unwrap();
    /// assert_eq!(w.smallest_demand(), vec![0.5, 1.0]);
    /// ```
    pub fn smallest_demand(&self) -> Vec<f64> {
        self.demand
            .columns()
            .into_iter()
            .map(|column| column.iter().copied().fold(f64::INFINITY, f64::min))
            .collect()
    }

    /// The number of tasks.
    pub fn tasks(&self) -> usize {
        self.demand.nrows()
    }

    /// The priority of a task (0 when none is given).
    pub fn priority(&self, task: usize) -> i64 {
        self.priority.as_ref().map_or(0, |p| p[task])
    }

    /// Whether no priorities or arrival times are given (every task priority 0, arrival 0).
    pub(crate) fn plain(&self) -> bool {
        self.priority.is_none() && self.arrival.is_none()
    }

    /// The duration of a task in seconds, if given.
    pub fn duration(&self, task: usize) -> Option<f64> {
        self.duration.as_ref().map(|d| d[task])
    }

    /// The arrival time of a task in seconds (0 when none is given).
    pub fn arrival(&self, task: usize) -> f64 {
        self.arrival.as_ref().map_or(0.0, |a| a[task])
    }

    /// The tasks that `task` depends on.
    pub fn dependencies(&self, task: usize) -> &[usize] {
        self.depends_on.as_ref().map_or(&[], |d| &d[task])
    }

    /// The tenant of a task, if given.
    pub fn tenant(&self, task: usize) -> Option<&str> {
        self.tenant.as_ref().map(|t| t[task].as_str())
    }

    /// The name of a task: its given name, or `task-<index>`.
    pub fn task_name(&self, task: usize) -> String {
        match &self.names {
            Some(names) => names[task].clone(),
            None => format!("task-{task}"),
        }
    }

    /// The optional per-task lists as given (for saving a scenario).
    pub(crate) fn attributes(&self) -> WorkloadAttributes<'_> {
        WorkloadAttributes {
            priority: self.priority.as_deref(),
            duration: self.duration.as_deref(),
            arrival: self.arrival.as_deref(),
            depends_on: self.depends_on.as_deref(),
            tenant: self.tenant.as_deref(),
            names: self.names.as_deref(),
        }
    }
}

/// Borrowed view of a workload's optional lists.
pub(crate) struct WorkloadAttributes<'a> {
    pub priority: Option<&'a [i64]>,
    pub duration: Option<&'a [f64]>,
    pub arrival: Option<&'a [f64]>,
    pub depends_on: Option<&'a [Vec<usize>]>,
    pub tenant: Option<&'a [String]>,
    pub names: Option<&'a [String]>,
}
