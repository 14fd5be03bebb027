//! The scenario file format (JSON), loaded and saved with serde.
//!
//! ```jsonc
//! {
//!   "resources": ["cpu", "memory"],
//!   "capacity": [[64, 256], [32, 128]],     // nodes x resources
//!   "demand":   [[2, 4], [8, 32], [1, 1]],  // tasks x resources
//!   "priority":   [0, 5, 0],                // optional, higher first
//!   "duration":   [10.0, 3.5, 1.0],         // optional, seconds
//!   "arrival":    [0.0, 0.0, 2.0],          // optional, seconds
//!   "depends_on": [[], [0], [0, 1]],        // optional, task indices
//!   "tenant":     ["a", "b", "a"],          // optional, for fairness policies
//!   "allowed_nodes": [null, [0], null],     // optional, per task: null (any) or node indices
//!   "node_names": ["big", "small"],         // optional
//!   "task_names": ["web", "db", "cron"],    // optional
//!   "events": [{"time": 60, "kind": "fail", "node": 0}]  // optional, for the simulator
//! }
//! ```
//!
//! `events` (nodes that fail or join over time, see [`events`]) is read by the simulator
//! ([`Scenario::into_simulation`], [`load_simulation`]); `compare` ignores it.
//!
//! The same scenario can also be kept as two CSV files, a nodes file and a tasks file: see
//! [`csv`](mod@csv).
//!
//! Unknown keys are an error (a typo must not pass silently). `NaN` and `Infinity`, which are not
//! JSON but which Python writes, are read so that validation names the field and row.

pub mod csv;
pub mod events;
mod lenient;

pub use events::{EventKind, EventSpec, NodeRef};
pub use lenient::Number;

use crate::error::{Error, Result};
use crate::model::{Cluster, Problem, Resources, Workload};
use crate::sim::NodeEvent;
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A scenario file as written: plain lists, not yet validated. See the module docs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Resource names, in column order.
    pub resources: Vec<String>,
    /// Capacity, nodes x resources.
    pub capacity: Vec<Vec<Number>>,
    /// Demand, tasks x resources.
    pub demand: Vec<Vec<Number>>,
    /// Per-task priority, higher first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Vec<i64>>,
    /// Per-task duration, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<Vec<Number>>,
    /// Per-task arrival time, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival: Option<Vec<Number>>,
    /// Per-task dependencies, task indices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<Vec<usize>>>,
    /// Per-task tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Vec<String>>,
    /// Per task, the nodes it may run on (`null`: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_nodes: Option<Vec<Option<Vec<usize>>>>,
    /// Node names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_names: Option<Vec<String>>,
    /// Task names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_names: Option<Vec<String>>,
    /// Nodes that fail or join over time (the simulator's; `compare` ignores them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventSpec>>,
}

/// How strictly a scenario is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Accept negative demands (published vector-packing instances with a negative item size;
    /// see [`Workload::allowing_negative`]). Off by default: a negative demand is an error.
    pub allow_negative_demand: bool,
}

impl Scenario {
    /// Parses scenario JSON; `origin` (a file name) prefixes error messages.
    pub fn from_json(text: &str, origin: &str) -> Result<Self> {
        serde_json::from_str(&lenient::quote_non_finite(text)).map_err(|e| Error::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })
    }

    /// Validates the scenario into a [`Problem`] and its node events (empty without
    /// `events`), resolved to node indices in time order.
    pub fn into_simulation(mut self) -> Result<(Problem, Vec<NodeEvent>)> {
        let specs = self.events.take().unwrap_or_default();
        let problem = self.into_problem()?;
        let events = events::resolve(&specs, &problem)?;
        Ok((problem, events))
    }

    /// Validates the scenario into a [`Problem`]; `events` are not read.
    pub fn into_problem(self) -> Result<Problem> {
        self.into_problem_with(LoadOptions::default())
    }

    /// Validates the scenario into a [`Problem`], as strictly as `options` say.
    pub fn into_problem_with(self, options: LoadOptions) -> Result<Problem> {
        let resources = Resources::new(self.resources)?;
        let capacity = matrix("capacity", &self.capacity, resources.len())?;
        let demand = matrix("demand", &self.demand, resources.len())?;
        let mut cluster = Cluster::new(resources.clone(), capacity)?;
        if let Some(names) = self.node_names {
            cluster = cluster.with_names(names)?;
        }
        let mut workload = if options.allow_negative_demand {
            Workload::allowing_negative(resources, demand)?
        } else {
            Workload::new(resources, demand)?
        };
        if let Some(p) = self.priority {
            workload = workload.with_priority(p)?;
        }
        if let Some(d) = self.duration {
            workload = workload.with_duration(plain(d))?;
        }
        if let Some(a) = self.arrival {
            workload = workload.with_arrival(plain(a))?;
        }
        if let Some(d) = self.depends_on {
            workload = workload.with_dependencies(d)?;
        }
        if let Some(t) = self.tenant {
            workload = workload.with_tenants(t)?;
        }
        if let Some(n) = self.task_names {
            workload = workload.with_names(n)?;
        }
        let problem = Problem::new(cluster, workload)?;
        match self.allowed_nodes {
            Some(allowed) => problem.with_allowed_nodes(allowed),
            None => Ok(problem),
        }
    }

    /// The scenario of a problem, for saving.
    pub fn from_problem(problem: &Problem) -> Self {
        let rows = |m: &Array2<f64>| -> Vec<Vec<Number>> {
            m.rows()
                .into_iter()
                .map(|r| r.iter().map(|&v| Number(v)).collect())
                .collect()
        };
        let numbers = |v: &[f64]| v.iter().map(|&x| Number(x)).collect();
        let attrs = problem.workload().attributes();
        Self {
            resources: problem.resources().names().to_vec(),
            capacity: rows(problem.cluster().capacity()),
            demand: rows(problem.workload().demand()),
            priority: attrs.priority.map(<[i64]>::to_vec),
            duration: attrs.duration.map(numbers),
            arrival: attrs.arrival.map(numbers),
            depends_on: attrs.depends_on.map(<[Vec<usize>]>::to_vec),
            tenant: attrs.tenant.map(<[String]>::to_vec),
            allowed_nodes: problem.has_restrictions().then(|| {
                (0..problem.tasks())
                    .map(|t| problem.allowed_nodes(t).map(<[usize]>::to_vec))
                    .collect()
            }),
            node_names: problem.cluster().names().map(<[String]>::to_vec),
            task_names: attrs.names.map(<[String]>::to_vec),
            events: None,
        }
    }
}

/// Parses and validates scenario JSON; `origin` (a file name) prefixes parse errors.
pub fn from_json(text: &str, origin: &str) -> Result<Problem> {
    from_json_with(text, origin, LoadOptions::default())
}

/// [`from_json`], as strictly as `options` say.
pub fn from_json_with(text: &str, origin: &str, options: LoadOptions) -> Result<Problem> {
    Scenario::from_json(text, origin)?.into_problem_with(options)
}

/// The scenario JSON of a problem.
pub fn to_json(problem: &Problem) -> String {
    serde_json::to_string(&Scenario::from_problem(problem)).expect("a scenario serialises")
}

/// Loads and validates a scenario file.
pub fn load(path: impl AsRef<Path>) -> Result<Problem> {
    load_with(path, LoadOptions::default())
}

/// [`load`], as strictly as `options` say.
pub fn load_with(path: impl AsRef<Path>, options: LoadOptions) -> Result<Problem> {
    let path = path.as_ref();
    from_json_with(&read(path)?, &path.display().to_string(), options)
}

/// Loads and validates a scenario file with its node events, for the simulator.
pub fn load_simulation(path: impl AsRef<Path>) -> Result<(Problem, Vec<NodeEvent>)> {
    let path = path.as_ref();
    Scenario::from_json(&read(path)?, &path.display().to_string())?.into_simulation()
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Saves a problem as a scenario file.
pub fn save(problem: &Problem, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, to_json(problem)).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

fn matrix(field: &'static str, rows: &[Vec<Number>], width: usize) -> Result<Array2<f64>> {
    let mut flat = Vec::with_capacity(rows.len() * width);
    for (row, values) in rows.iter().enumerate() {
        if values.len() != width {
            return Err(Error::RowLength {
                field,
                row,
                expected: width,
                found: values.len(),
            });
        }
        flat.extend(values.iter().map(|n| n.0));
    }
    Ok(Array2::from_shape_vec((rows.len(), width), flat).expect("rows checked"))
}

fn plain(values: Vec<Number>) -> Vec<f64> {
    values.into_iter().map(|n| n.0).collect()
}
