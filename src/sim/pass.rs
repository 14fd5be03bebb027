//! One scheduling round: tasks leave the head of the line while the strategy finds them a
//! node; a head that fits nowhere blocks the line (`fifo`, `priority`), may preempt lower
//! priorities, and under `backfill` gets a reservation that later tasks may not delay.
//!
//! A head that fits no node that is up even when empty (too large, or restricted to nodes that
//! are down) would block the line forever: it is set aside until a node joins, and reported
//! with its reason if it never runs.

use super::engine::Engine;
use super::events::Completion;
use super::fitindex::Found;
use super::queue::QueuePolicy;

/// Above this many fitting nodes the strategy scans all nodes itself; below, it chooses among
/// the fitting nodes the index listed.
const LIST_LIMIT: usize = 16;

impl Engine<'_> {
    /// Starts what can start now, in the queue policy's order.
    pub(super) fn schedule(&mut self) {
        while let Some(head) = self.queue.head() {
            if let Some(node) = self.choose(head) {
                self.start(head, node);
                continue;
            }
            if !self.could_fit(head) {
                self.park(head);
                continue;
            }
            if self.config.preemption && self.preempt_for(head) {
                continue;
            }
            self.blocked_head = Some(head);
            if self.config.queue == QueuePolicy::Backfill {
                self.backfill(head);
            }
            return;
        }
        self.blocked_head = None;
    }

    /// The node the strategy picks for `task` among those it fits now, if any.
    ///
    /// The fit index lists the fitting nodes; when there are few, the strategy chooses among
    /// them ([`Selector::select_among`](crate::Selector::select_among)), otherwise it scans
    /// ([`Selector::select`](crate::Selector::select)). Either way the choice is the strategy's
    /// own over exactly the fitting nodes.
    pub(super) fn choose(&mut self, task: usize) -> Option<usize> {
        let found = match self.problem.allowed_nodes(task) {
            Some(allowed) => {
                self.fitting.clear();
                let joined = self.problem.nodes()..self.state.nodes();
                let fits = |&n: &usize| self.state.fits(task, n);
                self.fitting
                    .extend(allowed.iter().copied().chain(joined).filter(fits));
                Found::All
            }
            None => {
                let row = self.problem.demand(task);
                let demand = match row.as_slice() {
                    Some(slice) => slice,
                    None => {
                        self.demand.clear();
                        self.demand.extend(row.iter());
                        &self.demand
                    }
                };
                let fitting = &mut self.fitting;
                self.index.collect(&self.state, demand, LIST_LIMIT, fitting)
            }
        };
        let pick = match found {
            Found::All if self.fitting.is_empty() => return None,
            Found::All => self.selector.select_among(&self.state, task, &self.fitting),
            Found::Many => self.selector.select(&self.state, task),
        };
        pick.filter(|&node| self.state.fits(task, node))
    }

    /// Starts `task` on `node` (which it fits) now.
    pub(super) fn start(&mut self, task: usize, node: usize) {
        self.state
            .place(task, node)
            .expect("the node was checked to fit");
        self.selector.placed(&self.state, task, node);
        if let Some(running) = &mut self.running {
            running.insert(task, node);
        }
        self.metrics.task(self.problem.demand(task), 1.0);
        self.refresh(node);
        self.queue.remove(task);
        if self.planner.reservation().is_some_and(|r| r.head == task) {
            self.planner.clear();
        }
        let end = self.now + self.state.task_work(task);
        let t = &mut self.tasks[task];
        t.wait += self.now - t.ready_at;
        t.starts += 1;
        t.started_at = self.now;
        let completion = Completion::new(end, task as u32, t.generation);
        self.completions.push(completion);
    }

    /// Takes a running task off its node (completion or eviction); returns the node.
    pub(super) fn stop(&mut self, task: usize) -> usize {
        let node = self.state.remove(task).expect("the task is running");
        self.released(task, node);
        node
    }

    /// Book-keeping after `task` left `node` (the state already released it).
    fn released(&mut self, task: usize, node: usize) {
        self.selector.removed(&self.state, task, node);
        if let Some(running) = &mut self.running {
            running.remove(task, node);
        }
        self.metrics.task(self.problem.demand(task), -1.0);
        self.refresh(node);
        self.freed = true;
        self.capacity_version += 1;
    }

    /// A running task is evicted from `node` (the state already released it, or it is
    /// released here): its pending completion turns stale. The caller puts it back in line
    /// ([`Engine::enqueue`], keeping its place).
    pub(super) fn evicted(&mut self, task: usize, node: usize) {
        if self.state.assignment()[task].is_some() {
            self.state.remove(task);
        }
        self.released(task, node);
        self.record_run(task, node, false);
        let record = &mut self.tasks[task];
        record.generation = record.generation.wrapping_add(1);
        let tasks = &self.tasks;
        self.completions
            .cancel(|c| tasks[c.task as usize].generation == c.generation);
    }

    /// Whether `task` fits some node that is up, were it empty (cached per registry version).
    pub(super) fn could_fit(&mut self, task: usize) -> bool {
        let version = self.registry.version();
        if self.tasks[task].fits_at == version {
            return true;
        }
        let fits = self.registry.could_fit(&self.state, task);
        if fits {
            self.tasks[task].fits_at = version;
        }
        fits
    }

    /// Sets a task aside until a node joins: it fits no node that is up.
    pub(super) fn park(&mut self, task: usize) {
        self.queue.remove(task);
        self.parked.push(task);
    }
}
