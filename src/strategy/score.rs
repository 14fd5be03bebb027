//! Shared by the packing scores: per-resource weights, utilization fractions and the generic
//! select step over a pure score of (demand, free, capacity) rows, indexed by a node tree with
//! the score's bound.

use super::sample::Sampled;
use super::{Options, Selector, select_best_in, select_best_par};
use crate::error::{Error, Result};
use crate::index::{Linear, LinearBound, NodeTree, Order, Spec, Summary, Walk, few_allowed};
use crate::model::Problem;
use crate::state::State;
use ndarray::ArrayView1;

/// A pure node score over one task's demand row, one node's free and capacity rows, and the
/// per-resource weights (one per resource). Higher is better.
pub type ScoreFn = fn(ArrayView1<'_, f64>, ArrayView1<'_, f64>, ArrayView1<'_, f64>, &[f64]) -> f64;

/// Per-resource weights of a score, as kube-scheduler's `NodeResourcesFitArgs.ScoringStrategy.
/// Resources` gives them: all 1 unless set.
///
/// ```
/// use packsched::strategy::Weights;
/// assert!(Weights::new(vec![1.0, 2.0]).is_ok());
/// assert!(Weights::new(vec![1.0, -1.0]).is_err());
/// assert!(Weights::new(vec![0.0, 0.0]).is_err());
/// assert_eq!(Weights::default().resolve(3).unwrap(), vec![1.0; 3]);
/// assert!(Weights::new(vec![1.0, 2.0]).unwrap().resolve(3).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Weights(Option<Vec<f64>>);

impl Weights {
    /// Explicit weights, one per resource in the problem's resource order.
    ///
    /// Errors ([`Error::InvalidOption`]): a negative, NaN or infinite weight, or no positive one.
    pub fn new(values: Vec<f64>) -> Result<Self> {
        if let Some((r, w)) = values
            .iter()
            .enumerate()
            .find(|(_, w)| !w.is_finite() || **w < 0.0)
        {
            return Err(invalid(format!(
                "weight {r} is {w}; weights must be finite and not negative"
            )));
        }
        if !values.iter().any(|&w| w > 0.0) {
            return Err(invalid("at least one weight must be positive".into()));
        }
        Ok(Self(Some(values)))
    }

    /// The weights for a problem with `resources` resources: all 1 by default.
    ///
    /// Errors ([`Error::InvalidOption`]): explicit weights of another length.
    pub fn resolve(&self, resources: usize) -> Result<Vec<f64>> {
        match &self.0 {
            None => Ok(vec![1.0; resources]),
            Some(w) if w.len() == resources => Ok(w.clone()),
            Some(w) => Err(invalid(format!(
                "{} weights for {resources} resources (one per resource)",
                w.len()
            ))),
        }
    }

    /// [`Weights::resolve`] for a problem's resources.
    pub fn check(&self, problem: &Problem) -> Result<()> {
        self.resolve(problem.resources().len()).map(|_| ())
    }
}

fn invalid(message: String) -> Error {
    Error::InvalidOption {
        option: "weights",
        message,
    }
}

/// Per resource with capacity: (resource, utilization after placing `demand`, capped at 1).
/// Resources the node has none of are left out.
///
/// Complexity: O(resources).
pub fn used_after<'a>(
    demand: ArrayView1<'a, f64>,
    free: ArrayView1<'a, f64>,
    capacity: ArrayView1<'a, f64>,
) -> impl Iterator<Item = (usize, f64)> + Clone + 'a {
    demand
        .into_iter()
        .zip(free)
        .zip(capacity)
        .enumerate()
        .filter(|(_, (_, c))| **c > 0.0)
        .map(|(r, ((d, f), c))| (r, utilization(f / c, d / c)))
}

/// The utilization of a resource after placement from the free fraction `free / capacity`
/// before it and the demand's share `demand / capacity`: `1 - free_fraction + share`, capped to
/// 0..=1. Written in these two quantities so that it is monotone in each (decreasing in the free
/// fraction, increasing in the share), which the node tree's bounds rely on.
pub(crate) fn utilization(free_fraction: f64, share: f64) -> f64 {
    (1.0 - free_fraction + share).clamp(0.0, 1.0)
}

/// The weighted mean of `values` (resource, value) with `weights`, 0 when no weight applies.
pub fn weighted_mean(values: impl Iterator<Item = (usize, f64)>, weights: &[f64]) -> f64 {
    let (sum, total) = values.fold((0.0, 0.0), |(s, t), (r, v)| {
        (s + weights[r] * v, t + weights[r])
    });
    if total > 0.0 { sum / total } else { 0.0 }
}

/// An upper bound of a [`ScoreFn`] over the nodes of a subtree of the node tree: from the
/// demand row, the subtree's [`Summary`] and the weights. Valid for the floating-point score,
/// not only the exact one: either the score is evaluated at the corner of the ranges that
/// maximises it (its operations being monotone), or the bound is [`pad`]ded.
///
/// The last argument is the best score found so far: once a bound knows that every score of
/// the subtree is below it, it may stop short and return any value below it (the subtree is
/// passed over all the same).
pub(crate) type BoundFn = fn(&[f64], &Summary<'_>, &[f64], f64) -> f64;

/// A real-number bound made safe against rounding in the floating-point score it bounds.
pub(crate) fn pad(bound: f64) -> f64 {
    bound + bound.abs() * 1e-12 + 1e-300
}

/// The bound of a weighted mean of per-resource values over a subtree, two ways, the smaller
/// taken. First, each resource's value bounded given its extreme demand share `q_r =
/// share(r)`: when every node of the subtree has the same resources, the same weighted mean of
/// the `value(r, q_r)` (its operations monotone, so valid in floating point), else the largest
/// of them (a mean is at most its largest value), padded. Second, when every node has the same
/// resources, no demand is negative and no free fraction is outside 0..=1 (utilization then
/// follows free fractions linearly), `linear(W, sum_r w_r q_r)` with `W` the total weight,
/// padded: a bound through the subtree's weighted sum of free fractions.
pub(crate) fn mean_bounds(
    (demand, s, weights): (&[f64], &Summary<'_>, &[f64]),
    share: impl Fn(usize) -> f64,
    value: impl Fn(usize, f64) -> f64,
    linear: impl Fn(f64, f64) -> f64,
) -> f64 {
    // One pass over the resources. With the same resources on every node, the mean is summed
    // in the order of [`weighted_mean`], so that it bounds the score without padding.
    let uniform = s.all == s.any;
    let (mut sum, mut total, mut largest, mut shares) = (0.0, 0.0, 0.0f64, 0.0);
    let mut linear_applies = uniform;
    for r in (0..weights.len()).filter(|&r| s.some(r)) {
        let q = share(r);
        let v = value(r, q);
        if uniform {
            sum += weights[r] * v;
            total += weights[r];
            shares += weights[r] * q;
            linear_applies &= demand[r] >= 0.0 && s.phi_hi[r] <= 1.0 && s.phi_lo[r] >= 0.0;
        } else {
            largest = largest.max(v);
        }
    }
    let boxed = match (uniform, total > 0.0) {
        (true, true) => sum / total,
        (true, false) => 0.0,
        (false, _) => pad(largest),
    };
    if linear_applies && total > 0.0 {
        boxed.min(pad(linear(total, shares)))
    } else {
        boxed
    }
}

/// The select step with a pure score: among the nodes `task` fits, the highest score, ties to
/// the lowest index. The node tree's branch and bound with the score's bound finds it without
/// scoring every node; a task restricted to a few nodes scores those; with more than 64
/// resources (no tree) every node is scored, in parallel on large clusters.
pub(crate) struct Scored {
    score: ScoreFn,
    bound: BoundFn,
    weights: Vec<f64>,
    tree: Option<NodeTree>,
    /// For scores linear in the free fractions on each machine type: nodes by type and weighted
    /// free fraction, asked before the tree.
    linear: Option<Linear>,
}

impl Selector for Scored {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let Self {
            score,
            bound,
            weights,
            tree,
            linear,
        } = self;
        let demand = state.demand(task);
        let score_of = |n: usize| score(demand, state.free(n), state.capacity(n), weights);
        if let Some(nodes) = few_allowed(state, task) {
            return select_best_in(state, task, nodes, score_of);
        }
        if let Some(found) = linear.as_mut().and_then(|l| l.best(state, task, score_of)) {
            return found;
        }
        match tree {
            Some(tree) => {
                tree.load(state, task);
                tree.best(
                    state,
                    task,
                    |d, s, floor| bound(d, s, weights, floor),
                    score_of,
                )
            }
            None => select_best_par(state, task, score_of),
        }
    }

    fn placed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.changed(state, node);
    }

    fn removed(&mut self, state: &State<'_>, _task: usize, node: usize) {
        self.changed(state, node);
    }

    fn node_changed(&mut self, state: &State<'_>, node: usize) {
        self.changed(state, node);
    }
}

impl Scored {
    fn changed(&mut self, state: &State<'_>, node: usize) {
        if let Some(tree) = &mut self.tree {
            tree.changed(state, node);
        }
        if let Some(linear) = &mut self.linear {
            linear.changed(state, node);
        }
    }
}

/// The selector of a score with weights and its bound, or `None` if the weights do not fit the
/// problem (which [`Weights::check`] reports as an error). With
/// [`Options::percentage_of_nodes_to_score`] set, the sampled selector instead.
pub(crate) fn scored(
    problem: &Problem,
    options: &Options,
    weights: &Weights,
    score: ScoreFn,
    bound: BoundFn,
) -> Option<Box<dyn Selector>> {
    scored_by(problem, options, weights, (score, bound), false)
}

/// [`scored`], for a score that is linear in the weighted free fraction on each machine type:
/// also the [`Linear`] index, walking from the end where the score is best, with its bound.
pub(crate) fn scored_linear(
    problem: &Problem,
    options: &Options,
    weights: &Weights,
    rule: (ScoreFn, BoundFn),
    linear: (LinearBound, Walk),
) -> Option<Box<dyn Selector>> {
    build(problem, options, weights, rule, (false, Some(linear)))
}

/// [`scored`], with the tree also keeping the pairwise differences of free fractions (`pairs`,
/// for `balanced`).
pub(crate) fn scored_by(
    problem: &Problem,
    options: &Options,
    weights: &Weights,
    rule: (ScoreFn, BoundFn),
    pairs: bool,
) -> Option<Box<dyn Selector>> {
    build(problem, options, weights, rule, (pairs, None))
}

/// [`scored_by`] with pairs, for a score that falls with the distance of the difference of
/// the first two free fractions from the task's (see [`Walk::Around`]): also the [`Linear`]
/// index walking around it, with its bound.
pub(crate) fn scored_around(
    problem: &Problem,
    options: &Options,
    rule: (ScoreFn, BoundFn),
    bound: LinearBound,
) -> Option<Box<dyn Selector>> {
    let linear = Some((bound, Walk::Around));
    build(problem, options, &Weights::default(), rule, (true, linear))
}

/// The scored selector (or the sampled one), its tree with `pairs`, and the linear index if
/// asked for.
fn build(
    problem: &Problem,
    options: &Options,
    weights: &Weights,
    (score, bound): (ScoreFn, BoundFn),
    (pairs, linear): (bool, Option<(LinearBound, Walk)>),
) -> Option<Box<dyn Selector>> {
    let weights = weights.resolve(problem.resources().len()).ok()?;
    if let Some(percent) = options.percentage_of_nodes_to_score {
        return Some(Box::new(Sampled::new(score, weights, percent)));
    }
    let mut spec = Spec::new(Order::Shape).with_boxes(&weights);
    if pairs {
        spec = spec.with_pairs();
    }
    Some(Box::new(Scored {
        score,
        bound,
        tree: NodeTree::new(spec, weights.len()),
        linear: linear.map(|walk| Linear::new(&weights, walk)),
        weights,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn utilization_after_skips_resources_the_node_lacks() {
        let (d, f, c) = (
            array![2.0, 1.0, 1.0],
            array![6.0, 4.0, 0.0],
            array![8.0, 4.0, 0.0],
        );
        let got: Vec<(usize, f64)> = used_after(d.view(), f.view(), c.view()).collect();
        assert_eq!(got, vec![(0, 0.5), (1, 0.25)]);
        assert_eq!(weighted_mean(got.into_iter(), &[1.0, 3.0, 5.0]), 0.3125);
    }
}
