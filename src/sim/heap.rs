//! A 4-ary min-heap whose layout is fixed (children of `i` at `4i+1..=4i+4`), so that its
//! smallest items can also be read in order without popping them: the simulator reads the next
//! completions (a backfill reservation) and the first waiting tasks (backfill candidates) that
//! way, in O(k log k) for k items, without allocating. Four children per node halve the depth
//! of a binary heap, and four 16-byte items share a cache line: pops on large heaps touch half
//! as many lines.

/// Children per node.
const ARITY: usize = 4;

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
        Self::default()
    }

    /// The number of items.
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
        self.sift_up(self.items.len() - 1, item);
    }

    /// Moves `item` up from `i` to its place.
    fn sift_up(&mut self, mut i: usize, item: T) {
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if self.items[parent] <= item {
                break;
            }
            self.items[i] = self.items[parent];
            i = parent;
        }
        self.items[i] = item;
    }

    /// The smallest child of `i`, if it has children.
    fn least_child(&self, i: usize) -> Option<usize> {
        let first = ARITY * i + 1;
        let end = (first + ARITY).min(self.items.len());
        (first..end).min_by(|&a, &b| self.items[a].cmp(&self.items[b]))
    }

    /// Removes and returns the smallest item. O(log n): the hole left at the root goes down to
    /// a leaf along the smallest children, then the last item climbs from there, as the
    /// standard library's heap does.
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = self.items[0];
        let mut hole = 0;
        while let Some(child) = self.least_child(hole) {
            self.items[hole] = self.items[child];
            hole = child;
        }
        self.sift_up(hole, last);
        Some(top)
    }

    fn sift_down(&mut self, mut i: usize) {
        while let Some(child) = self.least_child(i) {
            if self.items[child] >= self.items[i] {
                return;
            }
            self.items.swap(i, child);
            i = child;
        }
    }

    /// Keeps only the items `keep` accepts and restores the heap. O(n).
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
        for i in (0..self.items.len().div_ceil(ARITY)).rev() {
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
            for child in ARITY * i + 1..=ARITY * i + ARITY {
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
