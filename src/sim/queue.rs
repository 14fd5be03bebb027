//! The queue of ready tasks and the policies that order it.

use super::heap::MinHeap;
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeSet;

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
    seq: u32,
    task: u32,
}

/// The ready tasks in policy order.
///
/// Under `fifo` and `priority` tasks only ever leave from the head: a 4-ary heap, the fastest.
/// Under `backfill` tasks also leave from the middle and the first tasks in line are read every
/// round: an ordered set, where both cost O(log n) and reading k tasks in order O(k).
#[derive(Debug)]
pub(crate) struct ReadyQueue {
    line: Line,
    by_priority: bool,
}

#[derive(Debug)]
enum Line {
    /// Head-only removal.
    Heap(MinHeap<Entry>),
    /// Removal anywhere; `entries` has each waiting task's entry.
    Sorted {
        set: BTreeSet<Entry>,
        entries: Vec<Entry>,
    },
}

impl ReadyQueue {
    /// An empty queue for `tasks` tasks.
    pub fn new(tasks: usize, policy: QueuePolicy) -> Self {
        let line = if policy == QueuePolicy::Backfill {
            let none = Entry {
                key: 0,
                seq: 0,
                task: 0,
            };
            Line::Sorted {
                set: BTreeSet::new(),
                entries: vec![none; tasks],
            }
        } else {
            Line::Heap(MinHeap::new())
        };
        Self {
            line,
            by_priority: policy.by_priority(),
        }
    }

    /// The number of tasks waiting.
    pub fn len(&self) -> usize {
        match &self.line {
            Line::Heap(heap) => heap.len(),
            Line::Sorted { set, .. } => set.len(),
        }
    }

    /// Queues a task with its priority and sequence number (which keeps its place in line when
    /// it is requeued).
    pub fn push(&mut self, task: usize, priority: i64, seq: u32) {
        let entry = Entry {
            key: if self.by_priority { -priority } else { 0 },
            seq,
            task: task as u32,
        };
        match &mut self.line {
            Line::Heap(heap) => heap.push(entry),
            Line::Sorted { set, entries } => {
                entries[task] = entry;
                let new = set.insert(entry);
                debug_assert!(new, "task {task} queued twice");
            }
        }
    }

    /// Takes a task out of the queue (it started or was set aside); under `fifo` and
    /// `priority`, only the head ever leaves.
    pub fn remove(&mut self, task: usize) {
        match &mut self.line {
            Line::Heap(heap) => {
                let head = heap.pop().map(|e| e.task as usize);
                assert_eq!(head, Some(task), "only the head leaves a heap queue");
            }
            Line::Sorted { set, entries } => {
                let found = set.remove(&entries[task]);
                debug_assert!(found, "task {task} not queued");
            }
        }
    }

    /// The first task in line.
    pub fn head(&self) -> Option<usize> {
        let entry = match &self.line {
            Line::Heap(heap) => heap.peek(),
            Line::Sorted { set, .. } => set.first(),
        };
        entry.map(|e| e.task as usize)
    }

    /// The first `n` tasks in line after the head, in order, into `out`. O(n + log len);
    /// nothing under `fifo` and `priority` (no backfilling).
    pub fn behind_head(&self, n: usize, out: &mut Vec<usize>) {
        out.clear();
        if let Line::Sorted { set, .. } = &self.line {
            out.extend(set.iter().skip(1).take(n).map(|e| e.task as usize));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_first_then_first_ready_and_requeue_keeps_its_place() {
        for policy in [QueuePolicy::Priority, QueuePolicy::Backfill] {
            let mut q = ReadyQueue::new(4, policy);
            q.push(0, 0, 0);
            q.push(1, 5, 1);
            q.push(2, 0, 2);
            assert_eq!(q.head(), Some(1));
            q.remove(1);
            q.push(3, 0, 3);
            q.remove(0);
            q.push(0, 0, 0);
            assert_eq!((q.head(), q.len()), (Some(0), 3), "{policy}");
        }
        let mut q = ReadyQueue::new(4, QueuePolicy::Backfill);
        for t in 0..4 {
            q.push(t, 0, t as u32);
        }
        q.remove(2);
        let mut out = Vec::new();
        q.behind_head(5, &mut out);
        assert_eq!(out, vec![1, 3]);
        let mut q = ReadyQueue::new(2, QueuePolicy::Fifo);
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
