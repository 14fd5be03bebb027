//! Nodes as `kubectl get nodes -o json` writes them: allocatable resources, labels, taints.

use super::{Amounts, BadQuantity, K8sError, amount};
use k8s_openapi::api::core::v1::{Node, Taint};
use std::collections::BTreeMap;

/// A node as the what-if reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `spec.taints`, every effect (the filter decides which count).
    pub taints: Vec<Taint>,
    /// `spec.unschedulable`: cordoned.
    pub unschedulable: bool,
    /// `status.allocatable` (or `status.capacity` when a node reports no allocatable), per
    /// resource in base units: millicores for `cpu`, bytes for `memory`, `ephemeral-storage` and
    /// `hugepages-*`, a count for `pods` and extended resources (`nvidia.com/gpu`).
    pub allocatable: Amounts,
}

impl NodeInfo {
    /// Reads one k8s-openapi node; `index` names it when it has no name.
    pub fn from_node(node: &Node, index: usize, origin: &str) -> Result<Self, K8sError> {
        let name = node
            .metadata
            .name
            .clone()
            .unwrap_or_else(|| format!("node-{index}"));
        let spec = node.spec.as_ref();
        let status = node.status.as_ref();
        let (field, listed) = match status.and_then(|s| s.allocatable.as_ref()) {
            Some(a) => ("status.allocatable", Some(a)),
            None => ("status.capacity", status.and_then(|s| s.capacity.as_ref())),
        };
        let mut allocatable = Amounts::new();
        for (resource, quantity) in listed.into_iter().flatten() {
            if resource.trim().is_empty() {
                return Err(K8sError::EmptyResourceName {
                    origin: origin.to_string(),
                    object: format!("Node {name}"),
                    field: field.to_string(),
                });
            }
            let value = amount(resource, &quantity.0).map_err(|source| {
                K8sError::Quantity(Box::new(BadQuantity {
                    origin: origin.to_string(),
                    object: format!("Node {name}"),
                    field: format!("{field}[{resource}]"),
                    value: quantity.0.clone(),
                    source,
                }))
            })?;
            allocatable.insert(resource.clone(), value);
        }
        Ok(Self {
            labels: node.metadata.labels.clone().unwrap_or_default(),
            taints: spec.and_then(|s| s.taints.clone()).unwrap_or_default(),
            unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
            allocatable,
            name,
        })
    }

    /// Whether the node has a taint that keeps pods off (`NoSchedule` or `NoExecute`).
    pub fn is_tainted(&self) -> bool {
        self.taints.iter().any(|t| super::admit::filters(&t.effect))
    }
}

/// Reads every node of an export; two nodes of the same name are an error.
pub fn read_nodes(text: &str, origin: &str) -> Result<Vec<NodeInfo>, K8sError> {
    let nodes: Vec<Node> = super::read::items(text, origin, "Node")?;
    let mut out: Vec<NodeInfo> = Vec::with_capacity(nodes.len());
    let mut seen = std::collections::HashSet::new();
    for (index, node) in nodes.iter().enumerate() {
        let info = NodeInfo::from_node(node, index, origin)?;
        if !seen.insert(info.name.clone()) {
            return Err(K8sError::DuplicateNode {
                origin: origin.to_string(),
                name: info.name,
            });
        }
        out.push(info);
    }
    Ok(out)
}
