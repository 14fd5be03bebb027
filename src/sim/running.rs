//! The tasks running on each node, as intrusive doubly linked lists over task indices: O(1) to
//! add or remove a task, no allocation, memory O(tasks + nodes).

const NONE: u32 = u32::MAX;

/// Per node, the tasks running on it.
#[derive(Debug, Clone)]
pub(crate) struct Running {
    first: Vec<u32>,
    next: Vec<u32>,
    prev: Vec<u32>,
}

impl Running {
    /// No task running on any of `nodes` nodes; room for `tasks` tasks.
    pub fn new(nodes: usize, tasks: usize) -> Self {
        Self {
            first: vec![NONE; nodes],
            next: vec![NONE; tasks],
            prev: vec![NONE; tasks],
        }
    }

    /// Makes room for a node that joined.
    pub fn add_node(&mut self) {
        self.first.push(NONE);
    }

    /// Records `task` as running on `node`.
    pub fn insert(&mut self, task: usize, node: usize) {
        let old = self.first[node];
        self.next[task] = old;
        self.prev[task] = NONE;
        if old != NONE {
            self.prev[old as usize] = task as u32;
        }
        self.first[node] = task as u32;
    }

    /// Records that `task` no longer runs on `node`.
    pub fn remove(&mut self, task: usize, node: usize) {
        let (prev, next) = (self.prev[task], self.next[task]);
        if prev == NONE {
            self.first[node] = next;
        } else {
            self.next[prev as usize] = next;
        }
        if next != NONE {
            self.prev[next as usize] = prev;
        }
    }

    /// The tasks running on `node`, most recently started first.
    pub fn on(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.first[node];
        std::iter::from_fn(move || {
            (at != NONE).then(|| {
                let task = at as usize;
                at = self.next[task];
                task
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_and_remove_anywhere() {
        let mut r = Running::new(2, 5);
        for t in 0..4 {
            r.insert(t, t % 2);
        }
        assert_eq!(r.on(0).collect::<Vec<_>>(), vec![2, 0]);
        r.remove(2, 0);
        r.insert(4, 0);
        r.remove(3, 1);
        assert_eq!(r.on(0).collect::<Vec<_>>(), vec![4, 0]);
        assert_eq!(r.on(1).collect::<Vec<_>>(), vec![1]);
        r.remove(0, 0);
        r.remove(4, 0);
        assert_eq!(r.on(0).count(), 0);
    }
}
