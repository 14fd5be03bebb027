//! The what-if's strategy runs turned into report rows.

use super::report::{Consolidation, PendingFit, Repack, ResourceTotal, Unfit, explain};
use super::whatif::{Columns, add_row};
use super::{NodeInfo, PodInfo, to_model};
use crate::bounds::lower_bound_of;
use crate::compare::Comparison;
use crate::model::Problem;
use std::collections::BTreeSet;

pub(super) fn pending_fits(
    problem: &Problem,
    run: &Comparison,
    pods: &[&PodInfo],
    refusals: &[String],
    nodes: &[NodeInfo],
) -> Vec<PendingFit> {
    run.outcomes
        .iter()
        .map(|o| {
            let p = &o.placement;
            PendingFit {
                strategy: o.name.clone(),
                status: p.status,
                pending: pods.len(),
                placed: p.placed(),
                all_fit: p.unplaced.is_empty(),
                unfit: unfits(problem, p, pods, refusals, nodes),
                placements: p
                    .assignment
                    .iter()
                    .enumerate()
                    .filter_map(|(t, n)| n.map(|n| (pods[t].key(), nodes[n].name.clone())))
                    .collect(),
                seconds: o.seconds,
            }
        })
        .collect()
}

fn unfits(
    problem: &Problem,
    placement: &crate::Placement,
    pods: &[&PodInfo],
    refusals: &[String],
    nodes: &[NodeInfo],
) -> Vec<Unfit> {
    placement
        .unplaced
        .iter()
        .map(|u| Unfit {
            pod: pods[u.task].key(),
            explanation: explain(&u.reason, &refusals[u.task], nodes, problem),
            reason: u.reason.clone(),
        })
        .collect()
}

pub(super) fn consolidation(
    problem: &Problem,
    run: &Comparison,
    pods: &[&PodInfo],
    refusals: &[String],
    nodes: &[NodeInfo],
    nodes_now: usize,
) -> Consolidation {
    let strategies: Vec<Repack> = run
        .outcomes
        .iter()
        .map(|o| {
            let p = &o.placement;
            let used: BTreeSet<usize> = p.assignment.iter().flatten().copied().collect();
            Repack {
                strategy: o.name.clone(),
                nodes_needed: used.len(),
                unplaced: unfits(problem, p, pods, refusals, nodes),
                drainable: (0..nodes.len())
                    .filter(|n| !used.contains(n))
                    .map(|n| nodes[n].name.clone())
                    .collect(),
                status: p.status,
                note: p.note.clone(),
                seconds: o.seconds,
            }
        })
        .collect();
    let best = (0..strategies.len())
        .min_by_key(|&i| (strategies[i].unplaced.len(), strategies[i].nodes_needed));
    let placed: Vec<usize> = best.map_or_else(Vec::new, |i| {
        let assignment = &run.outcomes[i].placement.assignment;
        (0..assignment.len())
            .filter(|&t| assignment[t].is_some())
            .collect()
    });
    Consolidation {
        pods: pods.len(),
        nodes_now,
        lower_bound: lower_bound_of(problem, &placed),
        best: best.map(|i| strategies[i].strategy.clone()),
        strategies,
    }
}

pub(super) fn totals(
    columns: &Columns,
    allocatable: &[Vec<i128>],
    used: &[Vec<i128>],
    pending: &[&PodInfo],
) -> Vec<ResourceTotal> {
    let sum = |rows: &mut dyn Iterator<Item = Vec<i128>>| {
        let mut total = vec![0i128; columns.0.len()];
        for row in rows {
            add_row(&mut total, &row);
        }
        total
    };
    let a = sum(&mut allocatable.iter().cloned());
    let u = sum(&mut used.iter().cloned());
    let p = sum(&mut pending.iter().map(|p| columns.pod_row(p)));
    columns
        .0
        .iter()
        .enumerate()
        .map(|(i, r)| ResourceTotal {
            name: r.clone(),
            unit: super::unit(r),
            allocatable: to_model(r, a[i]),
            requested: to_model(r, u[i]),
            pending: to_model(r, p[i]),
        })
        .collect()
}
