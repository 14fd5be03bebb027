//! The nodes closest to fitting a demand row, kept in step with placements.

use crate::state::{State, worst_gap};

/// A demand row's closest nodes: the least (gap, node) keys of a scan over the alive nodes (as
/// many as asked), each with its resource short, and the key of the next one. A placement only
/// takes capacity, so a node's gap only grows: every node not kept stays at or above `next`, and
/// the least kept key, while below `next`, is the least of all.
#[derive(Debug, Clone)]
pub(super) struct Closest {
    pub(super) demand: Vec<f64>,
    /// (gap, node, resource short), least key first after the scan (a placement changes a
    /// gap in place).
    pub(super) kept: Vec<(f64, usize, usize)>,
    next: (f64, usize),
}

impl Closest {
    /// Scans the alive nodes, keeping the `keep` closest (at least 1). The fewer kept, the
    /// sooner the scan passes over farther nodes by one resource.
    pub(super) fn scan(state: &State<'_>, demand: &[f64], keep: usize) -> Self {
        let keep = keep.max(1);
        let mut kept: Vec<(f64, usize, usize)> = Vec::with_capacity(keep + 1);
        let r = demand.len();
        let (all_free, all_cap, alive) =
            (state.free_values(), state.capacity_values(), state.alive());
        // The key of the last node kept, once `keep` + 1 are: a node whose gap is clearly above
        // it is passed over without the divisions of its exact gap.
        let mut threshold = f64::INFINITY;
        // The resource that showed the last node passed over: asked first of the next.
        let mut telling = 0;
        let nodes = alive.len();
        let (all_free, all_cap) = (&all_free[..nodes * r], &all_cap[..nodes * r]);
        let mut n = 0;
        while n < nodes {
            // The nodes that resource alone shows to be farther, passed in a short loop.
            let (j, d) = (telling, demand[telling]);
            let rows = (all_free[n * r..].chunks_exact(r))
                .zip(all_cap[n * r..].chunks_exact(r))
                .zip(&alive[n..]);
            n += rows
                .take_while(|&((f, c), &up)| !up || above(d, f[j], c[j], threshold))
                .count();
            if n == nodes {
                break;
            }
            let (node, free, cap) = (n, &all_free[n * r..][..r], &all_cap[n * r..][..r]);
            n += 1;
            // `telling` does not show this node farther: the others might.
            if let Some(j) = clearly_above(demand, free, cap, threshold, telling) {
                telling = j;
                continue;
            }
            let (resource, gap) = worst_gap(demand, free, cap);
            if kept.len() == keep + 1 && !before((gap, node), key(kept[keep])) {
                continue;
            }
            let at = kept.partition_point(|&k| before(key(k), (gap, node)));
            kept.insert(at, (gap, node, resource));
            kept.truncate(keep + 1);
            if kept.len() == keep + 1 {
                threshold = kept[keep].0;
            }
        }
        let next = if kept.len() > keep {
            let (gap, n, _) = kept.pop().expect("more than kept");
            (gap, n)
        } else {
            (f64::INFINITY, usize::MAX)
        };
        Self {
            demand: demand.to_vec(),
            kept,
            next,
        }
    }

    /// The closest node (node, resource short, gap), if still known.
    pub(super) fn least(&self) -> Option<(usize, usize, f64)> {
        let (gap, node, resource) = self
            .kept
            .iter()
            .copied()
            .reduce(|a, b| if before(key(b), key(a)) { b } else { a })?;
        before((gap, node), self.next).then_some((node, resource, gap))
    }

    /// Told that `node` lost capacity: its gap again, if kept.
    pub(super) fn moved(&mut self, node: usize, free: &[f64], capacity: &[f64]) {
        if let Some(k) = self.kept.iter_mut().find(|k| k.1 == node) {
            let (resource, gap) = worst_gap(&self.demand, free, capacity);
            *k = (gap, node, resource);
        }
    }
}

/// A resource other than `known` (already asked) whose gap `(demand - free) / capacity` (as
/// [`worst_gap`] computes it) is above `threshold` by more than rounding can account for, tested
/// without a division: then the node's worst gap is above `threshold` too. `None` for an
/// infinite threshold, and when in doubt.
fn clearly_above(
    demand: &[f64],
    free: &[f64],
    capacity: &[f64],
    threshold: f64,
    known: usize,
) -> Option<usize> {
    if !threshold.is_finite() {
        return None;
    }
    let r = demand.len();
    let (free, capacity) = (&free[..r], &capacity[..r]);
    (0..r)
        .filter(|&j| j != known)
        .find(|&j| above(demand[j], free[j], capacity[j], threshold))
}

/// [`clearly_above`] for one resource (`false` for an infinite threshold too).
#[inline(always)]
fn above(demand: f64, free: f64, capacity: f64, threshold: f64) -> bool {
    let (short, limit) = (demand - free, threshold * capacity.max(f64::MIN_POSITIVE));
    short - limit > 1e-9 * (short.abs() + limit.abs())
}

/// Whether key `a` (gap, node) comes before `b`: a smaller gap, or the same and a lower node.
fn before(a: (f64, usize), b: (f64, usize)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// The (gap, node) key of a kept node.
fn key(k: (f64, usize, usize)) -> (f64, usize) {
    (k.0, k.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_scan_keeps_the_least_gaps_of_all_nodes() {
        let p = crate::generate::fleet(300, 3_000, 5).unwrap();
        let mut state = State::new(&p);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for task in 0..p.tasks() {
            let node = rng.random_range(0..p.nodes());
            if state.fits(task, node) {
                state.place(task, node).unwrap();
            }
            if task % 100 == 0 {
                state.fail_node(rng.random_range(0..p.nodes()));
            }
            if task % 10 != 0 {
                continue;
            }
            let demand: Vec<f64> = state.demand_row(task).iter().map(|d| d * 3.0).collect();
            let keep = [1, 2, 32][task / 10 % 3];
            let found = Closest::scan(&state, &demand, keep);
            let mut all: Vec<(f64, usize, usize)> = (0..p.nodes())
                .filter(|&n| state.is_alive(n))
                .map(|n| {
                    let (resource, gap) =
                        worst_gap(&demand, state.free_row(n), state.capacity_row(n));
                    (gap, n, resource)
                })
                .collect();
            all.sort_by(|&a, &b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            assert_eq!(found.kept, all[..keep], "task {task}");
            assert_eq!(found.next, key(all[keep]), "task {task}");
        }
    }
}
