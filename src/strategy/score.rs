//! Shared by the packing scores: per-resource weights, utilization fractions and the generic
//! select step over a pure score of (demand, free, capacity) rows.

use super::{Selector, select_best};
use crate::error::{Error, Result};
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
) -> impl Iterator<Item = (usize, f64)> + 'a {
    demand
        .into_iter()
        .zip(free)
        .zip(capacity)
        .enumerate()
        .filter(|(_, (_, c))| **c > 0.0)
        .map(|(r, ((d, f), c))| (r, ((c - f + d) / c).clamp(0.0, 1.0)))
}

/// The weighted mean of `values` (resource, value) with `weights`, 0 when no weight applies.
pub fn weighted_mean(values: impl Iterator<Item = (usize, f64)>, weights: &[f64]) -> f64 {
    let (sum, total) = values.fold((0.0, 0.0), |(s, t), (r, v)| {
        (s + weights[r] * v, t + weights[r])
    });
    if total > 0.0 { sum / total } else { 0.0 }
}

/// The select step with a pure score: among the nodes `task` fits, the highest score, ties to
/// the lowest index.
pub(crate) struct Scored {
    score: ScoreFn,
    weights: Vec<f64>,
}

impl Selector for Scored {
    fn select(&mut self, state: &State<'_>, task: usize) -> Option<usize> {
        let demand = state.demand(task);
        select_best(state, task, |n| {
            (self.score)(demand, state.free(n), state.capacity(n), &self.weights)
        })
    }
}

/// The selector of a score with weights, or `None` if the weights do not fit the problem (which
/// [`Weights::check`] reports as an error).
pub(crate) fn scored(
    problem: &Problem,
    weights: &Weights,
    score: ScoreFn,
) -> Option<Box<dyn Selector>> {
    let weights = weights.resolve(problem.resources().len()).ok()?;
    Some(Box::new(Scored { score, weights }))
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
