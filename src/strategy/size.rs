//! Task size measures and the decreasing order of the `*_decreasing` strategies.

use crate::error::Error;
use crate::model::Problem;
use ndarray::{Array1, ArrayView1, Axis};

/// How a task's demand vector becomes one size, for sorting: over the demand fractions
/// `x_r = demand_r / scale_r`, where `scale_r` is the largest capacity of resource `r` on any node
/// (resources no node has are left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Size {
    /// `sum_r x_r`: the total, the measure of FFDSum in Panigrahy et al. 2011. The default.
    #[default]
    Sum,
    /// `max_r x_r`: the largest fraction, the task's dominant resource (FFDMax).
    Max,
    /// `sqrt(sum_r x_r^2)`: the Euclidean length (FFDL2).
    L2,
}

impl Size {
    /// The measure's name: `sum`, `max` or `l2`.
    pub fn name(self) -> &'static str {
        match self {
            Size::Sum => "sum",
            Size::Max => "max",
            Size::L2 => "l2",
        }
    }

    /// The size of a demand row against per-resource scales.
    ///
    /// ```
    /// use ndarray::array;
    /// use packsched::strategy::Size;
    /// let (demand, scale) = (array![3.0, 8.0], array![4.0, 32.0]);
    /// assert_eq!(Size::Sum.of(demand.view(), scale.view()), 1.0);
    /// assert_eq!(Size::Max.of(demand.view(), scale.view()), 0.75);
    /// assert_eq!(Size::L2.of(demand.view(), scale.view()), 0.625f64.sqrt());
    /// ```
    ///
    /// Complexity: O(resources).
    pub fn of(self, demand: ArrayView1<'_, f64>, scale: ArrayView1<'_, f64>) -> f64 {
        let fractions = demand
            .iter()
            .zip(scale)
            .filter(|(_, s)| **s > 0.0)
            .map(|(d, s)| d / s);
        match self {
            Size::Sum => fractions.sum(),
            Size::Max => fractions.fold(0.0, f64::max),
            Size::L2 => fractions.map(|x| x * x).sum::<f64>().sqrt(),
        }
    }
}

impl std::str::FromStr for Size {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        [Size::Sum, Size::Max, Size::L2]
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::InvalidOption {
                option: "size",
                message: format!("{s:?} is not a size measure; known: sum, max, l2"),
            })
    }
}

/// The largest capacity of each resource over the nodes: the scale of [`Size::of`].
pub fn largest_capacity(problem: &Problem) -> Array1<f64> {
    problem
        .cluster()
        .capacity()
        .fold_axis(Axis(0), 0.0, |&a, &b| a.max(b))
}

/// The nodes, largest capacity first by the sum of capacity fractions (the node's [`Size::Sum`]
/// against [`largest_capacity`]), ties to the lower index: the order in which the offline
/// packing heuristics open nodes, since to use few nodes of mixed types the largest should fill
/// first (as in first fit decreasing for variable-sized bins, Friesen and Langston 1986).
///
/// Complexity: O(nodes x resources + nodes log nodes).
pub fn largest_first(problem: &Problem) -> Vec<usize> {
    let scale = largest_capacity(problem);
    let sizes: Vec<f64> = (0..problem.nodes())
        .map(|n| Size::Sum.of(problem.capacity(n), scale.view()))
        .collect();
    let mut order: Vec<usize> = (0..problem.nodes()).collect();
    order.sort_by(|&a, &b| sizes[b].total_cmp(&sizes[a]).then(a.cmp(&b)));
    order
}

/// Higher priority first, then larger [`Size`], then earlier arrival, then task index.
///
/// Complexity: O(tasks x resources + tasks log tasks).
pub fn decreasing_order(problem: &Problem, size: Size) -> Vec<usize> {
    let scale = largest_capacity(problem);
    let sizes: Vec<f64> = (0..problem.tasks())
        .map(|t| size.of(problem.demand(t), scale.view()))
        .collect();
    let w = problem.workload();
    let mut order: Vec<usize> = (0..problem.tasks()).collect();
    order.sort_by(|&a, &b| {
        w.priority(b)
            .cmp(&w.priority(a))
            .then(sizes[b].total_cmp(&sizes[a]))
            .then(w.arrival(a).total_cmp(&w.arrival(b)))
            .then(a.cmp(&b))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn sorts_by_priority_then_size_with_the_chosen_measure() {
        // Scales 10 and 20. Fractions: t0 (0.5, 0.05), t1 (0.3, 0.4), t2 (0.1, 0.1), t3 like t2.
        // Sum: t1 0.7 > t0 0.55 > t2 = t3 0.2. Max: t0 0.5 > t1 0.4 > t2 = t3.
        let p = problem(
            array![[10.0, 20.0], [5.0, 5.0]],
            array![[5.0, 1.0], [3.0, 8.0], [1.0, 2.0], [1.0, 2.0]],
        );
        assert_eq!(decreasing_order(&p, Size::Sum), vec![1, 0, 2, 3]);
        assert_eq!(decreasing_order(&p, Size::Max), vec![0, 1, 2, 3]);
        let w = p
            .workload()
            .clone()
            .with_priority(vec![0, 0, 0, 1])
            .unwrap();
        let p = Problem::new(p.cluster().clone(), w).unwrap();
        assert_eq!(decreasing_order(&p, Size::Sum), vec![3, 1, 0, 2]);
        assert_eq!(largest_first(&p), vec![0, 1]);
        assert!("l3".parse::<Size>().is_err());
        assert_eq!("l2".parse::<Size>().unwrap(), Size::L2);
    }
}
