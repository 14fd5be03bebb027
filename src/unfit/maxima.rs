//! The most free capacity per resource over the alive nodes, kept in step with placements.

use super::KEPT;
use crate::state::State;
use ndarray::Array1;

/// Per resource, the [`KEPT`] nodes with the most free capacity after a scan and the free
/// capacity of the next one. A placement only takes capacity, so every node not kept stays at
/// or below `next`, and the most free of the kept nodes, while at least `next`, is the most free
/// of all: the scan is needed again only when the kept nodes have been filled below it.
#[derive(Debug, Clone)]
pub(super) struct Maxima {
    /// Per resource, (free, node) of the nodes kept, in no order.
    kept: Vec<Vec<(f64, usize)>>,
    /// Per resource, the most free capacity of a node not kept (-infinity: none).
    next: Vec<f64>,
    /// The most free per resource, as of the last [`Maxima::settle`].
    most: Array1<f64>,
    /// Whether a kept node moved since then.
    changed: bool,
}

impl Maxima {
    /// One pass over the alive nodes; `None` if no node is alive.
    pub(super) fn scan(state: &State<'_>) -> Option<Self> {
        if !state.alive().contains(&true) {
            return None;
        }
        let r = state.resources();
        let mut kept: Vec<Vec<(f64, usize)>> = vec![Vec::with_capacity(KEPT + 1); r];
        // Per resource, the least free capacity among KEPT + 1 kept (-infinity before): a node
        // at or below it is passed over.
        let mut floor = vec![f64::NEG_INFINITY; r];
        let (free, alive) = (state.free_values(), state.alive());
        for (n, _) in alive.iter().enumerate().filter(|&(_, &up)| up) {
            let row = &free[n * r..][..r];
            for j in 0..r {
                // Below `floor` only once KEPT + 1 are kept.
                if row[j] > floor[j] {
                    let at = kept[j].partition_point(|k| k.0 >= row[j]);
                    kept[j].insert(at, (row[j], n));
                    kept[j].truncate(KEPT + 1);
                    if kept[j].len() == KEPT + 1 {
                        floor[j] = kept[j][KEPT].0;
                    }
                }
            }
        }
        let next = kept
            .iter_mut()
            .map(|k| match k.len() > KEPT {
                true => k.pop().map_or(f64::NEG_INFINITY, |(f, _)| f),
                false => f64::NEG_INFINITY,
            })
            .collect();
        let mut maxima = Self {
            kept,
            next,
            most: Array1::zeros(r),
            changed: true,
        };
        maxima.settle();
        Some(maxima)
    }

    /// The nodes kept, once per resource that keeps them.
    pub(super) fn nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.kept.iter().flatten().map(|&(_, n)| n)
    }

    /// Told that `node` lost capacity: its free capacity again where it is kept.
    pub(super) fn moved(&mut self, node: usize, free: &[f64]) {
        for (kept, &f) in self.kept.iter_mut().zip(free) {
            for k in kept.iter_mut().filter(|k| k.1 == node) {
                (k.0, self.changed) = (f, true);
            }
        }
    }

    /// Finds the most free per resource from the nodes kept; `false` if some resource's kept
    /// nodes all fell below `next` (then the scan must be made again).
    pub(super) fn settle(&mut self) -> bool {
        if !self.changed {
            return true;
        }
        for ((kept, &next), most) in self.kept.iter().zip(&self.next).zip(&mut self.most) {
            let top = kept.iter().map(|k| k.0).fold(f64::NEG_INFINITY, f64::max);
            if top < next {
                return false;
            }
            *most = top;
        }
        self.changed = false;
        true
    }

    /// The most free per resource over the alive nodes, as of the last [`Maxima::settle`] that
    /// returned `true`.
    pub(super) fn most(&self) -> &Array1<f64> {
        &self.most
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most free per resource over the alive nodes, by a pass over all of them.
    fn most_free(state: &State<'_>) -> Vec<f64> {
        (0..state.resources())
            .map(|j| {
                (0..state.nodes())
                    .filter(|&n| state.is_alive(n))
                    .map(|n| state.free_row(n)[j])
                    .fold(f64::NEG_INFINITY, f64::max)
            })
            .collect()
    }

    #[test]
    fn the_kept_nodes_give_the_maxima_until_they_fall_below_the_next() {
        let p = crate::generate::fleet(200, 1_000, 3).unwrap();
        let mut state = State::new(&p);
        let mut maxima = Maxima::scan(&state).unwrap();
        let (mut settled, mut scans) = (0, 0);
        for task in 0..p.tasks() {
            // The most free memory first: the kept nodes are filled while the others stay as
            // they were, so that the most free falls to `next` exactly.
            let fitting = (0..p.nodes()).filter(|&n| state.fits(task, n));
            let Some(node) = fitting.max_by(|&a, &b| {
                (state.free_row(a)[1].total_cmp(&state.free_row(b)[1])).then(b.cmp(&a))
            }) else {
                continue;
            };
            state.place(task, node).unwrap();
            maxima.moved(node, state.free_row(node));
            if maxima.settle() {
                settled += 1;
            } else {
                maxima = Maxima::scan(&state).unwrap();
                scans += 1;
            }
            assert_eq!(maxima.most().to_vec(), most_free(&state), "task {task}");
        }
        assert!(settled > 500 && scans > 0, "{settled} {scans}");
        state.fail_node(0);
        assert!(Maxima::scan(&state).is_some());
        (1..p.nodes()).for_each(|n| drop(state.fail_node(n)));
        assert!(Maxima::scan(&state).is_none());
    }
}
