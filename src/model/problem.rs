//! A problem: a cluster and a workload over the same resources.

use super::{Cluster, Resources, Workload};
use crate::error::{Error, Result};
use ndarray::ArrayView1;

/// A validated placement problem: a cluster and a workload over the same resources.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    cluster: Cluster,
    workload: Workload,
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
        Ok(Self { cluster, workload })
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
