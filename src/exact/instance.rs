//! Aggregation: identical tasks become one item type with a multiplicity, interchangeable nodes
//! one node type with a count, so that the exact method works on types, not on individuals.
//!
//! Two tasks are of one type when their demand rows are equal and they may run on the same
//! node types; two nodes are of one type when their capacity rows are equal and every task
//! admits both or neither ([`crate::lp::node_types`]). A [`Bin`] is one node of a node type
//! with a count of each item type; a solution is a list of bins.

use crate::bounds::placeable;
use crate::lp::node_types;
use crate::model::Problem;
use crate::state::TOLERANCE;

/// Tasks with the same demand and the same admitted node types.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemType {
    /// The demand row.
    pub demand: Vec<f64>,
    /// The tasks of this type, in index order.
    pub tasks: Vec<usize>,
    /// Per node type: the tasks may run there and fit an empty node of it.
    pub allowed: Vec<bool>,
}

/// Interchangeable nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeType {
    /// The capacity row.
    pub capacity: Vec<f64>,
    /// The nodes of this type, in index order.
    pub nodes: Vec<usize>,
}

/// One node of a node type and how many tasks of each item type it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bin {
    /// The node type.
    pub node_type: usize,
    /// Per item type, the tasks of it on the node.
    pub counts: Vec<u32>,
}

/// What is left to pack: per item type the tasks, per node type the nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residual {
    /// Per item type, the tasks still to place.
    pub items: Vec<u32>,
    /// Per node type, the nodes still free.
    pub nodes: Vec<u32>,
}

impl Residual {
    /// Whether every task is placed.
    pub fn is_empty(&self) -> bool {
        self.items.iter().all(|&m| m == 0)
    }

    /// The residual after one more bin; `None` if the bin takes more than is left.
    pub fn without(&self, bin: &Bin) -> Option<Residual> {
        let mut next = self.clone();
        next.nodes[bin.node_type] = next.nodes[bin.node_type].checked_sub(1)?;
        for (m, &c) in next.items.iter_mut().zip(&bin.counts) {
            *m = m.checked_sub(c)?;
        }
        Some(next)
    }
}

/// A problem aggregated into item and node types.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The item types, largest first.
    pub items: Vec<ItemType>,
    /// The node types, in order of their first node.
    pub nodes: Vec<NodeType>,
    /// Tasks that fit no node they may run on: never placed.
    pub unplaceable: Vec<usize>,
}

/// Relative slack of the capacities the relaxation and the proofs use: a little looser than the
/// fit test, so that rounding never hides a packing the fit test accepts.
const LOOSE: f64 = 4.0 * TOLERANCE;
/// Relative slack of the capacities primal packings use: a little tighter than the fit test,
/// so that every packing found passes it.
const STRICT: f64 = 0.5 * TOLERANCE;

impl Instance {
    /// Aggregates a problem. Complexity: O(tasks x (item types + node types) x resources).
    pub fn new(problem: &Problem) -> Self {
        let groups = node_types(problem);
        let nodes: Vec<NodeType> = groups
            .into_iter()
            .map(|nodes| NodeType {
                capacity: problem.capacity(nodes[0]).to_vec(),
                nodes,
            })
            .collect();
        let fits = placeable(problem);
        let mut items: Vec<ItemType> = Vec::new();
        let mut unplaceable = Vec::new();
        for (task, &fit) in fits.iter().enumerate() {
            if !fit {
                unplaceable.push(task);
                continue;
            }
            let demand = problem.demand(task).to_vec();
            let allowed: Vec<bool> = nodes
                .iter()
                .map(|k| {
                    problem.allowed(task, k.nodes[0])
                        && demand
                            .iter()
                            .zip(&k.capacity)
                            .all(|(d, c)| *d <= c * (1.0 + STRICT))
                })
                .collect();
            match items
                .iter_mut()
                .find(|i| i.demand == demand && i.allowed == allowed)
            {
                Some(item) => item.tasks.push(task),
                None => items.push(ItemType {
                    demand,
                    tasks: vec![task],
                    allowed,
                }),
            }
        }
        let mut instance = Self {
            items,
            nodes,
            unplaceable,
        };
        instance.sort_items();
        instance
    }

    /// Sorts item types by decreasing size (then by demand), so that searches meet the hard
    /// items first and the order does not depend on the task order.
    fn sort_items(&mut self) {
        let sizes: Vec<f64> = (0..self.items.len()).map(|i| self.size(i)).collect();
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by(|&a, &b| {
            sizes[b].total_cmp(&sizes[a]).then_with(|| {
                let (da, db) = (&self.items[a].demand, &self.items[b].demand);
                db.partial_cmp(da).unwrap_or(std::cmp::Ordering::Equal)
            })
        });
        self.items = order.into_iter().map(|i| self.items[i].clone()).collect();
    }

    /// The size of an item type: its largest share of any resource of the largest node type
    /// it may use. Complexity: O(node types x resources).
    pub fn size(&self, item: usize) -> f64 {
        let it = &self.items[item];
        self.nodes
            .iter()
            .zip(&it.allowed)
            .filter(|(_, a)| **a)
            .map(|(k, _)| share(&it.demand, &k.capacity))
            .fold(0.0, f64::max)
    }

    /// The whole problem as a residual: every task to place, every node free.
    pub fn full(&self) -> Residual {
        Residual {
            items: self.items.iter().map(|i| i.tasks.len() as u32).collect(),
            nodes: self.nodes.iter().map(|k| k.nodes.len() as u32).collect(),
        }
    }

    /// The number of resources.
    pub fn dims(&self) -> usize {
        self.nodes.first().map_or(0, |k| k.capacity.len())
    }

    /// The capacity of a node type for relaxations and proofs (slightly loose).
    pub fn loose_capacity(&self, node_type: usize) -> Vec<f64> {
        scaled(&self.nodes[node_type].capacity, 1.0 + LOOSE)
    }

    /// The capacity of a node type for primal packings (slightly strict).
    pub fn strict_capacity(&self, node_type: usize) -> Vec<f64> {
        scaled(&self.nodes[node_type].capacity, 1.0 + STRICT)
    }

    /// The load of a bin per resource. Complexity: O(item types x resources).
    pub fn load(&self, counts: &[u32]) -> Vec<f64> {
        let mut load = vec![0.0; self.dims()];
        for (item, &c) in self.items.iter().zip(counts) {
            if c > 0 {
                for (l, d) in load.iter_mut().zip(&item.demand) {
                    *l += f64::from(c) * d;
                }
            }
        }
        load
    }

    /// Whether a bin is a valid packing: allowed item types only, within the strict capacity.
    pub fn is_packable(&self, bin: &Bin) -> bool {
        let allowed = self
            .items
            .iter()
            .zip(&bin.counts)
            .all(|(i, &c)| c == 0 || i.allowed[bin.node_type]);
        let cap = self.strict_capacity(bin.node_type);
        allowed && self.load(&bin.counts).iter().zip(&cap).all(|(l, c)| l <= c)
    }

    /// Turns bins into an assignment: bins of a node type go to its nodes in index order, the
    /// tasks of an item type to the bins in turn; tasks no bin takes stay `None`.
    ///
    /// Errors if there are more bins of a type than nodes, or more tasks of a type than exist.
    pub fn assignment(&self, tasks: usize, bins: &[Bin]) -> Result<Vec<Option<usize>>, String> {
        let mut assignment = vec![None; tasks];
        let mut next_node = vec![0usize; self.nodes.len()];
        let mut next_task = vec![0usize; self.items.len()];
        for bin in bins {
            let k = bin.node_type;
            let node = *self.nodes[k]
                .nodes
                .get(next_node[k])
                .ok_or_else(|| format!("more bins than nodes of type {k}"))?;
            next_node[k] += 1;
            for (i, &c) in bin.counts.iter().enumerate() {
                for _ in 0..c {
                    let task = *self.items[i]
                        .tasks
                        .get(next_task[i])
                        .ok_or_else(|| format!("more tasks than exist of item type {i}"))?;
                    next_task[i] += 1;
                    assignment[task] = Some(node);
                }
            }
        }
        Ok(assignment)
    }

    /// The bins of an assignment (tasks of unplaceable or unknown types are ignored).
    pub fn bins(&self, problem: &Problem, assignment: &[Option<usize>]) -> Vec<Bin> {
        let mut type_of_node = vec![usize::MAX; problem.nodes()];
        for (k, t) in self.nodes.iter().enumerate() {
            for &n in &t.nodes {
                type_of_node[n] = k;
            }
        }
        let mut item_of_task = vec![usize::MAX; problem.tasks()];
        for (i, it) in self.items.iter().enumerate() {
            for &t in &it.tasks {
                item_of_task[t] = i;
            }
        }
        let mut per_node: Vec<Option<Bin>> = vec![None; problem.nodes()];
        for (task, node) in assignment.iter().enumerate() {
            let (Some(node), item) = (*node, item_of_task[task]) else {
                continue;
            };
            if item == usize::MAX || node >= problem.nodes() {
                continue;
            }
            let bin = per_node[node].get_or_insert_with(|| Bin {
                node_type: type_of_node[node],
                counts: vec![0; self.items.len()],
            });
            bin.counts[item] += 1;
        }
        per_node.into_iter().flatten().collect()
    }
}

/// The largest share of any resource: max over r of `demand[r] / capacity[r]` (0 where both are
/// 0). Complexity: O(resources).
pub fn share(demand: &[f64], capacity: &[f64]) -> f64 {
    demand
        .iter()
        .zip(capacity)
        .map(|(&d, &c)| {
            if c > 0.0 {
                d / c
            } else if d > 0.0 {
                f64::INFINITY
            } else {
                0.0
            }
        })
        .fold(0.0, f64::max)
}

fn scaled(v: &[f64], factor: f64) -> Vec<f64> {
    v.iter().map(|x| x * factor).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn identical_tasks_and_nodes_are_aggregated() {
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [5.0, 5.0]],
            array![[2.0, 1.0], [6.0, 1.0], [2.0, 1.0], [11.0, 1.0]],
        );
        let inst = Instance::new(&p);
        assert_eq!(inst.nodes.len(), 2);
        assert_eq!(inst.items.len(), 2);
        // Largest first: the 6-cpu task, which fits only the large node type.
        assert_eq!(inst.items[0].tasks, vec![1]);
        assert_eq!(inst.items[0].allowed, vec![true, false]);
        assert_eq!(inst.items[1].tasks, vec![0, 2]);
        assert_eq!(inst.unplaceable, vec![3]);
    }

    #[test]
    fn bins_and_assignments_round_trip() {
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [4.0, 1.0], [4.0, 1.0]],
        );
        let inst = Instance::new(&p);
        let assignment = vec![Some(1), Some(1), Some(0)];
        let bins = inst.bins(&p, &assignment);
        assert_eq!(bins.len(), 2);
        let again = inst.assignment(3, &bins).unwrap();
        let mut back = inst.bins(&p, &again);
        let mut orig = bins.clone();
        back.sort();
        orig.sort();
        assert_eq!(back, orig);
        assert!(bins.iter().all(|b| inst.is_packable(b)));
    }
}
