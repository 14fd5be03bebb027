//! Groups of alike nodes (one machine type, the same free capacity to the bit): every score of
//! (demand, free, capacity) is the same on them, so of a group only its lowest index can be
//! chosen, or, if that node is down, cordoned or not allowed for the task, the next. An index
//! files only each group's lowest index (its representative); the others follow it.
//!
//! Groups are found by a hash of (type, free row); a node whose hash is taken by a group of
//! other nodes (a collision) stays alone, so a group never mixes nodes that differ.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are hashes already.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Passed(u64);

impl Hasher for Passed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// One step of the row hash (multiply and rotate, then a final avalanche in [`row_hash`]).
fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95)
}

/// The hash of a node's type and free row.
pub(crate) fn row_hash(ty: u32, free: &[f64]) -> u64 {
    let h = free.iter().fold(u64::from(ty), |h, f| mix(h, f.to_bits()));
    (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (h >> 32)
}

/// A group: its lowest index, and the others in order.
#[derive(Debug, Clone)]
struct Group {
    first: u32,
    rest: BTreeSet<u32>,
}

/// A node's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// In no group (not filed, or its hash taken by other nodes).
    Alone,
    /// The lowest index of the group under its hash.
    First,
    /// Another node of the group under its hash.
    Follows,
}

/// What filing a node means for the index of representatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Joined {
    /// It is filed itself (alone, or the first of a new group).
    Filed,
    /// It follows a node of lower index: nothing to file.
    Follows,
    /// It takes the place of this node, which now follows it.
    Replaces(u32),
}

/// What taking a node out means for the index of representatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Left {
    /// It was filed itself and nobody follows: take it out.
    Unfiled,
    /// It followed another node: nothing to take out.
    Followed,
    /// It was filed itself: take it out and file this node, the next of its group.
    Succeeded(u32),
}

/// See the [module](self) documentation.
///
/// Memory: 9 bytes per node, and per group of alike nodes a map entry of about 48 bytes and a
/// B-tree entry of 4 bytes per node beyond the first.
#[derive(Debug, Clone, Default)]
pub(super) struct Alike {
    groups: HashMap<u64, Group, BuildHasherDefault<Passed>>,
    hash: Vec<u64>,
    part: Vec<Part>,
}

impl Alike {
    /// No groups, room for `nodes` nodes.
    pub(super) fn new(nodes: usize) -> Self {
        Self {
            groups: HashMap::default(),
            hash: vec![0; nodes],
            part: vec![Part::Alone; nodes],
        }
    }

    /// Files `node` under `hash`; `alike(other)` says whether another node under the same hash
    /// has the same type and free row now.
    pub(super) fn join(&mut self, node: u32, hash: u64, alike: impl Fn(u32) -> bool) -> Joined {
        let n = node as usize;
        self.hash[n] = hash;
        let Some(group) = self.groups.get_mut(&hash) else {
            let rest = BTreeSet::new();
            self.groups.insert(hash, Group { first: node, rest });
            self.part[n] = Part::First;
            return Joined::Filed;
        };
        if !alike(group.first) {
            self.part[n] = Part::Alone;
            return Joined::Filed;
        }
        if node > group.first {
            group.rest.insert(node);
            self.part[n] = Part::Follows;
            return Joined::Follows;
        }
        let old = std::mem::replace(&mut group.first, node);
        group.rest.insert(old);
        (self.part[n], self.part[old as usize]) = (Part::First, Part::Follows);
        Joined::Replaces(old)
    }

    /// Takes `node` out of its group (the state may have changed its row already).
    pub(super) fn leave(&mut self, node: u32) -> Left {
        let n = node as usize;
        let part = std::mem::replace(&mut self.part[n], Part::Alone);
        let hash = self.hash[n];
        match part {
            Part::Alone => Left::Unfiled,
            Part::Follows => {
                if let Some(group) = self.groups.get_mut(&hash) {
                    group.rest.remove(&node);
                }
                Left::Followed
            }
            Part::First => {
                let next = self
                    .groups
                    .get_mut(&hash)
                    .and_then(|group| group.rest.pop_first());
                match next {
                    Some(next) => {
                        if let Some(group) = self.groups.get_mut(&hash) {
                            group.first = next;
                        }
                        self.part[next as usize] = Part::First;
                        Left::Succeeded(next)
                    }
                    None => {
                        self.groups.remove(&hash);
                        Left::Unfiled
                    }
                }
            }
        }
    }

    /// The nodes that follow `node` (if it is the first of a group), in increasing index.
    pub(super) fn followers(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        let group = match self.part[node as usize] {
            Part::First => self.groups.get(&self.hash[node as usize]),
            _ => None,
        };
        group.into_iter().flat_map(|g| g.rest.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_index_of_alike_nodes_stands_for_them() {
        // Nodes 0..6; rows: nodes 1, 3, 4 alike (hash 7), node 5 collides with them (hash 7,
        // not alike), node 2 alone (hash 9).
        let mut a = Alike::new(6);
        let same = |n: u32| [1, 3, 4].contains(&n);
        assert_eq!(a.join(3, 7, same), Joined::Filed);
        assert_eq!(a.join(4, 7, same), Joined::Follows);
        assert_eq!(a.join(1, 7, same), Joined::Replaces(3));
        assert_eq!(a.join(5, 7, |n| n == 5), Joined::Filed);
        assert_eq!(a.join(2, 9, |_| false), Joined::Filed);
        assert_eq!(a.followers(1).collect::<Vec<_>>(), vec![3, 4]);
        assert_eq!(a.followers(3).count(), 0);
        assert_eq!(a.followers(5).count(), 0);
        // The first leaves: the next stands for the group; a follower leaves: nothing to do.
        assert_eq!(a.leave(1), Left::Succeeded(3));
        assert_eq!(a.followers(3).collect::<Vec<_>>(), vec![4]);
        assert_eq!(a.leave(4), Left::Followed);
        assert_eq!(a.leave(5), Left::Unfiled);
        assert_eq!(a.leave(3), Left::Unfiled);
        assert_eq!(a.leave(2), Left::Unfiled);
        assert!(a.groups.is_empty());
        assert_ne!(row_hash(0, &[1.0, 2.0]), row_hash(1, &[1.0, 2.0]));
        assert_ne!(row_hash(0, &[1.0, 2.0]), row_hash(0, &[2.0, 1.0]));
    }
}
