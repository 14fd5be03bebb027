//! The node-opening rule of the offline heuristics: which empty node a task opens, so that scarce
//! resources (GPUs) stay for the tasks that need them.

use super::size::largest_first;
use crate::index::{Member, NodeTree, Order, Spec, few_allowed};
use crate::model::Problem;
use crate::state::{State, TOLERANCE};
use ndarray::{Array1, ArrayView1};
use std::collections::HashMap;

/// Which resources a demand row asks for (a demand above 0).
pub fn requested(demand: ArrayView1<'_, f64>) -> Vec<bool> {
    demand.iter().map(|&d| asks(d)).collect()
}

/// Whether a demand asks for its resource: above 0.
fn asks(demand: f64) -> bool {
    demand > 0.0
}

/// Whether a node set aside for the resources of `aside` is kept for other tasks than one that
/// asks for the resources of `asked`: it is set aside for one the task does not ask for.
fn kept_for_others(aside: &[bool], asked: impl IntoIterator<Item = bool>) -> bool {
    aside.iter().zip(asked).any(|(&set, asked)| set && !asked)
}

/// Per node, per resource: whether the node is set aside for the tasks that ask for that resource.
///
/// A resource is scarce when some nodes lack it (a GPU). For each scarce resource, the tasks that
/// ask for it have a total demand vector; the fewest nodes with that resource, largest first
/// ([`largest_first`]), whose capacities add up to that total in every resource (the volume bound
/// of [`crate::bounds`], applied to those tasks alone) are set aside for it. Resources that every
/// node has set nothing aside.
///
/// ```
/// use ndarray::array;
/// use packsched::{Cluster, Problem, Resources, Workload, strategy::set_aside};
/// let r = Resources::new(["cpu", "memory", "gpu"])?;
/// // Two GPU nodes; the one GPU task (1 GPU) needs one of them: the larger is set aside.
/// let cluster = Cluster::new(r.clone(), array![[8.0, 8.0, 0.0], [16.0, 64.0, 4.0], [64.0, 512.0, 4.0]])?;
/// let workload = Workload::new(r, array![[4.0, 4.0, 0.0], [8.0, 32.0, 1.0]])?;
/// let aside = set_aside(&Problem::new(cluster, workload)?);
/// assert_eq!(aside, vec![vec![false; 3], vec![false; 3], vec![false, false, true]]);
/// # Ok::<_, packsched::Error>(())
/// ```
///
/// Complexity: O(tasks x resources + resources x nodes x resources).
pub fn set_aside(problem: &Problem) -> Vec<Vec<bool>> {
    let r = problem.resources().len();
    set_aside_flat(problem, &largest_first(problem))
        .chunks_exact(r.max(1))
        .map(<[bool]>::to_vec)
        .collect()
}

/// [`set_aside`] as one row-major slice, nodes x resources (one allocation, not one per node),
/// from the nodes largest first ([`largest_first`]).
fn set_aside_flat(problem: &Problem, by_size: &[usize]) -> Vec<bool> {
    let resources = problem.resources().len();
    let mut flat = vec![false; problem.nodes() * resources];
    for r in 0..resources {
        for n in aside_for(problem, by_size, r) {
            flat[n * resources + r] = true;
        }
    }
    flat
}

/// The nodes set aside for resource `r` (none if every node has it), from `by_size` (largest
/// first).
fn aside_for(problem: &Problem, by_size: &[usize], r: usize) -> Vec<usize> {
    let having: Vec<usize> = by_size
        .iter()
        .copied()
        .filter(|&n| problem.capacity(n)[r] > 0.0)
        .collect();
    if having.len() == problem.nodes() {
        return Vec::new();
    }
    let mut need = Array1::<f64>::zeros(problem.resources().len());
    for t in (0..problem.tasks()).filter(|&t| problem.demand(t)[r] > 0.0) {
        need += &problem.demand(t).mapv(|d| d.max(0.0));
    }
    let mut have = Array1::<f64>::zeros(need.len());
    let mut out = Vec::new();
    for n in having {
        let covered = need
            .iter()
            .zip(&have)
            .all(|(d, h)| *h + TOLERANCE * d.abs().max(1.0) >= *d);
        if covered {
            break;
        }
        have += &problem.capacity(n);
        out.push(n);
    }
    out
}

/// The order in which the offline heuristics open an empty node for a demand that asks for the
/// resources where `requested` is true: nodes not set aside ([`set_aside`]) for a resource the
/// demand does not ask for first, so that a task without a GPU does not take the GPU nodes that
/// the GPU tasks need while another node is free; then the largest first ([`largest_first`]);
/// ties to the lower index. Without scarce resources, this is [`largest_first`].
///
/// Complexity: O(nodes x resources + nodes log nodes).
pub fn opening_order(problem: &Problem, aside: &[Vec<bool>], requested: &[bool]) -> Vec<usize> {
    order_by(problem, |n| &aside[n], requested)
}

/// [`opening_order`], given each node's row of [`set_aside`].
fn order_by<'a>(
    problem: &Problem,
    aside: impl Fn(usize) -> &'a [bool],
    requested: &[bool],
) -> Vec<usize> {
    let mut order = largest_first(problem);
    // A stable sort keeps the largest-first order within each group.
    order.sort_by_key(|&n| kept_for_others(aside(n), requested.iter().copied()));
    order
}

/// The empty-node choice of `first_fit_decreasing`, `best_fit_decreasing` and the consolidation
/// engine: [`opening_order`], computed once per set of requested resources.
#[derive(Debug, Clone)]
pub(crate) struct Openings {
    /// [`set_aside`], nodes x resources.
    aside: Vec<bool>,
    /// Per resource, whether some node is set aside for it.
    scarce: Vec<bool>,
    orders: Vec<(Vec<bool>, Vec<usize>)>,
}

impl Openings {
    pub(crate) fn new(problem: &Problem) -> Self {
        Self::by_size(problem, &largest_first(problem))
    }

    /// [`Openings::new`], given the nodes largest first ([`largest_first`]).
    fn by_size(problem: &Problem, by_size: &[usize]) -> Self {
        let aside = set_aside_flat(problem, by_size);
        let r = problem.resources().len();
        let scarce = (0..r)
            .map(|j| aside.iter().skip(j).step_by(r).any(|&a| a))
            .collect();
        Self {
            aside,
            scarce,
            orders: Vec::new(),
        }
    }

    /// Which opening order a set of requested resources gets: its position in `self.orders`,
    /// computed on first use. Requests that differ only in resources with no node set aside
    /// share an order (so there are at most 2^(scarce resources) of them).
    pub(crate) fn slot(&mut self, problem: &Problem, mut asked: Vec<bool>) -> usize {
        for (a, &scarce) in asked.iter_mut().zip(&self.scarce) {
            *a &= scarce;
        }
        match self.orders.iter().position(|(r, _)| *r == asked) {
            Some(i) => i,
            None => {
                let (r, aside) = (asked.len(), &self.aside);
                let order = order_by(problem, |n| &aside[n * r..][..r], &asked);
                self.orders.push((asked, order));
                self.orders.len() - 1
            }
        }
    }

    /// The opening order for a set of requested resources.
    pub(crate) fn order(&mut self, problem: &Problem, asked: Vec<bool>) -> &[usize] {
        let i = self.slot(problem, asked);
        &self.orders[i].1
    }

    /// The first empty node in the opening order for `task`'s demand that it fits, then any node
    /// that joined after the problem was made. O(nodes x resources).
    pub(crate) fn first_empty(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let problem = state.problem();
        let joined = problem.nodes()..state.nodes();
        self.order(problem, requested(state.demand(task)))
            .iter()
            .copied()
            .chain(joined)
            .find(|&n| state.task_count(n) == 0 && state.fits(task, n))
    }
}

/// The classes of nodes by the resources they are set aside for (`aside`, nodes x `r` flags):
/// per class its set and its number of nodes, and per node its class. Classes set aside for
/// fewer resources come first (the class set aside for none, which every task may take, leads:
/// its first fitting node settles most queries in one descent), then as they first appear in
/// `by_size`.
fn classes(aside: &[bool], r: usize, by_size: &[usize]) -> (Vec<Vec<bool>>, Vec<usize>, Vec<u32>) {
    let mut number: HashMap<&[bool], usize> = HashMap::new();
    let mut found: Vec<&[bool]> = Vec::new();
    let mut class_of = vec![0; aside.len() / r.max(1)];
    for &n in by_size {
        let set = &aside[n * r..][..r];
        class_of[n] = *number.entry(set).or_insert_with(|| {
            found.push(set);
            found.len() - 1
        }) as u32;
    }
    let mut ranked: Vec<usize> = (0..found.len()).collect();
    ranked.sort_by_key(|&c| (found[c].iter().filter(|&&a| a).count(), c));
    let mut place = vec![0u32; found.len()];
    for (i, &c) in ranked.iter().enumerate() {
        place[c] = i as u32;
    }
    let mut sizes = vec![0; found.len()];
    for c in &mut class_of {
        *c = place[*c as usize];
        sizes[*c as usize] += 1;
    }
    let sets = ranked.iter().map(|&c| found[c].to_vec()).collect();
    (sets, sizes, class_of)
}

/// [`Openings::first_empty`] through one node tree over the empty nodes, so that the first empty
/// node a task fits is found by descent (O(log nodes) instead of a scan). The tree's order puts
/// the nodes in classes, one per set of resources they are set aside for, each class largest
/// first ([`largest_first`]); every opening order is then a merge of classes: for a demand, the
/// nodes of the classes it does not have to leave to others in largest-first order, then the
/// others. So the first fitting node of each class (a descent from the class's start) decides:
/// the largest first among the classes the demand may take, else among the others, else a node
/// that joined after the problem was made. The same choice as [`Openings::first_empty`];
/// memory, one tree however many opening orders there are. Selectors that use it pass on every
/// placement and removal ([`Opener::changed`]).
pub(crate) struct Opener {
    /// The scan, where the tree cannot be built.
    openings: Openings,
    tree: Option<NodeTree>,
    /// Per class, in the tree's order: the resources its nodes are set aside for.
    classes: Vec<Vec<bool>>,
    /// Per class, the position after its last node in the tree's order.
    ends: Vec<usize>,
    /// Per node of the problem: its class and its place in [`largest_first`].
    class_of: Vec<u32>,
    rank: Vec<u32>,
}

impl Opener {
    pub(crate) fn new(problem: &Problem) -> Self {
        let by_size = largest_first(problem);
        let openings = Openings::by_size(problem, &by_size);
        let r = problem.resources().len();
        let mut rank = vec![0; problem.nodes()];
        for (i, &n) in by_size.iter().enumerate() {
            rank[n] = i as u32;
        }
        let (sets, sizes, class_of) = classes(&openings.aside, r, &by_size);
        let mut order = by_size;
        order.sort_by_key(|&n| class_of[n]);
        let ends = sizes
            .iter()
            .scan(0, |end, &size| {
                *end += size;
                Some(*end)
            })
            .collect();
        let spec = Spec::new(Order::Given(order.into())).with_member(Member::Empty);
        Self {
            tree: NodeTree::new(spec, r),
            openings,
            classes: sets,
            ends,
            class_of,
            rank,
        }
    }

    /// The first empty node in the opening order for `task`'s demand that it fits, then any
    /// node that joined after the problem was made.
    pub(crate) fn first_empty(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let Some(tree) = &mut self.tree else {
            return self.openings.first_empty(state, task);
        };
        tree.load(state, task);
        // The demand leaves a class to others if the class is kept for them (the row read
        // directly: no vector of requested resources per opening).
        let demand = state.demand_row(task);
        let left = |set: &[bool]| kept_for_others(set, demand.iter().map(|&d| asks(d)));
        let key = |n: usize| match self.class_of.get(n) {
            Some(&c) => (u8::from(left(&self.classes[c as usize])), self.rank[n]),
            None => (2, n as u32),
        };
        if let Some(allowed) = few_allowed(state, task) {
            return allowed
                .filter(|&n| tree.holds(state, n) && state.fits(task, n))
                .min_by_key(|&n| key(n));
        }
        // The first fitting node of each class, by descents from class starts (a descent that
        // ends in a later class shows the classes between have none); once a class the demand
        // may take has one, the classes it must leave to others are passed over, and nodes that
        // joined later are asked only if no class has one.
        let ends = &self.ends;
        let class_at = |at: usize| ends.partition_point(|&end| end <= at);
        let (mut best, mut from) = (None::<usize>, 0);
        loop {
            let c = class_at(from);
            let settled = best.is_some_and(|b| key(b).0 == 0);
            if c < ends.len() && settled && left(&self.classes[c]) {
                from = ends[c];
                continue;
            }
            if c == ends.len() && best.is_some() {
                break;
            }
            let Some(n) = tree.first_from(state, task, from) else {
                break;
            };
            if best.is_none_or(|b| key(n) < key(b)) {
                best = Some(n);
            }
            match ends.get(class_at(tree.position(n))) {
                Some(&end) => from = end,
                // A joined node: the first of them, after every class.
                None => break,
            }
        }
        best
    }

    /// Told that `node` changed by the state's last change.
    pub(crate) fn changed(&mut self, state: &State<'_>, node: usize) {
        if let Some(tree) = &mut self.tree {
            tree.changed(state, node);
        }
    }
}

#[cfg(test)]
#[path = "opening_tests.rs"]
mod tests;
