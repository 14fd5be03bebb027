//! # packsched
//!
//! Resource-aware cluster scheduling: which node each task runs on. A cluster is a
//! nodes x resources capacity matrix, a workload a tasks x resources demand matrix; placement
//! strategies (the load-balancer policies, the packing scores of production schedulers, an exact
//! MILP) sit behind one [`Strategy`] trait and are compared side by side for nodes used, tasks
//! left unplaced and decision time, next to a proven [lower bound](bounds::lower_bound).
//!
//! ```
//! use ndarray::array;
//! use packsched::prelude::*;
//!
//! let resources = Resources::new(["cpu", "memory"])?;
//! let cluster = Cluster::new(resources.clone(), array![[64.0, 256.0], [32.0, 128.0]])?;
//! let workload = Workload::new(resources, array![[2.0, 4.0], [8.0, 32.0], [1.0, 1.0]])?
//!     .with_priority(vec![0, 5, 0])?;
//! let problem = Problem::new(cluster, workload)?;
//!
//! // One strategy by name...
//! let placement = strategy::by_name("least_connections")?.place(&problem, &Options::default())?;
//! assert_eq!(placement.assignment, vec![Some(1), Some(0), Some(0)]);
//!
//! // ...or all of them side by side, with the lower bound.
//! let comparison = compare(&problem, &strategy::parse_list("all")?, &Options::default())?;
//! assert_eq!(comparison.lower_bound, 1);
//! let lp = comparison.outcomes.iter().find(|o| o.name == "lp_optimal").unwrap();
//! assert_eq!((lp.placement.nodes_used(), lp.placement.status), (1, Status::Optimal));
//! # Ok::<_, packsched::Error>(())
//! ```
//!
//! ## Layout
//! - [`model`]: resources, cluster, workload, dependency DAG, validated into a [`Problem`];
//! - [`state`]: the mutable allocation and the shared fit filter; an internal index over nodes
//!   (a segment tree of per-subtree fit keys and score bounds) lets the per-task rules skip
//!   nodes without scanning them, with the same choice as the full scan;
//! - [`strategy`]: the trait, the registry and one file per strategy, with the consolidation
//!   engine of `local_search` and `repack` ([`strategy::consolidate()`]);
//! - [`exact`]: the exact method of `lp_optimal` (column generation, proven bounds, branch and
//!   bound, completion by enumeration); [`lp`]: the assignment MILP for clusters too small for
//!   every task;
//!   [`bounds`]: lower bounds;
//! - [`compare`](mod@compare): strategies side by side; [`scenario`]: the JSON and CSV file
//!   formats;
//! - [`stranded`]: free capacity that another exhausted resource makes unusable;
//! - [`generate`]: seeded scenarios of the classes the packing literature uses;
//! - [`sim`]: the discrete-event simulator (arrivals, completions, dependencies, queue
//!   policies, preemption, node failures and joins).
//! - `k8s` (feature `k8s`): kubectl exports of nodes and pods, and the what-if on them.
//!
//! ## Cargo features
//! - `microlp` (default): the pure-Rust MILP back end of good_lp, so that nothing but the Rust
//!   toolchain is needed.
//! - `clarabel` (default): the pure-Rust interior-point LP back end of good_lp, with duals: the
//!   master LP of the exact method's column generation.
//! - `highs` (optional): HiGHS as the master LP solver; builds HiGHS from source (cmake, a C++
//!   compiler and libclang needed).
//! - `k8s` (default): the `k8s` module, Kubernetes nodes and pods through k8s-openapi. Like every
//!   library on k8s-openapi, packsched leaves the choice of the Kubernetes API version to the
//!   final binary: one that uses packsched with this feature adds
//!   `k8s-openapi = { version = "0.29", features = ["earliest"] }` (or another version feature)
//!   to its own dependencies, or turns the feature off with `default-features = false`.

#![deny(missing_docs)]

pub mod bounds;
pub mod compare;
pub mod error;
pub mod exact;
pub mod generate;
mod index;
#[cfg(feature = "k8s")]
pub mod k8s;
pub mod lp;
pub mod model;
pub mod placement;
pub mod scenario;
pub mod sim;
pub mod state;
pub mod stranded;
pub mod strategy;
mod unfit;

pub use compare::{Comparison, Outcome, Report, compare};
pub use error::{Error, EventProblem, Location, Result};
pub use model::{Cluster, Problem, Resources, Workload};
pub use placement::{Placement, Reason, Status, Unplaced};
pub use state::{Rejection, State};
pub use strategy::{Options, Selector, Strategy};

/// Keeps the README's example compiling and passing.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The names most programs need, in one import.
pub mod prelude {
    pub use crate::compare::{Comparison, Report, compare};
    pub use crate::error::{Error, Result};
    pub use crate::model::{Cluster, Problem, Resources, Workload};
    pub use crate::placement::{Placement, Reason, Status};
    pub use crate::strategy::{self, Options, Strategy};
}
