//! Nodes in order of a key, in short sorted runs (a B+ tree of one level): each run keeps its
//! entries in one array, each entry a node's key and index (in one number) with its fit keys
//! (up to `L` resources), and the most of each fit key over the run, so that a walk in key
//! order passes over a run too full for a task with one test per resource and reads the others
//! straight through, and taking a node out moves one block of contiguous entries instead of
//! rebalancing a tree along a path of scattered nodes.
//!
//! Filing a node only appends it to its run: the run puts it in order (sorts the entries filed
//! since and merges them in, in one pass from the end) when a walk reads the run or a search
//! needs a place in it. Walks read few runs, near the least keys, and nodes filed again go to
//! larger keys, so most runs take many entries between two walks: measured on the scale
//! benchmark's problem at 10,000 nodes (`least_time`), 38,612 filings put in order in 3,605
//! merges at 4 tasks per node, 998,652 in 39,556 at 100 (a full run is put in order before it
//! is split). So filing costs the search for the run, no search within it and no move of
//! entries.
//!
//! Runs hold at most [`Sorted::cap`] entries: a full run is split in two; a run that falls
//! below a quarter of that is merged with its neighbour (or shares its entries with it), so
//! that there are at most `4 x nodes / cap + 1` runs and a walk over all of them costs
//! O(nodes / cap) run tests.

use super::keyed::{max, up};
use crate::state::TOLERANCE;
use std::cell::Cell;

/// No run: a node not filed.
const NONE: u32 = u32::MAX;

/// What a walk does after a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Go {
    /// On to the next node.
    Next,
    /// On to the first node of a larger key than this.
    Past(u64),
    /// Stop here.
    Stop,
    /// Give up (the caller answers otherwise).
    GiveUp,
}

/// What a walk shows its nodes to ([`Sorted::walk_from`]): `visit(key, node, fits, place)` says
/// what the walk does next.
pub(in crate::index) trait Visit {
    /// Shown a node: its key, its index, whether its fit keys may hold the demand, and where.
    fn visit(&mut self, key: u64, node: u32, fits: bool, place: Place) -> Go;

    /// Whether the first node of `key` that a skip ([`Go::Past`]) reaches would end the walk
    /// whatever it is ([`Go::Stop`]): asked where the walk knows that key without reading
    /// the node. `false` (show the node) unless the visitor says otherwise.
    fn stops_at(&mut self, _key: u64) -> bool {
        false
    }
}

impl<F: FnMut(u64, u32, bool, Place) -> Go> Visit for F {
    #[inline]
    fn visit(&mut self, key: u64, node: u32, fits: bool, place: Place) -> Go {
        self(key, node, fits, place)
    }
}

/// Where a walk showed an entry: its run's place in the order, the run, and the entry's place
/// in it. A later search for that entry, or for where it was, may start there (checked first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    i: u32,
    slot: u32,
    pos: u32,
}

/// See the [module](self) documentation.
///
/// Each entry keeps the fit keys of the first `L` resources (4 or 8, [`Runs`]): a walk shows a
/// node as fitting if those hold the demand (the state's own test decides).
///
/// Memory: per node 12 bytes (its run and key); per run, room for `cap` entries of 16 + 4 x `L`
/// bytes (32 or 48), and 32 + 4 x `L` bytes besides; runs are between a quarter full and full
/// (half after a split), so up to 4 entries' room per node, 2 where runs split as they fill.
#[derive(Debug, Clone, Default)]
pub(super) struct Sorted<const L: usize> {
    r: usize,
    /// Most entries in a run (a power of two, at least 8).
    cap: usize,
    /// The runs in key order (their slots).
    order: Vec<u32>,
    /// The first entry of each run, in key order (as `order`).
    firsts: Vec<u128>,
    /// Per slot, its entries.
    len: Vec<u32>,
    /// Per slot, how many of its entries, from the first, are in order: the others, filed
    /// since, are put in order (merged in) when a walk or a search in the run needs them so.
    ordered: Vec<u32>,
    /// Per slot and entry, the entry: in (key, node) order up to `ordered`, then as filed.
    ents: Vec<Ent<L>>,
    /// Per slot, the most of each fit key over its entries.
    most: Vec<[f32; L]>,
    /// Slots emptied, for runs to come.
    spare: Vec<u32>,
    /// Per node, its slot ([`NONE`] if not filed) and its key.
    slot_of: Vec<u32>,
    key_of: Vec<u64>,
    /// The entries of two runs being merged (kept, so that a merge does not allocate).
    scratch: Vec<Ent<L>>,
    /// The entry the last walk's [`Go::Past`] sought, and where it found its place: the next
    /// such seek for the same entry starts there (checked by its neighbours).
    past: Cell<Option<(u128, Place)>>,
    /// An entry a [`Go::Past`] sought and the least filed entry at or after it (kept exact:
    /// a filing below it takes its place, its removal forgets it), so that the next skip to the
    /// same entry asks the visitor about that key without a search.
    past_least: Option<(u128, u128)>,
}

impl<const L: usize> Sorted<L> {
    /// Room for `nodes` nodes of `resources` resources, none filed; runs of at most `cap`
    /// entries (rounded up to a power of two, at least 8).
    pub(in crate::index) fn new(nodes: usize, resources: usize, cap: usize) -> Self {
        Self {
            r: resources,
            cap: cap.next_power_of_two().max(8),
            slot_of: vec![NONE; nodes],
            key_of: vec![0; nodes],
            ..Self::default()
        }
    }

    /// The key `node` was last filed under (0 if it never was).
    pub(super) fn key(&self, node: u32) -> u64 {
        self.key_of[node as usize]
    }

    /// Files `node` (not filed) under `key`, with its free and capacity rows: appended to its
    /// run, out of order until a walk or a search needs the run in order. O(log(runs) +
    /// resources), and O(cap x resources) to split a full run.
    pub(super) fn insert(&mut self, node: u32, key: u64, (free, cap): (&[f64], &[f64])) {
        let at = pack(key, node);
        if self.order.is_empty() {
            let slot = self.new_slot();
            self.order.push(slot);
            self.firsts.push(at);
        }
        // Filed after the last run's first entry (as when filing in order): no search.
        let last = self.order.len() - 1;
        let mut i = if self.firsts[last] <= at {
            last
        } else {
            self.rank(at)
        };
        if self.len[self.order[i] as usize] as usize == self.cap {
            self.split(i);
            if self.firsts[i + 1] <= at {
                i += 1;
            }
        }
        let slot = self.order[i];
        let (s, c, len) = (slot as usize, self.cap, self.len[slot as usize] as usize);
        let ent = Ent {
            at,
            fit: fit_row(free, cap),
        };
        self.ents[s * c + len] = ent;
        for (m, &f) in self.most[s].iter_mut().zip(&ent.fit) {
            *m = max(*m, f);
        }
        self.len[s] += 1;
        if at < self.firsts[i] {
            self.firsts[i] = at;
        }
        self.slot_of[node as usize] = slot;
        self.key_of[node as usize] = key;
        if let Some((sought, least)) = self.past_least
            && sought <= at
            && at < least
        {
            self.past_least = Some((sought, at));
        }
    }

    /// Puts the entries of run `slot` in order: those filed since it last was, sorted, merged
    /// in from the end. O(cap), and O(t log t) for `t` entries filed since.
    #[inline(always)]
    fn tidy(&mut self, slot: u32) {
        let s = slot as usize;
        if self.ordered[s] != self.len[s] {
            self.merge_new(slot);
        }
    }

    /// [`Sorted::tidy`] of a run with entries filed since it was last put in order.
    #[inline(never)]
    fn merge_new(&mut self, slot: u32) {
        let (s, c) = (slot as usize, self.cap);
        let (ordered, len) = (self.ordered[s] as usize, self.len[s] as usize);
        let base = s * c;
        self.scratch.clear();
        self.scratch
            .extend_from_slice(&self.ents[base + ordered..base + len]);
        self.scratch.sort_unstable_by_key(|e| e.at);
        let (mut a, mut b) = (ordered, self.scratch.len());
        for k in (0..len).rev() {
            if b == 0 {
                break;
            }
            if a > 0 && self.ents[base + a - 1].at > self.scratch[b - 1].at {
                self.ents[base + k] = self.ents[base + a - 1];
                a -= 1;
            } else {
                self.ents[base + k] = self.scratch[b - 1];
                b -= 1;
            }
        }
        self.ordered[s] = len as u32;
    }

    /// Files the nodes of `entries` (key, node; none filed before, the runs empty), their free
    /// and capacity rows from `rows`, in runs half full (as filing them one by one in order
    /// leaves them). O(nodes x (log(nodes) + resources)), O(nodes x resources) when `entries`
    /// is in order already.
    pub(super) fn fill<'a>(
        &mut self,
        entries: &mut [(u64, u32)],
        rows: impl Fn(u32) -> (&'a [f64], &'a [f64]),
    ) {
        entries.sort_unstable();
        for chunk in entries.chunks((self.cap / 2).max(1)) {
            let slot = self.new_slot();
            let (s, c) = (slot as usize, self.cap);
            for (e, &(key, node)) in chunk.iter().enumerate() {
                let (free, cap) = rows(node);
                self.ents[s * c + e] = Ent {
                    at: pack(key, node),
                    fit: fit_row(free, cap),
                };
                self.slot_of[node as usize] = slot;
                self.key_of[node as usize] = key;
            }
            self.len[s] = chunk.len() as u32;
            self.ordered[s] = chunk.len() as u32;
            self.summarize(slot);
            self.order.push(slot);
            self.firsts.push(self.entry(slot, 0));
        }
    }

    /// Takes `node` (filed) out; `hint`: where a walk showed it, if it did (no search then):
    /// from the ordered entries, those after it move down one; from those filed since, the last
    /// takes its place. O(log(cap) + cap x resources).
    pub(super) fn remove(&mut self, node: u32, hint: Option<Place>) {
        let at = pack(self.key_of[node as usize], node);
        let slot = self.slot_of[node as usize];
        let (s, c) = (slot as usize, self.cap);
        let (base, len, ordered) = (s * c, self.len[s] as usize, self.ordered[s] as usize);
        let hint = hint.filter(|p| {
            p.slot == slot
                && (p.pos as usize) < ordered
                && self.ents[base + p.pos as usize].at == at
        });
        let pos = hint.map_or_else(|| self.position(slot, at), |p| p.pos as usize);
        let in_order = pos < ordered && self.ents[base + pos].at == at;
        // Whether it may have been the run's least entry (its first).
        let least = !in_order || pos == 0;
        let gone = if in_order {
            // In the ordered entries: the ones after it move down one.
            let gone = self.ents[base + pos];
            self.ents
                .copy_within(base + pos + 1..base + len, base + pos);
            self.ordered[s] -= 1;
            gone
        } else {
            // Filed since: the last entry takes its place.
            let q = (ordered..len)
                .find(|&q| self.ents[base + q].at == at)
                .expect("a filed node is in its run");
            let gone = self.ents[base + q];
            self.ents[base + q] = self.ents[base + len - 1];
            gone
        };
        let shrinking = len - 1 < self.cap / 4;
        let i = (shrinking || least).then(|| match hint {
            Some(p) if self.order.get(p.i as usize) == Some(&slot) => p.i as usize,
            _ => self.rank(at),
        });
        let most = &self.most[s];
        let stale = (0..self.r.min(L)).any(|j| gone.fit[j] >= most[j]);
        self.len[s] -= 1;
        self.slot_of[node as usize] = NONE;
        if self.past_least.is_some_and(|(_, least)| least == at) {
            self.past_least = None;
        }
        if stale {
            self.summarize(slot);
        }
        if let Some(i) = i {
            if shrinking {
                self.shrunk(i);
            } else if self.firsts[i] == at {
                self.tidy(slot);
                self.firsts[i] = self.entry(slot, 0);
            }
        }
    }

    /// The last entry of run `slot`, if it has any.
    fn last_entry(&self, slot: u32) -> Option<u128> {
        let (s, c) = (slot as usize, self.cap);
        let ents = &self.ents[s * c..][..self.len[s] as usize];
        let ordered = self.ordered[s] as usize;
        let last = ordered.checked_sub(1).map(|e| ents[e].at);
        ents[ordered..].iter().map(|e| e.at).chain(last).max()
    }

    /// The entry at `e` in run `slot`.
    fn entry(&self, slot: u32, e: usize) -> u128 {
        self.ents[slot as usize * self.cap + e].at
    }

    /// The place in the order of the run that holds `at` or would: the last whose first entry
    /// is at most `at` (the first run if none is). The order is not empty.
    fn rank(&self, at: u128) -> usize {
        // By key alone (one comparison a step); where that run's first entry has the key and a
        // larger node (a key shared by the firsts of several runs, as when many nodes have none
        // placed), by the whole entry.
        let key = (at >> 64) as u64;
        let firsts = &self.firsts;
        let i = firsts.partition_point(|&f| (f >> 64) as u64 <= key);
        let i = i.saturating_sub(1);
        if firsts[i] <= at {
            return i;
        }
        firsts[..i]
            .partition_point(|&f| !below(at, f))
            .saturating_sub(1)
    }

    /// The place of `at` among the ordered entries of run `slot`: the number of them below
    /// `at`.
    fn position(&self, slot: u32, at: u128) -> usize {
        let (base, len) = (
            slot as usize * self.cap,
            self.ordered[slot as usize] as usize,
        );
        let ents = &self.ents[base..base + len];
        // By key alone; where entries of the same key follow, among them by node.
        let key = (at >> 64) as u64;
        let p = ents.partition_point(|e| ((e.at >> 64) as u64) < key);
        if p == len || (ents[p].at >> 64) as u64 != key {
            return p;
        }
        let same = &ents[p..];
        p + same.partition_point(|e| below(e.at, at))
    }

    /// A slot for a new empty run.
    fn new_slot(&mut self) -> u32 {
        if let Some(slot) = self.spare.pop() {
            self.len[slot as usize] = 0;
            self.ordered[slot as usize] = 0;
            self.most[slot as usize] = [f32::NEG_INFINITY; L];
            return slot;
        }
        let slot = self.len.len() as u32;
        let c = self.cap;
        self.len.push(0);
        self.ordered.push(0);
        self.ents.resize(self.ents.len() + c, Ent::default());
        self.most.push([f32::NEG_INFINITY; L]);
        slot
    }

    /// Splits the run at place `i` of the order in two halves.
    fn split(&mut self, i: usize) {
        self.tidy(self.order[i]);
        let upper = self.new_slot();
        self.order.insert(i + 1, upper);
        let lower = self.order[i];
        let half = self.len[lower as usize] as usize / 2;
        self.move_entries(lower, half, upper);
        self.firsts.insert(i + 1, self.entry(upper, 0));
    }

    /// Moves the entries of run `from` at and after `e` to the end of run `to` (which has room).
    fn move_entries(&mut self, from: u32, e: usize, to: u32) {
        let (f, t, c) = (from as usize, to as usize, self.cap);
        let (len, at) = (self.len[f] as usize, self.len[t] as usize);
        let n = len - e;
        self.ents.copy_within(f * c + e..f * c + len, t * c + at);
        for k in at..at + n {
            self.slot_of[self.ents[t * c + k].at as u32 as usize] = to;
        }
        self.len[f] = e as u32;
        self.len[t] = (at + n) as u32;
        self.ordered[f] = e as u32;
        self.ordered[t] = (at + n) as u32;
        self.summarize(from);
        self.summarize(to);
    }

    /// Run at place `i` of the order fell below a quarter full: merged with its neighbour if
    /// the two fill at most three quarters of a run, else the two share their entries evenly.
    /// An empty run with no neighbour is dropped.
    fn shrunk(&mut self, i: usize) {
        self.tidy(self.order[i]);
        if self.order.len() == 1 {
            if self.len[self.order[0] as usize] == 0 {
                self.spare.push(self.order.remove(0));
                self.firsts.clear();
            } else {
                self.firsts[0] = self.entry(self.order[0], 0);
            }
            return;
        }
        let i = if i + 1 < self.order.len() { i } else { i - 1 };
        let (lower, upper) = (self.order[i], self.order[i + 1]);
        self.tidy(lower);
        self.tidy(upper);
        let (a, b) = (
            self.len[lower as usize] as usize,
            self.len[upper as usize] as usize,
        );
        if a + b <= self.cap * 3 / 4 {
            self.move_entries(upper, 0, lower);
            self.spare.push(self.order.remove(i + 1));
            self.firsts.remove(i + 1);
        } else {
            self.share(lower, upper);
            self.firsts[i + 1] = self.entry(upper, 0);
        }
        self.firsts[i] = self.entry(lower, 0);
    }

    /// Shares the entries of two neighbouring runs evenly between them.
    fn share(&mut self, lower: u32, upper: u32) {
        let (l, u, c) = (lower as usize, upper as usize, self.cap);
        let (a, b) = (self.len[l] as usize, self.len[u] as usize);
        self.scratch.clear();
        for (s, n) in [(l, a), (u, b)] {
            self.scratch.extend_from_slice(&self.ents[s * c..][..n]);
        }
        let half = (a + b) / 2;
        for (s, range) in [(l, 0..half), (u, half..a + b)] {
            let n = range.len();
            self.ents[s * c..][..n].copy_from_slice(&self.scratch[range.clone()]);
            for k in range {
                self.slot_of[self.scratch[k].at as u32 as usize] = s as u32;
            }
            self.len[s] = n as u32;
            self.ordered[s] = n as u32;
            self.summarize(s as u32);
        }
    }

    /// Writes the most of run `slot` again.
    fn summarize(&mut self, slot: u32) {
        let (s, c) = (slot as usize, self.cap);
        let ents = &self.ents[s * c..][..self.len[s] as usize];
        self.most[s] = most_of(ents);
    }
}

/// A node's fit key for a resource: `free + TOLERANCE x capacity` rounded up to `f32` (a demand
/// rounded down that it does not hold, the node does not fit).
fn fit_key(free: f64, cap: f64) -> f32 {
    up(free + TOLERANCE * cap)
}

/// The most of each fit key over `ents` (-inf if there are none): two entries at a time, so
/// that the comparisons wait less on one another.
fn most_of<const L: usize>(ents: &[Ent<L>]) -> [f32; L] {
    let mut lanes = [[f32::NEG_INFINITY; L]; 2];
    let pairs = ents.chunks_exact(2);
    let rest = pairs.remainder();
    for pair in pairs {
        for (lane, ent) in lanes.iter_mut().zip(pair) {
            for (m, &f) in lane.iter_mut().zip(&ent.fit) {
                *m = max(*m, f);
            }
        }
    }
    let last = rest.first().map_or([f32::NEG_INFINITY; L], |e| e.fit);
    std::array::from_fn(|j| max(max(lanes[0][j], lanes[1][j]), last[j]))
}

/// A filed node: its key and index ([`pack`]ed) and its fit keys for the first `L` resources
/// (+inf for places with no resource: they hold any demand).
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(16))]
pub(super) struct Ent<const L: usize> {
    pub(super) at: u128,
    pub(super) fit: [f32; L],
}

impl<const L: usize> Default for Ent<L> {
    fn default() -> Self {
        Self {
            at: 0,
            fit: [f32::INFINITY; L],
        }
    }
}

/// A node's fit keys: per resource, [`fit_key`]; +inf where there is no resource (such a
/// place holds any demand).
fn fit_row<const L: usize>(free: &[f64], cap: &[f64]) -> [f32; L] {
    let mut row = [f32::INFINITY; L];
    for ((f, &x), &c) in row.iter_mut().zip(free).zip(cap) {
        *f = fit_key(x, c);
    }
    row
}

/// (key, node) as one number in the same order (entries compared with one comparison): the
/// key in the upper half, alone (a search by key reads one half).
#[inline]
pub(super) fn pack(key: u64, node: u32) -> u128 {
    (u128::from(key) << 64) | u128::from(node)
}

/// The (key, node) of [`pack`].
#[inline]
pub(super) fn unpack(x: u128) -> (u64, u32) {
    ((x >> 64) as u64, x as u32)
}

/// Whether entry `a` comes before `b`, as `a < b` but compared in halves: the compiler turns a
/// choice over a 128-bit comparison into a branch (in a search, where it is not predictable),
/// over this one into conditional moves. The searches are the standard library's
/// `partition_point`, which steps by conditional moves without bounds checks.
#[inline]
fn below(a: u128, b: u128) -> bool {
    let (ah, al, bh, bl) = ((a >> 64) as u64, a as u64, (b >> 64) as u64, b as u64);
    (ah < bh) | ((ah == bh) & (al < bl))
}

mod runs;
mod walk;

pub(super) use runs::Runs;

#[cfg(test)]
#[path = "sorted_tests.rs"]
mod tests;
