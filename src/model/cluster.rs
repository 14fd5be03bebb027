//! A cluster: nodes x resources capacity.

use super::{Resources, check_len, check_matrix};
use crate::error::Result;
use ndarray::{Array2, ArrayView1};

/// A cluster: a nodes x resources capacity matrix with named resources and optional node names.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    resources: Resources,
    capacity: Array2<f64>,
    names: Option<Vec<String>>,
}

impl Cluster {
    /// A cluster with one row of `capacity` per node, one column per resource.
    ///
    /// Errors: a column count that differs from the resources, a NaN, infinite or negative value.
    pub fn new(resources: Resources, capacity: Array2<f64>) -> Result<Self> {
        check_matrix("capacity", &capacity, &resources)?;
        Ok(Self {
            resources,
            capacity,
            names: None,
        })
    }

    /// Names the nodes, one name per row.
    pub fn with_names(mut self, names: Vec<String>) -> Result<Self> {
        check_len("node_names", "node", names.len(), self.nodes())?;
        self.names = Some(names);
        Ok(self)
    }

    /// The resource dimensions.
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// The capacity matrix, nodes x resources.
    pub fn capacity(&self) -> &Array2<f64> {
        &self.capacity
    }

    /// The capacity of one node.
    pub fn node(&self, node: usize) -> ArrayView1<'_, f64> {
        self.capacity.row(node)
    }

    /// The number of nodes.
    pub fn nodes(&self) -> usize {
        self.capacity.nrows()
    }

    /// The node names, if given.
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// The name of a node: its given name, or `node-<index>`.
    pub fn node_name(&self, node: usize) -> String {
        match &self.names {
            Some(names) => names[node].clone(),
            None => format!("node-{node}"),
        }
    }
}
