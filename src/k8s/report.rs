//! The what-if's report: the figures, as JSON (serde) or as a text table.

use super::{NodeInfo, Refusal};
use crate::model::Problem;
use crate::placement::{Reason, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// The what-if of one export. Field names are a contract: fields may be added, never renamed.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    /// Nodes in the export.
    pub nodes: usize,
    /// Nodes cordoned (`spec.unschedulable`).
    pub cordoned: usize,
    /// Nodes with a `NoSchedule` or `NoExecute` taint.
    pub tainted: usize,
    /// The pods by state.
    pub pods: PodCounts,
    /// Per resource: allocatable, requested by bound pods, requested by pending pods.
    pub resources: Vec<ResourceTotal>,
    /// Pending pods that no node admits (labels, taints, cordon), with the refusals.
    pub not_admitted: Vec<NotAdmitted>,
    /// Per strategy: the pending pods on the current nodes.
    pub pending: Vec<PendingFit>,
    /// All movable pods packed again.
    pub consolidation: Consolidation,
    /// Remarks: orphaned pods, over-committed nodes.
    pub notes: Vec<String>,
}

/// The pods of an export by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PodCounts {
    /// Bound to a node (`spec.nodeName`), not per-node: they could move.
    pub running: usize,
    /// DaemonSet and static pods bound to a node: they stay with it.
    pub per_node: usize,
    /// Not bound to a node yet.
    pub pending: usize,
    /// `Succeeded` or `Failed`: ignored.
    pub finished: usize,
    /// Bound to a node that is not in the export: ignored.
    pub orphaned: usize,
}

/// One resource's totals, in the model's unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceTotal {
    /// The resource name (`cpu`, `memory`, `nvidia.com/gpu`, ...).
    pub name: String,
    /// `cores`, `bytes` or `count`.
    pub unit: &'static str,
    /// Allocatable over all nodes.
    pub allocatable: f64,
    /// Requested by the pods bound to nodes (per-node pods included).
    pub requested: f64,
    /// Requested by the pending pods.
    pub pending: f64,
}

/// A pending pod that no node admits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotAdmitted {
    /// `namespace/name`.
    pub pod: String,
    /// E.g. `0/7 nodes admit it: 5 node affinity mismatch, 2 untolerated taint ...`.
    pub explanation: String,
}

/// One strategy's placement of the pending pods on the current nodes.
#[derive(Debug, Clone, Serialize)]
pub struct PendingFit {
    /// The strategy.
    pub strategy: String,
    /// `heuristic`, `optimal`, `feasible` or `fallback`.
    pub status: Status,
    /// Every pending pod placed.
    pub all_fit: bool,
    /// Pending pods placed.
    pub placed: usize,
    /// Pending pods in all.
    pub pending: usize,
    /// The pods left out, with why.
    pub unfit: Vec<Unfit>,
    /// Pod (`namespace/name`) to node, for the pods placed.
    pub placements: BTreeMap<String, String>,
    /// Wall-clock decision time, seconds.
    pub seconds: f64,
}

/// A pod left unplaced, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unfit {
    /// `namespace/name`.
    pub pod: String,
    /// The library's reason, in the model's units.
    pub reason: Reason,
    /// The reason in words, with units and node names.
    pub explanation: String,
}

/// All movable pods packed again, per strategy.
#[derive(Debug, Clone, Serialize)]
pub struct Consolidation {
    /// Pods packed: running (not per-node) and pending.
    pub pods: usize,
    /// Nodes that hold at least one of these pods now.
    pub nodes_now: usize,
    /// A proven lower bound on the nodes any packing of the pods that the best strategy
    /// placed needs (per resource, the fewest of the largest nodes that hold their total).
    pub lower_bound: usize,
    /// One packing per strategy.
    pub strategies: Vec<Repack>,
    /// The strategy with the fewest pods left out, then the fewest nodes (first on ties).
    pub best: Option<String>,
}

/// One strategy's packing of all movable pods.
#[derive(Debug, Clone, Serialize)]
pub struct Repack {
    /// The strategy.
    pub strategy: String,
    /// Nodes holding at least one pod.
    pub nodes_needed: usize,
    /// Pods it could not place, with why.
    pub unplaced: Vec<Unfit>,
    /// Nodes it leaves empty (of movable pods): they could be drained.
    pub drainable: Vec<String>,
    /// `heuristic`, `optimal`, `feasible` or `fallback`.
    pub status: Status,
    /// The strategy's remark (what proved it, why it fell back).
    pub note: Option<String>,
    /// Wall-clock decision time, seconds.
    pub seconds: f64,
}

/// `0/7 nodes admit it: 5 node affinity mismatch, 2 untolerated taint k:NoSchedule`, the most
/// frequent refusal first.
pub(crate) fn explain_refusals(refused: &[Refusal], nodes: usize) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in refused {
        *counts.entry(r.to_string()).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let admitted = nodes - refused.len();
    if parts.is_empty() {
        format!("{admitted}/{nodes} nodes admit it")
    } else {
        format!("{admitted}/{nodes} nodes admit it: {}", parts.join(", "))
    }
}

/// A reason in words, in the resources' units and with node names.
pub(crate) fn explain(reason: &Reason, refusals: &str, nodes: &[NodeInfo], p: &Problem) -> String {
    match reason {
        Reason::NotAllowed => refusals.to_string(),
        Reason::NoNodes => "the export has no nodes".into(),
        Reason::TooLarge {
            resource,
            requested,
            largest,
        } => format!(
            "insufficient {resource}: asks {}, no admitting node has more than {} free",
            human(resource, *requested),
            human(resource, *largest)
        ),
        Reason::Insufficient {
            resource,
            requested,
            most_free,
        } => format!(
            "insufficient {resource}: asks {}, at most {} left free on an admitting node \
             once the pods placed before it are in",
            human(resource, *requested),
            human(resource, *most_free)
        ),
        Reason::Fragmented {
            node,
            resource,
            requested,
            free,
            ..
        } => format!(
            "fragmented: no admitting node has every resource free; closest {} has {} of {} \
             {resource} free",
            nodes
                .get(*node)
                .map_or_else(|| p.cluster().node_name(*node), |n| n.name.clone()),
            human(resource, *free),
            human(resource, *requested)
        ),
    }
}

/// An amount in the model's unit, for people: `250m` or `2.5` cores, `1.5Gi` bytes, counts.
pub fn human(resource: &str, value: f64) -> String {
    match super::unit(resource) {
        "cores" => {
            let milli = (value * 1000.0).round();
            if milli % 1000.0 == 0.0 {
                format!("{}", milli / 1000.0)
            } else if milli < 1000.0 {
                format!("{milli}m")
            } else {
                format!("{:.3}", milli / 1000.0)
                    .trim_end_matches('0')
                    .to_string()
            }
        }
        "bytes" => {
            let units = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
            let mut v = value;
            let mut i = 0;
            while v >= 1024.0 && i + 1 < units.len() {
                v /= 1024.0;
                i += 1;
            }
            let shown = format!("{v:.1}");
            format!("{}{}", shown.trim_end_matches(".0"), units[i])
        }
        _ => format!("{value}"),
    }
}

impl WhatIf {
    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises")
    }

    /// The report as text tables: totals, the pending fit per strategy, the pods that do not
    /// fit and why, the consolidation per strategy.
    pub fn to_table(&self) -> String {
        let p = &self.pods;
        let mut out = format!(
            "cluster: {} nodes ({} cordoned, {} tainted NoSchedule/NoExecute); pods: {} running, \
             {} per-node (DaemonSet/static), {} pending, {} finished (ignored)",
            self.nodes, self.cordoned, self.tainted, p.running, p.per_node, p.pending, p.finished
        );
        if p.orphaned > 0 {
            out += &format!(", {} on unknown nodes (ignored)", p.orphaned);
        }
        out += "\n\nresource                 allocatable     requested       pending\n";
        for r in &self.resources {
            out += &format!(
                "{:<22} {:>13} {:>13} {:>13}\n",
                r.name,
                human(&r.name, r.allocatable),
                human(&r.name, r.requested),
                human(&r.name, r.pending)
            );
        }
        out += &self.pending_table();
        out += &self.consolidation_table();
        for note in &self.notes {
            out += &format!("note: {note}\n");
        }
        out
    }

    fn pending_table(&self) -> String {
        let mut out = format!(
            "\npending pods on the current nodes (free capacity after the bound pods)\n\
             {:<22} {:>9} {:>7} {:>10} {:>10}\n",
            "strategy", "placed", "unfit", "status", "seconds"
        );
        for f in &self.pending {
            out += &format!(
                "{:<22} {:>9} {:>7} {:>10} {:>10.3}\n",
                f.strategy,
                format!("{}/{}", f.placed, f.pending),
                f.unfit.len(),
                f.status.as_str(),
                f.seconds
            );
        }
        // Each pod that some strategy leaves out, once, with the strategies and the first why.
        let mut unfit: BTreeMap<&str, (Vec<&str>, &str)> = BTreeMap::new();
        for f in &self.pending {
            for u in &f.unfit {
                let e = unfit.entry(&u.pod).or_insert((Vec::new(), &u.explanation));
                e.0.push(&f.strategy);
            }
        }
        if !unfit.is_empty() {
            out += "\npods that do not fit\n";
        }
        for (pod, (strategies, why)) in unfit {
            let by = if strategies.len() == self.pending.len() {
                "every strategy".to_string()
            } else {
                strategies.join(", ")
            };
            out += &format!("  {pod} ({by}): {why}\n");
        }
        out
    }

    fn consolidation_table(&self) -> String {
        let c = &self.consolidation;
        let mut out = format!(
            "\nconsolidation: {} pods packed again (per-node pods stay); {} nodes hold them now; \
             lower bound {} nodes for the pods the best places\n{:<22} {:>6} {:>9} {:>10} {:>10} {:>10}\n",
            c.pods,
            c.nodes_now,
            c.lower_bound,
            "strategy",
            "nodes",
            "unplaced",
            "drainable",
            "status",
            "seconds"
        );
        for r in &c.strategies {
            out += &format!(
                "{:<22} {:>6} {:>9} {:>10} {:>10} {:>10.3}\n",
                r.strategy,
                r.nodes_needed,
                r.unplaced.len(),
                r.drainable.len(),
                r.status.as_str(),
                r.seconds
            );
        }
        if let Some(best) = c
            .strategies
            .iter()
            .find(|r| Some(&r.strategy) == c.best.as_ref())
        {
            out += &format!(
                "best: {} with {} nodes; could drain: {}\n",
                best.strategy,
                best.nodes_needed,
                if best.drainable.is_empty() {
                    "none".to_string()
                } else {
                    best.drainable.join(", ")
                }
            );
            for u in &best.unplaced {
                out += &format!("  not placed: {}: {}\n", u.pod, u.explanation);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_for_people() {
        assert_eq!(human("cpu", 2.0), "2");
        assert_eq!(human("cpu", 0.25), "250m");
        assert_eq!(human("cpu", 168.225), "168.225");
        assert_eq!(human("cpu", 6.72), "6.72");
        assert_eq!(human("memory", 5.0 * 1024.0 * 1024.0 * 1024.0), "5Gi");
        assert_eq!(human("memory", 1536.0), "1.5Ki");
        assert_eq!(human("memory", 100.0), "100");
        assert_eq!(human("nvidia.com/gpu", 5.0), "5");
    }

    #[test]
    fn refusals_most_frequent_first() {
        let refused = vec![
            Refusal::Affinity,
            Refusal::Taint {
                key: "k".into(),
                effect: "NoSchedule".into(),
            },
            Refusal::Affinity,
        ];
        assert_eq!(
            explain_refusals(&refused, 4),
            "1/4 nodes admit it: 2 node affinity mismatch, 1 untolerated taint k:NoSchedule"
        );
    }
}
