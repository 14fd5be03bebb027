//! The what-if on a cluster's export: do the pending pods fit the current nodes, and how many
//! nodes would all pods need if they were packed again?
//!
//! Two placement problems are built from the export and handed to every strategy given
//! (through [`compare`](crate::compare()), so any strategy in the registry takes part):
//!
//! 1. **pending fit**: the nodes' free capacity (allocatable less the requests of the pods bound
//!    to them), and the pending pods (no `spec.nodeName`), each restricted to the nodes that
//!    admit it (labels, taints, cordon: [`admit`](super::admit));
//! 2. **consolidation**: the nodes' allocatable less their per-node pods (DaemonSet and static
//!    pods, which stay with their node and go away with it), and every other live pod, running
//!    or pending. A running pod may move to any node that admits it, or stay where it runs
//!    even if its labels or a `NoSchedule` taint changed since (`IgnoredDuringExecution`), but
//!    not on a cordoned node or under a `NoExecute` taint it does not tolerate. The fewest
//!    nodes over the strategies is the answer; the nodes a strategy leaves empty could be
//!    drained.
//!
//! Pods `Succeeded` or `Failed` are ignored; pods bound to a node missing from the export are
//! counted as orphaned and otherwise ignored. Sums are exact (in millicores and bytes) before
//! they become the model's `f64`.

use super::outcome::{consolidation, pending_fits, totals};
use super::report::{NotAdmitted, PodCounts, WhatIf, explain_refusals};
use super::{Amounts, NodeInfo, PodInfo, Refusal, admits, to_model};
use crate::compare::compare;
use crate::error::Result;
use crate::model::{Cluster, Problem, Resources, Workload};
use crate::strategy::{Options, Strategy};
use ndarray::Array2;
use std::collections::{BTreeSet, HashMap};

/// The resource columns of a what-if: `cpu`, `memory`, `ephemeral-storage`, `pods`, then the
/// others in name order. `cpu`, `memory` and `pods` are always there; any other resource is
/// there if some node has some of it or some live pod requests it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns(pub Vec<String>);

impl Columns {
    /// The columns of these nodes and pods.
    pub fn of(nodes: &[NodeInfo], pods: &[PodInfo]) -> Self {
        let mut names: BTreeSet<&str> = ["cpu", "memory", "pods"].into();
        fn nonzero(a: &Amounts) -> impl Iterator<Item = &str> {
            a.iter().filter(|(_, v)| **v > 0).map(|(k, _)| k.as_str())
        }
        for n in nodes {
            names.extend(nonzero(&n.allocatable));
        }
        for p in pods.iter().filter(|p| !p.is_finished()) {
            names.extend(nonzero(&p.requests));
        }
        let first = ["cpu", "memory", "ephemeral-storage", "pods"];
        let mut out: Vec<String> = first
            .iter()
            .filter(|r| names.contains(*r))
            .map(|r| r.to_string())
            .collect();
        out.extend(
            names
                .into_iter()
                .filter(|r| !first.contains(r))
                .map(String::from),
        );
        Self(out)
    }

    /// A pod's row in base units: its requests, and 1 of `pods`.
    pub(super) fn pod_row(&self, pod: &PodInfo) -> Vec<i128> {
        self.0
            .iter()
            .map(|r| match r.as_str() {
                "pods" => 1,
                _ => pod.requests.get(r).copied().unwrap_or(0),
            })
            .collect()
    }

    fn node_row(&self, node: &NodeInfo) -> Vec<i128> {
        self.0
            .iter()
            .map(|r| node.allocatable.get(r).copied().unwrap_or(0))
            .collect()
    }

    fn to_model(&self, rows: &[Vec<i128>]) -> Array2<f64> {
        let width = self.0.len();
        let flat = rows
            .iter()
            .flat_map(|row| row.iter().zip(&self.0).map(|(&v, r)| to_model(r, v.max(0))))
            .collect();
        Array2::from_shape_vec((rows.len(), width), flat).expect("rows have one value per column")
    }
}

/// Where each live pod stands.
struct Census<'a> {
    bound: Vec<(&'a PodInfo, usize)>,
    pending: Vec<&'a PodInfo>,
    finished: usize,
    orphaned: Vec<String>,
}

fn census<'a>(nodes: &[NodeInfo], pods: &'a [PodInfo]) -> Census<'a> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let mut c = Census {
        bound: Vec::new(),
        pending: Vec::new(),
        finished: 0,
        orphaned: Vec::new(),
    };
    for pod in pods {
        match (&pod.node_name, pod.is_finished()) {
            (_, true) => c.finished += 1,
            (None, false) => c.pending.push(pod),
            (Some(name), false) => match index.get(name.as_str()) {
                Some(&n) => c.bound.push((pod, n)),
                None => c.orphaned.push(format!("{} (on {name})", pod.key())),
            },
        }
    }
    c
}

/// Per pod, the nodes that admit it and the refusals of the others.
fn admission(nodes: &[NodeInfo], pod: &PodInfo) -> (Vec<usize>, Vec<Refusal>) {
    let mut admitted = Vec::new();
    let mut refused = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        match admits(node, pod) {
            Ok(()) => admitted.push(n),
            Err(r) => refused.push(r),
        }
    }
    (admitted, refused)
}

/// Whether a running pod may stay on its node in a repacking: unless the node is cordoned or
/// has a `NoExecute` taint the pod does not tolerate (which would evict it).
fn may_stay(node: &NodeInfo, pod: &PodInfo) -> bool {
    admits(node, pod) != Err(Refusal::Unschedulable)
        && node
            .taints
            .iter()
            .filter(|t| t.effect == "NoExecute")
            .all(|t| super::admit::tolerates(&pod.tolerations, t))
}

/// The two placement problems of a what-if, before any strategy runs, and what explains them.
struct Setup<'a> {
    columns: Columns,
    census: Census<'a>,
    allocatable: Vec<Vec<i128>>,
    used: Vec<Vec<i128>>,
    notes: Vec<String>,
    /// The pending pods on the free capacity, their refusals in words.
    fit: (Problem, Vec<&'a PodInfo>, Vec<String>),
    /// Pending pods no node admits.
    not_admitted: Vec<NotAdmitted>,
    /// Every movable pod on the nodes less their per-node pods, their refusals in words.
    repack: (Problem, Vec<&'a PodInfo>, Vec<String>),
    /// Nodes that hold a movable pod now.
    nodes_now: usize,
}

fn setup<'a>(nodes: &[NodeInfo], pods: &'a [PodInfo]) -> Result<Setup<'a>> {
    let columns = Columns::of(nodes, pods);
    let c = census(nodes, pods);
    let allocatable: Vec<Vec<i128>> = nodes.iter().map(|n| columns.node_row(n)).collect();
    let mut used = vec![vec![0i128; columns.0.len()]; nodes.len()];
    let mut per_node = used.clone();
    for &(pod, n) in &c.bound {
        let row = columns.pod_row(pod);
        add_row(&mut used[n], &row);
        if pod.per_node {
            add_row(&mut per_node[n], &row);
        }
    }
    let mut notes: Vec<String> = c
        .orphaned
        .iter()
        .map(|p| format!("pod {p} is bound to a node not in the export: ignored"))
        .collect();
    let free = less(&allocatable, &used, nodes, &columns, &mut notes);
    let base = less(&allocatable, &per_node, nodes, &columns, &mut Vec::new());

    let pending_admission: Vec<_> = c.pending.iter().map(|p| admission(nodes, p)).collect();
    let allowed = pending_admission
        .iter()
        .map(|(a, _)| Some(a.clone()))
        .collect();
    let fit = problem(&columns, nodes, &free, &c.pending, allowed)?;
    let refusals: Vec<String> = pending_admission
        .iter()
        .map(|(_, refused)| explain_refusals(refused, nodes.len()))
        .collect();
    let not_admitted = c
        .pending
        .iter()
        .zip(&pending_admission)
        .zip(&refusals)
        .filter(|((_, (admitted, _)), _)| admitted.is_empty())
        .map(|((p, _), why)| NotAdmitted {
            pod: p.key(),
            explanation: why.clone(),
        })
        .collect();

    let movable: Vec<(&PodInfo, Option<usize>)> = c
        .bound
        .iter()
        .filter(|(p, _)| !p.per_node)
        .map(|&(p, n)| (p, Some(n)))
        .chain(c.pending.iter().map(|&p| (p, None)))
        .collect();
    let (allowed, why): (Vec<_>, Vec<_>) = movable
        .iter()
        .map(|(p, now)| {
            let (mut admitted, refused) = admission(nodes, p);
            admitted.extend(now.filter(|&n| may_stay(&nodes[n], p)));
            (Some(admitted), explain_refusals(&refused, nodes.len()))
        })
        .unzip();
    let moved: Vec<&PodInfo> = movable.iter().map(|(p, _)| *p).collect();
    let repack = problem(&columns, nodes, &base, &moved, allowed)?;
    let nodes_now = movable
        .iter()
        .filter_map(|(_, n)| *n)
        .collect::<BTreeSet<usize>>()
        .len();
    Ok(Setup {
        fit: (fit, c.pending.clone(), refusals),
        not_admitted,
        repack: (repack, moved, why),
        nodes_now,
        columns,
        census: c,
        allocatable,
        used,
        notes,
    })
}

/// The two placement problems of a what-if (see the module docs), for running strategies or a
/// simulator on them directly: (pending fit, consolidation). Node names are the nodes', task
/// names `namespace/name`.
///
/// Errors: none on a valid import (the problems are built from validated amounts); a model
/// error otherwise.
pub fn problems(nodes: &[NodeInfo], pods: &[PodInfo]) -> Result<(Problem, Problem)> {
    let s = setup(nodes, pods)?;
    Ok((s.fit.0, s.repack.0))
}

/// Runs the what-if of an export with `strategies` (e.g. [`crate::strategy::parse_list`]`("all")`).
///
/// Errors: a strategy's error. Complexity: O(pods x nodes x (resources + labels)) for the
/// problems, plus the strategies' own cost, twice.
pub fn what_if(
    nodes: &[NodeInfo],
    pods: &[PodInfo],
    strategies: &[Box<dyn Strategy>],
    options: &Options,
) -> Result<WhatIf> {
    let s = setup(nodes, pods)?;
    let (fit, fit_pods, fit_why) = &s.fit;
    let fit_run = compare(fit, strategies, options)?;
    let (repack, moved, why) = &s.repack;
    let repack_run = compare(repack, strategies, options)?;
    let c = &s.census;
    Ok(WhatIf {
        nodes: nodes.len(),
        cordoned: nodes.iter().filter(|n| n.unschedulable).count(),
        tainted: nodes.iter().filter(|n| n.is_tainted()).count(),
        pods: PodCounts {
            running: c.bound.iter().filter(|(p, _)| !p.per_node).count(),
            per_node: c.bound.iter().filter(|(p, _)| p.per_node).count(),
            pending: c.pending.len(),
            finished: c.finished,
            orphaned: c.orphaned.len(),
        },
        resources: totals(&s.columns, &s.allocatable, &s.used, &c.pending),
        not_admitted: s.not_admitted.clone(),
        pending: pending_fits(fit, &fit_run, fit_pods, fit_why, nodes),
        consolidation: consolidation(repack, &repack_run, moved, why, nodes, s.nodes_now),
        notes: s.notes.clone(),
    })
}

pub(super) fn add_row(into: &mut [i128], row: &[i128]) {
    for (a, b) in into.iter_mut().zip(row) {
        *a = a.saturating_add(*b);
    }
}

/// `a - b` per node, clamped at 0 with a note for each node and resource over-committed.
fn less(
    a: &[Vec<i128>],
    b: &[Vec<i128>],
    nodes: &[NodeInfo],
    columns: &Columns,
    notes: &mut Vec<String>,
) -> Vec<Vec<i128>> {
    a.iter()
        .zip(b)
        .enumerate()
        .map(|(n, (a, b))| {
            a.iter()
                .zip(b)
                .zip(&columns.0)
                .map(|((&x, &y), r)| {
                    if y > x {
                        notes.push(format!(
                            "node {}: its pods request more {r} than it has allocatable",
                            nodes[n].name
                        ));
                    }
                    x.saturating_sub(y).max(0)
                })
                .collect()
        })
        .collect()
}

fn problem(
    columns: &Columns,
    nodes: &[NodeInfo],
    capacity: &[Vec<i128>],
    pods: &[&PodInfo],
    allowed: Vec<Option<Vec<usize>>>,
) -> Result<Problem> {
    let resources = Resources::new(columns.0.iter().cloned())?;
    let cluster = Cluster::new(resources.clone(), columns.to_model(capacity))?
        .with_names(nodes.iter().map(|n| n.name.clone()).collect())?;
    let rows: Vec<Vec<i128>> = pods.iter().map(|p| columns.pod_row(p)).collect();
    let workload = Workload::new(resources, columns.to_model(&rows))?
        .with_priority(pods.iter().map(|p| p.priority).collect())?
        .with_names(pods.iter().map(|p| p.key()).collect())?;
    Problem::new(cluster, workload)?.with_allowed_nodes(allowed)
}
