//! Walks over the runs in key order, passing over runs that cannot fit a demand.

use super::{Ent, Go, Place, Sorted, Visit, pack, unpack};
use crate::index::keyed::down;

impl<const L: usize> Sorted<L> {
    /// Calls `visit(key, node, fits, place)` on the nodes at or after `from` in increasing
    /// (key, node) order, as long as it says [`Go::Next`] (or [`Go::Past`] a key, to skip the
    /// other nodes of that key); returns `Some(false)` if it stopped, `None` if it gave up,
    /// `Some(true)` if the nodes ran out. It starts at `hint` (a place a walk showed) if that is
    /// still where `from` goes, checked by its neighbours; else it searches. Shown, with where:
    /// every node whose fit keys may hold `demand` (`fits` true; the state's test decides), the
    /// node right after each of them, and the first node reached in each run (`fits` false where
    /// they cannot), so that a walk bounded by the key can stop there. A run whose most cannot
    /// hold the demand in some resource is passed over with one test per resource. A skip past
    /// a key reads on a few entries in its run, else searches (or starts where the last skip to
    /// the same entry went); where the last skip to the same entry found the least entry after
    /// it, that entry's key is put to [`Visit::stops_at`] first, and the walk stops if it says so.
    /// O(log(runs) + runs x resources) plus O(resources) per node read in the runs that may
    /// fit; no O(log(runs)) search from a hint that holds.
    pub(in crate::index) fn walk_from(
        &mut self,
        from: (u64, u32),
        hint: Option<Place>,
        demand: &[f64],
        visit: &mut impl Visit,
    ) -> Option<bool> {
        if self.order.is_empty() {
            return Some(true);
        }
        let mut d = [f32::NEG_INFINITY; L];
        for (d, &x) in d.iter_mut().zip(demand) {
            *d = down(x);
        }
        let from = pack(from.0, from.1);
        let (mut i, mut pos) = hint
            .and_then(|p| self.near(p, from))
            .unwrap_or_else(|| self.seek(from));
        while i < self.order.len() {
            let slot = self.order[i];
            let show = &mut |key, node, fits, e: usize| {
                let pos = e as u32;
                visit.visit(
                    key,
                    node,
                    fits,
                    Place {
                        i: i as u32,
                        slot,
                        pos,
                    },
                )
            };
            match self.walk_run(slot, pos, &d, show) {
                Go::Next => (i, pos) = (i + 1, 0),
                Go::Past(key) => match key.checked_add(1) {
                    Some(next) => {
                        let at = pack(next, 0);
                        if let Some((sought, least)) = self.past_least
                            && sought == at
                            && visit.stops_at(unpack(least).0)
                        {
                            return Some(false);
                        }
                        (i, pos) = self.seek_past(i, at);
                        self.past_least = self.least_at(i, pos).map(|least| (at, least));
                    }
                    None => return Some(true),
                },
                Go::Stop => return Some(false),
                Go::GiveUp => return None,
            }
        }
        Some(true)
    }

    /// [`Sorted::walk_from`] over the entries of one run from `pos` on: [`Go::Next`] when they
    /// ran out, else what `visit` said last.
    #[inline]
    fn walk_run(
        &mut self,
        slot: u32,
        pos: usize,
        d: &[f32; L],
        visit: &mut impl FnMut(u64, u32, bool, usize) -> Go,
    ) -> Go {
        if pos >= self.len[slot as usize] as usize {
            return Go::Next;
        }
        let may = holds(&self.most[slot as usize], d);
        if may {
            self.tidy(slot);
        }
        let run = self.run(slot);
        walk(run, pos, may, visit, |e: &Ent<L>| holds(&e.fit, d))
    }

    /// The entry at place `pos` of the run at place `i` of the order (that run in order), or
    /// the next run's first where `pos` is that run's end: the least entry at or after it.
    fn least_at(&self, i: usize, pos: usize) -> Option<u128> {
        let slot = self.order[i];
        if pos < self.len[slot as usize] as usize {
            Some(self.entry(slot, pos))
        } else {
            self.firsts.get(i + 1).copied()
        }
    }

    /// The entries of run `slot`.
    pub(super) fn run(&self, slot: u32) -> &[Ent<L>] {
        let (s, c) = (slot as usize, self.cap);
        &self.ents[s * c..][..self.len[s] as usize]
    }

    /// The first entry at or after `at`, as its run's place in the order and its place in the
    /// run (possibly the run's end).
    fn seek(&mut self, at: u128) -> (usize, usize) {
        let i = self.rank(at);
        self.tidy(self.order[i]);
        (i, self.position(self.order[i], at))
    }

    /// [`Sorted::seek`] near place `p`, if `at` goes within a few entries of it there: its run
    /// still at that place in the order, with its entries below `at` up to there, and `at`
    /// within its range (entries taken out or filed before `at` since moved it a little).
    #[inline(always)]
    fn near(&mut self, p: Place, at: u128) -> Option<(usize, usize)> {
        const STEPS: usize = 8;
        let (i, slot) = (p.i as usize, p.slot);
        if self.order.get(i) != Some(&slot) {
            return None;
        }
        self.tidy(slot);
        let len = self.len[slot as usize] as usize;
        let mut pos = (p.pos as usize).min(len);
        for _ in 0..STEPS {
            if pos == 0 || self.entry(slot, pos - 1) < at {
                break;
            }
            pos -= 1;
        }
        for _ in 0..STEPS {
            if pos == len || self.entry(slot, pos) >= at {
                break;
            }
            pos += 1;
        }
        let after = match (pos, i) {
            (0, 0) => true,
            (0, _) => self
                .last_entry(self.order[i - 1])
                .is_some_and(|last| last < at),
            _ => self.entry(slot, pos - 1) < at,
        };
        let before = if pos == len {
            self.firsts.get(i + 1).is_none_or(|&next| at < next)
        } else {
            self.entry(slot, pos) >= at
        };
        (after && before).then_some((i, pos))
    }

    /// [`Sorted::seek_near`] for a walk's [`Go::Past`]: where the last one went if it sought the
    /// same entry and that is still where it goes (as when the nodes of the least key share it
    /// and each query passes over them).
    fn seek_past(&mut self, i: usize, at: u128) -> (usize, usize) {
        let cached = self.past.get().filter(|&(sought, _)| sought == at);
        if let Some(found) = cached.and_then(|(_, p)| self.near(p, at)) {
            return found;
        }
        let (i, pos) = self.seek_near(i, at);
        let place = Place {
            i: i as u32,
            slot: self.order[i],
            pos: pos as u32,
        };
        self.past.set(Some((at, place)));
        (i, pos)
    }

    /// [`Sorted::seek`] from the run at place `i`, `at` after its first entry: in that run if
    /// its last entry is at or after `at`.
    fn seek_near(&mut self, i: usize, at: u128) -> (usize, usize) {
        let slot = self.order[i];
        self.tidy(slot);
        if self.last_entry(slot).is_some_and(|last| last >= at) {
            (i, self.position(slot, at))
        } else {
            self.seek(at)
        }
    }
}

/// Entries a skip past a key reads on in its run before it searches instead.
const PAST_STEPS: usize = 8;

/// Whether fit keys `fit` hold demand `d` (rounded down) in every place.
#[inline]
fn holds<const L: usize>(fit: &[f32; L], d: &[f32; L]) -> bool {
    (0..L).fold(true, |all, j| all & (fit[j] >= d[j]))
}

/// Shows the entries of `run` from `pos` (within the run) to `visit`, with whether `fits` says
/// their fit keys hold the demand; only the first, not fitting, where the run cannot (`may`
/// false).
#[inline]
fn walk<const L: usize>(
    run: &[Ent<L>],
    pos: usize,
    may: bool,
    visit: &mut impl FnMut(u64, u32, bool, usize) -> Go,
    fits: impl Fn(&Ent<L>) -> bool,
) -> Go {
    if !may {
        let (key, node) = unpack(run[pos].at);
        return visit(key, node, false, pos);
    }
    let (mut show, mut e) = (true, pos);
    while let Some(ent) = run.get(e) {
        let fit = fits(ent);
        if fit || show {
            let (key, node) = unpack(ent.at);
            match visit(key, node, fit, e) {
                Go::Next => {}
                Go::Past(k) => {
                    // A larger key a few entries on in this run: on from there (shown, as
                    // the first node a search for it would reach); else the search.
                    let mut ahead = run[e + 1..].iter().take(PAST_STEPS);
                    match ahead.position(|x| unpack(x.at).0 > k) {
                        Some(d) => (show, e) = (true, e + 1 + d),
                        None => return Go::Past(k),
                    }
                    continue;
                }
                other => return other,
            }
        }
        show = fit;
        e += 1;
    }
    Go::Next
}
