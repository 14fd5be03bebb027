//! A problem: a cluster and a workload over the same resources.

use super::{Cluster, Resources, Workload};
use crate::error::{Error, Result};
use ndarray::ArrayView1;

/// A validated placement problem: a cluster and a workload over the same resources, and
/// optionally, per task, the nodes it may run on (labels, taints, affinity: a filter that
/// comes before the resource fit).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    cluster: Cluster,
    workload: Workload,
    /// Per task: `None` for any node, else the sorted nodes it may run on.
    allowed: Option<Vec<Option<Vec<usize>>>>,
}

impl Problem {
    /// Joins a cluster and a workload. Errors if they name different resources.
    pub fn new(cluster: Cluster, workload: Workload) -> Result<Self> {
        if cluster.resources() != workload.resources() {
            return Err(Error::ResourceMismatch {
                cluster: cluster.resources().names().join(", "),
                workload: workload.resources().names().join(", "),
            });
        }
        Ok(Self {
            cluster,
            workload,
            allowed: None,
        })
    }

    /// Restricts tasks to some nodes: `allowed[t]` is `None` for any node, or the nodes task `t`
    /// may run on (an empty list admits none).
    ///
    /// Errors: a list whose length differs from the tasks, a node index out of range.
    pub fn with_allowed_nodes(mut self, allowed: Vec<Option<Vec<usize>>>) -> Result<Self> {
        if allowed.len() != self.tasks() {
            return Err(Error::LengthMismatch {
                field: "allowed_nodes",
                per: "task",
                expected: self.tasks(),
                found: allowed.len(),
            });
        }
        let nodes = self.nodes();
        let mut allowed = allowed;
        for (task, list) in allowed.iter_mut().enumerate() {
            if let Some(list) = list {
                if let Some(&node) = list.iter().find(|&&n| n >= nodes) {
                    return Err(Error::NodeOutOfRange {
                        field: "allowed_nodes",
                        row: task,
                        node,
                        nodes,
                    });
                }
                list.sort_unstable();
                list.dedup();
            }
        }
        self.allowed = allowed.iter().any(Option::is_some).then_some(allowed);
        Ok(self)
    }

    /// Whether `task` may run on `node` (the filter before the resource fit). Nodes added after
    /// the problem was made (a simulator's joins) admit every task.
    ///
    /// Complexity: O(1) without restrictions, O(log allowed nodes) with.
    pub fn allowed(&self, task: usize, node: usize) -> bool {
        match &self.allowed {
            None => true,
            Some(lists) => match &lists[task] {
                None => true,
                Some(list) => node >= self.nodes() || list.binary_search(&node).is_ok(),
            },
        }
    }

    /// The nodes `task` is restricted to, or `None` if it may run anywhere.
    pub fn allowed_nodes(&self, task: usize) -> Option<&[usize]> {
        self.allowed.as_ref()?.get(task)?.as_deref()
    }

    /// Whether any task is restricted to some nodes.
    pub fn has_restrictions(&self) -> bool {
        self.allowed.is_some()
    }

    /// The cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The workload.
    pub fn workload(&self) -> &Workload {
        &self.workload
    }

    /// The resource dimensions.
    pub fn resources(&self) -> &Resources {
        self.cluster.resources()
    }

    /// The number of nodes.
    pub fn nodes(&self) -> usize {
        self.cluster.nodes()
    }

    /// The number of tasks.
    pub fn tasks(&self) -> usize {
        self.workload.tasks()
    }

    /// The demand row of a task.
    pub fn demand(&self, task: usize) -> ArrayView1<'_, f64> {
        self.workload.task(task)
    }

    /// The capacity row of a node.
    pub fn capacity(&self, node: usize) -> ArrayView1<'_, f64> {
        self.cluster.node(node)
    }
}
