//! The queue of ready tasks and the policies that order it.

use super::heap::MinHeap;
use crate::error::{Error, Result};
use serde::Serialize;

/// In which order ready tasks are offered a node, and whether later tasks may pass a blocked
/// head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueuePolicy {
    /// First ready, first served; the head blocks the queue until it fits.
    #[default]
    Fifo,
    /// Higher priority first, first ready first among equals; the head blocks the queue.
    Priority,
    /// The priority order with EASY backfilling, as Slurm's `sched/backfill`: the blocked head
    /// gets a reservation on the node where it fits earliest, given the running tasks' end
    /// times; a later task starts now only if it does not delay that reservation.
    Backfill,
}

impl QueuePolicy {
    /// Every policy, in a fixed order.
    pub const ALL: [QueuePolicy; 3] = [
        QueuePolicy::Fifo,
        QueuePolicy::Priority,
        QueuePolicy::Backfill,
    ];

    /// The name used in flags and reports.
    pub fn name(self) -> &'static str {
        match self {
            QueuePolicy::Fifo => "fifo",
            QueuePolicy::Priority => "priority",
            QueuePolicy::Backfill => "backfill",
        }
    }

    /// Whether the order is by priority first.
    pub fn by_priority(self) -> bool {
        self != QueuePolicy::Fifo
    }
}

impl std::fmt::Display for QueuePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for QueuePolicy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        QueuePolicy::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::InvalidOption {
                option: "queue",
                message: format!("{s:?} is not a queue policy; known: fifo, priority, backfill"),
            })
    }
}

/// A queue entry: ordered by key (0, or minus the priority), then by the sequence number the
/// task got when it first became ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    key: i64,
    seq: u64,
    task: u32,
    generation: u32,
}

/// The ready tasks in policy order. Removing a task from the middle (a backfilled start)
/// leaves a stale entry that is skipped and dropped later; stale entries never outnumber the
/// live ones for long, so memory follows the tasks, not the time simulated.
#[derive(Debug)]
pub(crate) struct ReadyQueue {
    heap: MinHeap<Entry>,
    scratch: MinHeap<(Entry, usize)>,
    generation: Vec<u32>,
    queued: Vec<bool>,
    len: usize,
    by_priority: bool,
}

impl ReadyQueue {
    /// An empty queue for `tasks` tasks.
    pub fn new(tasks: usize, policy: QueuePolicy) -> Self {
        Self {
            heap: MinHeap::new(),
            scratch: MinHeap::new(),
            generation: vec![0; tasks],
            queued: vec![false; tasks],
            len: 0,
            by_priority: policy.by_priority(),
        }
    }

    /// The number of tasks waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Queues a task with its priority and sequence number (which keeps its place in line when
    /// it is requeued).
    pub fn push(&mut self, task: usize, priority: i64, seq: u64) {
        debug_assert!(!self.queued[task]);
        self.generation[task] = self.generation[task].wrapping_add(1);
        self.queued[task] = true;
        self.len += 1;
        self.heap.push(Entry {
            key: if self.by_priority { -priority } else { 0 },
            seq,
            task: task as u32,
            generation: self.generation[task],
        });
    }

    /// Takes a task out of the queue (it started or was parked).
    pub fn remove(&mut self, task: usize) {
        debug_assert!(self.queued[task]);
        self.queued[task] = false;
        self.len -= 1;
        if self.heap.len() > 2 * self.len + 1024 {
            let (queued, generation) = (&self.queued, &self.generation);
            self.heap.retain(|e| live(queued, generation, e));
        }
    }

    /// The first task in line.
    pub fn head(&mut self) -> Option<usize> {
        while let Some(e) = self.heap.peek() {
            if live(&self.queued, &self.generation, e) {
                return Some(e.task as usize);
            }
            self.heap.pop();
        }
        None
    }

    /// The first `n` tasks in line after the head, in order, into `out`.
    pub fn behind_head(&mut self, n: usize, out: &mut Vec<usize>) {
        out.clear();
        let (queued, generation) = (&self.queued, &self.generation);
        let mut skipped_head = false;
        self.heap.walk(&mut self.scratch, |e| {
            if live(queued, generation, e) {
                if skipped_head {
                    out.push(e.task as usize);
                }
                skipped_head = true;
            }
            out.len() < n
        });
    }
}

fn live(queued: &[bool], generation: &[u32], e: &Entry) -> bool {
    queued[e.task as usize] && generation[e.task as usize] == e.generation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_first_then_first_ready_and_requeue_keeps_its_place() {
        let mut q = ReadyQueue::new(4, QueuePolicy::Priority);
        q.push(0, 0, 0);
        q.push(1, 5, 1);
        q.push(2, 0, 2);
        assert_eq!(q.head(), Some(1));
        q.remove(1);
        let mut out = Vec::new();
        q.behind_head(5, &mut out);
        assert_eq!((q.head(), out.as_slice()), (Some(0), &[2][..]));
        q.remove(2);
        q.push(2, 0, 2);
        q.push(3, 0, 3);
        q.behind_head(5, &mut out);
        assert_eq!(out, vec![2, 3]);
        assert_eq!(q.len(), 3);
        let fifo = QueuePolicy::Fifo;
        let mut q = ReadyQueue::new(2, fifo);
        q.push(1, 9, 1);
        q.push(0, 0, 0);
        assert_eq!(q.head(), Some(0), "fifo ignores priority");
    }

    #[test]
    fn names_round_trip() {
        for p in QueuePolicy::ALL {
            assert_eq!(p.name().parse::<QueuePolicy>().unwrap(), p);
        }
        assert!("lifo".parse::<QueuePolicy>().is_err());
    }
}
