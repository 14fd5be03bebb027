//! Kubernetes inputs (cargo feature `k8s`, on by default): `kubectl get nodes -o json` and
//! `kubectl get pods -A -o json` exports, read into typed k8s-openapi objects, and the what-if
//! that asks of them: do the pending pods fit, and how many nodes would all pods need?
//!
//! ```no_run
//! use packsched::k8s;
//! use packsched::prelude::*;
//!
//! let nodes = k8s::load_nodes("nodes.json")?;
//! let pods = k8s::load_pods("pods.json")?;
//! let report = k8s::what_if(&nodes, &pods, &strategy::parse_list("all")?, &Options::default())?;
//! print!("{}", report.to_table());
//! # Ok::<_, packsched::Error>(())
//! ```
//!
//! - [`quantity`]: resource quantities (`500m`, `1.5Gi`), exact;
//! - [`NodeInfo`], [`PodInfo`]: what is read of a node (allocatable, labels, taints, cordon)
//!   and of a pod (effective request, binding, selectors, tolerations);
//! - [`admit`]: the label and taint filter before the resource fit;
//! - [`what_if`]: the pending-fit and consolidation analysis, per strategy.
//!
//! Units in the model: `cpu` in cores, `memory`, `ephemeral-storage` and `hugepages-*` in
//! bytes, `pods` and extended resources (`nvidia.com/gpu`) as counts.
//!
//! The k8s-openapi crate asks its users to choose the Kubernetes API version: a binary that
//! uses this module enables one version feature on its own k8s-openapi dependency (e.g.
//! `k8s-openapi = { version = "0.29", features = ["earliest"] }`), as with kube-rs. The Node
//! and Pod fields read here are the same in every version it supports.

pub mod admit;
mod error;
mod node;
mod outcome;
mod pod;
pub mod quantity;
mod read;
mod report;
mod whatif;

pub use admit::{Refusal, admits};
pub use error::{BadQuantity, K8sError};
pub use node::{NodeInfo, read_nodes};
pub use pod::{PodInfo, PodParts, Requests, effective_requests, read_pods};
pub use quantity::{Quantity, QuantityError};
pub use report::{Consolidation, PendingFit, PodCounts, Repack, ResourceTotal, Unfit, WhatIf};
pub use whatif::{Columns, problems, what_if};

use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Amounts per resource name, in base units: millicores for `cpu`, bytes, counts.
pub type Amounts = BTreeMap<String, i128>;

/// A quantity's amount in the base unit of `resource`: millicores for `cpu` (rounded up, as
/// kube-scheduler's `MilliValue`), whole units otherwise (rounded up, as `Value`).
///
/// Errors: not a quantity, negative, out of range.
pub fn amount(resource: &str, text: &str) -> std::result::Result<i128, QuantityError> {
    let q = Quantity::parse(text)?;
    let v = if resource == "cpu" {
        q.milli_value()?
    } else {
        q.value()?
    };
    Ok(i128::from(v))
}

/// A base-unit amount in the model's unit: cores for `cpu` (millicores / 1000), else as is.
pub fn to_model(resource: &str, amount: i128) -> f64 {
    if resource == "cpu" {
        amount as f64 / 1000.0
    } else {
        amount as f64
    }
}

/// The unit of a resource in the model: `cores`, `bytes` or `count`.
pub fn unit(resource: &str) -> &'static str {
    match resource {
        "cpu" => "cores",
        "memory" | "ephemeral-storage" => "bytes",
        r if r.starts_with("hugepages-") => "bytes",
        _ => "count",
    }
}

/// Reads a nodes export from a file (`kubectl get nodes -o json`).
pub fn load_nodes(path: impl AsRef<Path>) -> Result<Vec<NodeInfo>> {
    let (text, origin) = read_file(path.as_ref())?;
    Ok(read_nodes(&text, &origin)?)
}

/// Reads a pods export from a file (`kubectl get pods -A -o json`).
pub fn load_pods(path: impl AsRef<Path>) -> Result<Vec<PodInfo>> {
    let (text, origin) = read_file(path.as_ref())?;
    Ok(read_pods(&text, &origin)?)
}

fn read_file(path: &Path) -> Result<(String, String)> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: origin.clone(),
        source,
    })?;
    Ok((text, origin))
}
