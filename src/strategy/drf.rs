//! `drf`: Dominant Resource Fairness between tenants.

use super::{Kind, Options, Selector, Strategy, registry};
use crate::error::{Error, Result};
use crate::model::Problem;
use crate::placement::{Placement, Unplaced, record};
use crate::state::State;
use ndarray::{Array1, ArrayView1, Axis};
use std::collections::BTreeMap;

/// Dominant Resource Fairness (Ghodsi et al., "Dominant resource fairness: fair allocation of
/// multiple resource types", NSDI 2011), the multi-resource fair sharing of Mesos, YARN's
/// `DominantResourceCalculator` and Kubernetes' Kueue: the next task comes from the tenant with
/// the lowest dominant share (its largest share of any resource of the whole cluster), and is
/// placed by a node rule, best fit by default. Tasks carry their tenant in the scenario's
/// `tenant` list; tasks without one form one tenant. Higher priority still goes first: DRF
/// chooses among the tenants with tasks of the highest pending priority. Within a tenant, tasks
/// go in arrival order. Ties between tenants go to the first in name order.
///
/// Complexity: O(tasks x (tenants x resources + the node rule's cost)); the node rule is
/// indexed (see `best_fit`). Memory: per-tenant queues and allocations, the node rule's index.
#[derive(Debug, Clone)]
pub struct Drf {
    node_rule: &'static str,
}

impl Default for Drf {
    fn default() -> Self {
        Self {
            node_rule: "best_fit",
        }
    }
}

/// A tenant's dominant share: `max_r allocated_r / total_r` over the resources the cluster has.
///
/// ```
/// use ndarray::array;
/// use packsched::strategy::dominant_share;
/// // 9 of 90 cpu is 0.1, 12 of 40 memory 0.3: memory is dominant.
/// let (allocated, total) = (array![9.0, 12.0], array![90.0, 40.0]);
/// assert_eq!(dominant_share(allocated.view(), total.view()), 0.3);
/// ```
pub fn dominant_share(allocated: ArrayView1<'_, f64>, total: ArrayView1<'_, f64>) -> f64 {
    allocated
        .iter()
        .zip(total)
        .filter(|(_, t)| **t > 0.0)
        .map(|(a, t)| a / t)
        .fold(0.0, f64::max)
}

impl Drf {
    /// DRF placing each task by best fit.
    pub fn new() -> Self {
        Self::default()
    }

    /// DRF placing each task by another registered heuristic's node rule (`first_fit`,
    /// `worst_fit`, ...).
    ///
    /// Errors ([`Error::InvalidOption`]): a name that is not a registered heuristic, or `drf`.
    pub fn with_node_rule(mut self, name: &str) -> Result<Self> {
        let entry = registry()
            .iter()
            .find(|e| e.name == name && e.kind == Kind::Heuristic && e.name != "drf")
            .ok_or_else(|| Error::InvalidOption {
                option: "node_rule",
                message: format!("{name:?} is not a registered heuristic other than drf"),
            })?;
        self.node_rule = entry.name;
        Ok(self)
    }

    fn rule(&self) -> Box<dyn Strategy> {
        super::by_name(self.node_rule).expect("checked in with_node_rule")
    }
}

impl Strategy for Drf {
    fn name(&self) -> &str {
        "drf"
    }

    fn check(&self, problem: &Problem) -> Result<()> {
        self.rule().check(problem)
    }

    fn samples(&self) -> bool {
        self.rule().samples()
    }

    fn selector(&self, problem: &Problem, options: &Options) -> Option<Box<dyn Selector>> {
        self.rule().selector(problem, options)
    }

    fn place(&self, problem: &Problem, options: &Options) -> Result<Placement> {
        self.check(problem)?;
        let mut selector = self
            .selector(problem, options)
            .ok_or_else(|| Error::InvalidOption {
                option: "node_rule",
                message: format!("{} has no per-task rule", self.node_rule),
            })?;
        let total = problem.cluster().capacity().sum_axis(Axis(0));
        let mut state = State::new(problem);
        let mut unplaced = Vec::new();
        let mut reasons = crate::unfit::Reasons::new();
        for mut queues in tenant_queues(problem) {
            let mut allocated: BTreeMap<&str, Array1<f64>> = BTreeMap::new();
            while let Some(tenant) = poorest(&queues, &allocated, &total) {
                let task = queues
                    .get_mut(tenant)
                    .and_then(Vec::pop)
                    .expect("non-empty");
                match selector
                    .select(&state, task)
                    .filter(|&node| state.place(task, node).is_ok())
                {
                    Some(node) => {
                        reasons.placed(&state, task, node);
                        selector.placed(&state, task, node);
                        let share = allocated
                            .entry(tenant)
                            .or_insert_with(|| Array1::zeros(total.len()));
                        *share += &problem.demand(task);
                    }
                    None => record(
                        &mut unplaced,
                        Unplaced {
                            task,
                            reason: reasons.reason(&state, task),
                        },
                    ),
                }
            }
        }
        Ok(Placement::heuristic(state.into_assignment(), unplaced))
    }
}

/// Per priority level, highest first: each tenant's tasks, the next one last (a stack in
/// reverse arrival order).
fn tenant_queues(problem: &Problem) -> Vec<BTreeMap<&str, Vec<usize>>> {
    let order = super::priority_order(problem);
    let w = problem.workload();
    let mut levels: Vec<BTreeMap<&str, Vec<usize>>> = Vec::new();
    for chunk in order.chunk_by(|&a, &b| w.priority(a) == w.priority(b)) {
        let mut queues: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &task in chunk.iter().rev() {
            queues
                .entry(w.tenant(task).unwrap_or(""))
                .or_default()
                .push(task);
        }
        levels.push(queues);
    }
    levels
}

/// The tenant with pending tasks and the lowest dominant share, ties to the first name.
fn poorest<'a>(
    queues: &BTreeMap<&'a str, Vec<usize>>,
    allocated: &BTreeMap<&str, Array1<f64>>,
    total: &Array1<f64>,
) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for (&tenant, _) in queues.iter().filter(|(_, q)| !q.is_empty()) {
        let share = allocated
            .get(tenant)
            .map_or(0.0, |a| dominant_share(a.view(), total.view()));
        if best.is_none_or(|(_, b)| share < b) {
            best = Some((tenant, share));
        }
    }
    best.map(|(t, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cluster, Resources, Workload};
    use ndarray::array;

    #[test]
    fn the_tenant_with_the_lowest_dominant_share_goes_next() {
        // The example of the DRF paper: 9 cpu and 18 GB; tenant a's tasks need (1, 4), b's
        // (3, 1). DRF gives a three tasks (dominant share 12/18 = 2/3 of memory) and b two
        // (6/9 = 2/3 of cpu), and nothing more fits. Arrival order alone would give a four.
        let r = Resources::new(["cpu", "memory"]).unwrap();
        let cluster = Cluster::new(r.clone(), array![[9.0, 18.0]]).unwrap();
        let demand = array![
            [1.0, 4.0],
            [1.0, 4.0],
            [1.0, 4.0],
            [1.0, 4.0],
            [3.0, 1.0],
            [3.0, 1.0],
            [3.0, 1.0]
        ];
        let tenants = ["a", "a", "a", "a", "b", "b", "b"]
            .map(String::from)
            .to_vec();
        let workload = Workload::new(r, demand)
            .unwrap()
            .with_tenants(tenants)
            .unwrap();
        let p = Problem::new(cluster, workload).unwrap();
        let got = Drf::new().place(&p, &Options::default()).unwrap();
        got.verify(&p).unwrap();
        let placed =
            |range: std::ops::Range<usize>| range.filter(|&t| got.assignment[t].is_some()).count();
        assert_eq!((placed(0..4), placed(4..7)), (3, 2));
        assert!(Drf::new().with_node_rule("lp_optimal").is_err());
        assert!(Drf::new().with_node_rule("drf").is_err());
        assert!(Drf::new().with_node_rule("first_fit").is_ok());
    }
}
