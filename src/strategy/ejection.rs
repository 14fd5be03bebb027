//! Ejection chains for `repack`: emptying a node by pushing its tasks into the others, each
//! displacing smaller ones where it must.

use super::repack::Work;
use crate::state::State;

/// How many of the least loaded nodes [`empty_one`] tries per round.
const EJECTION_TRIES: usize = 64;

/// Tries to empty one of the least loaded nodes in use by ejection: its tasks become pending;
/// the largest pending task goes to the fullest node in use that it fits, else it takes the
/// place of one smaller task, or of two whose volumes add up to less, on some node (the
/// choice that lowers the pending volume most), and those become pending in turn. Pending
/// volume strictly falls, so each attempt ends; a failed one is undone.
pub(super) fn empty_one(state: &mut State<'_>, volume: &[f64], work: &Work) -> bool {
    let mut load = vec![0.0; state.nodes()];
    for (t, n) in state.assignment().iter().enumerate() {
        if let Some(n) = *n {
            load[n] += volume[t];
        }
    }
    let mut used: Vec<usize> = (0..state.nodes())
        .filter(|&n| state.task_count(n) > 0)
        .collect();
    used.sort_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b)));
    for &s in used.iter().take(EJECTION_TRIES) {
        if !work.charge(volume.len() + state.nodes()) {
            return false;
        }
        let mut trial = Trial::new(state.clone(), load.clone(), volume, work);
        let targets: Vec<usize> = used.iter().copied().filter(|&m| m != s).collect();
        let mut pending = trial.evict(s);
        let mut ok = true;
        while let Some(i) = largest(&pending, volume) {
            let p = pending.swap_remove(i);
            match trial.insert(p, &targets) {
                Some(ejected) => pending.extend(ejected),
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            *state = trial.state;
            return true;
        }
    }
    false
}

/// The position of the largest task by volume, ties to the lowest index.
fn largest(tasks: &[usize], volume: &[f64]) -> Option<usize> {
    (0..tasks.len()).max_by(|&a, &b| {
        volume[tasks[a]]
            .total_cmp(&volume[tasks[b]])
            .then(tasks[b].cmp(&tasks[a]))
    })
}

/// A state under trial, with node loads and members kept up to date.
struct Trial<'s, 'v> {
    state: State<'s>,
    load: Vec<f64>,
    volume: &'v [f64],
    work: &'v Work,
}

impl<'s, 'v> Trial<'s, 'v> {
    fn new(state: State<'s>, load: Vec<f64>, volume: &'v [f64], work: &'v Work) -> Self {
        Self {
            state,
            load,
            volume,
            work,
        }
    }

    fn members(&self, node: usize) -> Vec<usize> {
        self.work.charge(self.volume.len());
        let a = self.state.assignment();
        (0..a.len()).filter(|&t| a[t] == Some(node)).collect()
    }

    fn evict(&mut self, node: usize) -> Vec<usize> {
        let tasks = self.members(node);
        for &t in &tasks {
            self.remove(t);
        }
        tasks
    }

    fn remove(&mut self, task: usize) {
        if let Some(n) = self.state.remove(task) {
            self.load[n] -= self.volume[task];
        }
    }

    fn place(&mut self, task: usize, node: usize) -> bool {
        let ok = self.state.place(task, node).is_ok();
        if ok {
            self.load[node] += self.volume[task];
        }
        ok
    }

    /// Places `p` on one of `targets`, directly or by ejecting one or two smaller tasks, which
    /// are returned; `None` if neither works.
    fn insert(&mut self, p: usize, targets: &[usize]) -> Option<Vec<usize>> {
        if !self.work.charge(targets.len()) {
            return None;
        }
        let direct = targets
            .iter()
            .copied()
            .filter(|&m| self.state.fits(p, m))
            .max_by(|&a, &b| self.load[a].total_cmp(&self.load[b]).then(b.cmp(&a)));
        if let Some(m) = direct {
            return self.place(p, m).then(Vec::new);
        }
        let (m, ejected) = self.best_ejection(p, targets)?;
        for &b in &ejected {
            self.remove(b);
        }
        self.place(p, m).then_some(ejected)
    }

    /// The node and the one or two smaller tasks to eject from it so that `p` fits, ejecting
    /// the least volume.
    fn best_ejection(&mut self, p: usize, targets: &[usize]) -> Option<(usize, Vec<usize>)> {
        let mut best: Option<(usize, Vec<usize>, f64)> = None;
        for &m in targets {
            let small: Vec<usize> = self
                .members(m)
                .into_iter()
                .filter(|&b| self.volume[b] < self.volume[p])
                .collect();
            let mut sets: Vec<Vec<usize>> = small.iter().map(|&b| vec![b]).collect();
            for (i, &b1) in small.iter().enumerate() {
                for &b2 in &small[i + 1..] {
                    if self.volume[b1] + self.volume[b2] < self.volume[p] {
                        sets.push(vec![b1, b2]);
                    }
                }
            }
            if !self.work.charge(sets.len()) {
                return None;
            }
            for set in sets {
                let v: f64 = set.iter().map(|&b| self.volume[b]).sum();
                if best.as_ref().is_some_and(|(_, _, bv)| *bv <= v) {
                    continue;
                }
                for &b in &set {
                    self.remove(b);
                }
                let fits = self.state.fits(p, m);
                for &b in &set {
                    self.place(b, m);
                }
                if fits {
                    best = Some((m, set, v));
                }
            }
        }
        best.map(|(m, set, _)| (m, set))
    }
}
