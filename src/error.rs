//! The crate's error type: every bad input becomes one of these, never a panic.

use std::fmt;

/// Where in the input a bad value sits: a field, a row and, for matrices, a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The field of the scenario: `capacity`, `demand`, `duration`, `arrival`, ...
    pub field: &'static str,
    /// The row: a node for `capacity`, a task otherwise.
    pub row: usize,
    /// The resource (column) for matrix fields, `None` for per-task scalars.
    pub resource: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} row {}", self.field, self.row)?;
        if let Some(resource) = &self.resource {
            write!(f, " ({resource})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in packsched, each variant with the data to find the cause.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The resource list is empty: a cluster needs at least one dimension.
    #[error("resources: the list is empty; name at least one resource (e.g. [\"cpu\"])")]
    EmptyResources,
    /// A resource name is empty.
    #[error("resources: entry {index} is an empty name")]
    EmptyResourceName {
        /// Position in the resource list.
        index: usize,
    },
    /// A resource name appears twice.
    #[error("resources: {name:?} appears twice")]
    DuplicateResource {
        /// The repeated name.
        name: String,
    },
    /// A resource name that the cluster does not have.
    #[error("unknown resource {name:?}; the resources are: {known}")]
    UnknownResource {
        /// The name asked for.
        name: String,
        /// The names the cluster has, comma separated.
        known: String,
    },
    /// A matrix row with the wrong number of values.
    #[error("{field} row {row}: {found} values, expected {expected} (one per resource)")]
    RowLength {
        /// `capacity` or `demand`.
        field: &'static str,
        /// The row.
        row: usize,
        /// The number of resources.
        expected: usize,
        /// The number of values found.
        found: usize,
    },
    /// A per-task or per-node list whose length differs from the number of rows.
    #[error("{field}: {found} entries, expected {expected} (one per {per})")]
    LengthMismatch {
        /// The list: `priority`, `duration`, `arrival`, `depends_on`, `node_names`, ...
        field: &'static str,
        /// `task` or `node`.
        per: &'static str,
        /// The number of tasks or nodes.
        expected: usize,
        /// The entries found.
        found: usize,
    },
    /// NaN or an infinite number.
    #[error("{at}: {value} is not a finite number")]
    NotFinite {
        /// Where it is.
        at: Location,
        /// The value found.
        value: f64,
    },
    /// A negative number where only zero or more makes sense.
    #[error("{at}: {value} is negative")]
    Negative {
        /// Where it is.
        at: Location,
        /// The value found.
        value: f64,
    },
    /// A dependency on a task that does not exist.
    #[error("depends_on row {task}: task {dependency} does not exist (there are {tasks} tasks)")]
    DependencyOutOfRange {
        /// The task that declares the dependency.
        task: usize,
        /// The index it names.
        dependency: usize,
        /// The number of tasks.
        tasks: usize,
    },
    /// A node index that does not exist.
    #[error("{field} row {row}: node {node} does not exist (there are {nodes} nodes)")]
    NodeOutOfRange {
        /// The list that names it (`allowed_nodes`).
        field: &'static str,
        /// The task whose list names it.
        row: usize,
        /// The index named.
        node: usize,
        /// The number of nodes.
        nodes: usize,
    },
    /// The dependencies form a cycle.
    #[error("depends_on: cycle through tasks {}", fmt_cycle(.tasks))]
    DependencyCycle {
        /// The tasks on the cycle, in dependency order, the first repeated at the end.
        tasks: Vec<usize>,
    },
    /// The workload and the cluster name different resources.
    #[error("workload resources [{workload}] differ from cluster resources [{cluster}]")]
    ResourceMismatch {
        /// The cluster's resource names.
        cluster: String,
        /// The workload's resource names.
        workload: String,
    },
    /// A strategy name that is not in the registry.
    #[error("unknown strategy {name:?}; known: {known}")]
    UnknownStrategy {
        /// The name asked for.
        name: String,
        /// The registered names, comma separated.
        known: String,
    },
    /// A strategy option out of range (e.g. a weight vector of the wrong length).
    #[error("option {option}: {message}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A row of a scenario's `events` list that is malformed or names no node that is up at
    /// its time.
    #[error("events row {row}: {problem}")]
    Event {
        /// The row of the `events` list, as written.
        row: usize,
        /// What is wrong with it.
        problem: EventProblem,
    },
    /// A strategy that only solves whole workloads was asked to decide one task at a time.
    #[error(
        "strategy {strategy} is batch-only (no per-task rule): the simulator places tasks one at \
         a time as they become ready; pick a heuristic"
    )]
    BatchOnly {
        /// The strategy's name.
        strategy: String,
    },
    /// A scenario file that is not valid JSON or has an unknown or mistyped key.
    #[error("{origin}: {message}")]
    Parse {
        /// The file name, or `input` for a string.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A CSV file with a malformed row: the file, the line (from 1, the header included) and
    /// the column.
    #[error("{path} line {line}{}: {message}", .column.as_ref().map(|c| format!(", column {c}")).unwrap_or_default())]
    Csv {
        /// The file name, or `nodes` / `tasks` for text.
        path: String,
        /// The line, from 1 (the header is line 1).
        line: u64,
        /// The column's header name, when the error is in one cell.
        column: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A Kubernetes export that cannot be imported.
    #[cfg(feature = "k8s")]
    #[error(transparent)]
    K8s(#[from] crate::k8s::K8sError),
}

/// What is wrong with a row of a scenario's `events` list.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EventProblem {
    /// A `fail` names a node that does not exist or is not up at that time.
    #[error("no node {node} is up at time {time}")]
    UnknownNode {
        /// The node as written: an index or a name.
        node: String,
        /// The event's time.
        time: f64,
    },
    /// A key the event's kind needs is missing.
    #[error("a {kind} event needs {field:?}")]
    Missing {
        /// `fail` or `join`.
        kind: &'static str,
        /// The missing key.
        field: &'static str,
    },
    /// A key the event's kind does not take.
    #[error("a {kind} event does not take {field:?}")]
    Unexpected {
        /// `fail` or `join`.
        kind: &'static str,
        /// The key given.
        field: &'static str,
    },
    /// A `join` names a node whose name is already taken by a node that is up.
    #[error("node name {name:?} is already taken by a node that is up")]
    DuplicateName {
        /// The name.
        name: String,
    },
}

fn fmt_cycle(tasks: &[usize]) -> String {
    tasks
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
