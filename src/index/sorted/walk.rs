//! Walks over the runs in key order, passing over runs that cannot fit a demand.

use super::{Go, Place, Sorted, pack, unpack};
use crate::index::keyed::down;
use crate::index::scratch32;

impl Sorted {
    /// Calls `visit(key, node, fits, place)` on the nodes at or after `from` in increasing
    /// (key, node) order, as long as it says [`Go::Next`] (or [`Go::Past`] a key, to skip the
    /// other nodes of that key); returns `Some(false)` if it stopped, `None` if it gave up,
    /// `Some(true)` if the nodes ran out. It starts at `hint` (a place a walk showed) if that is
    /// still where `from` goes, checked by its neighbours; else it searches. Shown, with where:
    /// every node whose fit keys may hold `demand` (`fits` true; the state's test decides), the
    /// node right after each of them, and the first node reached in each run (`fits` false where
    /// they cannot), so that a walk bounded by the key can stop there. A run whose most cannot
    /// hold the demand in some resource is passed over with one test per resource.
    /// O(log(runs) + runs x resources) plus O(resources) per node read in the runs that may
    /// fit; no O(log(runs)) search from a hint that holds.
    pub(in crate::index) fn walk_from(
        &self,
        from: (u64, u32),
        hint: Option<Place>,
        demand: &[f64],
        visit: &mut impl FnMut(u64, u32, bool, Place) -> Go,
    ) -> Option<bool> {
        if self.order.is_empty() {
            return Some(true);
        }
        scratch32(self.r, |d| {
            for (d, &x) in d.iter_mut().zip(demand) {
                *d = down(x);
            }
            let from = pack(from.0, from.1);
            let (mut i, mut pos) = hint
                .and_then(|p| self.near(p, from))
                .unwrap_or_else(|| self.seek(from));
            while i < self.order.len() {
                let slot = self.order[i];
                let visit = &mut |key, node, fits, e: usize| {
                    let pos = e as u32;
                    visit(
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
                match self.walk_run(slot, pos, d, visit) {
                    Go::Next => (i, pos) = (i + 1, 0),
                    Go::Past(key) => match key.checked_add(1) {
                        Some(next) => (i, pos) = self.seek_near(i, pack(next, 0)),
                        None => return Some(true),
                    },
                    Go::Stop => return Some(false),
                    Go::GiveUp => return None,
                }
            }
            Some(true)
        })
    }

    /// [`Sorted::walk_from`] over the entries of one run from `pos` on: [`Go::Next`] when they
    /// ran out, else what `visit` said last.
    #[inline]
    fn walk_run(
        &self,
        slot: u32,
        pos: usize,
        d: &[f32],
        visit: &mut impl FnMut(u64, u32, bool, usize) -> Go,
    ) -> Go {
        match *d {
            [a] => self.walk_run_of(slot, pos, [a], visit),
            [a, b] => self.walk_run_of(slot, pos, [a, b], visit),
            [a, b, c] => self.walk_run_of(slot, pos, [a, b, c], visit),
            [a, b, c, e] => self.walk_run_of(slot, pos, [a, b, c, e], visit),
            _ => {
                let run = self.run(slot);
                if pos >= run.ents.len() {
                    return Go::Next;
                }
                let may = (0..self.r).all(|j| self.most[slot as usize * self.r + j] >= d[j]);
                run.walk(pos, may, visit, |e| {
                    (0..self.r).all(|j| run.fit[e * self.r + j] >= d[j])
                })
            }
        }
    }

    /// [`Sorted::walk_run`] for `R` resources, the fit keys read column by column.
    #[inline]
    fn walk_run_of<const R: usize>(
        &self,
        slot: u32,
        pos: usize,
        d: [f32; R],
        visit: &mut impl FnMut(u64, u32, bool, usize) -> Go,
    ) -> Go {
        let run = self.run(slot);
        let len = run.ents.len();
        if pos >= len {
            return Go::Next;
        }
        let most = &self.most[slot as usize * R..][..R];
        let may = (0..R).all(|j| most[j] >= d[j]);
        let rows = &run.fit[..len * R];
        run.walk(pos, may, visit, |e| {
            let row: &[f32; R] = rows[e * R..][..R].try_into().unwrap();
            (0..R).fold(true, |all, j| all & (row[j] >= d[j]))
        })
    }

    /// The entries of run `slot`.
    pub(super) fn run(&self, slot: u32) -> Run<'_> {
        let (s, c) = (slot as usize, self.cap);
        let len = self.len[s] as usize;
        Run {
            ents: &self.ents[s * c..][..len],
            fit: &self.fit[s * c * self.r..][..len * self.r],
        }
    }

    /// The first entry at or after `at`, as its run's place in the order and its place in the
    /// run (possibly the run's end).
    fn seek(&self, at: u128) -> (usize, usize) {
        let i = self.rank(at);
        (i, self.position(self.order[i], at))
    }

    /// [`Sorted::seek`] near place `p`, if `at` goes within a few entries of it there: its run
    /// still at that place in the order, with its entries below `at` up to there, and `at`
    /// within its range (entries taken out or filed before `at` since moved it a little).
    fn near(&self, p: Place, at: u128) -> Option<(usize, usize)> {
        const STEPS: usize = 8;
        let (i, slot) = (p.i as usize, p.slot);
        if self.order.get(i) != Some(&slot) {
            return None;
        }
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

    /// [`Sorted::seek`] from the run at place `i`, `at` after its first entry: in that run if
    /// its last entry is at or after `at`.
    fn seek_near(&self, i: usize, at: u128) -> (usize, usize) {
        let slot = self.order[i];
        if self.last_entry(slot).is_some_and(|last| last >= at) {
            (i, self.position(slot, at))
        } else {
            self.seek(at)
        }
    }
}

/// The entries of one run: ([`pack`]ed) keys and nodes, and the fit keys by row.
pub(super) struct Run<'a> {
    pub(super) ents: &'a [u128],
    pub(super) fit: &'a [f32],
}

impl Run<'_> {
    /// Shows the entries from `pos` (within the run) to `visit`, with whether `holds` says their
    /// fit keys hold the demand; only the first, not fitting, where the run cannot (`may` false).
    #[inline]
    fn walk(
        &self,
        pos: usize,
        may: bool,
        visit: &mut impl FnMut(u64, u32, bool, usize) -> Go,
        holds: impl Fn(usize) -> bool,
    ) -> Go {
        if !may {
            let (key, node) = unpack(self.ents[pos]);
            return visit(key, node, false, pos);
        }
        let mut show = true;
        for (e, &entry) in self.ents.iter().enumerate().skip(pos) {
            let fits = holds(e);
            if fits || show {
                let (key, node) = unpack(entry);
                match visit(key, node, fits, e) {
                    Go::Next => {}
                    other => return other,
                }
            }
            show = fits;
        }
        Go::Next
    }
}
