//! Proven lower bounds from any duals: the Lagrangian bound and Farley's bound.
//!
//! Relaxing the cover rows of the pattern formulation with multipliers `pi >= 0` leaves, for
//! each node type `k`, `free[k]` nodes that each take the best packing at reduced cost
//! `1 - P_k(pi)`, where `P_k(pi)` is the greatest value `pi . counts` of a packing of one node
//! of type `k` (the pricing problem, [`super::knapsack`]). So every placement of all the tasks
//! left uses at least
//!
//! ```text
//! L(pi) = pi . left + sum_k free[k] * min(0, 1 - P_k(pi))          (Lagrangian)
//! F(pi) = pi . left / max(1, max_k P_k(pi))                        (Farley: L at pi / max P)
//! ```
//!
//! nodes, for ANY `pi >= 0`: the duals of an inexact LP solver are fine, as long as `P_k` is an
//! upper bound on the true maximum (the knapsack is solved exactly, or reports a bound). The
//! bound is the ceiling of the better of the two, after a small allowance for rounding.
//!
//! Complexity: O(item types + node types) once the pricing values are known.

/// Slack taken off a fractional bound before rounding it up, against floating-point error in
/// sums of duals: far above the error (about 1e-12 here), far below any real gap.
pub const ROUNDING: f64 = 1e-6;

/// The Lagrangian bound `L(pi)` for `left` tasks per item type, `free` nodes per node type and
/// `p_upper[k]` an upper bound on the best packing value of node type `k`.
pub fn lagrangian(pi: &[f64], left: &[u32], free: &[u32], p_upper: &[f64]) -> f64 {
    let covered: f64 = pi
        .iter()
        .zip(left)
        .map(|(p, &m)| p.max(0.0) * f64::from(m))
        .sum();
    let nodes: f64 = free
        .iter()
        .zip(p_upper)
        .map(|(&u, &p)| f64::from(u) * (1.0 - p).min(0.0))
        .sum();
    covered + nodes
}

/// Farley's bound `F(pi)`, over the node types with a free node.
pub fn farley(pi: &[f64], left: &[u32], free: &[u32], p_upper: &[f64]) -> f64 {
    let covered: f64 = pi
        .iter()
        .zip(left)
        .map(|(p, &m)| p.max(0.0) * f64::from(m))
        .sum();
    let most = free
        .iter()
        .zip(p_upper)
        .filter(|(u, _)| **u > 0)
        .map(|(_, &p)| p)
        .fold(1.0, f64::max);
    covered / most
}

/// The better of the two bounds (fractional).
pub fn best(pi: &[f64], left: &[u32], free: &[u32], p_upper: &[f64]) -> f64 {
    lagrangian(pi, left, free, p_upper).max(farley(pi, left, free, p_upper))
}

/// A fractional bound as a whole number of nodes: the ceiling after [`ROUNDING`].
pub fn proven(bound: f64) -> usize {
    let b = (bound - ROUNDING).ceil();
    if b.is_finite() && b > 0.0 {
        b as usize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_example() {
        // Nodes of 10 (one resource); 3 tasks of 6 and 3 of 4. A node holds {6,4}, {4,4} or
        // {6}: the optimum is 3 ({6,4} three times) and so is the LP bound. Duals pi = (0.6,
        // 0.4): the best packing, {6,4}, is worth 1.0, so L = 3*0.6 + 3*0.4 = 3.
        let (pi, left, free) = ([0.6, 0.4], [3, 3], [6]);
        assert!((lagrangian(&pi, &left, &free, &[1.0]) - 3.0).abs() < 1e-12);
        assert_eq!(proven(best(&pi, &left, &free, &[1.0])), 3);
        // Duals that overprice: pi = (1, 1): {6,4} is worth 2, so L = 6 + 6*(1-2) = 0 but
        // Farley scales pi by 1/2: F = 6/2 = 3.
        let pi = [1.0, 1.0];
        assert!((lagrangian(&pi, &left, &free, &[2.0]) - 0.0).abs() < 1e-12);
        assert!((farley(&pi, &left, &free, &[2.0]) - 3.0).abs() < 1e-12);
        assert_eq!(proven(best(&pi, &left, &free, &[2.0])), 3);
    }

    #[test]
    fn few_nodes_raise_the_lagrangian_bound() {
        // Only 2 nodes free: with pi = (1, 1) and best packing worth 2, L = 6 + 2*(1-2) = 4 > 3:
        // six tasks cannot go on two nodes; the bound exceeds the nodes there are.
        assert!((lagrangian(&[1.0, 1.0], &[3, 3], &[2], &[2.0]) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn rounding_forgives_float_error_only() {
        assert_eq!(proven(7.000_000_000_1), 7);
        assert_eq!(proven(7.01), 8);
        assert_eq!(proven(0.0), 0);
        assert_eq!(proven(f64::NAN), 0);
    }
}
