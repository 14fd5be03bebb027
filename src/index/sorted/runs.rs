//! [`Sorted`] with the room per entry that the number of resources asks for.

use super::{Place, Sorted, Visit};

/// [`Sorted`] whose entries keep the fit keys of up to 4 resources (32 bytes an entry) or of up
/// to 8 (48 bytes): of the first 8 where there are more (a walk then shows as fitting nodes
/// that may be short in the others; the state's own test decides).
#[derive(Debug, Clone)]
pub(in crate::index) enum Runs {
    /// Up to 4 resources.
    Four(Sorted<4>),
    /// More.
    Eight(Sorted<8>),
}

/// `$body` with `$s` the [`Sorted`] inside `$runs`, whichever it is.
macro_rules! each {
    ($runs:expr, $s:ident => $body:expr) => {
        match $runs {
            Runs::Four($s) => $body,
            Runs::Eight($s) => $body,
        }
    };
}

impl Default for Runs {
    fn default() -> Self {
        Runs::Four(Sorted::default())
    }
}

impl Runs {
    /// [`Sorted::new`], with room for the fit keys of `resources` resources (up to 8).
    pub(in crate::index) fn new(nodes: usize, resources: usize, cap: usize) -> Self {
        if resources <= 4 {
            Runs::Four(Sorted::new(nodes, resources, cap))
        } else {
            Runs::Eight(Sorted::new(nodes, resources, cap))
        }
    }

    /// [`Sorted::key`].
    pub(in crate::index) fn key(&self, node: u32) -> u64 {
        each!(self, s => s.key(node))
    }

    /// [`Sorted::insert`].
    pub(in crate::index) fn insert(&mut self, node: u32, key: u64, rows: (&[f64], &[f64])) {
        each!(self, s => s.insert(node, key, rows))
    }

    /// [`Sorted::fill`].
    pub(in crate::index) fn fill<'a>(
        &mut self,
        entries: &mut [(u64, u32)],
        rows: impl Fn(u32) -> (&'a [f64], &'a [f64]),
    ) {
        each!(self, s => s.fill(entries, rows))
    }

    /// [`Sorted::remove`].
    pub(in crate::index) fn remove(&mut self, node: u32, hint: Option<Place>) {
        each!(self, s => s.remove(node, hint))
    }

    /// [`Sorted::walk_from`].
    pub(in crate::index) fn walk_from(
        &mut self,
        from: (u64, u32),
        hint: Option<Place>,
        demand: &[f64],
        visit: &mut impl Visit,
    ) -> Option<bool> {
        each!(self, s => s.walk_from(from, hint, demand, visit))
    }
}
