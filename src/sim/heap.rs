//! A binary min-heap whose layout is fixed (children of `i` at `2i+1` and `2i+2`), so that its
//! smallest items can also be read in order without popping them: the simulator reads the next
//! completions (a backfill reservation) and the first waiting tasks (backfill candidates) that
//! way, in O(k log k) for k items, without allocating.

/// A min-heap of small `Copy` items.
#[derive(Debug, Clone)]
pub(crate) struct MinHeap<T> {
    items: Vec<T>,
}

impl<T> Default for MinHeap<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

impl<T: Ord + Copy> MinHeap<T> {
    /// An empty heap.
    pub fn new() -> Self {
        Self { items: Vec::new() }
    }

    /// The number of items, stale ones included.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The smallest item.
    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    /// Adds an item. O(log n).
    pub fn push(&mut self, item: T) {
        self.items.push(item);
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.items[parent] <= self.items[i] {
                break;
            }
            self.items.swap(parent, i);
            i = parent;
        }
    }

    /// Removes and returns the smallest item. O(log n).
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        let Some(first) = self.items.first_mut() else {
            return Some(last);
        };
        let top = std::mem::replace(first, last);
        self.sift_down(0);
        Some(top)
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.items.len();
        loop {
            let (left, right) = (2 * i + 1, 2 * i + 2);
            let mut least = i;
            if left < n && self.items[left] < self.items[least] {
                least = left;
            }
            if right < n && self.items[right] < self.items[least] {
                least = right;
            }
            if least == i {
                return;
            }
            self.items.swap(i, least);
            i = least;
        }
    }

    /// Keeps only the items `keep` accepts and restores the heap. O(n).
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
        for i in (0..self.items.len() / 2).rev() {
            self.sift_down(i);
        }
    }

    /// Visits the items in increasing order until `visit` returns `false`, without changing the
    /// heap. `scratch` is a work heap kept by the caller so that no walk allocates once it has
    /// grown. O(k log k) for the k items visited.
    pub fn walk(&self, scratch: &mut MinHeap<(T, usize)>, mut visit: impl FnMut(&T) -> bool) {
        scratch.items.clear();
        if let Some(&first) = self.items.first() {
            scratch.push((first, 0));
        }
        while let Some((item, i)) = scratch.pop() {
            if !visit(&item) {
                return;
            }
            for child in [2 * i + 1, 2 * i + 2] {
                if let Some(&c) = self.items.get(child) {
                    scratch.push((c, child));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn pops_and_walks_in_order(values in proptest::collection::vec(0u32..50, 0..60), cut in 0usize..60) {
            let mut heap = MinHeap::new();
            for &v in &values {
                heap.push(v);
            }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let mut walked = Vec::new();
            heap.walk(&mut MinHeap::new(), |&v| {
                walked.push(v);
                walked.len() < cut
            });
            let shown = cut.clamp(1, sorted.len().max(1)).min(sorted.len());
            prop_assert_eq!(&walked[..], &sorted[..shown]);
            heap.retain(|&v| v % 3 != 0);
            let mut popped = Vec::new();
            while let Some(v) = heap.pop() {
                popped.push(v);
            }
            let kept: Vec<u32> = sorted.into_iter().filter(|v| v % 3 != 0).collect();
            prop_assert_eq!(popped, kept);
        }
    }
}
