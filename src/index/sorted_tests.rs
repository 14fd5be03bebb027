//! Unit tests of [`sorted`](super).

use super::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A filed node as the reference keeps it: key, node, free row (capacity 100 throughout).
type Entry = (u64, u32, Vec<f64>);

/// Every run in order, its entries in order up to those filed since it last was, all of them
/// within the run's range, within `cap` and (but for a lone run) at least a quarter full... or
/// just merged/shared; its first entry its least; its most the most of its fit keys; slots and
/// keys per node as filed; the entries together exactly the reference's.
/// Returns whether some run held entries filed since it was last put in order.
fn check<const L: usize>(s: &Sorted<L>, want: &[Entry]) -> bool {
    let (mut all, mut unordered) = (Vec::new(), false);
    for (i, &slot) in s.order.iter().enumerate() {
        let run = s.run(slot);
        let len = run.len();
        assert!(len > 0 && len <= s.cap, "run {i} holds {len}");
        let ordered = s.ordered[slot as usize] as usize;
        assert!(ordered <= len, "run {i}: {ordered} in order of {len}");
        unordered |= ordered < len;
        assert!(
            run[..ordered].windows(2).all(|w| w[0].at < w[1].at),
            "run {i} in order"
        );
        let mut ats: Vec<u128> = run.iter().map(|e| e.at).collect();
        ats.sort_unstable();
        assert_eq!(s.firsts[i], ats[0], "run {i} first");
        if let Some(&next) = s.firsts.get(i + 1) {
            assert!(ats[len - 1] < next, "run {i} within its range");
        }
        for j in 0..L {
            let most = run.iter().fold(f32::NEG_INFINITY, |m, e| m.max(e.fit[j]));
            assert_eq!(s.most[slot as usize][j], most, "run {i} resource {j}");
            if j >= s.r {
                assert_eq!(most, f32::INFINITY, "run {i} place {j}");
            }
        }
        for at in ats {
            let (key, node) = unpack(at);
            assert_eq!(s.slot_of[node as usize], slot);
            assert_eq!(s.key_of[node as usize], key);
            all.push((key, node));
        }
    }
    assert_eq!(s.firsts.len(), s.order.len());
    let reference: Vec<(u64, u32)> = want.iter().map(|e| (e.0, e.1)).collect();
    assert_eq!(all, reference);
    if let Some((sought, least)) = s.past_least {
        let first = want.iter().map(|e| pack(e.0, e.1)).find(|&at| at >= sought);
        assert_eq!(
            Some(least),
            first,
            "the least entry at or after {sought:#x}"
        );
    }
    // No more runs than a quarter full each would take (and one more).
    assert!(
        s.order.len() <= 4 * want.len() / s.cap + 1,
        "{} runs",
        s.order.len()
    );
    unordered
}

/// The nodes a walk from `from` (starting at `hint` if that holds) shows for `demand` when it
/// always goes on (`past`: skipping the other nodes of each key shown), with whether they fit.
fn shown_at<const L: usize>(
    s: &mut Sorted<L>,
    from: (u64, u32),
    hint: Option<Place>,
    demand: &[f64],
    past: bool,
) -> Vec<(u64, u32, bool)> {
    let mut out = Vec::new();
    let last = s.walk_from(
        from,
        hint,
        demand,
        &mut |key: u64, node: u32, fits: bool, _: Place| {
            out.push((key, node, fits));
            if past { Go::Past(key) } else { Go::Next }
        },
    );
    assert_eq!(last, Some(true));
    out
}

/// [`shown_at`] without a hint.
fn shown<const L: usize>(
    s: &mut Sorted<L>,
    from: (u64, u32),
    demand: &[f64],
    past: bool,
) -> Vec<(u64, u32, bool)> {
    shown_at(s, from, None, demand, past)
}

/// Every node with the place a walk shows it at (every node fits no demand at all).
fn places<const L: usize>(s: &mut Sorted<L>) -> Vec<((u64, u32), Place)> {
    let mut out = Vec::new();
    let none = vec![f64::NEG_INFINITY; s.r];
    s.walk_from(
        (0, 0),
        None,
        &none,
        &mut |key: u64, node: u32, fits: bool, place: Place| {
            assert!(fits);
            out.push(((key, node), place));
            Go::Next
        },
    );
    out
}

/// A hint for taking `node` out: none, where it is now, or where it was when `old` was taken
/// (maybe wrong by now).
fn hint_for<const L: usize>(
    s: &mut Sorted<L>,
    node: u32,
    old: &[((u64, u32), Place)],
    rng: &mut ChaCha8Rng,
) -> Option<Place> {
    let find = |all: &[((u64, u32), Place)]| all.iter().find(|e| e.0.1 == node).map(|e| e.1);
    match rng.random_range(0..3) {
        0 => None,
        1 => find(&places(s)),
        _ => find(old),
    }
}

#[test]
fn runs_stay_sorted_and_summarized_through_splits_merges_and_shares() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for (r, nodes) in [(1, 40), (3, 200), (4, 60), (5, 90), (8, 50)] {
        if r <= 4 {
            filed_and_taken_out(Sorted::<4>::new(nodes, r, 8), nodes, &mut rng);
        } else {
            filed_and_taken_out(Sorted::<8>::new(nodes, r, 8), nodes, &mut rng);
        }
    }
}

/// Nodes filed, taken out and filed again at random in `s` (empty, room for `nodes`), checked
/// after each step.
fn filed_and_taken_out<const L: usize>(mut s: Sorted<L>, nodes: usize, rng: &mut ChaCha8Rng) {
    let r = s.r;
    let mut want: Vec<Entry> = Vec::new();
    let cap = vec![100.0; r];
    let (mut old, mut unordered) = (Vec::new(), false);
    for step in 0..3_000 {
        let node = rng.random_range(0..nodes as u32);
        match want.iter().position(|e| e.1 == node) {
            // Out, and (mostly) back under a larger key, as a placement files it.
            Some(i) => {
                let (key, ..) = want.remove(i);
                let hint = hint_for(&mut s, node, &old, rng);
                s.remove(node, hint);
                if rng.random_range(0..4) > 0 {
                    let key = key + rng.random_range(0..3) * 5;
                    let free: Vec<f64> = (0..r)
                        .map(|_| rng.random_range(0..=10) as f64 * 10.0)
                        .collect();
                    s.insert(node, key, (&free, &cap));
                    want.push((key, node, free));
                }
            }
            None => {
                // Few keys (many ties) early on, any later.
                let key = if step < 1_000 {
                    rng.random_range(0..4)
                } else {
                    rng.random_range(0..1_000)
                };
                let free: Vec<f64> = (0..r)
                    .map(|_| rng.random_range(0..=10) as f64 * 10.0)
                    .collect();
                s.insert(node, key, (&free, &cap));
                want.push((key, node, free));
            }
        }
        want.sort_by_key(|e| (e.0, e.1));
        unordered |= check(&s, &want);
        if step % 10 == 0 {
            walks_show_what_fits(&mut s, &want, rng);
            skips_reach_the_next_key(&mut s, &want, rng);
            hints_change_no_walk(&mut s, &old, rng);
            old = places(&mut s);
        }
    }
    assert!(unordered, "some run held entries out of order");
}

/// Every fitting node at or after `from` is shown, in order, with `fits` as its fit keys say;
/// skipping past a key shows no other node of it, and still every key with a fitting node.
fn walks_show_what_fits<const L: usize>(s: &mut Sorted<L>, want: &[Entry], rng: &mut ChaCha8Rng) {
    let r = s.r;
    let demand: Vec<f64> = (0..r)
        .map(|_| rng.random_range(0..=11) as f64 * 9.5)
        .collect();
    let from = match want.get(rng.random_range(0..want.len() + 1)) {
        Some(e) if rng.random_range(0..2) == 0 => (e.0, e.1),
        _ => (rng.random_range(0..1_000), rng.random_range(0..300)),
    };
    let after: Vec<&Entry> = want.iter().filter(|e| (e.0, e.1) >= from).collect();
    let fits = |e: &Entry| e.2.iter().zip(&demand).all(|(&f, &d)| d <= f);
    let got = shown(s, from, &demand, false);
    let order: Vec<(u64, u32)> = after
        .iter()
        .map(|e| (e.0, e.1))
        .filter(|a| got.iter().any(|g| (g.0, g.1) == *a))
        .collect();
    assert_eq!(
        order,
        got.iter().map(|g| (g.0, g.1)).collect::<Vec<_>>(),
        "shown in order"
    );
    for e in &after {
        let seen = got.iter().find(|g| (g.0, g.1) == (e.0, e.1));
        if fits(e) {
            assert_eq!(seen.map(|g| g.2), Some(true), "fitting node {} shown", e.1);
        } else if let Some(g) = seen {
            assert!(!g.2, "node {} shown as fitting", e.1);
        }
    }
    // Shown at most once per run beyond the fitting ones and the node after each.
    let extra = got.iter().filter(|g| !g.2).count();
    assert!(
        extra <= s.order.len() + got.iter().filter(|g| g.2).count(),
        "{extra} not fitting shown"
    );
    let skipped = shown(s, from, &demand, true);
    assert!(
        skipped.windows(2).all(|w| w[0].0 < w[1].0),
        "one node per key"
    );
    for e in after.iter().filter(|e| fits(e)) {
        assert!(skipped.iter().any(|g| g.0 == e.0), "key {} shown", e.0);
    }
}

/// Shows the first node, skips past its key, and stops at the next: the key it is shown or
/// asked about ([`Visit::stops_at`], answered `stop`).
struct Skip {
    first: Option<u64>,
    next: Vec<u64>,
    stop: bool,
}

impl Visit for Skip {
    fn visit(&mut self, key: u64, _: u32, _: bool, _: Place) -> Go {
        if self.first.is_none() {
            self.first = Some(key);
            return Go::Past(key);
        }
        self.next.push(key);
        Go::Stop
    }

    fn stops_at(&mut self, key: u64) -> bool {
        self.next.push(key);
        self.stop
    }
}

/// A skip past the key of the first node at or after a place reaches the least larger key,
/// whether it reads on in the run, searches, or asks the visitor about the key it kept from
/// the last such skip (twice from each place, so that the second may).
fn skips_reach_the_next_key<const L: usize>(
    s: &mut Sorted<L>,
    want: &[Entry],
    rng: &mut ChaCha8Rng,
) {
    let none = vec![f64::NEG_INFINITY; s.r];
    for _ in 0..3 {
        let from = match want.get(rng.random_range(0..want.len() + 1)) {
            Some(e) => (e.0, e.1),
            None => (rng.random_range(0..1_000), 0),
        };
        let first = want.iter().find(|e| (e.0, e.1) >= from).map(|e| e.0);
        let next = first
            .and_then(|k| want.iter().find(|e| e.0 > k))
            .map(|e| e.0);
        for stop in [rng.random_range(0..2) == 0, true] {
            let mut skip = Skip {
                first: None,
                next: Vec::new(),
                stop,
            };
            s.walk_from(from, None, &none, &mut skip);
            assert_eq!(skip.first, first, "from {from:?}");
            // Asked and not stopped, the node is shown after: the same key again.
            let want_next: Vec<u64> = next.into_iter().collect();
            let mut got = skip.next.clone();
            got.dedup();
            assert_eq!(got, want_next, "from {from:?}");
        }
    }
}

/// A walk from a node's old place shows what a walk that searches shows, however the runs
/// changed since (`old` from some steps before).
fn hints_change_no_walk<const L: usize>(
    s: &mut Sorted<L>,
    old: &[((u64, u32), Place)],
    rng: &mut ChaCha8Rng,
) {
    let demand: Vec<f64> = (0..s.r)
        .map(|_| rng.random_range(0..=11) as f64 * 9.5)
        .collect();
    for &(from, place) in old {
        assert_eq!(
            shown_at(s, from, Some(place), &demand, false),
            shown(s, from, &demand, false),
            "from {from:?} at {place:?}"
        );
    }
}

#[test]
fn filled_runs_are_sorted_summarized_and_walked_as_filed_ones() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for (r, nodes, cap) in [(1, 0, 8), (2, 1, 8), (3, 200, 8), (5, 90, 16)] {
        if r <= 4 {
            filled_then_filed(Sorted::<4>::new(nodes, r, cap), nodes, &mut rng);
        } else {
            filled_then_filed(Sorted::<8>::new(nodes, r, cap), nodes, &mut rng);
        }
    }
}

/// `filled` (empty, room for `nodes`) filled at once, checked and walked, then nodes taken out and
/// filed again one by one, checked.
fn filled_then_filed<const L: usize>(mut filled: Sorted<L>, nodes: usize, rng: &mut ChaCha8Rng) {
    let r = filled.r;
    let cap_row = vec![100.0; r];
    let want: Vec<Entry> = (0..nodes as u32)
        .map(|node| {
            let key = rng.random_range(0..50);
            let free = (0..r).map(|_| rng.random_range(0..=10) as f64 * 10.0);
            (key, node, free.collect())
        })
        .collect();
    let mut entries: Vec<(u64, u32)> = want.iter().map(|e| (e.0, e.1)).collect();
    filled.fill(&mut entries, |n| (&want[n as usize].2, &cap_row));
    let mut sorted = want.clone();
    sorted.sort_by_key(|e| (e.0, e.1));
    assert!(!check(&filled, &sorted), "filled in order");
    if nodes > 0 {
        for _ in 0..20 {
            walks_show_what_fits(&mut filled, &sorted, rng);
        }
    }
    // Filed and taken out as usual afterwards.
    for node in (0..nodes as u32).step_by(3) {
        filled.remove(node, None);
        filled.insert(node, 60, (&cap_row, &cap_row));
    }
    let mut after: Vec<Entry> = sorted
        .into_iter()
        .map(|e| {
            if e.1 % 3 == 0 {
                (60, e.1, cap_row.clone())
            } else {
                e
            }
        })
        .collect();
    after.sort_by_key(|e| (e.0, e.1));
    check(&filled, &after);
}
