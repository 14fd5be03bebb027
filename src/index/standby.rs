//! Whether a fallback index is worth keeping in step with the state.
//!
//! `least_connections` and `least_time` ask their node tree only where their first index gives
//! up: on a typical workload a few times in tens of thousands of placements. Told of every
//! placement, the tree costs its upkeep on each (a leaf marked, and written again before the next
//! query) for answers that a pass over the nodes gives as well. So the tree is kept in step only
//! while it is asked often; otherwise a query the first index gives up on is answered by the
//! full scan, and the tree, having fallen behind, is rebuilt when it is kept again. Either way
//! the answer is the full scan's.

/// Fallback queries, each within this many changes of the last (plus `nodes / 4`), that have
/// the tree kept: a rebuild costs about 8 passes over the nodes.
const OFTEN: usize = 8;

/// See the [module](self) documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Standby {
    /// Whether the tree is told of changes.
    kept: bool,
    /// Changes since the last fallback query, or since the start.
    since: usize,
    /// Fallback queries in a row, each within `nodes / 4 + 64` changes of the last.
    recent: usize,
}

impl Standby {
    /// Told of a change to the state: whether to tell the tree too. After `nodes / 4 + 64`
    /// changes without a fallback query the tree is let go.
    pub(crate) fn changed(&mut self, nodes: usize) -> bool {
        self.since = self.since.saturating_add(1);
        if self.since > nodes / 4 + 64 {
            (self.kept, self.recent) = (false, 0);
        }
        self.kept
    }

    /// A query the first index gave up on: whether to ask the tree (else the full scan). The
    /// [`OFTEN`]-th in a row has the tree kept from then on.
    pub(crate) fn fall_back(&mut self) -> bool {
        let ask_tree = self.kept;
        self.recent += 1;
        self.kept |= self.recent >= OFTEN;
        self.since = 0;
        ask_tree
    }

    /// Whether the tree is kept in step now.
    #[cfg(test)]
    pub(crate) fn kept(&self) -> bool {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_kept_while_asked_often() {
        let mut s = Standby::default();
        let nodes = 1_600;
        // Rare fallbacks: the full scan.
        for _ in 0..20 {
            (0..465).for_each(|_| assert!(!s.changed(nodes)));
            assert!(!s.fall_back());
        }
        // Eight in a row (the last one above and seven more), each within 464 changes of the
        // last: the tree is kept from then on...
        for _ in 1..OFTEN {
            (0..464).for_each(|_| assert!(!s.changed(nodes)));
            assert!(!s.fall_back());
        }
        assert!(s.changed(nodes));
        assert!(s.fall_back());
        // ...and let go at the 465th change without one.
        (0..464).for_each(|_| assert!(s.changed(nodes)));
        assert!(!s.changed(nodes));
        assert!(!s.fall_back());
    }
}
