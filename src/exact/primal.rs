//! Primal heuristics inside the exact method: greedy packing of what is left (first fit and
//! best fit, largest item type first) and rounding of a master LP solution.
//!
//! They only ever give full packings that pass [`Instance::is_packable`]; the search keeps the
//! best as its incumbent.

use super::instance::{Bin, Instance, Residual, share};

/// How a greedy packing picks the bin for the next task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// The first open bin it fits.
    First,
    /// The open bin it leaves the least room in (sum of normalised free capacity).
    Best,
}

/// Packs every task of `residual` into `open` bins and new ones (largest item type first),
/// opening a node of the largest free node type it may use when none fits. `None` if some task
/// finds no node. Complexity: O(tasks x bins x resources).
pub fn greedy(
    instance: &Instance,
    residual: &Residual,
    open: Vec<Bin>,
    fit: Fit,
) -> Option<Vec<Bin>> {
    let mut free = residual.nodes.clone();
    let mut bins = open;
    let mut loads: Vec<Vec<f64>> = bins.iter().map(|b| instance.load(&b.counts)).collect();
    let caps: Vec<Vec<f64>> = (0..instance.nodes.len())
        .map(|k| instance.strict_capacity(k))
        .collect();
    for (i, item) in instance.items.iter().enumerate() {
        for _ in 0..residual.items[i] {
            let fits = |b: usize| {
                item.allowed[bins[b].node_type]
                    && loads[b]
                        .iter()
                        .zip(&item.demand)
                        .zip(&caps[bins[b].node_type])
                        .all(|((l, d), c)| l + d <= *c)
            };
            let chosen = match fit {
                Fit::First => (0..bins.len()).find(|&b| fits(b)),
                Fit::Best => (0..bins.len()).filter(|&b| fits(b)).min_by(|&a, &b| {
                    room(&loads[a], &caps[bins[a].node_type])
                        .total_cmp(&room(&loads[b], &caps[bins[b].node_type]))
                }),
            };
            let b = match chosen {
                Some(b) => b,
                None => {
                    let k = largest_type(instance, &free, i)?;
                    free[k] -= 1;
                    bins.push(Bin {
                        node_type: k,
                        counts: vec![0; instance.items.len()],
                    });
                    loads.push(vec![0.0; instance.dims()]);
                    bins.len() - 1
                }
            };
            bins[b].counts[i] += 1;
            for (l, d) in loads[b].iter_mut().zip(&item.demand) {
                *l += d;
            }
        }
    }
    Some(bins)
}

/// The best of first fit and best fit.
pub fn best_greedy(instance: &Instance, residual: &Residual) -> Option<Vec<Bin>> {
    [Fit::First, Fit::Best]
        .into_iter()
        .filter_map(|fit| greedy(instance, residual, Vec::new(), fit))
        .min_by_key(Vec::len)
}

/// Rounds a master solution: columns with value near 1 or more are taken (as many times as
/// their value rounds down to, clipped to what is left), then the rest is packed greedily.
/// Complexity: O(columns log columns + greedy).
pub fn round(
    instance: &Instance,
    residual: &Residual,
    columns: &[Bin],
    lambda: &[f64],
) -> Option<Vec<Bin>> {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by(|&a, &b| lambda[b].total_cmp(&lambda[a]));
    let mut left = residual.clone();
    let mut taken = Vec::new();
    for p in order {
        let copies = (lambda[p] + 1e-6).floor() as u32;
        for _ in 0..copies {
            let bin = clip(&columns[p], &left.items);
            if bin.counts.iter().all(|&c| c == 0) || !instance.is_packable(&bin) {
                break;
            }
            match left.without(&bin) {
                Some(next) => {
                    left = next;
                    taken.push(bin);
                }
                None => break,
            }
        }
    }
    [Fit::First, Fit::Best]
        .into_iter()
        .filter_map(|fit| greedy(instance, &left, Vec::new(), fit))
        .min_by_key(Vec::len)
        .map(|rest| taken.into_iter().chain(rest).collect())
}

/// A bin with no more of an item type than `left` has.
pub fn clip(bin: &Bin, left: &[u32]) -> Bin {
    Bin {
        node_type: bin.node_type,
        counts: bin
            .counts
            .iter()
            .zip(left)
            .map(|(&c, &m)| c.min(m))
            .collect(),
    }
}

/// Normalised room left: sum over resources of (capacity - load) / capacity.
fn room(load: &[f64], cap: &[f64]) -> f64 {
    load.iter()
        .zip(cap)
        .filter(|(_, c)| **c > 0.0)
        .map(|(l, c)| (c - l) / c)
        .sum()
}

/// The free node type item `item` may use whose capacity is largest relative to the item
/// (smallest share), ties to the lowest index.
fn largest_type(instance: &Instance, free: &[u32], item: usize) -> Option<usize> {
    let demand = &instance.items[item].demand;
    (0..instance.nodes.len())
        .filter(|&k| free[k] > 0 && instance.items[item].allowed[k])
        .min_by(|&a, &b| {
            share(demand, &instance.nodes[a].capacity)
                .total_cmp(&share(demand, &instance.nodes[b].capacity))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategy::testing::problem;
    use ndarray::array;

    #[test]
    fn greedy_packs_everything_within_capacity() {
        let p = problem(
            array![[10.0, 10.0], [10.0, 10.0], [10.0, 10.0], [10.0, 10.0]],
            array![[6.0, 1.0], [4.0, 1.0], [6.0, 1.0], [4.0, 1.0], [3.0, 3.0]],
        );
        let inst = Instance::new(&p);
        let bins = best_greedy(&inst, &inst.full()).unwrap();
        assert_eq!(bins.len(), 3);
        assert!(bins.iter().all(|b| inst.is_packable(b)));
        let placed: u32 = bins.iter().flat_map(|b| b.counts.iter()).sum();
        assert_eq!(placed, 5);
    }

    #[test]
    fn greedy_fails_when_nodes_run_out() {
        let p = problem(array![[10.0, 10.0]], array![[6.0, 1.0], [6.0, 1.0]]);
        let inst = Instance::new(&p);
        assert!(best_greedy(&inst, &inst.full()).is_none());
    }
}
