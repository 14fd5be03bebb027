//! Unit tests of [`keyed`](super).

use super::*;

/// The nodes a walk reaches for `demand` (one resource), fitting or not, all of them.
fn visited(k: &Keyed, root: u32, demand: f64) -> Vec<u32> {
    let mut out = Vec::new();
    let last = k.walk(root, &[demand], &mut |_, n, _| {
        out.push(n);
        Some(true)
    });
    assert_eq!(last, Some(true));
    out
}

#[test]
fn keys_order_as_the_values() {
    let values = [-2.5, -1e-300, -0.0, 0.0, 1e-300, 0.75, 2.0];
    for w in values.windows(2) {
        assert!(ordered_bits(w[0]) < ordered_bits(w[1]), "{w:?}");
    }
    for v in values {
        assert_eq!(from_ordered_bits(ordered_bits(v)).to_bits(), v.to_bits());
    }
}

#[test]
fn fit_keys_round_up() {
    for x in [0.1, 1.0 / 3.0, 2.5, -0.1, 1e-300, -1e-300, 123_456_789.123] {
        let f = up(x);
        // At least x, and the f32 below it (one step toward minus infinity) is not.
        let below = match f {
            0.0 => -f32::from_bits(1),
            f if f > 0.0 => f32::from_bits(f.to_bits() - 1),
            f => f32::from_bits(f.to_bits() + 1),
        };
        assert!(f64::from(f) >= x && f64::from(below) < x, "{x}");
    }
    assert_eq!(up(f64::MAX), f32::INFINITY);
}

#[test]
fn demands_round_down() {
    for x in [
        0.1,
        1.0 / 3.0,
        2.5,
        -0.1,
        1e-300,
        -1e-300,
        123_456_789.123,
        f64::MAX,
    ] {
        let f = down(x);
        assert!(f64::from(f) <= x, "{x}");
        assert!(
            f64::from(f) >= x || f == f32::MAX || f64::from(up(x)) > x,
            "{x}"
        );
    }
    assert_eq!(down(f64::MAX), f32::MAX);
    assert_eq!(down(0.0), 0.0);
}

#[test]
fn bounds_round_up_as_the_next_f32_up() {
    // The branch-free step against the standard library's, over values of every scale and
    // sign, those an `f32` holds exactly, and the edges.
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut xs = vec![
        0.0,
        -0.0,
        1e-46,
        -1e-46,
        1e-300,
        -1e-300,
        f64::MAX,
        f64::MIN,
    ];
    xs.extend([
        f64::from(f32::MAX),
        f64::from(f32::MIN_POSITIVE) / 3.0,
        3.4028235e38,
    ]);
    for _ in 0..100_000 {
        let x = rng.random_range(-1.0..1.0) * 10f64.powi(rng.random_range(-50..40));
        xs.extend([x, f64::from(x as f32)]);
    }
    for x in xs {
        let f = x as f32;
        let want = if f64::from(f) >= x { f } else { f.next_up() };
        assert_eq!(up(x).to_bits(), want.to_bits(), "{x}");
        assert!(f64::from(up(x)) >= x, "{x}");
    }
}

#[test]
fn walks_in_key_order_past_subtrees_too_full() {
    // 300 nodes, node n with key (n * 7919) % 1000 (ties: node order), free n % 50 of 100;
    // every third removed, then put back with another key and free.
    let (nodes, cap) = (300u32, [100.0]);
    let mut k = Keyed::new(nodes as usize, 1);
    let mut keys: Vec<(u64, u32, f64)> = Vec::new();
    let mut root = NIL;
    for n in 0..nodes {
        let (key, free) = (u64::from(n * 7919 % 1000 / 3), f64::from(n % 50));
        root = k.insert(root, n, key, (&[free], &cap));
        keys.push((key, n, free));
    }
    for n in (0..nodes).step_by(3) {
        root = k.remove(root, n);
        keys.retain(|e| e.1 != n);
        if n % 2 == 0 {
            let (key, free) = (u64::from(n % 17), f64::from(n % 7) * 10.0);
            root = k.insert(root, n, key, (&[free], &cap));
            keys.push((key, n, free));
        }
    }
    keys.sort_by_key(|e| (e.0, e.1));
    for demand in [0.0, 20.5, 48.5, 60.5, 200.0] {
        let got = visited(&k, root, demand);
        // In order, every fitting node reached, and not every node where some do not fit
        // (the tolerance of the fit test aside).
        let order: Vec<u32> = keys
            .iter()
            .map(|e| e.1)
            .filter(|n| got.contains(n))
            .collect();
        assert_eq!(order, got, "demand {demand}");
        let fitting: Vec<u32> = keys.iter().filter(|e| e.2 >= demand).map(|e| e.1).collect();
        let got_fitting: Vec<u32> = got
            .iter()
            .copied()
            .filter(|&n| keys.iter().any(|e| e.1 == n && e.2 >= demand))
            .collect();
        assert_eq!(got_fitting, fitting, "demand {demand}");
        if demand == 0.0 {
            assert_eq!(got.len(), keys.len());
        } else if demand > 60.0 {
            assert!(got.is_empty(), "demand {demand}: {got:?}");
        } else {
            assert!(
                got.len() < keys.len(),
                "demand {demand}: nothing passed over"
            );
        }
    }
    // Stopping at a node ends the walk there.
    let mut out = Vec::new();
    let third = keys[2].1;
    let last = k.walk(root, &[0.0], &mut |_, n, fits| {
        assert!(fits);
        out.push(n);
        Some(n != third)
    });
    let first: Vec<u32> = keys[..3].iter().map(|e| e.1).collect();
    assert_eq!((out, last), (first, Some(false)));
    // From a place in the order: forward from it, backward from just before it, each the
    // fitting nodes on its side in its direction.
    for (at, demand) in [
        ((100, 0), 20.5),
        ((5, 150), 0.0),
        ((0, 0), 10.0),
        ((999, 0), 1.0),
    ] {
        let (mut ahead, mut behind) = (Vec::new(), Vec::new());
        k.walk_from(root, at, &[demand], &mut |_, n, fits| {
            ahead.extend(fits.then_some(n));
            Some(true)
        });
        k.walk_back_from(root, at, &[demand], &mut |_, n, fits| {
            behind.extend(fits.then_some(n));
            Some(true)
        });
        let fitting = keys.iter().filter(|e| e.2 >= demand);
        let (want_ahead, mut want_behind): (Vec<_>, Vec<_>) =
            fitting.partition(|e| (e.0, e.1) >= at);
        want_behind.reverse();
        let nodes = |v: Vec<&(u64, u32, f64)>| v.iter().map(|e| e.1).collect::<Vec<u32>>();
        assert_eq!(ahead, nodes(want_ahead), "{at:?}");
        assert_eq!(behind, nodes(want_behind), "{at:?}");
    }
}

/// Checks the subtree at `t`: (key, node) order, priorities as a heap, every most exactly the
/// largest fit key of its group and resource below; returns its nodes in order.
fn checked(k: &Keyed, t: u32) -> Vec<u32> {
    if t == NIL {
        return Vec::new();
    }
    let n = t as usize;
    let (left, right) = (checked(k, k.nodes[n].left), checked(k, k.nodes[n].right));
    for c in [k.nodes[n].left, k.nodes[n].right]
        .into_iter()
        .filter(|&c| c != NIL)
    {
        assert!(k.nodes[c as usize].priority <= k.nodes[n].priority);
    }
    assert!(left.iter().all(|&l| k.at(l) < k.at(t)));
    assert!(right.iter().all(|&r| k.at(r) > k.at(t)));
    let nodes: Vec<u32> = left.into_iter().chain([t]).chain(right).collect();
    let (r, width) = (k.r, k.corners * k.r);
    for g in 0..k.corners {
        for j in 0..r {
            let want = nodes
                .iter()
                .filter(|&&m| usize::from(k.nodes[m as usize].corner) == g)
                .map(|&m| k.fit[m as usize * r + j])
                .fold(f32::NEG_INFINITY, f32::max);
            assert_eq!(k.most[n * width + g * r + j].to_bits(), want.to_bits());
        }
    }
    nodes
}

#[test]
fn insertions_and_removals_keep_order_heap_and_every_most_exact() {
    // 3 resources (rows of a size known when compiled) and 6 (the general loop); keys from a
    // small range (many equal), nodes taken out and put back with new keys and free rows.
    for r in [3usize, 6] {
        let nodes = 400u32;
        let cap = vec![100.0; r];
        let mut k = Keyed::new(nodes as usize, r);
        let mut root = NIL;
        let mut filed = vec![false; nodes as usize];
        let mut x = 12345u64;
        let mut next = move |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for step in 0..3000 {
            let node = next(u64::from(nodes)) as u32;
            if filed[node as usize] {
                root = k.remove(root, node);
            }
            filed[node as usize] = next(5) > 0;
            if filed[node as usize] {
                let free: Vec<f64> = (0..r).map(|_| next(101) as f64).collect();
                root = k.insert(root, node, next(40), (&free, &cap));
            }
            if step % 97 == 0 || step == 2999 {
                let all = checked(&k, root);
                assert_eq!(all.len(), filed.iter().filter(|&&f| f).count());
            }
        }
    }
}
