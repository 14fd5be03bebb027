//! The leaf orders of the node tree, and the candidates of restricted tasks.

use super::spec::{Order, Scalar, Spec};
use crate::state::{State, TOLERANCE};

/// How free a node is, from its least free fraction `phi`: 0 for a failed node or none free,
/// then the binary order of magnitude of `phi` below 1/16 (1 below 2^-16, ..., 12 for
/// [2^-5, 2^-4)), then steps of 1/32 (13 for [1/16, 3/32), ..., 43 for all free). Nodes full to
/// 1% and to 5% fall in different bands, so that nodes too full for most tasks sit together,
/// and nodes with room are ordered finely by how much.
fn fullness_band(state: &State<'_>, node: usize) -> u8 {
    if !state.admits(node) {
        return 0;
    }
    let (free, cap) = (state.free_row(node), state.capacity_row(node));
    let j = scarcest(free, cap);
    let phi = if cap[j] > 0.0 { free[j] / cap[j] } else { 1.0 };
    if phi <= 0.0 {
        0
    } else if phi < 1.0 / 16.0 {
        (phi.log2().floor() + 17.0).clamp(1.0, 12.0) as u8
    } else {
        (13.0 + (phi - 1.0 / 16.0) * 32.0).floor().min(43.0) as u8
    }
}

/// How unbalanced a node is: its free fraction of the first resource less that of the second,
/// in 255 steps from -1 to 1 (32 if it lacks one of them or there is one resource).
fn imbalance_band(state: &State<'_>, node: usize) -> u8 {
    let (free, cap) = (state.free_row(node), state.capacity_row(node));
    if cap.len() < 2 || cap[0] <= 0.0 || cap[1] <= 0.0 {
        return 32;
    }
    let d = free[0] / cap[0] - free[1] / cap[1];
    ((d + 1.0) * 127.0).round().clamp(0.0, 254.0) as u8
}

/// The resource with the least free fraction among those the node has (0 if none).
pub(super) fn scarcest(free: &[f64], capacity: &[f64]) -> usize {
    let mut best = (0, f64::INFINITY);
    for (j, (&f, &c)) in free.iter().zip(capacity).enumerate() {
        if c > 0.0 && f / c < best.1 {
            best = (j, f / c);
        }
    }
    best.0
}

/// Folds a node's fit keys (`free + TOLERANCE x capacity` per resource) into the run of `keys`
/// of its group: its scarcest resource (least free fraction, compared without dividing; capacity
/// 0 left out) modulo the number of runs. For `R` resources, without a loop of unknown length.
#[inline]
pub(super) fn fold_keys<const R: usize>(keys: &mut [f64], free: &[f64], cap: &[f64]) {
    let (f, c): (&[f64; R], &[f64; R]) = (
        free.try_into().expect("R resources"),
        cap.try_into().expect("R resources"),
    );
    let mut scarcest = None::<usize>;
    for j in 0..R {
        if c[j] > 0.0 && scarcest.is_none_or(|b| f[j] * c[b] < f[b] * c[j]) {
            scarcest = Some(j);
        }
    }
    let corner = scarcest.unwrap_or(0) % (keys.len() / R) * R;
    let run: &mut [f64; R] = (&mut keys[corner..corner + R]).try_into().expect("R keys");
    for j in 0..R {
        run[j] = run[j].max(f[j] + TOLERANCE * c[j]);
    }
}

/// Per node, the rank of its capacity row among the distinct capacity rows in lexicographic
/// order.
pub(super) fn shape_ranks(state: &State<'_>) -> Vec<u32> {
    let nodes = state.nodes();
    let cmp = |a: usize, b: usize| {
        let (ca, cb) = (state.capacity_row(a), state.capacity_row(b));
        ca.iter()
            .zip(cb)
            .map(|(x, y)| x.total_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    let mut by_shape: Vec<usize> = (0..nodes).collect();
    by_shape.sort_by(|&a, &b| cmp(a, b));
    let mut ranks = vec![0; nodes];
    for i in 1..nodes {
        let (prev, this) = (by_shape[i - 1], by_shape[i]);
        ranks[this] = ranks[prev] + u32::from(cmp(prev, this).is_ne());
    }
    ranks
}

/// The leaf order of a spec over the state's nodes.
pub(super) fn leaf_order(spec: &Spec, state: &State<'_>, shapes: &[u32]) -> Vec<u32> {
    let nodes = state.nodes();
    let mut out: Vec<u32> = match &spec.order {
        Order::Index => (0..nodes as u32).collect(),
        Order::Given(given) => given
            .iter()
            .map(|&n| n as u32)
            .chain((given.len() as u32)..nodes as u32)
            .collect(),
        Order::Shape => {
            // (shape, bands, node) packed in one key: 32 bits of node, 16 of bands, 16 of shape
            // (shapes past 65,535 share the last rank: the order only makes searches faster).
            let mut keys: Vec<u64> = (0..nodes)
                .map(|n| {
                    let (full, tilt) = (fullness_band(state, n), imbalance_band(state, n));
                    let band = if spec.pairs {
                        u64::from(tilt) << 8 | u64::from(full)
                    } else {
                        u64::from(full) << 8 | u64::from(tilt)
                    };
                    u64::from(shapes[n].min(0xFFFF)) << 48 | band << 32 | n as u64
                })
                .collect();
            keys.sort_unstable();
            keys.into_iter().map(|k| k as u32).collect()
        }
        Order::Count => {
            let mut keys: Vec<(std::cmp::Reverse<u32>, u32)> = (0..nodes)
                .map(|n| (std::cmp::Reverse(state.task_count(n)), n as u32))
                .collect();
            keys.sort_unstable();
            keys.into_iter().map(|k| k.1).collect()
        }
        Order::Load => {
            let mut keys: Vec<(u8, u64, u32)> = (0..nodes)
                .map(|n| {
                    let scalar = match spec.scalar {
                        // Non-negative work: its bits order as the numbers do.
                        Scalar::Work => state.work(n).max(0.0).to_bits(),
                        Scalar::None => 0,
                    };
                    (fullness_band(state, n), scalar, n as u32)
                })
                .collect();
            keys.sort_unstable();
            keys.into_iter().map(|k| k.2).collect()
        }
    };
    out.truncate(nodes);
    out
}

/// The nodes a restricted task may run on (its allowed nodes, then any node that joined since),
/// in increasing order, when they are few enough (at most one node in 8) that checking each
/// beats searching the tree; `None` for an unrestricted task or a long list.
pub(crate) fn few_allowed<'a>(
    state: &State<'a>,
    task: usize,
) -> Option<impl Iterator<Item = usize> + 'a> {
    let problem = state.problem();
    let list = problem.allowed_nodes(task)?;
    let (known, now) = (problem.nodes(), state.nodes());
    (list.len() * 8 <= now).then(|| list.iter().copied().chain(known..now))
}
