//! The exact cover search over the enumerated bins (see the parent module).

use super::{Column, Completion};
use crate::exact::instance::{Bin, Instance, Residual};
use std::collections::HashMap;
use std::time::Instant;

/// The state of one cover search.
pub(super) struct Cover<'a> {
    instance: &'a Instance,
    columns: Vec<Column>,
    /// Per item type, the bins holding it with their count, largest count first.
    by_item: Vec<Vec<(u32, usize)>>,
    /// Per node type, its bins.
    by_type: Vec<Vec<usize>>,
    /// Per bin, how many reasons make it unusable (too many of an item type, no free node).
    blocked: Vec<u32>,
    /// Per item type, the usable bins holding it.
    usable: Vec<u32>,
    left: Vec<u32>,
    free: Vec<u32>,
    chosen: Vec<usize>,
    target: usize,
    /// `T - pi . left` of the node, and the most a bin's reduced cost can be negative.
    budget: f64,
    f: f64,
    node_limit: u64,
    nodes: u64,
    deadline: Instant,
    stopped: bool,
    found: Option<Vec<Bin>>,
    /// A leaf failed the strict capacity test: exhausting the search then proves nothing.
    rejected: bool,
    /// States explored without success (tasks and nodes left, bins chosen), with the least
    /// reduced cost spent on the way there.
    failed: HashMap<(Vec<u32>, usize), f64>,
}

impl<'a> Cover<'a> {
    /// The search over `columns` for the tasks of `left`; `(target, budget, f)`: the most bins,
    /// `target - pi . left` and the most a bin's reduced cost can be negative.
    pub(super) fn new(
        instance: &'a Instance,
        left: &Residual,
        columns: Vec<Column>,
        (target, budget, f): (usize, f64, f64),
    ) -> Self {
        let mut by_item = vec![Vec::new(); instance.items.len()];
        let mut by_type = vec![Vec::new(); instance.nodes.len()];
        let mut usable = vec![0u32; instance.items.len()];
        for (c, col) in columns.iter().enumerate() {
            by_type[col.node_type].push(c);
            for &(i, n) in &col.items {
                by_item[i].push((n, c));
                usable[i] += 1;
            }
        }
        for list in &mut by_item {
            list.sort_by_key(|b| std::cmp::Reverse(b.0));
        }
        Self {
            instance,
            blocked: vec![0; columns.len()],
            columns,
            by_item,
            by_type,
            usable,
            left: left.items.clone(),
            free: left.nodes.clone(),
            chosen: Vec::new(),
            target,
            budget,
            f,
            node_limit: u64::MAX,
            nodes: 0,
            deadline: Instant::now(),
            stopped: false,
            found: None,
            rejected: false,
            failed: HashMap::new(),
        }
    }

    /// Searches with at most `node_limit` nodes until `deadline`.
    pub(super) fn run(mut self, node_limit: u64, deadline: Instant) -> Completion {
        self.node_limit = node_limit;
        self.deadline = deadline;
        self.dfs(0.0);
        match self.found.take() {
            Some(bins) => Completion::Found(bins),
            None if self.stopped || self.rejected => Completion::Unknown,
            None => Completion::Impossible,
        }
    }

    /// One level: `spent` is the reduced cost of the bins chosen.
    fn dfs(&mut self, spent: f64) {
        self.nodes += 1;
        if self.nodes > self.node_limit
            || (self.nodes.is_multiple_of(256) && Instant::now() >= self.deadline)
        {
            self.stopped = true;
        }
        if self.stopped || self.found.is_some() {
            return;
        }
        let Some(item) = self.branching_item() else {
            self.finish();
            return;
        };
        let depth = self.chosen.len();
        if depth >= self.target || self.usable[item] == 0 || !self.room_for_the_rest() {
            return;
        }
        let key = (self.left.iter().chain(&self.free).copied().collect(), depth);
        if self.failed.get(&key).is_some_and(|&s| s <= spent) {
            return;
        }
        let most = self.budget + (self.target - depth - 1) as f64 * self.f - spent;
        let mut candidates: Vec<usize> = self.by_item[item]
            .iter()
            .map(|&(_, c)| c)
            .filter(|&c| self.blocked[c] == 0 && self.columns[c].rc <= most)
            .collect();
        candidates.sort_by(|&a, &b| self.columns[a].rc.total_cmp(&self.columns[b].rc));
        for c in candidates {
            self.take(c);
            self.dfs(spent + self.columns[c].rc);
            self.untake(c);
            if self.stopped || self.found.is_some() {
                return;
            }
        }
        let least = self.failed.entry(key).or_insert(spent);
        *least = least.min(spent);
    }

    /// The item type left with the fewest usable bins (ties to the largest), or `None` when
    /// everything is packed.
    fn branching_item(&self) -> Option<usize> {
        (0..self.left.len())
            .filter(|&i| self.left[i] > 0)
            .min_by_key(|&i| self.usable[i])
    }

    /// Keeps the chosen bins if every one passes the strict capacity test.
    fn finish(&mut self) {
        let bins: Vec<Bin> = self.chosen.iter().map(|&c| self.bin(c)).collect();
        if bins.iter().all(|b| self.instance.is_packable(b)) {
            self.found = Some(bins);
        } else {
            self.rejected = true;
        }
    }

    fn bin(&self, c: usize) -> Bin {
        let col = &self.columns[c];
        let mut counts = vec![0; self.instance.items.len()];
        for &(i, n) in &col.items {
            counts[i] = n;
        }
        Bin {
            node_type: col.node_type,
            counts,
        }
    }

    /// Whether, in every resource, the tasks left fit the (loose) capacity of the
    /// `target - chosen` largest free nodes.
    fn room_for_the_rest(&self) -> bool {
        let bins = (self.target - self.chosen.len()) as u32;
        let load = self.instance.load(&self.left);
        let caps: Vec<(Vec<f64>, u32)> = (0..self.free.len())
            .filter(|&k| self.free[k] > 0)
            .map(|k| (self.instance.loose_capacity(k), self.free[k]))
            .collect();
        (0..load.len()).all(|r| {
            let mut by_size: Vec<(f64, u32)> = caps.iter().map(|(c, u)| (c[r], *u)).collect();
            by_size.sort_by(|a, b| b.0.total_cmp(&a.0));
            let (mut room, mut n) = (0.0, bins);
            for (c, u) in by_size {
                let take = u.min(n);
                room += c * f64::from(take);
                n -= take;
            }
            load[r] <= room
        })
    }

    /// Chooses bin `c`: takes its tasks and a node of its type.
    fn take(&mut self, c: usize) {
        let col = self.columns[c].clone();
        for &(i, n) in &col.items {
            let old = self.left[i];
            self.left[i] = old - n;
            self.mark(i, old, 1);
        }
        self.free[col.node_type] -= 1;
        if self.free[col.node_type] == 0 {
            for d in self.by_type[col.node_type].clone() {
                self.block(d, 1);
            }
        }
        self.chosen.push(c);
    }

    /// Undoes [`Self::take`].
    fn untake(&mut self, c: usize) {
        self.chosen.pop();
        let col = self.columns[c].clone();
        if self.free[col.node_type] == 0 {
            for d in self.by_type[col.node_type].clone() {
                self.block(d, -1);
            }
        }
        self.free[col.node_type] += 1;
        for &(i, n) in &col.items {
            let old = self.left[i] + n;
            self.mark(i, old, -1);
            self.left[i] = old;
        }
    }

    /// Blocks (`sign` 1) or unblocks (-1) the bins that take more of item type `i` than the
    /// `left[i]` now left but no more than the `old` count.
    fn mark(&mut self, i: usize, old: u32, sign: i32) {
        let now = self.left[i];
        for k in 0..self.by_item[i].len() {
            let (n, d) = self.by_item[i][k];
            if n <= now {
                break;
            }
            if n <= old {
                self.block(d, sign);
            }
        }
    }

    /// Adds `sign` to a bin's reasons to be unusable, keeping the per-item counts of usable
    /// bins.
    fn block(&mut self, d: usize, sign: i32) {
        let before = self.blocked[d];
        self.blocked[d] = before.wrapping_add_signed(sign);
        let change = match (before, self.blocked[d]) {
            (0, 1) => -1i32,
            (1, 0) => 1,
            _ => return,
        };
        for &(i, _) in &self.columns[d].items {
            self.usable[i] = self.usable[i].wrapping_add_signed(change);
        }
    }
}
